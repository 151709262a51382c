"""An execution history's events carry the moment they happened. GetExecutionHistory, botocore's stepfunctions model:
HistoryEvent.timestamp, "The date and time the event occurred." On the offline AWS that moment is simulated, so a
history shows where an execution spent its time."""

from __future__ import annotations

import json

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine

WAIT_SECONDS = 90


def test_a_wait_state_lasts_its_seconds_in_the_history(aws: OfflineAWS) -> None:
    # Given a machine that waits 90 seconds
    definition = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": WAIT_SECONDS, "End": True}}}
    workflow = LocalStateMachine(aws, definition=json.dumps(definition), name="pause")
    # When it runs
    execution = workflow.run({})
    # Then its history shows the wait between entering and leaving the state, on the simulated clock
    events = {e["type"]: e["timestamp"] for e in workflow.history(execution.arn)}
    assert (events["WaitStateExited"] - events["WaitStateEntered"]).total_seconds() == WAIT_SECONDS
    assert events["ExecutionSucceeded"] <= aws.clock.datetime()
