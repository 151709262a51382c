"""Where a deployed eum-share stack keeps things: read once from the CloudFormation stack's Outputs and Parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from eum_share_cli.failures import CommandFailed

# template.yaml's defaults, for a stack that does not list its Parameters.
OWNER_ROLE_NAME = "EumShareOwnerRole"
CONSUMER_ROLE_NAME = "EumShareConsumerRole"
REQUIRED_OUTPUTS = ("MigrationStateMachineArn", "LedgerTableName", "ArtifactBucketName", "EventBusName")


@dataclass(frozen=True)
class Deployment:
    stack_name: str
    region: str
    state_machine_arn: str
    ledger_table: str
    artifact_bucket: str
    event_bus: str
    webhook_url: str | None = None
    # None for a stack deployed before the rollback state machine existed.
    rollback_state_machine_arn: str | None = None
    owner_role_name: str = OWNER_ROLE_NAME
    consumer_role_name: str = CONSUMER_ROLE_NAME
    callback_allowed_origins: str = ""
    # The stack's ApprovalRequired; a stack from before the parameter gates only the requests that ask.
    approval_required: str = "REQUESTED"

    @classmethod
    def from_stack(cls, cloudformation: Any, stack_name: str) -> Deployment:
        region = str(cloudformation.meta.region_name)
        try:
            stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ValidationError":
                raise CommandFailed(
                    f"stack {stack_name} not found in {region}; deploy it (README) or pass --stack-name"
                ) from None
            raise
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
        if missing:
            raise CommandFailed(
                f"stack {stack_name} in {region} has no output {', '.join(missing)}: is it an eum-share stack "
                f"(template.yaml), and is it deployed completely ({stack.get('StackStatus', 'status unknown')})?"
            )
        parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
        return cls(
            stack_name=stack_name,
            region=region,
            state_machine_arn=outputs["MigrationStateMachineArn"],
            ledger_table=outputs["LedgerTableName"],
            artifact_bucket=outputs["ArtifactBucketName"],
            event_bus=outputs["EventBusName"],
            webhook_url=outputs.get("WebhookUrl"),
            rollback_state_machine_arn=outputs.get("RollbackStateMachineArn"),
            owner_role_name=parameters.get("OwnerRoleName") or OWNER_ROLE_NAME,
            consumer_role_name=parameters.get("ConsumerRoleName") or CONSUMER_ROLE_NAME,
            callback_allowed_origins=parameters.get("CallbackAllowedOrigins", ""),
            approval_required=parameters.get("ApprovalRequired") or "REQUESTED",
        )

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset({self.owner_role_name, self.consumer_role_name})

    @property
    def callback_origins(self) -> frozenset[str]:
        """Normalized as the functions normalize CALLBACK_ALLOWED_ORIGINS, so the CLI refuses what they would."""
        return frozenset(o.strip().rstrip("/").lower() for o in self.callback_allowed_origins.split(",") if o.strip())

    def s3_uri(self, key: str) -> str:
        return f"s3://{self.artifact_bucket}/{key}"


def resolve(stack_name: str) -> Deployment:
    """The stack in the Region and account of the current AWS credentials."""
    from eum_share.dal.clients import client

    return Deployment.from_stack(client("cloudformation"), stack_name)
