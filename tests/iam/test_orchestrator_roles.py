"""The stack's output OrchestratorRoleArns, which the cross-account roles stack trusts, names the execution role of
every function allowed to assume a role, and only those: a function left out would be refused AccessDenied in the
owner or consuming accounts when the roles stack is given the exact ARNs."""

from __future__ import annotations

from tests.iam.policies import TEMPLATE, function_grants, load


def test_orchestrator_role_arns_names_every_function_that_assumes_a_role() -> None:
    # Given template.yaml
    template = load(TEMPLATE)
    # When the roles its output lists are compared with the functions whose policies allow sts:AssumeRole
    _, listed = template["Outputs"]["OrchestratorRoleArns"]["Value"]["Fn::Join"]
    roles = {item["Fn::GetAtt"][0] for item in listed}
    assuming = {f"{name}Role" for name, actions in function_grants(template).items() if "sts:AssumeRole" in actions}
    # Then they are the same
    assert sorted(assuming - roles) == []
    assert sorted(roles - assuming) == []
