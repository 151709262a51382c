"""What this RAM can share and with which managed permissions: End User Messaging SMS resources only, one default
managed permission per resource type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from twin.clock import EPOCH

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
    """An AWS managed permission: what a consumer may do with resources of the one type it covers.

    RAM: "You can associate only one permission with each resource type" (CreateResourceShare.permissionArns), and
    ListPermissions answers a `resourceType` per permission. AWS's End User Messaging guides say consumers may send
    with shared resources but not modify or delete them; the actions below say that per type.
    """

    name: str
    resource_type: str
    actions: tuple[str, ...]
    created: datetime = EPOCH

    @property
    def arn(self) -> str:
        return f"arn:aws:ram::aws:permission/{self.name}"

    def covers(self, resource_type: str) -> bool:
        return resource_type.lower() == self.resource_type.lower()

    def summary(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "version": "1",
            "defaultVersion": True,
            "name": self.name,
            "resourceType": self.resource_type,
            "status": "ATTACHABLE",
            "creationTime": self.created,
            "lastUpdatedTime": self.created,
            "isResourceTypeDefault": True,
            "permissionType": "AWS_MANAGED",
            "featureSet": "STANDARD",
        }

    def detail(self) -> dict[str, Any]:
        return {**self.summary(), "permission": json.dumps({"Effect": "Allow", "Action": sorted(self.actions)})}


# One default permission per resource type. Their names are assumed, after the pattern RAM's own examples show
# (AWSRAMDefaultPermissionGlueDatabase for glue:Database): AWS documents no list for sms-voice. A request names
# permissions as ListPermissions shows them; by default it names none, and RAM attaches these.
DEFAULT_PERMISSIONS: dict[str, ManagedPermission] = {
    permission.resource_type: permission
    for permission in (
        ManagedPermission(
            "AWSRAMDefaultPermissionSmsVoicePhoneNumber",
            "sms-voice:PhoneNumber",
            ("sms-voice:DescribePhoneNumbers", *_SEND),
        ),
        ManagedPermission(
            "AWSRAMDefaultPermissionSmsVoiceSenderId",
            "sms-voice:SenderId",
            ("sms-voice:DescribeSenderIds", "sms-voice:SendTextMessage"),
        ),
        ManagedPermission("AWSRAMDefaultPermissionSmsVoicePool", "sms-voice:Pool", ("sms-voice:DescribePools", *_SEND)),
        ManagedPermission(
            "AWSRAMDefaultPermissionSmsVoiceOptOutList",
            "sms-voice:OptOutList",
            ("sms-voice:DescribeOptOutLists", "sms-voice:DescribeOptedOutNumbers"),
        ),
    )
}

PERMISSIONS: dict[str, ManagedPermission] = {p.arn: p for p in DEFAULT_PERMISSIONS.values()}


def resource_types() -> list[dict[str, str]]:
    return [
        {"resourceType": resource_type, "serviceName": "sms-voice", "resourceRegionScope": "REGIONAL"}
        for resource_type in RESOURCE_TYPES.values()
    ]
