"""The migration over time, as the shapes of an SVG picture: each batch a bar from its start to its end, the part
spent waiting for RAM to associate it lighter, each repair a mark at its time on its batch's row, and the floor
a line. Only coordinates are computed here; the report's template draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eum_share.logic.report import Report

WIDTH = 900
LEFT, RIGHT, TOP, AXIS = 60, 20, 10, 40
ROW, MIN_PLOT, MAX_PLOT = 14.0, 60.0, 560.0
STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400)
MAX_TICKS = 8


@dataclass(frozen=True)
class Bar:
    batch: int
    x: float
    y: float
    width: float
    height: float
    wait: float  # width of the part spent waiting for RAM's association, from x
    title: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    left: float
    top: float
    plot_width: float
    plot_height: float
    bars: list[Bar]
    repairs: list[Mark]
    ticks: list[Tick]
    floor_x: float | None
    floor_label: str | None


def chart(report: Report) -> Chart | None:
    """The picture of the report's migration; None when no batch started (a dry run, a plan)."""
    if report.started_at is None:
        return None
    start = _time(report.started_at)
    spans = [b for b in report.timeline.batches if b.started_at]
    if not spans:
        return None
    floor = report.timeline.floor
    end = max((_time(report.finished_at) - start).total_seconds(), floor.seconds if floor else 0.0, 1.0)
    plot_width = WIDTH - LEFT - RIGHT
    row = min(ROW, MAX_PLOT / len(report.timeline.batches))
    plot_height = max(MIN_PLOT, row * len(report.timeline.batches))

    def x(at: str) -> float:
        return LEFT + (_time(at) - start).total_seconds() / end * plot_width

    rows = {b.index: TOP + position * row for position, b in enumerate(report.timeline.batches)}
    bars = []
    for span in spans:
        assert span.started_at is not None
        left = x(span.started_at)
        right = x(span.finished_at or report.finished_at)
        wait = x(span.associated_at) - left if span.associated_at else 0.0
        title = f"batch {span.index}: started {span.started_at}, done {span.finished_at or '(not done)'}"
        bars.append(Bar(span.index, left, rows[span.index], max(right - left, 1.0), max(row * 0.7, 1.0), wait, title))
    repairs = [
        Mark(x(repair.at), rows[line.batch] + row * 0.35, f"{line.arn}: {repair.cause} ({repair.at})")
        for line in report.identities
        for repair in line.repairs
        if line.batch in rows
    ]
    floor_x = LEFT + floor.seconds / end * plot_width if floor else None
    return Chart(
        width=WIDTH,
        height=TOP + plot_height + AXIS,
        left=LEFT,
        top=TOP,
        plot_width=plot_width,
        plot_height=plot_height,
        bars=bars,
        repairs=repairs,
        ticks=_ticks(end, plot_width),
        floor_x=floor_x,
        floor_label=f"floor {floor.seconds:.0f} s" if floor else None,
    )


def _time(at: str) -> datetime:
    return datetime.fromisoformat(at)


def _ticks(end: float, plot_width: float) -> list[Tick]:
    step = next((s for s in STEPS if end / s <= MAX_TICKS), STEPS[-1])
    count = int(end // step)
    return [Tick(LEFT + i * step / end * plot_width, _seconds(i * step)) for i in range(count + 1)]


def _seconds(value: int) -> str:
    if value and value % 3600 == 0:
        return f"{value // 3600} h"
    if value and value % 60 == 0:
        return f"{value // 60} min"
    return f"{value} s"
