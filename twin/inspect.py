"""A snapshot of the offline AWS: identities with their policies, shares, and each consumer's shared view."""

from __future__ import annotations

from typing import Any

from twin.offline import OfflineAWS

# The member of each identity kind, in the End User Messaging fake's dump, that holds its ARN.
ARN_KEYS = {
    "phone_numbers": "PhoneNumberArn",
    "sender_ids": "SenderIdArn",
    "pools": "PoolArn",
    "opt_out_lists": "OptOutListArn",
}


def identity_arns(sms_dump: dict[str, Any]) -> list[str]:
    return [item[key] for kind, key in ARN_KEYS.items() for item in sms_dump[kind]]


def state_dump(offline: OfflineAWS) -> dict[str, Any]:
    """Per account and Region: End User Messaging state, RAM state, and `sharedVisible`, the identities of
    other accounts this account sees under Owner=SHARED now (visibility lag included)."""
    with offline.world.lock:
        offline.world.run_due()
        places = sorted(set(offline.sms.states()) | set(offline.ram.states()))
        sms = {place: offline.sms.dump(*place) for place in places}
        everything = [arn for dump in sms.values() for arn in identity_arns(dump)]
        accounts: dict[str, dict[str, Any]] = {}
        for account, region in places:
            accounts.setdefault(account, {})[region] = {
                "sms": sms[(account, region)],
                "ram": offline.ram.dump(account, region),
                "sharedVisible": [
                    arn for arn in everything if f":{account}:" not in arn and offline.sms.visible_to(account, arn)
                ],
            }
        return {"t": offline.clock.now(), "accounts": accounts}
