"""Access logs of the HTTP API and S3 server access logs of the artifact bucket: off unless a parameter asks,
and then written where the parameter says, on the stack as CloudFormation deploys it (tools/sam_expand.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stack.artifacts import TEMPLATE
from tools.sam_expand import expand

NO_VALUE = {"Ref": "AWS::NoValue"}


@pytest.fixture(scope="module")
def expanded() -> dict[str, Any]:
    return expand(TEMPLATE)


def _holds(template: dict[str, Any], condition: str, overrides: dict[str, str]) -> bool:
    """A condition of the template, evaluated as CloudFormation does with the given parameters over the defaults."""
    values = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()} | overrides

    def evaluate(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return values[arg]
            if key == "Fn::Equals":
                return evaluate(arg[0]) == evaluate(arg[1])
            if key == "Fn::Not":
                return not evaluate(arg[0])
            if key == "Condition":
                return evaluate(template["Conditions"][arg])
        return node

    return bool(evaluate(template["Conditions"][condition]))


def _switched(value: dict[str, Any]) -> tuple[str, Any]:
    """An `!If [condition, then, AWS::NoValue]` property: its condition and what it sets when that holds."""
    condition, then, otherwise = value["Fn::If"]
    assert otherwise == NO_VALUE
    return condition, then


def test_no_access_logs_are_written_with_the_default_parameters(expanded: dict[str, Any]) -> None:
    # Given the stack's HTTP API stage and artifact bucket as deployed
    resources = expanded["Resources"]
    api_condition, _ = _switched(resources["MigrationsApiApiGatewayDefaultStage"]["Properties"]["AccessLogSettings"])
    bucket_condition, _ = _switched(resources["ArtifactBucket"]["Properties"]["LoggingConfiguration"])
    # When their conditions are evaluated with the parameters' defaults
    # Then neither writes access logs
    assert not _holds(expanded, api_condition, {})
    assert not _holds(expanded, bucket_condition, {})


def test_enabled_api_access_logs_go_to_the_stacks_own_log_group(expanded: dict[str, Any]) -> None:
    # Given the HTTP API's stage, and ApiAccessLogs=Enabled
    resources = expanded["Resources"]
    condition, settings = _switched(resources["MigrationsApiApiGatewayDefaultStage"]["Properties"]["AccessLogSettings"])
    # When the stage's access log settings are read
    # Then they are on, into the log group the stack creates with them, one JSON line per request without bodies
    assert _holds(expanded, condition, {"ApiAccessLogs": "Enabled"})
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert resources["ApiAccessLogGroup"]["Condition"] == condition
    assert "$context.requestId" in settings["Format"]
    assert "$context.requestBody" not in settings["Format"]


def test_artifact_bucket_server_access_logs_go_to_the_named_bucket(expanded: dict[str, Any]) -> None:
    # Given the artifact bucket, and ArtifactBucketAccessLogBucket naming a log bucket
    bucket = expanded["Resources"]["ArtifactBucket"]["Properties"]
    condition, logging = _switched(bucket["LoggingConfiguration"])
    # When its logging configuration is read
    # Then S3 writes its server access logs to that bucket, under the stack's name
    assert _holds(expanded, condition, {"ArtifactBucketAccessLogBucket": "example-access-logs"})
    assert logging["DestinationBucketName"] == {"Ref": "ArtifactBucketAccessLogBucket"}
    assert logging["LogFilePrefix"] == {"Fn::Sub": "${AWS::StackName}/"}
