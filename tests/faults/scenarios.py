"""The fault matrix: every scenario, alone and mixed.

Each fault the brief of the matrix names has its own row; the storms mix them. The crash rows are made from the
state machine itself: one per Lambda Task state (a crash after the handler's side effects, before it answers),
each followed by a re-run of the same request, so a state added to the ASL gets its row without anyone writing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.faults.matrix import Scenario, World
from twin.runner import lambda_tasks
from twin.seed import Scenario as Seeded
from twin.seed import role_trust

ASL = Path(__file__).resolve().parents[2] / "statemachine" / "migration.asl.json"
# Lambda Task states no crash row covers, and why.
NOT_CRASHED = {
    "AwaitApproval": "only with requireApproval; the gate's own tests cover a decision that never arrives",
    "RecordFailure": "reached only after another failure: the crash-in-failure row crashes it after one",
}
# A crash of a state inside the AssociateBatches Map fails its child execution, which fails the Map.
IN_MAP = {"AdvanceBatches"}

THROTTLE_STORM = {"throttle_rate": 0.3}
BURSTS = ((20.0, 45.0), (110.0, 140.0))
EMPTYING = {"policy_write_capacity": 2, "empty_policy_rate": 0.1}
STORM = THROTTLE_STORM | EMPTYING | {"fail_rate": 0.05, "visibility_lag_seconds": 10.0, "max_page_size": 1}


def lambda_states() -> list[str]:
    return list(lambda_tasks(json.loads(ASL.read_text())))


def _crash(state: str, invocation: int = 1) -> Any:
    def arrange(world: World) -> None:
        world.aws.lambdas.crash_after(world.function(state), invocation=invocation)

    return arrange


def _crash_twice(world: World) -> None:
    _crash("AdvanceBatches")(world)
    _crash("RecordFailure")(world)


def _crash_rows() -> list[Scenario]:
    rows = []
    for state in lambda_states():
        if state in NOT_CRASHED:
            continue
        error = "MigrationStepFailed" if state in IN_MAP else "Lambda.Unknown"
        rows.append(
            Scenario(
                f"crash-after-{state}",
                f"{state} dies after its side effects, before answering; the same request is run again",
                expect=(error, "SUCCEEDED"),
                arrange=_crash(state),
                rerun=True,
                kinds=("lambda-crash",),
            )
        )
    return rows


def _in_no_pool(seeded: Seeded) -> list[str]:
    pooled = {member for members in seeded.pool_members.values() for member in members}
    return [arn for arn in seeded.phone_numbers if arn not in pooled]


def _release_mid_run(world: World) -> None:
    """When the first batch of numbers is handed to RAM, the owner releases one of them (in flight) and one
    number of a later batch (not yet snapshotted)."""
    free = _in_no_pool(world.seeded)
    in_flight, later = free[2], free[-1]

    def release() -> None:
        for arn in (in_flight, later):
            world.aws.sms.release(arn)
            world.aws.world.faults.count("identity-released")

    world.aws.world.after_call(
        "ram", "AssociateResourceShare", release, when=lambda params: in_flight in params.get("resourceArns", [])
    )


def _sender_id_and_pool_removed_mid_run(world: World) -> None:
    """When RAM is first handed identities, the owner releases a sender ID in no pool and deletes a pool (its
    members stay, outside any pool)."""
    pooled = {member for members in world.seeded.pool_members.values() for member in members}
    sender = next(arn for arn in world.seeded.sender_ids if arn not in pooled)
    pool = world.seeded.pools[0]

    def remove() -> None:
        for arn in (sender, pool):
            world.aws.sms.release(arn)
            world.aws.world.faults.count("identity-released")

    def with_resources(params: dict[str, Any]) -> bool:
        return bool(params.get("resourceArns"))

    world.aws.world.after_call("ram", "AssociateResourceShare", remove, when=with_resources)


def _without_consumer_role(world: World) -> None:
    account = world.seeded.external_consumers[0]
    name, _ = role_trust(world.aws, "ConsumerRole", account)
    iam = world.aws.client("iam", account=account)
    # IAM deletes a role only once its inline policies are gone ("must delete policies first").
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)


def _wrong_external_id(seeded: Seeded) -> dict[str, Any]:
    consumers = seeded.consumer_entries()
    consumers[0] = consumers[0] | {"externalId": "not-the-one-the-role-expects"}
    return {"consumers": consumers}


def _rejecting(seeded_external: str = "900000000001") -> dict[str, Any]:
    return {"rejecting_accounts": (seeded_external,)}


def _second_migration(world: World) -> list[str]:
    return ["mig-concurrent-twin"]


SCENARIOS: list[Scenario] = [
    Scenario("no-fault", "no fault at all: the control row"),
    Scenario(
        "throttle-30",
        "30% of the calls to every service the orchestrator calls throttled",
        faults=THROTTLE_STORM,
        kinds=("throttle",),
    ),
    Scenario(
        "throttle-bursts",
        "two bursts in which every call to every service is throttled",
        bursts=BURSTS,
        kinds=("throttle",),
    ),
    Scenario(
        "failed-associations",
        "5% of RAM associations end FAILED (40 identities, so that some do)",
        faults={"fail_rate": 0.05},
        identities=40,
        kinds=("association-failed",),
    ),
    Scenario(
        "emptied-policies",
        "RAM writes two policies at a time; 10% of the writes it throttles empty the resource's policy (40 identities)",
        faults=EMPTYING,
        identities=40,
        kinds=("empty-policy",),
        # With the matrix's seed none of its 29 throttled writes draws the 10%.
        seed=1,
    ),
    Scenario(
        "visibility-lag",
        "a grant is seen by the consumers 30 s after it is written",
        faults={"visibility_lag_seconds": 30},
        kinds=("visibility-lag",),
    ),
    Scenario(
        "page-size-1",
        "every paginated answer holds one item",
        faults={"max_page_size": 1},
        kinds=("short-page",),
    ),
    Scenario(
        "consumer-role-missing",
        "an external consumer has no eum-share role",
        expect=("PreflightFailed",),
        setup=_without_consumer_role,
        kinds=("assume-role-refused",),
    ),
    Scenario(
        "external-id-wrong",
        "the request gives a consumer an ExternalId its role does not expect",
        expect=("PreflightFailed",),
        request=_wrong_external_id,
        kinds=("assume-role-refused",),
    ),
    Scenario(
        "identity-released",
        "the owner releases two numbers mid-run: one being associated, one not yet reached",
        arrange=_release_mid_run,
        kinds=("identity-released",),
    ),
    Scenario(
        "sender-id-and-pool-removed",
        "the owner releases a sender ID and deletes a pool mid-run, once RAM has been handed the first batch",
        arrange=_sender_id_and_pool_removed_mid_run,
        kinds=("identity-released",),
    ),
    Scenario(
        "invitation-rejected",
        "the external consumer rejects the share's invitation",
        expect=("ShareNotUsable",),
        faults=_rejecting(),
        kinds=("invitation-rejected",),
    ),
    Scenario(
        "invitation-expired",
        "the share's invitation expires before the external consumer accepts it",
        expect=("ShareNotUsable",),
        faults={"invitation_expiry_seconds": 1.0},
        kinds=("invitation-expired",),
    ),
    Scenario(
        "concurrent",
        "a second migration of the same share starts while the first holds it: refused by the lock, then run again",
        expect=("ShareLocked", "SUCCEEDED", "SUCCEEDED"),
        concurrent=_second_migration,
        kinds=("concurrent-migration",),
    ),
    *_crash_rows(),
    Scenario(
        "crash-after-AdvanceBatches-mid-batch",
        "AdvanceBatches dies on its third invocation, a batch in flight; run again",
        expect=("MigrationStepFailed", "SUCCEEDED"),
        arrange=_crash("AdvanceBatches", invocation=3),
        rerun=True,
        identities=40,
        kinds=("lambda-crash",),
    ),
    Scenario(
        "crash-in-failure",
        "AdvanceBatches dies, then RecordFailure dies too; run again",
        expect=("FailureNotRecorded", "SUCCEEDED"),
        arrange=_crash_twice,
        rerun=True,
        kinds=("lambda-crash",),
    ),
    Scenario(
        "storm",
        "throttling (30% and bursts), FAILED associations, emptied policies, visibility lag and pages of one, at once "
        "(40 identities)",
        faults=STORM,
        bursts=BURSTS,
        identities=40,
        kinds=("throttle", "association-failed", "empty-policy", "visibility-lag", "short-page"),
    ),
    Scenario(
        "throttle-50",
        "half of the calls to every service the orchestrator calls (Lambda, DynamoDB, S3, EventBridge, STS, RAM, "
        "End User Messaging...) throttled, with FAILED associations and emptied policies (40 identities)",
        faults={"throttle_rate": 0.5} | EMPTYING | {"fail_rate": 0.05},
        identities=40,
        kinds=("throttle", "association-failed", "empty-policy"),
    ),
    Scenario(
        "throttle-80",
        "80% of the calls to every service the orchestrator calls (Lambda, DynamoDB, S3, EventBridge, STS, RAM, "
        "End User Messaging...) throttled, with FAILED associations and emptied policies (40 identities)",
        faults={"throttle_rate": 0.8} | EMPTYING | {"fail_rate": 0.05},
        identities=40,
        kinds=("throttle", "association-failed", "empty-policy"),
    ),
    Scenario(
        "throttle-95",
        "95% of the calls to every service the orchestrator calls throttled, with FAILED associations and emptied "
        "policies (40 identities)",
        faults={"throttle_rate": 0.95} | EMPTYING | {"fail_rate": 0.05},
        identities=40,
        kinds=("throttle", "association-failed", "empty-policy"),
    ),
    Scenario(
        "burst-15min",
        "a quarter of an hour, in the middle of the batches, in which every call to every service is throttled, "
        "with FAILED associations and emptied policies (40 identities)",
        faults=EMPTYING | {"fail_rate": 0.05},
        bursts=((60.0, 960.0),),
        identities=40,
        kinds=("throttle",),
    ),
    Scenario(
        "storm-crash-rerun",
        "the storm, AdvanceBatches dying mid-batch, and a re-run",
        expect=("MigrationStepFailed", "SUCCEEDED"),
        faults=STORM,
        bursts=BURSTS,
        arrange=_crash("AdvanceBatches", invocation=3),
        rerun=True,
        kinds=("throttle", "short-page", "lambda-crash"),
    ),
    Scenario(
        "storm-released",
        "the storm while the owner releases two numbers",
        faults=STORM,
        bursts=BURSTS,
        arrange=_release_mid_run,
        kinds=("throttle", "short-page", "identity-released"),
    ),
    Scenario(
        "storm-concurrent",
        "the storm while a second migration of the same share starts",
        expect=("ShareLocked", "SUCCEEDED", "SUCCEEDED"),
        faults=STORM,
        concurrent=_second_migration,
        kinds=("throttle", "short-page", "concurrent-migration"),
    ),
]
