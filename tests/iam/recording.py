"""Every AWS call each function makes, recorded while representative migrations run on the offline AWS.

In Lambda every function has its own process: its own clients, assumed-role sessions and cached secret. The
offline functions share one process, so each invocation here starts cold, or the first function to assume a
role or read the secret would hide that the others need to.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from eum_share_cli.deployment import CONSUMER_ROLE_NAME, OWNER_ROLE_NAME

from tests.support.migration import wait_for_status
from tests.support.untrusting import owner_role_untrusting
from twin.faults import FaultConfig
from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow
from twin.seed import OWNER, Scenario, seed
from twin.world import CallRecord

# API operations that need no permission.
NO_PERMISSION = {("sts", "GetCallerIdentity")}
S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket"}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def iam_actions(call: CallRecord) -> list[str]:
    """The IAM actions a call needs, as the Service Authorization Reference names them."""
    if (call.service, call.operation) in NO_PERMISSION:
        return []
    if (call.service, call.operation) == ("dynamodb", "TransactWriteItems"):
        # "Permissions for Put, Update, Delete, and Get actions are governed by the permissions used for the
        # underlying PutItem, UpdateItem, DeleteItem, and GetItem operations" (Using IAM with DynamoDB
        # transactions); a ConditionCheck needs dynamodb:ConditionCheckItem.
        kinds = {kind for item in call.params.get("TransactItems", []) for kind in item}
        return sorted(f"dynamodb:{TRANSACT_ACTIONS[kind]}" for kind in kinds)
    if call.service != "s3":
        return [f"{call.service}:{call.operation}"]
    actions = [f"s3:{S3_ACTIONS.get(call.operation, call.operation)}"]
    if call.operation == "HeadObject" and call.error is not None:
        # Without s3:ListBucket, S3 answers a missing object with 403, not 404: exists() could not tell.
        actions.append("s3:ListBucket")
    return actions


ROLE_KINDS = {OWNER_ROLE_NAME: "OWNER", CONSUMER_ROLE_NAME: "CONSUMER"}


def role_kind(role_arn: str | None) -> str | None:
    """OWNER or CONSUMER for a session of one of the stack's roles (by the stack's default names); else None."""
    return ROLE_KINDS.get((role_arn or "").rsplit("/", 1)[-1])


@dataclass
class Recorded:
    """Actions by logical function ID: with its own role, and through each cross-account role."""

    own: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    assumed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # by role kind: OWNER, CONSUMER
    # The role kinds each function assumed (sts:AssumeRole's resources).
    assumes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    reaches_other_accounts: set[str] = field(default_factory=set)

    def add(self, calls: list[CallRecord], functions: dict[str, str]) -> None:
        """Each call by the session that made it, whatever the account: a stack in the owner account still
        acts there through the owner role."""
        for call in calls:
            logical = functions.get(call.caller or "")
            actions = iam_actions(call)
            if logical is None or not actions:
                continue
            kind = role_kind(call.role)
            if kind is None:
                self.own[logical].update(actions)
            else:
                self.reaches_other_accounts.add(logical)
                self.assumed[kind].update(actions)
            if (call.service, call.operation) == ("sts", "AssumeRole") and call.error is None:
                self.assumes[logical].add(role_kind(call.params.get("RoleArn")) or str(call.params.get("RoleArn")))

    def add_doctor(self, calls: list[CallRecord]) -> None:
        """`eum-share doctor`'s calls through the roles: in the owner account, and in the consuming accounts."""
        for call in calls:
            kind = role_kind(call.role)
            if kind is not None:
                self.assumed[kind].update(iam_actions(call))


def cold_starts(aws: OfflineAWS) -> None:
    """Wrap every deployed handler so that each invocation begins with nothing cached."""

    def cold(handler: Any) -> Any:
        def run(event: dict[str, Any], context: Any) -> Any:
            from aws_lambda_powertools.utilities import parameters

            accounts = sys.modules["eum_share.dal.accounts"]
            clients = sys.modules["eum_share.dal.clients"]
            accounts._sessions = accounts._Sessions()  # type: ignore[attr-defined]
            accounts.own_account.cache_clear()  # type: ignore[attr-defined]
            clients.client.cache_clear()  # type: ignore[attr-defined]
            parameters.clear_caches()
            return handler(event, context)

        return run

    for name, function in aws.lambdas.functions.items():
        aws.lambdas.functions[name] = dataclasses.replace(function, handler=cold(function.handler))


