"""Rebuilding in a consuming account what RAM cannot share: protect configurations, configuration sets and
their event destinations. What exists is compared, never overwritten."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from eum_share.dal import consumer_configuration as dal
from eum_share.dal import protect
from eum_share.dal.accounts import Clients
from eum_share.models.changes import AddedItem, AddedKind
from eum_share.models.configuration import (
    ConfigItemKind,
    ConfigItemResult,
    ConfigItemStatus,
    ConfigurationOutcome,
)
from eum_share.models.inventory import (
    ConfigurationSetItem,
    EventDestinationItem,
    Inventory,
    ManualAction,
    ProtectConfigurationItem,
)
from eum_share.models.request import Configuration, EventDestinationMode, MigrationRequest

DRY_RUN_DETAIL = "dry run: would create"


def keep_created(earlier: ConfigurationOutcome | None, outcome: ConfigurationOutcome) -> ConfigurationOutcome:
    """A run that continues a migration (after a crash, a stop, a deadline) finds what an earlier run of the same
    migration created already there, equal to the owner's: it stays CREATED, so that the migration's report says
    what the migration made, whichever run made it."""
    if earlier is None:
        return outcome
    created = {
        (item.kind, item.name): item
        for item in earlier.items
        if item.status is Status.CREATED and item.detail != DRY_RUN_DETAIL
    }
    items = [created.get((i.kind, i.name), i) if i.status is Status.UNCHANGED else i for i in outcome.items]
    return outcome.model_copy(update={"items": items})


ACCOUNT_ID_PLACEHOLDER = "{accountId}"
_TARGET_FIELDS = {
    "CLOUDWATCH_LOGS": "cloud_watch_logs_destination",
    "FIREHOSE": "kinesis_firehose_destination",
    "SNS": "sns_destination",
}
_MAX_LISTED_DIFFERENCES = 10

Kind = ConfigItemKind
Status = ConfigItemStatus


def _nowhere(item: AddedItem) -> None:
    """Where a run that keeps no ledger (a unit test, a dry run) records what it adds."""


@dataclass
class _Run:
    account: str
    consumer: Clients
    configuration: Configuration
    dry_run: bool
    migration_id: str
    # Called before each change (or, for a protect configuration, as AWS names it), so a rollback knows it.
    added: Callable[[AddedItem], None] = _nowhere
    items: list[ConfigItemResult] = field(default_factory=list)
    manual_actions: list[ManualAction] = field(default_factory=list)

    def adding(self, kind: AddedKind, name: str, detail: str = "") -> None:
        self.added(AddedItem(kind=kind, account=self.account, name=name, detail=detail))

    def record(self, kind: Kind, name: str, status: Status, detail: str = "", consumer_id: str | None = None) -> None:
        self.items.append(ConfigItemResult(kind=kind, name=name, status=status, detail=detail, consumer_id=consumer_id))


@dataclass(frozen=True)
class _Target:
    """A resource an event destination delivers to, provisioned in the consuming account."""

    name: str
    arn: str
    missing: Callable[[], list[str]]  # the parts not there yet; empty when it is ready
    provision: Callable[[], None]  # makes the missing parts, keeps the rest
    parts: dict[str, AddedKind]  # what each part is, as a rollback undoes it
    ident: str  # how a rollback names it: the topic's ARN or the log group's name


@dataclass(frozen=True)
class _Resolved:
    wanted: EventDestinationItem
    targets: list[_Target] = field(default_factory=list)


@dataclass(frozen=True)
class _Unresolved:
    reason: str


def recreate_configuration(
    inventory: Inventory,
    request: MigrationRequest,
    consumer_account: str,
    consumer: Clients,
    *,
    dry_run: bool = False,
    added: Callable[[AddedItem], None] = _nowhere,
) -> ConfigurationOutcome:
    """Recreate the owner's protect configurations, configuration sets and event destinations in one
    consuming account, as `request.configuration` asks.

    Whatever already exists is compared with the owner's: equal is UNCHANGED, different is DRIFT (with the
    differences in its detail) and is never overwritten, so running again creates nothing new. What no API
    can do from here is MANUAL, with a ManualAction saying what a person has to do.

    With `dry_run`, the consuming account is only read (Describe, Get and List calls): nothing is created or
    changed, and what a real run would create is reported CREATED with the detail "dry run: would create".

    `added` hears of everything this run creates before it is created (a protect configuration as it is
    created: only then does it have an ID), so that a rollback removes exactly that.
    """
    run = _Run(consumer_account, consumer, request.configuration, dry_run, request.migration_id or "", added)
    selected = _selected(run, inventory.configuration_sets)
    copies = _recreate_protect_configurations(run, inventory.protect_configurations, selected)
    probe_set = _recreate_configuration_sets(run, selected, copies)
    return ConfigurationOutcome(
        account=consumer_account,
        items=run.items,
        manual_actions=run.manual_actions,
        dry_run_configuration_set=probe_set,
    )


# -- protect configurations ----------------------------------------------------------------------------------
def _recreate_protect_configurations(
    run: _Run, sources: list[ProtectConfigurationItem], sets: list[ConfigurationSetItem]
) -> dict[str, str]:
    """The owner's protect configuration ID -> the consumer's copy. In a dry run a copy still to be made
    gets a placeholder, so that sets associated with it compare as they would after a real run.

    Without protectConfigurations only the ones the recreated sets use are copied: a set recreated without
    its protect configuration could send where the owner's set may not (as the inventory reasons too)."""
    used = {s.protect_configuration_id for s in sets if s.protect_configuration_id}
    chosen = [s for s in sources if run.configuration.protect_configurations or s.id in used]
    for source in sources:
        if source not in chosen:
            detail = "protectConfigurations is false and no recreated configuration set uses it"
            run.record(Kind.PROTECT_CONFIGURATION, source.id, Status.SKIPPED, detail)
    if not chosen:
        return {}
    existing = dal.protect_configurations(run.consumer)
    copies = {p.source_id: p.id for p in existing if p.source_id is not None}
    for mine in (p for p in existing if p.migration_id == run.migration_id and run.migration_id):
        # Made by a run of this migration that stopped before recording it.
        run.adding(AddedKind.PROTECT_CONFIGURATION, mine.id, mine.source_id or "")
    current_default = next((p.id for p in existing if p.account_default), None)
    recreated: dict[str, str] = {}
    for source in chosen:
        recreated[source.id] = _protect_copy(run, source, copies.get(source.id))
        if source.account_default:
            _account_default(run, source.id, recreated[source.id], current_default)
    return recreated


