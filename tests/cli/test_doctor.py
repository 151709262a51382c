"""`eum-share doctor`: the accounts a request names, checked read-only before the first migration."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from eum_share_cli.doctor import diagnose_offline, offline_operator, print_diagnosis
from eum_share_cli.main import main

from tests.cli.support import EumShare, Result, run_captured, seeded, write_request
from twin.offline import OfflineAWS
from twin.seed import Scenario, role_policies
from twin.world import CallRecord

# Operations that change nothing, by their names: reads, simulations, and the calls that only identify the caller.
READ_PREFIXES = ("Get", "List", "Describe", "Simulate")
IDENTITY_CALLS = ("AssumeRole", "GetCallerIdentity")


def mutating(call: CallRecord) -> bool:
    """A call that can change something in AWS: any operation that is not a read (Get*, List*, Describe*,
    Simulate*), AssumeRole or GetCallerIdentity, nor a SendTextMessage validated only (DryRun true)."""
    if call.operation.startswith(READ_PREFIXES) or call.operation in IDENTITY_CALLS:
        return False
    return not (call.operation == "SendTextMessage" and call.params.get("DryRun") is True)


def doctor_on(aws: OfflineAWS, scenario: Scenario) -> tuple[int, str]:
    """Doctor on the scenario's accounts as the offline operator: its exit code and its table."""
    operator = offline_operator(aws)
    lines: list[str] = []
    diagnosis = diagnose_offline(aws, scenario, operator)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.print", lambda *parts, **_: lines.append(" ".join(map(str, parts))))
        code = print_diagnosis(diagnosis)
    return code, "\n".join(lines)


def share_one_number(aws: OfflineAWS, scenario: Scenario) -> str:
    """The owner shares one phone number with its organization's consumer, and RAM finishes associating it."""
    number = scenario.phone_numbers[0]
    aws.client("ram", account=scenario.owner).create_resource_share(
        name="sms-production", resourceArns=[number], principals=[scenario.org_consumers[0]]
    )
    aws.world.settle()
    return number


@pytest.fixture(scope="module")
def offline_doctor() -> Result:
    # Given no AWS account
    # When doctor is run on the demo's accounts in the offline AWS
    return run_captured("doctor", "--offline")


def test_doctor_offline_checks_the_demos_accounts_and_finds_nothing_blocking(offline_doctor: Result) -> None:
    # Then it exits 0, saying nothing blocks and nothing changed
    assert offline_doctor.code == 0, offline_doctor.out + offline_doctor.err
    assert "nothing blocking; nothing was changed" in offline_doctor.out


@pytest.mark.parametrize(
    "check",
    [
        "owner 111111111111: role",
        "owner 111111111111: account tier",
        "RAM shares End User Messaging SMS in us-east-1",
        "sharing with AWS Organizations",
        "pending invitations",
        "managed permission for sms-voice:PhoneNumber",
        "managed permission for sms-voice:OptOutList",
        "share sms-production",
        "policy of phone-number/",
        "consumer 900000000001: role",
        "consumer 900000000001: account tier",
        "consumer 900000000001: DryRun send",
        "owner 111111111111: sms-voice quotas",
        "owner 111111111111: IAM actions of its role",
        "consumer 900000000001: IAM actions of its role",
    ],
)
def test_doctor_offline_prints_each_check_with_its_verdict(offline_doctor: Result, check: str) -> None:
    # Then the table has a row for the check, with a verdict at the end
    rows = [line for line in offline_doctor.out.splitlines() if line.startswith(check)]
    assert rows, f"no row for {check!r} in:\n{offline_doctor.out}"
    assert rows[0].rstrip().endswith(("ok", "info", "warning", "not readable", "BLOCKING"))


def test_a_consumer_in_the_sandbox_blocks_naming_the_account(aws: OfflineAWS) -> None:
    # Given the demo's accounts, one consumer of which is still in the sandbox tier
    scenario = seeded(aws)
    sandboxed = scenario.external_consumers[0]
    aws.sms.set_account_tier(sandboxed, aws.region, "SANDBOX")
    # When doctor checks them
    code, table = doctor_on(aws, scenario)
    # Then it exits non-zero naming the consumer's tier
    assert code == 1
    assert f"1 blocking: consumer {sandboxed}: account tier: SANDBOX" in table


def test_a_role_missing_an_action_blocks_naming_the_action(aws: OfflineAWS) -> None:
    # Given the demo's accounts, where one consumer's role lost sms-voice:SendTextMessage
    scenario = seeded(aws)
    consumer = scenario.org_consumers[0]
    ((name, document),) = role_policies(aws, "ConsumerRole", consumer).items()
    document["Statement"] = [s for s in document["Statement"] if s["Action"] != "sms-voice:SendTextMessage"]
    aws.client("iam", account=consumer).put_role_policy(
        RoleName="EumShareConsumerRole", PolicyName=name, PolicyDocument=json.dumps(document)
    )
    # When doctor checks them
    code, table = doctor_on(aws, scenario)
    # Then it exits non-zero naming the role's account and the missing action
    assert code == 1
    assert f"1 blocking: consumer {consumer}: IAM actions of its role: not allowed: sms-voice:SendTextMessage" in table


def test_doctor_changes_nothing(aws: OfflineAWS) -> None:
    # Given the demo's accounts, with one number already shared with a consumer (so doctor DryRun-sends with it)
    scenario = seeded(aws)
    share_one_number(aws, scenario)
    operator = offline_operator(aws)
    first = len(aws.world.calls)
    # When doctor checks them
    diagnosis = diagnose_offline(aws, scenario, operator)
    # Then it made calls, among them a DryRun send, and none of them could change anything
    calls = aws.world.calls[first:]
    assert any(c.operation == "SendTextMessage" for c in calls), [f.seen for f in diagnosis.findings]
    assert any(c.operation == "SimulatePrincipalPolicy" for c in calls)
    assert [f"{c.service}:{c.operation}" for c in calls if mutating(c)] == []


