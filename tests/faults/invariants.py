"""What must hold after any fault, checked from the offline AWS's own state, never from the project's report.

1. Every planned identity is usable by every consumer (visible by its full ARN, its policy grants the consumer
   what it needs, a DryRun send with it succeeds), or reported FAILED with a reason: by its ledger item, or, for
   an identity the migration never touched, by the migration's record (it stopped and said why).
2. No statement that was in an identity's resource policy before the migration is missing from it.
3. No resource is associated twice: the migration added at most one live association per resource to the owner's
   resource shares.
4. The ledger agrees with the twin: the execution's end and the migration's record, VERIFIED and REPAIRED items
   usable and associated, FAILED items with a reason, every planned identity in the ledger, the share it names
   active, and no share lock left held once the migration ended.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from twin import policy
from twin.offline import OfflineAWS
from twin.services.sms_voice.core import caller_of
from twin.services.sms_voice.countries import sample_number

STRANDED = "identity-stranded"
LOST = "statement-lost"
DOUBLE = "associated-twice"
LEDGER = "ledger-disagrees"
INVARIANTS = (STRANDED, LOST, DOUBLE, LEDGER)

LIVE = ("ASSOCIATING", "ASSOCIATED")
ENDED_BADLY = ("FAILED", "REJECTED", "EXPIRED")
SEND = "sms-voice:SendTextMessage"
# Per ARN kind: what a consumer must be granted, and how it describes the shared identity (by its full ARN, without
# Owner: "The Owner and ...Ids parameters can't be used at the same time").
KINDS: dict[str, tuple[str, str, str]] = {
    "phone-number": (SEND, "describe_phone_numbers", "PhoneNumberIds"),
    "sender-id": (SEND, "describe_sender_ids", "SenderIds"),
    "pool": (SEND, "describe_pools", "PoolIds"),
    "opt-out-list": ("sms-voice:DescribeOptOutLists", "describe_opt_out_lists", "OptOutListNames"),
}
SENDERS = ("phone-number", "sender-id", "pool")
BLOCKED_BY_PROTECT = "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"


@dataclass(frozen=True)
class Violation:
    invariant: str
    subject: str
    detail: str


@dataclass(frozen=True)
class Migration:
    """What one migration was asked to do, as the test that asked knows it."""

    migration_id: str
    owner: str
    consumers: list[str]
    # Every identity the request selects, as seeded.
    identities: list[str]
    ledger_table: str
    # How its last execution ended: SUCCEEDED or FAILED.
    outcome: str
    strategy: str = "RAM"


@dataclass
class Checked:
    identities: int = 0
    violations: list[Violation] = field(default_factory=list)

    def add(self, invariant: str, subject: str, detail: str) -> None:
        self.violations.append(Violation(invariant, subject, detail))


def canonical(statement: Any) -> str:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"))


def policy_statements(aws: OfflineAWS, arns: list[str]) -> dict[str, set[str]]:
    """Each identity's resource policy statements as the twin holds them now (canonical JSON)."""
    return {arn: {canonical(s) for s in policy.statements(aws.sms.policy_document(arn) or {})} for arn in arns}


def live_associations(aws: OfflineAWS, owner: str) -> Counter[str]:
    """How many of the owner's resource shares hold each resource (associated, or on its way)."""
    shares = aws.ram.dump(owner, aws.region)["shares"]
    return Counter(r["entity"] for share in shares for r in share["resources"] if r["status"] in LIVE)


@dataclass(frozen=True)
class Baseline:
    """The twin before the migration: its identities' policy statements, the owner's live associations."""

    statements: dict[str, set[str]]
    live: Counter[str]


def baseline(aws: OfflineAWS, owner: str, identities: list[str]) -> Baseline:
    with aws.world.faults.paused(), aws.observing():
        aws.world.run_due()
        return Baseline(policy_statements(aws, identities), live_associations(aws, owner))


def check(aws: OfflineAWS, migration: Migration, before: Baseline) -> Checked:
    """Every invariant, for one migration, after its last execution ended, against the twin before it started."""
    with aws.world.faults.paused(), aws.observing():
        aws.world.run_due()
        return _Checker(aws, migration, before).run()


