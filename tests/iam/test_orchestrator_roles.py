"""The stack's output OrchestratorRoleArns, which the cross-account roles stack trusts, names the execution role of
every function allowed to assume a role, and only those: a function left out would be refused AccessDenied in the
owner or consuming accounts when the roles stack is given the exact ARNs."""

from __future__ import annotations

import re

from tests.iam.policies import ROLES, TEMPLATE, function_grants, load
from twin.offline import OfflineAWS
from twin.seed import OFFLINE_OPERATOR_ROLE_ARN, role_trust, seed
from twin.stack import LocalStack


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


def test_the_roles_stack_refuses_a_wildcard_among_the_orchestrator_roles() -> None:
    # Given the roles stack's OrchestratorRoleArns, whose AllowedPattern CloudFormation matches against "each value
    # in the list" of a CommaDelimitedList (Parameters, AllowedPattern)
    pattern = re.compile(load(ROLES)["Parameters"]["OrchestratorRoleArns"]["AllowedPattern"])
    # When a wildcard ARN and the exact ARNs of the stack's output are given
    wildcard = "arn:aws:iam::111111111111:role/eum-share-*"
    exact = [f"arn:aws:iam::111111111111:role/eum-share-{item['Fn::GetAtt'][0]}-AbC123" for item in _listed()]
    # Then the wildcard is refused and every exact ARN accepted
    assert pattern.fullmatch(wildcard) is None
    assert all(pattern.fullmatch(arn) for arn in exact)


def test_the_seeded_accounts_trust_exactly_the_roles_the_stack_outputs(aws: OfflineAWS) -> None:
    # Given the offline accounts, seeded with the roles stack as docs/deploy.md says to deploy it
    scenario = seed(aws, identities=4, consumers=1, external_consumers=0, configuration_sets=0)
    # When the consumer role's and the owner role's trust are read
    trusted = [
        role_trust(aws, kind, account)[1]["Statement"][0]["Condition"]["ArnLike"]["aws:PrincipalArn"]
        for kind, account in (("ConsumerRole", scenario.consumers[0]), ("OwnerRole", scenario.owner))
    ]
    # Then each names the stack's OrchestratorRoleArns exactly, and the operator's role doctor runs with
    stack = LocalStack(aws)
    output = str(stack.resolve(stack.template["Outputs"]["OrchestratorRoleArns"]["Value"])).split(",")
    assert trusted == [[*output, OFFLINE_OPERATOR_ROLE_ARN]] * 2
    assert not any("*" in arn for arn in output)


def _listed() -> list[dict[str, list[str]]]:
    _, listed = load(TEMPLATE)["Outputs"]["OrchestratorRoleArns"]["Value"]["Fn::Join"]
    return list(listed)
