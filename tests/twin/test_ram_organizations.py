"""Sharing inside an AWS Organization: accounts, OUs and the whole organization as principals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

MANAGEMENT = "111122223333"
OUTSIDER = "999988887777"
REGION = "us-east-1"


@dataclass(frozen=True)
class Org:
    arn: str
    ou_arn: str
    in_ou: str  # a member account inside the OU
    at_root: str  # a member account directly under the root


def _organization(aws: OfflineAWS) -> Org:
    """An organization managed by MANAGEMENT with one OU, one account in it and one at the root."""
    org = aws.client("organizations", account=MANAGEMENT)
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="messaging")["OrganizationalUnit"]
    in_ou = org.create_account(Email="in-ou@example.com", AccountName="in-ou")["CreateAccountStatus"]["AccountId"]
    at_root = org.create_account(Email="root@example.com", AccountName="root")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=in_ou, SourceParentId=root, DestinationParentId=ou["Id"])
    return Org(organization["Arn"], ou["Arn"], in_ou, at_root)


def _share(aws: OfflineAWS, principal: str, **kwargs: Any) -> tuple[str, str]:
    number = aws.sms.add_phone_number(MANAGEMENT, REGION)
    ram = aws.client("ram", account=MANAGEMENT)
    share = ram.create_resource_share(name="org", principals=[principal], resourceArns=[number], **kwargs)
    return str(share["resourceShare"]["resourceShareArn"]), number


def _sees(aws: OfflineAWS, account: str, share: str) -> bool:
    shares = aws.client("ram", account=account).get_resource_shares(resourceOwner="OTHER-ACCOUNTS")
    return share in [s["resourceShareArn"] for s in shares["resourceShares"]]


def test_enabling_organization_sharing_from_the_management_account_succeeds(aws: OfflineAWS) -> None:
    # Given an organization
    _organization(aws)

    # When its management account enables sharing with the organization
    answer = aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()

    # Then RAM reports success
    assert answer["returnValue"] is True


def test_a_member_account_cannot_enable_organization_sharing(aws: OfflineAWS) -> None:
    # Given an organization
    org = _organization(aws)

    # When a member account tries to enable sharing with the organization
    with pytest.raises(ClientError) as error:
        aws.client("ram", account=org.at_root).enable_sharing_with_aws_organization()

    # Then RAM refuses
    assert error.value.response["Error"]["Code"] == "OperationNotPermittedException"


def test_an_ou_cannot_be_a_principal_without_organization_sharing(aws: OfflineAWS) -> None:
    # Given an organization whose management account has not enabled sharing with it
    org = _organization(aws)

    # When the management account shares with an OU
    with pytest.raises(ClientError) as error:
        _share(aws, org.ou_arn)

    # Then RAM refuses
    assert error.value.response["Error"]["Code"] == "OperationNotPermittedException"


def test_without_organization_sharing_a_member_account_is_invited(aws: OfflineAWS) -> None:
    # Given an organization without sharing enabled
    org = _organization(aws)

    # When the management account shares with a member account
    share, _ = _share(aws, org.at_root)
    aws.world.settle()

    # Then the member has a pending invitation and does not see the share yet
    invitations = aws.client("ram", account=org.at_root).get_resource_share_invitations()
    assert [i["status"] for i in invitations["resourceShareInvitations"]] == ["PENDING"]
    assert not _sees(aws, org.at_root, share)


def test_with_organization_sharing_a_member_account_joins_without_invitation(aws: OfflineAWS) -> None:
    # Given an organization with sharing enabled
    org = _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()

    # When the management account shares a number with a member account
    share, number = _share(aws, org.at_root)
    ram = aws.client("ram", account=MANAGEMENT)
    (associating,) = ram.get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"]
    aws.world.settle()

    # Then the principal goes ASSOCIATING to ASSOCIATED, no invitation is sent, and the member is granted
    (associated,) = ram.get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"]
    assert (associating["status"], associated["status"], associated["external"]) == (
        "ASSOCIATING",
        "ASSOCIATED",
        False,
    )
    assert aws.client("ram", account=org.at_root).get_resource_share_invitations()["resourceShareInvitations"] == []
    assert _sees(aws, org.at_root, share)
    assert aws.sms.visible_to(org.at_root, number)


def test_sharing_with_an_ou_reaches_its_accounts_only(aws: OfflineAWS) -> None:
    # Given an organization with sharing enabled
    org = _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()

    # When the management account shares a number with the OU
    share, number = _share(aws, org.ou_arn)
    aws.world.settle()

    # Then the account in the OU sees and is granted it, the account at the root does not
    assert _sees(aws, org.in_ou, share)
    assert aws.sms.visible_to(org.in_ou, number)
    assert not _sees(aws, org.at_root, share)
    assert not aws.sms.visible_to(org.at_root, number)


def test_sharing_with_the_organization_reaches_every_member_and_no_outsider(aws: OfflineAWS) -> None:
    # Given an organization with sharing enabled
    org = _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()

    # When the management account shares a number with the whole organization
    share, number = _share(aws, org.arn)
    aws.world.settle()

    # Then every member sees it and an account outside the organization does not
    assert _sees(aws, org.in_ou, share)
    assert _sees(aws, org.at_root, share)
    assert aws.sms.visible_to(org.at_root, number)
    assert not _sees(aws, OUTSIDER, share)


def test_a_share_closed_to_external_principals_still_reaches_members(aws: OfflineAWS) -> None:
    # Given an organization with sharing enabled
    org = _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()

    # When a share closed to external principals is made for a member account
    share, _ = _share(aws, org.at_root, allowExternalPrincipals=False)
    aws.world.settle()

    # Then the member sees it
    assert _sees(aws, org.at_root, share)


def test_an_ou_that_does_not_exist_is_an_unknown_resource(aws: OfflineAWS) -> None:
    # Given an organization with sharing enabled
    org = _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()
    missing = org.ou_arn.rsplit("/", 1)[0] + "/ou-zzzz-zzzzzzzz"

    # When the management account shares with an OU that is not there
    with pytest.raises(ClientError) as error:
        _share(aws, missing)

    # Then RAM answers UnknownResourceException
    assert error.value.response["Error"]["Code"] == "UnknownResourceException"


def test_adding_an_organization_account_to_a_share_holding_resources_grants_them(aws: OfflineAWS) -> None:
    # Given a share holding an associated number and no principal yet
    org = _organization(aws)
    ram = aws.client("ram", account=MANAGEMENT)
    ram.enable_sharing_with_aws_organization()
    number = aws.sms.add_phone_number(MANAGEMENT, REGION)
    share = ram.create_resource_share(name="org", resourceArns=[number])["resourceShare"]["resourceShareArn"]
    aws.world.settle()
    assert aws.sms.policy_document(number) is None

    # When a member account is added as principal
    ram.associate_resource_share(resourceShareArn=share, principals=[org.in_ou])
    aws.world.settle()

    # Then RAM rewrites the resource's policy to grant it
    assert aws.sms.visible_to(org.in_ou, number)


def test_enabling_organization_sharing_turns_on_trusted_access_for_ram(aws: OfflineAWS) -> None:
    # Given an organization whose management account enables sharing with it
    _organization(aws)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()
    # Then Organizations lists RAM among the trusted services, where an operator would check it
    org = aws.client("organizations", account=MANAGEMENT)
    enabled = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert "ram.amazonaws.com" in [s["ServicePrincipal"] for s in enabled]
