"""Both directions of least privilege: every action used is granted, and every action granted is used."""

from __future__ import annotations


def compare(granted: dict[str, set[str]], used: dict[str, set[str]]) -> list[str]:
    """One line per principal and action out of step, e.g. "PreflightFunction: uses sts:AssumeRole, not granted"."""
    problems: list[str] = []
    for principal in sorted(granted.keys() | used.keys()):
        have, need = granted.get(principal, set()), used.get(principal, set())
        problems += [f"{principal}: uses {action}, not granted" for action in sorted(need - have)]
        problems += [f"{principal}: granted {action}, never used" for action in sorted(have - need)]
    return problems