def function_names(workflow: LocalStateMachine) -> dict[str, str]:
    """Physical name -> logical ID of every function of the stack."""
    assert workflow.stack is not None
    return {workflow.resource_name(logical): logical for logical in workflow.stack.of_type("AWS::Serverless::Function")}


def record_everything() -> Recorded:
    """Migrations that between them make every call the functions can make."""
    recorded = Recorded()
    _run(recorded, FaultConfig(seed=3), _migrations)
    _run(recorded, FaultConfig(seed=5, fail_rate=0.3, policy_write_capacity=4, empty_policy_rate=0.5), _repairs)
    _run(recorded, FaultConfig(seed=3), _rollbacks, identities=12)
    _run(recorded, FaultConfig(seed=3), _stopped_half_way_by_storms, identities=12)
    # The stack deployed in the owner account itself (docs/deploy.md): the same owner-side calls, through the
    # owner role there.
    _run(recorded, FaultConfig(seed=3), _in_the_owner_account, identities=12, owner=DEFAULT_ACCOUNT)
    _doctor(recorded)
    return recorded


def _doctor(recorded: Recorded) -> None:
    """`eum-share doctor` on seeded accounts, one number already shared (so it DryRun-sends with it)."""
    from eum_share_cli.doctor import diagnose_offline, offline_operator

    with OfflineAWS(FaultConfig(seed=3)) as aws:
        scenario = seed(aws, identities=12, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        aws.client("ram", account=scenario.owner).create_resource_share(
            name="sms-production", resourceArns=scenario.phone_numbers[:1], principals=scenario.org_consumers
        )
        aws.world.settle()
        operator = offline_operator(aws)
        first = len(aws.world.calls)
        diagnose_offline(aws, scenario, operator)
        recorded.add_doctor(aws.world.calls[first:])


def _run(recorded: Recorded, faults: FaultConfig, scenarios: Any, identities: int = 24, owner: str = OWNER) -> None:
    from tests.doors.conftest import CallbackReceiver

    with OfflineAWS(faults) as aws, CallbackReceiver() as receiver:
        scenario = seed(aws, identities=identities, consumers=2, external_consumers=1, owner=owner)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        parameters = {"LogLevel": "ERROR", "CallbackAllowedOrigins": receiver.origin}
        with local_migration_workflow(aws, parameters=parameters) as workflow:
            cold_starts(aws)
            first = len(aws.world.calls)
            scenarios(aws, workflow, scenario, receiver)
            aws.events.settle()
            recorded.add(aws.world.calls[first:], function_names(workflow))


def _in_the_owner_account(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: Any) -> None:
    provision = {"eventDestinations": {"mode": "PROVISION"}, "setAccountDefaultProtect": True}
    assert workflow.run(scenario.request(migrationId="HERE-1", configuration=provision), name="HERE-1").status == (
        "SUCCEEDED"
    )
    aws.events.settle()
    assert workflow.rollback.run({"migrationId": "HERE-1"}, name="HERE-1-rollback").status == "SUCCEEDED"
    aws.events.settle()


def _stopped_half_way_by_storms(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: Any
) -> None:
    """The states that go on from where a storm stopped them (logic/going_on.py) save their calls and read them back."""
    from tests.support.throttled import throttle_first_run

    throttle_first_run(aws, workflow, "AcceptInvitations", "ram:AcceptResourceShareInvitation")
    throttle_first_run(aws, workflow, "RecreateConfiguration", "sms-voice:SetDefaultMessageType")
    throttle_first_run(aws, workflow, "Report", "sms-voice:DescribeSpendLimits")
    throttle_first_run(aws, workflow.rollback, "RemoveConfiguration", "sms-voice:DeleteProtectConfiguration")
    provision = {"eventDestinations": {"mode": "PROVISION"}}
    assert workflow.run(scenario.request(migrationId="STORM-1", configuration=provision), name="STORM-1").status == (
        "SUCCEEDED"
    )
    aws.events.settle()
    assert workflow.rollback.run({"migrationId": "STORM-1"}, name="STORM-1-rollback").status == "SUCCEEDED"
    aws.events.settle()


def _repairs(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: Any) -> None:
    execution = workflow.run(scenario.request(), name="repairs")
    assert execution.status == "SUCCEEDED", execution.cause


def _migrations(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: Any) -> None:
    from tests.doors.conftest import unix_now
    from tests.support.http import approval_secret, deliver, http_event, signed, webhook_secret

    secret = webhook_secret(aws, workflow)

    def http(route: str, **options: Any) -> Any:
        return deliver(aws, workflow, signed(http_event(route, **options), secret, unix_now(aws)))

    provision = {"eventDestinations": {"mode": "PROVISION"}, "setAccountDefaultProtect": True}
    request = scenario.request(configuration=provision, callbackUrl=f"{receiver.origin}/hook")
    started = http("POST /migrations", body={"ticketId": "IAM-1", "request": request})
    assert started.status == 202, started.body
    assert http("POST /migrations", body={"ticketId": "IAM-1", "request": request}).status == 200
    assert workflow.wait(started.body["executionArn"]).status == "SUCCEEDED"
    # One function at a time: they share this process, and a secret one reads would be cached for another.
    aws.events.settle()
    assert http("GET /migrations/{id}", migration_id="IAM-1").status == 200
    # Again into the same consumers: what PROVISION made is found and checked, not made twice.
    again = scenario.request(migrationId="IAM-9", configuration=provision)
    assert workflow.run(again, name="IAM-9").status == "SUCCEEDED"
    aws.events.settle()
    gated = {"requireApproval": True, "approvalTimeoutSeconds": 3600}
    approvals = approval_secret(aws, workflow)
    # One decision by an IAM principal (the committed sample carries API Gateway's authorizer), one signed with
    # the approvals key.
    for name, route, decision in (("IAM-2", "approve", "APPROVED"), ("IAM-3", "reject-signed", "REJECTED")):
        arn = workflow.start(scenario.request(migrationId=name, options=gated), name=name)
        wait_for_status(aws, workflow, name, "AWAITING_APPROVAL")
        body = {"migrationId": name, "decision": decision, "approver": "iam@example.com"}
        event = http_event(f"POST /migrations/{{id}}/{route}", migration_id=name, body=body)
        if route.endswith("-signed"):
            event = signed(event, approvals, unix_now(aws))
        assert deliver(aws, workflow, event).status == 200
        workflow.wait(arn)
        aws.events.settle()
    strategy = scenario.request(migrationId="IAM-4", options={"strategy": "RESOURCE_POLICY"})
    assert workflow.run(strategy, name="IAM-4").status == "SUCCEEDED"
    # A share that does not exist: LockShare refuses it before taking any lock or changing anything.
    missing = f"arn:aws:ram:{scenario.region}:{scenario.owner}:resource-share/00000000-0000-4000-8000-000000000000"
    unknown_share = scenario.request(migrationId="IAM-10", share={"arn": missing, "allowExternalPrincipals": True})
    assert workflow.run(unknown_share, name="IAM-10").error == "ShareNotUsable"
    # A new share with a permission RAM does not know: the migration fails after taking its share lock, which
    # RecordFailure releases.
    unknown_permission = {"name": "sms-unknown-permission", "allowExternalPrincipals": True}
    unknown_permission["permissionArns"] = ["arn:aws:ram::aws:permission/AWSRAMNoSuchPermission"]
    refused = scenario.request(migrationId="IAM-11", share=unknown_permission)
    assert workflow.run(refused, name="IAM-11").error == "ShareNotUsable"

    def put_event(detail_type: str, detail: dict[str, Any]) -> None:
        with aws.observing():
            entry = {"EventBusName": workflow.resource_name("EventBus"), "Source": "eum-share.requests"}
            entry |= {"DetailType": detail_type, "Detail": json.dumps(detail)}
            aws.client("events").put_events(Entries=[entry])
        aws.events.settle()

    put_event("SMS Migration Requested", scenario.request(migrationId="IAM-5", principals=["nope"]))
    put_event("SMS Migration Requested", scenario.request(migrationId="IAM-6", options={"dryRun": True}))
    arn = workflow.start(scenario.request(migrationId="IAM-7", options=gated), name="IAM-7")
    wait_for_status(aws, workflow, "IAM-7", "AWAITING_APPROVAL")
    put_event("SMS Migration Approval Decided", {"migrationId": "IAM-7", "decision": "REJECTED", "approver": "iam"})
    workflow.wait(arn)
    aws.events.settle()
    arn = workflow.start(scenario.request(migrationId="IAM-8", options=gated), name="IAM-8")
    wait_for_status(aws, workflow, "IAM-8", "AWAITING_APPROVAL")
    put_event("SMS Migration Approval Decided", {"migrationId": "IAM-8", "decision": "APPROVED", "approver": "iam"})
    workflow.wait(arn)
    aws.events.settle()
    # A decision for a gate that has closed is refused (the door reads the ledger to say why).
    put_event("SMS Migration Approval Decided", {"migrationId": "IAM-7", "decision": "APPROVED", "approver": "iam"})


def _rollbacks(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: Any) -> None:
    """Rollbacks and restores that between them make every call the rollback's functions can make: what the
    migrations added found and removed (a whole share and configuration; principals added to a share that was
    there; a topic's statement added to what the consumer had), a refusal, a failure."""

    _consumer_had(aws, scenario)
    aws.client("ram", account=scenario.owner).create_resource_share(
        name="sms-existing", principals=["999999999999"], resourceArns=scenario.phone_numbers[:2]
    )
    aws.world.settle()
    provision = {"eventDestinations": {"mode": "PROVISION"}, "setAccountDefaultProtect": True}
    runs = {
        "RB-1": scenario.request(migrationId="RB-1", configuration=provision),
        "RB-2": scenario.request(
            migrationId="RB-2",
            share={"name": "sms-existing", "allowExternalPrincipals": True},
            configuration={"configurationSets": "NONE"},
        ),
        "RB-3": scenario.request(
            migrationId="RB-3", options={"strategy": "RESOURCE_POLICY"}, configuration={"configurationSets": "NONE"}
        ),
    }
    for name, request in runs.items():
        assert workflow.run(request, name=name).status == "SUCCEEDED", name
        aws.events.settle()
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
    with aws.world.faults.paused():
        sms.delete_resource_policy(ResourceArn=scenario.phone_numbers[3])
    assert workflow.rollback.run({"migrationId": "RB-3", "mode": "RESTORE"}, name="RB-3-restore").status == "SUCCEEDED"
    named = {"migrationId": "RB-3", "mode": "RESTORE", "identities": scenario.phone_numbers[3:4]}
    assert workflow.rollback.run(named, name="RB-3-restore-named").status == "SUCCEEDED"
    for name in runs:
        assert workflow.rollback.run({"migrationId": name}, name=f"{name}-rollback").status == "SUCCEEDED", name
        aws.events.settle()
    # A migration still running is refused; a rollback the owner role stops trusting is recorded as failed.
    gated = {"requireApproval": True, "approvalTimeoutSeconds": 3600}
    arn = workflow.start(scenario.request(migrationId="RB-4", options=gated), name="RB-4")
    wait_for_status(aws, workflow, "RB-4", "AWAITING_APPROVAL")
    assert workflow.rollback.run({"migrationId": "RB-4"}, name="RB-4-rollback").error == "MigrationStillRunning"
    workflow.sfn.stop_execution(executionArn=arn)
    assert (
        workflow.run(
            scenario.request(migrationId="RB-5", configuration={"configurationSets": "NONE"}), name="RB-5"
        ).status
        == "SUCCEEDED"
    )
    with owner_role_untrusting(aws, scenario.owner):
        assert workflow.rollback.run({"migrationId": "RB-5"}, name="RB-5-rollback").status == "FAILED"
    aws.events.settle()
    # The EventBridge door starts rollbacks too.
    with aws.observing():
        entry = {"EventBusName": workflow.resource_name("EventBus"), "Source": "eum-share.requests"}
        entry |= {"DetailType": "SMS Migration Rollback Requested", "Detail": json.dumps({"migrationId": "RB-5"})}
        aws.client("events").put_events(Entries=[entry])
    aws.events.settle()


def _consumer_had(aws: OfflineAWS, scenario: Scenario) -> None:
    """The first consumer already has the topic a provisioned destination would use, without End User Messaging's
    permission on it, and a set of the owner's name without destinations."""
    consumer = scenario.consumers[0]
    with aws.world.faults.paused():
        aws.client("sns", account=consumer).create_topic(Name="eum-share-otp-1-otp-1-sns")
        aws.client("pinpoint-sms-voice-v2", account=consumer).create_configuration_set(ConfigurationSetName="otp-0")
