"""docs/request.schema.json is the request model's JSON Schema, says what the model says, and `eum-share schema`
prints it, rewrites it and checks a request file as ValidateRequest does."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eum_share.models.request import MigrationRequest
from eum_share_cli import schema
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from tests.support.events import load_event

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "request.schema.json"


def _eum_share(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="eum-share")
    schema.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.run(args)
    return code


def _request(path: str, value: Any) -> dict[str, Any]:
    """single-account.json with the value at a dotted path ("consumers.0.accountId") replaced."""
    request: dict[str, Any] = copy.deepcopy(load_event("requests/single-account.json"))
    *parents, last = path.split(".")
    node: Any = request
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return request


def _model_accepts(request: dict[str, Any]) -> bool:
    try:
        MigrationRequest.model_validate(request)
    except ValidationError:
        return False
    return True


def _schema_accepts(request: dict[str, Any]) -> bool:
    return Draft202012Validator(schema.request_schema()).is_valid(request)


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_the_committed_schema_is_the_models() -> None:
    # Given the schema committed under docs/ and the request model as it is now
    committed = COMMITTED.read_text()
    # When the schema is generated from the model
    generated = schema.render_schema()
    # Then they are the same, byte for byte
    assert committed == generated, (
        f"{COMMITTED.relative_to(COMMITTED.parents[1])} is out of date with the request model "
        f"(functions/eum_share/models/request.py): run `{schema.REGENERATE}` and commit the result"
    )


def test_rendering_is_deterministic_pretty_printed_json_ending_in_a_newline() -> None:
    # Given the schema rendered twice
    first, second = schema.render_schema(), schema.render_schema()
    # Then both renderings are the same indented JSON, ending in exactly one newline
    assert first == second
    assert first == json.dumps(json.loads(first), indent=2) + "\n"


def test_the_schema_names_itself_and_what_it_describes() -> None:
    # Given the rendered schema
    rendered = json.loads(schema.render_schema())
    # Then it carries its dialect, an identifier, a title and a description
    assert rendered["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert rendered["$id"] == "urn:eum-share:migration-request"
    assert rendered["title"]
    assert rendered["description"]


def test_the_schema_is_a_valid_json_schema() -> None:
    # Given the rendered schema
    rendered = schema.request_schema()
    # When it is checked against the JSON Schema meta-schema
    # Then it passes (check_schema raises SchemaError otherwise)
    Draft202012Validator.check_schema(rendered)


def test_every_pattern_is_written_in_the_dialect_json_schema_uses() -> None:
    # Given every pattern the schema states
    patterns = _patterns(schema.request_schema())
    # Then none uses Python-only syntax (named groups, \A, \Z), which ECMA-262 validators would reject
    assert patterns
    assert [p for p in patterns if "(?P<" in p or "\\A" in p or "\\Z" in p] == []


def _case(path: str, value: Any, accepted: bool, *marks: Any) -> Any:
    return pytest.param(path, value, accepted, id=f"{path}={value!a}", marks=marks)


# A value at a path of single-account.json, and whether the schema and the model both accept it.
AGREEMENT = [
    _case("owner.accountId", "12345", False),
    _case("owner.accountId", "1111111111111", False),
    _case("owner.accountId", "111111111111", True),
    _case("region", "Mars", False),
    _case("region", "us-east", False),
    _case("region", "eu-west-2", True),
    _case("region", "us-gov-west-1", True),
    _case("principals.0", "arn:aws:iam::222222222222:role/Admin", False),
    _case("principals.0", "ou-a1b2-3c4d5e6f", False),  # RAM takes an OU by its ARN only
    _case("principals.0", "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-3c4d5e6f", True),
    _case("principals.0", "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5", True),
    _case("principals.0", "o-a1b2c3d4e5", False),
    _case("consumers.0.roleArn", "arn:aws:iam::222222222222:role/EumShareConsumerRole", True),
    _case("consumers.0.roleArn", "arn:aws:iam::222222222222:role/team/EumShareConsumerRole", True),
    _case("consumers.0.roleArn", "arn:aws:iam::222222222222:user/alice", False),
    _case("consumers.0.roleArn", "EumShareConsumerRole", False),
    _case("share.permissionArns", ["arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSmsVoice"], True),
    _case("share.permissionArns", ["arn:aws:iam::aws:policy/AdministratorAccess"], False),
    _case("callbackUrl", "https://hooks.example.com/eum-share", True),
    _case("callbackUrl", "http://hooks.example.com:8443/eum-share?team=sms", True),
    _case("callbackUrl", "ftp://hooks.example.com/eum-share", False),
    _case("callbackUrl", "https://user:secret@hooks.example.com/x", False),
    _case("callbackUrl", "https://hooks.example.com/x#part", False),
    _case("callbackUrl", "https:///eum-share", False),
    _case("options.batchSize", 11, False),
    _case("options.approvalTimeoutSeconds", 59, False),
    _case("migrationId", "mig 2026", False),
    _case(
        "owner.accountId",
        "\u0661" * 12,
        False,
    ),
]


@pytest.mark.parametrize(("path", "value", "accepted"), AGREEMENT)
def test_the_schema_and_the_model_agree(path: str, value: Any, accepted: bool) -> None:
    # Given a valid request with one value replaced
    request = _request(path, value)
    # When the schema and the model each judge it
    # Then both say the same, and what the case expects
    assert (_schema_accepts(request), _model_accepts(request)) == (accepted, accepted)


def test_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    # When `eum-share schema` runs
    code = _eum_share("schema")
    # Then it prints the rendered schema and succeeds
    assert (code, capsys.readouterr().out) == (0, schema.render_schema())


def test_schema_write_rewrites_the_committed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a stale schema file
    target = tmp_path / "request.schema.json"
    target.write_text("{}\n")
    monkeypatch.setattr(schema, "SCHEMA_PATH", target)
    # When `eum-share schema --write` runs
    code = _eum_share("schema", "--write")
    # Then the file holds the rendered schema
    assert (code, target.read_text()) == (0, schema.render_schema())


def test_schema_check_says_valid_for_a_valid_request(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a ready example
    example = COMMITTED.parents[1] / "events" / "requests" / "single-account.json"
    # When it is checked
    code = _eum_share("schema", "--check", str(example))
    # Then the answer is "valid", exit 0
    assert (code, capsys.readouterr().out) == (0, "valid\n")


def test_schema_check_names_every_bad_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a request with a short account ID and a batch above ten
    request = _request("owner.accountId", "12345")
    request["options"]["batchSize"] = 50
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(request))
    # When it is checked
    code = _eum_share("schema", "--check", str(bad))
    # Then each bad field is named on its own line, exit 1
    assert code == 1
    assert capsys.readouterr().out.splitlines() == [
        "owner.accountId: must be a 12-digit AWS account ID, got '12345'",
        "options.batchSize: Input should be less than or equal to 10",
    ]


def test_schema_check_refuses_a_role_outside_the_template_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a consumer whose role is not one the stack's default role names allow
    request = _request("consumers.0.roleArn", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole")
    path = tmp_path / "role.json"
    path.write_text(json.dumps(request))
    # When it is checked with the default role names
    code = _eum_share("schema", "--check", str(path))
    # Then the role is refused, naming the configured ones
    assert code == 1
    assert capsys.readouterr().out == (
        "consumers[0].roleArn: role name 'OrganizationAccountAccessRole' is not one of the configured roles "
        "['EumShareConsumerRole', 'EumShareOwnerRole']\n"
    )


def test_schema_check_takes_the_stacks_callback_allow_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a request whose callback origin is on the allow-list given on the command line
    path = tmp_path / "callback.json"
    path.write_text(json.dumps(_request("callbackUrl", "https://hooks.example.com/eum-share")))
    # When it is checked with that allow-list
    code = _eum_share("schema", "--check", str(path), "--callback-origin", "https://hooks.example.com/")
    # Then it is valid
    assert (code, capsys.readouterr().out) == (0, "valid\n")


def test_schema_check_of_a_file_that_is_not_json_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a file that is not JSON
    path = tmp_path / "broken.json"
    path.write_text('{"region": "us-east-1",}')
    # When it is checked
    code = _eum_share("schema", "--check", str(path))
    # Then it is refused as not JSON, exit 1
    assert code == 1
    assert capsys.readouterr().out.startswith(f"{path}: not JSON: ")
