"""Task timeouts, task-token callbacks and heartbeats on the virtual clock, answered as Step Functions documents.

A `lambda:invoke.waitForTaskToken` Task waits for SendTaskSuccess or SendTaskFailure; it fails with States.Timeout
once TimeoutSeconds (or HeartbeatSeconds without a heartbeat) of simulated time pass. A token whose task has timed
out or closed answers TaskTimedOut ("The task token has either expired or the task associated with the token has
already been closed", botocore's stepfunctions model).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.runner import Execution, LocalStateMachine

ASKER = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:asker"


def approval(**task: Any) -> str:
    """A machine whose Ask task waits for a callback; a timeout and a rejection are caught by name."""
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": ASKER, "Payload": {"token.$": "$$.Task.Token"}},
        "Catch": [
            {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "TimedOut"},
            {"ErrorEquals": ["Rejected"], "ResultPath": "$.error", "Next": "Refused"},
        ],
        "End": True,
        **task,
    }
    states = {"Ask": ask, "TimedOut": {"Type": "Pass", "End": True}, "Refused": {"Type": "Pass", "End": True}}
    return json.dumps({"StartAt": "Ask", "States": states})


class Asker:
    """The function the Ask task invokes: it keeps each task token it is given."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.tokens.append(event["token"])
        return {}

    def token(self, count: int = 1) -> str:
        """The `count`-th token, once the task has asked for it."""
        deadline = time.monotonic() + 30
        while len(self.tokens) < count:
            assert time.monotonic() < deadline, "the task never invoked its function"
            time.sleep(0.005)
        return self.tokens[count - 1]


def machine(aws: OfflineAWS, asker: Asker, **task: Any) -> LocalStateMachine:
    return LocalStateMachine(aws, definition=approval(**task), name="approval", handlers={"asker": asker})


def status(aws: OfflineAWS, execution_arn: str) -> str:
    with aws.observing():
        return str(aws.client("stepfunctions").describe_execution(executionArn=execution_arn)["status"])


def error_code(call: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return str(refused.value.response["Error"]["Code"])


def test_send_task_success_resumes_the_task_with_its_output(aws: OfflineAWS) -> None:
    # Given an execution waiting at a callback task
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=3600)
    arn = workflow.start({})
    # When the token is answered with an output
    aws.client("stepfunctions").send_task_success(taskToken=asker.token(), output=json.dumps({"approved": True}))
    # Then the task's result is that output
    execution = workflow.wait(arn)
    assert (execution.status, execution.output) == ("SUCCEEDED", {"approved": True})


def test_send_task_failure_fails_the_task_with_its_error_and_cause_catchable_by_name(aws: OfflineAWS) -> None:
    # Given an execution waiting at a callback task that catches "Rejected"
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=3600)
    arn = workflow.start({})
    # When the token is answered with a failure
    aws.client("stepfunctions").send_task_failure(taskToken=asker.token(), error="Rejected", cause="not today")
    # Then the catcher received the error and the cause
    execution = workflow.wait(arn)
    assert execution.output == {"error": {"Error": "Rejected", "Cause": "not today"}}


def test_the_task_waits_while_the_clock_stands_still(aws: OfflineAWS) -> None:
    # Given an execution waiting at a callback task with a 60-second timeout
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=60)
    arn = workflow.start({})
    asker.token()
    # When wall time passes but simulated time does not
    time.sleep(0.2)
    # Then the execution still waits
    assert status(aws, arn) == "RUNNING"
    aws.client("stepfunctions").send_task_success(taskToken=asker.token(), output="{}")
    assert workflow.wait(arn).status == "SUCCEEDED"


def test_the_task_times_out_when_the_clock_passes_its_timeout_seconds(aws: OfflineAWS) -> None:
    # Given an execution waiting at a callback task with a 60-second timeout
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=60)
    arn = workflow.start({})
    asker.token()
    # When 60 simulated seconds pass
    aws.clock.advance(60)
    # Then the task failed with States.Timeout, which its catcher caught
    execution = workflow.wait(arn)
    assert execution.output == {"error": {"Error": "States.Timeout", "Cause": ""}}


def test_timeout_seconds_path_reads_the_timeout_from_the_input(aws: OfflineAWS) -> None:
    # Given a callback task whose timeout comes from its input
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSecondsPath="$.timeout")
    arn = workflow.start({"timeout": 300})
    asker.token()
    # When 299 simulated seconds pass, the task still waits; at 300 it times out
    aws.clock.advance(299)
    time.sleep(0.05)
    assert status(aws, arn) == "RUNNING"
    aws.clock.advance(1)
    # Then it failed with States.Timeout
    assert workflow.wait(arn).output["error"]["Error"] == "States.Timeout"


def test_a_token_whose_task_timed_out_answers_task_timed_out(aws: OfflineAWS) -> None:
    # Given a callback task whose timeout has passed on the clock
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=60)
    arn = workflow.start({})
    token = asker.token()
    aws.clock.advance(61)
    # When its token is answered
    code = error_code(lambda: aws.client("stepfunctions").send_task_success(taskToken=token, output="{}"))
    # Then the answer is TaskTimedOut, and the task timed out
    assert code == "TaskTimedOut"
    assert workflow.wait(arn).output["error"]["Error"] == "States.Timeout"


