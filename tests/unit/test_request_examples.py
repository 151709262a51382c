"""The ready requests in events/requests/ are accepted as pasted, and each does what its name says."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from eum_share.logic.validate_request import validate_request
from eum_share.models.identifiers import principal_kind
from eum_share.models.request import MigrationRequest, Selection, Strategy
from eum_share_cli.schema import CONSUMER_ROLE_NAME, OWNER_ROLE_NAME, request_schema
from jsonschema import Draft202012Validator

from tests.support.events import EVENTS, load_event

FOLDER = EVENTS / "requests"
EXAMPLES = sorted(path.name for path in FOLDER.glob("*.json"))
ROLES = frozenset({OWNER_ROLE_NAME, CONSUMER_ROLE_NAME})
# The allow-list a stack would be deployed with for callback-url.json.
CALLBACK_ORIGINS = frozenset({"https://hooks.example.com"})


def _validate(name: str) -> MigrationRequest:
    return validate_request(
        load_event(f"requests/{name}"),
        default_migration_id=Path(name).stem,
        role_names=ROLES,
        callback_origins=CALLBACK_ORIGINS,
    )


# What each file's name promises, checked on the request as ValidateRequest accepts it.
PROMISES: dict[str, Callable[[MigrationRequest], bool]] = {
    "single-account.json": lambda r: (
        len(r.principals) == 1 and principal_kind(r.principals[0]) == "ACCOUNT" and len(r.consumers) == 1
    ),
    "ou-principal.json": lambda r: any(principal_kind(p) == "OU" for p in r.principals) and len(r.consumers) > 1,
    "external-account.json": lambda r: r.share.allow_external_principals,
    "dry-run.json": lambda r: r.options.dry_run,
    "resource-policy-strategy.json": lambda r: r.options.strategy is Strategy.RESOURCE_POLICY,
    "tag-selection.json": lambda r: r.resources.select is Selection.TAGS and bool(r.resources.tags),
    "approval-gated-production.json": lambda r: (
        r.options.require_approval and not r.options.dry_run and r.options.approval_timeout_seconds != 86_400
    ),
    "callback-url.json": lambda r: r.callback_url is not None,
}


def test_the_template_defaults_are_the_role_names_examples_are_checked_with() -> None:
    # Given the stack's parameters
    from twin.cfn import load_template
    from twin.stack import ROOT

    parameters = load_template(ROOT / "template.yaml")["Parameters"]
    # Then their default role names are the ones the examples and `eum-share schema --check` use
    assert (parameters["OwnerRoleName"]["Default"], parameters["ConsumerRoleName"]["Default"]) == (
        OWNER_ROLE_NAME,
        CONSUMER_ROLE_NAME,
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_is_accepted_by_validate_request(name: str) -> None:
    # Given an example as a person would paste it
    # When ValidateRequest's logic reads it with the template's default role names
    request = _validate(name)
    # Then it is accepted, under the migrationId it carries
    assert request.migration_id == load_event(f"requests/{name}")["migrationId"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_matches_the_published_schema(name: str) -> None:
    # Given an example and the request's JSON Schema
    validator = Draft202012Validator(request_schema())
    # When the schema judges the example
    errors = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(load_event(f"requests/{name}"))
    ]
    # Then it finds nothing wrong
    assert errors == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_does_what_its_name_promises(name: str) -> None:
    # Given an example whose name says what it is
    promise = PROMISES.get(name)
    assert promise is not None, f"{name}: add what its name promises to PROMISES"
    # When it is validated
    request = _validate(name)
    # Then the request does that
    assert promise(request)


def test_every_promise_has_its_example() -> None:
    # Given the promises made
    # Then each has a file under events/requests/
    assert sorted(PROMISES) == EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_is_named_in_lower_case_words(name: str) -> None:
    # Then its name is lower-case words joined by hyphens
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.json", name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_is_described_in_the_folders_readme(name: str) -> None:
    # Given the folder's README
    readme = (FOLDER / "README.md").read_text()
    # Then the example has a row saying what it is
    assert re.search(rf"^\| `{re.escape(name)}` \| \S", readme, re.M), f"{name}: add a row to {FOLDER.name}/README.md"


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_uses_the_owner_and_region_of_single_account(name: str) -> None:
    # Given the first example's owner and Region
    reference = load_event("requests/single-account.json")
    # Then every example migrates out of the same account and Region
    example = load_event(f"requests/{name}")
    assert (example["owner"], example["region"]) == (reference["owner"], reference["region"])


def test_every_example_carries_a_migration_id_of_its_own() -> None:
    # Given every example's migrationId
    ids = [load_event(f"requests/{name}").get("migrationId") for name in EXAMPLES]
    # Then each has one (a re-run under a new execution name continues it) and no two share one
    assert None not in ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_is_pretty_printed_json(name: str) -> None:
    # Given an example's text
    text = (FOLDER / name).read_text()
    # Then it is one JSON object on several lines, ending in a newline, ready to paste
    assert isinstance(json.loads(text), dict)
    assert text.endswith("}\n")
    assert text.count("\n") > 1


def test_no_example_external_id_can_be_guessed_from_its_account() -> None:
    # An ExternalId proves that whoever wrote the request was given access to the account (docs/deploy.md); one made
    # of the account ID, which every request names, proves nothing, and examples are what people copy.
    # Given every committed example and the README
    root = EVENTS.parent
    texts = {path.name: path.read_text() for path in sorted(EVENTS.rglob("*.json"))}
    texts["README.md"] = (root / "README.md").read_text()
    # When their ExternalIds are read
    found = {
        (name, value)
        for name, text in texts.items()
        for value in re.findall(r'\\?"externalId\\?":\s*\\?"([^"\\]+)', text)
    }
    # Then there are some, and none carries a 12-digit account ID
    assert found
    assert [(name, value) for name, value in found if re.search(r"\d{12}", value)] == []
