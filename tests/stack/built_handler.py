"""Invoke one built function as `sam local invoke -e` would, without Docker: run in its own process.

    python tests/stack/built_handler.py <build dir> <FunctionLogicalId> <event file> <result file> [<overlay> ...]

The process imports the function's handler from its folder `<build dir>/<FunctionLogicalId>/` (the artifact
`sam deploy` uploads), with the function's environment from template.yaml, against an offline AWS where the
stack is deployed.
Each overlay folder holds a package of the artifact built for this machine's architecture instead of the
function's (the same version): it replaces only what this machine cannot load. boto3 comes from the artifact, as
functions/requirements.txt pins it; the offline AWS from this interpreter. The result file gets what happened, as
JSON: the handler's return value or the error it raised, where each package was loaded from, and the ledger's keys
afterwards.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WATCHED_PACKAGES = (
    "eum_share",
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "aws_xray_sdk",
    "botocore",
    "boto3",
)


class LambdaContext:
    """What the Lambda runtime passes as `context`, as far as Powertools reads it."""

    def __init__(self, function_name: str, memory_mb: int, timeout_seconds: int, region: str, account: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "built-handler"
        self._timeout_ms = timeout_seconds * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


def lambda_environment(stack: Any, logical_id: str, build_dir: Path) -> dict[str, str]:
    """The function's variables from the template, and those the Lambda runtime and `sam local` set."""
    props = stack.function_properties(logical_id)
    handler = str(props["Handler"])
    variables = {key: str(value) for key, value in props["Environment"]["Variables"].items()}
    return variables | {
        "AWS_REGION": stack.region,
        "AWS_DEFAULT_REGION": stack.region,
        "AWS_LAMBDA_FUNCTION_NAME": stack.physical_name(logical_id),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(props.get("MemorySize", 128)),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{props['Runtime']}",
        "AWS_SAM_LOCAL": "true",
        "LAMBDA_TASK_ROOT": str(build_dir),
        "_HANDLER": handler,
    }


def origins() -> dict[str, str]:
    return {
        name: str(Path(sys.modules[name].__file__ or "").parent) for name in WATCHED_PACKAGES if name in sys.modules
    }


def invoke(build_dir: Path, logical_id: str, event: Any) -> dict[str, Any]:
    import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session
    from twin.offline import OfflineAWS
    from twin.runner import LocalStateMachine

    with OfflineAWS() as offline:
        # The whole stack, state machine included; its functions are the artifact's, imported from build_dir.
        machine = LocalStateMachine.from_template(offline)
        stack = machine.stack
        assert stack is not None
        shared = stack.environment()
        own = lambda_environment(stack, logical_id, build_dir)
        for key in shared.keys() - own.keys():
            os.environ.pop(key, None)
        os.environ.update(own)
        props = stack.function_properties(logical_id)
        module_name, _, attribute = str(props["Handler"]).rpartition(".")
        outcome: dict[str, Any] = {"handler": props["Handler"]}
        try:
            handler = getattr(importlib.import_module(module_name), attribute)
            outcome["module"] = sys.modules[module_name].__file__
            context = LambdaContext(
                stack.physical_name(logical_id),
                int(props.get("MemorySize", 128)),
                int(props.get("Timeout", 3)),
                stack.region,
                stack.account,
            )
            outcome |= {"outcome": "returned", "result": handler(event, context)}
        except Exception as error:  # what Lambda would report as the function error
            outcome |= {
                "outcome": "raised",
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "traceback": traceback.format_exc(),
            }
        # An execution the handler started runs to its end before the stack is looked at.
        listed = machine.sfn.list_executions(stateMachineArn=machine.arn)["executions"]
        ended = [machine.wait(execution["executionArn"]) for execution in listed]
        outcome["executions"] = sorted([execution.name, execution.status] for execution in ended)
        items = offline.client("dynamodb").scan(TableName=stack.physical_name("LedgerTable"))["Items"]
        outcome["ledgerKeys"] = sorted([item["pk"]["S"], item["sk"]["S"]] for item in items)
        outcome["origins"] = origins()
        return outcome


def main(argv: list[str]) -> None:
    build, logical_id, event_file, result_file, *overlays = argv
    build_dir = Path(build).resolve() / logical_id
    # The overlays first (they replace what this machine cannot load), then the artifact, then this interpreter's
    # own packages (boto3 and the offline AWS), as Lambda puts the function's folder before the runtime's.
    sys.path[:0] = [*overlays, str(build_dir)]
    sys.path.append(str(ROOT))
    event = json.loads(Path(event_file).read_text())
    Path(result_file).write_text(json.dumps(invoke(build_dir, logical_id, event), default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