class _Checker:
    def __init__(self, aws: OfflineAWS, migration: Migration, before: Baseline) -> None:
        self.aws = aws
        self.m = migration
        self.before = before
        self.checked = Checked(identities=len(migration.identities))
        self.ledger = _ledger_items(aws, migration)
        self.record = self.ledger.get("MIGRATION")
        self.items = {key.removeprefix("IDENTITY#"): item for key, item in self.ledger.items() if key != "MIGRATION"}
        self.shares = aws.ram.dump(migration.owner, aws.region)["shares"]

    def run(self) -> Checked:
        self._ledger_record()
        for arn in self.m.identities:
            self._identity(arn)
        self._statements()
        self._associations()
        self._lock()
        return self.checked

    # -- 1 and 4: each identity ----------------------------------------------------------------------------
    def _identity(self, arn: str) -> None:
        item = self.items.get(arn)
        status = item.get("status") if item else None
        problems = self._unusable(arn)
        if status in ("VERIFIED", "REPAIRED"):
            for problem in problems:
                self.checked.add(LEDGER, arn, f"the ledger says {status}, but {problem}")
            if self.m.strategy == "RAM" and not self._live_in_migration_share(arn):
                self.checked.add(LEDGER, arn, f"the ledger says {status}, but it is not associated with the share")
        elif status == "FAILED":
            if not item or not item.get("reason"):
                self.checked.add(LEDGER, arn, "the ledger says FAILED without a reason")
            if not problems:
                self.checked.add(LEDGER, arn, "the ledger says FAILED, but every consumer can use it")
        elif self.record is not None and self.record.get("status") == "SUCCEEDED":
            self.checked.add(LEDGER, arn, f"the migration SUCCEEDED with this identity {status or 'not in the ledger'}")
        if problems and status != "FAILED" and not self._reported_untouched(arn):
            self.checked.add(STRANDED, arn, f"{status or 'not in the ledger'}: " + "; ".join(problems))

    def _unusable(self, arn: str) -> list[str]:
        """Why some consumer cannot use the identity; empty when every consumer can."""
        if self.aws.sms.shareable_resource(arn) is None:
            return [f"it no longer exists in {self.m.owner}"]
        return [f"{consumer}: {problem}" for consumer in self.m.consumers for problem in self._use(consumer, arn)]

    def _use(self, consumer: str, arn: str) -> Iterator[str]:
        kind = arn.split(":", 5)[5].split("/", 1)[0]
        action, describe, ids = KINDS[kind]
        document = self.aws.sms.policy_document(arn)
        if document is None or not policy.is_allowed(document, caller_of(consumer), action, arn):
            yield f"its resource policy does not grant {action}"
        sms = self.aws.client("pinpoint-sms-voice-v2", account=consumer)
        ident: Any = {"SenderId": arn, "IsoCountryCode": arn.rsplit("/", 1)[-1]} if kind == "sender-id" else arn
        try:
            getattr(sms, describe)(**{ids: [ident]})
        except ClientError as error:
            yield f"not visible by its full ARN ({error.response['Error']['Code']})"
            return
        if kind in SENDERS:
            yield from self._dry_run(sms, arn, kind)

    def _dry_run(self, sms: Any, arn: str, kind: str) -> Iterator[str]:
        country = arn.rsplit("/", 1)[-1] if kind == "sender-id" else "US"
        try:
            sms.send_text_message(
                OriginationIdentity=arn,
                DestinationPhoneNumber=sample_number(country, "LONG_CODE", 1),
                MessageBody="invariant check",
                DryRun=True,
            )
        except ClientError as error:
            # The consumer's own protect configuration refusing a country says nothing about the identity.
            if error.response.get("Reason") != BLOCKED_BY_PROTECT:
                yield f"DryRun send refused ({error.response['Error']['Code']} {error.response.get('Reason', '')})"

    def _reported_untouched(self, arn: str) -> bool:
        """The migration ended with an error it recorded, before changing anything of this identity."""
        record = self.record or {}
        reported = record.get("status") in ENDED_BADLY and bool(record.get("error")) and bool(record.get("cause"))
        unchanged = policy_statements(self.aws, [arn])[arn] == self.before.statements.get(arn, set())
        return reported and unchanged and live_associations(self.aws, self.m.owner)[arn] == self.before.live[arn]

    # -- 2: statements -------------------------------------------------------------------------------------
    def _statements(self) -> None:
        now = policy_statements(self.aws, list(self.before.statements))
        for arn, statements in self.before.statements.items():
            if self.aws.sms.shareable_resource(arn) is None:
                continue  # released by its owner: its policy went with it
            for missing in sorted(statements - now[arn]):
                self.checked.add(LOST, arn, f"statement lost: {missing}")

    # -- 3: associations -----------------------------------------------------------------------------------
    def _associations(self) -> None:
        for entity, count in sorted(live_associations(self.aws, self.m.owner).items()):
            if count > self.before.live[entity] + 1:
                self.checked.add(DOUBLE, entity, f"live in {count} resource shares, {self.before.live[entity]} before")

    def _live_in_migration_share(self, arn: str) -> bool:
        share_arn = (self.record or {}).get("shareArn")
        return any(
            r["entity"] == arn and r["status"] in LIVE
            for share in self.shares
            if share["arn"] == share_arn
            for r in share["resources"]
        )

    # -- 4: the migration's record and its lock ------------------------------------------------------------
    def _ledger_record(self) -> None:
        record = self.record
        subject = f"migration {self.m.migration_id}"
        if record is None:
            self.checked.add(LEDGER, subject, "no migration record in the ledger")
            return
        status = record.get("status")
        if self.m.outcome == "SUCCEEDED" and status != "SUCCEEDED":
            self.checked.add(LEDGER, subject, f"the execution SUCCEEDED but the ledger says {status}")
        if self.m.outcome != "SUCCEEDED" and (status not in ENDED_BADLY or not record.get("cause")):
            self.checked.add(LEDGER, subject, f"the execution {self.m.outcome} but the ledger says {status}")
        planned = set(self.items)
        if record.get("planned") and planned != set(self.m.identities):
            self.checked.add(
                LEDGER,
                subject,
                f"the ledger plans {len(planned)} identities, the request selects {len(self.m.identities)}",
            )
        share_arn = record.get("shareArn")
        if share_arn and not any(s["arn"] == share_arn and s["status"] == "ACTIVE" for s in self.shares):
            self.checked.add(LEDGER, subject, f"the ledger's share {share_arn} is not an active share of the owner")

    def _lock(self) -> None:
        for item in _share_locks(self.aws, self.m.ledger_table):
            if item.get("migrationId") == self.m.migration_id:
                self.checked.add(
                    LEDGER, f"migration {self.m.migration_id}", f"still holds the share lock {item.get('pk')}"
                )


