"""The inventory of a migration: the identities to share, what RAM cannot share, and what people must do.

What counts as "what RAM cannot share" and as a manual action follows AWS's resource sharing guide
(configuration sets, event destinations, protect configurations, message template registrations,
country-specific allowlists and account-level settings stay with the account that made them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from eum_share.dal.accounts import Clients
from eum_share.errors import ConfigurationSetsNotFound, InvalidRequest, ResourcesNotOwned
from eum_share.logic.inventory_reads import OwnerReads
from eum_share.models.identifiers import SMS_ARN
from eum_share.models.inventory import (
    ConfigurationSetItem,
    Identity,
    IdentityDetails,
    Inventory,
    ManualAction,
    ProtectConfigurationItem,
    SelectedBy,
    SkippedIdentity,
)
from eum_share.models.request import MigrationRequest, Resources, ResourceType, Selection

# Members before the pools and opt-out lists that hold them, as they must be associated.
_TYPE_ORDER = {
    kind: index
    for index, kind in enumerate(
        (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID, ResourceType.POOL, ResourceType.OPT_OUT_LIST)
    )
}
_USES_OPT_OUT_LISTS = (ResourceType.PHONE_NUMBER, ResourceType.POOL)
# Statuses in which an identity is not ready to be shared and used: every NumberStatus and PoolStatus of botocore's
# model but ACTIVE. Sender IDs and opt-out lists have no status.
_NOT_READY = {
    ResourceType.PHONE_NUMBER: frozenset({"PENDING", "ASSOCIATING", "DISASSOCIATING", "DELETED"}),
    ResourceType.POOL: frozenset({"CREATING", "DELETING"}),
}
_SENDS = (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID)

REGISTRATION = "REGISTRATION"
CHINA_ALLOWLIST = "CHINA_ALLOWLIST"
SPEND_LIMIT = "SPEND_LIMIT"

# Countries whose message templates are registered per account through AWS Support. The sharing guide
# names China and gives "15 or more days"; the v2 migration guide adds India and gives no lead time.
TEMPLATE_COUNTRIES: dict[str, str | None] = {"CN": "15+ days", "IN": None}
# What a new account may spend per month and kind of message before it asks for more.
DEFAULT_MONTHLY_SPEND_LIMIT_USD = 1
# Registrations in these states no longer let anyone send.
_ENDED_REGISTRATIONS = frozenset({"CLOSED", "DELETED"})


def take_inventory(request: MigrationRequest, owner: Clients | OwnerReads, consumers: list[str]) -> Inventory:
    """Everything the migration shares, recreates or leaves to people, read from the owner account (through
    OwnerReads, so that an inventory that stops half way goes on from what it read).

    Raises ResourcesNotOwned when selected ARNs are not the owner's own, InvalidRequest when an ARN the request
    names cannot be shared now (see `_skipped`), and ConfigurationSetsNotFound when the request names
    configuration sets the owner does not have.
    """
    if not isinstance(owner, OwnerReads):
        owner = OwnerReads(owner)
    configuration = request.configuration
    # First, so that a misnamed configuration set fails before thousands of identities are read.
    sets = _configuration_sets(configuration.configuration_sets, owner)
    protects = _chosen_protect_configurations(configuration.protect_configurations, sets, owner)
    owner.read_ahead(_pools_surely_held(request.resources, owner), [str(p["ProtectConfigurationId"]) for p in protects])
    identities, skipped = _identities(request.resources, owner)
    registrations = owner.registrations()
    spend_limits = owner.spend_limits()
    return Inventory(
        owner=request.owner.account_id,
        region=request.region,
        account_tier=owner.account_attributes().get("ACCOUNT_TIER", "UNKNOWN"),
        identities=identities,
        skipped=skipped,
        configuration_sets=sets,
        protect_configurations=_protect_configurations(protects, owner),
        spend_limits=spend_limits,
        registrations=registrations,
        manual_actions=manual_actions(consumers, identities, registrations, spend_limits),
    )


# -- identities ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Owned:
    """One identity as the owner's listing describes it."""

    arn: str
    type: ResourceType
    id: str
    iso_country: str | None = None
    opt_out_list_name: str | None = None  # phone numbers and pools only
    status: str | None = None  # phone numbers and pools only
    details: IdentityDetails = field(default_factory=IdentityDetails)

    @property
    def not_ready(self) -> bool:
        return self.status in _NOT_READY.get(self.type, ())


