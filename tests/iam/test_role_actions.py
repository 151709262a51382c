"""The actions `eum-share doctor` checks each role for are exactly what roles/cross-account-roles.yaml grants it
(which test_least_privilege proves the workflow uses)."""

from __future__ import annotations

from eum_share.role_actions import NEEDED

from tests.iam.policies import ROLES, load, role_grants


def test_doctor_checks_each_role_for_exactly_what_its_template_grants() -> None:
    # Given what the roles template grants each role kind
    granted = role_grants(load(ROLES))
    # When it is compared with the actions doctor simulates on each role
    checked = {kind: {needed.action for needed in needed_actions} for kind, needed_actions in NEEDED.items()}
    # Then they are the same, role by role
    assert checked == granted
