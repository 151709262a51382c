"""sts:AssumeRole as AWS answers it: only an existing role whose trust policy lets the caller in.

moto lets any ARN be assumed, whether the role exists or not (OFFLINE-AWS-NOTES.md). Here the role must exist in
the target account and its trust policy must allow the caller's account for sts:AssumeRole, its conditions
evaluated with what the offline AWS knows of the request: the caller's account, its role ARN (aws:PrincipalArn)
when the caller is a Lambda function or an assumed-role session, and the sts:ExternalId given. IAM's global
condition keys: aws:PrincipalArn "For IAM roles, the request context returns the ARN of the role, not the ARN of
the user that assumed the role." Otherwise the answer is AccessDenied (HTTP
403), the same for a missing role and for a trust that does not match, as AWS does not say which.

The offline AWS's own way into an account (`OfflineAWS.session(account)`, role `OfflineAdmin`) is an
administrator's credentials, not a role to check.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from twin import policy
from twin.moto_compat import get_account_id_from, iam_backends, sts_backends
from twin.protocol import Response

if TYPE_CHECKING:
    from twin.offline import OfflineAWS

_ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]+)/")
_ROLE_ARN = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[\w+=,.@-]+)$")


def trust_refusal(caller_account: str, role_arn: str, external_id: str | None, caller_arn: str | None) -> str | None:
    """Why the caller may not assume the role (an AccessDenied message), or None when it may."""

    from twin.offline import ADMIN_ROLE

    match = _ROLE_ARN.match(role_arn)
    if match is not None and match["name"] == ADMIN_ROLE:
        return None
    denied = (
        f"User: {caller_arn or f'arn:aws:iam::{caller_account}:root'} is not authorized to perform: "
        f"sts:AssumeRole on resource: {role_arn}"
    )
    if match is None:
        return denied
    roles = [role for role in iam_backends[match["account"]]["aws"].get_roles() if role.arn == role_arn]
    if not roles:
        return denied
    trust = json.loads(unquote(roles[0].assume_role_policy_document))
    caller = policy.Caller(account=caller_account, principal_arn=caller_arn, external_id=external_id)
    return None if policy.is_allowed(trust, caller, "sts:AssumeRole") else denied


def refuse_untrusted(offline: OfflineAWS, request: Any, account: str) -> Response | None:
    """The AccessDenied answer to an AssumeRole request the role's trust policy refuses; None for any other
    request (moto answers it)."""
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    form = {key: values[0] for key, values in parse_qs(body).items()}
    if form.get("Action") != "AssumeRole" or "RoleArn" not in form:
        return None
    caller_arn = offline.caller_role_arn() or session_role_arn(request.headers)
    refusal = trust_refusal(account, form["RoleArn"], form.get("ExternalId"), caller_arn)
    if refusal is None:
        return None
    offline.world.faults.count("assume-role-refused")
    request_id = str(uuid.uuid4())
    xml = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>AccessDenied</Code><Message>{escape(refusal)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return 403, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode()


def session_role_arn(headers: Any) -> str | None:
    """The role an assumed-role session acts as, from the access key that signed the request; None for other
    credentials."""
    match = _ACCESS_KEY.search(str(headers.get("Authorization", "")))
    if match is None:
        return None
    key = match.group(1)
    assumed = sts_backends[str(get_account_id_from(key))]["aws"].get_assumed_role_from_access_key(key)
    return None if assumed is None else str(assumed.role_arn)


_EXPIRATION = re.compile(rb"<Expiration>[^<]*</Expiration>")


def expiring_on_the_clock(offline: OfflineAWS, response: Response | None, params: dict[str, Any]) -> Response | None:
    """moto dates an AssumeRole session's Expiration by the wall clock. AWS dates it `DurationSeconds` after the call
    ("The value specified can range from 900 seconds (15 minutes) up to the maximum session duration set for the
    role", 3600 by default): rewritten here on the offline AWS's clock, so that a session expires in simulated
    time, as the functions see it."""
    if response is None or response[0] != 200:
        return response
    status, headers, body = response
    seconds = float(params.get("DurationSeconds") or 3600)
    expires = offline.clock.datetime(offline.clock.now() + seconds).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = body if isinstance(body, bytes) else str(body).encode()
    return status, headers, _EXPIRATION.sub(f"<Expiration>{expires}</Expiration>".encode(), raw)
