"""Rolling back a migration that crashed while recreating configuration: what it had created is removed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.rollback import RolledBack, migrated_and_rolled_back

PROVISION = {"eventDestinations": {"mode": "PROVISION"}}


@pytest.fixture(scope="module")
def in_configuration() -> Iterator[RolledBack]:
    """The function dies right after creating the first configuration set in the first consumer."""
    crash = ("consumer_configuration", "create_configuration_set")
    with migrated_and_rolled_back(name="mig-crash-config", crash=crash, configuration=PROVISION) as outcome:
        yield outcome


def test_a_crash_while_recreating_configuration_leaves_a_set_behind(in_configuration: RolledBack) -> None:
    assert in_configuration.migration.status == "FAILED"
    first = in_configuration.scenario.consumers[0]
    sets = in_configuration.migrated["aws"]["accounts"][first]["us-east-1"]["sms"]["configuration_sets"]
    assert len(sets) == 1


def test_its_rollback_removes_the_set_and_everything_else_it_had_done(in_configuration: RolledBack) -> None:
    assert in_configuration.rollback.status == "SUCCEEDED", in_configuration.rollback.cause
    assert in_configuration.after == in_configuration.before
    removed = in_configuration.report["configuration"][in_configuration.scenario.consumers[0]]
    assert ("CONFIGURATION_SET", "REMOVED") in {(i["kind"], i["outcome"]) for i in removed}
    # No identity was shared yet: the share the migration created is deleted, and nothing else is undone there
    assert in_configuration.report["counts"] == {}
    assert in_configuration.report["share"].endswith("is deleted")
