"""The owner's policy reads are the slowest lane of a throttled migration (GetResourcePolicy, 1 a second per account:
the quotas page's most restrictive rate, docs/aws-assumptions.md): they start while the consumers' configuration is
rebuilt, in the waits of its calls, instead of after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.faults import published_quotas


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given a migration whose two consumers get configuration sets rebuilt, End User Messaging's quotas enforced
    with migration_run(
        identities=20, faults={"rate_limits": published_quotas()}, name="mig-reads-during-configuration"
    ) as outcome:
        yield outcome


def _policy_reads(run: MigrationRun) -> list[tuple[int, str, str]]:
    owner = run.scenario.owner
    return [
        (position, c.caller or "", c.params["ResourceArn"])
        for position, c in enumerate(run.calls)
        if c.operation == "GetResourcePolicy" and c.account == owner and c.error is None
    ]


def test_the_migration_succeeds(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_the_first_policies_are_read_while_the_configuration_is_rebuilt(run: MigrationRun) -> None:
    # Given the batches in the order they joined the share
    batches = [
        set(c.params["resourceArns"])
        for c in run.calls
        if c.operation == "AssociateResourceShare" and c.error is None and c.params.get("resourceArns")
    ]
    # When the consumers' configuration is rebuilt
    during = [arn for _, caller, arn in _policy_reads(run) if "RecreateConfiguration" in caller]
    # Then the first batches' policies are read in the waits of its calls, the first batch's first
    assert during
    assert during[0] in batches[0]
    assert set(during) <= set().union(*batches[:3])


def test_a_policy_read_then_is_not_read_again(run: MigrationRun) -> None:
    # When the batches take their snapshots / Then each policy was read once, those read early included
    arns = [arn for _, _, arn in _policy_reads(run)]
    assert len(arns) == len(set(arns))


def test_every_policy_is_read_before_its_resource_joins_the_share(run: MigrationRun) -> None:
    # Given when each resource was first asked to join the share
    asked: dict[str, int] = {}
    for position, c in enumerate(run.calls):
        if c.operation == "AssociateResourceShare" and c.error is None:
            for arn in c.params.get("resourceArns", []):
                asked.setdefault(arn, position)
    # Then every policy was read before that
    reads = _policy_reads(run)
    assert reads
    assert all(position < asked[arn] for position, _, arn in reads)
