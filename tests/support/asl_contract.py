"""What cfn-lint and `sam validate` do not check in an ASL file given by DefinitionUri."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twin.runner import PLACEHOLDER


def placeholders(asl_text: str) -> set[str]:
    return set(PLACEHOLDER.findall(asl_text))


def _scopes(machine: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every States scope: the top level, each Map's item processor and each Parallel branch, recursively."""
    yield where, machine
    for name, state in machine.get("States", {}).items():
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            yield from _scopes(inner, f"{where}/{name}")
        for index, branch in enumerate(state.get("Branches", [])):
            yield from _scopes(branch, f"{where}/{name}[{index}]")


def dangling_targets(definition: dict[str, Any]) -> list[str]:
    """Every StartAt / Next / Default / Choices[].Next / Catch[].Next that names no state of its scope."""
    problems: list[str] = []
    for where, scope in _scopes(definition, "root"):
        states = scope.get("States", {})
        if scope.get("StartAt") not in states:
            problems.append(f"{where}: StartAt {scope.get('StartAt')!r} names no state")
        for name, state in states.items():
            targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
            targets += [(f"Choices[{i}]", choice.get("Next")) for i, choice in enumerate(state.get("Choices", []))]
            targets += [(f"Catch[{i}]", catch.get("Next")) for i, catch in enumerate(state.get("Catch", []))]
            for field, target in targets:
                if target is not None and target not in states:
                    problems.append(f"{where}/{name}.{field}: {target!r} names no state")
    return problems


def unreachable_states(definition: dict[str, Any]) -> list[str]:
    """States no path from StartAt reaches (dead ASL)."""
    problems: list[str] = []
    for where, scope in _scopes(definition, "root"):
        states = scope.get("States", {})
        seen: set[str] = set()
        todo = [scope.get("StartAt")]
        while todo:
            name = todo.pop()
            if name in seen or name not in states:
                continue
            seen.add(name)
            state = states[name]
            todo += [state.get("Next"), state.get("Default")]
            todo += [c.get("Next") for c in state.get("Choices", []) + state.get("Catch", [])]
        problems += [f"{where}/{name}: unreachable" for name in states if name not in seen]
    return problems
