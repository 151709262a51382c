"""The actions template.yaml grants each function, and roles/cross-account-roles.yaml grants each role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twin.cfn import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ROLES = ROOT / "roles" / "cross-account-roles.yaml"
ROLE_KINDS = {"OWNER": "OwnerRole", "CONSUMER": "ConsumerRole"}


def role_documents(template: dict[str, Any], logical: str) -> list[dict[str, Any]]:
    """The inline policy documents of one role of the roles template, as written (intrinsics unresolved)."""
    return [policy["PolicyDocument"] for policy in template["Resources"][logical]["Properties"]["Policies"]]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    granted: set[str] = set()
    for statement in statements:
        if statement.get("Effect") == "Allow":
            action = statement["Action"]
            granted.update([action] if isinstance(action, str) else action)
    return granted


def function_grants(template: dict[str, Any]) -> dict[str, set[str]]:
    """Actions each function's own policy statements allow, by logical ID."""
    grants: dict[str, set[str]] = {}
    for logical, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        statements = [s for policy in resource["Properties"].get("Policies", []) for s in policy.get("Statement", [])]
        grants[logical] = _actions(statements)
    return grants


def function_assumes(template: dict[str, Any]) -> dict[str, set[str]]:
    """The role kinds (OWNER, CONSUMER) each function's policy lets it assume, from sts:AssumeRole's resources;
    a resource naming neither configured role stands for itself."""
    names = {"${OwnerRoleName}": "OWNER", "${ConsumerRoleName}": "CONSUMER"}
    assumes: dict[str, set[str]] = {}
    for logical, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []):
                if statement.get("Effect") != "Allow" or "sts:AssumeRole" not in _actions([statement]):
                    continue
                listed = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                for item in listed:
                    text = item.get("Fn::Sub", str(item)) if isinstance(item, dict) else item
                    kinds = [kind for name, kind in names.items() if str(text).endswith(f"role/{name}")]
                    assumes.setdefault(logical, set()).add(kinds[0] if kinds else str(text))
    return assumes


def role_grants(template: dict[str, Any]) -> dict[str, set[str]]:
    """Actions each cross-account role allows, by kind (OWNER, CONSUMER)."""
    resources = template["Resources"]
    return {
        kind: _actions(
            [
                s
                for policy in resources[logical]["Properties"]["Policies"]
                for s in policy["PolicyDocument"]["Statement"]
            ]
        )
        for kind, logical in ROLE_KINDS.items()
    }


def destination_grants(template: dict[str, Any]) -> dict[str, set[str]]:
    """What Lambda does with a function's own role for it: sending failed asynchronous invocations to an SQS
    destination (not an API call the function makes, so no recording can see it)."""
    implied: dict[str, set[str]] = {}
    for logical, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        on_failure = resource["Properties"].get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        if on_failure and on_failure.get("Type") == "SQS":
            implied[logical] = {"sqs:SendMessage"}
    return implied


def load(path: Path) -> dict[str, Any]:
    return load_template(path)
