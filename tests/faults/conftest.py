"""The fault matrix's figures, gathered while it runs and written as JSON when EUM_SHARE_RELIABILITY_JSON names a
file (`make reliability` renders docs/reliability.md from it)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.faults.matrix import Result

SUMMARY_ENV = "EUM_SHARE_RELIABILITY_JSON"


@dataclass
class Summary:
    results: list[Result] = field(default_factory=list)

    def record(self, result: Result) -> None:
        self.results.append(result)

    def as_json(self) -> dict[str, Any]:
        faults: Counter[str] = Counter()
        for result in self.results:
            faults.update(result.faults)
        return {
            "scenarios": [
                {
                    "name": r.name,
                    "summary": r.summary,
                    "outcomes": r.outcomes,
                    "faults": dict(sorted(r.faults.items())),
                    "identities": r.identities,
                    "violations": [f"{v.invariant} {v.subject}: {v.detail}" for v in r.violations],
                    "simulatedSeconds": round(r.simulated_seconds, 1),
                    "wallSeconds": round(r.wall_seconds, 1),
                }
                for r in self.results
            ],
            "totals": {
                "scenarios": len(self.results),
                "faultsInjected": sum(faults.values()),
                "faultsByKind": dict(sorted(faults.items())),
                "identitiesChecked": sum(r.identities for r in self.results),
                "violations": sum(len(r.violations) for r in self.results),
                "wallSeconds": round(sum(r.wall_seconds for r in self.results), 1),
            },
        }


@pytest.fixture(scope="session")
def matrix_summary() -> Iterator[Summary]:
    summary = Summary()
    yield summary
    target = os.environ.get(SUMMARY_ENV)
    if target and summary.results:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(summary.as_json(), indent=2) + "\n")
