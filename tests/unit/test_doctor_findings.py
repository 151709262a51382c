"""How doctor judges what it reads: a refused read is "not readable", and what a resource policy looks like."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError
from eum_share.logic.doctor import Doctor, policy_shape
from eum_share.logic.validate_request import validate_request
from eum_share.models.doctor import Verdict

REQUEST = {
    "region": "us-east-1",
    "owner": {"accountId": "111111111111"},
    "share": {"name": "sms-production"},
    "principals": ["222222222222"],
}


class Refusing:
    """A client whose every paginated read is refused with AccessDeniedException."""

    def get_paginator(self, name: str) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, name)


def test_quotas_the_role_may_not_read_are_not_readable_not_a_failure() -> None:
    # Given a role that Service Quotas refuses
    request = validate_request(
        REQUEST, default_migration_id="doctor", role_names=frozenset({"A", "B"}), callback_origins=frozenset()
    )
    doctor = Doctor(request, "A", "B", boto3.Session(region_name="us-east-1"))
    # When doctor reads the owner's quotas
    doctor._quotas("owner 111111111111", (lambda service: Refusing(), None))
    # Then the finding says they are not readable, which does not block
    (finding,) = doctor.findings
    assert finding.verdict is Verdict.NOT_READABLE
    assert finding.seen == "AccessDeniedException: not allowed"


def test_an_empty_policy_reads_as_no_policy() -> None:
    # Given the answer AWS gives for a resource without a policy
    # Then it reads as no policy, as expected
    assert policy_shape("{}") == ("{} (no policy)", Verdict.OK)


def test_a_missing_policy_member_is_a_warning_about_the_assumption() -> None:
    # Given an answer without a Policy member at all
    # Then it is a warning: doctor expected "{}"
    assert policy_shape(None)[1] is Verdict.WARNING


def test_ram_statements_are_described_by_principal_form_and_condition_keys() -> None:
    # Given a policy with a statement for an account and one for an OU, as RAM writes them
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sms-voice:*"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sms-voice:*",
                "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/*"]}},
            },
        ],
    }
    # When its shape is read
    seen, verdict = policy_shape(json.dumps(document))
    # Then both forms are named
    assert seen == "2 statement(s): Allow to * if aws:PrincipalOrgPaths; Allow to account root ARN"
    assert verdict is Verdict.INFO


class Unknown:
    """RAM answering that it knows no share with that ARN."""

    def get_paginator(self, name: str) -> Any:
        raise ClientError({"Error": {"Code": "UnknownResourceException", "Message": "no such share"}}, name)


def test_a_share_ram_does_not_know_blocks_as_none_found() -> None:
    # Given a request naming a share by ARN, and RAM answering UnknownResourceException for it
    arn = "arn:aws:ram:us-east-1:111111111111:resource-share/00000000-0000-4000-8000-000000000000"
    request = validate_request(
        REQUEST | {"share": {"arn": arn}},
        default_migration_id="doctor",
        role_names=frozenset({"A", "B"}),
        callback_origins=frozenset(),
    )
    doctor = Doctor(request, "A", "B", boto3.Session(region_name="us-east-1"))
    # When doctor looks for the share
    doctor._share((lambda service: Unknown(), None))
    # Then it is not found, which blocks
    (finding,) = doctor.findings
    assert (finding.seen, finding.verdict) == ("none", Verdict.BLOCKING)
