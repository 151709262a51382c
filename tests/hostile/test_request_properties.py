"""Whatever a sender puts in a request, validation answers with the request or with problems naming fields;
an accepted request never reaches outside the owner's identities, RAM's principals or the configured roles."""

from __future__ import annotations

import json
from typing import Any

from eum_share.errors import InvalidRequest
from eum_share.logic.context import consumer_role, owner_role
from eum_share.logic.validate_request import validate_request
from eum_share.models.identifiers import ROLE_ARN, SMS_ARN, principal_kind
from eum_share.models.request import MigrationRequest
from eum_share.settings import Settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.strategies import (
    ROLE_NAMES,
    assembled_requests,
    json_values,
    names_a_field_of,
    paths,
    replaced,
)
from tests.support.events import load_event

VALID = load_event("requests/single-account.json")
SETTINGS = Settings(
    LEDGER_TABLE_NAME="ledger", ARTIFACT_BUCKET_NAME="artifacts", EVENT_BUS_NAME="bus"
)  # the default role names, as ROLE_NAMES
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(raw: Any) -> MigrationRequest | InvalidRequest:
    try:
        return validate_request(raw, default_migration_id="exec-1", role_names=ROLE_NAMES)
    except InvalidRequest as invalid:
        return invalid


@EXAMPLES
@given(json_values)
def test_any_json_is_a_request_or_problems_naming_fields(raw: Any) -> None:
    # Given any JSON value a door could receive
    # When it is validated
    answer = outcome(raw)
    # Then it is refused with problems, each naming a field of what was sent (nothing else is raised)
    assert isinstance(answer, InvalidRequest)
    assert answer.problems
    assert all(names_a_field_of(p, raw) for p in answer.problems), answer.problems


@EXAMPLES
@given(st.data())
def test_a_valid_request_with_any_field_replaced_is_refused_by_that_field_or_accepted(data: st.DataObject) -> None:
    # Given the console example with one value, anywhere in it, replaced by any JSON value
    path = data.draw(st.sampled_from(paths(VALID)))
    raw = replaced(VALID, path, data.draw(json_values))
    # When it is validated
    answer = outcome(raw)
    # Then either it is still a request, or every problem names a field of what was sent
    if isinstance(answer, InvalidRequest):
        assert answer.problems
        assert all(names_a_field_of(p, raw) for p in answer.problems), (path, answer.problems)


@EXAMPLES
@given(assembled_requests())
def test_an_accepted_request_stays_within_the_owner_principals_and_configured_roles(raw: dict[str, Any]) -> None:
    # Given a request assembled from valid and near-miss identifiers
    # When it is validated
    answer = outcome(raw)
    if isinstance(answer, InvalidRequest):
        assert all(names_a_field_of(p, raw) for p in answer.problems), answer.problems
        return
    # Then, when accepted: every ARN is an SMS identity of the owner in the request's Region
    owner, region = answer.owner.account_id, answer.region
    for arn in answer.resources.arns:
        match = SMS_ARN.match(arn)
        assert match is not None, arn
        assert (match["account"], match["region"]) == (owner, region), arn
    # every principal is an account, an OU or the organization
    assert all(principal_kind(p) in {"ACCOUNT", "OU", "ORGANIZATION"} for p in answer.principals)
    # and every role the functions would assume is a configured role, without a path, in the account it acts for
    roles = [(owner, owner_role(answer, SETTINGS))]
    roles += [(c.account_id, consumer_role(c, SETTINGS)) for c in answer.consumers]
    for account, role in roles:
        if role is None:
            continue
        match = ROLE_ARN.match(role)
        assert match is not None, role
        assert role == f"arn:aws:iam::{account}:role/{match['name']}", role
        assert match["name"] in ROLE_NAMES, role


def test_a_role_under_a_path_is_refused_naming_the_field() -> None:
    # Given a consumer role with a configured name, but under a path (another role to IAM)
    raw = json.loads(json.dumps(VALID))
    raw["consumers"][0]["roleArn"] = "arn:aws:iam::222222222222:role/team/EumShareConsumerRole"
    # When it is validated
    answer = outcome(raw)
    # Then it is refused, naming the field and why
    assert isinstance(answer, InvalidRequest)
    assert answer.problems == [
        "consumers[0].roleArn: must name the role without a path (arn:aws:iam::222222222222:role/NAME)"
    ]
