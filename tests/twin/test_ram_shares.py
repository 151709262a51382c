"""RAM resource shares: create, read, update, delete, idempotency, and what may be shared at all."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
REGION = "us-east-1"


def _default_permission(ram: object, resource_type: str) -> str:
    """The default managed permission of a resource type, as ListPermissions shows it."""
    listed = ram.list_permissions(resourceType=resource_type)["permissions"]  # type: ignore[attr-defined]
    [default] = [p["arn"] for p in listed if p["isResourceTypeDefault"]]
    return str(default)


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_a_new_share_is_active_with_the_default_permissions_and_external_principals_allowed(
    aws: OfflineAWS,
) -> None:
    """CreateResourceShare.permissionArns: "If you do not specify an ARN for the permission, RAM automatically
    attaches the default version of the permission for each resource type" (one per type, here)."""
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it creates a share with only a name
    share = ram.create_resource_share(name="EUM-Shared-Resources")["resourceShare"]

    # Then the share is active, owned by the caller, open to external principals, using the phone numbers' default
    assert share["status"] == "ACTIVE"
    assert share["owningAccountId"] == OWNER
    assert share["allowExternalPrincipals"] is True
    assert share["resourceShareArn"].startswith(f"arn:aws:ram:{REGION}:{OWNER}:resource-share/")
    default = _default_permission(ram, "sms-voice:PhoneNumber")
    listed = ram.get_resource_shares(resourceOwner="SELF", permissionArn=default)["resourceShares"]
    assert [s["resourceShareArn"] for s in listed] == [share["resourceShareArn"]]


def test_get_resource_shares_filters_by_name_status_and_tags(aws: OfflineAWS) -> None:
    # Given two shares, one tagged
    ram = aws.client("ram", account=OWNER)
    tagged = ram.create_resource_share(name="a", tags=[{"key": "team", "value": "sms"}])["resourceShare"]
    ram.create_resource_share(name="b")

    # When the owner filters
    by_name = ram.get_resource_shares(resourceOwner="SELF", name="b")["resourceShares"]
    by_tag = ram.get_resource_shares(resourceOwner="SELF", tagFilters=[{"tagKey": "team", "tagValues": ["sms"]}])
    deleted = ram.get_resource_shares(resourceOwner="SELF", resourceShareStatus="DELETED")["resourceShares"]

    # Then each filter keeps only what matches
    assert [s["name"] for s in by_name] == ["b"]
    assert [s["resourceShareArn"] for s in by_tag["resourceShares"]] == [tagged["resourceShareArn"]]
    assert deleted == []


def test_get_resource_shares_pages_with_max_results(aws: OfflineAWS) -> None:
    # Given three shares
    ram = aws.client("ram", account=OWNER)
    for name in ("a", "b", "c"):
        ram.create_resource_share(name=name)

    # When the owner reads them one per page
    names, token = [], None
    while True:
        page = ram.get_resource_shares(resourceOwner="SELF", maxResults=1, **({"nextToken": token} if token else {}))
        names += [s["name"] for s in page["resourceShares"]]
        token = page.get("nextToken")
        if token is None:
            break

    # Then every share comes back once
    assert names == ["a", "b", "c"]


def test_update_renames_and_closes_the_share_to_external_principals(aws: OfflineAWS) -> None:
    # Given a share
    ram = aws.client("ram", account=OWNER)
    arn = ram.create_resource_share(name="old")["resourceShare"]["resourceShareArn"]

    # When the owner updates it
    updated = ram.update_resource_share(resourceShareArn=arn, name="new", allowExternalPrincipals=False)

    # Then the new properties are returned and kept
    assert updated["resourceShare"]["name"] == "new"
    assert updated["resourceShare"]["allowExternalPrincipals"] is False
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"][0]["name"] == "new"


def test_delete_marks_the_share_deleted_and_it_can_no_longer_change(aws: OfflineAWS) -> None:
    # Given a share
    ram = aws.client("ram", account=OWNER)
    arn = ram.create_resource_share(name="x")["resourceShare"]["resourceShareArn"]

    # When the owner deletes it
    assert ram.delete_resource_share(resourceShareArn=arn)["returnValue"] is True

    # Then it is listed as DELETED and refuses further associations
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"][0]["status"] == "DELETED"
    with pytest.raises(ClientError) as error:
        ram.associate_resource_share(resourceShareArn=arn, principals=[CONSUMER])
    assert _code(error) == "InvalidStateTransitionException"


def test_an_unknown_share_is_an_unknown_resource(aws: OfflineAWS) -> None:
    # Given the owner's RAM with no share
    ram = aws.client("ram", account=OWNER)

    # When it deletes a share that does not exist
    with pytest.raises(ClientError) as error:
        ram.delete_resource_share(
            resourceShareArn=f"arn:aws:ram:{REGION}:{OWNER}:resource-share/00000000-0000-4000-8000-000000000000"
        )

    # Then RAM answers UnknownResourceException
    assert _code(error) == "UnknownResourceException"