def _plain(value: dict[str, Any]) -> Any:
    (kind, inner), *_ = value.items()
    if kind == "M":
        return {key: _plain(item) for key, item in inner.items()}
    if kind == "L":
        return [_plain(item) for item in inner]
    if kind == "BOOL":
        return bool(inner)
    return inner


def _ledger_items(aws: OfflineAWS, migration: Migration) -> dict[str, dict[str, Any]]:
    """The migration's record (key "MIGRATION") and identity items (key "IDENTITY#<arn>"), as plain values."""
    dynamodb = aws.client("dynamodb")
    found: dict[str, dict[str, Any]] = {}
    pages = dynamodb.get_paginator("query").paginate(
        TableName=migration.ledger_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"MIGRATION#{migration.migration_id}"}},
        ConsistentRead=True,
    )
    for page in pages:
        for item in page["Items"]:
            key = item["sk"]["S"]
            if key == "MIGRATION" or key.startswith("IDENTITY#"):
                found[key] = {name: _plain(value) for name, value in item.items()}
    return found


def _share_locks(aws: OfflineAWS, table: str) -> list[dict[str, Any]]:
    dynamodb = aws.client("dynamodb")
    items = [
        item
        for page in dynamodb.get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
        if item["sk"]["S"] == "LOCK"
    ]
    return [{name: _plain(value) for name, value in item.items()} for item in items]