def _protect_copy(run: _Run, source: ProtectConfigurationItem, copy_id: str | None) -> str:
    wanted = {capability: rules for capability, rules in source.country_rules.items() if rules}
    if copy_id is not None:
        differences = _rule_differences(wanted, protect.country_rules(run.consumer, copy_id))
        if differences:
            detail = f"country rules differ, not changed: {differences}"
            run.record(Kind.PROTECT_CONFIGURATION, source.id, Status.DRIFT, detail, copy_id)
        else:
            run.record(Kind.PROTECT_CONFIGURATION, source.id, Status.UNCHANGED, consumer_id=copy_id)
        return copy_id
    if run.dry_run:
        run.record(Kind.PROTECT_CONFIGURATION, source.id, Status.CREATED, DRY_RUN_DETAIL)
        return f"new copy of {source.id}"
    copy_id = dal.create_protect_configuration(run.consumer, source.id, wanted, run.migration_id)
    run.adding(AddedKind.PROTECT_CONFIGURATION, copy_id, source.id)
    run.record(Kind.PROTECT_CONFIGURATION, source.id, Status.CREATED, consumer_id=copy_id)
    return copy_id


def _rule_differences(wanted: dict[str, dict[str, str]], found: dict[str, dict[str, str]]) -> str:
    """Countries whose status differs, per capability; a country absent from both maps is ALLOW."""
    differences = [
        f"{capability} {country} (wanted {wanted.get(capability, {}).get(country, 'ALLOW')}, "
        f"found {found.get(capability, {}).get(country, 'ALLOW')})"
        for capability in sorted(set(wanted) | set(found))
        for country in sorted(set(wanted.get(capability, {})) | set(found.get(capability, {})))
        if wanted.get(capability, {}).get(country) != found.get(capability, {}).get(country)
    ]
    return _listed(differences)


