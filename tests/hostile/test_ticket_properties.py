"""Whatever a ticket system sends, the ticket mapping finds the ticket and its request or names what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any

from eum_share.errors import InvalidRequest, MalformedBody
from eum_share.logic.tickets import Ticket, ticket_from_body
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile.strategies import json_values, names_a_field_of
from tests.support.events import load_event

REQUEST = load_event("requests/single-account.json")
EXAMPLES = settings(max_examples=300, deadline=None)

ticket_ids = st.sampled_from(["MIG-42", "CHG0030001", "", "-1", "MIG 42", "MIG/42", "MIG-42\n", "x" * 65]) | st.text(
    max_size=8
)
descriptions = st.one_of(
    st.text(max_size=60),
    st.builds("{{code:json}}{}{{code}}".format, st.text(max_size=40) | st.just(json.dumps(REQUEST))),
    st.builds("Please migrate:\n```json\n{}\n```".format, st.text(max_size=40) | st.just(json.dumps(REQUEST))),
    st.builds("{{code}}{}".format, st.text(max_size=40)),
    st.just("{code}{}{code}"),
)
generic_bodies = st.fixed_dictionaries(
    {}, optional={"ticketId": ticket_ids | json_values, "request": json_values | st.just(REQUEST)}
)
jira_bodies = st.fixed_dictionaries(
    {
        "issue": json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "key": ticket_ids | json_values,
                "fields": json_values | st.fixed_dictionaries({}, optional={"description": descriptions | json_values}),
            },
        )
    }
)


def mapped(body: Any) -> Ticket | InvalidRequest | MalformedBody:
    try:
        return ticket_from_body(body)
    except (InvalidRequest, MalformedBody) as refused:
        return refused


@EXAMPLES
@given(generic_bodies | jira_bodies | json_values)
def test_a_ticket_body_maps_to_a_ticket_or_is_refused_naming_the_field(body: Any) -> None:
    # Given any body a ticket system could send, generic- or Jira-shaped or neither
    # When it is mapped
    answer = mapped(body)
    # Then it is a ticket with a usable ID, or refused naming a field of the body (nothing else is raised)
    if isinstance(answer, Ticket):
        # (it names the execution and the migration: Step Functions' and the ledger's characters only)
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", answer.ticket_id, re.ASCII), answer.ticket_id
        assert answer.request_field in {"request", "issue.fields.description"}
    elif isinstance(answer, InvalidRequest):
        assert answer.problems
        assert all(names_a_field_of(p, body) for p in answer.problems), answer.problems
    else:
        assert answer.field == "body"


def test_a_jira_description_with_the_request_in_a_code_block_maps_to_it() -> None:
    # Given a Jira issue whose description carries the request in a {code:json} block
    body = {
        "issue": {"key": "MIG-42", "fields": {"description": f"Move them.{{code:json}}{json.dumps(REQUEST)}{{code}}"}}
    }
    # When it is mapped
    answer = mapped(body)
    # Then the ticket is the issue key and the request is the block's JSON
    assert answer == Ticket("MIG-42", REQUEST, "issue.fields.description")
