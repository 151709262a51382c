"""AWS End User Messaging SMS (pinpoint-sms-voice-v2): resource policies, shared views, DryRun sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal.accounts import Clients

# Per identity kind: the describe operation, its ID parameter, its result list and the ARN member.
DESCRIBE = {
    "PHONE_NUMBER": ("describe_phone_numbers", "PhoneNumberIds", "PhoneNumbers", "PhoneNumberArn"),
    "SENDER_ID": ("describe_sender_ids", "SenderIds", "SenderIds", "SenderIdArn"),
    "POOL": ("describe_pools", "PoolIds", "Pools", "PoolArn"),
    "OPT_OUT_LIST": ("describe_opt_out_lists", "OptOutListNames", "OptOutLists", "OptOutListArn"),
}
IDS_PER_CALL = 5  # End User Messaging's limit on ID filters per describe call


def describe_action(kind: str) -> str:
    """The describe action of an identity kind, as its quota is named ("DescribePhoneNumbers")."""
    return "".join(word.capitalize() for word in DESCRIBE[kind][0].split("_"))


def get_policy(owner: Clients, arn: str) -> str | None:
    """The identity's resource policy, or None when it has none. AWS answers a resource without a policy with the
    literal "{}" (docs/aws-assumptions.md), and a document without a statement grants nothing either: both are
    "no policy" here, so an emptied policy reads as missing, never as a document to parse."""
    response = owner("pinpoint-sms-voice-v2").get_resource_policy(ResourceArn=arn)
    policy = response.get("Policy")
    return None if _grants_nothing(policy) else str(policy)


def _grants_nothing(policy: str | None) -> bool:
    if not policy:
        return True
    try:
        document = json.loads(policy)
    except ValueError:
        return False  # not JSON: the caller reports it as it is
    return isinstance(document, dict) and not document.get("Statement")


def put_policy(owner: Clients, arn: str, policy: str) -> None:
    owner("pinpoint-sms-voice-v2").put_resource_policy(ResourceArn=arn, Policy=policy)


def delete_policy(owner: Clients, arn: str) -> None:
    owner("pinpoint-sms-voice-v2").delete_resource_policy(ResourceArn=arn)


def _id_filter(kind: str, arn: str) -> Any:
    # A consumer names a shared resource by its full ARN; sender IDs also carry their country.
    return {"SenderId": arn, "IsoCountryCode": arn.rsplit("/", 1)[-1]} if kind == "SENDER_ID" else arn


def described(clients: Clients, kind: str, arns: list[str]) -> set[str]:
    """Which of these ARNs the account sees (its own, or shared with it), by targeted describe calls (at most five
    full ARNs a call, and no `Owner`: "The Owner and ...Ids parameters can't be used at the same time", and a
    shared resource is named by its full ARN). An ARN it does not see makes the call fail naming it; that ARN is
    taken out and the rest asked again."""
    operation, ids_member, result, arn_member = DESCRIBE[kind]
    seen: set[str] = set()
    pending = list(arns)
    while pending:
        group, pending = pending[:IDS_PER_CALL], pending[IDS_PER_CALL:]
        while group:
            try:
                found = _all_pages(
                    getattr(clients("pinpoint-sms-voice-v2"), operation),
                    {ids_member: [_id_filter(kind, arn) for arn in group]},
                    result,
                )
            except ClientError as error:
                missing = error.response.get("ResourceId") or error.response["Error"].get("ResourceId")
                if error.response["Error"]["Code"] != "ResourceNotFoundException" or missing not in group:
                    raise
                group = [arn for arn in group if arn != missing]
                continue
            seen |= {item[arn_member] for item in found}
            break
    return seen


def _all_pages(call: Any, params: dict[str, Any], result: str) -> list[dict[str, Any]]:
    """Every item of a describe call: End User Messaging may answer in pages even when IDs are given."""
    items: list[dict[str, Any]] = []
    while True:
        response = call(**params)
        items += response[result]
        if not response.get("NextToken"):
            return items
        params = params | {"NextToken": response["NextToken"]}


def shared_with(consumer: Clients, kind: str) -> Iterator[str]:
    """Every ARN of that kind the consuming account sees under Owner=SHARED (full paginated listing)."""
    operation, _, result, arn_member = DESCRIBE[kind]
    paginator = consumer("pinpoint-sms-voice-v2").get_paginator(operation)
    for page in paginator.paginate(Owner="SHARED", PaginationConfig={"PageSize": 100}):
        for item in page[result]:
            yield str(item[arn_member])


def dry_run_send(consumer: Clients, identity: str, destination: str, configuration_set: str | None) -> None:
    """Validates that the consumer can send with the identity, without sending and without charge."""
    params: dict[str, Any] = {
        "DestinationPhoneNumber": destination,
        "OriginationIdentity": identity,
        "MessageBody": "eum-share verification",
        "DryRun": True,
    }
    if configuration_set:
        params["ConfigurationSetName"] = configuration_set
    consumer("pinpoint-sms-voice-v2").send_text_message(**params)


def account_tier(clients: Clients) -> str:
    """ACCOUNT_TIER, from whichever page of DescribeAccountAttributes carries it."""
    pages = clients("pinpoint-sms-voice-v2").get_paginator("describe_account_attributes").paginate()
    attributes = [attribute for page in pages for attribute in page["AccountAttributes"]]
    return next((str(a["Value"]) for a in attributes if a["Name"] == "ACCOUNT_TIER"), "UNKNOWN")
