"""Which identities a consumer can use at the end, judged from the offline AWS's state, not from any report.

An identity is usable by a consumer when the consumer sees it under Owner=SHARED, its resource policy grants the
consumer, and (for the identities one sends with) a DryRun send from the consumer succeeds. Nothing here is
logged or throttled: it is the benchmark looking, not a system calling.
"""

from __future__ import annotations

from twin import policy
from twin.errors import TwinError
from twin.offline import OfflineAWS
from twin.services.base import CallContext
from twin.services.sms_voice.core import caller_of

SEND = "sms-voice:SendTextMessage"
USE = {"phone-number": SEND, "sender-id": SEND, "pool": SEND, "opt-out-list": "sms-voice:DescribeOptOutLists"}
DESTINATION = "+12065550100"  # a number reserved for fiction: DryRun checks the identity, nothing is sent


def unusable(offline: OfflineAWS, identities: list[str], consumers: list[str]) -> list[str]:
    """The identities some consumer cannot use, once RAM has finished whatever it still had in flight."""
    world = offline.world
    with world.faults.paused(), world.lock:
        world.settle()
        return [arn for arn in identities if not all(_usable(offline, arn, consumer) for consumer in consumers)]


def _usable(offline: OfflineAWS, arn: str, consumer: str) -> bool:
    kind = arn.split(":")[5].split("/")[0]
    document = offline.sms.policy_document(arn)
    if not offline.sms.visible_to(consumer, arn) or document is None:
        return False
    if not policy.is_allowed(document, caller_of(consumer), USE[kind], arn):
        return False
    if USE[kind] != SEND:
        return True
    context = CallContext(consumer, offline.region, "SendTextMessage")
    params = {"DestinationPhoneNumber": DESTINATION, "OriginationIdentity": arn, "MessageBody": "probe", "DryRun": True}
    try:
        offline.sms.handle(context, params)
    except TwinError:
        return False
    return True
