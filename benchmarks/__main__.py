"""`python -m benchmarks [--n N]`: the benchmark of eum-share against the runbook and an all-at-once share."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session
from benchmarks.bench import run_size
from benchmarks.rate_model import Floor, RateModel
from benchmarks.report import chart, machine, merge, state_table, table, write_results

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1000, 10000)
# Besides the unthrottled runs: eum-share with this share of RAM and End User Messaging calls throttled, at this N
# (a busy account or Region), next to its unthrottled figures.
THROTTLED_RUN = (1000, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--n", type=int, action="append", help="identities (repeatable; default 100, 1000, 10000)")
    parser.add_argument("--system", action="append", help="eum-share, runbook or all-at-once (default all)")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too")
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a parameter of the rate model, e.g. policy_write_capacity=5 (repeatable)",
    )
    args = parser.parse_args(argv)

    from eum_share_cli.offline_runtime import quiet_functions

    model = _model(args.model, parser)
    print("rate model:")
    for line in model.describe():
        print(f"  {line}")
    print(f"machine: {machine()}")
    fresh = []
    started = time.perf_counter()
    with quiet_functions():
        for n in args.n or SIZES:
            print(f"N={n}:")
            records, floor = run_size(model, n, args.system)
            for line in floor.explanation if floor else []:
                print(f"  floor: {line}")
            _print_policy_reads(model, floor)
            fresh += [r.as_dict() for r in records]
            if _throttled_run_wanted(model, n, args.system):
                throttled = dataclasses.replace(model, throttle_rate=THROTTLED_RUN[1])
                records, _ = run_size(throttled, n, ["eum-share"])
                _print_policy_reads(throttled, floor)
                fresh += [r.as_dict() for r in records]
    results = merge(args.results, fresh)
    write_results(args.results, results)
    chart(args.chart, results)
    print()
    print(table(fresh))
    if args.markdown:
        print()
        print(table(results, markdown=True))
        print()
        print(state_table(results))
    print(f"\nresults: {args.results}  chart: {args.chart}  ({time.perf_counter() - started:.0f} s)")
    return 0


def _print_policy_reads(model: RateModel, floor: Floor | None) -> None:
    if floor is not None:
        seconds, line = model.policy_reads(floor.work)
        print(f"  {line}: {seconds / floor.seconds:.2f} x the floor")


def _throttled_run_wanted(model: RateModel, n: int, systems: list[str] | None) -> bool:
    """At THROTTLED_RUN's N, eum-share also runs throttled, unless the model is throttled already."""
    return n == THROTTLED_RUN[0] and not model.throttle_rate and (not systems or "eum-share" in systems)


def _model(changes: list[str], parser: argparse.ArgumentParser) -> RateModel:
    defaults = RateModel()
    values: dict[str, float | int] = {}
    for change in changes:
        name, _, value = change.partition("=")
        if not hasattr(defaults, name) or not value:
            parser.error(f"--model {change}: expected NAME=VALUE with NAME one of {', '.join(vars(defaults))}")
        values[name] = type(getattr(defaults, name))(value)
    return dataclasses.replace(defaults, **values)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
