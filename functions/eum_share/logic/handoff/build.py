"""The handoff of one consuming account, built from what the migration knows and what the account showed.

Pure: every AWS read is done by the caller and passed in (`AccountView`), so a dry run's preview and a
finished migration's handoff are built the same way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from eum_share.logic.inventory import CHINA_ALLOWLIST, SPEND_LIMIT
from eum_share.logic.probe import SENDERS, country, destination
from eum_share.logic.usability import IdentityUse, uses
from eum_share.logic.verify import ConsumerProgress
from eum_share.models.configuration import ConfigItemKind, ConfigItemStatus, ConfigurationOutcome
from eum_share.models.handoff import (
    AccountTask,
    ConfigurationLine,
    Handoff,
    HandoffIdentity,
    HandoffState,
    SpendLimitLine,
)
from eum_share.models.inventory import Identity, Inventory
from eum_share.models.ledger import IdentityRecord
from eum_share.models.request import ResourceType

NUMBER_TYPES = {
    "TOLL_FREE": "toll-free",
    "TEN_DLC": "10DLC",
    "LONG_CODE": "long code",
    "SHORT_CODE": "short code",
    "SIMULATOR": "simulator",
}
TYPES = {
    ResourceType.PHONE_NUMBER: "phone number",
    ResourceType.SENDER_ID: "sender ID",
    ResourceType.POOL: "pool",
    ResourceType.OPT_OUT_LIST: "opt-out list",
}
CAPABILITY_ORDER = ("SMS", "VOICE", "MMS", "RCS")
# The send action each capability needs on the identity (the IAM action names of End User Messaging SMS).
SEND_ACTIONS = {
    "SMS": "sms-voice:SendTextMessage",
    "VOICE": "sms-voice:SendVoiceMessage",
    "MMS": "sms-voice:SendMediaMessage",
}
NOT_VISIBLE = "not visible under Owner=SHARED in this account at the end of the migration"
NOT_VISIBLE_ACTION = (
    "If the account has a pending invitation to the share, accept it (AWS RAM); otherwise ask the owner's team "
    "to run the migration again: it repairs what a consumer cannot see"
)
SANDBOX = "SANDBOX"
# Sandbox: "While in the SMS sandbox, accounts can only send messages to verified destination phone numbers"
# (A Complete Guide to Resource Sharing for AWS End User Messaging).
SANDBOX_DETAIL = (
    "This account is in the SMS sandbox (the owner's is {owner}): it can send only to verified destination phone "
    "numbers, so the shared identities cannot reach real recipients from here. Request production access with an "
    "AWS Support case for this account."
)
CHINA_REFUSAL = " Until it is done, sends from this account to China fail with DESTINATION_COUNTRY_BLOCKED."
DEFAULTS_DETAIL = (
    "Account-level settings are not shared, and End User Messaging SMS keeps the default message type and sender ID "
    "on configuration sets (DefaultMessageType, DefaultSenderId), not on the account: send through {sets} to get "
    "the owner's defaults; a message sent without a configuration set gets neither, so name MessageType (and the "
    "sender) on each send."
)
NO_SETS_DETAIL = (
    "No configuration set was recreated here, and the default message type and sender ID live on configuration "
    "sets: name MessageType on each send, or create a configuration set with this account's defaults."
)
RCS_DETAIL = (
    "Pool {pool} holds RCS agents ({agents}); RCS agents are not shared with it, so when this account sends with "
    "the pool there is no RCS-to-SMS fallback: its messages go as SMS only."
)


@dataclass(frozen=True)
class AccountView:
    """What the consuming account showed from inside; None where it could not be read (or, in a dry run, where
    there is nothing to read yet)."""

    visible: set[str] | None = None
    account_tier: str | None = None
    spend_limits: list[dict[str, Any]] | None = None
    unreadable: str | None = None  # why the account could not be read, when it could not


@dataclass(frozen=True)
class HandoffInputs:
    migration_id: str
    account: str
    region: str
    name_prefix: str
    preview: bool
    inventory: Inventory
    records: dict[str, IdentityRecord]
    outcome: ConfigurationOutcome | None
    progress: ConsumerProgress | None = None  # the final verification from inside the account
    view: AccountView = field(default_factory=AccountView)


def build_handoff(given: HandoffInputs) -> Handoff:
    inventory = given.inventory
    rows = _rows(given)
    usable = [row for row in rows if row.state is not HandoffState.NOT_USABLE]
    configuration_set = _configuration_set(given)
    example = _example(usable, inventory)
    return Handoff(
        migration_id=given.migration_id,
        account=given.account,
        owner=inventory.owner,
        region=given.region,
        preview=given.preview,
        identities=usable,
        not_usable=[row for row in rows if row.state is HandoffState.NOT_USABLE],
        configuration=configuration_lines(given),
        configuration_set=configuration_set,
        example_identity=example.arn if example else None,
        example_destination=_destination(example, inventory) if example else None,
        cli_example=_cli(given.region, example, inventory, configuration_set) if example else None,
        boto3_example=_boto3(given.region, example, inventory, configuration_set) if example else None,
        iam_policies=iam_policies(usable, given.region, given.account, configuration_set),
        unreadable=given.view.unreadable,
        account_tier=given.view.account_tier,
        owner_account_tier=inventory.account_tier,
        spend_limits=_spend_limits(inventory.spend_limits, given.view.spend_limits),
        tasks=_tasks(given, usable),
    )


# -- what you can send with ----------------------------------------------------------------------------------
def _rows(given: HandoffInputs) -> list[HandoffIdentity]:
    """Every identity the migration shares with the account, with its state there. An identity the migration
    could not share (FAILED) is the owner's to deal with: the report lists it, the handoff does not."""
    inventory = given.inventory
    by_arn = inventory.by_arn()
    pools_of: dict[str, list[str]] = defaultdict(list)
    for identity in inventory.identities:
        if identity.type is ResourceType.POOL:
            for member in identity.members:
                pools_of[member].append(identity.id)
    use = {found.arn: found for found in uses(given.records.values(), given.progress)}
    rows = []
    for identity in inventory.identities:
        state, problem, action = _state(given, identity, use.get(identity.arn))
        if state is None:
            continue
        rows.append(_row(identity, by_arn, pools_of[identity.arn], state, problem, action))
    # As people look for them: by kind (phone numbers, sender IDs, pools, opt-out lists), type and name.
    kinds = list(TYPES)
    return sorted(rows, key=lambda row: (kinds.index(by_arn[row.arn].type), row.type, row.name))