def _listed(differences: list[str]) -> str:
    shown = ", ".join(differences[:_MAX_LISTED_DIFFERENCES])
    hidden = len(differences) - _MAX_LISTED_DIFFERENCES
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _account_default(run: _Run, source_id: str, copy_id: str, current: str | None) -> None:
    kind = Kind.ACCOUNT_DEFAULT_PROTECT
    if not run.configuration.set_account_default_protect:
        run.record(kind, source_id, Status.SKIPPED, "setAccountDefaultProtect is false")
    elif current == copy_id:
        run.record(kind, source_id, Status.UNCHANGED, consumer_id=copy_id)
    elif current is not None:
        # The consumer chose its own default; replacing it could let through what it blocks.
        run.record(kind, source_id, Status.DRIFT, f"the account default is {current}, not changed", current)
    elif run.dry_run:
        run.record(kind, source_id, Status.CREATED, DRY_RUN_DETAIL)
    else:
        run.adding(AddedKind.ACCOUNT_DEFAULT_PROTECT, copy_id, source_id)
        dal.set_account_default_protect_configuration(run.consumer, copy_id)
        run.record(kind, source_id, Status.CREATED, consumer_id=copy_id)


# -- configuration sets --------------------------------------------------------------------------------------
def _recreate_configuration_sets(run: _Run, sets: list[ConfigurationSetItem], copies: dict[str, str]) -> str | None:
    """Returns the first of `sets` that exists in the consuming account once this run is done."""
    if not sets:
        return None
    existing = dal.configuration_sets(run.consumer)
    probe_set: str | None = None
    to_create: list[Callable[[], None]] = []
    for source in sets:
        name = run.configuration.name_prefix + source.name
        current = existing.get(name)
        _configuration_set(run, source, name, current, copies)
        if probe_set is None and (current is not None or not run.dry_run):
            probe_set = name
        present = {d.name: d for d in current.event_destinations} if current is not None else {}
        for destination in source.event_destinations:
            create = _event_destination(run, name, destination, present.get(destination.name))
            if create is not None:
                to_create.append(create)
    for create in to_create:
        create()
    return probe_set


def _selected(run: _Run, sources: list[ConfigurationSetItem]) -> list[ConfigurationSetItem]:
    chosen = run.configuration.configuration_sets
    if chosen == "NONE":
        return []
    if chosen == "ALL":
        return sources
    known = {source.name for source in sources}
    for name in chosen:
        if name not in known:
            run.record(Kind.CONFIGURATION_SET, name, Status.SKIPPED, "not in the owner's inventory")
    return [source for source in sources if source.name in chosen]


def _configuration_set(
    run: _Run,
    source: ConfigurationSetItem,
    name: str,
    current: ConfigurationSetItem | None,
    copies: dict[str, str],
) -> None:
    protect = copies.get(source.protect_configuration_id) if source.protect_configuration_id else None
    wanted = ConfigurationSetItem(
        name=name,
        default_message_type=source.default_message_type,
        default_sender_id=source.default_sender_id,
        default_message_feedback_enabled=bool(source.default_message_feedback_enabled),
        protect_configuration_id=protect,
    )
    if current is not None:
        differences = _set_differences(wanted, current)
        if differences:
            run.record(Kind.CONFIGURATION_SET, name, Status.DRIFT, f"differs, not changed: {differences}")
        else:
            run.record(Kind.CONFIGURATION_SET, name, Status.UNCHANGED)
    elif run.dry_run:
        run.record(Kind.CONFIGURATION_SET, name, Status.CREATED, DRY_RUN_DETAIL)
    else:
        run.adding(AddedKind.CONFIGURATION_SET, name, source.name)
        dal.create_configuration_set(run.consumer, wanted, source.name)
        run.record(Kind.CONFIGURATION_SET, name, Status.CREATED)


