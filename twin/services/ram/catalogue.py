"""What this RAM can share and with which managed permission: End User Messaging SMS resources only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from twin.clock import EPOCH

SMS_VOICE_PERMISSION_ARN = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSmsVoice"

# The path segment of each shareable sms-voice ARN and the RAM resource type it names. Configuration sets,
# event destinations and protect configurations have ARNs too, but RAM cannot share them.
RESOURCE_TYPES: dict[str, str] = {
    "phone-number": "sms-voice:PhoneNumber",
    "sender-id": "sms-voice:SenderId",
    "pool": "sms-voice:Pool",
    "opt-out-list": "sms-voice:OptOutList",
}

_SEND = ("sms-voice:SendTextMessage", "sms-voice:SendVoiceMessage", "sms-voice:SendMediaMessage")


@dataclass(frozen=True)
class ManagedPermission:
    """An AWS managed permission: what a consumer may do with each resource type it covers.

    AWS's guide names one permission for End User Messaging, letting consumers send with shared
    resources but not modify or delete them, so one permission here covers all four types.
    """

    arn: str
    name: str
    actions: dict[str, tuple[str, ...]]
    created: datetime = EPOCH

    def covers(self, resource_type: str) -> bool:
        return resource_type.lower() in (t.lower() for t in self.actions)

    def summary(self) -> dict[str, Any]:
        # No `resourceType`: the member names one type, and this permission covers four.
        return {
            "arn": self.arn,
            "version": "1",
            "defaultVersion": True,
            "name": self.name,
            "status": "ATTACHABLE",
            "creationTime": self.created,
            "lastUpdatedTime": self.created,
            "isResourceTypeDefault": True,
            "permissionType": "AWS_MANAGED",
            "featureSet": "STANDARD",
        }

    def detail(self) -> dict[str, Any]:
        every = sorted({action for actions in self.actions.values() for action in actions})
        return {**self.summary(), "permission": json.dumps({"Effect": "Allow", "Action": every})}


SMS_VOICE_PERMISSION = ManagedPermission(
    arn=SMS_VOICE_PERMISSION_ARN,
    name="AWSRAMDefaultPermissionSmsVoice",
    actions={
        "sms-voice:PhoneNumber": ("sms-voice:DescribePhoneNumbers", *_SEND),
        "sms-voice:SenderId": ("sms-voice:DescribeSenderIds", "sms-voice:SendTextMessage"),
        "sms-voice:Pool": ("sms-voice:DescribePools", *_SEND),
        "sms-voice:OptOutList": ("sms-voice:DescribeOptOutLists", "sms-voice:DescribeOptedOutNumbers"),
    },
)

PERMISSIONS: dict[str, ManagedPermission] = {SMS_VOICE_PERMISSION.arn: SMS_VOICE_PERMISSION}


def resource_types() -> list[dict[str, str]]:
    return [
        {"resourceType": resource_type, "serviceName": "sms-voice", "resourceRegionScope": "REGIONAL"}
        for resource_type in RESOURCE_TYPES.values()
    ]
