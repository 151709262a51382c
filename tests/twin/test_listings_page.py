"""Every listing the orchestrator reads from the offline AWS's own services comes in pages.

AWS documents MaxResults as an upper bound: "the service might return fewer results than the maximum even when
there are more results available" (RAM's maxResults members), "A NextToken response indicates that more output is
available" (Organizations, End User Messaging SMS). In the tests every listing is cut to a few items a page
(tests/conftest.py), so an orchestrator read that stops at the first page loses items and fails a workflow test;
here each listing the orchestrator uses is shown to have a second page for a small listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.called_operations import called_operations, session
from twin.offline import OfflineAWS
from twin.seed import Scenario, seed

SMS = "pinpoint-sms-voice-v2"
# The services the offline AWS answers itself (moto answers the others, with its own page sizes).
OWN_SERVICES = (SMS, "ram", "organizations")


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[OfflineAWS, Scenario, list[str]]]:
    """An owner with its identities and configuration, two shares of two numbers each with an external consumer,
    and two services trusted by its organization, in an offline AWS whose pages hold one item."""
    from twin.faults import FaultConfig

    with OfflineAWS(FaultConfig(max_page_size=1)) as aws:
        scenario = seed(aws, identities=45, consumers=2, external_consumers=1, configuration_sets=2)
        sms = aws.client(SMS, account=scenario.owner)
        sms.create_protect_configuration()
        for kind in ("US_TEN_DLC_BRAND_REGISTRATION", "US_TEN_DLC_CAMPAIGN_REGISTRATION"):
            aws.sms.add_registration(scenario.owner, aws.region, registration_type=kind)
        ram = aws.client("ram", account=scenario.owner)
        ram.enable_sharing_with_aws_organization()
        shares = [
            ram.create_resource_share(
                name=f"listing-{index}",
                resourceArns=scenario.phone_numbers[2 * index : 2 * index + 2],
                principals=scenario.external_consumers,
            )["resourceShare"]["resourceShareArn"]
            for index in range(2)
        ]
        aws.client("organizations", account=scenario.owner).enable_aws_service_access(
            ServicePrincipal="sso.amazonaws.com"
        )
        aws.world.settle()
        yield aws, scenario, shares


# Per listing the orchestrator reads: who calls it and with what.
LISTINGS: dict[tuple[str, str], Callable[[Scenario, list[str]], tuple[str, dict[str, Any]]]] = {
    (SMS, "DescribePhoneNumbers"): lambda s, _: (s.owner, {"Owner": "SELF"}),
    (SMS, "DescribeSenderIds"): lambda s, _: (s.owner, {"Owner": "SELF"}),
    (SMS, "DescribePools"): lambda s, _: (s.owner, {"Owner": "SELF"}),
    (SMS, "DescribeOptOutLists"): lambda s, _: (s.owner, {"Owner": "SELF"}),
    (SMS, "ListPoolOriginationIdentities"): lambda s, _: (s.owner, {"PoolId": s.pools[0]}),
    (SMS, "DescribeConfigurationSets"): lambda s, _: (s.owner, {}),
    (SMS, "DescribeProtectConfigurations"): lambda s, _: (s.owner, {}),
    (SMS, "DescribeRegistrations"): lambda s, _: (s.owner, {}),
    (SMS, "DescribeSpendLimits"): lambda s, _: (s.owner, {}),
    (SMS, "DescribeAccountAttributes"): lambda s, _: (s.owner, {}),
    ("ram", "GetResourceShares"): lambda s, _: (s.owner, {"resourceOwner": "SELF"}),
    ("ram", "GetResourceShareAssociations"): lambda s, shares: (
        s.owner,
        {"associationType": "RESOURCE", "resourceShareArns": shares[:1]},
    ),
    ("ram", "GetResourceShareInvitations"): lambda s, _: (s.external_consumers[0], {}),
    ("ram", "ListResources"): lambda s, _: (s.owner, {"resourceOwner": "SELF"}),
    ("ram", "ListResourceTypes"): lambda s, _: (s.owner, {}),
    ("ram", "ListPermissions"): lambda s, _: (s.owner, {}),
    ("organizations", "ListAWSServiceAccessForOrganization"): lambda s, _: (s.owner, {}),
}


def _token_member(service: str, operation: str) -> str | None:
    """The member that carries the next page's token (NextToken, nextToken), None for an unpaged operation."""
    output = session().get_service_model(service).operation_model(operation).output_shape
    members = output.members if output is not None else {}
    return next((name for name in ("NextToken", "nextToken") if name in members), None)


def test_every_listing_the_orchestrator_reads_is_shown_to_page() -> None:
    # Given every paged operation of the offline AWS's own services that the orchestrator's code calls
    read = {
        (service, op) for service, op in called_operations() if service in OWN_SERVICES and _token_member(service, op)
    }

    # Then each one is among the listings shown below to come in pages
    assert sorted(read - LISTINGS.keys()) == []


@pytest.mark.parametrize(("service", "operation"), sorted(LISTINGS))
def test_a_small_listing_has_a_second_page_and_its_tokens_lead_through_every_item(
    world: tuple[OfflineAWS, Scenario, list[str]], service: str, operation: str
) -> None:
    # Given a listing of a few items, in an offline AWS whose pages hold one item
    aws, scenario, shares = world
    account, params = LISTINGS[service, operation](scenario, shares)
    client = aws.client(service, account=account)
    call = getattr(client, _method(client, operation))
    token = _token_member(service, operation)
    assert token is not None

    # When the caller reads it page by page, following the token
    pages = [call(**params)]
    while pages[-1].get(token):
        pages.append(call(**params, **{token: pages[-1][token]}))

    # Then there is more than one page, each of one item, and no item comes twice
    result_key = next(key for key, value in pages[0].items() if isinstance(value, list))
    items = [item for page in pages for item in page[result_key]]
    assert len(pages) >= 2
    assert all(len(page[result_key]) <= 1 for page in pages)
    assert len({repr(sorted(item.items())) for item in items}) == len(items)


def _method(client: Any, operation: str) -> str:
    return next(name for name, api in client.meta.method_to_api_mapping.items() if api == operation)