def _state(
    given: HandoffInputs, identity: Identity, use: IdentityUse | None
) -> tuple[HandoffState | None, str | None, str | None]:
    """Usable as the report counts it (logic/usability), and still visible from inside the account now."""
    if given.preview:
        return HandoffState.PREVIEW, None, None
    if use is None:
        return None, None, None
    if given.view.visible is not None and identity.arn not in given.view.visible:
        return HandoffState.NOT_USABLE, NOT_VISIBLE, NOT_VISIBLE_ACTION
    if not use.usable:
        return HandoffState.NOT_USABLE, use.reason, use.action
    return HandoffState.USABLE, None, None


def _row(
    identity: Identity,
    by_arn: dict[str, Identity],
    pools: list[str],
    state: HandoffState,
    problem: str | None,
    action: str | None,
) -> HandoffIdentity:
    details = identity.details
    capabilities = details.capabilities
    two_way = details.two_way
    if identity.type is ResourceType.POOL:
        members = [by_arn[m] for m in identity.members if m in by_arn]
        capabilities = sorted({c for m in members for c in m.details.capabilities}, key=_capability_order)
    us_toll_free = details.number_type == "TOLL_FREE" and identity.iso_country == "US"
    return HandoffIdentity(
        name=human_name(identity),
        type=type_label(identity),
        iso_country=country(identity, by_arn) if identity.type is not ResourceType.OPT_OUT_LIST else None,
        message_types=list(details.message_types),
        capabilities=sorted(capabilities, key=_capability_order),
        two_way=two_way,
        international_sending=details.international_sending if us_toll_free else None,
        pools=sorted(pools),
        arn=identity.arn,
        state=state,
        problem=problem,
        action=action,
    )


