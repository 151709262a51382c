"""What every fake shares: operation dispatch by name, input checks from the model, per-account state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from twin.constraints import refusal, violations
from twin.errors import TwinError
from twin.protocol import ApiModel

if TYPE_CHECKING:
    from twin.world import World


@dataclass(frozen=True)
class CallContext:
    """Who is calling, where, and what."""

    account: str
    region: str
    operation: str

    @property
    def partition(self) -> str:
        return "aws"


State = TypeVar("State")


def snake_case(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


class ServiceFake(Generic[State]):
    """Subclasses implement `snake_case(Operation)(self, ctx, **params) -> dict` per operation."""

    service_name: str = ""
    endpoint_prefix: str = ""

    def __init__(self, world: World) -> None:
        self.world = world
        self.api = ApiModel(self.service_name)
        self._states: dict[tuple[str, str], State] = {}

    def new_state(self, account: str, region: str) -> State:
        raise NotImplementedError

    def state(self, account: str, region: str) -> State:
        key = (account, region)
        if key not in self._states:
            self._states[key] = self.new_state(account, region)
        return self._states[key]

    def states(self) -> dict[tuple[str, str], State]:
        return dict(self._states)

    def validation_error(self, problems: list[tuple[str, str]]) -> TwinError:
        raise NotImplementedError

    def handle(self, ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, snake_case(ctx.operation), None)
        if handler is None:
            raise TwinError(
                "InternalFailure",
                f"{self.service_name} {ctx.operation} is not modelled by the offline AWS",
                501,
            )
        problems = self.api.check_input(ctx.operation, params)
        if problems:
            raise self.validation_error(problems)
        broken = violations(self.service_name, ctx.operation, params) if self.world.documented_rules else []
        if broken:
            raise refusal(self.service_name, broken)
        result: dict[str, Any] = handler(ctx, **params)
        return result
