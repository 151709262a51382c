"""The read-only calls `eum-share doctor` makes that the workflow does not, and its way into the accounts.

Nothing here changes anything in AWS: each function is a Get, List, Describe or Simulate call (or AssumeRole)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import boto3
from botocore.config import Config

from eum_share.dal.accounts import AccountAccess, Clients
from eum_share.dal.clients import SDK_CONFIG

SMS_VOICE = "pinpoint-sms-voice-v2"
# Per identity kind: the describe operation, its result list and the ARN member.
_LISTING = {
    "PHONE_NUMBER": ("describe_phone_numbers", "PhoneNumbers", "PhoneNumberArn"),
    "SENDER_ID": ("describe_sender_ids", "SenderIds", "SenderIdArn"),
    "POOL": ("describe_pools", "Pools", "PoolArn"),
    "OPT_OUT_LIST": ("describe_opt_out_lists", "OptOutLists", "OptOutListArn"),
}


def assumed(base: boto3.Session, access: AccountAccess, config: Config = SDK_CONFIG) -> tuple[Clients, str]:
    """Clients in `access`'s account (through its role and ExternalId, with `base`'s credentials), and the ARN
    they act as. AssumeRole happens here, so a role that refuses the caller fails at once, not at a later read."""
    params: dict[str, Any] = {"RoleArn": access.role_arn, "RoleSessionName": "eum-share-doctor"}
    if access.external_id:
        params["ExternalId"] = access.external_id
    credentials = base.client("sts", region_name=access.region, config=config).assume_role(**params)
    session = boto3.Session(
        aws_access_key_id=credentials["Credentials"]["AccessKeyId"],
        aws_secret_access_key=credentials["Credentials"]["SecretAccessKey"],
        aws_session_token=credentials["Credentials"]["SessionToken"],
        region_name=access.region,
    )
    made: dict[str, Any] = {}

    def clients(service: str) -> Any:
        if service not in made:
            made[service] = session.client(service, region_name=access.region, config=config)  # type: ignore[call-overload]
        return made[service]

    return clients, access.role_arn


def resource_types(owner: Clients) -> list[str]:
    """The resource types RAM can share in the owner's Region, every page."""
    return [str(item["resourceType"]) for item in _ram_pages(owner("ram").list_resource_types, "resourceTypes")]


def permissions(owner: Clients, resource_type: str) -> list[dict[str, Any]]:
    """The managed permissions RAM offers for one resource type, every page."""
    return _ram_pages(owner("ram").list_permissions, "permissions", resourceType=resource_type)


def _ram_pages(call: Any, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a RAM listing botocore has no paginator for. RAM: "These operations can occasionally return
    an empty set of results even when there are more results available. The NextToken response parameter value
    is null only when there are no more results to display." """
    items: list[dict[str, Any]] = []
    while True:
        response = call(**params)
        items += [dict(item) for item in response[key]]
        if not response.get("nextToken"):
            return items
        params = params | {"nextToken": response["nextToken"]}


def some_identities(owner: Clients, kind: str, limit: int) -> list[str]:
    """Up to `limit` identities of that kind the owner account owns (one page: a sample, not an inventory)."""
    operation, result, arn_member = _LISTING[kind]
    response = getattr(owner(SMS_VOICE), operation)(Owner="SELF", MaxResults=limit)
    return [str(item[arn_member]) for item in response[result]][:limit]


def raw_policy(owner: Clients, arn: str) -> str | None:
    """GetResourcePolicy's `Policy` exactly as AWS answered it (None when the member is absent)."""
    policy = owner(SMS_VOICE).get_resource_policy(ResourceArn=arn).get("Policy")
    return None if policy is None else str(policy)


def service_quotas(clients: Clients, service_code: str) -> list[dict[str, Any]]:
    """The quota values applied in the account for one service, every page."""
    pages = clients("service-quotas").get_paginator("list_service_quotas").paginate(ServiceCode=service_code)
    return [dict(item) for page in pages for item in page["Quotas"]]


def simulate(
    clients: Clients, role_arn: str, actions_by_resource: Mapping[str, Iterable[str]], context: Mapping[str, str]
) -> dict[tuple[str, str], str]:
    """IAM's decision (allowed, explicitDeny, implicitDeny) for each action on its resource, from the role's own
    policies (iam:SimulatePrincipalPolicy: nothing is called, nothing changes)."""
    entries = [
        {"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": "string"}
        for key, value in context.items()
    ]
    paginator = clients("iam").get_paginator("simulate_principal_policy")
    decisions: dict[tuple[str, str], str] = {}
    for resource, actions in actions_by_resource.items():
        pages = paginator.paginate(
            PolicySourceArn=role_arn, ActionNames=list(actions), ResourceArns=[resource], ContextEntries=entries
        )
        for page in pages:
            for result in page["EvaluationResults"]:
                decisions[result["EvalActionName"], resource] = str(result["EvalDecision"])
    return decisions
