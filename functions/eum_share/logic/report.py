"""Report: what happened, for the people who own the numbers. JSON for machines, Markdown for people."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from pydantic import Field

from eum_share.clock import isonow, utcnow
from eum_share.dal import artifacts, events
from eum_share.dal.pacing import describe_throttles, throttles_seen
from eum_share.errors import MigrationIncomplete
from eum_share.logic.context import Migration
from eum_share.logic.floor import NOT_MEASURED, Floor, floor
from eum_share.logic.handoff import publish_handoffs
from eum_share.logic.recorded import Recorded, read_recorded
from eum_share.logic.report_html import render_html
from eum_share.logic.usability import Check, uses
from eum_share.logic.verify import ConsumerProblem, ConsumerProgress
from eum_share.models.base import WireModel
from eum_share.models.configuration import ConfigItemResult
from eum_share.models.events import MigrationSucceeded
from eum_share.models.inventory import ManualAction, SelectedBy, SkippedIdentity
from eum_share.models.ledger import (
    FINAL_STATUSES,
    ApprovalRecord,
    IdentityRecord,
    IdentityStatus,
    MigrationStatus,
    Phase,
    Repair,
)

REPORT_JSON, REPORT_MARKDOWN, REPORT_HTML = "report.json", "report.md", "report.html"


class IdentityLine(WireModel):
    arn: str
    type: str
    status: str
    batch: int
    repairs: list[Repair] = Field(default_factory=list)
    reason: str | None = None
    brought_by: list[str] = Field(default_factory=list)


class NotUsable(WireModel):
    identity: str
    reason: str
    action: str | None = None


class ConsumerLine(WireModel):
    account: str
    # Identities shared with the account (M), of which usable from inside it (N), by the check that proved it.
    shared: int
    usable: int
    checked: dict[Check, int]
    not_usable: list[NotUsable] = Field(default_factory=list)
    # DryRun refusals that are the consumer's (or the identity's) to act on: the identity stays shared.
    problems: list[ConsumerProblem] = Field(default_factory=list)


class BatchSpan(WireModel):
    """One batch over time: started, its associations settled by RAM (the wait), done."""

    index: int
    started_at: str | None = None
    associated_at: str | None = None
    finished_at: str | None = None


class Timeline(WireModel):
    batches: list[BatchSpan] = Field(default_factory=list)
    # The least time any system could take for these identities (logic/floor.py), or why it is not given.
    floor: Floor | None = None
    floor_note: str | None = None


class Report(WireModel):
    migration_id: str
    outcome: str
    dry_run: bool
    owner: str
    region: str
    share_arn: str | None
    share_note: str | None
    principals: list[str]
    started_at: str | None
    finished_at: str
    duration_seconds: float | None
    batches: int
    batch_size: int
    counts: dict[str, int]
    counts_by_type: dict[str, dict[str, int]]
    consumers: list[ConsumerLine]
    identities: list[IdentityLine]
    skipped: list[SkippedIdentity] = Field(default_factory=list)
    configuration: dict[str, list[ConfigItemResult]]
    manual_actions: list[ManualAction]
    warnings: list[str]
    approval: ApprovalRecord | None = None
    timeline: Timeline = Timeline()
    # Calls AWS answered ThrottlingException, per action, in the owner's and consumers' accounts, counted over every
    # migration in them (dal/pacing.py keeps them per account and action, not per migration).
    throttles: dict[str, int] = Field(default_factory=dict)

    @property
    def failed(self) -> list[IdentityLine]:
        return [i for i in self.identities if i.status == IdentityStatus.FAILED]

    @property
    def repaired(self) -> list[IdentityLine]:
        return [i for i in self.identities if i.repairs]

    @property
    def drift(self) -> list[tuple[str, ConfigItemResult]]:
        return [(a, item) for a, items in self.configuration.items() for item in items if item.status == "DRIFT"]


# The execution's output is what MigrationSucceeded announces: small, with where to find the rest.
ReportSummary = MigrationSucceeded


def build_report(migration: Migration, *, outcome: str | None = None, recorded: Recorded | None = None) -> Report:
    """The report of a finished migration; with `outcome`, of one that has not changed anything yet (a plan)."""
    record, request, inventory, plan = migration.record, migration.request, migration.inventory, migration.plan
    recorded = recorded or read_recorded(migration)
    identities, outcomes, verification = recorded.identities, recorded.outcomes, recorded.verification
    brought = {i.arn: i.brought_by for i in inventory.identities if i.selected_by is SelectedBy.MEMBERSHIP}
    unfinished = [i.arn for i in identities if i.status not in FINAL_STATUSES]
    if unfinished and not request.options.dry_run and outcome is None:
        raise MigrationIncomplete(
            f"{len(unfinished)} identities are neither verified nor failed: {', '.join(unfinished[:5])}"
        )
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for identity in identities:
        by_type[identity.type][identity.status.value] += 1
    finished = utcnow()
    started = datetime.fromisoformat(record.created_at) if record.created_at else None
    manual = list(inventory.manual_actions) + [a for o in outcomes.values() for a in o.manual_actions]
    return Report(
        migration_id=migration.id,
        outcome=outcome or ("DRY_RUN" if request.options.dry_run else _outcome(identities)),
        dry_run=request.options.dry_run,
        owner=request.owner.account_id,
        region=request.region,
        share_arn=record.share_arn,
        share_note=record.share_note,
        principals=list(request.principals),
        started_at=record.created_at,
        finished_at=finished.isoformat(timespec="milliseconds"),
        duration_seconds=(finished - started).total_seconds() if started else None,
        batches=len(plan.batches),
        batch_size=plan.batch_size,
        counts=dict(Counter(i.status.value for i in identities)),
        counts_by_type={kind: dict(counter) for kind, counter in by_type.items()},
        consumers=[
            _consumer(c.account_id, identities, verification.consumers.get(c.account_id)) for c in request.consumers
        ],
        identities=[_line(i, brought.get(i.arn, [])) for i in identities],
        skipped=list(inventory.skipped),
        configuration={account: outcome.items for account, outcome in outcomes.items()},
        manual_actions=manual,
        warnings=list(record.warnings),
        approval=record.approval,
        timeline=_timeline(migration, identities),
        throttles=throttles_seen([request.owner.account_id, *(c.account_id for c in request.consumers)]),
    )


def _consumer(account: str, identities: list[IdentityRecord], progress: ConsumerProgress | None) -> ConsumerLine:
    found = uses(identities, progress)
    usable = [u for u in found if u.usable]
    return ConsumerLine(
        account=account,
        shared=len(found),
        usable=len(usable),
        checked={check: sum(1 for u in usable if u.checked_by is check) for check in Check},
        not_usable=[NotUsable(identity=u.arn, reason=u.reason or "", action=u.action) for u in found if not u.usable],
        problems=progress.problems if progress else [],
    )


def _timeline(migration: Migration, identities: list[IdentityRecord]) -> Timeline:
    batches = [
        BatchSpan(index=b.index, started_at=b.started_at, associated_at=b.associated_at, finished_at=b.finished_at)
        for b in migration.ledger.all_batches(migration.id)
    ]
    measured = migration.record.association_ms
    if measured is None or migration.request.options.dry_run:
        return Timeline(batches=batches, floor_note=NOT_MEASURED)
    return Timeline(batches=batches, floor=floor(identities, measured / 1000))


def _outcome(identities: list[IdentityRecord]) -> str:
    if any(i.status is IdentityStatus.FAILED for i in identities):
        return "COMPLETED_WITH_FAILURES"
    return "SUCCEEDED"


def _line(identity: IdentityRecord, brought_by: list[str]) -> IdentityLine:
    return IdentityLine(
        arn=identity.arn,
        type=identity.type,
        status=identity.status.value,
        batch=identity.batch,
        repairs=identity.repairs,
        reason=identity.reason if identity.status in (IdentityStatus.FAILED,) or identity.repairs else None,
        brought_by=brought_by,
    )


def render_markdown(report: Report) -> str:
    lines = [
        f"# Migration {report.migration_id}: {report.outcome}",
        "",
        f"- Owner account {report.owner} in {report.region}; principals: {', '.join(report.principals)}",
        f"- Share: {report.share_arn or '(none: dry run)'}",
        *([f"- Note: {report.share_note}"] if report.share_note else []),
        f"- {sum(report.counts.values())} identities in {report.batches} batches of at most {report.batch_size}",
        f"- Started {report.started_at}, finished {report.finished_at}"
        + (f" ({report.duration_seconds:.0f} s)" if report.duration_seconds is not None else ""),
        *(
            [f"- {report.approval.decision.value} by {report.approval.approver} at {report.approval.decided_at}"]
            if report.approval
            else []
        ),
        "",
        "## Identities",
        "",
        "| status | count |",
        "|---|---|",
        *[f"| {status} | {count} |" for status, count in sorted(report.counts.items())],
        "",
        "| type | " + " | ".join(s.value for s in IdentityStatus) + " |",
        "|---|" + "---|" * len(IdentityStatus),
        *[
            f"| {kind} | " + " | ".join(str(counts.get(s.value, 0)) for s in IdentityStatus) + " |"
            for kind, counts in sorted(report.counts_by_type.items())
        ],
        "",
        "## Consumers",
        "",
        *[line for c in report.consumers for line in _consumer_lines(c, report.dry_run)],
    ]
    lines += _consumer_actions(report.consumers)
    brought = [i for i in report.identities if i.brought_by]
    if brought:
        lines += ["", "## Brought in by membership", ""]
        lines += [f"- {i.arn}, held by {', '.join(i.brought_by)}" for i in brought]
    if report.repaired:
        lines += ["", "## Repairs", ""]
        for identity in report.repaired:
            causes = "; ".join(r.cause for r in identity.repairs)
            lines.append(f"- {identity.arn}: {identity.status} after {len(identity.repairs)} repair(s): {causes}")
    if report.skipped:
        lines += ["", "## Skipped (not ready to be shared, left as they are)", ""]
        lines += [f"- {i.arn}: {i.reason}" for i in report.skipped]
    if report.failed:
        lines += ["", "## Failed", ""]
        lines += [f"- {i.arn}: {i.reason}" for i in report.failed]
    lines += ["", "## Configuration in consuming accounts", ""]
    for account, items in sorted(report.configuration.items()):
        counts = Counter(item.status for item in items)
        lines.append(f"- {account}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if report.drift:
        lines += ["", "### Drift (left as it is)", ""]
        lines += [f"- {account} {item.kind} {item.name}: {item.detail}" for account, item in report.drift]
    if report.manual_actions:
        lines += [
            "",
            "## Manual actions",
            "",
            "| account | kind | subject | what | lead time |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {a.account} | {a.kind} | {a.subject} | {a.detail} | {a.lead_time or ''} |"
            for a in report.manual_actions
        ]
    if report.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    if report.throttles:
        lines += [
            "",
            "## AWS busy",
            "",
            f"- {describe_throttles(report.throttles)} in the migration's accounts (counted over every migration in "
            "them, as the pacing keeps them); each was waited out",
        ]
    return "\n".join(lines) + "\n"


CHECK_NAMES = {Check.DRY_RUN: "DryRun send", Check.LISTING: "Owner=SHARED listing"}


def usable_text(consumer: ConsumerLine) -> str:
    """The consumer's line: N of M identities usable from inside the account, with how many each check proved."""
    checks = ", ".join(f"{CHECK_NAMES[check]}: {consumer.checked.get(check, 0)}" for check in Check)
    return f"{consumer.usable} of {consumer.shared} identities usable from inside the account ({checks})"


