"""Principals a share can name, and which accounts each one covers (from moto's Organizations)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from twin.orgs import membership

_ACCOUNT = re.compile(r"^\d{12}$")
_ORGANIZATION = re.compile(r"^arn:aws:organizations::(?P<mgmt>\d{12}):organization/(?P<org>o-[a-z0-9]+)$")
_OU = re.compile(r"^arn:aws:organizations::(?P<mgmt>\d{12}):ou/(?P<org>o-[a-z0-9]+)/(?P<ou>ou-[a-z0-9]+-[a-z0-9]+)$")
_IAM = re.compile(r"^arn:aws:iam::\d{12}:(role|user)/.+$")
_SERVICE = re.compile(r"^[a-z0-9-]+\.amazonaws\.com$")

ACCOUNT = "account"
ORGANIZATION = "organization"
OU = "ou"
IAM = "iam"
SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    value: str
    kind: str
    org_id: str | None = None
    ou_id: str | None = None


def parse(value: str) -> Principal | None:
    """The principal `value` names, or None when it is malformed."""
    if _ACCOUNT.match(value):
        return Principal(value, ACCOUNT)
    if match := _ORGANIZATION.match(value):
        return Principal(value, ORGANIZATION, org_id=match["org"])
    if match := _OU.match(value):
        return Principal(value, OU, org_id=match["org"], ou_id=match["ou"])
    if _IAM.match(value):
        return Principal(value, IAM)
    if _SERVICE.match(value):
        return Principal(value, SERVICE)
    return None


def covers(principal: str, account: str) -> bool:
    """Whether `account` is, or is inside, `principal` (organization membership is read when asked)."""
    if principal == account:
        return True
    parsed = parse(principal)
    if parsed is None or parsed.kind not in (ORGANIZATION, OU):
        return False
    member = membership(account)
    if member is None or member.org_id != parsed.org_id:
        return False
    return parsed.ou_id is None or member.in_ou(parsed.ou_id)


def same_organization(owner: str, account: str) -> bool:
    mine, theirs = membership(owner), membership(account)
    return mine is not None and theirs is not None and mine.org_id == theirs.org_id
