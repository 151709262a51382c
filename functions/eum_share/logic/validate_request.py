"""Turn whatever a door received into a MigrationRequest, or say precisely what is wrong with it."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from eum_share.errors import InvalidRequest
from eum_share.models.identifiers import ROLE_ARN, SHARE_ARN, SMS_ARN, origin, principal_kind
from eum_share.models.request import MigrationRequest
from eum_share.settings import AllowList

ANY_ACCOUNT = AllowList()
MIGRATION_ID = re.compile(r"[A-Za-z0-9_-]{1,80}", re.ASCII)


FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


def field_path(location: tuple[int | str, ...]) -> str:
    """`consumers[0].roleArn`; a key that is not a plain name is quoted (`tags["a.b"]`), so a path never misleads."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif FIELD_NAME.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part)}]"
    return path or "request"


# A problem line is "<field path>: <reason>"; a quoted key in the path may itself hold ": ".
_PROBLEM_FIELD = re.compile(r'(?:[^":]|"(?:[^"\\]|\\.)*")*')


def split_problem(line: str) -> tuple[str, str]:
    """("consumers[0].roleArn", "reason") of a problem line."""
    match = _PROBLEM_FIELD.match(line)
    field = match[0] if match else ""
    return field, line[len(field) :].removeprefix(": ")


def within(prefix: str, line: str) -> str:
    """A problem of a request that arrived inside something else, named from the outside (`request.owner...`)."""
    field, reason = split_problem(line)
    if field == "request":
        return f"{prefix}: {reason}"
    return f"{prefix}{field}: {reason}" if field.startswith("[") else f"{prefix}.{field}: {reason}"