def _consumer_lines(consumer: ConsumerLine, dry_run: bool) -> list[str]:
    if dry_run:
        return [f"- {consumer.account}: nothing shared (dry run)"]
    return [f"- {consumer.account}: {usable_text(consumer)}"]


def _consumer_actions(consumers: list[ConsumerLine]) -> list[str]:
    """Per consumer and reason: the identities shared with it that it cannot use, and the action to take."""
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for consumer in consumers:
        for found in consumer.not_usable:
            grouped[(consumer.account, found.reason, found.action or "")].append(found.identity)
    if not grouped:
        return []
    lines = [
        "",
        "### Not usable from inside a consuming account (the identities are shared; no DryRun send from it went "
        "through)",
        "",
        "| consumer | problem | action | identities |",
        "|---|---|---|---|",
    ]
    for (account, problem, action), identities in sorted(grouped.items()):
        cell = problem.replace("|", "/")
        lines.append(f"| {account} | {cell} | {action} | {', '.join(identities)} |")
    return lines


def publish_report(migration: Migration) -> ReportSummary:
    """Write the report, close the migration in the ledger and announce it."""
    migration.ledger.update_migration(migration.id, phase=Phase.REPORTING.value)
    recorded = read_recorded(migration)
    report = build_report(migration, recorded=recorded)
    bucket = migration.settings.artifact_bucket
    json_key, markdown_key = migration.key(REPORT_JSON), migration.key(REPORT_MARKDOWN)
    artifacts.put_model(bucket, json_key, report)
    artifacts.put_text(bucket, markdown_key, render_markdown(report), "text/markdown")
    publish_handoffs(migration, recorded)
    artifacts.put_text(bucket, migration.key(REPORT_HTML), render_html(report), "text/html; charset=utf-8")
    summary = ReportSummary(
        migration_id=migration.id,
        outcome=report.outcome,
        counts=report.counts,
        failed=len(report.failed),
        repairs=sum(len(i.repairs) for i in report.identities),
        report_key=json_key,
        markdown_key=markdown_key,
    )
    if migration.record.share_lock is not None:
        migration.ledger.release_share_lock(migration.record.share_lock, migration.id)
    migration.ledger.update_migration(
        migration.id,
        status=MigrationStatus.SUCCEEDED.value,
        phase=Phase.DONE.value,
        reportKey=json_key,
        markdownKey=markdown_key,
        finishedAt=isonow(),
    )
    events.publish(
        migration.settings.event_bus,
        migration.settings.event_source,
        summary,
    )
    return summary
