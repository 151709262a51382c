"""Requests naming what cannot be shared fail before anything changes, and say why.

Each test opens its own offline AWS (no module-wide one is alive alongside it)."""

from __future__ import annotations

from typing import Any

from tests.support.migration import migration_run, mutating_calls
from twin.seed import Scenario


def _unowned(scenario: Scenario) -> dict[str, Any]:
    foreign = f"arn:aws:sms-voice:us-east-1:{scenario.owner}:phone-number/phone-{'0' * 32}"
    return {"select": "ARNS", "arns": [scenario.phone_numbers[0], foreign]}


def test_an_arn_the_owner_does_not_own_fails_preflight_naming_it() -> None:
    with migration_run(identities=10, name="mig-unowned-1", resources=_unowned) as run:
        assert (run.execution.status, run.execution.error) == ("FAILED", "PreflightFailed")
        assert f"phone-{'0' * 32}" in (run.execution.cause or "")
        assert mutating_calls(run.calls) == []


def test_an_arn_in_another_region_is_refused_before_anything_starts() -> None:
    def elsewhere(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": [scenario.phone_numbers[0].replace("us-east-1", "eu-west-1")]}

    with migration_run(identities=10, name="mig-region-1", resources=elsewhere) as run:
        assert (run.execution.status, run.execution.error) == ("FAILED", "InvalidRequest")
        assert "resources.arns[0]: is in eu-west-1" in (run.execution.cause or "")


def test_a_malformed_principal_is_refused_before_anything_starts() -> None:
    with migration_run(identities=10, name="mig-principal-1", principals=["arn:aws:iam::222222222222:user/bob"]) as run:
        assert (run.execution.status, run.execution.error) == ("FAILED", "InvalidRequest")
        assert (run.execution.cause or "").startswith("principals[0]:")


def _no_such_share(scenario: Scenario) -> dict[str, Any]:
    missing = f"arn:aws:ram:{scenario.region}:{scenario.owner}:resource-share/00000000-0000-4000-8000-000000000000"
    return {"arn": missing, "allowExternalPrincipals": True}


def test_a_share_arn_naming_no_share_of_the_owner_is_refused_at_the_lock_naming_the_field() -> None:
    with migration_run(identities=10, name="mig-no-share-1", share=_no_such_share) as run:
        entered = [
            e["stateEnteredEventDetails"]["name"]
            for e in run.workflow.history(run.execution.arn)
            if e["type"] == "TaskStateEntered"
        ]
        assert (run.execution.status, run.execution.error) == ("FAILED", "ShareNotUsable")
        assert (run.execution.cause or "").startswith("share.arn: ")
        assert "nothing was changed" in (run.execution.cause or "")
        assert "EnsureShareWithPrincipals" not in entered
        assert mutating_calls(run.calls) == []


def test_a_permission_ram_does_not_know_is_refused_naming_the_field() -> None:
    unknown = {"name": "sms-production", "permissionArns": ["arn:aws:ram::aws:permission/AWSRAMNoSuchPermission"]}
    with migration_run(
        identities=10, name="mig-permission-1", share=lambda s: unknown | {"allowExternalPrincipals": True}
    ) as run:
        assert (run.execution.status, run.execution.error) == ("FAILED", "ShareNotUsable")
        assert (run.execution.cause or "").startswith("share.permissionArns: RAM refused share sms-production")
        assert not [c for c in mutating_calls(run.calls) if c.service == "ram"]


def test_a_request_without_the_owner_roles_external_id_fails_preflight_with_nothing_changed() -> None:
    # Given an owner role that, as roles/cross-account-roles.yaml deploys it, asks for the owner's ExternalId
    def owner_without_external_id(scenario: Scenario) -> dict[str, Any]:
        return {"accountId": scenario.owner}

    # When a request names that owner account without the ExternalId
    with migration_run(identities=10, name="mig-owner-id-1", owner=owner_without_external_id) as run:
        # Then the owner role refuses the orchestrator, the run fails before anything changes
        assert (run.execution.status, run.execution.error) == ("FAILED", "PreflightFailed")
        assert "AccessDenied" in (run.execution.cause or "") or "not authorized" in (run.execution.cause or "")
        assert mutating_calls(run.calls) == []


def test_a_request_with_another_owner_external_id_fails_preflight_with_nothing_changed() -> None:
    # Given an owner role that asks for its own ExternalId
    def owner_with_a_guess(scenario: Scenario) -> dict[str, Any]:
        return {"accountId": scenario.owner, "externalId": f"eum-share-{scenario.owner}"}

    # When a request gives a guessed value
    with migration_run(identities=10, name="mig-owner-id-2", owner=owner_with_a_guess) as run:
        # Then the run fails at Preflight, nothing changed
        assert (run.execution.status, run.execution.error) == ("FAILED", "PreflightFailed")
        assert mutating_calls(run.calls) == []
