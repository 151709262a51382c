"""A deployment is found from its CloudFormation stack: Outputs for where things are, Parameters for the rules."""

from __future__ import annotations

from eum_share_cli.deployment import Deployment

from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow


def test_the_deployment_is_read_from_the_stacks_outputs_and_parameters(aws: OfflineAWS) -> None:
    # Given a stack deployed with its own role names and a callback allow-list
    parameters = {
        "OwnerRoleName": "OpsOwner",
        "ConsumerRoleName": "OpsConsumer",
        "CallbackAllowedOrigins": "https://hooks.example.com/, https://Tickets.Example.com",
        "LogLevel": "WARNING",
    }
    with local_migration_workflow(aws, parameters=parameters) as workflow:
        # When the deployment is resolved from the stack
        deployment = Deployment.from_stack(aws.client("cloudformation"), "eum-share-local")
        # Then it names the stack's resources and the rules ValidateRequest applies
        assert deployment.state_machine_arn == workflow.arn
        assert deployment.ledger_table == workflow.resource_name("LedgerTable")
        assert deployment.artifact_bucket == workflow.resource_name("ArtifactBucket")
        assert deployment.event_bus == workflow.resource_name("EventBus")
        assert deployment.webhook_url is not None
        assert deployment.role_names == frozenset({"OpsOwner", "OpsConsumer"})
        assert deployment.callback_origins == frozenset({"https://hooks.example.com", "https://tickets.example.com"})
