"""sts:AssumeRole, from the IAM and STS documentation: a role is assumed only if it exists and its trust policy
allows the caller for sts:AssumeRole; the conditions of the trust policy (sts:ExternalId, aws:PrincipalArn) must
hold for the request. Otherwise STS answers AccessDenied ("User: ... is not authorized to perform:
sts:AssumeRole on resource: ...")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.seed import external_id, orchestrator_roles, role_trust, seed

TARGET = "444455556666"
ROLE = f"arn:aws:iam::{TARGET}:role/Consumer"


def _trust(*, principal: str = f"arn:aws:iam::{DEFAULT_ACCOUNT}:root", condition: Any = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _make_role(aws: OfflineAWS, trust: str) -> None:
    aws.client("iam", account=TARGET).create_role(RoleName="Consumer", AssumeRolePolicyDocument=trust)


def _assume(aws: OfflineAWS, **extra: Any) -> dict[str, Any]:
    sts = aws.client("sts")
    return dict(sts.assume_role(RoleArn=ROLE, RoleSessionName="eum-share", **extra))


def _denied(aws: OfflineAWS, **extra: Any) -> str:
    with pytest.raises(ClientError) as error:
        _assume(aws, **extra)
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    return str(error.value.response["Error"]["Message"])


def test_a_role_that_does_not_exist_cannot_be_assumed(aws: OfflineAWS) -> None:
    # Given no role named Consumer in the target account
    # When the orchestrator's account asks for it
    message = _denied(aws)

    # Then STS says it is not authorized on that role, and the refusal is counted
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {ROLE}")
    assert aws.world.faults.injected["assume-role-refused"] == 1


def test_a_role_trusting_the_caller_gives_credentials_that_act_in_its_account(aws: OfflineAWS) -> None:
    # Given a role that trusts the orchestrator's account
    _make_role(aws, _trust())

    # When the orchestrator assumes it
    credentials = _assume(aws)["Credentials"]

    # Then calls made with the credentials land in the role's account
    sts = aws.session().client(
        "sts",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert sts.get_caller_identity()["Account"] == TARGET


def test_a_session_expires_an_hour_after_it_was_assumed_on_the_offline_clock(aws: OfflineAWS) -> None:
    # AssumeRole's DurationSeconds: "The value specified can range from 900 seconds (15 minutes) up to the maximum
    # session duration set for the role", 3600 s when not given.
    # Given a role that trusts the orchestrator's account, and simulated time that has passed
    _make_role(aws, _trust())
    aws.clock.advance(5000.0)

    # When the orchestrator assumes it, with and without a duration
    default = _assume(aws)["Credentials"]["Expiration"]
    short = _assume(aws, DurationSeconds=900)["Credentials"]["Expiration"]

    # Then each session expires that long after now, as the functions' clock reads it
    now = aws.clock.datetime()
    assert (default - now).total_seconds() == 3600
    assert (short - now).total_seconds() == 900


def test_a_role_trusting_another_account_cannot_be_assumed(aws: OfflineAWS) -> None:
    _make_role(aws, _trust(principal="arn:aws:iam::999999999999:root"))
    _denied(aws)


def test_the_external_id_must_be_the_one_the_trust_policy_names(aws: OfflineAWS) -> None:
    # Given a role that trusts the orchestrator only with ExternalId "right"
    _make_role(aws, _trust(condition={"StringEquals": {"sts:ExternalId": "right"}}))

    # Then a wrong or missing ExternalId is refused, the right one is not
    _denied(aws, ExternalId="wrong")
    _denied(aws)
    assert _assume(aws, ExternalId="right")["Credentials"]["AccessKeyId"]


def test_a_principal_arn_condition_admits_only_the_matching_function_roles(aws: OfflineAWS) -> None:
    # Given a role that trusts only the orchestrator's roles by their exact ARNs, and two functions with other roles
    _make_role(aws, _trust(condition={"ArnLike": {"aws:PrincipalArn": orchestrator_roles(aws).split(",")}}))

    def assume(event: dict[str, Any], context: Any) -> str:
        try:
            aws.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="fn")
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "assumed"

    ours = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/eum-share-local-PreflightFunctionRole"
    theirs = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/other-app-Role"
    aws.register_lambda("ours", assume, role_arn=ours)
    aws.register_lambda("theirs", assume, role_arn=theirs)
    lambdas = aws.client("lambda")

    # When each function assumes the role, and the test itself does without any function role
    answers = {name: json.loads(lambdas.invoke(FunctionName=name)["Payload"].read()) for name in ("ours", "theirs")}

    # Then only the function whose role matches gets in
    assert answers == {"ours": "assumed", "theirs": "AccessDenied"}
    _denied(aws)


def test_the_offline_administrator_reaches_any_account_without_a_role(aws: OfflineAWS) -> None:
    # Given an account where no role was ever created
    # When the offline AWS's own session acts in it
    identity = aws.client("sts", account="777788889999").get_caller_identity()

    # Then it lands there, as an administrator's credentials would
    assert identity["Account"] == "777788889999"


def test_seeded_consumers_have_the_role_the_cross_account_template_deploys(aws: OfflineAWS) -> None:
    # Given a seeded owner and consumers
    scenario = seed(aws, identities=4, consumers=2, external_consumers=1)

    # Then each consumer has the template's consumer role, trusting the orchestrator with its own ExternalId
    for account in scenario.consumers:
        name, trust = role_trust(aws, "ConsumerRole", account)
        role = aws.client("iam", account=account).get_role(RoleName=name)["Role"]
        assert role["AssumeRolePolicyDocument"] == trust
        [statement] = trust["Statement"]
        assert statement["Condition"]["StringEquals"] == {"sts:ExternalId": external_id(account)}
    # And the owner has the owner role
    name, _ = role_trust(aws, "OwnerRole", scenario.owner)
    assert aws.client("iam", account=scenario.owner).get_role(RoleName=name)["Role"]["RoleName"] == name
