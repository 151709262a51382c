"""The offline AWS: moto for the services it covers well, the project's own fakes for the rest, one clock.

Every botocore client created inside `OfflineAWS()` (any session, assumed-role credentials, and the clients
moto's Step Functions interpreter makes) sends its requests through moto's single stubber. We wrap the
stubber's `process_request` with a router that answers the project's own routes and hands every other
request to moto, so nothing runs twice.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
from botocore.config import Config

from twin.constraints import query_params, refusal, service_at, violations
from twin.dynamodb import cheap_transactions, unprocessed_writes
from twin.errors import THROTTLING, TwinError
from twin.eventbridge import EventBridge
from twin.faults import FaultConfig
from twin.iam_simulation import simulate_principal_policy
from twin.interpreter import (
    ChildExecutions,
    keep_child_histories,
    measure_task_time_on,
    tolerate_only_what_the_map_allows,
)
from twin.lambda_runtime import EventInvokeConfig, Handler, LambdaFunction, LambdaRuntime
from twin.moto_compat import (
    WaitFunction,
    botocore_stubber,
    get_account_id_from,
    mock_aws,
    mock_random,
    retrier_decl,
)
from twin.orgs import page_trusted_services
from twin.protocol import Response
from twin.sdk_data import share_sdk_data
from twin.services.base import CallContext, ServiceFake
from twin.services.ram import RamFake
from twin.services.service_quotas import ServiceQuotasFake
from twin.services.sms_voice import SmsVoiceFake
from twin.sts import expiring_on_the_clock, refuse_untrusted, session_role_arn
from twin.world import CallRecord, World

DEFAULT_ACCOUNT = "123456789012"  # moto's default; the interpreter's own clients always land here
DEFAULT_REGION = "us-east-1"
ADMIN_ROLE = "OfflineAdmin"  # the role `OfflineAWS.session(account)` assumes; any name lands in that account
READS = ("Describe", "Get", "List")  # operations that change nothing

_HOST = re.compile(r"^(?P<service>[a-z0-9-]+)(?:\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com$")
# S3's virtual-hosted style puts the bucket in front: my-bucket.s3.us-east-1.amazonaws.com
_S3_HOST = re.compile(r"^(?P<bucket>[a-z0-9.-]+)\.s3(?:\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com$")
_ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]+)/")
_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


def account_of(headers: Any) -> str:
    """The account a request lands in, by moto's own order of precedence."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if "x-moto-account-id" in headers:
        return str(headers["x-moto-account-id"])
    match = _ACCESS_KEY.search(str(headers.get("Authorization", "")))
    if not match:
        return DEFAULT_ACCOUNT

    return str(get_account_id_from(match.group(1)))


