"""The benchmark's outputs: a table on the terminal (and in Markdown), results.json, and the chart."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

COLUMNS = (
    ("system", "system", "{}"),
    ("n", "N", "{}"),
    ("throttleRate", "throttled", "{:.0%}"),
    ("simulatedSeconds", "simulated s", "{:.0f}"),
    ("floorSeconds", "floor s", "{:.0f}"),
    ("floorRatio", "x floor", "{:.2f}"),
    ("apiCallsPerIdentity", "AWS calls/id", "{:.2f}"),
    ("transitionsPerIdentity", "transitions/id", "{:.3f}"),
    ("maxHistoryEvents", "max history", "{}"),
    ("maxPayloadBytes", "max payload B", "{}"),
    ("lambdaInvocations", "Lambda calls", "{}"),
    ("lambdaGbSeconds", "GB-s", "{:.1f}"),
    ("costPer1000Usd", "$ per 1,000", "{:.4f}"),
    ("unusable", "unusable", "{}"),
    ("wallSeconds", "wall s", "{:.1f}"),
    ("cpuSeconds", "CPU s", "{:.1f}"),
)


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(records: list[dict[str, Any]], markdown: bool = False) -> str:
    rows = [[fmt.format(r.get(key, 0)) for key, _, fmt in COLUMNS] for r in records]
    heads = [head for _, head, _ in COLUMNS]
    if markdown:
        lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
    line = "  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([line, "-" * len(line), *body])


def state_table(records: list[dict[str, Any]]) -> str:
    """Markdown: the simulated seconds each state took, per run of eum-share (columns), the longest first. A Map's
    children are named after it ("AssociateBatches/WaitForRam") and counted in it too; the parent's states add up to
    the duration."""
    runs = [r for r in records if r.get("stateSeconds")]
    if not runs:
        return ""
    total: dict[str, float] = {}
    for r in runs:
        for name, seconds in r["stateSeconds"].items():
            total[name] = total.get(name, 0.0) + seconds / r["simulatedSeconds"]
    # States that take no simulated time (Choice, Pass, the ledger's own) are left out.
    names = sorted((n for n in total if any(r["stateSeconds"].get(n, 0) >= 0.1 for r in runs)), key=lambda n: -total[n])
    heads = [
        "state",
        *(f"N={r['n']:,}" + (f", {r['throttleRate']:.0%} throttled" if r.get("throttleRate") else "") for r in runs),
    ]
    lines = ["| " + " | ".join(heads) + " |", "|---|" + "---:|" * len(runs)]
    for name in names:
        cells = [f"{r['stateSeconds'][name]:.1f}" if name in r["stateSeconds"] else "" for r in runs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| (simulated duration) | " + " | ".join(f"{r['simulatedSeconds']:.1f}" for r in runs) + " |")
    return "\n".join(lines)


def merge(path: Path, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """results.json with this run's records replaced (by system, N and throttling) and the others kept."""
    ran = {_key(r) for r in fresh}
    kept = [r for r in json.loads(path.read_text()) if _key(r) not in ran] if path.exists() else []
    order = {"eum-share": 0, "runbook": 1, "all-at-once": 2}
    return sorted([*kept, *fresh], key=lambda r: (r["n"], order.get(r["system"], 9), r.get("throttleRate", 0)))


def _key(record: dict[str, Any]) -> tuple[str, int, float]:
    return record["system"], record["n"], record.get("throttleRate", 0.0)


def write_results(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1) + "\n")


def chart(path: Path, records: list[dict[str, Any]]) -> None:
    """Simulated duration against the floor, and AWS calls per identity, per system and N (unthrottled runs)."""
    records = [r for r in records if not r.get("throttleRate")]
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(dict.fromkeys(r["system"] for r in records))
    sizes = sorted({r["n"] for r in records})
    by = {(r["system"], r["n"]): r for r in records}
    figure, (duration, calls) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / max(1, len(systems))
    for index, system in enumerate(systems):
        xs = [i + index * width for i, n in enumerate(sizes) if (system, n) in by]
        found = [by[(system, n)] for n in sizes if (system, n) in by]
        duration.bar(xs, [r["floorRatio"] for r in found], width, label=system)
        calls.bar(xs, [r["apiCallsPerIdentity"] for r in found], width, label=system)
        for x, r in zip(xs, found, strict=True):
            if r["unusable"]:
                duration.annotate(f"{r['unusable']} unusable", (x, r["floorRatio"]), fontsize=7, ha="center")
    for axis, title in ((duration, "simulated duration / floor (log)"), (calls, "AWS API calls per identity")):
        axis.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(sizes))])
        axis.set_xticklabels([f"N={n:,}" for n in sizes])
        axis.set_title(title)
    duration.set_yscale("log")
    duration.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    duration.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    duration.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    duration.axhline(1.2, color="grey", linestyle="--", linewidth=0.8, label="target 1.2x floor")
    calls.axhline(4, color="grey", linestyle="--", linewidth=0.8, label="target 4 calls")
    duration.legend(fontsize=8)
    calls.legend(fontsize=8)
    figure.suptitle("eum-share vs the runbook vs all-at-once, 2 consumers, on the offline AWS's virtual clock")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
