"""iam:SimulatePrincipalPolicy, from botocore's documentation of the operation: "Simulate how a set of IAM policies
attached to an IAM entity works with a list of API operations and Amazon Web Services resources to determine the
policies' effective permissions"; ResourceArns "defaults to `*` (all resources)"; EvalDecision is one of
`allowed`, `explicitDeny`, `implicitDeny`. And the role a session acts as is its aws:PrincipalArn (IAM's global
condition keys: "For IAM roles, the request context returns the ARN of the role, not the ARN of the user that
assumed the role")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS

ACCOUNT = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Worker"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}


def _role(aws: OfflineAWS, *statements: dict[str, Any]) -> Any:
    iam = aws.client("iam", account=ACCOUNT)
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=json.dumps(TRUST))
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_role_policy(RoleName="Worker", PolicyName="work", PolicyDocument=json.dumps(document))
    return iam


def _decisions(iam: Any, actions: list[str], resources: list[str] | None = None, **extra: Any) -> dict[str, str]:
    params: dict[str, Any] = {"PolicySourceArn": ROLE, "ActionNames": actions, **extra}
    if resources is not None:
        params["ResourceArns"] = resources
    pages = iam.get_paginator("simulate_principal_policy").paginate(**params)
    return {
        f"{r['EvalActionName']} {r['EvalResourceName']}": r["EvalDecision"]
        for page in pages
        for r in page["EvaluationResults"]
    }


def test_a_role_is_allowed_what_its_policy_allows_and_nothing_else(aws: OfflineAWS) -> None:
    # Given a role allowed sms-voice:Describe* on everything
    iam = _role(aws, {"Effect": "Allow", "Action": "sms-voice:Describe*", "Resource": "*"})
    # When two actions are simulated on all resources
    decisions = _decisions(iam, ["sms-voice:DescribePools", "sms-voice:DeletePool"])
    # Then the allowed one is allowed and the other implicitly denied
    assert decisions == {"sms-voice:DescribePools *": "allowed", "sms-voice:DeletePool *": "implicitDeny"}


def test_an_explicit_deny_wins(aws: OfflineAWS) -> None:
    # Given a role allowed everything of RAM but denied DeleteResourceShare
    iam = _role(
        aws,
        {"Effect": "Allow", "Action": "ram:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ram:DeleteResourceShare", "Resource": "*"},
    )
    # Then the denied action is explicitly denied
    assert _decisions(iam, ["ram:DeleteResourceShare"]) == {"ram:DeleteResourceShare *": "explicitDeny"}


def test_a_statement_scoped_to_resources_allows_only_on_them(aws: OfflineAWS) -> None:
    # Given a role allowed to create topics named eum-share-* only
    iam = _role(
        aws, {"Effect": "Allow", "Action": "sns:CreateTopic", "Resource": f"arn:aws:sns:*:{ACCOUNT}:eum-share-*"}
    )
    inside, outside = f"arn:aws:sns:us-east-1:{ACCOUNT}:eum-share-a", f"arn:aws:sns:us-east-1:{ACCOUNT}:other"
    # When the action is simulated on a topic of each name
    decisions = _decisions(iam, ["sns:CreateTopic"], [inside, outside])
    # Then only the eum-share topic is allowed
    assert decisions == {f"sns:CreateTopic {inside}": "allowed", f"sns:CreateTopic {outside}": "implicitDeny"}


def test_conditions_are_judged_with_the_context_entries_given(aws: OfflineAWS) -> None:
    # Given a role allowed iam:PassRole only to End User Messaging
    condition = {"StringEquals": {"iam:PassedToService": "sms-voice.amazonaws.com"}}
    iam = _role(aws, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": condition})

    def passed_to(service: str) -> str:
        entry = {"ContextKeyName": "iam:PassedToService", "ContextKeyValues": [service], "ContextKeyType": "string"}
        return _decisions(iam, ["iam:PassRole"], ContextEntries=[entry])["iam:PassRole *"]

    # Then passing it to End User Messaging is allowed, to another service not
    assert passed_to("sms-voice.amazonaws.com") == "allowed"
    assert passed_to("lambda.amazonaws.com") == "implicitDeny"


def test_results_come_in_pages_of_max_items(aws: OfflineAWS) -> None:
    # Given a role allowed everything of End User Messaging
    iam = _role(aws, {"Effect": "Allow", "Action": "sms-voice:*", "Resource": "*"})
    actions = [f"sms-voice:Describe{n}" for n in ("Pools", "PhoneNumbers", "SenderIds")]
    # When three actions are simulated two at a time
    first = iam.simulate_principal_policy(PolicySourceArn=ROLE, ActionNames=actions, MaxItems=2)
    rest = iam.simulate_principal_policy(PolicySourceArn=ROLE, ActionNames=actions, Marker=first["Marker"])
    # Then the first page is truncated and the second holds the rest
    assert first["IsTruncated"] is True
    assert len(first["EvaluationResults"]) == 2
    assert rest["IsTruncated"] is False
    assert len(rest["EvaluationResults"]) == 1


def test_a_role_of_another_account_is_no_such_entity(aws: OfflineAWS) -> None:
    # Given the role in its own account
    _role(aws, {"Effect": "Allow", "Action": "*", "Resource": "*"})
    # When another account simulates it
    with pytest.raises(ClientError) as error:
        aws.client("iam").simulate_principal_policy(PolicySourceArn=ROLE, ActionNames=["sms-voice:DescribePools"])
    # Then IAM does not find it there
    assert error.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_role_session_is_its_role_for_a_trust_policys_principal_arn(aws: OfflineAWS) -> None:
    # Given a role in the orchestrator's account, and a role elsewhere trusting only sessions of eum-share-* roles
    aws.client("iam").create_role(RoleName="eum-share-checker", AssumeRolePolicyDocument=json.dumps(TRUST))
    condition = {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/eum-share-*"}}
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": condition}]}
    aws.client("iam", account=ACCOUNT).create_role(RoleName="Target", AssumeRolePolicyDocument=json.dumps(trust))
    target = f"arn:aws:iam::{ACCOUNT}:role/Target"
    # When the orchestrator's account itself, then a session of its eum-share-checker role, assume the target
    sts = aws.client("sts")
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=target, RoleSessionName="direct")
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/eum-share-checker", RoleSessionName="checker"
    )["Credentials"]
    session_sts = aws.session().client(
        "sts",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    # Then the account's own credentials are refused, and the role's session is let in
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert session_sts.assume_role(RoleArn=target, RoleSessionName="via-role")["Credentials"]["AccessKeyId"]
