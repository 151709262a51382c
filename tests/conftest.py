"""Shared fixtures. moto is imported first: a boto3 session made before it would not be mocked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import moto  # noqa: F401  (import order: see OFFLINE notes in README)
import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("MOTO_ACCOUNT_ID", None)  # it would pin every call to one account and break cross-account tests

from twin.faults import FaultConfig
from twin.offline import OfflineAWS


@pytest.fixture
def offline_factory() -> Iterator[Callable[..., OfflineAWS]]:
    """Given a fault plan, an offline AWS that is torn down after the test."""
    opened: list[OfflineAWS] = []

    def make(**faults: Any) -> OfflineAWS:
        offline = OfflineAWS(FaultConfig(**faults))
        offline.__enter__()
        opened.append(offline)
        return offline

    yield make
    for offline in reversed(opened):
        offline.__exit__(None, None, None)


@pytest.fixture
def aws(offline_factory: Callable[..., OfflineAWS]) -> OfflineAWS:
    """An offline AWS with no faults."""
    return offline_factory()