def test_a_dry_run_send_with_a_shared_number_is_seen_accepted(aws: OfflineAWS) -> None:
    # Given one number already shared with the organization's consumer
    scenario = seeded(aws)
    number = share_one_number(aws, scenario)
    # When doctor checks the accounts
    code, table = doctor_on(aws, scenario)
    # Then the consumer's DryRun send with it is accepted
    assert code == 0, table
    assert f"accepted with {number}" in table


def test_throttled_reads_are_waited_for_never_a_finding(aws: OfflineAWS) -> None:
    # Given the demo's accounts, and every service throttling every call for the next two minutes (longer than the
    # SDK's own retries last)
    scenario = seeded(aws)
    now = aws.clock.now()
    aws.world.faults.config = dataclasses.replace(aws.world.faults.config, throttle_bursts=((now, now + 120.0),))
    # When doctor checks the accounts
    code, table = doctor_on(aws, scenario)
    # Then it waited the throttling out: nothing is reported about it, and nothing blocks
    assert aws.world.faults.injected.get("throttle", 0) > 0
    assert "Throttl" not in table
    assert code == 0, table


def test_doctor_needs_a_request_or_offline(capsys: pytest.CaptureFixture[str]) -> None:
    # When doctor is run with neither --request nor --offline
    code = main(["doctor"])
    # Then it refuses, saying what it needs
    assert code == 2
    assert "doctor needs --request FILE (or --offline" in capsys.readouterr().err


def as_operator(aws: OfflineAWS, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's default credentials become a session of the offline operator's role (what `--profile` with
    a role the accounts' roles trust gives on AWS)."""
    credentials = offline_operator(aws).get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials.token)


def test_doctor_checks_a_request_against_the_deployed_stack(
    aws: OfflineAWS,
    scenario: Scenario,
    eum_share: EumShare,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the stack deployed, a request for the seeded accounts, and credentials the accounts' roles trust
    path = write_request(tmp_path, scenario.request(migrationId="doctor-1"))
    as_operator(aws, monkeypatch)
    # When doctor checks the request
    result = eum_share("doctor", "--request", str(path))
    # Then it assumes the stack's roles, checks, and finds nothing blocking
    assert result.code == 0, result.out + result.err
    assert f"consumer {scenario.external_consumers[0]}: role" in result.out
    assert "EumShareConsumerRole with ExternalId" in result.out
    assert "nothing blocking; nothing was changed" in result.out


def test_a_role_that_does_not_trust_the_caller_blocks_naming_it(
    scenario: Scenario, eum_share: EumShare, tmp_path: Path
) -> None:
    # Given the stack deployed and a request for the seeded accounts, run with credentials the roles do not trust
    path = write_request(tmp_path, scenario.request(migrationId="doctor-2"))
    # When doctor checks the request
    result = eum_share("doctor", "--request", str(path))
    # Then it exits non-zero, naming the owner role it could not assume
    assert result.code == 1
    assert f"owner {scenario.owner}: role: AccessDenied" in result.out


def test_rams_statements_on_a_shared_number_read_as_granting_its_principals(aws: OfflineAWS) -> None:
    # Given one number already shared with the organization's consumer
    scenario = seeded(aws)
    share_one_number(aws, scenario)
    # When doctor checks the accounts
    _, table = doctor_on(aws, scenario)
    # Then the orchestrator's reading of RAM's statements finds the consumer granted
    rows = [line for line in table.splitlines() if line.startswith("RAM's statements as the orchestrator reads them")]
    assert rows, table
    assert "grants all 1" in rows[0]
    assert rows[0].rstrip().endswith("ok")


def test_statements_the_orchestrator_would_not_read_as_a_grant_are_a_warning(aws: OfflineAWS) -> None:
    # Given one number shared, whose policy then grants the consumer in another form than RAM's (any principal
    # narrowed by aws:PrincipalAccount: a form the orchestrator does not read as a grant)
    scenario = seeded(aws)
    number = share_one_number(aws, scenario)
    consumer = scenario.org_consumers[0]
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "sms-voice:SendTextMessage",
        "Resource": number,
    }
    statement["Condition"] = {"StringEquals": {"aws:PrincipalAccount": consumer}}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    aws.client("pinpoint-sms-voice-v2", account=scenario.owner).put_resource_policy(
        ResourceArn=number, Policy=json.dumps(document)
    )
    # When doctor checks the accounts
    code, table = doctor_on(aws, scenario)
    # Then it warns that the orchestrator would read the policy as not granting the consumer
    assert f"resource policy does not grant {consumer} sms-voice:SendTextMessage" in table
    assert code == 0


def test_a_share_arn_ram_does_not_know_blocks_naming_it(aws: OfflineAWS) -> None:
    # Given a request naming a share by an ARN the owner has no share at
    scenario = seeded(aws)
    missing = f"arn:aws:ram:{scenario.region}:{scenario.owner}:resource-share/00000000-0000-4000-8000-000000000000"
    request = scenario.request(migrationId="doctor", share={"arn": missing, "allowExternalPrincipals": True})
    # When doctor checks it
    diagnosis = diagnose_offline(aws, scenario, offline_operator(aws), request)
    # Then the share is the one blocking finding
    assert [(f.check, f.seen) for f in diagnosis.blocking] == [(f"share {missing}", "none")]
