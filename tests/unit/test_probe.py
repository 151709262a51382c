"""What a refused DryRun probe means: every reason botocore's model gives SendTextMessage's errors is classified,
only an identity the consumer cannot see or use goes to a RAM repair, and AWS being busy is a wait."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from eum_share.errors import AwsThrottled
from eum_share.logic.probe import (
    DESTINATIONS,
    NOT_FROM_SENDING,
    REASONS,
    SIMULATOR_DESTINATIONS,
    Probe,
    classify,
)

from twin.services.sms_voice.countries import country_of

EXCEPTIONS = {
    "ConflictException": "ConflictExceptionReason",
    "ValidationException": "ValidationExceptionReason",
    "ServiceQuotaExceededException": "ServiceQuotaExceededExceptionReason",
    "AccessDeniedException": "AccessDeniedExceptionReason",
}


def _model() -> Any:
    return botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")


def refused(code: str, reason: str | None = None, **members: str) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": "refused"}, **members}
    if reason is not None:
        response["Reason"] = reason
    return ClientError(response, "SendTextMessage")  # type: ignore[arg-type]


@pytest.mark.parametrize("exception", sorted(EXCEPTIONS))
def test_every_reason_of_the_model_is_classified_once(exception: str) -> None:
    # Given every reason botocore's model lists for one of SendTextMessage's errors
    documented = set(_model().shape_for(EXCEPTIONS[exception]).enum)
    explained = {reason for code, reason in REASONS if code == exception}
    # Then each is either explained for a probe or known to answer other operations, never both
    assert explained | NOT_FROM_SENDING[exception] == documented
    assert not explained & NOT_FROM_SENDING[exception]


def test_the_table_covers_exactly_sendtextmessages_errors_with_a_reason() -> None:
    errors = {shape.name for shape in _model().operation_model("SendTextMessage").error_shapes}
    assert {name for name in errors if "Reason" in _model().shape_for(name).members} == set(EXCEPTIONS)


@pytest.mark.parametrize("kind", ["phone-number", "sender-id", "pool"])
def test_an_identity_the_consumer_cannot_find_is_repaired(kind: str) -> None:
    assert classify(refused("ResourceNotFoundException", ResourceType=kind, ResourceId="x")).outcome is Probe.REFUSED


def test_access_denied_on_the_identity_is_repaired() -> None:
    assert classify(refused("AccessDeniedException")).outcome is Probe.REFUSED


def test_the_consumers_missing_configuration_set_is_its_own_problem() -> None:
    verdict = classify(refused("ResourceNotFoundException", ResourceType="configuration-set", ResourceId="otp"))
    assert verdict.outcome is Probe.CONSUMER
    assert "configuration set" in verdict.action


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ValidationException", "DESTINATION_COUNTRY_BLOCKED"),
        ("ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT"),
        ("ValidationException", "SENDER_ID_NOT_REGISTERED"),
        ("ValidationException", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY"),
        ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"),
        ("AccessDeniedException", "ACCOUNT_DISABLED"),
    ],
)
def test_a_consumer_side_refusal_is_reported_with_an_action_not_repaired(code: str, reason: str) -> None:
    verdict = classify(refused(code, reason))
    assert verdict.outcome is Probe.CONSUMER
    assert verdict.action
    assert reason in verdict.problem


@pytest.mark.parametrize(
    "reason",
    [
        "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION",
        "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE",
    ],
)
def test_a_protect_block_of_the_consumer_is_reported(reason: str) -> None:
    assert classify(refused("ConflictException", reason)).outcome is Probe.BLOCKED


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ConflictException", "RESOURCE_NOT_EMPTY"),
        ("ConflictException", "A_REASON_ADDED_LATER"),
        ("SomeNewException", None),
    ],
)
def test_an_unknown_refusal_is_reported_never_repaired(code: str, reason: str | None) -> None:
    verdict = classify(refused(code, reason))
    assert verdict.outcome is Probe.UNKNOWN
    assert verdict.action


def test_throttling_is_raised_for_the_state_machine_to_retry() -> None:
    with pytest.raises(ClientError):
        classify(refused("ThrottlingException"))


def test_a_server_error_is_a_wait_not_a_refusal() -> None:
    with pytest.raises(AwsThrottled):
        classify(refused("InternalServerException"))


@pytest.mark.parametrize("country", sorted(DESTINATIONS))
def test_each_probe_destination_is_a_number_of_its_country(country: str) -> None:
    # Jersey's simulator number is a +44 number: by its calling code, the United Kingdom's.
    expected = "GB" if country == "JE" else country
    assert country_of(DESTINATIONS[country]) == expected


def test_the_us_probe_destination_is_the_documented_simulator_number() -> None:
    # "United States | Success | +14254147755" (Simulator phone numbers in AWS End User Messaging SMS)
    assert SIMULATOR_DESTINATIONS["US"] == "+14254147755"
