"""A SAM template, deployed onto the offline AWS: its tables, buckets, buses, queues, rules, secrets and functions.

Deploying expands what the SAM transform would (a function's EventBridgeRule events and EventInvokeConfig become
AWS::Events::Rule, AWS::SQS::Queue and AWS::Lambda::EventInvokeConfig resources), creates the stateful resources
in moto, registers every function's handler, and publishes the resolved Outputs where
`cloudformation.describe_stacks` finds them.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import sys
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from botocore.model import ListShape, Shape, StructureShape

from twin.cfn import load_template, resources_of_type
from twin.errors import TwinError
from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.protocol import ApiModel, Response
from twin.services.base import CallContext, ServiceFake

if TYPE_CHECKING:
    from twin.world import World

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

# Resolved where a template references them, not created: the offline AWS has no use for them (IAM is not
# enforced offline, APIs are not served, alarms and dashboards watch nothing).
TOLERATED = frozenset(
    {
        "AWS::Serverless::HttpApi",
        "AWS::SNS::Subscription",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::Logs::LogGroup",
        "AWS::SQS::QueuePolicy",
        "AWS::S3::BucketPolicy",
        "AWS::KMS::Key",
        "AWS::Lambda::Permission",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        # Created from its definition by twin.runner, which renders the ASL's substitutions.
        "AWS::Serverless::StateMachine",
    }
)
DEPLOYED = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
        "AWS::SecretsManager::Secret",
        "AWS::Serverless::Function",
        "AWS::Lambda::EventInvokeConfig",
    }
)
# SAM function events whose source the offline AWS does not run: requests reach handlers directly in tests.
UNSERVED_EVENT_TYPES = frozenset({"Api", "HttpApi"})

_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": "PolicyName",
}
_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)
_TARGET_KEYS = (
    "Arn",
    "Id",
    "Input",
    "InputPath",
    "InputTransformer",
    "RetryPolicy",
    "DeadLetterConfig",
    "RoleArn",
    "SqsParameters",
)
_PASSWORD_OPTIONS = (
    "ExcludeCharacters",
    "ExcludeLowercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "IncludeSpace",
    "PasswordLength",
    "RequireEachIncludedType",
)


class TemplateError(Exception):
    """The template uses something the offline deployment cannot resolve or deploy."""


class LocalStack:
    """Resolves intrinsics like CloudFormation, creates the stateful resources in moto, registers functions.

    Physical names are `<stack>-<LogicalId>` unless the template names the resource, so they are stable
    from run to run.
    """

    def __init__(
        self,
        offline: OfflineAWS,
        template: Path = TEMPLATE,
        *,
        stack_name: str = "eum-share-local",
        parameters: dict[str, str] | None = None,
    ) -> None:
        self.offline = offline
        self.template_path = template
        self.template = load_template(template)
        self.stack_name = stack_name
        self.account = DEFAULT_ACCOUNT
        self.region = offline.region
        self.resources: dict[str, dict[str, Any]] = self.template.setdefault("Resources", {})
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in self.template.get("Parameters", {}).items()
        } | (parameters or {})
        self._names: dict[str, str] = {}
        self._secrets: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._expand_sam()

    # -- what the SAM transform adds -------------------------------------------------------------------------
    def _expand_sam(self) -> None:
        globals_ = self.template.get("Globals", {}).get("Function", {})
        for logical, resource in list(self.of_type("AWS::Serverless::Function").items()):
            props = resource.get("Properties", {})
            for event_name, event in (props.get("Events") or {}).items():
                kind = event.get("Type")
                if kind in ("EventBridgeRule", "CloudWatchEvent"):
                    self.resources.update(_sam_rule(logical, event_name, event.get("Properties") or {}))
                elif kind not in UNSERVED_EVENT_TYPES:
                    raise TemplateError(f"{logical}.Events.{event_name}: event type {kind} is not deployed offline")
            config = props.get("EventInvokeConfig", globals_.get("EventInvokeConfig"))
            if config:
                self.resources.update(_sam_event_invoke_config(logical, config))

    # -- intrinsic functions -------------------------------------------------------------------------------
    def physical_name(self, logical_id: str) -> str:
        if logical_id not in self._names:
            resource = self._resource(logical_id)
            kind = resource["Type"]
            props = resource.get("Properties", {})
            keys = [_NAME_PROPERTY[kind]] if kind in _NAME_PROPERTY else ["Name", "TableName", "TopicName"]
            explicit = next((props[key] for key in keys if key in props), None)
            name = str(self.resolve(explicit)) if explicit is not None else f"{self.stack_name}-{logical_id}"
            if kind == "AWS::S3::Bucket":
                name = name.lower()
            if kind == "AWS::SQS::Queue" and explicit is None and _truthy(props.get("FifoQueue")):
                name += ".fifo"
            self._names[logical_id] = name
        return self._names[logical_id]

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self._stack_id(),
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self._resource(name)["Type"]
        if kind in ("AWS::Serverless::StateMachine", "AWS::SNS::Topic", "AWS::Events::Rule"):
            return self.get_att(name, "Arn")
        if kind == "AWS::SQS::Queue":
            return self.get_att(name, "QueueUrl")
        if kind == "AWS::SecretsManager::Secret":
            return self._secret_arn(name)
        if kind == "AWS::Serverless::HttpApi":
            return self._api_id(name)
        if kind == "AWS::SNS::Subscription":
            topic = self.resolve(self._resource(name).get("Properties", {}).get("TopicArn", ""))
            return f"{topic}:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.stack_name}/{name}')}"
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._resource(logical_id)["Type"]
        name = self.physical_name(logical_id)
        region, account = self.region, self.account
        values = {
            ("AWS::DynamoDB::Table", "Arn"): f"arn:aws:dynamodb:{region}:{account}:table/{name}",
            ("AWS::Events::EventBus", "Arn"): f"arn:aws:events:{region}:{account}:event-bus/{name}",
            ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::{name}",
            ("AWS::Serverless::Function", "Arn"): f"arn:aws:lambda:{region}:{account}:function:{name}",
            ("AWS::Serverless::StateMachine", "Arn"): f"arn:aws:states:{region}:{account}:stateMachine:{name}",
            ("AWS::SNS::Topic", "Arn"): f"arn:aws:sns:{region}:{account}:{name}",
            ("AWS::SQS::Queue", "Arn"): f"arn:aws:sqs:{region}:{account}:{name}",
            ("AWS::SQS::Queue", "QueueName"): name,
            ("AWS::SQS::Queue", "QueueUrl"): f"https://sqs.{region}.amazonaws.com/{account}/{name}",
            ("AWS::Logs::LogGroup", "Arn"): f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
            ("AWS::CloudWatch::Alarm", "Arn"): f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
            # "Arn: ... arn:aws:iam::1234567890:role/MyRole-AJJHDSKSDF" (AWS::IAM::Role's return values); IAM
            # ARNs carry the role's path: "arn:aws:iam::123456789012:role/application_abc/component_xyz/RDSAccess".
            ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{account}:role{self._role_path(logical_id)}{name}",
        }
        if (kind, attribute) in values:
            return values[kind, attribute]
        if kind == "AWS::Events::Rule" and attribute == "Arn":
            bus = str(self.resolve(self._resource(logical_id).get("Properties", {}).get("EventBusName", "default")))
            bus = bus.rsplit("event-bus/", 1)[-1]
            return f"arn:aws:events:{region}:{account}:rule/{'' if bus == 'default' else bus + '/'}{name}"
        if kind == "AWS::SecretsManager::Secret" and attribute == "Id":
            return self._secret_arn(logical_id)
        if kind == "AWS::Serverless::HttpApi" and attribute in ("ApiId", "ApiEndpoint"):
            api = self._api_id(logical_id)
            return api if attribute == "ApiId" else f"https://{api}.execute-api.{region}.amazonaws.com"
        if attribute == "Name":
            return name
        raise TemplateError(f"!GetAtt {logical_id}.{attribute} ({kind}) is not resolvable offline")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if self.template.get("Parameters", {}).get(arg, {}).get("Type") == "CommaDelimitedList":
                    return [item.strip() for item in self.parameters[arg].split(",")]
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}!]+)\}", lambda m: self._sub_var(m.group(1), variables), text)
            if key == "Fn::Join":
                separator, items = arg
                return separator.join(str(item) for item in self.resolve(items))
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not resolvable offline")
        return {key: self.resolve(item) for key, item in value.items()}

    def _role_path(self, logical_id: str) -> str:
        return str(self.resolve(self._resource(logical_id).get("Properties", {}).get("Path", "/")))

    def _sub_var(self, name: str, variables: dict[str, Any]) -> str:
        if name in variables:
            return str(variables[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return self.get_att(logical, attribute)
        return self.ref(name)

    def _resource(self, logical_id: str) -> dict[str, Any]:
        implicit_role = logical_id.removesuffix("Role")
        if logical_id not in self.resources and self.resources.get(implicit_role, {}).get("Type") == (
            "AWS::Serverless::Function"
        ):
            # SAM creates <Function>Role for a function without a Role; templates may refer to it.
            return {"Type": "AWS::IAM::Role", "Properties": {}}
        if logical_id not in self.resources:
            raise TemplateError(f"template has no resource or parameter {logical_id!r}")
        return self.resources[logical_id]

    def _stack_id(self) -> str:
        unique = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.account}/{self.region}/{self.stack_name}")
        return f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/{unique}"

    def _api_id(self, logical_id: str) -> str:
        """API Gateway's identifier of an API: ten lowercase letters and digits, stable from run to run."""
        return hashlib.sha256(f"{self.stack_name}/{logical_id}".encode()).hexdigest()[:10]

    def _secret_arn(self, logical_id: str) -> str:
        """The secret's ARN, which Secrets Manager assigns on creation: the secret is created when first needed,
        so a function's environment can name it before the stack is deployed."""
        if logical_id not in self._secrets:
            self._secrets[logical_id] = self._create_secret(logical_id)
        return self._secrets[logical_id]

    def _client(self, service: str) -> Any:
        """One client per service for the deployment: making a client costs more than the calls it makes."""
        if service not in self._clients:
            self._clients[service] = self.offline.client(service)
        return self._clients[service]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return resources_of_type(self.template, kind)

    # -- deployment ----------------------------------------------------------------------------------------
    def deploy(self) -> LocalStack:
        """Create the stateful resources in moto, register every function's handler, publish the Outputs.

        Each deployment starts the functions cold, as new Lambda execution environments would: what a
        handler cached at module level (clients, assumed-role sessions, settings) belonged to another
        offline AWS."""
        for logical, resource in self.resources.items():
            if resource.get("Type") not in DEPLOYED | TOLERATED:
                raise TemplateError(f"{logical} is an {resource.get('Type')}, which the offline stack cannot deploy")
        functions = [self.function_properties(logical) for logical in self.of_type("AWS::Serverless::Function")]
        packages = {props["Handler"].split(".", 1)[0] for props in functions}
        for name in [m for m in sys.modules if m.split(".", 1)[0] in packages]:
            del sys.modules[name]
        for props in functions:
            self._add_code_to_path(props)
        # Deploying is not part of any migration: the call log starts after it.
        with self.offline.observing():
            self._create_resources()
        return self

    def _create_resources(self) -> None:
        for logical in self.of_type("AWS::SQS::Queue"):
            self._create_queue(logical)
        for logical in self.of_type("AWS::SecretsManager::Secret"):
            self._secret_arn(logical)
        for logical, resource in self.of_type("AWS::DynamoDB::Table").items():
            self._create_table(logical, self.resolve(resource.get("Properties", {})))
        s3 = self._client("s3")
        for logical in self.of_type("AWS::S3::Bucket"):
            s3.create_bucket(Bucket=self.physical_name(logical))
        events = self._client("events")
        for logical in self.of_type("AWS::Events::EventBus"):
            events.create_event_bus(Name=self.physical_name(logical))
        sns = self._client("sns")
        for logical in self.of_type("AWS::SNS::Topic"):
            sns.create_topic(Name=self.physical_name(logical))
        for logical in self.of_type("AWS::Serverless::Function"):
            props = self.function_properties(logical)
            self.offline.register_lambda(
                self.physical_name(logical),
                _import_handler(props["Handler"]),
                memory_mb=int(props.get("MemorySize", 128)),
                timeout_seconds=int(props.get("Timeout", 3)),
                # SAM creates <Function>Role for a function that names no Role.
                role_arn=str(props.get("Role") or self.get_att(f"{logical}Role", "Arn")),
            )
        for logical in self.of_type("AWS::Lambda::EventInvokeConfig"):
            self._configure_async_invocation(logical)
        for logical in self.of_type("AWS::Events::Rule"):
            self._create_rule(logical)
        self._publish()

    def _add_code_to_path(self, props: dict[str, Any]) -> None:
        """A function's CodeUri (a folder next to the template) is where Lambda finds its handler module."""
        code = props.get("CodeUri")
        folder = (self.template_path.parent / code).resolve() if isinstance(code, str) else None
        if folder is not None and folder.is_dir() and str(folder) not in sys.path:
            sys.path.append(str(folder))

    def function_properties(self, logical_id: str) -> dict[str, Any]:
        """A function's properties with Globals merged in, as SAM merges them (Variables merge key by key)."""
        globals_ = dict(self.template.get("Globals", {}).get("Function", {}))
        props = dict(self._resource(logical_id).get("Properties", {}))
        merged = globals_ | props
        variables = globals_.get("Environment", {}).get("Variables", {}) | props.get("Environment", {}).get(
            "Variables", {}
        )
        merged["Environment"] = {"Variables": variables}
        return dict(self.resolve(merged))

    def environment(self) -> dict[str, str]:
        """The union of every function's environment, with the Region Lambda gives every function; a variable
        two functions set differently is an error, because the offline functions share one process."""
        union: dict[str, str] = {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        for logical in self.of_type("AWS::Serverless::Function"):
            for key, value in self.function_properties(logical)["Environment"]["Variables"].items():
                if union.get(key, value) != value:
                    raise TemplateError(f"{key} differs between functions; the offline stack needs one value")
                union[key] = str(value)
        return union

    def outputs(self) -> dict[str, str]:
        """The template's Outputs, resolved, as `describe_stacks` shows their OutputValue."""
        return {key: _output_value(self.resolve(spec["Value"])) for key, spec in self._output_specs().items()}

    def _output_specs(self) -> dict[str, dict[str, Any]]:
        specs: dict[str, dict[str, Any]] = self.template.get("Outputs") or {}
        for key, spec in specs.items():
            if "Condition" in spec:
                raise TemplateError(f"Outputs.{key}: Conditions are not resolvable offline")
        return specs

    def _publish(self) -> None:
        outputs = []
        for key, spec in self._output_specs().items():
            output = {"OutputKey": key, "OutputValue": _output_value(self.resolve(spec["Value"]))}
            if "Description" in spec:
                output["Description"] = str(spec["Description"])
            if "Export" in spec:
                output["ExportName"] = str(self.resolve(spec["Export"]["Name"]))
            outputs.append(output)
        stack: dict[str, Any] = {
            "StackId": self._stack_id(),
            "StackName": self.stack_name,
            "CreationTime": self.offline.clock.datetime(),
            "StackStatus": "CREATE_COMPLETE",
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(self.parameters.items())],
            "Outputs": outputs,
        }
        if "Description" in self.template:
            stack["Description"] = str(self.template["Description"]).strip()
        cloudformation: CloudFormationStacks = self.offline.world.fake("cloudformation")
        cloudformation.publish(self.account, self.region, stack)

    def _create_table(self, logical: str, props: dict[str, Any]) -> None:
        keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        spec = {key: props[key] for key in keys if key in props}
        spec["BillingMode"] = props.get("BillingMode", "PROVISIONED")
        if spec["BillingMode"] == "PROVISIONED":
            spec["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        dynamodb = self._client("dynamodb")
        dynamodb.create_table(TableName=self.physical_name(logical), **spec)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=self.physical_name(logical), TimeToLiveSpecification=ttl)

    def _create_queue(self, logical: str) -> None:
        props = self.resolve(self.resources[logical].get("Properties", {}))
        attributes = {key: _attribute(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in props:
                attributes[key] = props[key] if isinstance(props[key], str) else json.dumps(props[key])
        self._client("sqs").create_queue(QueueName=self.physical_name(logical), Attributes=attributes)

    def _create_secret(self, logical: str) -> str:
        props = self.resolve(self._resource(logical).get("Properties", {}))
        secrets = self._client("secretsmanager")
        if "SecretString" in props:
            value = str(props["SecretString"])
        else:
            generate = props.get("GenerateSecretString", {})
            options = {key: generate[key] for key in _PASSWORD_OPTIONS if key in generate}
            password = secrets.get_random_password(**options)["RandomPassword"]
            if "SecretStringTemplate" in generate:
                document = json.loads(generate["SecretStringTemplate"])
                document[generate["GenerateStringKey"]] = password
                value = json.dumps(document)
            else:
                value = password
        extra = {"Description": props["Description"]} if "Description" in props else {}
        created = secrets.create_secret(Name=self.physical_name(logical), SecretString=value, **extra)
        return str(created["ARN"])

    def _configure_async_invocation(self, logical: str) -> None:
        props = self.resolve(self.resources[logical].get("Properties", {}))
        function = str(props["FunctionName"]).split(":function:")[-1].split(":")[0]
        destinations = props.get("DestinationConfig") or {}
        try:
            self.offline.put_function_event_invoke_config(
                function,
                maximum_retry_attempts=int(props.get("MaximumRetryAttempts", 2)),
                maximum_event_age_in_seconds=int(props.get("MaximumEventAgeInSeconds", 21600)),
                on_success=(destinations.get("OnSuccess") or {}).get("Destination"),
                on_failure=(destinations.get("OnFailure") or {}).get("Destination"),
            )
        except ValueError as error:
            raise TemplateError(f"{logical}: {error}") from None

    def _create_rule(self, logical: str) -> None:
        props = self.resolve(self.resources[logical].get("Properties", {}))
        name = self.physical_name(logical)
        bus = str(props.get("EventBusName", "default"))
        rule: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": props.get("State", "ENABLED")}
        if "EventPattern" in props:
            pattern = props["EventPattern"]
            rule["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        for key in ("ScheduleExpression", "Description", "RoleArn"):
            if key in props:
                rule[key] = props[key]
        events = self._client("events")
        events.put_rule(**rule)
        targets = [_rule_target(target) for target in props.get("Targets", [])]
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)


def _sam_rule(function: str, event_name: str, props: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An EventBridgeRule event as the SAM transform expands it: a rule `<Function><Event>` targeting the
    function, and the dead-letter queue SAM creates when DeadLetterConfig gives a Type instead of an Arn."""
    rule_id = f"{function}{event_name}"
    suffix = "LambdaTarget"
    target: dict[str, Any] = {
        "Arn": {"Fn::GetAtt": [function, "Arn"]},
        "Id": (props.get("Target") or {}).get("Id") or rule_id[: 64 - len(suffix)] + suffix,
    }
    for key in ("Input", "InputPath", "InputTransformer", "RetryPolicy"):
        if key in props:
            target[key] = props[key]
    resources: dict[str, dict[str, Any]] = {}
    dead_letter = props.get("DeadLetterConfig")
    if dead_letter is not None:
        if "Arn" in dead_letter and "Type" in dead_letter:
            raise TemplateError(f"{rule_id}: DeadLetterConfig takes an Arn or a Type, not both")
        if "Arn" in dead_letter:
            target["DeadLetterConfig"] = {"Arn": dead_letter["Arn"]}
        elif dead_letter.get("Type") == "SQS":
            queue = dead_letter.get("QueueLogicalId") or f"{rule_id}Queue"
            resources[queue] = {"Type": "AWS::SQS::Queue", "Properties": {}}
            target["DeadLetterConfig"] = {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
        else:
            raise TemplateError(f"{rule_id}: the only DeadLetterConfig Type is SQS")
    rule: dict[str, Any] = {"Targets": [target]}
    if "Pattern" in props:
        rule["EventPattern"] = props["Pattern"]
    if "EventBusName" in props:
        rule["EventBusName"] = props["EventBusName"]
    if "RuleName" in props:
        rule["Name"] = props["RuleName"]
    if "State" in props:
        rule["State"] = props["State"]
    elif "Enabled" in props:
        rule["State"] = "ENABLED" if props["Enabled"] else "DISABLED"
    resources[rule_id] = {"Type": "AWS::Events::Rule", "Properties": rule}
    return resources


def _sam_event_invoke_config(function: str, config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A function's EventInvokeConfig as the SAM transform expands it: `<Function>EventInvokeConfig`, with the
    queue SAM creates for an SQS destination given no Destination."""
    logical = f"{function}EventInvokeConfig"
    props: dict[str, Any] = {"FunctionName": {"Ref": function}, "Qualifier": "$LATEST"}
    for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
        if key in config:
            props[key] = config[key]
    resources: dict[str, dict[str, Any]] = {}
    destinations: dict[str, Any] = {}
    for when, spec in (config.get("DestinationConfig") or {}).items():
        destination = spec.get("Destination")
        if destination is None:
            if spec.get("Type") != "SQS":
                raise TemplateError(f"{logical}.{when}: offline, a destination SAM creates must be of Type SQS")
            queue = f"{logical}{when}Queue"
            resources[queue] = {"Type": "AWS::SQS::Queue", "Properties": {}}
            destination = {"Fn::GetAtt": [queue, "Arn"]}
        destinations[when] = {"Destination": destination}
    if destinations:
        props["DestinationConfig"] = destinations
    resources[logical] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": props}
    return resources


def _rule_target(target: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: target[key] for key in _TARGET_KEYS if key in target}
    if "Input" in cleaned and not isinstance(cleaned["Input"], str):
        cleaned["Input"] = json.dumps(cleaned["Input"])
    return cleaned


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _attribute(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _output_value(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _import_handler(path: str) -> Any:
    module, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


# -- CloudFormation's view of the deployed stacks -----------------------------------------------------------------
class QueryApi(ApiModel):
    """The `query` protocol (form-encoded requests, XML responses) for the few operations served here."""

    def __init__(self, service_name: str) -> None:
        super().__init__(service_name)
        self._operation = threading.local()

    def parse(self, method: str, url: str, headers: Any, body: bytes | str | None) -> tuple[str, dict[str, Any]]:
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        operation = form.pop("Action", "")
        form.pop("Version", None)
        self._operation.name = operation
        return operation, form

    def response(self, result: dict[str, Any]) -> Response:
        operation = self.operation(self._operation.name)
        namespace = self.model.metadata.get("xmlNamespace", "")
        inner = _xml_members(operation.output_shape, result) if operation.output_shape else ""
        wrapper = operation.output_shape.serialization.get("resultWrapper") if operation.output_shape else None
        body = f"<{wrapper}>{inner}</{wrapper}>" if wrapper else inner
        document = (
            f'<{operation.name}Response xmlns="{namespace}">{body}'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
            f"</{operation.name}Response>"
        )
        return 200, {"Content-Type": "text/xml"}, document.encode()

    def error(self, error: TwinError) -> Response:
        document = (
            f'<ErrorResponse xmlns="{self.model.metadata.get("xmlNamespace", "")}"><Error><Type>Sender</Type>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
        return error.status, {"Content-Type": "text/xml"}, document.encode()


def _xml_members(shape: StructureShape, value: dict[str, Any]) -> str:
    return "".join(
        _xml(shape.members[key], item, shape.members[key].serialization.get("name", key))
        for key, item in value.items()
        if item is not None
    )


def _xml(shape: Shape, value: Any, name: str) -> str:
    if isinstance(shape, StructureShape):
        inner = _xml_members(shape, value)
    elif isinstance(shape, ListShape):
        inner = "".join(_xml(shape.member, item, shape.member.serialization.get("name", "member")) for item in value)
    elif isinstance(value, datetime):
        inner = value.isoformat().replace("+00:00", "Z")
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


class CloudFormationStacks(ServiceFake[dict[str, dict[str, Any]]]):
    """DescribeStacks and ListExports for the stacks LocalStack deployed, so a CLI reading stack outputs works
    offline as against AWS. (moto's CloudFormation needs packages the twin does not install.)"""

    service_name = "cloudformation"
    endpoint_prefix = "cloudformation"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.api = QueryApi(self.service_name)

    def new_state(self, account: str, region: str) -> dict[str, dict[str, Any]]:
        return {}

    def validation_error(self, problems: list[tuple[str, str]]) -> TwinError:
        return TwinError("ValidationError", "; ".join(f"{name} {problem}" for name, problem in problems))

    def publish(self, account: str, region: str, stack: dict[str, Any]) -> None:
        with self.world.lock:
            self.state(account, region)[stack["StackName"]] = stack

    def describe_stacks(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        stacks = self.state(ctx.account, ctx.region)
        wanted = params.get("StackName")
        if wanted is None:
            return {"Stacks": list(stacks.values())}
        found = [s for s in stacks.values() if wanted in (s["StackName"], s["StackId"])]
        if not found:
            raise TwinError("ValidationError", f"Stack with id {wanted} does not exist")
        return {"Stacks": found}

    def list_exports(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        exports = [
            {"ExportingStackId": stack["StackId"], "Name": output["ExportName"], "Value": output["OutputValue"]}
            for stack in self.state(ctx.account, ctx.region).values()
            for output in stack["Outputs"]
            if "ExportName" in output
        ]
        return {"Exports": exports}
