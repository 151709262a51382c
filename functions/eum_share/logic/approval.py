"""The approval gate: a planned migration waits, with nothing changed, until a person decides or time runs out."""

from __future__ import annotations

from collections import Counter

from eum_share.clock import isonow
from eum_share.dal import artifacts, events, executions
from eum_share.dal.ledger import Ledger
from eum_share.errors import NotAwaitingApproval
from eum_share.logic.context import Migration
from eum_share.logic.report import build_report, render_markdown
from eum_share.models.events import MigrationAwaitingApproval
from eum_share.models.ledger import ApprovalRecord, Decision

PLAN_REPORT = "plan-report.md"
AWAITING = "AWAITING_APPROVAL"


def request_approval(migration: Migration, task_token: str) -> MigrationAwaitingApproval:
    """Write the plan for the people who decide, keep the task token in the ledger, and announce the gate."""
    request, plan = migration.request, migration.plan
    plan_key = migration.key(PLAN_REPORT)
    report = build_report(migration, outcome=AWAITING)
    artifacts.put_text(migration.settings.artifact_bucket, plan_key, render_markdown(report), "text/markdown")
    migration.ledger.await_approval(migration.id, task_token, plan_key)
    mid = migration.id
    requested = MigrationAwaitingApproval(
        migration_id=mid,
        execution_name=migration.record.execution_name,
        identities=plan.identity_count,
        identities_by_type=dict(Counter(i.type.value for i in migration.inventory.identities)),
        batches=len(plan.batches),
        consumers=[c.account_id for c in request.consumers],
        principals=list(request.principals),
        share=request.share.name or request.share.arn or "",
        plan_report_key=plan_key,
        timeout_seconds=request.options.approval_timeout_seconds,
        decide_with={
            "http": f"POST /migrations/{mid}/approve or /reject (IAM), or /approve-signed or /reject-signed "
            "(the approvals key)",
            "cli": f"eum-share approve {mid} | eum-share reject {mid}",
            "eventbridge": "detail-type 'SMS Migration Approval Decided', "
            f'detail {{"migrationId": "{mid}", "decision": "APPROVED", "approver": "..."}}',
        },
    )
    events.publish(migration.settings.event_bus, migration.settings.event_source, requested)
    return requested


def decide(ledger: Ledger, migration_id: str, decision: Decision, approver: str) -> ApprovalRecord:
    """Record who decided and resume the gate: approved, the workflow goes on; rejected, it ends unchanged.

    The ledger hands out the task token once, so two people deciding at the same time cannot both win."""
    approval = ApprovalRecord(decision=decision, approver=approver, decided_at=isonow())
    token = ledger.claim_approval(migration_id, approval)
    try:
        if decision is Decision.APPROVED:
            executions.send_success(token, {"decision": decision.value, "approver": approver})
        else:
            executions.send_failure(token, "ApprovalRejected", f"rejected by {approver}")
    except executions.GateClosed:
        ledger.release_approval(migration_id)
        raise NotAwaitingApproval(f"migration {migration_id}: the approval gate has already closed") from None
    return approval
