"""Preflight: everything that would make the migration fail half-way, checked before anything changes."""

from __future__ import annotations

from collections import defaultdict

from botocore.exceptions import ClientError

from eum_share.dal import ram, sms
from eum_share.dal.throttling import is_throttled
from eum_share.errors import PreflightFailed
from eum_share.logic.context import Migration
from eum_share.models.identifiers import SMS_ARN, principal_kind
from eum_share.models.request import Selection

PRODUCTION = "PRODUCTION"
# RAM's quotas: "Maximum number of pending invitations per account | 20" (AWS RAM User Guide, Service quotas). Every
# invitation counts, whether to an account outside the organization or inside one that does not share with RAM.
PENDING_INVITATION_LIMIT = 20
KIND_OF = {
    "phone-number": "PHONE_NUMBER",
    "sender-id": "SENDER_ID",
    "pool": "POOL",
    "opt-out-list": "OPT_OUT_LIST",
}


def preflight(migration: Migration) -> list[str]:
    """The warnings worth reporting; PreflightFailed with every blocking reason at once otherwise."""
    request = migration.request
    reasons: list[str] = []
    warnings: list[str] = []
    owner = migration.owner()
    owner_tier = _tier(lambda: sms.account_tier(owner), f"owner account {request.owner.account_id}", reasons)
    if owner_tier not in (None, PRODUCTION):
        reasons.append(f"owner account {request.owner.account_id} is in the {owner_tier} tier, not PRODUCTION")
    for consumer in request.consumers:
        where = f"consuming account {consumer.account_id}"
        clients = migration.consumer(consumer)
        tier = _tier(lambda clients=clients: sms.account_tier(clients), where, reasons)
        if tier not in (None, PRODUCTION):
            reasons.append(
                f"{where} is in the {tier} tier: it would look healthy but could not send to real numbers; "
                "request production access for it first"
            )
    if owner_tier is not None:
        reasons += _not_owned(migration)
        _organization_checks(migration, reasons, warnings)
    if reasons:
        raise PreflightFailed(reasons)
    return warnings


def _tier(read: object, where: str, reasons: list[str]) -> str | None:
    """The account's tier; a role that cannot be assumed, or an account we may not read, is a reason. A throttled
    call is not: it goes up as it is, for the state to be retried later (the handler makes it AwsThrottled)."""
    try:
        return read()  # type: ignore[operator,no-any-return]
    except ClientError as error:
        if is_throttled(error):
            raise
        code = error.response["Error"]["Code"]
        reasons.append(f"{where}: cannot be reached ({code}: {error.response['Error'].get('Message', '')})")
        return None


def _not_owned(migration: Migration) -> list[str]:
    request = migration.request
    if request.resources.select is not Selection.ARNS:
        return []
    by_kind: dict[str, list[str]] = defaultdict(list)
    for arn in request.resources.arns:
        match = SMS_ARN.fullmatch(arn)
        assert match is not None  # ValidateRequest checked every ARN
        by_kind[KIND_OF[match["kind"]]].append(arn)
    owner = migration.owner()
    missing: list[str] = []
    for kind, arns in by_kind.items():
        found = sms.described(owner, kind, arns)
        missing += [arn for arn in arns if arn not in found]
    return [f"not owned by account {request.owner.account_id} (not found there): {arn}" for arn in missing]


def _organization_checks(migration: Migration, reasons: list[str], warnings: list[str]) -> None:
    request = migration.request
    owner = migration.owner()
    kinds = {principal_kind(p) for p in request.principals}
    if kinds & {"OU", "ORGANIZATION"}:
        enabled = ram.organization_sharing_enabled(owner)
        if enabled is False:
            reasons.append(
                "OU or organization principals need sharing with AWS Organizations: run "
                "EnableSharingWithAwsOrganization in the management account"
            )
        elif enabled is None:
            warnings.append(
                "could not check that sharing with AWS Organizations is enabled (the owner account is not "
                "the management account); OU and organization principals fail if it is not"
            )
    if request.options.dry_run or not request.share.allow_external_principals:
        return
    accounts = sum(1 for p in request.principals if principal_kind(p) == "ACCOUNT")
    pending = ram.pending_invitations(owner)
    if pending + accounts > PENDING_INVITATION_LIMIT:
        message = (
            f"{pending} invitations already pending and up to {accounts} new ones would exceed RAM's limit of "
            f"{PENDING_INVITATION_LIMIT} pending invitations per account"
        )
        (reasons if pending >= PENDING_INVITATION_LIMIT else warnings).append(message)
