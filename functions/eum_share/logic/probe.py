"""DryRun probes: can a consumer send with an identity? Shared by the batch loop and the final verification.

A DryRun send is checked and validated like a real one and not sent (no charge). The consumer names the
identity by its full ARN and sends through its own recreated configuration set, as it will in production.

What a refusal means decides what happens next. Only an identity the consumer cannot see or may not use is
RAM's to repair (disassociate, reassociate). Everything else is a problem of the consumer's account, of the
identity itself or of the probe, which no repair can fix: it is reported per consumer and identity with the
action to take, and the identity stays shared. A refusal this table does not know is reported too, never
repaired: a repair takes the identity away from every consumer while it runs, a refusal it cannot fix comes
back after each attempt until the identity is marked FAILED, and a repair interrupted between its two steps
leaves a production number unshared. Whether an identity is shared at all is proved elsewhere (the consumers'
Owner=SHARED listings, the owner-side policy check); a refusal we cannot explain is worth a person's look,
not a number taken out of production.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from botocore.exceptions import ClientError

from eum_share.dal import artifacts, sms
from eum_share.dal.accounts import Clients
from eum_share.dal.throttling import THROTTLING_CODES
from eum_share.errors import AwsThrottled
from eum_share.models.configuration import ConfigurationOutcome
from eum_share.models.inventory import Identity
from eum_share.models.request import ResourceType

# Destinations for DryRun probes. Where End User Messaging has a destination simulator number, its "Success"
# number: "The simulator phone numbers are designed to stay within AWS End User Messaging SMS, so that messages
# are not sent over the carrier network." ("Simulator phone numbers in AWS End User Messaging SMS",
# https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html, "Destination simulator phone
# numbers"). Jersey's is a +44 number: the table lists it under Jersey.
SIMULATOR_DESTINATIONS = {
    "AU": "+61455944038",
    "AT": "+43676800442031",
    "BE": "+32460213922",
    "CL": "+56229140630",
    "CZ": "+420790542286",
    "DK": "+4525919410",
    "EE": "+37282720792",
    "FI": "+3584573979110",
    "FR": "+33755512501",
    "HK": "+85257048426",
    "HU": "+36707178770",
    "IT": "+394390009172",
    "JE": "+447937404990",
    "LU": "+352691385880",
    "NL": "+3197008100148",
    "NO": "+4759449384",
    "PL": "+48732141440",
    "PT": "+351927946948",
    "RO": "+40783900330",
    "ES": "+34683783440",
    "SE": "+46790645100",
    "CH": "+41798075872",
    "TW": "+886903444630",
    "GB": "+447860019066",
    "US": "+14254147755",
}
# Countries without a simulator number: a well-formed mobile number of the country. A DryRun delivers nothing,
# but it may validate the destination like a real send and refuse it; such a refusal is the probe's, reported,
# never repaired (docs/aws-assumptions.md, "DryRun probe destinations").
OTHER_DESTINATIONS = {
    "CA": "+16135550100",
    "DE": "+4915510000000",
    "IN": "+919000000000",
    "JP": "+819000000000",
    "BR": "+5511900000000",
    "SG": "+6580000000",
    "MX": "+525500000000",
    "CN": "+8613000000000",
}
DESTINATIONS = SIMULATOR_DESTINATIONS | OTHER_DESTINATIONS
SENDERS = (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID, ResourceType.POOL)


class Probe(StrEnum):
    SENT = "SENT"  # the DryRun went through: the consumer can send with the identity
    REFUSED = "REFUSED"  # the consumer cannot see or may not use the identity: RAM's to repair
    BLOCKED = "BLOCKED"  # the consumer's own protect configuration is in the way
    CONSUMER = "CONSUMER"  # the consumer's account, the identity or the probe is in the way: reported, not repaired
    UNKNOWN = "UNKNOWN"  # a refusal this table does not know: reported, not repaired


# Every reason of ConflictException, ValidationException, ServiceQuotaExceededException and AccessDeniedException in
# botocore's pinpoint-sms-voice-v2 model (SendTextMessage's documented errors), with what it means for a probe
# and the action to take. Reasons that belong to other operations are listed in NOT_FROM_SENDING.
ACCOUNT_CAN_SEND = "Ask AWS Support to enable sending to this country for the consumer's account"
ASK_SUPPORT = "Open an AWS Support case for the consumer's account"
CHECK_IDENTITY = "Check the identity in the owner account: it cannot send to this country as it is"
PROBE_REFUSED = "The probe's request was refused, not the identity: confirm with a real test send from the consumer"
REGISTER = "Register the sender for the destination country in the account that sends (registrations are not shared)"
SPEND = "Raise the consumer's monthly spend limit (Service Quotas, or SetTextMessageSpendLimitOverride)"

REASONS: dict[tuple[str, str], tuple[Probe, str]] = {
    # ConflictException
    ("ConflictException", "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"): (
        Probe.BLOCKED,
        "Allow the country in the consumer's protect configurations (account default, configuration set, message) "
        "if it should send there",
    ),
    ("ConflictException", "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE"): (
        Probe.BLOCKED,
        "Remove the probe destination from the consumer's protect number overrides if it should send there",
    ),
    ("ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT"): (
        Probe.CONSUMER,
        "The probe destination is in the identity's opt-out list; nothing to repair (remove it from the list "
        "only if it was added by mistake)",
    ),
    ("ConflictException", "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"): (
        Probe.CONSUMER,
        "Move the consumer's account out of the SMS sandbox (production access)",
    ),
    ("ConflictException", "NUMBER_CAPABILITIES_MISMATCH"): (Probe.CONSUMER, "The identity cannot send SMS"),
    ("ConflictException", "MESSAGE_TYPE_MISMATCH"): (
        Probe.CONSUMER,
        "Send with a message type the identity supports (the consumer's configuration set default)",
    ),
    ("ConflictException", "RESOURCE_NOT_ACTIVE"): (
        Probe.CONSUMER,
        "The identity is not ACTIVE in the owner account: check its status there",
    ),
    ("ConflictException", "NO_ORIGINATION_IDENTITIES_FOUND"): (
        Probe.CONSUMER,
        "No member of the pool can send to this country for the consumer: check the pool's members are shared "
        "and can send there",
    ),
    ("ConflictException", "NOTIFY_CONFIGURATION_NOT_ACTIVE"): (Probe.CONSUMER, PROBE_REFUSED),
    # ValidationException
    ("ValidationException", "DESTINATION_COUNTRY_BLOCKED"): (Probe.CONSUMER, ACCOUNT_CAN_SEND),
    ("ValidationException", "COUNTRY_NOT_ENABLED"): (Probe.CONSUMER, ACCOUNT_CAN_SEND),
    ("ValidationException", "CHANNEL_NOT_ENABLED"): (Probe.CONSUMER, ACCOUNT_CAN_SEND),
    ("ValidationException", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY"): (Probe.CONSUMER, CHECK_IDENTITY),
    ("ValidationException", "INTERNATIONAL_SENDING_NOT_SUPPORTED"): (Probe.CONSUMER, CHECK_IDENTITY),
    ("ValidationException", "COUNTRY_CODE_MISMATCH"): (Probe.CONSUMER, CHECK_IDENTITY),
    ("ValidationException", "SENDER_ID_NOT_SUPPORTED"): (Probe.CONSUMER, CHECK_IDENTITY),
    ("ValidationException", "SENDER_ID_NOT_REGISTERED"): (Probe.CONSUMER, REGISTER),
    ("ValidationException", "SENDER_ID_REQUIRES_REGISTRATION"): (Probe.CONSUMER, REGISTER),
    ("ValidationException", "RESOURCE_NOT_ACCESSIBLE"): (
        Probe.CONSUMER,
        "Check the identity is in the share and its policy grants the consumer SendTextMessage; repair it by hand "
        "if not",
    ),
    ("ValidationException", "PRICE_OVER_THRESHOLD"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "CANNOT_PARSE"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "FIELD_VALIDATION_FAILED"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "INVALID_ARN"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "INVALID_PARAMETER"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "INVALID_REQUEST"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "MAXIMUM_SIZE_EXCEEDED"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "MISSING_PARAMETER"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "PARAMETERS_CANNOT_BE_USED_TOGETHER"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "UNSPECIFIED_PARAMETER_NOT_SUPPORTED"): (Probe.CONSUMER, PROBE_REFUSED),
    ("ValidationException", "OTHER"): (Probe.CONSUMER, PROBE_REFUSED),
    # ServiceQuotaExceededException: the sender pays ("Consuming accounts are billed for their usage of those
    # shared resources", A Complete Guide to Resource Sharing for AWS End User Messaging), so its limits count.
    ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"): (Probe.CONSUMER, SPEND),
    ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_MEDIA"): (Probe.CONSUMER, SPEND),
    ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE"): (Probe.CONSUMER, SPEND),
    ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_RCS"): (Probe.CONSUMER, SPEND),
    ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_NOTIFY"): (Probe.CONSUMER, SPEND),
    ("ServiceQuotaExceededException", "DAILY_DESTINATION_CALL_LIMIT"): (
        Probe.CONSUMER,
        "A daily limit of the consumer's account is reached: verify again tomorrow",
    ),
    ("ServiceQuotaExceededException", "DAILY_NOTIFY_TIER_MESSAGE_LIMIT"): (
        Probe.CONSUMER,
        "A daily limit of the consumer's account is reached: verify again tomorrow",
    ),
    # AccessDeniedException with a reason is about the consumer's account, not the identity.
    ("AccessDeniedException", "INSUFFICIENT_ACCOUNT_REPUTATION"): (Probe.CONSUMER, ASK_SUPPORT),
    ("AccessDeniedException", "ACCOUNT_DISABLED"): (Probe.CONSUMER, ASK_SUPPORT),
}
# Reasons of those exceptions that answer other operations (registrations, keywords, pools, releases, voice,
# media, verification, listings, account quotas). From SendTextMessage they are unknown refusals.
NOT_FROM_SENDING: dict[str, frozenset[str]] = {
    "ConflictException": frozenset(
        {
            "CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
            "DELETION_PROTECTION_ENABLED",
            "DISASSOCIATE_REGISTRATION_NOT_ALLOWED",
            "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED",
            "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED",
            "EVENT_DESTINATION_MISMATCH",
            "KEYWORD_MISMATCH",
            "LAST_PHONE_NUMBER",
            "OPT_OUT_LIST_MISMATCH",
            "PHONE_NUMBER_ASSOCIATED_TO_POOL",
            "PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION",
            "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL",
            "PHONE_NUMBER_NOT_IN_REGISTRATION_REGION",
            "REGISTRATION_ALREADY_SUBMITTED",
            "REGISTRATION_NOT_COMPLETE",
            "RESOURCE_ALREADY_ASSOCIATED",
            "SENDER_ID_ASSOCIATED_TO_POOL",
            "RCS_AGENT_ASSOCIATED_TO_POOL",
            "POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION",
            "RESOURCE_ALREADY_EXISTS",
            "RESOURCE_DELETION_NOT_ALLOWED",
            "RESOURCE_MODIFICATION_NOT_ALLOWED",
            "RESOURCE_NOT_EMPTY",
            "SELF_MANAGED_OPT_OUTS_MISMATCH",
            "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
            "TWO_WAY_CONFIG_MISMATCH",
            "VERIFICATION_CODE_EXPIRED",
            "VERIFICATION_ALREADY_COMPLETE",
            "PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT",
            "PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET",
            "PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET",
            "RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE",
        }
    ),
    "ValidationException": frozenset(
        {
            "CANNOT_ADD_OPTED_OUT_NUMBER",
            "ATTACHMENT_TYPE_NOT_SUPPORTED",
            "INVALID_FILTER_VALUES",
            "INVALID_NEXT_TOKEN",
            "INVALID_REGISTRATION_ASSOCIATION",
            "MEDIA_TYPE_NOT_SUPPORTED",
            "PHONE_NUMBER_CANNOT_BE_OPTED_IN",
            "PHONE_NUMBER_CANNOT_BE_RELEASED",
            "REQUESTED_SPEND_LIMIT_HIGHER_THAN_SERVICE_LIMIT",
            "TWO_WAY_TOPIC_NOT_PRESENT",
            "TWO_WAY_NOT_ENABLED",
            "TWO_WAY_NOT_SUPPORTED_IN_COUNTRY",
            "TWO_WAY_NOT_SUPPORTED_IN_REGION",
            "TWO_WAY_CHANNEL_NOT_PRESENT",
            "UNKNOWN_REGISTRATION_FIELD",
            "UNKNOWN_REGISTRATION_SECTION",
            "UNKNOWN_REGISTRATION_TYPE",
            "UNKNOWN_REGISTRATION_VERSION",
            "UNKNOWN_OPERATION",
            "REGISTRATION_FIELD_CANNOT_BE_DELETED",
            "VERIFICATION_CODE_MISMATCH",
            "VOICE_CAPABILITY_NOT_AVAILABLE",
        }
    ),
    "ServiceQuotaExceededException": frozenset(
        {
            "ASSOCIATIONS_PER_REGISTRATION",
            "CONFIGURATION_SETS_PER_ACCOUNT",
            "EVENT_DESTINATIONS_PER_CONFIGURATION_SET",
            "KEYWORDS_PER_PHONE_NUMBER",
            "KEYWORDS_PER_POOL",
            "NOTIFY_CONFIGURATIONS_PER_ACCOUNT",
            "OPT_OUT_LISTS_PER_ACCOUNT",
            "ORIGINATION_IDENTITIES_PER_POOL",
            "PHONE_NUMBERS_PER_ACCOUNT",
            "PHONE_NUMBERS_PER_REGISTRATION",
            "POOLS_PER_ACCOUNT",
            "RCS_AGENTS_PER_ACCOUNT",
            "REGISTRATION_ATTACHMENTS_CREATED_PER_DAY",
            "REGISTRATION_ATTACHMENTS_PER_ACCOUNT",
            "REGISTRATION_VERSIONS_CREATED_PER_DAY",
            "REGISTRATIONS_PER_ACCOUNT",
            "SENDER_IDS_PER_ACCOUNT",
            "TAGS_PER_RESOURCE",
            "VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT",
            "VERIFICATION_ATTEMPTS_PER_DAY",
            "PROTECT_CONFIGURATIONS_PER_ACCOUNT",
        }
    ),
    "AccessDeniedException": frozenset(),
}
UNKNOWN_ACTION = "An unexpected refusal: look at it in the consumer's account; the identity was left shared"
# A ResourceNotFoundException names the resource it could not find: one of these is the identity (or a pool's
# member) the consumer cannot see, which RAM repairs; any other (the consumer's configuration set...) is its own.
IDENTITY_RESOURCE_TYPES = frozenset({"phone-number", "sender-id", "pool", "opt-out-list"})
CONFIGURATION_MISSING = "Run the migration again: the consumer's configuration set for probes is missing"
# InternalServerException: "You might be able to successfully issue the request again in the future."
WAIT_CODES = THROTTLING_CODES | {"InternalServerException"}


@dataclass(frozen=True)
class Verdict:
    outcome: Probe
    problem: str = ""  # what AWS answered: code, reason and message
    action: str = ""  # what to do about it (empty when SENT or REFUSED: the batch loop repairs)


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
    """The number a probe sends to in that country (a simulator number where there is one), else the US one."""
    return DESTINATIONS.get(iso_country or "US", DESTINATIONS["US"])


def classify(error: ClientError) -> Verdict:
    """What a refused DryRun means; throttling and server errors are raised (the state machine retries them)."""
    code = error.response.get("Error", {}).get("Code", "")
    reason = str(error.response.get("Reason") or "")
    message = error.response.get("Error", {}).get("Message", "")
    problem = " ".join(part for part in (code, reason) if part) + (f": {message}" if message else "")
    if code in THROTTLING_CODES:
        raise error
    if code in WAIT_CODES:
        raise AwsThrottled(f"SendTextMessage DryRun: {problem}") from error
    if code == "ResourceNotFoundException":
        missing = error.response.get("ResourceType", "phone-number")
        if missing in IDENTITY_RESOURCE_TYPES:
            return Verdict(Probe.REFUSED, problem)
        if missing == "configuration-set":
            return Verdict(Probe.CONSUMER, problem, CONFIGURATION_MISSING)
        return Verdict(Probe.UNKNOWN, problem, UNKNOWN_ACTION)
    if code == "AccessDeniedException" and not reason:
        return Verdict(Probe.REFUSED, problem)  # the identity's policy does not let the consumer use it
    outcome, action = REASONS.get((code, reason), (Probe.UNKNOWN, UNKNOWN_ACTION))
    return Verdict(outcome, problem, action)


def check(consumer: Clients, arn: str, to: str, configuration: str | None) -> Verdict:
    """DryRun-send with the identity, and what the answer means."""
    try:
        sms.dry_run_send(consumer, arn, to, configuration)
    except ClientError as error:
        return classify(error)
    return Verdict(Probe.SENT)


def probe(consumer: Clients, arn: str, to: str, configuration: str | None) -> tuple[Probe, str]:
    """DryRun-send with the identity: the outcome and what AWS answered; throttling is raised."""
    verdict = check(consumer, arn, to, configuration)
    return verdict.outcome, verdict.problem
