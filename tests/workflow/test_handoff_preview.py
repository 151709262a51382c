"""A dry run writes each consuming account's handoff as a preview: what the migration would share with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.handoff import handoff_of, usable_in_the_twin
from tests.support.migration import MigrationRun, migration_run


@pytest.fixture(scope="module")
def preview() -> Iterator[MigrationRun]:
    """Given the same owner / When the migration is run as a dry run."""
    with migration_run(identities=30, name="mig-handoff-dry", options={"dryRun": True}) as outcome:
        assert outcome.execution.status == "SUCCEEDED", outcome.execution.cause
        yield outcome


def test_a_dry_run_writes_a_preview_of_what_each_consumer_will_get(preview: MigrationRun) -> None:
    # Then each consumer's handoff previews every identity the migration would share, with its ARN, though
    # nothing is shared with the consumer yet
    planned = {line["arn"] for line in preview.report["identities"]}
    for account in preview.scenario.consumers:
        handoff = handoff_of(preview, account)
        assert handoff["preview"] is True
        assert {row["arn"] for row in handoff["identities"]} == planned
        assert {row["state"] for row in handoff["identities"]} == {"PREVIEW"}
        assert usable_in_the_twin(preview, account) == {}
