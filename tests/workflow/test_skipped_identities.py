"""Identities not ready to be shared are left as they are, and the report says which and why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario

PENDING: list[str] = []


def _a_number_still_pending(aws: OfflineAWS, scenario: Scenario) -> None:
    PENDING.append(aws.sms.add_phone_number(scenario.owner, scenario.region, status="PENDING"))


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    PENDING.clear()
    with migration_run(identities=12, before=_a_number_still_pending, name="mig-skipped-1") as outcome:
        yield outcome


def test_the_migration_succeeds_without_the_pending_number(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert PENDING[0] not in {line["arn"] for line in run.report["identities"]}
    associated = {arn for c in run.calls if c.operation == "AssociateResourceShare" for arn in c.params["resourceArns"]}
    assert PENDING[0] not in associated


def _skipped(run: MigrationRun) -> dict[str, dict[str, str]]:
    return {line["arn"]: line for line in run.report["skipped"]}


def test_the_report_lists_the_pending_number_as_skipped_with_its_status(run: MigrationRun) -> None:
    skipped = _skipped(run)[PENDING[0]]
    assert (skipped["type"], skipped["reason"]) == (
        "PHONE_NUMBER",
        "its status is PENDING, not ACTIVE; migrate it once it is ACTIVE",
    )
    assert f"- {PENDING[0]}: its status is PENDING" in run.markdown


def test_the_opt_out_list_the_pending_number_uses_is_skipped_naming_it(run: MigrationRun) -> None:
    # "for a shared Opt-out list or pool to be functional, all of its member resources ... must also be included in
    # the same AWS RAM resource share" (the resource sharing guide): the number's list waits with it.
    optouts = f"arn:aws:sms-voice:{run.scenario.region}:{run.scenario.owner}:opt-out-list/Default"
    assert PENDING[0] in _skipped(run)[optouts]["reason"]
    assert set(_skipped(run)) == {PENDING[0], optouts}
