"""docs/events.md shows the schema of every event the project sends or takes, as the models define them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eum_share.models.doors import ApprovalDecidedEvent
from eum_share.models.events import EVENTS
from eum_share.models.rollback import RollbackRequest
from pydantic import BaseModel

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_schema(title: str) -> object:
    text = DOC.read_text()
    section = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^### |\Z)", text, re.S | re.M)
    assert section, f"docs/events.md has no section '### {title}'"
    block = re.search(r"```json\n(.*?)\n```", section.group(1), re.S)
    assert block, f"docs/events.md: section {title} has no JSON schema block"
    return json.loads(block.group(1))


@pytest.mark.parametrize("model", EVENTS, ids=[m.DETAIL_TYPE for m in EVENTS])
def test_every_workflow_event_is_documented_with_its_schema(model: type[BaseModel]) -> None:
    # Given an event the workflow publishes
    # When its section in docs/events.md is read
    # Then it shows the detail's schema as the model defines it
    expected = model.model_json_schema(by_alias=True)
    assert documented_schema(model.DETAIL_TYPE) == expected, (  # type: ignore[attr-defined]
        f"docs/events.md is out of date for {model.__name__}; its schema is:\n{json.dumps(expected, indent=2)}"
    )


def test_the_approval_decision_event_is_documented_with_its_schema() -> None:
    # Given the event that resumes an approval gate
    # When its section is read
    # Then its schema is the model's
    assert documented_schema("SMS Migration Approval Decided") == ApprovalDecidedEvent.model_json_schema(by_alias=True)


def test_the_rollback_request_event_is_documented_with_its_schema() -> None:
    # Given the event that starts a rollback or a restore
    # When its section is read
    # Then its schema is the model's
    assert documented_schema("SMS Migration Rollback Requested") == RollbackRequest.model_json_schema(by_alias=True)
