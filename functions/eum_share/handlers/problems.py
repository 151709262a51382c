"""RFC 9457 problem details for the HTTP API: every refusal says what is wrong and, for a bad field, which."""

from __future__ import annotations

import json
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from eum_share.logic.validate_request import split_problem

CONTENT_TYPE = "application/problem+json"


def problem(status: HTTPStatus, kind: str, detail: str, problems: list[str] | None = None) -> Response[str]:
    body: dict[str, object] = {
        "type": f"urn:eum-share:problem:{kind}",
        "title": status.phrase,
        "status": status.value,
        "detail": detail,
    }
    if problems:
        # "field: reason" lines of InvalidRequest, split so a ticket system can point at the field.
        body["invalid-params"] = [{"name": name, "reason": reason} for name, reason in map(split_problem, problems)]
    return Response(status_code=status.value, content_type=CONTENT_TYPE, body=json.dumps(body))
