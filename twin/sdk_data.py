"""One botocore data loader for every session made while the offline AWS is open.

A botocore session reads its service models and endpoint rules from disk afresh (about 0.2 s a session), and the
functions make a session for every account they reach at every cold start, the tests and the demo for every
account they look into: most of an offline run's time went to parsing the same JSON files again. The data is
read-only, so one loader, with its cache, serves them all.
"""

from __future__ import annotations

from collections.abc import Callable

import botocore.session
from botocore.loaders import Loader, create_loader


class _SearchPaths(list[str]):
    """boto3 appends its own data folder to the loader of every session it makes: once is enough."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def share_sdk_data() -> Callable[[], None]:
    """Make every new botocore session use one loader; returns what undoes it."""
    shared = create_loader()
    shared._search_paths = _SearchPaths(shared.search_paths)  # type: ignore[attr-defined]

    def shared_loader(search_path_string: str | None = None) -> Loader:
        return shared if not search_path_string else create_loader(search_path_string)

    botocore.session.create_loader = shared_loader

    def restore() -> None:
        botocore.session.create_loader = create_loader

    return restore