def test_a_malformed_share_arn_is_refused(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it names a share with something that is not a share ARN
    with pytest.raises(ClientError) as error:
        ram.update_resource_share(resourceShareArn="not-an-arn", name="x")

    # Then RAM answers MalformedArnException
    assert _code(error) == "MalformedArnException"


def test_retrying_create_with_the_same_client_token_returns_the_same_share(aws: OfflineAWS) -> None:
    # Given a share created with a client token
    ram = aws.client("ram", account=OWNER)
    first = ram.create_resource_share(name="x", clientToken="token-1")

    # When the same request is retried
    again = ram.create_resource_share(name="x", clientToken="token-1")

    # Then the same share comes back and no second share exists
    assert again["resourceShare"]["resourceShareArn"] == first["resourceShare"]["resourceShareArn"]
    assert again["clientToken"] == "token-1"
    assert len(ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]) == 1


def test_reusing_a_client_token_with_other_parameters_is_a_mismatch(aws: OfflineAWS) -> None:
    # Given a share created with a client token
    ram = aws.client("ram", account=OWNER)
    ram.create_resource_share(name="x", clientToken="token-1")

    # When the token is reused for a different share
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="y", clientToken="token-1")

    # Then RAM refuses with IdempotentParameterMismatchException
    assert _code(error) == "IdempotentParameterMismatchException"


def test_a_resource_of_another_account_cannot_be_shared(aws: OfflineAWS) -> None:
    # Given a phone number owned by another account (for instance one shared with the caller)
    foreign = aws.sms.add_phone_number(CONSUMER, REGION)
    ram = aws.client("ram", account=OWNER)

    # When the caller tries to share it
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", resourceArns=[foreign])

    # Then RAM refuses: only resources the caller owns can be shared
    assert _code(error) == "OperationNotPermittedException"
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []


def test_a_resource_that_does_not_exist_is_an_unknown_resource(aws: OfflineAWS) -> None:
    # Given the owner's RAM and no such phone number
    ram = aws.client("ram", account=OWNER)

    # When it shares an ARN naming nothing
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(
            name="x", resourceArns=[f"arn:aws:sms-voice:{REGION}:{OWNER}:phone-number/phone-missing"]
        )

    # Then RAM answers UnknownResourceException
    assert _code(error) == "UnknownResourceException"


def test_a_configuration_set_cannot_be_shared(aws: OfflineAWS) -> None:
    # Given the ARN of a configuration set, which RAM cannot share
    ram = aws.client("ram", account=OWNER)

    # When the owner tries to share it
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", resourceArns=[f"arn:aws:sms-voice:{REGION}:{OWNER}:configuration-set/main"])

    # Then RAM refuses the resource type
    assert _code(error) == "MalformedArnException"


def test_a_malformed_resource_arn_is_refused(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it shares something that is not an ARN
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", resourceArns=["phone-123"])

    # Then RAM answers MalformedArnException
    assert _code(error) == "MalformedArnException"


def test_more_than_100_resources_in_one_call_is_over_the_limit(aws: OfflineAWS) -> None:
    # Given a share and 101 phone numbers
    ram = aws.client("ram", account=OWNER)
    arn = ram.create_resource_share(name="x")["resourceShare"]["resourceShareArn"]
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(101)]

    # When all 101 are associated in one call
    with pytest.raises(ClientError) as error:
        ram.associate_resource_share(resourceShareArn=arn, resourceArns=numbers)

    # Then RAM refuses the call as a whole
    assert _code(error) == "ResourceShareLimitExceededException"
    assert ram.get_resource_share_associations(associationType="RESOURCE")["resourceShareAssociations"] == []


