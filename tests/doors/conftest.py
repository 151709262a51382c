"""The stack of template.yaml on the offline AWS, its doors reachable as API Gateway and EventBridge reach them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed


class CallbackReceiver:
    """A ticket system's endpoint for completion callbacks: records what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CallbackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def aws(offline_factory: Callable[..., OfflineAWS], request: pytest.FixtureRequest) -> OfflineAWS:
    """An offline AWS with the faults a test names (indirect parametrization), else none."""
    return offline_factory(**getattr(request, "param", {}))


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as running:
        yield running


@pytest.fixture
def workflow(
    aws: OfflineAWS, receiver: CallbackReceiver, request: pytest.FixtureRequest
) -> Iterator[LocalStateMachine]:
    """The stack, its callback allow-list naming only the test's receiver; a test may set its LogLevel."""
    log_level = getattr(request, "param", {}).get("LogLevel", "WARNING")
    parameters = {"LogLevel": log_level, "CallbackAllowedOrigins": receiver.origin}
    with local_migration_workflow(aws, parameters=parameters) as machine:
        yield machine


@pytest.fixture
def scenario(aws: OfflineAWS) -> Scenario:
    """An owner with a dozen identities, one consumer in its organization and one outside it."""
    seeded = seed(aws, identities=12, consumers=2, external_consumers=1)
    aws.client("ram", account=seeded.owner).enable_sharing_with_aws_organization()
    return seeded


def unix_now(aws: OfflineAWS) -> int:
    """Now, as the functions read the time (the offline AWS's clock)."""
    return int(aws.clock.datetime().timestamp())


def executions(aws: OfflineAWS, workflow: LocalStateMachine) -> list[dict[str, Any]]:
    with aws.observing():
        return list(aws.client("stepfunctions").list_executions(stateMachineArn=workflow.arn)["executions"])
