"""Configuration sets, their defaults and event destinations: never shared, each account has its own."""

from __future__ import annotations

from typing import Any

from twin.services.base import CallContext
from twin.services.sms_voice import filters
from twin.services.sms_voice.core import SmsVoiceCore
from twin.services.sms_voice.errors import conflict, invalid, not_found, page, quota_exceeded
from twin.services.sms_voice.state import DESTINATION_KINDS, ConfigurationSet, EventDestination

# "Each configuration set can contain between 0 and 5 event destinations." (CreateEventDestination)
EVENT_DESTINATIONS_PER_SET = 5
# Destinations End User Messaging delivers to by assuming a role ("IamRoleArn: The ARN of an Identity and Access
# Management role that is able to write event data to ...", CloudWatchLogsDestination and
# KinesisFirehoseDestination in botocore's model).
ROLE_DESTINATIONS = ("CloudWatchLogsDestination", "KinesisFirehoseDestination")


def _destination(params: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The destination member of a request, if any: an event destination has exactly one."""
    given = [kind for kind in DESTINATION_KINDS if kind in params]
    if len(given) > 1:
        raise invalid(
            "PARAMETERS_CANNOT_BE_USED_TOGETHER",
            f"An event destination has one destination, got {', '.join(given)}.",
            [(kind, "only one destination may be given") for kind in given],
        )
    return (given[0], dict(params[given[0]])) if given else None


def _event_types(params: dict[str, Any]) -> list[str]:
    types = list(params["MatchingEventTypes"])
    if "TEXT_SENT" in types:
        raise invalid(
            "INVALID_PARAMETER",
            "The TEXT_SENT event type is not supported.",
            [("MatchingEventTypes", "TEXT_SENT is not supported")],
        )
    return types


class ConfigurationMixin(SmsVoiceCore):
    def create_configuration_set(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        name = params["ConfigurationSetName"]
        if name in state.configuration_sets:
            raise conflict(
                "RESOURCE_ALREADY_EXISTS", "configuration-set", name, f"The configuration set {name} exists."
            )
        created = ConfigurationSet(state.arn("configuration-set", name), name, self.timestamp())
        state.configuration_sets[name] = created
        state.tags[created.arn] = {t["Key"]: t["Value"] for t in params.get("Tags", [])}
        return {
            "ConfigurationSetArn": created.arn,
            "ConfigurationSetName": name,
            "Tags": [{"Key": k, "Value": v} for k, v in state.tags[created.arn].items()],
            "CreatedTimestamp": created.created,
        }

    def describe_configuration_sets(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        names = params.get("ConfigurationSetNames") or []
        state = self.state(ctx.account, ctx.region)
        chosen = [self.configuration_set(ctx, n) for n in names] if names else list(state.configuration_sets.values())
        infos = [c.info() for c in chosen]
        infos = [i for i in infos if filters.matches(i, params.get("Filters", []), filters.CONFIGURATION_SET)]
        found, more = page(infos, params, self.world.faults)
        return {"ConfigurationSets": found, **more}

    def delete_configuration_set(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        state = self.state(ctx.account, ctx.region)
        del state.configuration_sets[found.name]
        state.tags.pop(found.arn, None)
        info = found.info()
        info.pop("ProtectConfigurationId", None)  # not a member of DeleteConfigurationSet's answer
        return info

    def _answer(self, found: ConfigurationSet, **members: Any) -> dict[str, Any]:
        return {"ConfigurationSetArn": found.arn, "ConfigurationSetName": found.name, **members}

    def set_default_message_type(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        found.default_message_type = params["MessageType"]
        return self._answer(found, MessageType=found.default_message_type)

    def delete_default_message_type(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        previous, found.default_message_type = found.default_message_type, None
        return self._answer(found, **({"MessageType": previous} if previous else {}))

    def set_default_sender_id(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        found.default_sender_id = params["SenderId"]
        return self._answer(found, SenderId=found.default_sender_id)

    def delete_default_sender_id(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        previous, found.default_sender_id = found.default_sender_id, None
        return self._answer(found, **({"SenderId": previous} if previous else {}))

    def set_default_message_feedback_enabled(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        found.feedback_enabled = bool(params["MessageFeedbackEnabled"])
        return self._answer(found, MessageFeedbackEnabled=found.feedback_enabled)

    # -- event destinations --------------------------------------------------------------------------------
    def create_event_destination(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        name = params["EventDestinationName"]
        if name in found.event_destinations:
            raise conflict(
                "RESOURCE_ALREADY_EXISTS", "event-destination", name, f"The event destination {name} exists."
            )
        if len(found.event_destinations) >= EVENT_DESTINATIONS_PER_SET:
            raise quota_exceeded(
                "EVENT_DESTINATIONS_PER_CONFIGURATION_SET",
                f"A configuration set has at most {EVENT_DESTINATIONS_PER_SET} event destinations.",
            )
        destination = _destination(params)
        if destination is None:
            raise invalid(
                "MISSING_PARAMETER",
                "An event destination needs a CloudWatchLogs, KinesisFirehose or Sns destination.",
                [(kind, "one destination is required") for kind in DESTINATION_KINDS],
            )
        self._role_usable(destination)
        created = EventDestination(name, True, _event_types(params), *destination)
        found.event_destinations[name] = created
        return self._answer(found, EventDestination=created.info())

    def _role_usable(self, destination: tuple[str, dict[str, str]]) -> None:
        """A role IAM has not yet propagated cannot be assumed: End User Messaging refuses the destination as the
        Terraform AWS provider's acceptance-tested code sees it (`pinpointsmsvoicev2/event_destination.go` retries
        CreateEventDestination on `ValidationException` "Could not assume IAM role" for up to two minutes)."""
        kind, target = destination
        role = target.get("IamRoleArn")
        if kind in ROLE_DESTINATIONS and role and not self.world.role_propagated(role):
            raise invalid(
                "INVALID_PARAMETER",
                f"Could not assume IAM role {role}. Make sure it exists and trusts sms-voice.amazonaws.com.",
                [(f"{kind}.IamRoleArn", "could not assume the role")],
            )

    def _event_destination(self, found: ConfigurationSet, name: str) -> EventDestination:
        if name not in found.event_destinations:
            raise not_found("event-destination", name)
        return found.event_destinations[name]

    def update_event_destination(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        target = self._event_destination(found, params["EventDestinationName"])
        destination = _destination(params)
        if "MatchingEventTypes" in params:
            target.matching_event_types = _event_types(params)
        if "Enabled" in params:
            target.enabled = bool(params["Enabled"])
        if destination is not None:
            self._role_usable(destination)
            target.kind, target.target = destination
        return self._answer(found, EventDestination=target.info())

    def delete_event_destination(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.configuration_set(ctx, params["ConfigurationSetName"])
        target = self._event_destination(found, params["EventDestinationName"])
        del found.event_destinations[target.name]
        return self._answer(found, EventDestination=target.info())
