"""Fault injection is seeded and deterministic, and rate limits behave as token buckets on simulated time."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from twin.clock import VirtualClock
from twin.faults import FaultConfig, Faults, RateLimit


def _throttled(faults: Faults, calls: int, operation: str = "DescribePools", account: str = "1") -> list[bool]:
    outcome = []
    for _ in range(calls):
        try:
            faults.check_throttle(account, "sms-voice", operation)
            outcome.append(False)
        except Exception:
            outcome.append(True)
    return outcome


def test_the_same_seed_throttles_the_same_calls() -> None:
    first = _throttled(Faults(FaultConfig(seed=3, throttle_rate=0.3), VirtualClock()), 200)
    second = _throttled(Faults(FaultConfig(seed=3, throttle_rate=0.3), VirtualClock()), 200)
    assert first == second
    assert 30 < sum(first) < 90


def test_a_token_bucket_allows_its_burst_then_refills_with_simulated_time() -> None:
    clock = VirtualClock()
    faults = Faults(FaultConfig(rate_limits={"sms-voice:*": RateLimit(per_second=1, burst=2)}), clock)
    assert _throttled(faults, 3) == [False, False, True]
    clock.advance(1.0)
    assert _throttled(faults, 2) == [False, True]


def test_calls_spaced_exactly_one_interval_apart_are_never_throttled() -> None:
    # Given a 1-a-second bucket, and a clock that reaches each call's slot through small steps (call latencies),
    # so the elapsed time is a sum of floats that lands a hair short of the interval
    clock = VirtualClock()
    faults = Faults(FaultConfig(rate_limits={"sms-voice:*": RateLimit(per_second=1, burst=1)}), clock)
    outcome = []
    for _ in range(200):
        # When each call comes one interval after the one before it
        outcome += _throttled(faults, 1)
        for _ in range(20):
            clock.advance(0.05)
    # Then none is throttled: a bucket counts whole tokens, not rounding errors
    assert not any(outcome)


def test_buckets_are_kept_per_account_and_operation() -> None:
    faults = Faults(FaultConfig(rate_limits={"sms-voice:*": RateLimit(per_second=1, burst=1)}), VirtualClock())
    assert _throttled(faults, 1, "DescribePools", "1") == [False]
    assert _throttled(faults, 1, "DescribePools", "2") == [False]
    assert _throttled(faults, 1, "DescribeSenderIds", "1") == [False]
    assert _throttled(faults, 1, "DescribePools", "1") == [True]


def test_a_call_refused_for_other_load_still_uses_its_token() -> None:
    """Amazon EC2's page on request throttling, the one AWS page that says how a request quota is kept: "Each
    request that you make removes one token from the API's bucket"; no page says whether a request refused for
    other load (the account's other automation, a Region under load) does. The twin takes the harder case: it does
    (docs/aws-assumptions.md, "A throttled attempt counts against the quota")."""
    # Given a bucket of one request a second, and AWS busy for the first half second
    clock = VirtualClock()
    faults = Faults(
        FaultConfig(rate_limits={"sms-voice:*": RateLimit(per_second=1, burst=1)}, throttle_bursts=((0.0, 0.5),)),
        clock,
    )
    # When a call is refused in the busy half second, and the next comes half a second later
    refused = _throttled(faults, 1)
    clock.advance(0.5)
    over_quota = _throttled(faults, 1)
    clock.advance(0.5)
    # Then the next is over the quota too: the refused call used the second's token
    assert refused == over_quota == [True]
    assert faults.injected["rate-limit"] == 1
    # And the quota has its token again a second after the refused call
    assert _throttled(faults, 1) == [False]


def test_no_caller_completes_more_than_the_quota_times_the_share_aws_answers() -> None:
    # Given a bucket of one request a second, and half of the calls refused for other load
    clock = VirtualClock()
    faults = Faults(
        FaultConfig(seed=5, throttle_rate=0.5, rate_limits={"sms-voice:*": RateLimit(per_second=1, burst=1)}), clock
    )
    # When a caller sends ten a second for 200 seconds
    answered = 0
    for _ in range(2000):
        answered += not _throttled(faults, 1)[0]
        clock.advance(0.1)
    # Then about one in two seconds is answered, as for a caller sending at the published rate: sending faster buys
    # nothing
    assert 80 <= answered <= 120


def test_a_burst_throttles_every_call_inside_its_window() -> None:
    clock = VirtualClock()
    faults = Faults(FaultConfig(throttle_bursts=((10.0, 20.0),)), clock)
    assert _throttled(faults, 1) == [False]
    clock.advance(10)
    assert _throttled(faults, 3) == [True, True, True]
    clock.advance(10)
    assert _throttled(faults, 1) == [False]


def test_a_service_left_out_of_throttled_services_is_never_throttled() -> None:
    # Given every call throttled, but only for RAM
    faults = Faults(FaultConfig(throttle_rate=1.0, throttled_services=frozenset({"ram"})), VirtualClock())
    # When DynamoDB is called / Then it answers
    faults.check_throttle("1", "dynamodb", "PutItem")


def test_a_service_the_orchestrator_does_not_call_is_never_throttled() -> None:
    faults = Faults(FaultConfig(throttle_rate=1.0), VirtualClock())
    faults.check_throttle("1", "cloudformation", "DescribeStacks")


def test_an_unknown_throttled_service_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="throttled_services: \\['dynamo'\\]"):
        FaultConfig(throttled_services=frozenset({"dynamo"}))


def test_a_probability_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="throttle_rate"):
        FaultConfig(throttle_rate=1.5)


def test_a_throttled_call_reaches_the_caller_as_a_throttling_client_error(offline_factory) -> None:  # type: ignore[no-untyped-def]
    offline = offline_factory(throttle_rate=1.0)
    client = offline.client("pinpoint-sms-voice-v2")
    with pytest.raises(ClientError) as refused:
        client.describe_account_attributes()
    assert refused.value.response["Error"]["Code"] == "ThrottlingException"
    assert offline.world.calls[-1].error == "ThrottlingException"


def test_throttling_is_paused_while_seeding(offline_factory) -> None:  # type: ignore[no-untyped-def]
    offline = offline_factory(throttle_rate=1.0)
    with offline.world.faults.paused():
        offline.client("pinpoint-sms-voice-v2").describe_account_attributes()


def _send(faults: Faults, dry_run: bool, account: str = "1") -> bool:
    try:
        faults.check_throttle(account, "sms-voice", "SendTextMessage", {"DryRun": dry_run})
    except Exception:
        return True
    return False


# botocore's SendTextMessage model: "The Message Parts per Second (MPS) limit when using DryRun is five."
DRY_RUN_LIMITS = {
    "sms-voice:SendTextMessage": RateLimit(per_second=20, burst=20),
    "sms-voice:SendTextMessage:DryRun": RateLimit(per_second=5, burst=5),
}


def test_dry_run_sends_are_limited_by_a_rate_of_their_own() -> None:
    clock = VirtualClock()
    faults = Faults(FaultConfig(rate_limits=DRY_RUN_LIMITS), clock)
    assert [_send(faults, dry_run=True) for _ in range(6)] == [False] * 5 + [True]
    clock.advance(0.2)
    assert _send(faults, dry_run=True) is False


def test_real_sends_do_not_spend_the_dry_run_allowance() -> None:
    faults = Faults(FaultConfig(rate_limits=DRY_RUN_LIMITS), VirtualClock())
    assert [_send(faults, dry_run=False) for _ in range(20)] == [False] * 20
    assert [_send(faults, dry_run=True) for _ in range(5)] == [False] * 5


def test_without_a_dry_run_limit_dry_runs_count_as_sends_of_the_operation() -> None:
    limits = {"sms-voice:SendTextMessage": RateLimit(per_second=1, burst=2)}
    faults = Faults(FaultConfig(rate_limits=limits), VirtualClock())
    assert [_send(faults, dry_run=True), _send(faults, dry_run=False), _send(faults, dry_run=True)] == [
        False,
        False,
        True,
    ]


def test_a_dry_run_over_its_rate_reaches_the_consumer_as_throttling(offline_factory) -> None:  # type: ignore[no-untyped-def]
    offline = offline_factory(rate_limits={"sms-voice:SendTextMessage:DryRun": RateLimit(per_second=5, burst=1)})
    client = offline.client("pinpoint-sms-voice-v2")
    send = {"DestinationPhoneNumber": "+12065550100", "OriginationIdentity": "+12065550199", "DryRun": True}
    with pytest.raises(ClientError):  # the first is refused for its unknown identity, not for its rate
        client.send_text_message(**send)
    with pytest.raises(ClientError) as refused:
        client.send_text_message(**send)
    assert refused.value.response["Error"]["Code"] == "ThrottlingException"
