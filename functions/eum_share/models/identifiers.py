"""Identifier formats of AWS accounts, Regions, Organizations, IAM roles and End User Messaging resources."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

# ASCII: an account ID's digits are 0-9, not any script's digits as Python's \d would take.
ACCOUNT_ID = re.compile(r"^\d{12}$", re.ASCII)
REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$", re.ASCII)
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", re.ASCII)
OU_ARN = re.compile(
    r"^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", re.ASCII
)
ORG_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$", re.ASCII)
ROLE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})$", re.ASCII
)
SHARE_ARN = re.compile(
    r"^arn:aws[a-z-]*:ram:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):resource-share/[0-9a-f-]{36}$", re.ASCII
)
# sender-id ARNs carry the sender ID and its country: .../sender-id/MYBRAND/GB
SMS_ARN = re.compile(
    r"^arn:aws[a-z-]*:sms-voice:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>phone-number|sender-id|pool|opt-out-list)/(?P<id>[A-Za-z0-9_.:/-]+)$",
    re.ASCII,
)
PERMISSION_ARN = re.compile(r"^arn:aws[a-z-]*:ram::(?:aws|\d{12}):permission/[\w.-]+$", re.ASCII)


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"must be {what}, got {value!r}")
        return value

    return AfterValidator(check)


def _portable(*patterns: re.Pattern[str]) -> str:
    """The patterns as one, in the dialect JSON Schema uses (ECMA-262, which has no `(?P<name>` groups)."""
    bodies = [
        re.sub(r"\(\?P<\w+>", "(?:", p.pattern)
        .replace(r"\d", "[0-9]")  # the patterns are ASCII; a schema validator's \d may not be
        .replace(r"\w", "A-Za-z0-9_")  # only ever inside a character class here
        .removeprefix("^")
        .removesuffix("$")
        for p in patterns
    ]
    return f"^{bodies[0]}$" if len(bodies) == 1 else f"^(?:{'|'.join(bodies)})$"


def _documented(description: str, pattern: str) -> Any:
    """What the request's JSON Schema says of an identifier; validation stays with the validator beside it."""
    return Field(description=description, json_schema_extra={"pattern": pattern})


AccountId = Annotated[
    str,
    _matching(ACCOUNT_ID, "a 12-digit AWS account ID"),
    _documented("A 12-digit AWS account ID.", _portable(ACCOUNT_ID)),
]
RegionName = Annotated[
    str,
    _matching(REGION, "an AWS Region name such as us-east-1"),
    _documented("An AWS Region name such as us-east-1.", _portable(REGION)),
]
RoleArn = Annotated[
    str,
    _matching(ROLE_ARN, "an IAM role ARN"),
    _documented(
        "An IAM role ARN. The role must be in the account it acts for and its name must be one of the stack's "
        "role names (parameters OwnerRoleName and ConsumerRoleName; EumShareOwnerRole and EumShareConsumerRole "
        "by default).",
        _portable(ROLE_ARN),
    ),
]
IdentityArn = Annotated[
    str,
    _matching(SMS_ARN, "an End User Messaging SMS phone-number, sender-id, pool or opt-out-list ARN"),
    _documented("The full ARN of a phone number, sender ID, pool or opt-out list.", _portable(SMS_ARN)),
]
PermissionArn = Annotated[
    str,
    _matching(PERMISSION_ARN, "a RAM permission ARN"),
    _documented(
        "A RAM managed permission ARN, at most one per resource type, as ListPermissions lists them for the "
        "sms-voice resource types. Without any, RAM attaches each resource type's default managed permission.",
        _portable(PERMISSION_ARN),
    ),
]


def principal_kind(value: str) -> str | None:
    """ACCOUNT, OU or ORGANIZATION; None when RAM would not take it as a principal we support."""
    if ACCOUNT_ID.fullmatch(value):
        return "ACCOUNT"
    if OU_ID.fullmatch(value) or OU_ARN.fullmatch(value):
        return "OU"
    if ORG_ARN.fullmatch(value):
        return "ORGANIZATION"
    return None


def _principal(value: str) -> str:
    if OU_ID.fullmatch(value):
        # RAM takes an OU by its ARN only (CreateResourceShare's and AssociateResourceShare's `principals`).
        raise ValueError(
            "an OU is named by its ARN, as RAM takes it: "
            f"arn:aws:organizations::<management account ID>:ou/<organization ID>/{value}, got {value!r}"
        )
    if principal_kind(value) is None:
        raise ValueError(
            "must be a 12-digit account ID, an OU ARN, or an organization ARN "
            f"(never an IAM user or role), got {value!r}"
        )
    return value


Principal = Annotated[
    str,
    AfterValidator(_principal),
    _documented(
        "A RAM principal: a 12-digit account ID, an OU ARN, or the organization ARN; never an IAM user or role.",
        _portable(ACCOUNT_ID, OU_ARN, ORG_ARN),
    ),
]


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, lower-cased: what a callback allow-list names."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _callback_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"must be an https:// (or allow-listed http://) URL, got {value!r}")
    if parts.username or parts.password or parts.fragment:
        raise ValueError("must not carry credentials or a fragment")
    return value


CallbackUrl = Annotated[
    str,
    Field(min_length=10, max_length=2048),
    AfterValidator(_callback_url),
    _documented(
        "An http(s) URL without credentials or fragment, where the outcome is POSTed, signed, when the migration "
        "ends; its origin (scheme://host[:port]) must be on the stack's allow-list (parameter CallbackAllowedOrigins).",
        r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@:][^/?#@]*(?:[/?][^#]*)?$",
    ),
]
