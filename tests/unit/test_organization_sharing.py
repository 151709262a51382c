"""Whether RAM is trusted by the owner's organization, read through every page of the trusted services."""

from __future__ import annotations

from collections.abc import Callable

from eum_share.dal.ram import organization_sharing_enabled

from twin.offline import OfflineAWS

MANAGEMENT = "111122223333"
OTHER_SERVICES = ("access-analyzer.amazonaws.com", "account.amazonaws.com")


def _organization_trusting(offline_factory: Callable[..., OfflineAWS], *services: str) -> OfflineAWS:
    """An organization that trusts these services, its answers one service a page."""
    aws = offline_factory(max_page_size=1)
    org = aws.client("organizations", account=MANAGEMENT)
    org.create_organization(FeatureSet="ALL")
    for service in services:
        org.enable_aws_service_access(ServicePrincipal=service)
    return aws


def test_ram_trusted_after_other_services_is_found_on_a_later_page(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given an organization that trusts two other services before RAM, answered one service a page
    # (ListAWSServiceAccessForOrganization pages: "A NextToken response indicates that more output is available")
    aws = _organization_trusting(offline_factory, *OTHER_SERVICES)
    aws.client("ram", account=MANAGEMENT).enable_sharing_with_aws_organization()
    # When the owner asks whether RAM is trusted
    # Then it is, though RAM is on the third page
    assert organization_sharing_enabled(lambda service: aws.client(service, account=MANAGEMENT)) is True


def test_an_organization_that_does_not_trust_ram_says_so(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given an organization that trusts other services only, answered one service a page
    aws = _organization_trusting(offline_factory, *OTHER_SERVICES)
    # Then RAM is not trusted
    assert organization_sharing_enabled(lambda service: aws.client(service, account=MANAGEMENT)) is False
