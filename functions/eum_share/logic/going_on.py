"""A state that a storm stops half way goes on, on its next invocation, from where it stopped.

When AWS stays busy past a call's patience, the calls the state made in the owner's and consumers' accounts are
saved (S3, per execution and step, dal/replay.py) before the throttle goes up (the one-shot states are retried by
the ASL, the polling ones wait in their Wait state); the next invocation of the same step is answered from them,
in order, and only the calls past that point reach AWS. Without this, a state that needs more calls than one
invocation gets through a storm of 95% would start over each time and never finish."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

from eum_share.dal import artifacts
from eum_share.dal.replay import Journal, replaying
from eum_share.dal.throttling import is_throttled
from eum_share.logic.context import Migration

T = TypeVar("T")


def going_on(migration: Migration, step: str, work: Callable[[], T]) -> T:
    """`work`, answered from what an earlier invocation of this `step` in this execution did before a storm stopped
    it. A polling state names each of its checks as a step of its own, so that only a busy check is gone on from."""
    bucket = migration.settings.artifact_bucket
    key = migration.key(f"calls/{migration.record.execution_name}/{step}.json")
    journal = Journal.loads(artifacts.get_text(bucket, key)) if artifacts.exists(bucket, key) else Journal()
    try:
        with replaying(journal):
            return work()
    except ClientError as error:
        if is_throttled(error) and journal.fresh:
            artifacts.put_text(bucket, key, journal.dumps(), "application/json")
        raise
