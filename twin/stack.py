"""template.yaml, deployed onto the offline AWS: the same tables, bus and functions the real stack has."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

from twin.cfn import load_template, resources_of_type
from twin.offline import DEFAULT_ACCOUNT, OfflineAWS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class TemplateError(Exception):
    """template.yaml uses something the offline deployment cannot resolve."""


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
        self.resources: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in self.template.get("Parameters", {}).items()
        } | (parameters or {})
        self._names: dict[str, str] = {}

    # -- intrinsic functions -------------------------------------------------------------------------------
    def physical_name(self, logical_id: str) -> str:
        if logical_id not in self._names:
            resource = self._resource(logical_id)
            props = resource.get("Properties", {})
            explicit = next(
                (
                    props[key]
                    for key in ("TableName", "BucketName", "FunctionName", "Name", "TopicName")
                    if key in props
                ),
                None,
            )
            name = self.resolve(explicit) if explicit is not None else f"{self.stack_name}-{logical_id}"
            if resource["Type"] == "AWS::S3::Bucket":
                name = name.lower()
            self._names[logical_id] = str(name)
        return self._names[logical_id]

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::StackName": self.stack_name,
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
        if kind in ("AWS::Serverless::StateMachine", "AWS::SNS::Topic"):
            return self.get_att(name, "Arn")
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._resource(logical_id)["Type"]
        name = self.physical_name(logical_id)
        arns = {
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}",
            "AWS::Events::EventBus": f"arn:aws:events:{self.region}:{self.account}:event-bus/{name}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{self.region}:{self.account}:function:{name}",
            "AWS::Serverless::StateMachine": (f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"),
            "AWS::SNS::Topic": f"arn:aws:sns:{self.region}:{self.account}:{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{self.region}:{self.account}:{name}",
        }
        if attribute == "Arn" and kind in arns:
            return arns[kind]
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

    def _sub_var(self, name: str, variables: dict[str, Any]) -> str:
        if name in variables:
            return str(variables[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return self.get_att(logical, attribute)
        return self.ref(name)

    def _resource(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.resources:
            raise TemplateError(f"template has no resource or parameter {logical_id!r}")
        return self.resources[logical_id]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return resources_of_type(self.template, kind)

    # -- deployment ----------------------------------------------------------------------------------------
    def deploy(self) -> LocalStack:
        """Create the tables, buckets and buses in moto and register every function's handler.

        Each deployment starts the functions cold, as new Lambda execution environments would: what a
        handler cached at module level (clients, assumed-role sessions, settings) belonged to another
        offline AWS."""
        packages = {
            props["Handler"].split(".", 1)[0]
            for props in map(self.function_properties, self.of_type("AWS::Serverless::Function"))
        }
        for name in [m for m in sys.modules if m.split(".", 1)[0] in packages]:
            del sys.modules[name]
        for logical, resource in self.of_type("AWS::DynamoDB::Table").items():
            self._create_table(logical, self.resolve(resource.get("Properties", {})))
        s3 = self.offline.client("s3")
        for logical in self.of_type("AWS::S3::Bucket"):
            s3.create_bucket(Bucket=self.physical_name(logical))
        events = self.offline.client("events")
        for logical in self.of_type("AWS::Events::EventBus"):
            events.create_event_bus(Name=self.physical_name(logical))
        sns = self.offline.client("sns")
        for logical in self.of_type("AWS::SNS::Topic"):
            sns.create_topic(Name=self.physical_name(logical))
        for logical in self.of_type("AWS::Serverless::Function"):
            props = self.function_properties(logical)
            self.offline.register_lambda(
                self.physical_name(logical),
                _import_handler(props["Handler"]),
                memory_mb=int(props.get("MemorySize", 128)),
                timeout_seconds=int(props.get("Timeout", 3)),
            )
        return self

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

    def _create_table(self, logical: str, props: dict[str, Any]) -> None:
        keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        spec = {key: props[key] for key in keys if key in props}
        spec["BillingMode"] = props.get("BillingMode", "PROVISIONED")
        if spec["BillingMode"] == "PROVISIONED":
            spec["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        dynamodb = self.offline.client("dynamodb")
        dynamodb.create_table(TableName=self.physical_name(logical), **spec)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=self.physical_name(logical), TimeToLiveSpecification=ttl)


def _import_handler(path: str) -> Any:
    module, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module), attribute)
