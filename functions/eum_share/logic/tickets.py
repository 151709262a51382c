"""Ticket bodies to (ticket ID, migration request): the documented generic format and Jira's issue webhook.

Generic: `{"ticketId": "MIG-42", "request": {...MigrationRequest...}}`.
Jira (an issue webhook or an Automation "Send web request" with the issue data): the ticket ID is `issue.key`
and the request is the first JSON code block (`{code:json}...{code}` or a ```json fence) in
`issue.fields.description`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from eum_share.errors import InvalidRequest, MalformedBody
from eum_share.logic.validate_request import field_path
from eum_share.models.doors import TICKET_ID, GenericTicket

_CODE_BLOCK = re.compile(r"\{code(?::json)?[^}]*\}(?P<wiki>.*?)\{code\}|```(?:json)?\s*\n(?P<fence>.*?)```", re.S)


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    request: Any
    # Where the request sits in the body, to name bad fields as the sender sees them.
    request_field: str


def ticket_from_body(body: Any) -> Ticket:
    if not isinstance(body, dict):
        raise MalformedBody("the body must be a JSON object")
    if "ticketId" in body or "request" in body:
        return _generic(body)
    if "issue" in body:
        return _jira(body)
    raise MalformedBody(
        "the body is neither a generic ticket (ticketId, request) nor a Jira issue webhook (issue)", field="body"
    )


def _generic(body: dict[str, Any]) -> Ticket:
    try:
        ticket = GenericTicket.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest(
            [f"{field_path(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        ) from None
    return Ticket(ticket.ticket_id, ticket.request, "request")


def _jira(body: dict[str, Any]) -> Ticket:
    issue = body["issue"]
    if not isinstance(issue, dict):
        raise InvalidRequest(["issue: must be the Jira issue, an object with key and fields"])
    key = issue.get("key")
    if not isinstance(key, str) or not re.fullmatch(TICKET_ID, key, re.ASCII):
        raise InvalidRequest(["issue.key: must be a Jira issue key such as MIG-42"])
    fields = issue.get("fields")
    if not isinstance(fields, dict):
        raise InvalidRequest(["issue.fields: must be the issue's fields, an object with a description"])
    description = fields.get("description")
    if not isinstance(description, str):
        raise InvalidRequest(["issue.fields.description: must hold the migration request in a JSON code block"])
    block = _CODE_BLOCK.search(description)
    if block is None:
        raise InvalidRequest(["issue.fields.description: has no {code:json} block or ```json fence"])
    text = block.group("wiki") if block.group("wiki") is not None else block.group("fence")
    try:
        request = json.loads(text)
    except ValueError as error:
        raise InvalidRequest([f"issue.fields.description: the JSON code block does not parse: {error}"]) from None
    return Ticket(key, request, "issue.fields.description")
