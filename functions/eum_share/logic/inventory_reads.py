"""The owner's listings as the inventory reads them, kept as they come: an inventory interrupted (AWS busy through a
storm longer than one invocation, the Lambda's time running out) goes on from what it read, on its next invocation,
instead of reading everything again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eum_share.dal import owner_inventory as owner_sms
from eum_share.dal import protect
from eum_share.dal.accounts import Clients


class InventoryPaused(Exception):
    """Not enough of the Lambda's time is left for another read: what was read is saved, the next call goes on."""


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


class OwnerReads:
    """Each listing read once per migration, by name ("pools", "pool-members/pool-1", "tags/ARN"). Every answer
    goes through JSON (timestamps as ISO 8601), whether read now or by an earlier invocation, so a resumed inventory
    is the same as one read in one go."""

    def __init__(
        self,
        owner: Clients,
        saved: dict[str, Any] | None = None,
        *,
        enough_time: Callable[[], bool] = lambda: True,
        save: Callable[[dict[str, Any]], None] = lambda answers: None,
    ) -> None:
        self._owner = owner
        self.answers: dict[str, Any] = dict(saved or {})
        self._enough_time = enough_time
        self._save = save
        self.fresh = 0  # listings read by this invocation

    def checkpoint(self) -> None:
        """Save what was read, for the next invocation (when this one stops before the end)."""
        if self.fresh:
            self._save(self.answers)

    def _read(self, name: str, reader: Callable[[Clients], Any]) -> Any:
        if name not in self.answers:
            if not self._enough_time():
                raise InventoryPaused(name)
            self.answers[name] = json.loads(json.dumps(reader(self._owner), default=_plain))
            self.fresh += 1
        return self.answers[name]

    def phone_numbers(self) -> list[dict[str, Any]]:
        return list(self._read("phone-numbers", owner_sms.phone_numbers))

    def sender_ids(self) -> list[dict[str, Any]]:
        return list(self._read("sender-ids", owner_sms.sender_ids))

    def pools(self) -> list[dict[str, Any]]:
        return list(self._read("pools", owner_sms.pools))

    def opt_out_lists(self) -> list[dict[str, Any]]:
        return list(self._read("opt-out-lists", owner_sms.opt_out_lists))

    def pool_members(self, pool_id: str) -> list[dict[str, Any]]:
        return list(self._read(f"pool-members/{pool_id}", lambda owner: owner_sms.pool_members(owner, pool_id)))

    def resource_tags(self, arn: str) -> dict[str, str]:
        return dict(self._read(f"tags/{arn}", lambda owner: owner_sms.resource_tags(owner, arn)))

    def configuration_sets(self) -> list[dict[str, Any]]:
        return list(self._read("configuration-sets", owner_sms.configuration_sets))

    def protect_configurations(self) -> list[dict[str, Any]]:
        return list(self._read("protect-configurations", owner_sms.protect_configurations))

    def country_rules(self, protect_configuration_id: str) -> Any:
        return self._read(
            f"country-rules/{protect_configuration_id}",
            lambda owner: protect.country_rules(owner, protect_configuration_id),
        )

    def spend_limits(self) -> list[dict[str, Any]]:
        return list(self._read("spend-limits", owner_sms.spend_limits))

    def registrations(self) -> list[dict[str, Any]]:
        return list(self._read("registrations", owner_sms.registrations))

    def account_attributes(self) -> dict[str, str]:
        return dict(self._read("account-attributes", owner_sms.account_attributes))
