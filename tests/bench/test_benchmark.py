"""The benchmark end to end on a small migration, so that it cannot rot. Timings are never asserted."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from benchmarks.__main__ import THROTTLED_RUN, _model, _throttled_run_wanted
from benchmarks.bench import run_size, seeded
from benchmarks.measure import Record
from benchmarks.rate_model import RateModel, Workload
from benchmarks.report import chart, merge, state_table, table, write_results

RESULT_FIELDS = {
    "system",
    "n",
    "simulatedSeconds",
    "floorSeconds",
    "apiCallsPerIdentity",
    "transitionsPerIdentity",
    "maxHistoryEvents",
    "maxPayloadBytes",
    "costPer1000Usd",
    "unusable",
    "wallSeconds",
    "stateSeconds",
}


@pytest.fixture(scope="module")
def records() -> list[Record]:
    # Given the default rate model and a small owner (20 identities, 2 consumers)
    # When every system runs on its own seeded offline AWS
    found, _ = run_size(RateModel(), 20, say=lambda line: None)
    return found


def test_the_three_systems_run_and_each_gives_one_record(records: list[Record]) -> None:
    assert [(r.system, r.n) for r in records] == [("eum-share", 20), ("runbook", 20), ("all-at-once", 20)]
    assert all(r.simulatedSeconds > 0 for r in records)


def test_a_record_has_every_field_results_json_promises(records: list[Record]) -> None:
    assert all(set(r.as_dict()) >= RESULT_FIELDS for r in records)


def test_eum_share_is_measured_from_its_executions_and_functions(records: list[Record]) -> None:
    eum_share = records[0]
    assert eum_share.outcome == "SUCCEEDED"
    assert eum_share.transitionsPerIdentity > 0
    assert eum_share.maxHistoryEvents > 0
    assert eum_share.lambdaInvocations > 0
    assert eum_share.costPer1000Usd > 0


def test_eum_share_time_is_broken_down_per_state_from_its_histories(records: list[Record]) -> None:
    # Given the eum-share run / Then the time per state, read from the executions' histories on the simulated clock,
    # accounts for the whole run: the parent's states add up to the simulated duration, within a second
    spent = records[0].stateSeconds
    parent = sum(seconds for name, seconds in spent.items() if "/" not in name)
    assert abs(parent - records[0].simulatedSeconds) <= 1.0
    # and the Distributed Map's children are named after the Map state: the batches' waits show where they go
    assert spent["AssociateBatches/AdvanceBatches"] > 0
    assert spent["Inventory"] > 0


def test_the_time_per_state_is_printed_as_markdown_for_the_docs(records: list[Record]) -> None:
    # Given the run's records / When the time per state is printed for docs/benchmarks.md
    printed = state_table([r.as_dict() for r in records])
    # Then one column per eum-share run, one row per state that took time, and the duration they add up to
    assert printed.startswith("| state | N=20 |\n")
    assert "| AssociateBatches/AdvanceBatches | " in printed
    assert "ReadyToAssociate?" not in printed  # a Choice state: it takes no time
    assert printed.splitlines()[-1] == f"| (simulated duration) | {records[0].simulatedSeconds:.1f} |"


def test_the_scripts_have_no_state_machine_to_measure(records: list[Record]) -> None:
    assert all(r.transitionsPerIdentity == 0 and r.maxHistoryEvents == 0 for r in records[1:])
    assert all(r.stateSeconds == {} for r in records[1:])


def test_eum_share_leaves_no_identity_unusable(records: list[Record]) -> None:
    assert records[0].unusable == 0


def test_the_floor_is_the_slowest_pipeline_after_the_principals_join() -> None:
    # Given 1,000 identities of which 980 send, at 10 policy writes at once taking 10 s, DryRun at 5 a second
    model = RateModel(association_seconds=10, policy_write_capacity=10, dry_run_per_second=5, latency_seconds=0)
    work = Workload(identities=1000, senders=980, by_kind={"phone_numbers": 780, "pools": 50})
    # When the floor is computed
    floor = model.floor(work)
    # Then the RAM writes bind: 10 s for the principals, then 100 rounds of 10 s
    assert floor.terms == {"principals": 10.0, "associations": 1000.0, "dryRuns": 196.0, "listings": 8.0}
    assert floor.seconds == 1010.0
    assert floor.explanation[-1].endswith("= 1010.0 s")


def test_the_owners_policy_reads_alone_take_twice_their_turns_when_half_the_calls_are_refused() -> None:
    # Given 1,000 identities, each policy read once at GetResourcePolicy's rate (1 a second, the quotas page's most
    # restrictive), and half of the attempts refused
    model = RateModel(throttle_rate=0.5)
    # When the reads are counted beside the floor
    seconds, line = model.policy_reads(Workload(identities=1000, senders=980))
    # Then they alone take 2,000 s, and the line says why
    assert seconds == 2000.0
    assert line.endswith("1000 GetResourcePolicy / (1 a second x (1 - 50% refused)) = 2000.0 s")


def test_dry_runs_bind_the_floor_when_associations_are_quick() -> None:
    model = RateModel(association_seconds=1, policy_write_capacity=10, dry_run_per_second=5, latency_seconds=0)
    floor = model.floor(Workload(identities=1000, senders=1000))
    assert floor.seconds == 1 + 200


def test_the_rate_model_limits_every_action_by_the_published_quotas() -> None:
    # Given the rate model's defaults
    limits = RateModel().faults().rate_limits
    # Then every End User Messaging action the orchestrator calls is limited at its published rate, not only
    # Describe* and Create*: 1 a second for resource policies and deletions, 10 for ListTagsForResource, 5 DryRuns
    assert limits["sms-voice:DescribePhoneNumbers"].per_second == 1
    assert limits["sms-voice:GetResourcePolicy"].per_second == 1
    assert limits["sms-voice:DeleteEventDestination"].per_second == 1
    assert limits["sms-voice:ListTagsForResource"].per_second == 10
    assert limits["sms-voice:SendTextMessage:DryRun"].per_second == 5


def test_results_keep_other_sizes_and_systems_and_the_chart_is_a_png(records: list[Record], tmp_path: Path) -> None:
    # Given results of an earlier run: every system at N=100, and eum-share at N=20
    results = tmp_path / "results.json"
    earlier = [{**r.as_dict(), "n": 100} for r in records] + [{**records[0].as_dict(), "outcome": "earlier"}]
    write_results(results, earlier)
    # When a run of the two scripts at N=20 is merged in and charted
    merged = merge(results, [r.as_dict() for r in records[1:]])
    write_results(results, merged)
    chart(tmp_path / "chart.png", merged)
    # Then every system and size is there once, in order, the earlier eum-share record kept, and the chart is a PNG
    assert [(r["n"], r["system"]) for r in json.loads(results.read_text())] == [
        (20, "eum-share"),
        (20, "runbook"),
        (20, "all-at-once"),
        (100, "eum-share"),
        (100, "runbook"),
        (100, "all-at-once"),
    ]
    assert merged[0]["outcome"] == "earlier"
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "eum-share" in table(merged)
    assert table(merged, markdown=True).startswith("| system |")


def test_a_rate_model_parameter_is_changed_from_the_command_line() -> None:
    parser = argparse.ArgumentParser()
    model = _model(["policy_write_capacity=5", "association_seconds=2.5"], parser)
    assert (model.policy_write_capacity, model.association_seconds) == (5, 2.5)
    assert model.dry_run_per_second == RateModel().dry_run_per_second


def test_a_throttled_run_is_asked_for_from_the_command_line() -> None:
    # Given `--model throttle_rate=0.5` / Then the offline AWS throttles half of the RAM and End User Messaging calls
    model = _model(["throttle_rate=0.5"], argparse.ArgumentParser())
    assert model.faults().throttle_rate == 0.5
    assert "50% of RAM and End User Messaging calls throttled" in model.describe()[-1]
    assert RateModel().faults().throttle_rate == 0.0


def test_an_unknown_rate_model_parameter_is_refused_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _model(["capacity=5"], argparse.ArgumentParser())
    assert "policy_write_capacity" in capsys.readouterr().err


def test_the_benchmark_runs_eum_share_throttled_at_half_the_calls_at_n_1000_next_to_the_unthrottled_run() -> None:
    # Given the default rate model (`make bench`)
    model = RateModel()
    # Then at N = 1,000 eum-share also runs with half of the calls throttled, and at no other N or system
    assert THROTTLED_RUN == (1000, 0.5)
    assert _throttled_run_wanted(model, 1000, None)
    assert _throttled_run_wanted(model, 1000, ["eum-share"])
    assert not _throttled_run_wanted(model, 100, None)
    assert not _throttled_run_wanted(model, 1000, ["runbook"])
    # And a run asked for throttled already is not run twice
    assert not _throttled_run_wanted(_model(["throttle_rate=0.8"], argparse.ArgumentParser()), 1000, None)


def test_a_throttled_record_sits_next_to_the_unthrottled_one(records: list[Record], tmp_path: Path) -> None:
    # Given results holding the unthrottled eum-share record at N=20
    results = tmp_path / "results.json"
    write_results(results, [records[0].as_dict()])
    # When a throttled run of the same system and N is merged in
    throttled = {**records[0].as_dict(), "throttleRate": 0.5, "outcome": "throttled"}
    merged = merge(results, [throttled])
    # Then both are kept, the throttled one after, and the table says which is which
    assert [(r["system"], r["n"], r["throttleRate"]) for r in merged] == [
        ("eum-share", 20, 0.0),
        ("eum-share", 20, 0.5),
    ]
    assert " 50% " in table(merged).splitlines()[-1]


def test_what_the_migration_moves_counts_the_owners_default_opt_out_list() -> None:
    # Given an owner seeded with 20 identities, whose pools use the Default opt-out list End User Messaging makes
    offline, scenario = seeded(RateModel(), 20)
    offline.__exit__(None, None, None)
    # Then the benchmark holds every system to moving it too, and the floor counts it
    assert len(scenario.identities) == 21
    assert any(arn.endswith(":opt-out-list/Default") for arn in scenario.opt_out_lists)
