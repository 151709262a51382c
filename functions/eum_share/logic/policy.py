"""Is a resource policy intact? Present, valid JSON, granting every principal, keeping what was there before.

RAM under throttling can empty a policy or write a partial one; this is how a batch is checked after RAM
says ASSOCIATED, from the owner's side.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from eum_share.models.identifiers import ORG_ARN, OU_ARN, OU_ID, principal_kind

SEND = "sms-voice:SendTextMessage"
# What a consumer needs from each kind of shared identity: to send with it, or (opt-out lists) to read it.
USE_ACTION = {
    "PHONE_NUMBER": SEND,
    "SENDER_ID": SEND,
    "POOL": SEND,
    "OPT_OUT_LIST": "sms-voice:DescribeOptOutLists",
}


def statements(document: str | None) -> list[dict[str, Any]] | None:
    """The policy's statements, or None when there is no policy or it is not valid policy JSON."""
    if not document:
        return None
    try:
        parsed = json.loads(document)
    except ValueError:
        return None
    found = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list) and all(isinstance(s, dict) for s in found):
        return found
    return None


def canonical(statement: dict[str, Any]) -> str:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _allows(statement: dict[str, Any], action: str) -> bool:
    actions = [str(a) for a in _as_list(statement.get("Action", []))]
    return statement.get("Effect") == "Allow" and any(
        a in (action, "*") or (a.endswith("*") and action.startswith(a[:-1])) for a in actions
    )


def _condition_values(statement: dict[str, Any], key: str) -> list[str]:
    values: list[str] = []
    for operator in (statement.get("Condition") or {}).values():
        if isinstance(operator, dict) and key in operator:
            values += [str(v) for v in _as_list(operator[key])]
    return values


def grants(statement: dict[str, Any], principal: str, action: str = SEND) -> bool:
    """Does this statement let `principal` (account ID, OU ID/ARN or organization ARN) send with the resource?"""
    if not _allows(statement, action):
        return False
    aws = statement.get("Principal")
    listed = [str(p) for p in _as_list(aws.get("AWS", []))] if isinstance(aws, dict) else [str(aws)]
    kind = principal_kind(principal)
    if kind == "ACCOUNT":
        return principal in listed or f"arn:aws:iam::{principal}:root" in listed
    if "*" not in listed:
        return False
    if kind == "OU":
        ou = principal.rsplit("/", 1)[-1] if OU_ARN.fullmatch(principal) else principal
        assert OU_ID.fullmatch(ou)
        return any(f"/{ou}/" in path for path in _condition_values(statement, "aws:PrincipalOrgPaths"))
    if kind == "ORGANIZATION" and ORG_ARN.fullmatch(principal):
        return principal.rsplit("/", 1)[-1] in _condition_values(statement, "aws:PrincipalOrgID")
    return False


def integrity_problems(
    document: str | None, principals: list[str], snapshot: str | None, action: str = SEND
) -> list[str]:
    """Why this policy would strand the resource or lose something; empty when it is intact."""
    found = statements(document)
    if found is None:
        return ["resource policy is missing" if not document else "resource policy is not valid policy JSON"]
    problems = [
        f"resource policy does not grant {p} {action}"
        for p in principals
        if not any(grants(s, p, action) for s in found)
    ]
    kept = {canonical(s) for s in found}
    for statement in statements(snapshot) or []:
        if canonical(statement) not in kept:
            problems.append(f"statement {statement.get('Sid', '(no Sid)')} that existed before is gone")
    return problems


def policy_document(items: Sequence[dict[str, Any]]) -> str:
    """A resource policy of these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(items)})


def lost(document: str | None, snapshot: str | None) -> list[dict[str, Any]]:
    """The statements of the snapshot that the policy no longer holds (all of them when it is gone or broken)."""
    kept = {canonical(s) for s in statements(document) or []}
    return [s for s in statements(snapshot) or [] if canonical(s) not in kept]


def merged(current: str | None, snapshot: str | None, extra: Sequence[dict[str, Any]] = ()) -> str:
    """A policy holding the current statements, every pre-existing one that went missing, and `extra`."""
    result = list(statements(current) or [])
    seen = {canonical(s) for s in result}
    for statement in [*(statements(snapshot) or []), *extra]:
        if canonical(statement) not in seen:
            result.append(statement)
            seen.add(canonical(statement))
    return policy_document(result)


GRANTED_ACTIONS = {
    "PHONE_NUMBER": [SEND, "sms-voice:SendVoiceMessage", "sms-voice:SendMediaMessage"],
    "SENDER_ID": [SEND],
    "POOL": [SEND, "sms-voice:SendVoiceMessage", "sms-voice:SendMediaMessage"],
    "OPT_OUT_LIST": ["sms-voice:DescribeOptOutLists", "sms-voice:DescribeOptedOutNumbers"],
}


def grant_sid(migration_id: str) -> str:
    """The Sid prefix of every statement the RESOURCE_POLICY strategy writes for this migration (and only it)."""
    return "EumShare" + hashlib.sha256(migration_id.encode()).hexdigest()[:16]


def without_grants(document: str | None, sid: str) -> list[dict[str, Any]]:
    """The policy's statements without those whose Sid starts with `sid` (a policy that is not valid policy JSON
    keeps nothing)."""
    return [s for s in statements(document) or [] if not str(s.get("Sid", "")).startswith(sid)]


def still_held(snapshot: str | None, document: str | None) -> str:
    """The statements of the snapshot that the policy still holds, as a policy ("" when none): what a rollback must
    leave in place. A statement someone removed since the snapshot stays removed."""
    present = {canonical(s) for s in statements(document) or []}
    kept = [s for s in statements(snapshot) or [] if canonical(s) in present]
    return policy_document(kept) if kept else ""


def grant_statements(arn: str, kind: str, principals: list[str], sid: str) -> list[dict[str, Any]]:
    """What the RESOURCE_POLICY strategy writes instead of RAM: the grant RAM's managed permission gives,
    written directly."""
    actions = GRANTED_ACTIONS[kind]
    written: list[dict[str, Any]] = []
    accounts = [f"arn:aws:iam::{p}:root" for p in principals if principal_kind(p) == "ACCOUNT"]
    if accounts:
        written.append(
            {
                "Sid": f"{sid}Accounts",
                "Effect": "Allow",
                "Principal": {"AWS": accounts},
                "Action": actions,
                "Resource": arn,
            }
        )
    for index, principal in enumerate(p for p in principals if principal_kind(p) != "ACCOUNT"):
        if principal_kind(principal) == "OU":
            org, _, ou = principal.rpartition("/") if OU_ARN.fullmatch(principal) else ("*", "", principal)
            path = f"{org.rsplit('/', 1)[-1]}/*/{ou}/*" if org != "*" else f"*/{ou}/*"
            condition: dict[str, dict[str, Any]] = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [path]}}
        else:
            condition = {"StringEquals": {"aws:PrincipalOrgID": principal.rsplit("/", 1)[-1]}}
        written.append(
            {
                "Sid": f"{sid}Org{index}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": actions,
                "Resource": arn,
                "Condition": condition,
            }
        )
    return written
