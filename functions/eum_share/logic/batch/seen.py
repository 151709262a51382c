"""What every consumer sees under Owner=SHARED, asked with targeted describe calls: the consuming side's proof that
an identity is shared. Each consumer's describe quota is its own (per account and action): the calls take their
turns together (`Turns`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from eum_share.dal import sms
from eum_share.dal.accounts import Clients
from eum_share.logic.batch.run import ChunkRun
from eum_share.logic.batch.turns import Turns
from eum_share.models.ledger import IdentityRecord


def by_every_consumer(run: ChunkRun, identities: list[IdentityRecord]) -> set[str]:
    """The ARNs of these identities that every consumer of the request sees (all of them when it names none)."""
    if not identities:
        return set()
    by_kind: dict[str, list[str]] = defaultdict(list)
    for identity in identities:
        by_kind[identity.type].append(identity.arn)
    consumers = [(c.account_id, run.m.consumer(c)) for c in run.request.consumers]
    groups = [
        (kind, arns[start : start + sms.IDS_PER_CALL])
        for kind, arns in by_kind.items()
        for start in range(0, len(arns), sms.IDS_PER_CALL)
    ]
    seen_by: dict[tuple[int, str], set[str]] = {}
    turns = Turns()
    for number, (kind, group) in enumerate(groups):
        for account, clients in consumers:
            turns.add(account, sms.describe_action(kind), _asker(seen_by, (number, account), clients, kind, group))
    turns.finish()
    seen: set[str] = set()
    for number, (_, group) in enumerate(groups):
        visible = set(group)
        for account, _ in consumers:
            visible &= seen_by[(number, account)]
        seen |= visible
    return seen


def _asker(
    seen_by: dict[tuple[int, str], set[str]], key: tuple[int, str], clients: Clients, kind: str, group: list[str]
) -> Callable[[], None]:
    def ask() -> None:
        seen_by[key] = sms.described(clients, kind, sorted(group))

    return ask
