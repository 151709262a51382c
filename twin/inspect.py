"""A snapshot of the offline AWS: identities with their policies, shares, and each consumer's shared view."""

from __future__ import annotations

import json
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


LIVE = ("ASSOCIATED", "ASSOCIATING")


def in_use(dump: dict[str, Any]) -> dict[str, Any]:
    """A state dump as it matters to anyone using the accounts, for comparing two moments: only ACTIVE shares
    and their live associations, only invitations still open or answered for a principal still in its share
    (RAM keeps deleted shares and old invitations as history); no clock; statements in a stable order."""
    shares = [
        share
        for places in dump["accounts"].values()
        for place in places.values()
        for share in place["ram"]["shares"]
        if share["status"] == "ACTIVE"
    ]
    live = {(s["arn"], p["entity"]) for s in shares for p in s["principals"] if p["status"] in LIVE}

    def invitations(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [i for i in items if i["status"] == "PENDING" or (i["share"], i["receiver"]) in live]

    accounts: dict[str, Any] = {}
    for account, places in dump["accounts"].items():
        for region, place in places.items():
            ram = place["ram"]
            accounts.setdefault(account, {})[region] = {
                "sms": _stable_policies(place["sms"]),
                "ram": ram
                | {
                    "shares": [
                        share
                        | {
                            "principals": [p for p in share["principals"] if p["status"] in LIVE],
                            "resources": [r for r in share["resources"] if r["status"] in LIVE],
                        }
                        for share in ram["shares"]
                        if share["status"] == "ACTIVE"
                    ],
                    "invitationsSent": invitations(ram["invitationsSent"]),
                    "invitationsReceived": invitations(ram["invitationsReceived"]),
                },
                "sharedVisible": place["sharedVisible"],
            }
    return {"accounts": accounts}


def _stable_policies(sms: dict[str, Any]) -> dict[str, Any]:
    """The order of a policy's statements means nothing to IAM."""
    stable = dict(sms)
    for kind in ARN_KEYS:
        stable[kind] = [
            item
            | (
                {"Policy": item["Policy"] | {"Statement": sorted(item["Policy"]["Statement"], key=json.dumps)}}
                if item.get("Policy")
                else {}
            )
            for item in sms[kind]
        ]
    return stable


def event_targets(offline: OfflineAWS, accounts: list[str]) -> dict[str, Any]:
    """What End User Messaging event destinations deliver to, in each account (moto's SNS, CloudWatch Logs and
    IAM, which the state dump does not cover): topics with their policies, log groups, roles with their inline
    policies."""
    found: dict[str, Any] = {}
    with offline.world.faults.paused(), offline.observing():
        for account in accounts:
            sns = offline.client("sns", account=account)
            logs = offline.client("logs", account=account)
            iam = offline.client("iam", account=account)
            topics = {
                topic["TopicArn"]: json.loads(
                    sns.get_topic_attributes(TopicArn=topic["TopicArn"])["Attributes"].get("Policy") or "null"
                )
                for page in sns.get_paginator("list_topics").paginate()
                for topic in page["Topics"]
            }
            groups = sorted(
                group["logGroupName"]
                for page in logs.get_paginator("describe_log_groups").paginate()
                for group in page["logGroups"]
            )
            roles = {
                role["RoleName"]: sorted(iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"])
                for page in iam.get_paginator("list_roles").paginate()
                for role in page["Roles"]
            }
            found[account] = {"topics": topics, "logGroups": groups, "roles": roles}
    return found