def _phone_number_id(number: dict[str, Any]) -> str:
    """PhoneNumberId is not a required member of PhoneNumberInformation; the ARN always ends with it."""
    return str(number.get("PhoneNumberId") or number["PhoneNumberArn"].rsplit("/", 1)[-1])


def _owned_identities(owner: OwnerReads) -> dict[str, _Owned]:
    found = [
        *(
            _Owned(
                p["PhoneNumberArn"],
                ResourceType.PHONE_NUMBER,
                _phone_number_id(p),
                p.get("IsoCountryCode"),
                p.get("OptOutListName"),
                p.get("Status"),
                _number_details(p),
            )
            for p in owner.phone_numbers()
        ),
        *(
            _Owned(
                s["SenderIdArn"],
                ResourceType.SENDER_ID,
                s["SenderId"],
                s.get("IsoCountryCode"),
                # SenderIdInformation has no capabilities: an alphanumeric sender sends text only.
                details=IdentityDetails(message_types=list(s.get("MessageTypes", [])), capabilities=["SMS"]),
            )
            for s in owner.sender_ids()
        ),
        *(
            _Owned(
                p["PoolArn"],
                ResourceType.POOL,
                p["PoolId"],
                opt_out_list_name=p.get("OptOutListName"),
                status=p["Status"],
                details=IdentityDetails(
                    message_types=[p["MessageType"]] if p.get("MessageType") else [], two_way=p.get("TwoWayEnabled")
                ),
            )
            for p in owner.pools()
        ),
        *(_Owned(o["OptOutListArn"], ResourceType.OPT_OUT_LIST, o["OptOutListName"]) for o in owner.opt_out_lists()),
    ]
    return {item.arn: item for item in found}


def _number_details(number: dict[str, Any]) -> IdentityDetails:
    return IdentityDetails(
        phone_number=number.get("PhoneNumber"),
        number_type=number.get("NumberType"),
        message_types=[number["MessageType"]] if number.get("MessageType") else [],
        capabilities=list(number.get("NumberCapabilities", [])),
        two_way=number.get("TwoWayEnabled"),
        international_sending=number.get("InternationalSendingEnabled"),
    )


def _selected(resources: Resources, owned: dict[str, _Owned], owner: OwnerReads) -> set[str]:
    """The ARNs the request chooses, of the request's types, whichever way it chooses them."""
    if resources.select is Selection.ARNS:
        missing = [arn for arn in resources.arns if arn not in owned]
        if missing:
            raise ResourcesNotOwned(missing)
    candidates = resources.arns if resources.select is Selection.ARNS else owned
    chosen = sorted(arn for arn in candidates if owned[arn].type in resources.types)
    if resources.select is Selection.TAGS:
        # Tags are read only for identities of the wanted types: one call per identity.
        chosen = [arn for arn in chosen if _carries(owner.resource_tags(arn), resources.tags)]
    return set(chosen)


def _pools_surely_held(resources: Resources, owner: OwnerReads) -> list[str]:
    """IDs of the pools whose members the migration needs, as far as the pools' and opt-out lists' listings tell:
    those the request chooses (by ARN or by type), and those using an opt-out list it chooses. A selection by tags
    is known only once every identity's tags are read: none then."""
    if resources.select is Selection.TAGS:
        return []
    named = set(resources.arns) if resources.select is Selection.ARNS else None

    def chosen(arn: str, kind: ResourceType) -> bool:
        return kind in resources.types and (named is None or arn in named)

    lists = {
        o["OptOutListName"] for o in owner.opt_out_lists() if chosen(o["OptOutListArn"], ResourceType.OPT_OUT_LIST)
    }
    return [
        p["PoolId"]
        for p in owner.pools()
        if chosen(p["PoolArn"], ResourceType.POOL) or p.get("OptOutListName") in lists
    ]


