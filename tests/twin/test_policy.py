"""Resource-policy evaluation: which accounts a policy lets call which sms-voice actions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from twin.policy import Caller, PolicyError, action_matches, grants_service, is_allowed, like, parse

ARN = "arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1"
CONSUMER = Caller("444455556666")
IN_OU = Caller("444455556666", "o-abc123", ("o-abc123/r-ab12/ou-ab12-11111111/",))
IN_NESTED_OU = Caller("444455556666", "o-abc123", ("o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/",))
ELSEWHERE_IN_ORG = Caller("777788889999", "o-abc123", ("o-abc123/r-ab12/ou-ab12-33333333/",))
OTHER_ORG = Caller("777788889999", "o-zzz999", ("o-zzz999/r-zz99/",))


def allow(principal: Any, action: Any = "sms-voice:SendTextMessage", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": ARN, **extra}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "444455556666"},
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"AWS": ["111111111111", "arn:aws:iam::444455556666:root"]},
        "*",
        {"AWS": "*"},
    ],
)
def test_an_account_principal_in_any_documented_form_is_granted(principal: Any) -> None:
    # Given a statement naming the consumer (by ID, root ARN, in a list, or everyone)
    policy = document(allow(principal))
    # Then the consumer may send
    assert is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_another_account_is_not_granted() -> None:
    policy = document(allow({"AWS": "arn:aws:iam::111111111111:root"}))
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_a_role_principal_does_not_grant_its_whole_account() -> None:
    policy = document(allow({"AWS": "arn:aws:iam::444455556666:role/Sender"}))
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_a_service_principal_with_source_account_does_not_grant_the_account() -> None:
    # Given the user guide's example: Amazon Pinpoint may send on behalf of the consumer account
    policy = document(
        allow(
            {"Service": "pinpoint.amazonaws.com"},
            Condition={"StringEquals": {"aws:SourceAccount": "444455556666"}},
        )
    )
    # Then principals of the consumer account themselves are not granted
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("sms-voice:*", "sms-voice:SendTextMessage", True),
        ("sms-voice:Describe*", "sms-voice:DescribePhoneNumbers", True),
        ("sms-voice:Describe*", "sms-voice:SendTextMessage", False),
        ("SMS-VOICE:sendtextmessage", "sms-voice:SendTextMessage", True),
        ("*", "sms-voice:SendTextMessage", True),
        ("sms-voice:Send?extMessage", "sms-voice:SendTextMessage", True),
    ],
)
def test_actions_match_case_insensitively_with_wildcards(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


def test_an_org_id_condition_grants_every_account_of_the_organization_only() -> None:
    # Given a statement for everyone in organization o-abc123
    policy = document(allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
    # Then members are granted, an account of another organization or of none is not
    assert is_allowed(policy, ELSEWHERE_IN_ORG, "sms-voice:SendTextMessage", ARN)
    assert not is_allowed(policy, OTHER_ORG, "sms-voice:SendTextMessage", ARN)
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_an_org_paths_condition_grants_the_ou_and_its_child_ous_only() -> None:
    # Given a statement for OU ou-ab12-11111111, the way RAM writes it
    condition = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-abc123/*/ou-ab12-11111111/*"]}}
    policy = document(allow("*", Condition=condition))
    # Then accounts in the OU or below it are granted, another OU of the same organization is not
    assert is_allowed(policy, IN_OU, "sms-voice:SendTextMessage", ARN)
    assert is_allowed(policy, IN_NESTED_OU, "sms-voice:SendTextMessage", ARN)
    assert not is_allowed(policy, ELSEWHERE_IN_ORG, "sms-voice:SendTextMessage", ARN)


def test_an_unmodelled_condition_operator_never_grants() -> None:
    policy = document(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_a_deny_overrides_an_allow() -> None:
    # Given an Allow for the consumer and a Deny of sending for everyone
    policy = document(
        allow({"AWS": "444455556666"}, "sms-voice:*"),
        {"Effect": "Deny", "Principal": "*", "Action": "sms-voice:SendTextMessage", "Resource": ARN},
    )
    # Then sending is denied while the other granted actions remain
    assert not is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)
    assert is_allowed(policy, CONSUMER, "sms-voice:DescribePhoneNumbers", ARN)


def test_a_statement_for_another_resource_does_not_grant_this_one() -> None:
    statement = allow({"AWS": "444455556666"})
    statement["Resource"] = "arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-2"
    assert not is_allowed(document(statement), CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_any_sms_voice_allow_grants_the_service() -> None:
    policy = document(allow({"AWS": "444455556666"}, ["sms-voice:DescribePhoneNumbers"]))
    assert grants_service(policy, CONSUMER, "sms-voice", ARN)


def test_an_allow_of_another_service_does_not_grant_sms_voice() -> None:
    policy = document(allow({"AWS": "444455556666"}, ["sns:Publish"]))
    assert not grants_service(policy, CONSUMER, "sms-voice", ARN)


def test_a_deny_of_every_sms_voice_action_takes_the_service_away() -> None:
    policy = document(
        allow({"AWS": "444455556666"}, "sms-voice:*"),
        {"Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "sms-voice:*", "Resource": ARN},
    )
    assert not grants_service(policy, CONSUMER, "sms-voice", ARN)


def test_a_single_statement_object_counts_as_a_statement_list() -> None:
    policy = {"Version": "2012-10-17", "Statement": allow({"AWS": "444455556666"})}
    assert is_allowed(policy, CONSUMER, "sms-voice:SendTextMessage", ARN)


def test_parse_accepts_a_policy_document() -> None:
    text = json.dumps(document(allow({"AWS": "444455556666"})))
    assert parse(text)["Statement"][0]["Effect"] == "Allow"


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Action": "sms-voice:*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow"}]}),
    ],
)
def test_parse_rejects_what_is_not_a_policy(text: str) -> None:
    with pytest.raises(PolicyError):
        parse(text)


def test_string_like_wildcards_follow_iam() -> None:
    assert like("o-abc/*/ou-1/*", "o-abc/r-1/ou-1/")
    assert like("a?c", "abc")
    assert not like("a?c", "ac")
    assert not like("a.c", "abc")  # a dot is a literal, not a regular expression
