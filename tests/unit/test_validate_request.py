"""A request from any door is accepted whole, or refused with every bad field named."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eum_share.errors import InvalidRequest
from eum_share.logic.validate_request import validate_request
from eum_share.models.request import MigrationRequest, Strategy
from eum_share.settings import AllowList

from tests.support.events import load_event

ROLES = frozenset({"EumShareConsumerRole", "EumShareOwnerRole"})
OWNER = "111111111111"
PHONE = f"arn:aws:sms-voice:us-east-1:{OWNER}:phone-number/phone-0123456789abcdef0123456789abcdef"


def _request(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = copy.deepcopy(load_event("validate_request.json")["request"])
    request.update(changes)
    return request


def _validate(raw: Any) -> MigrationRequest:
    return validate_request(raw, default_migration_id="exec-1", role_names=ROLES)


def _problems(raw: Any) -> list[str]:
    with pytest.raises(InvalidRequest) as refused:
        _validate(raw)
    return refused.value.problems


def test_a_minimal_request_gets_the_documented_defaults() -> None:
    request = _validate(_request())
    assert request.options.batch_size == 10
    assert request.options.strategy is Strategy.RAM
    assert request.share.permission_arns == []  # RAM attaches each resource type's default permission


def test_the_migration_id_defaults_to_the_execution_name() -> None:
    assert _validate(_request()).migration_id == "exec-1"


def test_every_console_example_validates() -> None:
    assert _validate(load_event("requests/single-account.json")).migration_id == "mig-2026-0001"


def test_a_batch_above_ten_is_refused_naming_the_field() -> None:
    assert _problems(_request(options={"batchSize": 11})) == [
        "options.batchSize: Input should be less than or equal to 10"
    ]


def test_an_arn_of_another_account_is_refused() -> None:
    foreign = PHONE.replace(OWNER, "999999999999")
    [problem] = _problems(_request(resources={"select": "ARNS", "arns": [foreign]}))
    assert problem.startswith("resources.arns[0]: belongs to account 999999999999")


def test_an_arn_in_another_region_is_refused() -> None:
    [problem] = _problems(_request(resources={"select": "ARNS", "arns": [PHONE.replace("us-east-1", "eu-west-1")]}))
    assert problem.startswith("resources.arns[0]: is in eu-west-1")


def test_an_arn_of_another_service_is_refused() -> None:
    [problem] = _problems(_request(resources={"select": "ARNS", "arns": ["arn:aws:sns:us-east-1:111111111111:t"]}))
    assert problem.startswith("resources.arns[0]: must be an End User Messaging SMS")


def test_an_iam_role_as_principal_is_refused() -> None:
    [problem] = _problems(_request(principals=["arn:aws:iam::222222222222:role/Admin"]))
    assert problem.startswith("principals[0]: must be a 12-digit account ID, an OU ARN")


def test_ou_and_organization_principals_are_accepted() -> None:
    principals = [
        "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-abcdefgh",
        "arn:aws:organizations::111111111111:organization/o-abcdefghij",
    ]
    assert _validate(_request(principals=principals)).principals == principals


def test_a_bare_ou_id_is_refused_with_the_arn_form_ram_takes() -> None:
    # Given a request naming an OU by its ID (RAM's principals take an OU's ARN only)
    [problem] = _problems(_request(principals=["222222222222", "ou-ab12-abcdefgh"]))
    # Then the refusal names the field and shows the ARN to give instead
    assert problem == (
        "principals[1]: an OU is named by its ARN, as RAM takes it: arn:aws:organizations::<management account ID>:"
        "ou/<organization ID>/ou-ab12-abcdefgh, got 'ou-ab12-abcdefgh'"
    )


def test_a_consumer_that_no_principal_covers_is_refused() -> None:
    [problem] = _problems(_request(consumers=[{"accountId": "333333333333"}]))
    assert problem == "consumers[0].accountId: account 333333333333 is not among the principals"


def test_a_role_outside_the_configured_names_is_refused() -> None:
    consumer = {"accountId": "222222222222", "roleArn": "arn:aws:iam::222222222222:role/OrganizationAdmin"}
    [problem] = _problems(_request(consumers=[consumer]))
    assert problem.startswith("consumers[0].roleArn: role name 'OrganizationAdmin' is not one of the configured")


def test_a_share_with_both_name_and_arn_is_refused() -> None:
    share = {"name": "x", "arn": "arn:aws:ram:us-east-1:111111111111:resource-share/" + "0" * 36}
    [problem] = _problems(_request(share=share))
    assert problem.startswith("share: give exactly one of share.name")


def test_an_unknown_field_is_named() -> None:
    assert _problems(_request(batchSize=5)) == ["batchSize: Extra inputs are not permitted"]


def test_every_bad_field_is_named_at_once() -> None:
    problems = _problems(_request(region="Mars", owner={"accountId": "12"}, options={"batchSize": 0}))
    assert [p.split(":")[0] for p in problems] == ["region", "owner.accountId", "options.batchSize"]


def test_a_request_that_is_not_an_object_is_refused() -> None:
    assert _problems(["not", "an", "object"]) == ["request: must be a JSON object, got list"]


# -- the stack's allow-list (OwnerAccountIds, ConsumerAccountIds, ConsumerOrganizationId) -----------------------
ORGANIZATION = "o-abcdefghij"
OU = f"arn:aws:organizations::{OWNER}:ou/{ORGANIZATION}/ou-ab12-cdefgh34"


def _allowed_problems(raw: Any, allow_list: AllowList) -> list[str]:
    with pytest.raises(InvalidRequest) as refused:
        validate_request(raw, default_migration_id="exec-1", role_names=ROLES, allow_list=allow_list)
    return refused.value.problems


def test_an_owner_account_off_the_allow_list_is_refused_naming_the_field() -> None:
    # Given a stack deployed for owner account 333333333333 only
    allow_list = AllowList(owners=frozenset({"333333333333"}))
    # When a request names owner 111111111111
    problems = _allowed_problems(_request(), allow_list)
    # Then it is refused, naming owner.accountId and the stack parameter
    assert problems == [
        "owner.accountId: account 111111111111 is not an owner account this stack may act in "
        "(OwnerAccountIds: 333333333333)"
    ]


def test_a_consumer_off_the_allow_list_is_refused_as_consumer_and_as_principal() -> None:
    # Given a stack whose consumers may be 444444444444 only
    allow_list = AllowList(consumers=frozenset({"444444444444"}))
    # When a request shares with, and verifies from, 222222222222
    problems = _allowed_problems(_request(), allow_list)
    # Then both places that name the account are refused
    assert [p.split(":")[0] for p in problems] == ["consumers[0].accountId", "principals[0]"]
    assert "account 222222222222 may not consume from this stack (ConsumerAccountIds: 444444444444)" in problems[0]


def test_accounts_on_the_allow_list_are_accepted() -> None:
    allow_list = AllowList(owners=frozenset({OWNER}), consumers=frozenset({"222222222222"}))
    request = validate_request(_request(), default_migration_id="exec-1", role_names=ROLES, allow_list=allow_list)
    assert request.owner.account_id == OWNER


def test_an_ou_is_refused_when_the_stack_lets_accounts_consume_by_id_only() -> None:
    allow_list = AllowList(consumers=frozenset({"222222222222"}))
    [problem] = _allowed_problems(_request(principals=[OU]), allow_list)
    assert problem.startswith("principals[0]: reaches accounts by OU or organization")


def test_an_ou_of_another_organization_is_refused() -> None:
    # Given a stack whose consumers are the accounts of o-zzzzzzzzzz
    allow_list = AllowList(consumers=frozenset(), organization="o-zzzzzzzzzz")
    # When the request shares with an OU of o-abcdefghij
    [problem] = _allowed_problems(_request(principals=[OU]), allow_list)
    # Then the principal is refused
    assert problem == "principals[0]: is not in organization o-zzzzzzzzzz (ConsumerOrganizationId)"


def test_the_organization_admits_its_ous_and_accounts_in_a_share_kept_inside_it() -> None:
    allow_list = AllowList(consumers=frozenset(), organization=ORGANIZATION)
    request = validate_request(
        _request(principals=[OU, "222222222222"]),
        default_migration_id="exec-1",
        role_names=ROLES,
        allow_list=allow_list,
    )
    assert request.principals == [OU, "222222222222"]


def test_the_organization_refuses_a_share_that_allows_external_principals() -> None:
    allow_list = AllowList(consumers=frozenset(), organization=ORGANIZATION)
    share = {"name": "sms-production-numbers", "allowExternalPrincipals": True}
    [problem] = _allowed_problems(_request(share=share), allow_list)
    assert problem.startswith(f"share.allowExternalPrincipals: must be false: only organization {ORGANIZATION}")
