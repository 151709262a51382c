"""The handoff per consuming account: what its team needs to start sending, next to the report in S3.

Written at the end of every migration, and of a dry run as a preview. Each consuming account is read from inside
(its role): what it sees shared with it, its account tier and its spend limits. The handoff holds no secret,
no ExternalId and nothing of the webhook.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from eum_share.dal import artifacts, consumer_view
from eum_share.dal.throttling import is_throttled
from eum_share.logic.context import Migration
from eum_share.logic.handoff.build import AccountView, HandoffInputs, as_json, build_handoff
from eum_share.logic.handoff.render import render_csv, render_markdown
from eum_share.logic.probe import configuration_outcome_key
from eum_share.logic.verify import VERIFICATION, Verification
from eum_share.models.configuration import ConfigurationOutcome
from eum_share.models.handoff import Handoff
from eum_share.models.request import Consumer

FORMATS = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}


def handoff_key(account: str, fmt: str) -> str:
    """The artifact's name under the migration's folder: handoff/<account-id>.<md|csv|json>."""
    return f"handoff/{account}.{fmt}"


def publish_handoffs(migration: Migration) -> dict[str, str]:
    """Write every consumer's handoff in the three formats; consumer account -> the Markdown's key."""
    bucket = migration.settings.artifact_bucket
    verification = (
        artifacts.get_model(bucket, migration.key(VERIFICATION), Verification)
        if artifacts.exists(bucket, migration.key(VERIFICATION))
        else Verification()
    )
    records = {record.arn: record for record in migration.ledger.all_identities(migration.id)}
    written = {}
    for consumer in migration.request.consumers:
        progress = verification.consumers.get(consumer.account_id)
        handoff = build_handoff(
            HandoffInputs(
                migration_id=migration.id,
                account=consumer.account_id,
                region=migration.request.region,
                name_prefix=migration.request.configuration.name_prefix,
                preview=migration.request.options.dry_run,
                inventory=migration.inventory,
                records=records,
                outcome=_outcome(migration, consumer.account_id),
                problems=list(progress.problems) if progress else [],
                view=_view(migration, consumer),
            )
        )
        written[consumer.account_id] = _write(migration, handoff)
    return written


def _outcome(migration: Migration, account: str) -> ConfigurationOutcome | None:
    bucket, key = migration.settings.artifact_bucket, migration.key(configuration_outcome_key(account))
    return artifacts.get_model(bucket, key, ConfigurationOutcome) if artifacts.exists(bucket, key) else None


def _view(migration: Migration, consumer: Consumer) -> AccountView:
    """The account seen from inside. In a dry run nothing is shared yet, so only its settings are read. A refusal
    (a role changed since the migration ran) leaves the handoff without that view, saying why; AWS busy is raised
    and the step retried."""
    try:
        clients = migration.consumer(consumer)
        visible = (
            None
            if migration.request.options.dry_run
            else consumer_view.visible(clients, {str(i.type) for i in migration.inventory.identities})
        )
        return AccountView(
            visible=visible,
            account_tier=consumer_view.account_tier(clients),
            spend_limits=consumer_view.spend_limits(clients),
        )
    except ClientError as error:
        if is_throttled(error):
            raise
        return AccountView(unreadable=f"{error.response.get('Error', {}).get('Code', 'Error')}: {error}")


def _write(migration: Migration, handoff: Handoff) -> str:
    bucket = migration.settings.artifact_bucket
    bodies = {"md": render_markdown(handoff), "csv": render_csv(handoff), "json": as_json(handoff)}
    for fmt, body in bodies.items():
        artifacts.put_text(bucket, migration.key(handoff_key(handoff.account, fmt)), body, FORMATS[fmt])
    return migration.key(handoff_key(handoff.account, "md"))
