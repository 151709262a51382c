"""Rolling back a migration that crashed after its first batch: exactly what it had done is undone, nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import mutating_calls
from tests.support.rollback import RolledBack, migrated_and_rolled_back


@pytest.fixture(scope="module")
def after_first_batch() -> Iterator[RolledBack]:
    """The function dies right after RAM accepted the first batch, before the ledger heard of it."""
    with migrated_and_rolled_back(name="mig-crash-batch", identities=24, crash=("ram", "associate")) as outcome:
        yield outcome


def test_a_crash_after_the_first_batch_fails_the_migration_with_that_batch_shared(
    after_first_batch: RolledBack,
) -> None:
    assert after_first_batch.migration.status == "FAILED"
    [share] = after_first_batch.migrated["aws"]["accounts"][after_first_batch.scenario.owner]["us-east-1"]["ram"][
        "shares"
    ]
    assert 0 < len(share["resources"]) <= 10


def test_its_rollback_leaves_every_account_as_before(after_first_batch: RolledBack) -> None:
    assert after_first_batch.rollback.status == "SUCCEEDED", after_first_batch.rollback.cause
    assert after_first_batch.after == after_first_batch.before


def test_its_rollback_undoes_the_batch_the_ledger_never_heard_of_and_nothing_else(
    after_first_batch: RolledBack,
) -> None:
    [first] = [
        c.params["resourceArns"]
        for c in after_first_batch.aws.world.calls
        if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")
    ][:1]
    lines = after_first_batch.report["identities"]
    assert sorted(line["arn"] for line in lines if line["outcome"] == "DISASSOCIATED") == sorted(first)
    assert {line["outcome"] for line in lines if line["arn"] not in first} <= {"NOTHING_TO_UNDO"}


def test_a_second_rollback_of_the_crashed_migration_changes_nothing(after_first_batch: RolledBack) -> None:
    assert after_first_batch.again.status == "SUCCEEDED", after_first_batch.again.cause
    assert mutating_calls(after_first_batch.again_calls) == []