def _carries(tags: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(tags.get(key) == value for key, value in wanted.items())


@dataclass
class _Closure:
    """The selection and everything its pools and opt-out lists hold."""

    owned: dict[str, _Owned]
    selected: set[str]
    brought_by: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pool_members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def bring_opt_out_list_users(self) -> None:
        users: defaultdict[str, list[str]] = defaultdict(list)
        for item in self.owned.values():
            if item.type in _USES_OPT_OUT_LISTS and item.opt_out_list_name is not None:
                users[item.opt_out_list_name].append(item.arn)
        for arn in sorted(self.selected):
            if self.owned[arn].type is ResourceType.OPT_OUT_LIST:
                for user in users[self.owned[arn].id]:
                    self.brought_by[user].add(arn)

    def bring_pool_members(self, owner: OwnerReads) -> None:
        """Runs after the opt-out lists, so a pool they brought brings its members too."""
        pools = sorted(arn for arn in self.arns() if self.owned[arn].type is ResourceType.POOL)
        for pool in pools:
            members = owner.pool_members(self.owned[pool].id)
            self.pool_members[pool] = members
            for member in members:
                arn = member["OriginationIdentityArn"]
                self.owned.setdefault(arn, _member(member))
                self.brought_by[arn].add(pool)

    def arns(self) -> set[str]:
        return self.selected | set(self.brought_by)

    def held_by(self, arn: str) -> list[str]:
        """A pool's members, an opt-out list's users (phone numbers and pools) in the closure; nothing otherwise."""
        item = self.owned[arn]
        if item.type is ResourceType.POOL:
            return sorted(m["OriginationIdentityArn"] for m in self.pool_members[arn])
        if item.type is ResourceType.OPT_OUT_LIST:
            return sorted(
                user
                for user in self.arns()
                if self.owned[user].type in _USES_OPT_OUT_LISTS and self.owned[user].opt_out_list_name == item.id
            )
        return []


def _member(member: dict[str, Any]) -> _Owned:
    """A pool member the owner's listing did not show (it changed between the two reads)."""
    match = SMS_ARN.fullmatch(member["OriginationIdentityArn"])
    kind = ResourceType.PHONE_NUMBER if match and match["kind"] == "phone-number" else ResourceType.SENDER_ID
    details = IdentityDetails(
        phone_number=member.get("PhoneNumber"), capabilities=list(member.get("NumberCapabilities", []))
    )
    return _Owned(
        member["OriginationIdentityArn"], kind, member["OriginationIdentity"], member["IsoCountryCode"], details=details
    )


def _identities(resources: Resources, owner: OwnerReads) -> tuple[list[Identity], list[SkippedIdentity]]:
    """The selected identities and what their pools and opt-out lists hold, members first; and those skipped.

    A shared pool or opt-out list works only when every member is in the same resource share, so a selected
    pool brings all its phone numbers and sender IDs, and a selected opt-out list brings every phone number
    and pool using it (and those pools their members), even when the request's `types` leave them out.
    """
    owned = _owned_identities(owner)
    closure = _Closure(owned, _selected(resources, owned, owner))
    closure.bring_opt_out_list_users()
    closure.bring_pool_members(owner)
    skipped = _skipped(closure)
    named = sorted(arn for arn in skipped if resources.select is Selection.ARNS and arn in closure.selected)
    if named:
        raise InvalidRequest([f"resources.arns: {arn} cannot be shared now: {skipped[arn]}" for arn in named])
    list_arns = {item.id: item.arn for item in owned.values() if item.type is ResourceType.OPT_OUT_LIST}
    ordered = sorted(closure.arns(), key=lambda arn: (_TYPE_ORDER[owned[arn].type], arn))
    return (
        [_identity(owned[arn], closure, list_arns) for arn in ordered if arn not in skipped],
        [SkippedIdentity(arn=arn, type=owned[arn].type, reason=skipped[arn]) for arn in ordered if arn in skipped],
    )


def _skipped(closure: _Closure) -> dict[str, str]:
    """ARN -> why it cannot be shared now: a phone number or pool that is not ready (its status says so); a pool or
    opt-out list holding one that is skipped, since it works only with all its members in the share; and what
    only skipped pools and opt-out lists brought in, which the request did not choose by itself."""
    arns = closure.arns()
    skipped = {
        arn: f"its status is {closure.owned[arn].status}, not ACTIVE; migrate it once it is ACTIVE"
        for arn in arns
        if closure.owned[arn].not_ready
    }
    for kind in (ResourceType.POOL, ResourceType.OPT_OUT_LIST):  # pools first: an opt-out list's users include pools
        for arn in sorted(a for a in arns if closure.owned[a].type is kind and a not in skipped):
            held = [member for member in closure.held_by(arn) if member in skipped]
            if held:
                skipped[arn] = f"it holds {', '.join(held)}, skipped; it works only with all its members shared"
    changed = True
    while changed:
        brought = [
            arn for arn in sorted(arns - closure.selected - skipped.keys()) if closure.brought_by[arn] <= skipped.keys()
        ]
        skipped |= {
            arn: f"only {', '.join(sorted(closure.brought_by[arn]))}, skipped, brought it in" for arn in brought
        }
        changed = bool(brought)
    return skipped


def _identity(item: _Owned, closure: _Closure, list_arns: dict[str, str]) -> Identity:
    selected = item.arn in closure.selected
    members: list[str] = []
    country = item.iso_country
    if item.type is ResourceType.POOL:
        members = closure.held_by(item.arn)
        countries = {m.get("IsoCountryCode") for m in closure.pool_members[item.arn]}
        country = countries.pop() if len(countries) == 1 else None
    elif item.type is ResourceType.OPT_OUT_LIST:
        members = closure.held_by(item.arn)
    return Identity(
        arn=item.arn,
        type=item.type,
        id=item.id,
        iso_country=country,
        members=members,
        opt_out_list=list_arns.get(item.opt_out_list_name) if item.opt_out_list_name else None,
        selected_by=SelectedBy.SELECTION if selected else SelectedBy.MEMBERSHIP,
        brought_by=[] if selected else sorted(closure.brought_by[item.arn]),
        details=item.details,
    )


# -- what RAM cannot share -------------------------------------------------------------------------------
def _configuration_sets(wanted: Literal["ALL", "NONE"] | list[str], owner: OwnerReads) -> list[ConfigurationSetItem]:
    if wanted == "NONE":
        return []
    found = {found["ConfigurationSetName"]: found for found in owner.configuration_sets()}
    names = sorted(found) if wanted == "ALL" else sorted(set(wanted))
    missing = [name for name in names if name not in found]
    if missing:
        raise ConfigurationSetsNotFound(missing)
    return [ConfigurationSetItem.from_api(found[name]) for name in names]


def _chosen_protect_configurations(
    include_all: bool, sets: list[ConfigurationSetItem], owner: OwnerReads
) -> list[dict[str, Any]]:
    """Every protect configuration when asked for, and always those the chosen configuration sets use:
    a set recreated without its protect configuration would send where the owner's set may not."""
    referenced = {s.protect_configuration_id for s in sets if s.protect_configuration_id}
    if not include_all and not referenced:
        return []
    chosen = [
        found
        for found in owner.protect_configurations()
        if include_all or found["ProtectConfigurationId"] in referenced
    ]
    return sorted(chosen, key=lambda p: str(p["ProtectConfigurationId"]))


def _protect_configurations(chosen: list[dict[str, Any]], owner: OwnerReads) -> list[ProtectConfigurationItem]:
    return [
        ProtectConfigurationItem(
            id=found["ProtectConfigurationId"],
            account_default=found["AccountDefault"],
            deletion_protection_enabled=found["DeletionProtectionEnabled"],
            country_rules=owner.country_rules(found["ProtectConfigurationId"]),
        )
        for found in chosen
    ]


# -- manual actions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Need:
    kind: str
    subject: str
    detail: str
    lead_time: str | None = None


def manual_actions(
    consumers: list[str],
    identities: list[Identity],
    registrations: list[dict[str, Any]],
    spend_limits: list[dict[str, Any]],
) -> list[ManualAction]:
    """What each consuming account needs that no API can give it, in the order consumers are listed.

    US registrations (10DLC, toll-free) need nothing here: the sharing guide presents sharing a
    pre-registered 10DLC number or sender ID as the way for an account without its own registration to
    start sending. Template registrations and country allowlists are the account's, not the identity's.
    Whether a consumer is still in the SMS sandbox cannot be read from the owner account, so it is
    left to the preflight that checks every consumer.
    """
    needs = [
        *_template_needs(identities, registrations),
        *_china_allowlist_needs(identities, registrations),
        *_spend_limit_needs(spend_limits),
    ]
    return [
        ManualAction(
            account=account,
            kind=need.kind,
            subject=need.subject,
            detail=need.detail,
            lead_time=need.lead_time,
        )
        for account in consumers
        for need in needs
    ]


def _registration_country(registration: dict[str, Any]) -> str | None:
    """The country a registration is for: registration types begin with it (US_TEN_DLC_BRAND_REGISTRATION)."""
    prefix = str(registration["RegistrationType"]).split("_", 1)[0]
    return prefix if len(prefix) == 2 and prefix.isalpha() and prefix.isupper() else None


def _live_registrations(registrations: list[dict[str, Any]], country: str) -> list[str]:
    return sorted(
        str(r["RegistrationId"])
        for r in registrations
        if _registration_country(r) == country and r.get("RegistrationStatus") not in _ENDED_REGISTRATIONS
    )


def _senders_for(identities: list[Identity], country: str) -> list[Identity]:
    return [i for i in identities if i.type in _SENDS and i.iso_country == country]


def _template_needs(identities: list[Identity], registrations: list[dict[str, Any]]) -> list[_Need]:
    needs = []
    for country, lead_time in sorted(TEMPLATE_COUNTRIES.items()):
        registered = _live_registrations(registrations, country)
        senders = _senders_for(identities, country)
        if not registered and not senders:
            continue
        timing = "" if lead_time else " AWS gives no lead time for it: allow adequate time before the cutover."
        needs.append(
            _Need(
                REGISTRATION,
                f"{country} message template registration",
                f"Message template registrations belong to an account, not to the origination identity, so "
                f"sharing does not carry them: submit this account's own registration for {country} through "
                f"AWS Support. Owner registrations: {', '.join(registered) or 'none'}; shared phone numbers "
                f"and sender IDs for {country}: {len(senders)}.{timing}",
                lead_time,
            )
        )
    return needs


def _china_allowlist_needs(identities: list[Identity], registrations: list[dict[str, Any]]) -> list[_Need]:
    senders = _senders_for(identities, "CN")
    if not senders and not _live_registrations(registrations, "CN"):
        return []
    return [
        _Need(
            CHINA_ALLOWLIST,
            "CN sending allowlist",
            "Country-specific allowlists belong to an account and are not shared: ask AWS Support to "
            f"allowlist this account for sending to China ({len(senders)} shared phone numbers and sender "
            "IDs for CN).",
        )
    ]


def _spend_limit_needs(spend_limits: list[dict[str, Any]]) -> list[_Need]:
    needs = []
    for limit in sorted(spend_limits, key=lambda found: str(found["Name"])):
        # Overridden says whether the owner chose a limit below its maximum; otherwise the maximum applies.
        in_force = limit["EnforcedLimit"] if limit["Overridden"] else limit["MaxLimit"]
        if in_force <= DEFAULT_MONTHLY_SPEND_LIMIT_USD:
            continue
        needs.append(
            _Need(
                SPEND_LIMIT,
                str(limit["Name"]),
                f"The owner may spend {in_force} USD a month; a new account starts at "
                f"{DEFAULT_MONTHLY_SPEND_LIMIT_USD} USD and spend limits are not shared. Raise this "
                "account's limit to cover what it will send with the shared identities.",
            )
        )
    return needs
