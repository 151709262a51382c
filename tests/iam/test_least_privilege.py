"""Least privilege, proven both ways against what the functions really call on the offline AWS: each function's
policy in template.yaml, and each role in roles/cross-account-roles.yaml, grants exactly what is used."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.iam.coverage import compare
from tests.iam.policies import (
    ROLES,
    TEMPLATE,
    destination_grants,
    function_assumes,
    function_grants,
    load,
    role_grants,
)
from tests.iam.recording import Recorded, record_everything

DAL = Path(__file__).resolve().parents[2] / "functions" / "eum_share" / "dal"
# Calls on code paths the recorded migrations do not reach, each found in the code that makes it.
STATIC_CALLS = {
    "CONSUMER": {
        # Only for an event destination the owner had disabled: CreateEventDestination cannot create one so.
        "sms-voice:UpdateEventDestination": "update_event_destination(",
    }
}
# Roles assumed on code paths the recorded migrations do not reach, each found in the logic that assumes it: a
# consumer that still cannot see the share after accepting is checked from the owner's side for a principal RAM
# suspended.
STATIC_ASSUMES = {"AcceptInvitationsFunction": {"OWNER": "_refuse_suspended(share_arn, _principal_associations("}}
LOGIC = DAL.parent / "logic"
# dal/pacing.py keeps each account's rates and throttle counts in the ledger: a function whose calls reach another
# account reads them (GetItem) and, once AWS has throttled it, writes them (UpdateItem); a function that can stop a
# migration at its deadline names the throttles in the cause (Query). The recorded migrations are not throttled.
PACING = {"dynamodb:GetItem", "dynamodb:UpdateItem"}
DEADLINE = {"dynamodb:Query"}
HANDLERS = Path(__file__).resolve().parents[2] / "functions"
# What the service does with the caller's permissions beyond the call itself: the Service Authorization
# Reference's dependent actions (CreateEventDestination: iam:PassRole; CreateConfigurationSet and
# CreateProtectConfiguration with tags: sms-voice:TagResource).
IMPLIED = {
    "sms-voice:CreateEventDestination": {"iam:PassRole"},
    "sms-voice:CreateConfigurationSet": {"sms-voice:TagResource"},
    "sms-voice:CreateProtectConfiguration": {"sms-voice:TagResource"},
}


@pytest.fixture(scope="module")
def recorded() -> Recorded:
    return record_everything()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load(TEMPLATE)


def used_by_functions(recorded: Recorded, template: dict[str, Any]) -> dict[str, set[str]]:
    used = {name: set(actions) for name, actions in recorded.own.items()}
    for name in recorded.reaches_other_accounts:
        used.setdefault(name, set()).update(PACING)
    for name, handler in _handlers(template).items():
        if "stop_at_deadline(" in handler.read_text():
            used.setdefault(name, set()).update(DEADLINE)
    for name, actions in destination_grants(template).items():
        used.setdefault(name, set()).update(actions)
    return used


def used_by_roles(recorded: Recorded) -> dict[str, set[str]]:
    used = {kind: set(actions) for kind, actions in recorded.assumed.items()}
    for kind, calls in STATIC_CALLS.items():
        used[kind].update(calls)
    for actions in used.values():
        for action in list(actions):
            actions.update(IMPLIED.get(action, set()))
    return used


def test_each_function_is_granted_exactly_the_actions_it_calls(recorded: Recorded, template: dict[str, Any]) -> None:
    # Given every call each function made while representative migrations ran through every door
    # When they are compared with each function's policy in template.yaml
    problems = compare(function_grants(template), used_by_functions(recorded, template))
    # Then nothing used is missing and nothing granted is unused
    assert problems == []


def test_each_cross_account_role_is_granted_exactly_what_is_done_through_it(recorded: Recorded) -> None:
    # Given every call the functions made in the owner and consuming accounts, through the roles
    # When they are compared with roles/cross-account-roles.yaml
    problems = compare(role_grants(load(ROLES)), used_by_roles(recorded))
    # Then each role grants exactly those actions
    assert problems == []


def test_only_functions_that_reach_other_accounts_may_assume_a_role(
    recorded: Recorded, template: dict[str, Any]
) -> None:
    # Given the functions that called into the owner or a consuming account
    # When the functions allowed sts:AssumeRole are listed
    allowed = {name for name, actions in function_grants(template).items() if "sts:AssumeRole" in actions}
    # Then they are the same functions
    assert allowed == recorded.reaches_other_accounts


def test_each_function_may_assume_exactly_the_roles_it_assumes(recorded: Recorded, template: dict[str, Any]) -> None:
    # Given the roles (owner, consumer) each function assumed while the migrations, rollbacks and a stack in the
    # owner account ran
    # When they are compared with the resources of each function's sts:AssumeRole grant
    granted, used = function_assumes(template), {name: set(kinds) for name, kinds in recorded.assumes.items()}
    for name, kinds in STATIC_ASSUMES.items():
        used.setdefault(name, set()).update(kinds)
    # Then each function may assume exactly the roles it assumes
    assert compare(granted, used) == []


def test_a_role_can_be_assumed_only_by_its_configured_name(template: dict[str, Any]) -> None:
    # Given every statement of every function that allows sts:AssumeRole
    statements = [
        statement
        for resource in template["Resources"].values()
        for policy in resource.get("Properties", {}).get("Policies", [])
        if isinstance(policy, dict)
        for statement in policy.get("Statement", [])
        if "sts:AssumeRole" in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    ]
    # When their resources are read
    # Then each names one or both of the configured role names, in any account, and nothing else
    configured = [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${OwnerRoleName}"},
        {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ConsumerRoleName}"},
    ]
    named = [s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]] for s in statements]
    assert statements
    assert all(resources and all(r in configured for r in resources) for resources in named)


def test_the_calls_found_in_the_code_are_still_there() -> None:
    # Given the calls granted for code paths the recorded migrations do not reach
    source = "".join(path.read_text() for path in DAL.glob("*.py"))
    # When the data-access code is read
    # Then each is still made there (else its grant must go)
    for calls in STATIC_CALLS.values():
        for action, call in calls.items():
            assert call in source, f"{action}: no {call} in functions/eum_share/dal"
    logic = "".join(path.read_text() for path in LOGIC.rglob("*.py"))
    for assumes in STATIC_ASSUMES.values():
        for role, call in assumes.items():
            assert call in logic, f"{role}: no {call} in functions/eum_share/logic"


# -- the checker itself -----------------------------------------------------------------------------------------
def test_the_checker_reports_an_action_removed_from_a_policy(template: dict[str, Any]) -> None:
    # Given template.yaml with dynamodb:PutItem taken out of ValidateRequest's policy
    changed = copy.deepcopy(template)
    for statement in changed["Resources"]["ValidateRequestFunction"]["Properties"]["Policies"][0]["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        statement["Action"] = [a for a in actions if a != "dynamodb:PutItem"]
    used = {"ValidateRequestFunction": function_grants(template)["ValidateRequestFunction"]}
    # When it is checked against calls that include PutItem
    problems = compare({"ValidateRequestFunction": function_grants(changed)["ValidateRequestFunction"]}, used)
    # Then the missing grant is reported
    assert problems == ["ValidateRequestFunction: uses dynamodb:PutItem, not granted"]


def test_the_checker_reports_a_granted_action_nobody_uses() -> None:
    # Given a policy granting one action more than the function calls
    granted = {"ReportFunction": {"s3:GetObject", "s3:DeleteObject"}}
    # When it is checked
    problems = compare(granted, {"ReportFunction": {"s3:GetObject"}})
    # Then the unused grant is reported
    assert problems == ["ReportFunction: granted s3:DeleteObject, never used"]


def _handlers(template: dict[str, Any]) -> dict[str, Path]:
    """Logical ID -> the source file of the function's handler module."""
    found = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            module = resource["Properties"]["Handler"].rsplit(".", 1)[0]
            found[name] = HANDLERS / (module.replace(".", "/") + ".py")
    return found