def _set_differences(wanted: ConfigurationSetItem, found: ConfigurationSetItem) -> str:
    fields = [
        ("defaultMessageType", wanted.default_message_type, found.default_message_type),
        ("defaultSenderId", wanted.default_sender_id, found.default_sender_id),
        (
            "defaultMessageFeedbackEnabled",
            bool(wanted.default_message_feedback_enabled),
            bool(found.default_message_feedback_enabled),
        ),
        ("protectConfigurationId", wanted.protect_configuration_id, found.protect_configuration_id),
    ]
    return _listed([f"{n} (wanted {w}, found {f})" for n, w, f in fields if w != f])


# -- event destinations --------------------------------------------------------------------------------------
def _event_destination(
    run: _Run, set_name: str, source: EventDestinationItem, current: EventDestinationItem | None
) -> Callable[[], None] | None:
    """Compares or plans the destination and provisions its targets; returns what creates it, if it is to be
    created."""
    subject = f"{set_name}/{source.name}"
    resolved = _consumer_destination(run, set_name, source)
    if isinstance(resolved, _Unresolved):
        _unresolved(run, set_name, source, current, resolved.reason)
        return None
    if current is not None and (differences := _destination_differences(resolved.wanted, current)):
        # A destination pointing elsewhere was set up on purpose; its targets are not provisioned either.
        run.record(Kind.EVENT_DESTINATION, subject, Status.DRIFT, f"differs, not changed: {differences}")
        return None
    for target in resolved.targets:
        _ensure_target(run, target)
    if current is not None:
        run.record(Kind.EVENT_DESTINATION, subject, Status.UNCHANGED)
        return None
    if run.dry_run:
        run.record(Kind.EVENT_DESTINATION, subject, Status.CREATED, DRY_RUN_DETAIL)
        return None
    return partial(_create_destination, run, set_name, resolved.wanted)


def _create_destination(run: _Run, set_name: str, wanted: EventDestinationItem) -> None:
    subject = f"{set_name}/{wanted.name}"
    run.adding(AddedKind.EVENT_DESTINATION, subject, wanted.kind)
    dal.create_event_destination(run.consumer, set_name, wanted)
    run.record(Kind.EVENT_DESTINATION, subject, Status.CREATED)


def _unresolved(
    run: _Run, set_name: str, source: EventDestinationItem, current: EventDestinationItem | None, reason: str
) -> None:
    subject = f"{set_name}/{source.name}"
    if current is not None:
        # Someone already made it, most likely by following an earlier run's manual action.
        detail = f"present; its target is not compared: {reason}"
        run.record(Kind.EVENT_DESTINATION, subject, Status.UNCHANGED, detail)
        return
    run.record(Kind.EVENT_DESTINATION, subject, Status.MANUAL, reason)
    _, target = _target_of(source)
    run.manual_actions.append(
        ManualAction(
            account=run.account,
            kind=Kind.EVENT_DESTINATION.value,
            subject=subject,
            detail=(
                f"Create event destination {source.name} in configuration set {set_name}: {source.kind} for "
                f"{', '.join(source.matching_event_types)}, like the owner's {', '.join(target.values())} "
                f"({reason})"
            ),
        )
    )


def _consumer_destination(run: _Run, set_name: str, source: EventDestinationItem) -> _Resolved | _Unresolved:
    mode = run.configuration.event_destinations.mode
    if mode is EventDestinationMode.SKIP:
        return _Unresolved("eventDestinations.mode is SKIP")
    if mode is EventDestinationMode.MAP:
        return _mapped(run, source)
    if source.kind == "FIREHOSE":
        mapped = _mapped(run, source)
        if isinstance(mapped, _Unresolved):
            return _Unresolved(f"Firehose delivery streams are mapped, never provisioned: {mapped.reason}")
        return mapped
    if source.kind == "SNS":
        return _provisioned_topic(run, set_name, source)
    return _provisioned_logs(run, set_name, source)


def _target_of(item: EventDestinationItem) -> tuple[str, dict[str, str]]:
    """The model field holding the destination's target, and the target (ARNs by API member name)."""
    name = _TARGET_FIELDS[item.kind]
    target: dict[str, str] = getattr(item, name)
    return name, target


