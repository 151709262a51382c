"""DryRun probes: can a consumer send with an identity? Shared by the batch loop and the final verification.

A DryRun send is checked and validated like a real one and not sent (no charge). The consumer names the
identity by its full ARN and sends through its own recreated configuration set, as it will in production.
"""

from __future__ import annotations

from enum import StrEnum

from botocore.exceptions import ClientError

from eum_share.dal import artifacts, sms
from eum_share.dal.accounts import Clients
from eum_share.models.configuration import ConfigurationOutcome
from eum_share.models.inventory import Identity
from eum_share.models.request import ResourceType

BLOCKED_BY_PROTECT = "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
# Destinations for DryRun probes: numbers reserved for fiction or testing where the country has them.
TEST_DESTINATIONS = {
    "US": "+12065550100",
    "CA": "+16135550100",
    "GB": "+447700900100",
    "AU": "+61491570156",
    "DE": "+4915510000000",
    "FR": "+33639980000",
    "IN": "+919000000000",
    "JP": "+819000000000",
    "BR": "+5511900000000",
    "SG": "+6580000000",
    "MX": "+525500000000",
    "ES": "+34600000000",
    "IT": "+393000000000",
    "NL": "+31600000000",
}
SENDERS = (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID, ResourceType.POOL)


class Probe(StrEnum):
    SENT = "SENT"  # the DryRun went through: the consumer can send with the identity
    BLOCKED = "BLOCKED"  # only a protect configuration of the consumer is in the way
    REFUSED = "REFUSED"  # the consumer cannot send with it


def configuration_outcome_key(account: str) -> str:
    return f"configuration/{account}.json"


def configuration_set(bucket: str, key: str) -> str | None:
    """The consumer's own configuration set for probes, as RecreateConfiguration recorded it (None: none)."""
    if not artifacts.exists(bucket, key):
        return None
    return artifacts.get_model(bucket, key, ConfigurationOutcome).dry_run_configuration_set


def country(identity: Identity | None, inventory: dict[str, Identity]) -> str | None:
    """The country an identity sends to: its own, or a pool's members'."""
    found = identity.iso_country if identity else None
    if identity is not None and found is None:
        members = [inventory[m] for m in identity.members if m in inventory]
        found = next((m.iso_country for m in members if m.iso_country), None)
    return found


def destination(iso_country: str | None) -> str:
    """A test number in that country, else the US one."""
    return TEST_DESTINATIONS.get(iso_country or "US", TEST_DESTINATIONS["US"])


def probe(consumer: Clients, arn: str, to: str, configuration: str | None) -> tuple[Probe, str]:
    """DryRun-send with the identity; throttling is raised (the state machine retries it)."""
    try:
        sms.dry_run_send(consumer, arn, to, configuration)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        reason = error.response.get("Reason") or ""
        if code == "ThrottlingException":
            raise
        if code == "ConflictException" and reason == BLOCKED_BY_PROTECT:
            return Probe.BLOCKED, f"DryRun to {to} blocked by a protect configuration"
        return Probe.REFUSED, f"{code} {reason}".strip()
    return Probe.SENT, ""
