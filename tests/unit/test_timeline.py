"""report.html's timeline: batches, their waits for RAM, their repairs and the floor on one time scale."""

from __future__ import annotations

import pytest
from eum_share.logic.floor import Floor
from eum_share.logic.report import BatchSpan, IdentityLine, Report, Timeline
from eum_share.logic.timeline import chart
from eum_share.models.ledger import Repair

START = "2026-01-05T09:00:00.000+00:00"


def _at(seconds: int) -> str:
    return f"2026-01-05T09:{seconds // 60:02d}:{seconds % 60:02d}.000+00:00"


def _report(batches: list[BatchSpan], identities: list[IdentityLine], floor_seconds: float) -> Report:
    floor = Floor(seconds=floor_seconds, association_seconds=10.0, terms={}, explanation=[])
    return Report.model_validate(
        {
            "migrationId": "mig-t",
            "outcome": "SUCCEEDED",
            "dryRun": False,
            "owner": "111111111111",
            "region": "us-east-1",
            "shareArn": None,
            "shareNote": None,
            "principals": [],
            "startedAt": START,
            "finishedAt": _at(200),
            "durationSeconds": 200.0,
            "batches": len(batches),
            "batchSize": 10,
            "counts": {},
            "countsByType": {},
            "consumers": [],
            "identities": identities,
            "configuration": {},
            "manualActions": [],
            "warnings": [],
            "timeline": Timeline(batches=batches, floor=floor),
        }
    )


def test_batches_waits_repairs_and_the_floor_share_one_time_scale() -> None:
    # Given a 200 s migration: batch 0 from 20 s (RAM done at 30 s) to 60 s, batch 1 from 60 s to 100 s, repaired at
    # 80 s; a floor of 100 s
    batches = [
        BatchSpan(index=0, started_at=_at(20), associated_at=_at(30), finished_at=_at(60)),
        BatchSpan(index=1, started_at=_at(60), associated_at=_at(70), finished_at=_at(100)),
    ]
    repaired = IdentityLine(
        arn="arn:x", type="PHONE_NUMBER", status="REPAIRED", batch=1, repairs=[Repair(cause="emptied", at=_at(80))]
    )
    drawn = chart(_report(batches, [repaired], floor_seconds=100.0))
    assert drawn is not None
    # When it is drawn, then x is proportional to the time since the start, for every shape
    per_second = drawn.plot_width / 200
    first, second = drawn.bars
    assert (first.x, first.width, first.wait) == pytest.approx(
        (drawn.left + 20 * per_second, 40 * per_second, 10 * per_second)
    )
    assert second.x == pytest.approx(drawn.left + 60 * per_second)
    [repair] = drawn.repairs
    assert repair.x == pytest.approx(drawn.left + 80 * per_second)
    assert second.y < repair.y < second.y + second.height
    assert drawn.floor_x == pytest.approx(second.x + second.width)


def test_a_floor_longer_than_the_migration_widens_the_scale_to_show_it() -> None:
    batches = [BatchSpan(index=0, started_at=_at(0), associated_at=_at(10), finished_at=_at(200))]
    drawn = chart(_report(batches, [], floor_seconds=400.0))
    assert drawn is not None
    assert drawn.floor_x == pytest.approx(drawn.left + drawn.plot_width)
    assert drawn.bars[0].width == pytest.approx(drawn.plot_width / 2)


def test_nothing_is_drawn_before_a_batch_starts() -> None:
    assert chart(_report([BatchSpan(index=0)], [], floor_seconds=10.0)) is None
