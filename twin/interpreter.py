"""Where moto's Step Functions interpreter differs from what AWS documents, and how the twin corrects it.

Each correction is installed for the life of an OfflineAWS and removed after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def tolerate_only_what_the_map_allows() -> Callable[[], None]:
    """A Distributed Map run fails with States.ExceedToleratedFailureThreshold when more child executions
    fail than ToleratedFailureCount / ToleratedFailurePercentage allow (both 0 by default, as AWS
    documents). moto counts the failures but lets the Map succeed."""
    from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
        DistributedIterationComponent,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    original = DistributedIterationComponent._map_run

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        original(self, env, eval_input)
        items = eval_input.map_run_record.item_counter
        failed = items.failed.get() + items.timed_out.get()
        total = max(1, items.total.get())
        if (
            failed > eval_input.tolerated_failure_count
            and 100.0 * failed / total > eval_input.tolerated_failure_percentage
        ):
            env.stack.pop()
            error = StatesErrorNameType.StatesExceedToleratedFailureThreshold
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=error),
                    event_type=HistoryEventType.MapRunFailed,
                    event_details=EventDetails(
                        mapRunFailedEventDetails=MapRunFailedEventDetails(
                            error=error.to_name(),
                            cause=f"{failed} of {items.total.get()} child executions failed; the Map tolerates none",
                        )
                    ),
                )
            )

    DistributedIterationComponent._map_run = map_run

    def restore() -> None:
        DistributedIterationComponent._map_run = original

    return restore
