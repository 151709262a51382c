"""Reading a migration's outcome for one identity and one consumer: its report lines, repairs and visibility."""

from __future__ import annotations

from typing import Any

from tests.support.migration import MigrationRun
from twin.inspect import state_dump

US_SIMULATOR = "+14254147755"  # the probe's destination for a US number: End User Messaging's simulator


def disassociated(run: MigrationRun, arn: str) -> bool:
    """Whether the migration took the identity out of a resource share at any point."""
    return any(
        c.operation == "DisassociateResourceShare" and arn in c.params.get("resourceArns", []) for c in run.calls
    )


def identity_line(run: MigrationRun, arn: str) -> dict[str, Any]:
    return next(line for line in run.report["identities"] if line["arn"] == arn)


def consumer_problems(run: MigrationRun, consumer: str) -> list[dict[str, Any]]:
    line = next(c for c in run.report["consumers"] if c["account"] == consumer)
    problems: list[dict[str, Any]] = line["problems"]
    return problems


def shared_with(run: MigrationRun, consumer: str, arn: str) -> bool:
    return arn in state_dump(run.aws)["accounts"][consumer][run.scenario.region]["sharedVisible"]
