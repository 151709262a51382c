"""Every sample payload in events/ is what its function accepts, so `sam local invoke -e` gets past parsing."""

from __future__ import annotations

import pytest
from eum_share.models import states
from pydantic import BaseModel

from tests.support.events import load_event

PAYLOADS: dict[str, type[BaseModel]] = {
    "validate_request.json": states.ValidateRequestInput,
    "preflight.json": states.MigrationRef,
    "inventory.json": states.MigrationRef,
    "plan_batches.json": states.MigrationRef,
    "ensure_share.json": states.LoopInput,
    "accept_invitations.json": states.LoopInput,
    "associate_batches.json": states.ChunkRef,
    "recreate_configuration.json": states.MigrationRef,
    "verify_from_consumers.json": states.MigrationRef,
    "report.json": states.MigrationRef,
    "record_failure.json": states.RecordFailureInput,
}


@pytest.mark.parametrize(("name", "model"), PAYLOADS.items(), ids=list(PAYLOADS))
def test_the_sample_payload_parses_as_its_function_input(name: str, model: type[BaseModel]) -> None:
    model.model_validate(load_event(name))


def test_every_function_of_the_template_has_a_sample_payload() -> None:
    from twin.cfn import load_template, resources_of_type
    from twin.stack import ROOT

    handlers = {
        resource["Properties"]["Handler"].split(".")[-2]
        for resource in resources_of_type(load_template(ROOT / "template.yaml"), "AWS::Serverless::Function").values()
    }
    assert {f"{handler}.json" for handler in handlers} == set(PAYLOADS)
