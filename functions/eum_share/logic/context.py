"""Everything a state needs about one migration, loaded from the ledger and S3 by its ID."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from eum_share.dal import artifacts
from eum_share.dal.accounts import AccountAccess, Clients, clients_for
from eum_share.dal.ledger import Ledger
from eum_share.errors import MigrationConflict
from eum_share.models.inventory import Inventory
from eum_share.models.ledger import MigrationRecord
from eum_share.models.plan import Plan
from eum_share.models.request import Consumer, MigrationRequest
from eum_share.settings import Settings

REQUEST, INVENTORY, PLAN = "request.json", "inventory.json", "plan.json"
# A share that existed before the migration, as the migration found it (logic.share).
SHARE_BEFORE = "share-before.json"


def token(*parts: object) -> str:
    """An idempotency token derived from what is being done, so a retry sends the same one."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:64]


@dataclass
class Migration:
    settings: Settings
    record: MigrationRecord
    ledger: Ledger

    @property
    def id(self) -> str:
        return self.record.migration_id

    @cached_property
    def request(self) -> MigrationRequest:
        return artifacts.get_model(self.settings.artifact_bucket, self.key(REQUEST), MigrationRequest)

    @cached_property
    def inventory(self) -> Inventory:
        return artifacts.get_model(self.settings.artifact_bucket, self.key(INVENTORY), Inventory)

    @cached_property
    def plan(self) -> Plan:
        return artifacts.get_model(self.settings.artifact_bucket, self.key(PLAN), Plan)

    def key(self, name: str) -> str:
        return artifacts.key(self.id, name)

    @property
    def share_arn(self) -> str:
        if self.record.share_arn is None:
            raise MigrationConflict(f"migration {self.id} has no share yet; EnsureShareWithPrincipals runs first")
        return self.record.share_arn

    def owner(self) -> Clients:
        request = self.request
        role = owner_role(request, self.settings)
        return clients_for(AccountAccess(request.owner.account_id, request.region, role, request.owner.external_id))

    def consumer(self, consumer: Consumer) -> Clients:
        role = consumer_role(consumer, self.settings)
        return clients_for(AccountAccess(consumer.account_id, self.request.region, role, consumer.external_id))


def owner_role(request: MigrationRequest, settings: Settings) -> str:
    """The role the functions assume in the owner account: the request's, or the stack's by name. Also when the
    stack runs in the owner account: the functions' own roles are granted nothing there but assuming it."""
    return request.owner.role_arn or f"arn:aws:iam::{request.owner.account_id}:role/{settings.owner_role_name}"


def consumer_role(consumer: Consumer, settings: Settings) -> str:
    """The role the functions assume in a consuming account: the request's, or the stack's by name."""
    return consumer.role_arn or f"arn:aws:iam::{consumer.account_id}:role/{settings.consumer_role_name}"


def load(settings: Settings, migration_id: str) -> Migration:
    ledger = Ledger(settings.ledger_table)
    record = ledger.migration(migration_id)
    if record is None:
        raise MigrationConflict(f"migration {migration_id} is not in the ledger; it starts at ValidateRequest")
    return Migration(settings, record, ledger)
