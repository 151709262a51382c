"""Shared fixtures. moto is imported first: a boto3 session made before it would not be mocked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("MOTO_ACCOUNT_ID", None)  # it would pin every call to one account and break cross-account tests
# Every listing of the offline AWS comes in pages of at most three items, unless a test's fault plan says otherwise:
# AWS may answer any page short ("the service might return fewer results than the maximum even when there are more
# results available"), so a read that stops at the first page must fail a test.
os.environ.setdefault("EUM_SHARE_OFFLINE_MAX_PAGE_SIZE", "3")

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


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """In parallel runs (`make test`, pytest-xdist) the tests of one module run in one process, so a module's
    expensive setup (a module-scoped migration, the IAM recording, the built functions' invocations) is done once;
    the fault matrix's tests go by scenario (a scenario's tests read one run of it), so its scenarios spread."""
    from xdist.scheduler import LoadScopeScheduling

    class BySharedSetup(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module, _, test = nodeid.partition("::")
            if module.endswith("/test_fault_matrix.py") and "[" in test:
                return f"{module}[{test.partition('[')[2]}"
            return module

    return BySharedSetup(config, log)
