"""Identifier formats of AWS accounts, Regions, Organizations, IAM roles and End User Messaging resources."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
OU_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ORG_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})$")
SHARE_ARN = re.compile(r"^arn:aws[a-z-]*:ram:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):resource-share/[0-9a-f-]{36}$")
# sender-id ARNs carry the sender ID and its country: .../sender-id/MYBRAND/GB
SMS_ARN = re.compile(
    r"^arn:aws[a-z-]*:sms-voice:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>phone-number|sender-id|pool|opt-out-list)/(?P<id>[A-Za-z0-9_.:/-]+)$"
)
MANAGED_PERMISSION = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSmsVoice"
PERMISSION_ARN = re.compile(r"^arn:aws[a-z-]*:ram::(?:aws|\d{12}):permission/[\w.-]+$")


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"must be {what}, got {value!r}")
        return value

    return AfterValidator(check)


AccountId = Annotated[str, _matching(ACCOUNT_ID, "a 12-digit AWS account ID")]
RegionName = Annotated[str, _matching(REGION, "an AWS Region name such as us-east-1")]
RoleArn = Annotated[str, _matching(ROLE_ARN, "an IAM role ARN")]
PermissionArn = Annotated[str, _matching(PERMISSION_ARN, "a RAM permission ARN")]


def principal_kind(value: str) -> str | None:
    """ACCOUNT, OU or ORGANIZATION; None when RAM would not take it as a principal we support."""
    if ACCOUNT_ID.match(value):
        return "ACCOUNT"
    if OU_ID.match(value) or OU_ARN.match(value):
        return "OU"
    if ORG_ARN.match(value):
        return "ORGANIZATION"
    return None


def _principal(value: str) -> str:
    if principal_kind(value) is None:
        raise ValueError(
            "must be a 12-digit account ID, an OU ID or ARN, or an organization ARN "
            f"(never an IAM user or role), got {value!r}"
        )
    return value


Principal = Annotated[str, AfterValidator(_principal)]