def _mapped(run: _Run, source: EventDestinationItem) -> _Resolved | _Unresolved:
    mapping = run.configuration.event_destinations.map
    name, target = _target_of(source)
    unmapped = sorted(arn for arn in target.values() if arn not in mapping)
    if unmapped:
        return _Unresolved(f"no eventDestinations.map entry for {', '.join(unmapped)}")
    rewritten = {member: mapping[arn].replace(ACCOUNT_ID_PLACEHOLDER, run.account) for member, arn in target.items()}
    return _Resolved(source.model_copy(update={name: rewritten}))


def _provisioned_topic(run: _Run, set_name: str, source: EventDestinationItem) -> _Resolved:
    name = _bounded(f"eum-share-{set_name}-{source.name}", 256, r"[^A-Za-z0-9_-]")
    arn = dal.topic_arn(run.consumer, run.account, name)
    topic = _Target(
        name,
        arn,
        partial(dal.missing_topic_parts, run.consumer, arn),
        partial(dal.provision_topic, run.consumer, run.account, name),
        {"topic": AddedKind.SNS_TOPIC, "publish permission": AddedKind.SNS_PUBLISH_PERMISSION},
        arn,
    )
    return _Resolved(source.model_copy(update={"sns_destination": {"TopicArn": arn}}), [topic])


def _provisioned_logs(run: _Run, set_name: str, source: EventDestinationItem) -> _Resolved:
    """A log group of the destination's own, written through the roles stack's role (which may write only to the
    log groups under dal.LOG_GROUP_PREFIX): the workflow never makes a role."""
    group_name = _bounded(f"{dal.LOG_GROUP_PREFIX}{set_name}/{source.name}", 512, r"[^A-Za-z0-9._/#-]")
    group_arn = dal.log_group_arn(run.consumer, run.account, group_name)
    group = _Target(
        group_name,
        group_arn,
        partial(dal.missing_log_group_parts, run.consumer, group_name),
        partial(dal.provision_log_group, run.consumer, group_name),
        {"log group": AddedKind.LOG_GROUP},
        group_name,
    )
    wanted = {"IamRoleArn": dal.events_role_arn(run.consumer, run.account), "LogGroupArn": group_arn}
    return _Resolved(source.model_copy(update={"cloud_watch_logs_destination": wanted}), [group])


def _bounded(raw: str, limit: int, disallowed: str) -> str:
    """A resource name from `raw` within the service's characters and length. When characters had to be
    replaced or the name cut, a digest of `raw` keeps two different destinations from sharing a name."""
    clean = re.sub(disallowed, "-", raw)
    if clean == raw and len(clean) <= limit:
        return clean
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{clean[: limit - len(digest) - 1]}-{digest}"


def _ensure_target(run: _Run, target: _Target) -> None:
    missing = target.missing()
    if not missing:
        run.record(Kind.PROVISIONED_TARGET, target.name, Status.UNCHANGED, consumer_id=target.arn)
        return
    if run.dry_run:
        run.record(Kind.PROVISIONED_TARGET, target.name, Status.CREATED, DRY_RUN_DETAIL, target.arn)
        return
    for part in missing:
        run.adding(target.parts[part], target.ident, part)
    target.provision()
    detail = f"created {', '.join(missing)}"
    run.record(Kind.PROVISIONED_TARGET, target.name, Status.CREATED, detail, target.arn)


def _destination_differences(wanted: EventDestinationItem, found: EventDestinationItem) -> str:
    fields = [
        ("enabled", wanted.enabled, found.enabled),
        ("matchingEventTypes", sorted(wanted.matching_event_types), sorted(found.matching_event_types)),
        ("target", _target_label(wanted), _target_label(found)),
    ]
    return _listed([f"{n} (wanted {w}, found {f})" for n, w, f in fields if w != f])


def _target_label(item: EventDestinationItem) -> str:
    _, target = _target_of(item)
    return f"{item.kind} " + " ".join(f"{member}={arn}" for member, arn in sorted(target.items()))
