"""The handoff per consuming account: what its team needs to start sending, next to the report in S3.

Written at the end of every migration, and of a dry run as a preview. Each consuming account is read from inside
(its role): what it sees shared with it, its account tier and its spend limits. The handoff holds no secret,
no ExternalId and nothing of the webhook.
"""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from eum_share.dal import artifacts, consumer_view
from eum_share.dal.accounts import Clients
from eum_share.dal.throttling import is_throttled
from eum_share.logic.context import Migration
from eum_share.logic.handoff.build import AccountView, HandoffInputs, as_json, build_handoff
from eum_share.logic.handoff.render import render_csv, render_markdown
from eum_share.logic.recorded import Recorded
from eum_share.models.handoff import Handoff

FORMATS = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}


def handoff_key(account: str, fmt: str) -> str:
    """The artifact's name under the migration's folder: handoff/<account-id>.<md|csv|json>."""
    return f"handoff/{account}.{fmt}"


def publish_handoffs(migration: Migration, recorded: Recorded) -> dict[str, str]:
    """Write every consumer's handoff in the three formats; consumer account -> the Markdown's key."""
    records = {record.arn: record for record in recorded.identities}
    views = _views(migration)
    written = {}
    for consumer in migration.request.consumers:
        handoff = build_handoff(
            HandoffInputs(
                migration_id=migration.id,
                account=consumer.account_id,
                region=migration.request.region,
                name_prefix=migration.request.configuration.name_prefix,
                preview=migration.request.options.dry_run,
                inventory=migration.inventory,
                records=records,
                outcome=recorded.outcomes.get(consumer.account_id),
                progress=recorded.verification.consumers.get(consumer.account_id),
                view=views[consumer.account_id],
            )
        )
        written[consumer.account_id] = _write(migration, handoff)
    return written


def _views(migration: Migration) -> dict[str, AccountView]:
    """Every consumer seen from inside. The Owner=SHARED listings of all consumers and kinds take turns page by
    page: each account and action has a quota of its own, so a large migration's listings proceed side by side
    instead of one after another. In a dry run nothing is shared yet, so only the accounts' settings are read."""
    clients: dict[str, Clients] = {}
    unreadable: dict[str, str] = {}
    for consumer in migration.request.consumers:
        try:
            clients[consumer.account_id] = migration.consumer(consumer)
        except ClientError as error:
            unreadable[consumer.account_id] = _refusal(error)
    visible: dict[str, set[str]] = {account: set() for account in clients}
    if not migration.request.options.dry_run:
        kinds = sorted({str(identity.type) for identity in migration.inventory.identities})
        listings = [
            (account, consumer_view.shared(client, kind)) for account, client in clients.items() for kind in kinds
        ]
        for account, arn in _taking_turns(listings, unreadable):
            visible[account].add(arn)
    views = {}
    for account, client in clients.items():
        if account not in unreadable:
            try:
                views[account] = AccountView(
                    visible=None if migration.request.options.dry_run else visible[account],
                    account_tier=consumer_view.account_tier(client),
                    spend_limits=consumer_view.spend_limits(client),
                )
            except ClientError as error:
                unreadable[account] = _refusal(error)
    return views | {account: AccountView(unreadable=why) for account, why in unreadable.items()}


def _taking_turns(listings: list[tuple[str, Iterator[str]]], unreadable: dict[str, str]) -> Iterator[tuple[str, str]]:
    """One ARN of each listing in turn until all are read; a listing refused marks its account unreadable."""
    active = listings
    while active:
        still = []
        for account, listing in active:
            if account in unreadable:
                continue
            try:
                arn = next(listing, None)
            except ClientError as error:
                unreadable[account] = _refusal(error)
                continue
            if arn is not None:
                still.append((account, listing))
                yield account, arn
        active = still


def _refusal(error: ClientError) -> str:
    """Why an account could not be read; AWS busy is raised instead, and the step retried."""
    if is_throttled(error):
        raise error
    return (
        f"{error.response.get('Error', {}).get('Code', 'Error')}: {error.response.get('Error', {}).get('Message', '')}"
    )


def _write(migration: Migration, handoff: Handoff) -> str:
    bucket = migration.settings.artifact_bucket
    bodies = {"md": render_markdown(handoff), "csv": render_csv(handoff), "json": as_json(handoff)}
    for fmt, body in bodies.items():
        artifacts.put_text(bucket, migration.key(handoff_key(handoff.account, fmt)), body, FORMATS[fmt])
    return migration.key(handoff_key(handoff.account, "md"))