def test_an_iam_role_cannot_receive_sms_resources(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it names an IAM role as principal
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", principals=[f"arn:aws:iam::{CONSUMER}:role/Sender"])

    # Then RAM refuses: End User Messaging resources go to accounts, OUs and organizations only
    assert _code(error) == "OperationNotPermittedException"


def test_an_external_account_is_refused_when_the_share_disallows_external_principals(aws: OfflineAWS) -> None:
    # Given a share closed to external principals
    ram = aws.client("ram", account=OWNER)
    arn = ram.create_resource_share(name="x", allowExternalPrincipals=False)["resourceShare"]["resourceShareArn"]

    # When an account outside any organization is added
    with pytest.raises(ClientError) as error:
        ram.associate_resource_share(resourceShareArn=arn, principals=[CONSUMER])

    # Then RAM refuses
    assert _code(error) == "OperationNotPermittedException"


def test_a_missing_required_parameter_is_an_invalid_parameter(aws: OfflineAWS) -> None:
    # Given a client that does not check parameters itself, as another SDK might not
    config = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    ram = aws.client("ram", account=OWNER, config=config)

    # When it asks for associations without the required associationType
    with pytest.raises(ClientError) as error:
        ram.get_resource_share_associations()

    # Then RAM answers InvalidParameterException
    assert _code(error) == "InvalidParameterException"


def test_tags_can_be_added_and_removed(aws: OfflineAWS) -> None:
    # Given a share
    ram = aws.client("ram", account=OWNER)
    arn = ram.create_resource_share(name="x")["resourceShare"]["resourceShareArn"]

    # When a tag is added, another added and the first removed
    ram.tag_resource(resourceShareArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    ram.untag_resource(resourceShareArn=arn, tagKeys=["a"])

    # Then only the second remains
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"][0]["tags"] == [{"key": "b", "value": "2"}]


def test_tag_keys_with_the_aws_prefix_are_reserved(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it tags a new share with an aws: key
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", tags=[{"key": "aws:team", "value": "x"}])

    # Then RAM answers TagPolicyViolationException
    assert _code(error) == "TagPolicyViolationException"


def test_the_four_sms_voice_resource_types_are_shareable(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it lists the shareable resource types
    types: set[str] = set()
    page: dict[str, Any] = {"nextToken": None}
    while "nextToken" in page:
        page = ram.list_resource_types(**({"nextToken": page["nextToken"]} if page["nextToken"] else {}))
        types |= {t["resourceType"] for t in page["resourceTypes"]}

    # Then the End User Messaging SMS types are among them
    assert {"sms-voice:PhoneNumber", "sms-voice:SenderId", "sms-voice:Pool", "sms-voice:OptOutList"} <= types


def test_each_sms_voice_resource_type_has_one_default_managed_permission(aws: OfflineAWS) -> None:
    """ListPermissions answers a `resourceType` per permission ("The type of resource to which this permission
    applies"), and CreateResourceShare: "You can associate only one permission with each resource type"."""
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it lists the permissions for each sms-voice resource type
    types = ["sms-voice:PhoneNumber", "sms-voice:SenderId", "sms-voice:Pool", "sms-voice:OptOutList"]
    listed = {t: ram.list_permissions(resourceType=t)["permissions"] for t in types}

    # Then each type has exactly one, its default, for that type only
    assert {t: [(p["resourceType"], p["isResourceTypeDefault"]) for p in ps] for t, ps in listed.items()} == {
        t: [(t, True)] for t in types
    }
    assert len({ps[0]["arn"] for ps in listed.values()}) == len(types)


def test_the_pool_permission_is_aws_managed_and_allows_sending(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it reads the pools' default permission
    detail = ram.get_permission(permissionArn=_default_permission(ram, "sms-voice:Pool"))["permission"]

    # Then it is an AWS managed permission that allows sending
    assert detail["permissionType"] == "AWS_MANAGED"
    assert "sms-voice:SendTextMessage" in detail["permission"]


def test_two_permissions_for_one_resource_type_are_refused_at_create(aws: OfflineAWS) -> None:
    """CreateResourceShare: "You can associate only one permission with each resource type included in the resource
    share." The error
    is not documented; InvalidParameterException is assumed (docs/aws-assumptions.md)."""
    # Given the phone numbers' default permission
    ram = aws.client("ram", account=OWNER)
    default = _default_permission(ram, "sms-voice:PhoneNumber")

    # When a share is created naming a permission for that type twice
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", permissionArns=[default, default])

    # Then RAM refuses it and creates nothing
    assert _code(error) == "InvalidParameterException"
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []


def test_an_unknown_permission_is_refused_at_create(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it asks for a permission that does not exist
    with pytest.raises(ClientError) as error:
        ram.create_resource_share(name="x", permissionArns=["arn:aws:ram::aws:permission/AWSRAMNoSuchPermission"])

    # Then RAM answers UnknownResourceException
    assert _code(error) == "UnknownResourceException"


def test_a_share_arn_the_owner_does_not_have_is_an_unknown_resource_when_read(aws: OfflineAWS) -> None:
    """GetResourceShares lists UnknownResourceException; the Terraform provider's acceptance-tested
    findResourceShares (internal/service/ram/resource_share.go) reads it as "not found"."""
    # Given the owner's RAM with no such share
    ram = aws.client("ram", account=OWNER)

    # When it reads a share by an ARN naming nothing
    with pytest.raises(ClientError) as error:
        ram.get_resource_shares(
            resourceOwner="SELF",
            resourceShareArns=[f"arn:aws:ram:{REGION}:{OWNER}:resource-share/00000000-0000-4000-8000-000000000000"],
        )

    # Then RAM answers UnknownResourceException, not an empty list
    assert _code(error) == "UnknownResourceException"