def test_a_token_answered_twice_answers_task_timed_out_the_second_time(aws: OfflineAWS) -> None:
    # Given a callback task that was answered
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=3600)
    arn = workflow.start({})
    sfn = aws.client("stepfunctions")
    sfn.send_task_success(taskToken=asker.token(), output="{}")
    workflow.wait(arn)
    # When its token is answered again
    code = error_code(lambda: sfn.send_task_failure(taskToken=asker.token(), error="Late"))
    # Then the task is closed: TaskTimedOut
    assert code == "TaskTimedOut"


def test_a_token_no_task_was_given_answers_invalid_token(aws: OfflineAWS) -> None:
    # Given no task ever issued this token
    # When it is answered
    code = error_code(lambda: aws.client("stepfunctions").send_task_success(taskToken="made-up", output="{}"))
    # Then the answer is InvalidToken
    assert code == "InvalidToken"


def test_output_that_is_not_json_answers_invalid_output(aws: OfflineAWS) -> None:
    # Given an execution waiting at a callback task
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=3600)
    arn = workflow.start({})
    sfn = aws.client("stepfunctions")
    # When its token is answered with output that is not JSON
    code = error_code(lambda: sfn.send_task_success(taskToken=asker.token(), output="approved"))
    # Then the answer is InvalidOutput and the task still accepts a valid answer
    assert code == "InvalidOutput"
    sfn.send_task_success(taskToken=asker.token(), output='{"approved": true}')
    assert workflow.wait(arn).output == {"approved": True}


def test_heartbeats_keep_a_task_alive_past_its_heartbeat_seconds(aws: OfflineAWS) -> None:
    # Given a callback task that must send a heartbeat every 10 seconds
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=600, HeartbeatSeconds=10)
    arn = workflow.start({})
    sfn = aws.client("stepfunctions")
    token = asker.token()
    # When a heartbeat arrives every 9 seconds for 45 seconds
    for _ in range(5):
        aws.clock.advance(9)
        sfn.send_task_heartbeat(taskToken=token)
    # Then the task still waits, and completes when answered
    time.sleep(0.05)
    assert status(aws, arn) == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"done": true}')
    assert workflow.wait(arn).output == {"done": True}


def test_a_missed_heartbeat_times_out_the_task(aws: OfflineAWS) -> None:
    # Given a callback task that must send a heartbeat every 10 seconds
    asker = Asker()
    workflow = machine(aws, asker, TimeoutSeconds=600, HeartbeatSeconds=10)
    arn = workflow.start({})
    token = asker.token()
    # When 10 seconds pass without one
    aws.clock.advance(10)
    # Then the task timed out, caught as States.Timeout, and its token is closed
    assert workflow.wait(arn).output["error"]["Error"] == "States.Timeout"
    assert error_code(lambda: aws.client("stepfunctions").send_task_heartbeat(taskToken=token)) == "TaskTimedOut"


def test_each_retry_of_a_callback_task_has_a_token_of_its_own(aws: OfflineAWS) -> None:
    # Given a callback task retried on "Flaky"
    asker = Asker()
    retry = [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 1}]
    workflow = machine(aws, asker, TimeoutSeconds=3600, Retry=retry)
    arn = workflow.start({})
    sfn = aws.client("stepfunctions")
    # When the first attempt fails with Flaky
    sfn.send_task_failure(taskToken=asker.token(1), error="Flaky")
    # Then the retry asks with a new token, the old one is closed, and the new one completes the task
    second = asker.token(2)
    assert second != asker.token(1)
    assert error_code(lambda: sfn.send_task_success(taskToken=asker.token(1), output="{}")) == "TaskTimedOut"
    sfn.send_task_success(taskToken=second, output='{"attempt": 2}')
    assert workflow.wait(arn).output == {"attempt": 2}


def slow_task(aws: OfflineAWS, seconds: int) -> Execution:
    """A Lambda task with TimeoutSeconds 60 whose function sleeps `seconds` (simulated)."""
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:slow",
                "TimeoutSeconds": 60,
                "End": True,
            }
        },
    }
    handlers = {"slow": lambda event, context: time.sleep(seconds) or {"slept": seconds}}
    return LocalStateMachine(aws, definition=json.dumps(definition), name="slow", handlers=handlers).run({})


def test_a_lambda_task_that_finishes_within_its_timeout_succeeds(aws: OfflineAWS) -> None:
    # Given a task with a 60-second timeout whose function takes 59 simulated seconds
    # When it runs
    execution = slow_task(aws, 59)
    # Then it succeeds
    assert (execution.status, execution.output) == ("SUCCEEDED", {"slept": 59})


def test_a_lambda_task_that_runs_past_its_timeout_fails_with_states_timeout(aws: OfflineAWS) -> None:
    # Given a task with a 60-second timeout whose function takes 61 simulated seconds
    # When it runs
    execution = slow_task(aws, 61)
    # Then it fails with States.Timeout, although the function did finish
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
