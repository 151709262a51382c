"""docs/reliability.md is the rendering of a run of the fault matrix: its format, its figures adding up, every
scenario of the matrix in it, and no violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.faults.reliability import COMMAND, TITLE, render
from tests.faults.scenarios import SCENARIOS

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def _table(text: str, header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header line starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def page() -> str:
    return DOC.read_text()


def _totals(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in _table(page, "| measure | value |")}


def _faults(cell: str) -> int:
    return 0 if cell == "none" else sum(int(part.rsplit(" ", 1)[1]) for part in cell.split(", "))


def test_the_page_says_what_made_it(page: str) -> None:
    assert page.splitlines()[0] == TITLE
    assert f"`{COMMAND}`" in page
    assert "do not edit by hand" in page


def test_the_page_reports_no_violation(page: str) -> None:
    assert _totals(page)["violations"] == 0
    assert [row[5] for row in _table(page, "| scenario |")] == ["0"] * len(SCENARIOS)


def test_the_page_lists_every_scenario_of_the_matrix_in_order(page: str) -> None:
    assert [row[0] for row in _table(page, "| scenario |")] == [s.name for s in SCENARIOS]


def test_the_totals_are_the_sums_of_the_rows(page: str) -> None:
    totals, rows = _totals(page), _table(page, "| scenario |")
    assert totals["scenarios"] == len(rows)
    assert totals["identities checked"] == sum(int(row[4]) for row in rows)
    assert totals["faults injected"] == sum(_faults(row[3]) for row in rows)
    assert totals["faults injected"] == sum(int(count) for _, count in _table(page, "| kind | count |"))


def test_every_scenario_but_the_control_injected_faults(page: str) -> None:
    rows = {row[0]: row[3] for row in _table(page, "| scenario |")}
    assert rows.pop("no-fault") == "none"
    assert all(_faults(cell) > 0 for cell in rows.values()), rows


def test_the_renderer_makes_the_page_from_the_figures() -> None:
    # Given the figures of a run of two scenarios
    summary = {
        "scenarios": [
            {
                "name": "a",
                "summary": "nothing",
                "outcomes": ["SUCCEEDED"],
                "faults": {},
                "identities": 3,
                "violations": [],
            },
            {
                "name": "b",
                "summary": "throttling",
                "outcomes": ["Lambda.Unknown", "SUCCEEDED"],
                "faults": {"throttle": 4, "lambda-crash": 1},
                "identities": 3,
                "violations": [],
            },
        ],
        "totals": {
            "scenarios": 2,
            "faultsInjected": 5,
            "faultsByKind": {"lambda-crash": 1, "throttle": 4},
            "identitiesChecked": 6,
            "violations": 0,
        },
    }

    # When it is rendered
    text = render(summary)

    # Then the tables carry them
    assert _totals(text) == {"scenarios": 2, "faults injected": 5, "identities checked": 6, "violations": 0}
    assert _table(text, "| scenario |")[1] == [
        "b",
        "throttling",
        "Lambda.Unknown, SUCCEEDED",
        "throttle 4, lambda-crash 1",
        "3",
        "0",
    ]
    assert re.search(r"^\| lambda-crash \| 1 \|$", text, re.MULTILINE)
