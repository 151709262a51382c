"""A rollback of a migration made by an earlier version, which made a role per CloudWatch Logs destination: the
consumer role may no longer change roles (roles/cross-account-roles.yaml), so the rollback leaves such a role
and its policy for a person and says so, without calling IAM."""

from __future__ import annotations

from typing import Any

from eum_share.logic.undo_configuration import remove_configuration
from eum_share.models.changes import AddedItem, AddedKind
from eum_share.models.rollback import RemovalOutcome

ROLE = "EumShareSmsEvents-otp-2-otp-2-logs"


def _no_calls(service: str) -> Any:
    raise AssertionError(f"the rollback called {service}")


def test_a_role_an_earlier_version_made_is_kept_for_a_person_to_delete() -> None:
    # Given the ledger of an earlier version's migration: a role and its log delivery policy
    items = [
        AddedItem(kind=AddedKind.IAM_ROLE_POLICY, account="222222222222", name=ROLE, detail="log delivery policy"),
        AddedItem(kind=AddedKind.IAM_ROLE, account="222222222222", name=ROLE, detail="role"),
    ]
    # When the consumer's configuration is rolled back
    results = remove_configuration(_no_calls, items)
    # Then both are kept, each naming the role to delete by hand, and nothing was called
    assert {(r.kind, r.outcome) for r in results} == {
        (AddedKind.IAM_ROLE_POLICY, RemovalOutcome.KEPT),
        (AddedKind.IAM_ROLE, RemovalOutcome.KEPT),
    }
    assert all(f"delete role {ROLE} by hand" in r.detail for r in results)
