"""What AWS documents in words about a request is refused as AWS refuses it (twin/constraints.py).

botocore checks a request's structure; the sentences of the documentation ("can't be used at the same time",
"Valid values are ...", "you must use an ARN") it does not. Every operation the project calls has an entry in the
table, and each kind of rule is enforced on the offline AWS, by default.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape

from tests.support.called_operations import called_operations, session
from twin.constraints import CONSTRAINTS
from twin.offline import OfflineAWS

OWNER = "111122223333"


def _text(documentation: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", documentation or ""))).strip()


def _documentation(operation: OperationModel) -> str:
    """The operation's documentation and every input member's, nested ones included, as plain text."""
    texts = [_text(operation.documentation)]
    seen: set[str] = set()

    def walk(shape: Shape | None) -> None:
        if shape is None or shape.name in seen:
            return
        seen.add(shape.name)
        for member in getattr(shape, "members", {}).values():
            texts.append(_text(member.documentation))
            walk(member)
        walk(getattr(shape, "member", None))
        walk(getattr(shape, "value", None))

    walk(operation.input_shape)
    return " ".join(texts)


def test_every_operation_the_orchestrator_calls_has_an_entry_in_the_table() -> None:
    # Given every operation the functions and the CLI call, as their code names them
    called = called_operations()
    assert ("pinpoint-sms-voice-v2", "DescribePhoneNumbers") in called
    assert ("ram", "GetResourceShares") in called

    # When each is looked up in the table of documented constraints
    missing = sorted(called - CONSTRAINTS.keys())

    # Then none is missing: each has its rules, or says that its documentation states none
    assert missing == []


def test_every_rule_quotes_its_operations_documentation() -> None:
    # Given every rule of the table
    for (service, operation), rules in CONSTRAINTS.items():
        documentation = _documentation(session().get_service_model(service).operation_model(operation))
        for rule in rules:
            # Then its quote is words of that operation's documentation in botocore's model
            assert rule.quote in documentation, (service, operation, rule.quote)


# -- each kind of rule, enforced ------------------------------------------------------------------------------
def test_members_that_cannot_be_used_together_are_refused(aws: OfflineAWS) -> None:
    # "logGroupNamePrefix and logGroupNamePattern are mutually exclusive." (DescribeLogGroups)
    logs = aws.client("logs", account=OWNER)
    with pytest.raises(ClientError) as refused:
        logs.describe_log_groups(logGroupNamePrefix="/eum-share", logGroupNamePattern="sms")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "logGroupNamePrefix and logGroupNamePattern" in refused.value.response["Error"]["Message"]


def test_an_event_destination_without_a_destination_is_refused_as_a_missing_parameter(aws: OfflineAWS) -> None:
    # "You must provide a value for a single event destination using either CloudWatchLogsDestination,
    # KinesisFirehoseDestination or SnsDestination." (CreateEventDestination)
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    sms.create_configuration_set(ConfigurationSetName="alerts")
    with pytest.raises(ClientError) as refused:
        sms.create_event_destination(
            ConfigurationSetName="alerts", EventDestinationName="nowhere", MatchingEventTypes=["ALL"]
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Reason"] == "MISSING_PARAMETER"


def test_a_value_outside_the_valid_values_stated_in_words_is_refused(aws: OfflineAWS) -> None:
    # "Valid values are SMS, VOICE, or MMS." (GetProtectConfigurationCountryRuleSet's NumberCapability; the
    # model's enum also lists RCS)
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    with pytest.raises(ClientError) as refused:
        sms.get_protect_configuration_country_rule_set(ProtectConfigurationId=protect, NumberCapability="RCS")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Reason"] == "INVALID_PARAMETER"
    assert [f["Name"] for f in refused.value.response["Fields"]] == ["NumberCapability"]


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        # "Log group names can't start with the string aws/" (CreateLogGroup)
        ("logs", lambda c: c.create_log_group(logGroupName="aws/sms-voice"), "InvalidParameterException"),
        # "You cannot use a value that begins with the text aws:." (AssumeRole's SourceIdentity)
        (
            "sts",
            lambda c: c.assume_role(
                RoleArn=f"arn:aws:iam::{OWNER}:role/OfflineAdmin", RoleSessionName="doc", SourceIdentity="aws:me"
            ),
            "ValidationError",
        ),
        # "Each operation must include the service identifier, such as iam:CreateUser." (SimulatePrincipalPolicy's
        # ActionNames, a list: each item)
        (
            "iam",
            lambda c: c.simulate_principal_policy(
                PolicySourceArn=f"arn:aws:iam::{OWNER}:role/OfflineAdmin",
                ActionNames=["sms-voice:DescribePhoneNumbers", "DescribePools"],
            ),
            "InvalidInput",
        ),
    ],
)
def test_a_name_against_a_naming_rule_stated_in_words_is_refused(
    aws: OfflineAWS, service: str, call: Callable[[Any], Any], code: str
) -> None:
    with pytest.raises(ClientError) as refused:
        call(aws.client(service, account=OWNER))
    assert refused.value.response["Error"]["Code"] == code


def test_a_secret_named_by_a_partial_arn_is_refused(aws: OfflineAWS) -> None:
    # "To retrieve a secret from another account, you must use an ARN." (GetSecretValue's SecretId); a value given
    # as an ARN is a whole one
    secrets = aws.client("secretsmanager", account=OWNER)
    secrets.create_secret(Name="signing", SecretString="s3cret")
    with pytest.raises(ClientError) as refused:
        secrets.get_secret_value(SecretId="arn:aws:secretsmanager:us-east-1:secret:signing")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_shared_phone_number_is_found_by_its_full_arn_only(aws: OfflineAWS) -> None:
    # "If you are using a shared End User Messaging SMS resource then you must use the full Amazon Resource
    # Name(ARN)." (DescribePhoneNumbers' PhoneNumberIds)
    consumer = "444455556666"
    number = aws.sms.add_phone_number(OWNER, aws.region)
    aws.sms.write_ram_statements(number, "RamShare1", [consumer], ["sms-voice:DescribePhoneNumbers"])
    sms = aws.client("pinpoint-sms-voice-v2", account=consumer)
    assert [p["PhoneNumberArn"] for p in sms.describe_phone_numbers(PhoneNumberIds=[number])["PhoneNumbers"]] == [
        number
    ]
    with pytest.raises(ClientError) as refused:
        sms.describe_phone_numbers(PhoneNumberIds=[number.rsplit("/", 1)[-1]])
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_member_that_requires_another_is_refused_without_it(aws: OfflineAWS) -> None:
    # "If you provide a PENDING_REDRIVE statusFilter, you must specify mapRunArn." (ListExecutions)
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="m",
        definition=json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
        roleArn=f"arn:aws:iam::{OWNER}:role/r",
    )["stateMachineArn"]
    with pytest.raises(ClientError) as refused:
        sfn.list_executions(stateMachineArn=machine, statusFilter="PENDING_REDRIVE")
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_a_member_excluded_by_another_members_value_is_refused(aws: OfflineAWS) -> None:
    # "You cannot specify this parameter if the association type is PRINCIPAL." (GetResourceShareAssociations'
    # resourceArn)
    ram = aws.client("ram", account=OWNER)
    number = aws.sms.add_phone_number(OWNER, aws.region)
    with pytest.raises(ClientError) as refused:
        ram.get_resource_share_associations(associationType="PRINCIPAL", resourceArn=number)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "resourceArn" in refused.value.response["Error"]["Message"]


def test_the_offline_aws_is_strict_unless_told_otherwise() -> None:
    # Given / When an offline AWS made with no options (the tests', the demo's and the benchmark's)
    # Then it refuses what the documentation refuses
    assert OfflineAWS().world.documented_rules
