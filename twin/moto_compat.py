"""The one door to moto's private modules.

The twin plugs into moto below its public API (`mock_aws`): its request router, its Step Functions interpreter and
a few backends. Those modules change between patch releases (5.2.6 removed `moto.core.exceptions.AWSError`), so
every private name the project uses is imported here and nowhere else, and the installed moto must be one this
module was tested with. On any other version, importing the twin stops with one line that says what to do.
"""

from __future__ import annotations

from importlib import metadata

# The versions the whole test suite, the demo and the benchmark passed on; uv.lock installs the newest of them.
SUPPORTED_MOTO = ("5.2.6",)


def unsupported_moto(installed: str | None) -> str | None:
    """The one line that stops the twin, or None when the installed moto is supported."""
    if installed in SUPPORTED_MOTO:
        return None
    return (
        f"eum-share's offline AWS needs moto {' or '.join(SUPPORTED_MOTO)}, but "
        f"{'moto ' + installed + ' is' if installed else 'no moto is'} installed; run `make install` to install "
        "the locked versions (uv.lock)."
    )


def _installed_moto() -> str | None:
    try:
        return metadata.version("moto")
    except metadata.PackageNotFoundError:
        return None


_refusal = unsupported_moto(_installed_moto())
if _refusal is not None:
    raise SystemExit(_refusal)

# ruff: noqa: E402 - the imports below run only on a supported moto.

# Public: the mock itself.
from moto import mock_aws

# The error a patched Step Functions backend method raises so that moto answers with that error code
# (TaskTimedOut, InvalidOutput): twin/interpreter.py's task-token corrections.
from moto.core.exceptions import ServiceException

# Request routing (twin/offline.py): the stubber every mocked botocore client sends through. The twin wraps its
# process_request to answer End User Messaging, RAM and its own routes before moto sees the request.
from moto.core.models import botocore_stubber
from moto.core.responses import EmptyResult

# DynamoDB (twin/dynamodb.py): moto's TransactWriteItems deep-copies whole tables to roll back; the twin backs up
# only the touched items. `dynamodb_models` is patched (its `copy` and `DynamoDBBackend.transact_write_items`).
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table as DynamoDBTable
from moto.dynamodb.responses import DynamoHandler

# EventBridge (twin/eventbridge.py): targets delivered as AWS delivers them (no delivery to DISABLED rules,
# duplicates on demand), events timed on the virtual clock (`events_models.unix_time` is patched), and
# InputTransformer rendered by moto's own parser.
from moto.events import models as events_models
from moto.events.models import Rule as EventsRule
from moto.events.utils import EventTemplateParser

# IAM (twin/sts.py, twin/offline.py): the roles whose trust policies AssumeRole is checked against, and the account
# an access key belongs to.
from moto.iam.models import get_account_id_from, iam_backends

# Seeding (twin/offline.py): moto's own random identifiers follow the fault seed, so a run repeats.
from moto.moto_api._internal import mock_random

# Organizations (twin/orgs.py): which accounts and OUs an organization holds, for RAM's principals; and
# ListAWSServiceAccessForOrganization, which moto answers in one page, paged as AWS may page it (its
# `OrganizationsResponse` method is patched).
from moto.organizations.models import organizations_backends
from moto.organizations.responses import OrganizationsResponse

# Step Functions interpreter: the corrections in twin/interpreter.py and the virtual clock in twin/offline.py.
from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType

# Retry backoff sleeps through `retrier_decl.time` (patched to the virtual clock).
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

# A Distributed Map's failure tolerance (moto lets the Map succeed whatever fails).
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)

# Each child execution keeps a history of its own (`distributed_item_processor_worker` is patched).
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
    distributed_item_processor_worker,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

# Callback and heartbeat waits on the virtual clock (`callback.Event` and `callback.HeartbeatEndpoint` are patched).
from moto.stepfunctions.parser.asl.eval.callback import callback
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.parser.utils import TMP_THREADS
from moto.stepfunctions.responses import StepFunctionResponse

# STS (twin/sts.py): the role an assumed-role session acts as, found by the access key that signs its requests.
from moto.sts.models import sts_backends

__all__ = [
    "SUPPORTED_MOTO",
    "TMP_THREADS",
    "DistributedIterationComponent",
    "DynamoDBTable",
    "DynamoHandler",
    "EmptyResult",
    "EvalTimeoutError",
    "EventDetails",
    "EventManager",
    "EventTemplateParser",
    "EventsRule",
    "ExecutionState",
    "FailureEvent",
    "FailureEventException",
    "HistoryEventType",
    "MapRunFailedEventDetails",
    "OrganizationsResponse",
    "ServiceException",
    "StatesErrorName",
    "StatesErrorNameType",
    "StepFunctionResponse",
    "StepFunctionsParserBackend",
    "WaitFunction",
    "botocore_stubber",
    "callback",
    "distributed_item_processor_worker",
    "dynamodb_models",
    "events_models",
    "get_account_id_from",
    "iam_backends",
    "mock_aws",
    "mock_random",
    "organizations_backends",
    "retrier_decl",
    "sts_backends",
    "unsupported_moto",
]
