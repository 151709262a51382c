"""iam:SimulatePrincipalPolicy, which moto does not serve: a role's own policies evaluated for actions on resources.

From botocore's documentation of the operation: "Simulate how a set of IAM policies attached to an IAM entity
works with a list of API operations and Amazon Web Services resources to determine the policies' effective
permissions"; ResourceArns: "If this parameter is not provided, then the value defaults to `*` (all resources).
Each API in the `ActionNames` parameter is evaluated for each resource in this list"; each result's
`EvalDecision` is one of `allowed`, `explicitDeny`, `implicitDeny`. The role is looked up in the caller's own
account (IAM is per account): another account's role, or none, is `NoSuchEntity` (HTTP 404). Results come in
pages of `MaxItems` (default 100) with `IsTruncated` and `Marker`. Only the role's inline and attached managed
policies are evaluated (no permissions boundary, no SCPs: the twin has none to apply); ContextEntries are the
request context for the conditions.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from twin import policy
from twin.moto_compat import iam_backends
from twin.protocol import Response

if TYPE_CHECKING:
    from twin.offline import OfflineAWS

NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
DEFAULT_MAX_ITEMS = 100
_MEMBER = re.compile(r"^(?P<list>\w+)\.member\.(?P<index>\d+)(?:\.(?P<rest>.+))?$")


def simulate_principal_policy(offline: OfflineAWS, request: Any, account: str) -> Response | None:
    """The answer to a SimulatePrincipalPolicy request; None for any other IAM request (moto answers it)."""
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    form = {key: values[0] for key, values in parse_qs(body).items()}
    if form.get("Action") != "SimulatePrincipalPolicy":
        return None
    role = _role(account, form.get("PolicySourceArn", ""))
    if role is None:
        return _error(404, "NoSuchEntity", f"The role with ARN {form.get('PolicySourceArn')} cannot be found.")
    actions = _members(form, "ActionNames")
    if not actions:
        return _error(400, "InvalidInput", "ActionNames must name at least one action.")
    resources = _members(form, "ResourceArns") or ["*"]
    context = _context(form)
    documents = _documents(role)
    results = [
        (action, resource, policy.identity_decision(documents, action, resource, context))
        for action in actions
        for resource in resources
    ]
    start = int(form.get("Marker") or 0)
    size = int(form.get("MaxItems") or DEFAULT_MAX_ITEMS)
    page, rest = results[start : start + size], results[start + size :]
    return _answer(page, None if not rest else str(start + size))


def _role(account: str, arn: str) -> Any:
    for role in iam_backends[account]["aws"].get_roles():
        if role.arn == arn:
            return role
    return None


def _documents(role: Any) -> list[dict[str, Any]]:
    inline = [json.loads(unquote(text)) for text in role.policies.values()]
    managed = [
        json.loads(unquote(version.document))
        for managed_policy in role.managed_policies.values()
        for version in managed_policy.versions
        if version.is_default_version
    ]
    return inline + managed


def _members(form: dict[str, str], name: str) -> list[str]:
    found = []
    for key, value in form.items():
        match = _MEMBER.match(key)
        if match and match["list"] == name and match["rest"] is None:
            found.append((int(match["index"]), value))
    return [value for _, value in sorted(found)]


def _context(form: dict[str, str]) -> dict[str, list[str]]:
    """ContextEntries.member.N.ContextKeyName and .ContextKeyValues.member.M, keyed in lower case as IAM compares."""
    names: dict[str, str] = {}
    values: dict[str, list[tuple[int, str]]] = {}
    for key, value in form.items():
        match = _MEMBER.match(key)
        if not match or match["list"] != "ContextEntries" or match["rest"] is None:
            continue
        entry, rest = match["index"], match["rest"]
        if rest == "ContextKeyName":
            names[entry] = value.lower()
        elif inner := _MEMBER.match(rest):
            values.setdefault(entry, []).append((int(inner["index"]), value))
    return {name: [v for _, v in sorted(values.get(entry, []))] for entry, name in names.items()}


def _answer(results: list[tuple[str, str, str]], marker: str | None) -> Response:
    members = "".join(
        f"<member><EvalActionName>{escape(action)}</EvalActionName><EvalResourceName>{escape(resource)}"
        f"</EvalResourceName><EvalDecision>{decision}</EvalDecision><MatchedStatements/>"
        "<MissingContextValues/></member>"
        for action, resource, decision in results
    )
    more = f"<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>" if marker else "<IsTruncated>false</IsTruncated>"
    request_id = str(uuid.uuid4())
    xml = (
        f'<SimulatePrincipalPolicyResponse xmlns="{NAMESPACE}"><SimulatePrincipalPolicyResult>'
        f"<EvaluationResults>{members}</EvaluationResults>{more}</SimulatePrincipalPolicyResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
    )
    return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode()


def _error(status: int, code: str, message: str) -> Response:
    request_id = str(uuid.uuid4())
    xml = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode()
