"""Hostile input: arbitrary JSON, near-miss identifiers, and requests assembled from both."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import strategies as st

OWNER, REGION = "111111111111", "us-east-1"
ACCOUNTS = [
    OWNER,
    "222222222222",
    "333333333333",
    "12345678901",
    "222222222222\n",  # a pattern's $ matches before a final newline
    "\uff11" * 12,  # full-width digits: digits to Python's \\d, not to AWS
]
REGIONS = [REGION, "eu-west-1", "us-east-1 ", "US-EAST-1", "us-east-1\n"]
ROLE_NAMES = frozenset({"EumShareOwnerRole", "EumShareConsumerRole"})

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=16,
)

sms_arns = st.builds(
    "arn:{}:sms-voice:{}:{}:{}/{}".format,
    st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws "]),
    st.sampled_from(REGIONS),
    st.sampled_from(ACCOUNTS),
    st.sampled_from(["phone-number", "sender-id", "pool", "opt-out-list", "configuration-set", "user"]),
    st.from_regex(r"[A-Za-z0-9_.:/-]{0,20}", fullmatch=True) | st.text(max_size=12),
)
principals = st.sampled_from(ACCOUNTS) | st.sampled_from(
    [
        "ou-ab12-cdefgh34",
        "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-cdefgh34",
        "arn:aws:organizations::111111111111:organization/o-abcdefghij",
        "arn:aws:iam::222222222222:root",
        "arn:aws:iam::222222222222:user/alice",
        "arn:aws:iam::222222222222:role/Admin",
        "*",
        "",
    ]
)
role_arns = st.builds(
    "arn:aws:iam::{}:role/{}{}".format,
    st.sampled_from(ACCOUNTS),
    st.sampled_from(["", "team/", "a/b/"]),
    st.sampled_from([*sorted(ROLE_NAMES), "OrganizationAccountAccessRole", "Admin"]),
) | st.text(max_size=30)


@st.composite
def assembled_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Requests a sender could write, each part valid or a near miss."""
    owner: dict[str, Any] = {"accountId": draw(st.sampled_from(ACCOUNTS))}
    if draw(st.booleans()):
        owner["roleArn"] = draw(role_arns)
    consumers = []
    for account in draw(st.lists(st.sampled_from(ACCOUNTS), max_size=3)):
        consumer: dict[str, Any] = {"accountId": account}
        if draw(st.booleans()):
            consumer["roleArn"] = draw(role_arns)
        consumers.append(consumer)
    request: dict[str, Any] = {
        "region": draw(st.sampled_from(REGIONS)),
        "owner": owner,
        "share": {"name": "sms-production-numbers"},
        "principals": draw(st.lists(principals, min_size=1, max_size=4)),
        "consumers": consumers,
    }
    if draw(st.booleans()):
        request["resources"] = {"select": "ARNS", "arns": draw(st.lists(sms_arns, min_size=1, max_size=4))}
    return request


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document where a value could be replaced."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


_PART = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


_WHERE = re.compile(r'(?:[^":]|"(?:[^"\\]|\\.)*")*')


def named_path(problem: str) -> tuple[Any, ...]:
    """`consumers[0].roleArn: reason` -> ("consumers", 0, "roleArn"); () for the request as a whole."""
    where = _WHERE.match(problem)[0]  # type: ignore[index]
    if where == "request":
        return ()
    parts: list[Any] = []
    position = 0
    while position < len(where):
        match = _PART.match(where, position)
        if match is None or match.end() == position:
            raise AssertionError(f"{problem!r} does not start with a field path")
        parts.append(match[1] if match[1] else int(match[2]) if match[2] else json.loads(match[3]))
        position = match.end()
    return tuple(parts)


def names_a_field_of(problem: str, document: Any) -> bool:
    """The problem's field path leads into the document: every step but the last exists in it (the last may be a
    field that is missing, which is what the problem says)."""
    if ": " not in problem[len(_WHERE.match(problem)[0]) :]:  # type: ignore[index]
        return False
    target = document
    path = named_path(problem)
    for part in path[:-1]:
        if (isinstance(target, dict) and isinstance(part, str) and part in target) or (
            isinstance(target, list) and isinstance(part, int) and part < len(target)
        ):
            target = target[part]
        else:
            return False
    if not path:
        return True
    last = path[-1]
    if isinstance(target, dict):
        return isinstance(last, str)
    return isinstance(target, list) and isinstance(last, int) and last < len(target)
