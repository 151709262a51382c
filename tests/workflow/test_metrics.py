"""The dashboard's identity figures add up to the migration's report: no identity is counted twice."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.support.migration import migration_run

FAULTS = {
    "seed": 5,
    "fail_rate": 0.1,
    # RAM throttles its own policy writes above 4 in flight: batches of 10 meet the policy-emptying fault.
    "policy_write_capacity": 4,
    "empty_policy_rate": 0.3,
}


def emitted_metrics(captured: str) -> Counter[str]:
    """The sum of every metric the functions printed in CloudWatch's embedded metric format."""
    totals: Counter[str] = Counter()
    for line in captured.splitlines():
        try:
            document: Any = json.loads(line)
        except ValueError:
            continue
        if not isinstance(document, dict) or "_aws" not in document:
            continue
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals


def test_identity_metrics_add_up_to_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a migration whose associations fail and whose policies RAM empties, so identities are repaired
    with migration_run(identities=30, faults=FAULTS, name="mig-metrics-1") as run:
        assert run.execution.status == "SUCCEEDED", run.execution.cause
        report = run.report
    # When the functions' metrics of the whole run are summed, as the dashboard sums them
    metrics = emitted_metrics(capsys.readouterr().out)
    # Then each identity is associated once and has one outcome, and the repairs match the report's
    identities = sum(report["counts"].values())
    assert sum(len(i["repairs"]) for i in report["identities"]) > 0
    assert metrics["IdentitiesAssociated"] == identities
    outcomes = {status: metrics[f"Identities{status.title()}"] for status in ("VERIFIED", "REPAIRED", "FAILED")}
    assert outcomes == {status: report["counts"].get(status, 0) for status in outcomes}
    assert metrics["IdentityRepairs"] == sum(len(i["repairs"]) for i in report["identities"])
    assert (metrics["MigrationsStarted"], metrics["MigrationsSucceeded"]) == (1, 1)