def _capability_order(capability: str) -> int:
    return CAPABILITY_ORDER.index(capability) if capability in CAPABILITY_ORDER else len(CAPABILITY_ORDER)


def human_name(identity: Identity) -> str:
    """The E.164 number, the sender ID and its country, the pool's ID, the opt-out list's name."""
    if identity.type is ResourceType.PHONE_NUMBER:
        return identity.details.phone_number or identity.id
    if identity.type is ResourceType.SENDER_ID:
        return f"{identity.id} ({identity.iso_country})" if identity.iso_country else identity.id
    if identity.type is ResourceType.POOL:
        return f"pool {identity.id}"
    return identity.id


def type_label(identity: Identity) -> str:
    if identity.type is ResourceType.PHONE_NUMBER and identity.details.number_type:
        return NUMBER_TYPES.get(identity.details.number_type, identity.details.number_type.lower())
    return TYPES[identity.type]


# -- how to send ---------------------------------------------------------------------------------------------
def _configuration_set(given: HandoffInputs) -> str | None:
    """The account's own configuration set the examples send through: the one the migration's probes used, or in
    a dry run the first it would create."""
    if given.outcome is None:
        return None
    if given.outcome.dry_run_configuration_set:
        return given.outcome.dry_run_configuration_set
    sets = [i.name for i in given.outcome.items if i.kind is ConfigItemKind.CONFIGURATION_SET and i.status != "SKIPPED"]
    return sets[0] if sets else None


def _example(usable: list[HandoffIdentity], inventory: Inventory) -> HandoffIdentity | None:
    """A phone number that sends SMS if there is one, else any sender."""
    by_arn = inventory.by_arn()
    senders = [row for row in usable if by_arn[row.arn].type in SENDERS and "SMS" in row.capabilities]
    numbers = [row for row in senders if by_arn[row.arn].type is ResourceType.PHONE_NUMBER]
    chosen = numbers or senders
    return chosen[0] if chosen else None


def _destination(example: HandoffIdentity, inventory: Inventory) -> str:
    by_arn = inventory.by_arn()
    return destination(country(by_arn[example.arn], by_arn))


def _cli(region: str, example: HandoffIdentity, inventory: Inventory, configuration_set: str | None) -> str:
    lines = [
        "aws pinpoint-sms-voice-v2 send-text-message",
        f"--region {region}",
        f"--origination-identity {example.arn}",
        f"--destination-phone-number '{_destination(example, inventory)}'",
        "--message-body 'Hello from the shared identity'",
        *([f"--configuration-set-name {configuration_set}"] if configuration_set else []),
    ]
    return " \\\n  ".join(lines)


def _boto3(region: str, example: HandoffIdentity, inventory: Inventory, configuration_set: str | None) -> str:
    lines = [
        "import boto3",
        "",
        f'sms = boto3.client("pinpoint-sms-voice-v2", region_name="{region}")',
        "response = sms.send_text_message(",
        f'    OriginationIdentity="{example.arn}",',
        f'    DestinationPhoneNumber="{_destination(example, inventory)}",',
        '    MessageBody="Hello from the shared identity",',
        *([f'    ConfigurationSetName="{configuration_set}",'] if configuration_set else []),
        ")",
        'print(response["MessageId"])',
    ]
    return "\n".join(lines)


def iam_policies(
    usable: list[HandoffIdentity], region: str, account: str, configuration_set: str | None
) -> list[dict[str, Any]]:
    """What the account's application role needs: each send action on exactly the usable identities whose
    capabilities allow it, and on the account's configuration set the sends name. Identities that need the same
    actions share a statement; the statements are cut into documents that each fit an IAM managed policy."""
    grouped: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in usable:
        actions = tuple(action for capability, action in SEND_ACTIONS.items() if capability in row.capabilities)
        if actions and row.type != TYPES[ResourceType.OPT_OUT_LIST]:
            grouped[actions].append(row.arn)
    statements = []
    for actions, arns in sorted(grouped.items()):
        partition = arns[0].split(":")[1]
        extra = [f"arn:{partition}:sms-voice:{region}:{account}:configuration-set/{configuration_set}"]
        for part in _parts(sorted(arns), extra if configuration_set else []):
            statements.append({"Effect": "Allow", "Action": list(actions), "Resource": part})
    return _documents(statements)


