"""The wire: botocore's service models parse requests, check them and shape responses and errors.

Only the `json` and `rest-json` protocols are needed (End User Messaging SMS and RAM).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StringShape,
    StructureShape,
)

from twin.errors import TwinError

Response = tuple[int, dict[str, str], bytes]


@cache
def service_model(service_name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service_name)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _request_id() -> str:
    return str(uuid.uuid4())


class ApiModel:
    """One service's model, used as a server would use it."""

    def __init__(self, service_name: str) -> None:
        self.model = service_model(service_name)
        self.protocol = self.model.protocol
        self._routes = {
            (op.http["method"], urlsplit(op.http["requestUri"]).path.rstrip("/") or "/"): op
            for op in map(self.model.operation_model, self.model.operation_names)
        }
        self._content_type = (
            f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"
            if self.protocol == "json"
            else "application/json"
        )

    # -- requests ------------------------------------------------------------------------------------------
    def parse(self, method: str, url: str, headers: Any, body: bytes | str | None) -> tuple[str, dict[str, Any]]:
        """The operation name and its parameters, as the caller's botocore serialised them."""
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        payload = json.loads(raw) if raw.strip() else {}
        if self.protocol == "json":
            target = headers.get("X-Amz-Target", "")
            target = target.decode() if isinstance(target, bytes) else str(target)
            return target.rsplit(".", 1)[-1], payload
        parts = urlsplit(url)
        op = self._routes.get((method.upper(), parts.path.rstrip("/") or "/"))
        if op is None:
            raise TwinError("UnknownOperationException", f"No operation at {method} {parts.path}", 404)
        params = dict(payload)
        query = parse_qs(parts.query)
        for name, member in (op.input_shape.members if op.input_shape else {}).items():
            if member.serialization.get("location") == "querystring":
                values = query.get(member.serialization.get("name", name))
                if values:
                    params[name] = _coerce(member, values[0])
        return op.name, params

    def operation(self, name: str) -> OperationModel:
        return self.model.operation_model(name)

    def check_input(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems a real service rejects: required members, lengths, ranges, enums, patterns."""
        shape = self.operation(operation).input_shape
        problems: list[tuple[str, str]] = []
        if shape is not None:
            _check(shape, params, "", problems)
        return problems

    def check_output(self, operation: str, result: dict[str, Any]) -> list[tuple[str, str]]:
        """Members a fake returned that the real API does not have, or of the wrong type (fidelity guard)."""
        shape = self.operation(operation).output_shape
        problems: list[tuple[str, str]] = []
        if shape is None:
            if result:
                problems.append(("", "operation has no output"))
            return problems
        _check(shape, result, "", problems, output=True)
        return problems

    # -- responses -----------------------------------------------------------------------------------------
    def response(self, result: dict[str, Any]) -> Response:
        headers = {"Content-Type": self._content_type, "x-amzn-RequestId": _request_id()}
        return 200, headers, json.dumps(result, default=_json_default).encode()

    def error(self, error: TwinError) -> Response:
        body = {"__type": error.code, "message": error.message, "Message": error.message, **error.fields}
        headers = {
            "Content-Type": self._content_type,
            "x-amzn-RequestId": _request_id(),
            "x-amzn-ErrorType": error.code,
        }
        return error.status, headers, json.dumps(body, default=_json_default).encode()


def _coerce(shape: Shape, text: str) -> Any:
    if shape.type_name == "boolean":
        return text.lower() == "true"
    if shape.type_name in ("integer", "long"):
        return int(text)
    return text


@cache
def _pattern(expression: str) -> re.Pattern[str] | None:
    try:
        return re.compile(expression)
    except re.error:
        return None


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (datetime, int, float),
    "blob": (str, bytes),
    "list": (list,),
    "map": (dict,),
    "structure": (dict,),
}


def _is_of_type(type_name: str, value: Any) -> bool:
    if type_name in ("integer", "long") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(type_name, (object,)))


def _check(shape: Shape, value: Any, path: str, problems: list[tuple[str, str]], output: bool = False) -> None:
    name = path or shape.name
    if not _is_of_type(shape.type_name, value):
        problems.append((name, f"must be of type {shape.type_name}"))
        return
    metadata = shape.metadata
    if isinstance(shape, StructureShape):
        for member in shape.required_members:
            if member not in value and not output:
                problems.append((f"{path}.{member}" if path else member, "is required"))
        for key, item in value.items():
            if key not in shape.members:
                problems.append((f"{path}.{key}" if path else key, "is not a member of the API shape"))
            elif item is not None:
                _check(shape.members[key], item, f"{path}.{key}" if path else key, problems, output)
        return
    if output:
        if isinstance(shape, ListShape):
            for index, item in enumerate(value):
                _check(shape.member, item, f"{name}[{index}]", problems, output)
        elif isinstance(shape, MapShape):
            for key, item in value.items():
                _check(shape.value, item, f"{name}.{key}", problems, output)
        return
    size = len(value) if isinstance(value, str | list | dict | bytes) else value
    if shape.type_name in ("string", "list", "map", "blob", "integer", "long"):
        if "min" in metadata and size < metadata["min"]:
            problems.append((name, f"must be at least {metadata['min']}"))
        if "max" in metadata and size > metadata["max"]:
            problems.append((name, f"must be at most {metadata['max']}"))
    if isinstance(shape, StringShape):
        if shape.enum and value not in shape.enum:
            problems.append((name, f"must be one of {', '.join(shape.enum)}"))
        compiled = _pattern(metadata["pattern"]) if "pattern" in metadata else None
        if compiled is not None and compiled.fullmatch(value) is None:
            problems.append((name, f"must match the pattern {metadata['pattern']}"))
    if isinstance(shape, ListShape):
        for index, item in enumerate(value):
            _check(shape.member, item, f"{name}[{index}]", problems, output)
    elif isinstance(shape, MapShape):
        for key, item in value.items():
            _check(shape.key, key, f"{name}.{key}", problems, output)
            _check(shape.value, item, f"{name}.{key}", problems, output)
