"""The fault matrix: under every fault, alone and mixed, each migration ends as it should, no identity is left
stranded and no policy statement is lost (tests/faults/invariants.py, checked from the offline AWS's state).

Every scenario runs once (seeded, deterministic); its two tests read the same result. With
EUM_SHARE_RELIABILITY_JSON set, the run's figures are written there for docs/reliability.md (`make reliability`).
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import Summary
from tests.faults.matrix import Result, Scenario, matches, run
from tests.faults.scenarios import NOT_CRASHED, SCENARIOS, lambda_states

SEED = 2026
_results: dict[str, Result] = {}


def _result(scenario: Scenario, summary: Summary) -> Result:
    if scenario.name not in _results:
        _results[scenario.name] = run(scenario, SEED)
        summary.record(_results[scenario.name])
    return _results[scenario.name]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_each_migration_ends_as_the_scenario_expects(scenario: Scenario, matrix_summary: Summary) -> None:
    result = _result(scenario, matrix_summary)
    assert matches(result.outcomes, scenario.expect), f"{result.outcomes} != {scenario.expect}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_no_identity_is_stranded_and_nothing_is_lost(scenario: Scenario, matrix_summary: Summary) -> None:
    result = _result(scenario, matrix_summary)
    assert result.identities > 0
    assert result.violations == [], "\n".join(f"{v.invariant} {v.subject}: {v.detail}" for v in result.violations)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_scenario_really_injected_the_faults_it_names(scenario: Scenario, matrix_summary: Summary) -> None:
    injected = _result(scenario, matrix_summary).faults
    assert {kind: injected.get(kind, 0) for kind in scenario.kinds if not injected.get(kind)} == {}
    assert bool(scenario.kinds) == (scenario.name != "no-fault")


def test_every_lambda_task_state_has_a_crash_row() -> None:
    crashed = {s.name.removeprefix("crash-after-") for s in SCENARIOS if s.name.startswith("crash-after-")}
    assert set(lambda_states()) - set(NOT_CRASHED) <= crashed
    assert set(NOT_CRASHED) <= set(lambda_states())
