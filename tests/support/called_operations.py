"""The AWS operations the orchestrator calls, read from its code (functions/ and cli/)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
# Calls made for the project by code it does not own: the signing secret through Powertools Parameters
# (functions/eum_share/dal/secrets.py), and the Lambda invocations of the state machines' Task states.
CALLED_THROUGH_LIBRARIES = {("secretsmanager", "GetSecretValue"), ("lambda", "Invoke")}


@cache
def session() -> Any:
    return botocore.session.get_session()


def called_operations() -> set[tuple[str, str]]:
    """Every (service, operation) the functions and the CLI call: in each module, the botocore services it names
    (a literal or a module constant passed as first argument, as `clients("ram")` or `consumer(SMS)`) and the
    client methods it calls, passes on or names (`get_paginator("describe_pools")`, the DESCRIBE table of
    dal/sms.py)."""
    services = set(session().get_available_services())
    trees = [ast.parse(path.read_text()) for folder in ("functions", "cli") for path in (ROOT / folder).rglob("*.py")]
    constants: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        constants.setdefault(target.id, set()).add(node.value.value)
    called: set[tuple[str, str]] = set()
    for tree in trees:
        named: set[str] = set()
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):  # called, or passed on to be called (`_pages(ram.list_x)`)
                names.add(node.attr)
            if isinstance(node, ast.Call) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    named.add(first.value)
                elif isinstance(first, ast.Name):
                    named |= constants.get(first.id, set())
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
        for service in named & services:
            model = session().get_service_model(service)
            called |= {(service, op) for op in model.operation_names if xform_name(op) in names}
    return called | CALLED_THROUGH_LIBRARIES
