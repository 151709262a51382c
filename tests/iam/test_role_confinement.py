"""What a session of a cross-account role can do beyond what the workflow does with it, read from
roles/cross-account-roles.yaml as deployed in an account and evaluated as IAM evaluates an identity's own policies
(twin.policy.identity_decision: Allow statements whose action, resource and conditions hold).

Condition keys, from the Service Authorization Reference: sms-voice's CreateConfigurationSet and
CreateProtectConfiguration take "aws:RequestTag/${TagKey}, aws:TagKeys" and depend on "sms-voice:TagResource";
its configuration-set and protect-configuration resources take "aws:ResourceTag/${TagKey}". RAM's
CreateResourceShare takes "aws:RequestTag/${TagKey}" and "ram:RequestedResourceType"; its resource-share resource
takes "aws:ResourceTag/${TagKey}" and "ram:ResourceShareName". iam:PassRole takes "iam:PassedToService".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eum_share.dal import consumer_configuration as dal

from tests.iam.policies import ROLES
from twin import policy
from twin.offline import OfflineAWS
from twin.seed import orchestrator_roles
from twin.stack import LocalStack

ACCOUNT = "222222222222"
OWNER = "111111111111"
REGION = "us-east-1"
EVENTS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eum-share/EumShareSmsEventsToLogs"
SET = f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:configuration-set/otp-0"
PROTECT = f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:protect-configuration/protect-1234"
SHARE = f"arn:aws:ram:{REGION}:{OWNER}:resource-share/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab"
# What lets a holder of a role's session become administrator: making or changing a role or a policy.
ROLE_WRITES = (
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePolicy",
    "iam:DeleteRole",
)
SOME_ROLES = (
    f"arn:aws:iam::{ACCOUNT}:role/EumShareSmsEvents-otp-0-otp-0-logs",
    f"arn:aws:iam::{ACCOUNT}:role/eum-share/EumShareSmsEvents-anything",
    EVENTS_ROLE,
    f"arn:aws:iam::{ACCOUNT}:role/Admin",
    "*",
)


@pytest.fixture(scope="module")
def aws() -> Iterator[OfflineAWS]:
    with OfflineAWS() as offline:
        yield offline


def _documents(aws: OfflineAWS, logical: str, account: str, **parameters: str) -> list[dict[str, Any]]:
    stack = LocalStack(
        aws,
        ROLES,
        stack_name="eum-share-roles",
        parameters={
            "OrchestratorAccountId": "123456789012",
            "OrchestratorRoleArns": orchestrator_roles(aws),
            "ExternalId": "eum-share-test",
        }
        | parameters,
    )
    stack.account = account
    policies = stack.resolve(stack.resources[logical]["Properties"]["Policies"])
    return [dict(p["PolicyDocument"]) for p in policies]


@pytest.fixture(scope="module")
def consumer(aws: OfflineAWS) -> list[dict[str, Any]]:
    return _documents(aws, "ConsumerRole", ACCOUNT)


@pytest.fixture(scope="module")
def owner(aws: OfflineAWS) -> list[dict[str, Any]]:
    return _documents(aws, "OwnerRole", OWNER, ExistingShareNames="sms-production,sms-marketing")


def _decision(documents: list[dict[str, Any]], action: str, resource: str, **context: str) -> str:
    keys = {key.lower(): [value] for key, value in context.items()}
    return policy.identity_decision(documents, action, resource, keys)


# -- the consumer role: no way to a role of one's own --------------------------------------------------------
def test_the_consumer_role_cannot_create_or_change_any_role(consumer: list[dict[str, Any]]) -> None:
    # Given the consumer role's policies as deployed in a consuming account
    # When IAM decides each action that makes or changes a role or a policy, on any role
    decisions = {(a, r): _decision(consumer, a, r) for a in ROLE_WRITES for r in SOME_ROLES}
    # Then none is allowed
    assert {key: d for key, d in decisions.items() if d == "allowed"} == {}


def test_the_consumer_role_passes_only_the_stacks_events_role(consumer: list[dict[str, Any]]) -> None:
    # Given the consumer role's policies
    # When IAM decides iam:PassRole to End User Messaging for each role
    decisions = {
        r: _decision(consumer, "iam:PassRole", r, **{"iam:PassedToService": "sms-voice.amazonaws.com"})
        for r in SOME_ROLES
    }
    # Then only the roles stack's own events role may be passed
    assert {r for r, d in decisions.items() if d == "allowed"} == {EVENTS_ROLE}


def test_the_events_role_may_be_passed_to_end_user_messaging_only(consumer: list[dict[str, Any]]) -> None:
    # Given the consumer role's policies
    # When IAM decides passing the events role to another service
    decision = _decision(consumer, "iam:PassRole", EVENTS_ROLE, **{"iam:PassedToService": "lambda.amazonaws.com"})
    # Then it is refused
    assert decision == "implicitDeny"


def test_the_events_role_is_assumed_by_end_user_messaging_for_this_account_only(aws: OfflineAWS) -> None:
    # Given the roles stack's role for CloudWatch Logs event destinations, in a consuming account
    stack = LocalStack(aws, ROLES, stack_name="eum-share-roles", parameters={"OrchestratorAccountId": "1" * 12})
    stack.account = ACCOUNT
    properties = stack.resolve(stack.resources["SmsEventsToLogsRole"]["Properties"])
    [trust] = properties["AssumeRolePolicyDocument"]["Statement"]
    # When its trust and its permissions are read
    [permissions] = properties["Policies"]
    [writes] = permissions["PolicyDocument"]["Statement"]
    # Then only End User Messaging may assume it, only for this account's configuration sets
    assert trust["Principal"] == {"Service": "sms-voice.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert trust["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:sms-voice:*:{ACCOUNT}:configuration-set/*"}
    # and it may only write events into the log groups the workflow provisions
    assert writes["Action"] == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert writes["Resource"] == f"arn:aws:logs:*:{ACCOUNT}:log-group:/eum-share/sms-events/*"


# -- the consumer role: End User Messaging writes on what the workflow tagged ---------------------------------
@pytest.mark.parametrize(
    "action",
    [
        "sms-voice:DeleteConfigurationSet",
        "sms-voice:SetDefaultSenderId",
        "sms-voice:SetDefaultMessageType",
        "sms-voice:SetDefaultMessageFeedbackEnabled",
    ],
)
def test_the_consumer_role_changes_no_configuration_set_the_workflow_did_not_create(
    consumer: list[dict[str, Any]], action: str
) -> None:
    # Given a configuration set of the consumer's own, without the workflow's tag
    # When IAM decides the action on it
    # Then it is refused
    assert _decision(consumer, action, SET) == "implicitDeny"


def test_the_consumer_role_deletes_a_configuration_set_the_workflow_created(consumer: list[dict[str, Any]]) -> None:
    # Given a configuration set the workflow created (tagged with its source as it was created)
    tag = {"aws:ResourceTag/eum-share:source-configuration-set": "otp-0"}
    # When IAM decides its deletion (a rollback)
    # Then it is allowed
    assert _decision(consumer, "sms-voice:DeleteConfigurationSet", SET, **tag) == "allowed"


@pytest.mark.parametrize(
    "action",
    [
        "sms-voice:DeleteProtectConfiguration",
        "sms-voice:UpdateProtectConfigurationCountryRuleSet",
        "sms-voice:SetAccountDefaultProtectConfiguration",
    ],
)
def test_the_consumer_role_changes_no_protect_configuration_of_the_consumers_own(
    consumer: list[dict[str, Any]], action: str
) -> None:
    # Given a protect configuration the consumer made itself: no eum-share tag
    # When IAM decides the action on it
    # Then it is refused, while the same on the workflow's copy is allowed
    assert _decision(consumer, action, PROTECT) == "implicitDeny"
    tag = {"aws:ResourceTag/eum-share:source-protect-configuration": "protect-abc"}
    assert _decision(consumer, action, PROTECT, **tag) == "allowed"


def test_the_consumer_role_creates_a_configuration_set_only_with_the_workflows_tag(
    consumer: list[dict[str, Any]],
) -> None:
    # Given the consumer role's policies
    # When IAM decides CreateConfigurationSet without tags, and with the workflow's tag
    bare = _decision(consumer, "sms-voice:CreateConfigurationSet", "*")
    tagged = _decision(
        consumer,
        "sms-voice:CreateConfigurationSet",
        "*",
        **{
            "aws:RequestTag/eum-share:source-configuration-set": "otp-0",
            "aws:TagKeys": "eum-share:source-configuration-set",
        },
    )
    # Then only the tagged creation is allowed
    assert (bare, tagged) == ("implicitDeny", "allowed")


def test_the_consumer_role_tags_nothing_with_keys_of_others(consumer: list[dict[str, Any]]) -> None:
    # Given a tag request that carries the workflow's tag and a key of someone else's
    context = {"aws:RequestTag/eum-share:source-configuration-set": "x", "aws:TagKeys": "cost-center"}
    # When IAM decides sms-voice:TagResource on a configuration set
    # Then it is refused
    assert _decision(consumer, "sms-voice:TagResource", SET, **context) == "implicitDeny"


# -- the owner role: RAM writes on the workflow's shares and the named ones ------------------------------------
@pytest.mark.parametrize(
    "action", ["ram:AssociateResourceShare", "ram:DisassociateResourceShare", "ram:DeleteResourceShare"]
)
def test_the_owner_role_changes_no_share_it_neither_created_nor_was_told_of(
    owner: list[dict[str, Any]], action: str
) -> None:
    # Given a share of the owner account without the workflow's tag, whose name the roles stack was not given
    # When IAM decides the action on it
    # Then it is refused
    assert _decision(owner, action, SHARE, **{"ram:ResourceShareName": "payments"}) == "implicitDeny"


@pytest.mark.parametrize(
    "action", ["ram:AssociateResourceShare", "ram:DisassociateResourceShare", "ram:DeleteResourceShare"]
)
def test_the_owner_role_changes_the_shares_it_created(owner: list[dict[str, Any]], action: str) -> None:
    # Given a share the workflow created (tagged created-by=eum-share), with End User Messaging resources
    context = {"aws:ResourceTag/created-by": "eum-share", "ram:RequestedResourceType": "sms-voice:PhoneNumber"}
    # When IAM decides the action on it
    # Then it is allowed
    assert _decision(owner, action, SHARE, **context) == "allowed"


def test_the_owner_role_adds_to_a_named_existing_share_but_never_deletes_it(owner: list[dict[str, Any]]) -> None:
    # Given a share that existed before, named in the roles stack's ExistingShareNames
    named = {"ram:ResourceShareName": "sms-production"}
    # When IAM decides adding to it and deleting it
    # Then adding is allowed, deleting is not
    assert _decision(owner, "ram:AssociateResourceShare", SHARE, **named) == "allowed"
    assert _decision(owner, "ram:DeleteResourceShare", SHARE, **named) == "implicitDeny"


def test_the_owner_role_shares_nothing_but_end_user_messaging_resources(owner: list[dict[str, Any]]) -> None:
    # Given the workflow's own share
    context = {"aws:ResourceTag/created-by": "eum-share", "ram:RequestedResourceType": "ec2:Subnet"}
    # When IAM decides adding a subnet to it
    # Then it is refused
    assert _decision(owner, "ram:AssociateResourceShare", SHARE, **context) == "implicitDeny"


def test_the_owner_role_creates_a_share_only_with_the_workflows_tag(owner: list[dict[str, Any]]) -> None:
    # Given the owner role's policies
    # When IAM decides CreateResourceShare without the tag, and with it
    bare = _decision(owner, "ram:CreateResourceShare", "*")
    tagged = _decision(owner, "ram:CreateResourceShare", "*", **{"aws:RequestTag/created-by": "eum-share"})
    # Then only the tagged creation is allowed
    assert (bare, tagged) == ("implicitDeny", "allowed")


def test_the_role_the_workflow_passes_is_the_one_the_roles_stack_makes(aws: OfflineAWS) -> None:
    # Given the roles stack's events role, deployed in a consuming account
    stack = LocalStack(aws, ROLES, stack_name="eum-share-roles", parameters={"OrchestratorAccountId": "1" * 12})
    stack.account = ACCOUNT
    # When its ARN is compared with the one the workflow names in CloudWatch Logs destinations
    made = stack.get_att("SmsEventsToLogsRole", "Arn")
    named = f"arn:aws:iam::{ACCOUNT}:role{dal.EVENTS_ROLE_PATH}{dal.EVENTS_ROLE_NAME}"
    # Then they are the same role
    assert made == named == EVENTS_ROLE