def validate_request(
    raw: Any,
    *,
    default_migration_id: str,
    role_names: frozenset[str],
    callback_origins: frozenset[str] = frozenset(),
    allow_list: AllowList = ANY_ACCOUNT,
) -> MigrationRequest:
    """The request, complete and consistent; InvalidRequest names every bad field otherwise."""
    if not isinstance(raw, dict):
        raise InvalidRequest([f"request: must be a JSON object, got {type(raw).__name__}"])
    try:
        request = MigrationRequest.model_validate(raw)
    except ValidationError as error:
        raise InvalidRequest(
            [f"{field_path(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        ) from None
    problems = _cross_checks(request, role_names) + _allow_list_checks(request, allow_list)
    if request.callback_url is not None and origin(request.callback_url) not in callback_origins:
        problems.append(
            f"callbackUrl: {origin(request.callback_url)} is not on the stack's callback allow-list "
            f"({', '.join(sorted(callback_origins)) or 'empty'})"
        )
    if problems:
        raise InvalidRequest(problems)
    if request.migration_id is None:
        if not MIGRATION_ID.fullmatch(default_migration_id):
            raise InvalidRequest(
                [
                    f"migrationId: absent, and {default_migration_id!r} (the execution's name) cannot stand in "
                    "for it: letters, digits, - and _ only; give a migrationId"
                ]
            )
        request = request.model_copy(update={"migration_id": default_migration_id})
    return request


def _cross_checks(request: MigrationRequest, role_names: frozenset[str]) -> list[str]:
    """What no single field can check: everything belongs to the owner account and the request's Region."""
    problems: list[str] = []
    owner, region = request.owner.account_id, request.region
    for index, arn in enumerate(request.resources.arns):
        match = SMS_ARN.fullmatch(arn)
        if match is None:
            problems.append(
                f"resources.arns[{index}]: must be an End User Messaging SMS phone-number, sender-id, "
                f"pool or opt-out-list ARN, got {arn!r}"
            )
        elif match["account"] != owner:
            problems.append(f"resources.arns[{index}]: belongs to account {match['account']}, not the owner {owner}")
        elif match["region"] != region:
            problems.append(f"resources.arns[{index}]: is in {match['region']}, but RAM shares only within {region}")
    if len(set(request.resources.arns)) != len(request.resources.arns):
        problems.append("resources.arns: lists an ARN more than once")
    if request.share.arn is not None:
        share = SHARE_ARN.fullmatch(request.share.arn)
        if share is None:
            problems.append(f"share.arn: must be a RAM resource-share ARN, got {request.share.arn!r}")
        elif (share["account"], share["region"]) != (owner, region):
            problems.append(f"share.arn: must be a share of the owner account {owner} in {region}")
    problems += _role_checks("owner.roleArn", request.owner.role_arn, owner, role_names)
    seen: set[str] = set()
    direct = {p for p in request.principals if principal_kind(p) == "ACCOUNT"}
    only_accounts = all(principal_kind(p) == "ACCOUNT" for p in request.principals)
    for index, consumer in enumerate(request.consumers):
        where = f"consumers[{index}]"
        if consumer.account_id in seen:
            problems.append(f"{where}.accountId: account {consumer.account_id} is listed twice")
        seen.add(consumer.account_id)
        if consumer.account_id == owner:
            problems.append(f"{where}.accountId: the owner account cannot consume its own share")
        if only_accounts and consumer.account_id not in direct:
            problems.append(f"{where}.accountId: account {consumer.account_id} is not among the principals")
        problems += _role_checks(f"{where}.roleArn", consumer.role_arn, consumer.account_id, role_names)
    if len(set(request.principals)) != len(request.principals):
        problems.append("principals: lists a principal more than once")
    if owner in request.principals:
        problems.append("principals: the owner account cannot be a principal of its own share")
    return problems


_ORGANIZATION = re.compile(r"/(o-[a-z0-9]{10,32})(?:/|$)", re.ASCII)


def _allow_list_checks(request: MigrationRequest, allowed: AllowList) -> list[str]:
    """The stack's allow-list: a request may name only the accounts the stack was deployed for, so that whoever can
    start a migration cannot have the functions reach into, or share with, any other account."""
    problems: list[str] = []
    owner = request.owner.account_id
    if allowed.owners is not None and owner not in allowed.owners:
        problems.append(
            f"owner.accountId: account {owner} is not an owner account this stack may act in "
            f"(OwnerAccountIds: {_listed(allowed.owners)})"
        )

    def refused(account: str) -> str | None:
        if allowed.consumers is None or account in allowed.consumers or allowed.organization is not None:
            return None
        return f"account {account} may not consume from this stack (ConsumerAccountIds: {_listed(allowed.consumers)})"

    for index, consumer in enumerate(request.consumers):
        if why := refused(consumer.account_id):
            problems.append(f"consumers[{index}].accountId: {why}")
    for index, principal in enumerate(request.principals):
        if principal_kind(principal) == "ACCOUNT":
            if why := refused(principal):
                problems.append(f"principals[{index}]: {why}")
        elif allowed.organization is not None:
            found = _ORGANIZATION.search(principal)
            if found is None or found[1] != allowed.organization:
                problems.append(
                    f"principals[{index}]: is not in organization {allowed.organization} (ConsumerOrganizationId)"
                )
        elif allowed.consumers is not None:
            problems.append(
                f"principals[{index}]: reaches accounts by OU or organization, but this stack lets accounts consume "
                "only by ID (ConsumerAccountIds); name the accounts, or deploy with ConsumerOrganizationId"
            )
    if allowed.organization is not None and request.share.allow_external_principals:
        # RAM: allowExternalPrincipals "Specifies whether principals outside your organization in Organizations can
        # be associated with a resource share": false keeps every consumer inside the organization.
        problems.append(
            f"share.allowExternalPrincipals: must be false: only organization {allowed.organization} may consume "
            "from this stack (ConsumerOrganizationId), and a share that allows external principals reaches others"
        )
    return problems


def _listed(accounts: frozenset[str]) -> str:
    return ", ".join(sorted(accounts)) or "none"


def _role_checks(where: str, role_arn: str | None, account: str, role_names: frozenset[str]) -> list[str]:
    if role_arn is None:
        return []
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None:
        return [f"{where}: must be an IAM role ARN"]
    problems = []
    if match["account"] != account:
        problems.append(f"{where}: the role must be in account {account}, not {match['account']}")
    if not role_arn.endswith(f":role/{match['name']}"):
        # The functions may assume role/<name> only: a role under a path is another role to IAM.
        problems.append(f"{where}: must name the role without a path (arn:aws:iam::{account}:role/NAME)")
    if match["name"] not in role_names:
        problems.append(f"{where}: role name {match['name']!r} is not one of the configured roles {sorted(role_names)}")
    return problems
