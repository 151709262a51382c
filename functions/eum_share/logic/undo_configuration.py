"""RemoveConfiguration: in one consuming account, what the migration added (and only that) taken out, what uses a
thing before the thing. Each item is looked for first: what is gone already is reported so, with no call made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from eum_share.dal import consumer_cleanup as dal
from eum_share.dal.accounts import Clients
from eum_share.models.changes import CONFIGURATION_ORDER, AddedItem, AddedKind
from eum_share.models.rollback import RemovalOutcome, RemovedItem

Outcome = RemovalOutcome


@dataclass
class _Account:
    consumer: Clients
    items: list[AddedItem]
    results: list[RemovedItem] = field(default_factory=list)

    def added(self, kind: AddedKind, name: str) -> bool:
        return any(item.kind is kind and item.name == name for item in self.items)

    @cached_property
    def sets(self) -> dict[str, set[str]]:
        return dal.configuration_sets(self.consumer)

    @cached_property
    def protect(self) -> dict[str, bool]:
        return dal.protect_configurations(self.consumer)

    def done(self, item: AddedItem, outcome: RemovalOutcome, detail: str = "") -> None:
        self.results.append(RemovedItem(kind=item.kind, name=item.name, outcome=outcome, detail=detail))


def remove_configuration(consumer: Clients, items: list[AddedItem]) -> list[RemovedItem]:
    """Every item of `items` (this account's, as the migration recorded them) removed, gone already, or kept."""
    account = _Account(consumer, items)
    for kind in CONFIGURATION_ORDER:
        for item in sorted((i for i in items if i.kind is kind), key=lambda i: i.name):
            _REMOVERS[kind](account, item)
    return account.results


def _remove_if(account: _Account, item: AddedItem, present: bool, remove: Callable[[], None], detail: str = "") -> None:
    """Remove what is still there; what something else has come to use since is kept, and the report says why."""
    if not present:
        account.done(item, Outcome.ALREADY_GONE, detail)
        return
    try:
        remove()
    except dal.InUse as in_use:
        account.done(item, Outcome.KEPT, str(in_use))
        return
    account.done(item, Outcome.REMOVED, detail)


def _event_destination(account: _Account, item: AddedItem) -> None:
    set_name, _, name = item.name.partition("/")
    if account.added(AddedKind.CONFIGURATION_SET, set_name):
        # Deleting the set deletes its destinations.
        outcome = Outcome.REMOVED if set_name in account.sets else Outcome.ALREADY_GONE
        account.done(item, outcome, f"with its configuration set {set_name}")
        return
    present = name in account.sets.get(set_name, set())
    _remove_if(account, item, present, lambda: dal.delete_event_destination(account.consumer, set_name, name))


def _configuration_set(account: _Account, item: AddedItem) -> None:
    present = item.name in account.sets
    _remove_if(account, item, present, lambda: dal.delete_configuration_set(account.consumer, item.name))


def _account_default(account: _Account, item: AddedItem) -> None:
    current = next((pid for pid, default in account.protect.items() if default), None)
    if current is not None and current != item.name:
        account.done(item, Outcome.ALREADY_GONE, f"the account default is {current} now, not changed")
        return
    present = current == item.name
    _remove_if(account, item, present, lambda: dal.delete_account_default_protect_configuration(account.consumer))


def _protect_configuration(account: _Account, item: AddedItem) -> None:
    present = item.name in account.protect
    _remove_if(account, item, present, lambda: dal.delete_protect_configuration(account.consumer, item.name))


def _publish_permission(account: _Account, item: AddedItem) -> None:
    if account.added(AddedKind.SNS_TOPIC, item.name):
        outcome = Outcome.REMOVED if dal.topic_exists(account.consumer, item.name) else Outcome.ALREADY_GONE
        account.done(item, outcome, "with its topic")
        return
    present = dal.has_publish_permission(account.consumer, item.name)
    _remove_if(account, item, present, lambda: dal.remove_publish_permission(account.consumer, item.name))


def _by_name(
    exists: Callable[[Clients, str], bool], delete: Callable[[Clients, str], None]
) -> Callable[[_Account, AddedItem], None]:
    """The remover of what is looked for and deleted by its name alone."""

    def remove(account: _Account, item: AddedItem) -> None:
        present = exists(account.consumer, item.name)
        _remove_if(account, item, present, lambda: delete(account.consumer, item.name))

    return remove


def _role_of_an_earlier_version(account: _Account, item: AddedItem) -> None:
    """Earlier versions made a role per CloudWatch Logs destination; the consumer role may no longer change roles
    (the roles stack makes the one role the workflow passes), so what they made is left for a person to delete."""
    account.done(item, Outcome.KEPT, f"made by an earlier version of eum-share: delete role {item.name} by hand")


_REMOVERS: dict[AddedKind, Callable[[_Account, AddedItem], None]] = {
    AddedKind.EVENT_DESTINATION: _event_destination,
    AddedKind.CONFIGURATION_SET: _configuration_set,
    AddedKind.ACCOUNT_DEFAULT_PROTECT: _account_default,
    AddedKind.PROTECT_CONFIGURATION: _protect_configuration,
    AddedKind.SNS_PUBLISH_PERMISSION: _publish_permission,
    AddedKind.SNS_TOPIC: _by_name(dal.topic_exists, dal.delete_topic),
    AddedKind.IAM_ROLE_POLICY: _role_of_an_earlier_version,
    AddedKind.IAM_ROLE: _role_of_an_earlier_version,
    AddedKind.LOG_GROUP: _by_name(dal.log_group_exists, dal.delete_log_group),
}
