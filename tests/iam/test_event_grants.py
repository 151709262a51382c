"""events:PutEvents lets a function put any event on the bus unless a condition narrows it: the functions that
publish the workflow's events must not be able to send the requests (source eum-share.requests) that start,
approve or roll back migrations. EventBridge's PutEvents takes the condition key `events:source` (Service
Authorization Reference, Amazon EventBridge)."""

from __future__ import annotations

from typing import Any

from tests.iam.policies import TEMPLATE, load
from twin.cfn import resources_of_type


def _put_events_statements(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for logical, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []):
                actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
                if "events:PutEvents" in actions:
                    found.setdefault(logical, []).append(statement)
    return found


def test_every_put_events_grant_is_for_the_workflows_own_source_only() -> None:
    # Given template.yaml, whose functions publish with the source in the Globals' EVENT_SOURCE
    template = load(TEMPLATE)
    source = template["Globals"]["Function"]["Environment"]["Variables"]["EVENT_SOURCE"]
    # When every events:PutEvents grant is read
    grants = _put_events_statements(template)
    # Then each allows that source only
    assert grants
    conditions = {
        logical: [statement.get("Condition") for statement in statements] for logical, statements in grants.items()
    }
    assert conditions == {logical: [{"StringEquals": {"events:source": source}}] for logical in grants}
    assert source != "eum-share.requests"
