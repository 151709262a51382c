"""Evaluation of IAM resource-based policies, as far as cross-account sharing needs it.

A resource policy answers one question here: may a principal of account X call action Y on the resource?
Allow statements grant, Deny statements override. Principals are matched at account level (the account ID,
its root ARN, or "*" narrowed by conditions), which is all that AWS RAM sharing writes. Service principals
({"Service": ...}) never match an account caller; `aws:SourceAccount` conditions belong to them. A role's trust
policy is read the same way for sts:AssumeRole, with the caller's role ARN (aws:PrincipalArn) and the request's
sts:ExternalId as condition keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Statement = Mapping[str, Any]


@dataclass(frozen=True)
class Caller:
    """The request context of a principal in `account`, with its organization when it has one."""

    account: str
    org_id: str | None = None
    # aws:PrincipalOrgPaths values, e.g. ("o-abc/r-ab12/ou-ab12-11111111/",)
    org_paths: tuple[str, ...] = field(default=())
    # aws:PrincipalArn: for a role session, the role's ARN (known when the caller is a Lambda function).
    principal_arn: str | None = None
    # sts:ExternalId of an AssumeRole request, when it carries one.
    external_id: str | None = None

    def context(self) -> dict[str, list[str]]:
        """Global condition keys of the request; a key with no value is absent."""
        keys: dict[str, list[str]] = {"aws:principalaccount": [self.account]}
        if self.org_id is not None:
            keys["aws:principalorgid"] = [self.org_id]
        if self.org_paths:
            keys["aws:principalorgpaths"] = list(self.org_paths)
        if self.principal_arn is not None:
            keys["aws:principalarn"] = [self.principal_arn]
        if self.external_id is not None:
            keys["sts:externalid"] = [self.external_id]
        return keys


class PolicyError(ValueError):
    """The text is not a policy document AWS would store."""


def parse(text: str) -> dict[str, Any]:
    """The policy document in `text`; raises PolicyError when it is not a JSON policy with statements."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PolicyError(f"the policy is not valid JSON: {error}") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise PolicyError("the policy must be a JSON object with a Statement")
    for statement in statements(document):
        if not isinstance(statement, dict):
            raise PolicyError("every statement must be a JSON object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError("every statement needs an Effect of Allow or Deny")
        if "Action" not in statement:
            raise PolicyError("every statement needs an Action")
    return document


def statements(document: Mapping[str, Any]) -> list[Statement]:
    """The statements of a document: AWS accepts a single statement object as well as a list."""
    found = document.get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


@cache
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters, `?` exactly one."""
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(expression, 0 if case_sensitive else re.IGNORECASE)


def like(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    return _wildcard(pattern, case_sensitive).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Action names compare case-insensitively, with wildcards (`sms-voice:*`, `sms-voice:Describe*`)."""
    return like(pattern, action, case_sensitive=False)


def principal_matches(principal: Any, account: str, principal_arn: str | None = None) -> bool:
    """Whether a statement's Principal covers the principals of `account` (or names the caller's own ARN)."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    covered = ("*", account, f"arn:aws:iam::{account}:root", *([principal_arn] if principal_arn else []))
    return any(entry in covered for entry in _strings(principal.get("AWS")))


_OPERATORS = ("StringEquals", "StringLike", "StringNotEquals", "StringNotLike")
# IAM compares ARNs with the string operators' rules: ArnLike is StringLike, ArnEquals is StringEquals.
_ARN_OPERATORS = {
    "ArnEquals": "StringEquals",
    "ArnLike": "StringLike",
    "ArnNotEquals": "StringNotEquals",
    "ArnNotLike": "StringNotLike",
}


def _condition_holds(operator: str, key: str, expected: list[str], context: dict[str, list[str]]) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    base = _ARN_OPERATORS.get(base, base)
    if base not in _OPERATORS or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        return False  # an operator we do not model never grants
    values = context.get(key.lower(), [])
    if not values:
        return if_exists or qualifier == "ForAllValues" or base.startswith("StringNot")

    def one(value: str) -> bool:
        if base.endswith("Like"):
            return any(like(pattern, value) for pattern in expected)
        return value in expected

    negated = base.startswith("StringNot")
    if qualifier == "ForAllValues":
        return all(one(v) != negated for v in values)
    return any(one(v) != negated for v in values)


def conditions_hold(condition: Any, caller: Caller) -> bool:
    """Every operator and key of a Condition block holds for the caller (AND across all of them)."""
    return conditions_hold_in(condition, caller.context())


def conditions_hold_in(condition: Any, context: dict[str, list[str]]) -> bool:
    """The same, for a request context given key by key (lower-case keys), such as a simulation's entries."""
    if not condition:
        return True
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            return False
        for key, expected in tests.items():
            if not _condition_holds(operator, key, _strings(expected), context):
                return False
    return True


def _applies(statement: Statement, caller: Caller, resource: str | None) -> bool:
    if not principal_matches(statement.get("Principal"), caller.account, caller.principal_arn):
        return False
    resources = _strings(statement.get("Resource"))
    if resource is not None and resources and not any(like(pattern, resource) for pattern in resources):
        return False
    return conditions_hold(statement.get("Condition"), caller)


def _actions(statement: Statement) -> list[str]:
    return _strings(statement.get("Action"))


def _service_of(pattern: str) -> str:
    return pattern.split(":", 1)[0].lower() if ":" in pattern else pattern.lower()


def is_allowed(
    policy: Mapping[str, Any] | Iterable[Statement], caller: Caller, action: str, resource: str | None = None
) -> bool:
    """Whether the policy lets the caller's account perform `action` (an explicit Deny wins)."""
    found = statements(policy) if isinstance(policy, Mapping) else list(policy)
    allowed = False
    for statement in found:
        if not any(action_matches(p, action) for p in _actions(statement)):
            continue
        if not _applies(statement, caller, resource):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def grants_service(
    policy: Mapping[str, Any] | Iterable[Statement], caller: Caller, service: str, resource: str | None = None
) -> bool:
    """Whether the policy allows the caller some action of `service` (e.g. "sms-voice") at all.

    A Deny of every action of the service (`*` or `service:*`) takes it all away; a narrower Deny leaves the
    other granted actions, so the resource stays usable.
    """
    found = statements(policy) if isinstance(policy, Mapping) else list(policy)
    granted = False
    for statement in found:
        patterns = [p for p in _actions(statement) if _service_of(p) in (service, "*")]
        if not patterns or not _applies(statement, caller, resource):
            continue
        if statement.get("Effect") == "Deny":
            if any(p in ("*", f"{service}:*") for p in (q.lower() for q in patterns)):
                return False
        elif statement.get("Effect") == "Allow":
            granted = True
    return granted


def account_principal(account: str) -> dict[str, str]:
    return {"AWS": f"arn:aws:iam::{account}:root"}


def org_paths_condition(paths: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    return {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": list(paths)}}


def org_id_condition(org_id: str) -> dict[str, dict[str, str]]:
    return {"StringEquals": {"aws:PrincipalOrgID": org_id}}


def identity_decision(
    documents: Iterable[Mapping[str, Any]], action: str, resource: str, context: dict[str, list[str]]
) -> str:
    """IAM's decision for an identity's own policies: "explicitDeny" when a Deny statement applies, else
    "allowed" when an Allow statement does, else "implicitDeny". A statement applies when its Action (or
    NotAction) covers the action, its Resource (or NotResource) the resource, and its conditions hold."""
    decision = "implicitDeny"
    for document in documents:
        for statement in statements(document):
            if not _identity_statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return "explicitDeny"
            if statement.get("Effect") == "Allow":
                decision = "allowed"
    return decision


def _identity_statement_applies(
    statement: Statement, action: str, resource: str, context: dict[str, list[str]]
) -> bool:
    if "NotAction" in statement:
        covered = not any(action_matches(p, action) for p in _strings(statement["NotAction"]))
    else:
        covered = any(action_matches(p, action) for p in _actions(statement))
    if "NotResource" in statement:
        on = not any(like(p, resource) for p in _strings(statement["NotResource"]))
    else:
        on = any(like(p, resource) for p in _strings(statement.get("Resource")))
    return covered and on and conditions_hold_in(statement.get("Condition"), context)
