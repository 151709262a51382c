"""eum-share: template.yaml's state machine through the local runner, its Lambda tasks the real handlers."""

from __future__ import annotations

from eum_share_cli.offline_runtime import quiet_functions

from benchmarks.systems import Stopwatch, SystemRun
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow
from twin.seed import Scenario

TIMEOUT_SECONDS = 4 * 3600.0  # wall time; the 10,000-identity run takes minutes


def run(offline: OfflineAWS, scenario: Scenario) -> SystemRun:
    # Quiet as the demo is: the functions' metrics would flood the table.
    with quiet_functions(), local_migration_workflow(offline, parameters={"LogLevel": "ERROR"}) as workflow:
        stopwatch = Stopwatch(offline)
        first_invocation = len(offline.lambdas.invocations)
        execution = workflow.run(scenario.request(), name="benchmark", timeout=TIMEOUT_SECONDS)
        outcome = execution.status if execution.status == "SUCCEEDED" else f"{execution.status} {execution.error}"
        run = stopwatch.stop(outcome, invocations=offline.lambdas.invocations[first_invocation:])
        with offline.observing():
            run.histories = [workflow.history(execution.arn), *workflow.child_histories(execution.arn)]
        return run
