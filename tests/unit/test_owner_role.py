"""The functions reach the owner account through the owner role wherever the stack runs: deployed in the owner
account itself, their own roles are granted nothing in End User Messaging, RAM or Organizations (docs/deploy.md),
so a call with their own credentials there would be refused."""

from __future__ import annotations

from eum_share.logic.context import owner_role
from eum_share.models.request import MigrationRequest
from eum_share.settings import Settings

from tests.support.events import load_event

SETTINGS = Settings(LEDGER_TABLE_NAME="ledger", ARTIFACT_BUCKET_NAME="artifacts", EVENT_BUS_NAME="bus")


def test_the_owner_role_is_assumed_also_in_the_account_the_stack_runs_in() -> None:
    # Given a request whose owner account is the account the stack is deployed in
    request = MigrationRequest.model_validate(load_event("requests/single-account.json"))
    # When the functions choose how to reach the owner account
    role = owner_role(request, SETTINGS)
    # Then they assume the stack's owner role there
    assert role == f"arn:aws:iam::{request.owner.account_id}:role/{SETTINGS.owner_role_name}"
