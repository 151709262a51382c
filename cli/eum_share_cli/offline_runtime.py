"""What a command running the offline AWS in its own process needs: the twin installed, and quiet functions."""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from eum_share_cli.failures import CommandFailed

METRICS_DISABLED = "POWERTOOLS_METRICS_DISABLED"


def require_twin() -> None:
    """The offline AWS is an optional part of the package; say how to get it rather than fail on an import."""
    missing = [name for name in ("moto", "yaml") if importlib.util.find_spec(name) is None]
    if missing:
        raise CommandFailed(
            f"the offline AWS needs {', '.join(missing)}: pip install 'eum-share[twin]' (or `make install`)"
        )


@contextmanager
def quiet_functions() -> Iterator[None]:
    """The functions print their metrics as in Lambda, and moto logs what it does not serve; on a terminal,
    progress lines are worth more. Only for the run: a process that goes on (tests) gets its settings back."""
    saved_metrics = os.environ.get(METRICS_DISABLED)
    moto_logger = logging.getLogger("moto")
    saved_level = moto_logger.level
    if saved_metrics is None:
        os.environ[METRICS_DISABLED] = "true"
    moto_logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        moto_logger.setLevel(saved_level)
        if saved_metrics is None:
            os.environ.pop(METRICS_DISABLED, None)
