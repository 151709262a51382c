"""What uv.lock says this environment and the functions' artifacts hold, read from the lock itself."""

from __future__ import annotations

import tomllib
from collections import deque
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "uv.lock"
PROJECT = "eum-share"


def _packages() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads(LOCK.read_text())
    return {canonicalize_name(package["name"]): package for package in lock["package"]}


def _applies(edge: dict[str, Any]) -> bool:
    marker = edge.get("marker")
    return marker is None or Marker(marker).evaluate()


def closure(*, extras: bool) -> dict[str, str]:
    """Name -> locked version of every package the project needs on this machine: its run-time dependencies, and
    with `extras` every extra's (what `uv sync --all-extras` installs). The project itself is left out."""
    packages = _packages()
    root = packages[PROJECT]
    start = list(root.get("dependencies", []))
    if extras:
        start += [edge for edges in root.get("optional-dependencies", {}).values() for edge in edges]
    found: dict[str, str] = {}
    queue = deque(edge for edge in start if _applies(edge))
    while queue:
        edge = queue.popleft()
        name = canonicalize_name(edge["name"])
        package = packages[name]
        wanted_extras = edge.get("extra", [])
        if name == PROJECT:
            # the project's extras name each other (dev = eum-share[twin,bench]): their edges are already queued
            continue
        first_visit = name not in found
        found[name] = package["version"]
        edges = list(package.get("dependencies", [])) if first_visit else []
        for extra in wanted_extras:
            edges += package.get("optional-dependencies", {}).get(extra, [])
        queue.extend(edge for edge in edges if _applies(edge))
    return found