class OfflineAWS:
    """A context manager: inside it, boto3 talks to the offline AWS.

    `strict` refuses every request that breaks a rule its operation's documentation states in words (the table of
    twin/constraints.py), as the service would, and checks every response of the project's fakes against the
    botocore output shape. It is on unless a test turns it off to see what the orchestrator would do without it.
    """

    def __init__(self, faults: FaultConfig | None = None, *, region: str = DEFAULT_REGION, strict: bool = True):
        self.region = region
        self.strict = strict
        self.world = World(faults, documented_rules=strict)
        self.world.register(SmsVoiceFake(self.world))
        self.world.register(RamFake(self.world))
        self.world.register(ServiceQuotasFake(self.world))
        from twin.stack import CloudFormationStacks  # twin.stack deploys onto an OfflineAWS: imported late

        self.world.register(CloudFormationStacks(self.world))
        self.lambdas = LambdaRuntime(self.world.clock, on_fault=self.world.faults.count)
        # `events.settle()` waits for EventBridge's deliveries and Lambda's asynchronous invocations.
        self.events = EventBridge(
            self.world, self.lambdas, lambda service, account, region: self.client(service, account, region_name=region)
        )
        self._mock = mock_aws(
            config={
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": False},
            }
        )
        # The child executions of Distributed Map runs, each with its own history (see twin.interpreter).
        self.child_executions = ChildExecutions()
        self._restore: list[Callable[[], None]] = []
        self._observer = threading.local()
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._clients_lock = threading.Lock()

    @property
    def clock(self) -> Any:
        return self.world.clock

    @property
    def sms(self) -> SmsVoiceFake:
        return self.world.fake("sms-voice")  # type: ignore[no-any-return]

    @property
    def ram(self) -> RamFake:
        return self.world.fake("ram")  # type: ignore[no-any-return]

    # -- lifecycle -----------------------------------------------------------------------------------------
    def __enter__(self) -> OfflineAWS:
        # moto's identifiers (organization account IDs, ...) follow the same seed as everything else, and so does
        # Python's shared generator, which the interpreter's retry jitter and botocore's retry backoff draw from:
        # the same seed gives the same timeline, so a fault lands at the same step every run.
        mock_random.seed(self.world.faults.config.seed)
        random.seed(self.world.faults.config.seed)
        self._mock.start()
        original = botocore_stubber.process_request
        shadowed = "process_request" in vars(botocore_stubber)

        def route(request: Any) -> Response | None:
            return self._route(request, original)

        def unroute() -> None:
            if shadowed:
                botocore_stubber.process_request = original
            else:
                del botocore_stubber.process_request

        botocore_stubber.process_request = route
        self._restore.append(unroute)
        self._install_clock()
        self._restore.append(share_sdk_data())
        self._restore.append(tolerate_only_what_the_map_allows())
        self._restore.append(measure_task_time_on(self.world.clock))
        self._restore.append(keep_child_histories(self.child_executions))
        self._restore.append(cheap_transactions())
        self._restore.append(unprocessed_writes(self.world.faults))
        self._restore.append(page_trusted_services(self.world.faults))
        self.lambdas.install()
        self._restore.append(self.lambdas.uninstall)
        self.events.install()
        self._restore.append(self.events.uninstall)
        return self

    def __exit__(self, *exc: object) -> None:
        while self._restore:
            self._restore.pop()()
        self._mock.stop()
        self._sessions.clear()
        self._clients.clear()

    def _install_clock(self) -> None:
        """The interpreter's Wait states and Retry backoffs advance the virtual clock instead of sleeping."""

        clock = self.world.clock
        original_wait = WaitFunction._wait_interval
        original_time = retrier_decl.time

        def wait_interval(_self: Any, env: Any, wait_seconds: int) -> None:
            clock.sleep(wait_seconds)

        WaitFunction._wait_interval = wait_interval
        retrier_decl.time = types.SimpleNamespace(sleep=clock.sleep, time=time.time)

        def restore() -> None:
            WaitFunction._wait_interval = original_wait
            retrier_decl.time = original_time

        self._restore.append(restore)

    # -- clients -------------------------------------------------------------------------------------------
    def session(self, account: str = DEFAULT_ACCOUNT) -> boto3.Session:
        """A boto3 session whose calls land in `account` (through sts:AssumeRole, as in AWS)."""
        if account == DEFAULT_ACCOUNT:
            return boto3.Session(region_name=self.region)
        if account not in self._sessions:
            with self.unthrottled():
                creds = boto3.client("sts", region_name=self.region).assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/{ADMIN_ROLE}", RoleSessionName="offline"
                )["Credentials"]
            self._sessions[account] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=self.region,
            )
        return self._sessions[account]

    def client(self, service: str, account: str = DEFAULT_ACCOUNT, **kwargs: Any) -> Any:
        """A client with botocore's own retries off, so a test sees every throttle the offline AWS answers.

        Without options of its own, one client per service and account is made and kept (boto3 clients are
        thread-safe): making a client costs more than most calls sent with it."""
        if kwargs:
            kwargs.setdefault("config", Config(retries={"total_max_attempts": 1}))
            return self.session(account).client(service, **kwargs)  # type: ignore[call-overload]
        with self._clients_lock:
            if (service, account) not in self._clients:
                config = Config(retries={"total_max_attempts": 1})
                self._clients[service, account] = self.session(account).client(service, config=config)  # type: ignore[call-overload]
            return self._clients[service, account]

    # -- Lambda --------------------------------------------------------------------------------------------
    def register_lambda(
        self,
        function_name: str,
        handler: Handler,
        memory_mb: int = 256,
        timeout_seconds: int = 900,
        role_arn: str | None = None,
    ) -> None:
        """Invocations of `function_name` (from Step Functions or any client) run `handler` in-process, as its
        execution role `role_arn`."""
        self.lambdas.register(function_name, LambdaFunction(handler, memory_mb, timeout_seconds, role_arn))

    def caller_role_arn(self) -> str | None:
        """The execution role of the Lambda function whose handler runs on this thread, if any."""
        name = self.lambdas.current()
        return self.lambdas.functions[name].role_arn if name is not None else None

    def put_function_event_invoke_config(
        self,
        function_name: str,
        *,
        maximum_retry_attempts: int = 2,
        maximum_event_age_in_seconds: int = 21600,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> None:
        """Lambda's PutFunctionEventInvokeConfig for a function registered offline (moto does not know those)."""
        self.lambdas.event_invoke_configs[function_name] = EventInvokeConfig(
            maximum_retry_attempts, maximum_event_age_in_seconds, on_success, on_failure
        )

    # -- routing -------------------------------------------------------------------------------------------
    def _route(self, request: Any, moto_process: Callable[[Any], Response | None]) -> Response | None:
        parts = urlsplit(request.url)
        host = _HOST.match(parts.hostname or "") or _S3_HOST.match(parts.hostname or "")
        if host is None:
            return moto_process(request)
        prefix = host.groupdict().get("service") or "s3"
        region = host.group("region") or DEFAULT_REGION
        account = account_of(request.headers)
        fake = self.world.services.get(prefix)
        if fake is not None:
            return self._serve(fake, account, region, request)
        if prefix == "lambda" and (invoke := _INVOKE.match(parts.path)):
            name = unquote(invoke.group("name")).split(":function:")[-1].split(":")[0]
            if name in self.lambdas.functions:
                busy = self._throttled(account, "lambda", "Invoke", {})
                self._log(account, region, "lambda", "Invoke", {"FunctionName": name}, busy.code if busy else None)
                if busy is not None:
                    return _error_response("rest-json", busy)
                return self.lambdas.invoke(name, region, account, request.body)
        operation, params = _s3_operation(request) if prefix == "s3" else _describe(request)
        refused = self._undocumented(prefix, operation, params)
        if refused is None and (busy := self._throttled(account, prefix, operation, params)) is not None:
            refused = _error_response(THROTTLING[prefix][2], busy)
        if refused is None and prefix == "sts":
            refused = refuse_untrusted(self, request, account)
        answered = refused or (simulate_principal_policy(self, request, account) if prefix == "iam" else None)
        response = answered or moto_process(request)
        if (prefix, operation) == ("sts", "AssumeRole") and not refused:
            response = expiring_on_the_clock(self, response, params)
        error = _error_code(response)
        if (prefix, operation, error) == ("iam", "CreateRole", None) and not self._looking_on():
            path = params.get("Path") or "/"
            self.world.role_created(f"arn:aws:iam::{account}:role{path}{params['RoleName']}")
        self._log(account, region, prefix, operation, params, error, session_role_arn(request.headers))
        return response

    def _serve(self, fake: ServiceFake[Any], account: str, region: str, request: Any) -> Response:
        world = self.world
        operation, params = "", dict[str, Any]()
        try:
            operation, params = fake.api.parse(request.method, request.url, request.headers, request.body)
            with world.lock:
                world.clock.advance(world.faults.config.latency_seconds)
                world.run_due()
                if not self._looking_on() and not getattr(self._observer, "unthrottled", False):
                    world.faults.check_throttle(account, fake.endpoint_prefix, operation, params)
                if not operation.startswith(READS):
                    world.mutations += 1
                result = fake.handle(CallContext(account, region, operation), params)
                if not self._looking_on():
                    world.called(fake.endpoint_prefix, operation, params)
            if self.strict:
                problems = fake.api.check_output(operation, result)
                if problems:
                    raise AssertionError(f"{fake.service_name} {operation} answered off-model: {problems}")
            self._log(account, region, fake.endpoint_prefix, operation, params, None, session_role_arn(request.headers))
            return fake.api.response(result)
        except TwinError as error:
            role = session_role_arn(request.headers)
            self._log(account, region, fake.endpoint_prefix, operation, params, error.code, role)
            return fake.api.error(error)

    def _throttled(self, account: str, prefix: str, operation: str, params: dict[str, Any]) -> TwinError | None:
        """The fault plan's throttling of a call moto would serve, as the service's own error; None to serve it."""
        if self._looking_on() or getattr(self._observer, "unthrottled", False):
            return None
        try:
            self.world.faults.check_throttle(account, prefix, operation, params)
        except TwinError as busy:
            return busy
        return None

    def _undocumented(self, prefix: str, operation: str, params: dict[str, Any]) -> Response | None:
        """In strict mode, a moto-served request that breaks a documented rule, answered with the service's error
        (the project's fakes check theirs in `ServiceFake.handle`)."""
        service = service_at(prefix) if self.strict else None
        if service is not None and service.protocol == "query":
            params = query_params(params)
        problems = violations(service.service_name, operation, params) if service is not None else []
        if service is None or not problems:
            return None
        return _error_response(service.protocol, refusal(service.service_name, problems))

    @contextmanager
    def observing(self) -> Iterator[None]:
        """Calls made inside, from this thread, are someone looking on: not logged and never throttled."""
        before = getattr(self._observer, "active", False)
        self._observer.active = True
        try:
            yield
        finally:
            self._observer.active = before

    @contextmanager
    def unthrottled(self) -> Iterator[None]:
        """Calls made inside, from this thread, are logged but never throttled: a test's own hand on the console
        (creating a state machine, starting an execution), which is not the orchestrator under test."""
        before = getattr(self._observer, "unthrottled", False)
        self._observer.unthrottled = True
        try:
            yield
        finally:
            self._observer.unthrottled = before

    def _looking_on(self) -> bool:
        """A test's own look, not a handler it invoked while looking (that one is logged and can be throttled)."""
        return bool(getattr(self._observer, "active", False)) and self.lambdas.current() is None

    def _log(
        self,
        account: str,
        region: str,
        service: str,
        operation: str,
        params: dict[str, Any],
        error: str | None,
        role: str | None = None,
    ) -> None:
        if self._looking_on():
            return
        caller = self.lambdas.current()
        self.world.record(
            CallRecord(self.world.clock.now(), account, region, service, operation, params, error, caller, role)
        )


def _describe(request: Any) -> tuple[str, dict[str, Any]]:
    """Operation name and parameters of a request moto serves, for the call log."""
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    target = request.headers.get("X-Amz-Target")
    target = target.decode() if isinstance(target, bytes) else target
    if target:
        try:
            return str(target).rsplit(".", 1)[-1], json.loads(body) if body else {}
        except ValueError:
            return str(target).rsplit(".", 1)[-1], {}
    form = parse_qs(body) if body and "=" in body and not body.lstrip().startswith(("{", "<")) else {}
    if "Action" in form:
        return form["Action"][0], {k: v[0] for k, v in form.items() if k not in ("Action", "Version")}
    return f"{request.method} {urlsplit(request.url).path}", {}


def _error_response(protocol: str, error: TwinError) -> Response:
    """An error as a service of that protocol (json, query, rest-xml, rest-json) answers it."""
    if protocol == "rest-xml":
        body = (
            f"<Error><Code>{error.code}</Code><Message>{html.escape(error.message)}</Message>"
            "<RequestId>refused</RequestId></Error>"
        )
        return error.status, {"Content-Type": "application/xml", "x-amz-request-id": "refused"}, body.encode()
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{error.code}</Code>"
            f"<Message>{html.escape(error.message)}</Message></Error><RequestId>refused</RequestId></ErrorResponse>"
        )
        return error.status, {"Content-Type": "text/xml"}, body.encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-ErrorType": error.code,
        "x-amzn-RequestId": "refused",
    }
    return error.status, headers, json.dumps({"__type": error.code, "message": error.message}).encode()


def _s3_operation(request: Any) -> tuple[str, dict[str, Any]]:
    """S3's REST operations the project uses, named as IAM and botocore name them."""
    parts = urlsplit(request.url)
    query = parse_qs(parts.query)
    key = parts.path.lstrip("/")
    if request.method == "GET" and ("list-type" in query or not key):
        return "ListObjectsV2", {"Prefix": query.get("prefix", [""])[0]}
    names = {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}
    return names.get(request.method, f"{request.method} {parts.path}"), {"Key": unquote(key)}


def _error_code(response: Response | None) -> str | None:
    if response is None or response[0] < 400:
        return None
    headers = {k.lower(): v for k, v in (response[1] or {}).items()}
    if "x-amzn-errortype" in headers:
        return str(headers["x-amzn-errortype"]).split(":")[0]
    body = response[2]
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
    match = re.search(r"<Code>([^<]+)</Code>|\"__type\":\s*\"(?:[^#\"]*#)?([^\"]+)\"", text)
    return (match.group(1) or match.group(2)) if match else f"HTTP{response[0]}"
