"""Preflight: everything that would make the migration fail half-way, checked before anything changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from eum_share.dal import ram, sms
from eum_share.dal.accounts import Clients
from eum_share.dal.throttling import is_throttled
from eum_share.errors import PreflightFailed
from eum_share.logic.context import Migration
from eum_share.models.identifiers import SMS_ARN, principal_kind
from eum_share.models.request import Selection

T = TypeVar("T")

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


class Checked:
    """What Preflight has read, by name ("tier/ACCOUNT", "missing/POOL", "pending-invitations"), carried from one
    invocation to the next in the state's data: a Preflight that a storm stops half way (AWS still busy when its
    call gives up) waits and goes on from the checks it finished instead of reading everything again. Small:
    a tier, a count, the ARNs not found."""

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        self.answers: dict[str, Any] = dict(saved or {})
        self.fresh = 0  # answers read by this invocation

    def read(self, name: str, reader: Callable[[], T]) -> T:
        if name not in self.answers:
            self.answers[name] = reader()
            self.fresh += 1
        return self.answers[name]  # type: ignore[no-any-return]


def preflight(migration: Migration, checked: Checked | None = None) -> list[str]:
    """The warnings worth reporting; PreflightFailed with every blocking reason at once otherwise. What `checked`
    holds is not read again; what is read is added to it."""
    request = migration.request
    checked = checked if checked is not None else Checked()
    reasons: list[str] = []
    warnings: list[str] = []
    owner = migration.owner()
    owner_tier = _tier(checked, request.owner.account_id, owner, f"owner account {request.owner.account_id}", reasons)
    if owner_tier not in (None, PRODUCTION):
        reasons.append(f"owner account {request.owner.account_id} is in the {owner_tier} tier, not PRODUCTION")
    for consumer in request.consumers:
        where = f"consuming account {consumer.account_id}"
        tier = _tier(checked, consumer.account_id, migration.consumer(consumer), where, reasons)
        if tier not in (None, PRODUCTION):
            reasons.append(
                f"{where} is in the {tier} tier: it would look healthy but could not send to real numbers; "
                "request production access for it first"
            )
    if owner_tier is not None:
        reasons += _not_owned(migration, checked)
        _organization_checks(migration, checked, reasons, warnings)
    if reasons:
        raise PreflightFailed(reasons)
    return warnings


def _tier(checked: Checked, account: str, clients: Clients, where: str, reasons: list[str]) -> str | None:
    """The account's tier; a role that cannot be assumed, or an account we may not read, is a reason. A throttled
    call is not: it goes up as it is, for the state to be retried later (the handler makes it AwsThrottled)."""
    try:
        return checked.read(f"tier/{account}", lambda: sms.account_tier(clients))
    except ClientError as error:
        if is_throttled(error):
            raise
        code = error.response["Error"]["Code"]
        reasons.append(f"{where}: cannot be reached ({code}: {error.response['Error'].get('Message', '')})")
        return None


def _not_owned(migration: Migration, checked: Checked) -> list[str]:
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
        missing += checked.read(f"missing/{kind}", partial(_not_found, owner, kind, arns))
    return [f"not owned by account {request.owner.account_id} (not found there): {arn}" for arn in missing]


def _not_found(owner: Clients, kind: str, arns: list[str]) -> list[str]:
    found = sms.described(owner, kind, arns)
    return [arn for arn in arns if arn not in found]


def _organization_checks(migration: Migration, checked: Checked, reasons: list[str], warnings: list[str]) -> None:
    request = migration.request
    owner = migration.owner()
    kinds = {principal_kind(p) for p in request.principals}
    if kinds & {"OU", "ORGANIZATION"}:
        enabled = checked.read("organization-sharing", lambda: ram.organization_sharing_enabled(owner))
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
    pending = checked.read("pending-invitations", lambda: ram.pending_invitations(owner))
    if pending + accounts > PENDING_INVITATION_LIMIT:
        message = (
            f"{pending} invitations already pending and up to {accounts} new ones would exceed RAM's limit of "
            f"{PENDING_INVITATION_LIMIT} pending invitations per account"
        )
        (reasons if pending >= PENDING_INVITATION_LIMIT else warnings).append(message)