# IAM: "The maximum character limit for managed policies is 6,144", and "IAM does not count white space when
# calculating the size of a policy" (docs/aws-assumptions.md, "A managed policy holds 6,144 characters"). A margin is
# kept for the document's own keys.
POLICY_CHARACTERS = 6_144
_STATEMENT_BUDGET = POLICY_CHARACTERS - 200


def _compact(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def _parts(arns: list[str], extra: list[str]) -> list[list[str]]:
    """The ARNs in groups whose statement fits one managed policy, each group with `extra` (the configuration set)."""
    parts: list[list[str]] = []
    current: list[str] = []
    for arn in arns:
        if current and _compact([*current, arn, *extra]) > _STATEMENT_BUDGET:
            parts.append(current + extra)
            current = []
        current.append(arn)
    return [*parts, current + extra] if current else parts


def _documents(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    documents: list[list[dict[str, Any]]] = []
    for statement in statements:
        if documents and _compact(documents[-1] + [statement]) <= _STATEMENT_BUDGET:
            documents[-1].append(statement)
        else:
            documents.append([statement])
    return [{"Version": "2012-10-17", "Statement": document} for document in documents]


# -- what replaces the owner's configuration ---------------------------------------------------------------------
def configuration_lines(given: HandoffInputs) -> list[ConfigurationLine]:
    """The configuration outcome, named from the owner's side: each owner item and what stands for it here. A
    configuration set's line says which protect configuration it uses here and its default message type and
    sender ID."""
    if given.outcome is None:
        return []
    copies = {
        item.name: item.consumer_id
        for item in given.outcome.items
        if item.kind is ConfigItemKind.PROTECT_CONFIGURATION and item.consumer_id
    }
    sources = {given.name_prefix + s.name: s for s in given.inventory.configuration_sets}
    lines = []
    for item in given.outcome.items:
        if item.kind in (ConfigItemKind.PROTECT_CONFIGURATION, ConfigItemKind.ACCOUNT_DEFAULT_PROTECT):
            lines.append(_line(item.kind, item.name, item.consumer_id, item.status, item.detail))
            continue
        owner_name = item.name
        if item.kind in (ConfigItemKind.CONFIGURATION_SET, ConfigItemKind.EVENT_DESTINATION):
            owner_name = item.name.removeprefix(given.name_prefix)
        detail = item.detail
        source = sources.get(item.name) if item.kind is ConfigItemKind.CONFIGURATION_SET else None
        if source is not None:
            uses = [
                f"default message type {source.default_message_type or 'none'}",
                f"default sender ID {source.default_sender_id or 'none'}",
            ]
            if source.protect_configuration_id:
                copy = copies.get(source.protect_configuration_id)
                uses.append(
                    f"protect configuration {copy}"
                    if copy
                    else f"a copy of protect configuration {source.protect_configuration_id}"
                )
            detail = "; ".join([part for part in (detail,) if part] + uses)
        lines.append(_line(item.kind, owner_name, item.name, item.status, detail))
    return lines


def _line(
    kind: ConfigItemKind, owner: str, here: str | None, status: ConfigItemStatus, detail: str
) -> ConfigurationLine:
    return ConfigurationLine(kind=kind, owner_name=owner, name=here, status=status, detail=detail)


# -- what only this account can do ---------------------------------------------------------------------------
def _in_force(limit: dict[str, Any]) -> float:
    """Overridden says whether a limit below the maximum was chosen; otherwise the maximum applies."""
    return float(limit["EnforcedLimit"] if limit["Overridden"] else limit["MaxLimit"])


def _spend_limits(owner: list[dict[str, Any]], account: list[dict[str, Any]] | None) -> list[SpendLimitLine]:
    owners = {str(limit["Name"]): _in_force(limit) for limit in owner}
    mine = {str(limit["Name"]): _in_force(limit) for limit in account or []}
    return [
        SpendLimitLine(name=name, owner_usd=owners.get(name), account_usd=mine.get(name))
        for name in sorted(owners.keys() | mine.keys())
    ]


def _tasks(given: HandoffInputs, usable: list[HandoffIdentity]) -> list[AccountTask]:
    view, inventory = given.view, given.inventory
    tasks = []
    if view.account_tier == SANDBOX:
        tasks.append(
            AccountTask(
                kind="PRODUCTION_ACCESS",
                subject="SMS sandbox",
                detail=SANDBOX_DETAIL.format(owner=inventory.account_tier),
            )
        )
    for action in inventory.manual_actions:
        if action.account != given.account:
            continue
        if action.kind == SPEND_LIMIT and view.spend_limits is not None:
            continue  # compared with this account's own limits below
        detail = action.detail + (CHINA_REFUSAL if action.kind == CHINA_ALLOWLIST else "")
        tasks.append(AccountTask(kind=action.kind, subject=action.subject, detail=detail, lead_time=action.lead_time))
    tasks += _spend_limit_tasks(inventory.spend_limits, view.spend_limits)
    tasks.append(_defaults_task(given))
    tasks += _rcs_tasks(inventory, usable)
    if given.outcome is not None:
        tasks += [
            AccountTask(kind=a.kind, subject=a.subject, detail=a.detail, lead_time=a.lead_time)
            for a in given.outcome.manual_actions
        ]
    return tasks


def _spend_limit_tasks(owner: list[dict[str, Any]], account: list[dict[str, Any]] | None) -> list[AccountTask]:
    if account is None:
        return []
    mine = {str(limit["Name"]): _in_force(limit) for limit in account}
    tasks = []
    for limit in sorted(owner, key=lambda found: str(found["Name"])):
        name, theirs = str(limit["Name"]), _in_force(limit)
        if mine.get(name, 0.0) < theirs:
            tasks.append(
                AccountTask(
                    kind=SPEND_LIMIT,
                    subject=name,
                    detail=f"The owner may spend {theirs:g} USD a month, this account {mine.get(name, 0.0):g} USD: "
                    "spend limits are not shared, and the account that sends pays. Raise this account's limit "
                    "to cover what it will send with the shared identities.",
                )
            )
    return tasks


def _defaults_task(given: HandoffInputs) -> AccountTask:
    created = {
        i.name
        for i in (given.outcome.items if given.outcome else [])
        if i.kind is ConfigItemKind.CONFIGURATION_SET and i.status != "SKIPPED"
    }
    described = [
        f"{given.name_prefix + s.name} (message type {s.default_message_type or 'none'}, sender ID "
        f"{s.default_sender_id or 'none'})"
        for s in given.inventory.configuration_sets
        if given.name_prefix + s.name in created
    ]
    detail = DEFAULTS_DETAIL.format(sets=", ".join(described)) if described else NO_SETS_DETAIL
    return AccountTask(kind="DEFAULTS", subject="default message type and sender ID", detail=detail)


def _rcs_tasks(inventory: Inventory, usable: list[HandoffIdentity]) -> list[AccountTask]:
    """Pools holding RCS agents: only phone numbers, sender IDs, pools and opt-out lists are shared."""
    shared = {row.arn for row in usable}
    tasks = []
    for pool in inventory.identities:
        agents = [m for m in pool.members if ":rcs-agent/" in m]
        if pool.type is ResourceType.POOL and pool.arn in shared and agents:
            tasks.append(
                AccountTask(
                    kind="RCS_FALLBACK",
                    subject=f"pool {pool.id}",
                    detail=RCS_DETAIL.format(pool=pool.id, agents=", ".join(a.rsplit("/", 1)[-1] for a in agents)),
                )
            )
    return tasks


def as_json(handoff: Handoff) -> str:
    return json.dumps(handoff.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2) + "\n"
