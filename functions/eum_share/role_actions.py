"""What each cross-account role must allow: every action the workflow and `eum-share doctor` send with it, and on
what.

roles/cross-account-roles.yaml grants exactly these (tests/iam proves both ways that they are all used and
nothing more is granted); doctor asks IAM to simulate them on the roles of a real account. A resource is the one
the action is checked on: the template's own scoping, with a name the workflow would use.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = "*"
SHARE = "arn:{partition}:ram:{region}:{account}:resource-share/eum-share-doctor"
INVITATION = "arn:{partition}:ram:{region}:{owner}:resource-share-invitation/eum-share-doctor"
IDENTITY = "arn:{partition}:sms-voice:{region}:{account}:phone-number/eum-share-doctor"
TOPIC = "arn:{partition}:sns:{region}:{account}:eum-share-doctor"
LOG_GROUP = "arn:{partition}:logs:{region}:{account}:log-group:/eum-share/sms-events/doctor"
EVENTS_ROLE = "arn:{partition}:iam::{account}:role/EumShareSmsEvents-doctor"
SELF = "{role}"  # the role itself
# iam:PassRole is granted only for End User Messaging: the simulation says to whom the role is passed.
CONTEXT = {"iam:PassedToService": "sms-voice.amazonaws.com"}


@dataclass(frozen=True)
class Needed:
    action: str
    resource: str = ANY

    def resource_arn(self, *, partition: str, region: str, account: str, owner: str, role: str) -> str:
        return self.resource.format(partition=partition, region=region, account=account, owner=owner, role=role)


# What both sides read of End User Messaging: the account, its configuration, and the identities.
SMS_READS = (
    "sms-voice:DescribeAccountAttributes",
    "sms-voice:DescribeConfigurationSets",
    "sms-voice:DescribeOptOutLists",
    "sms-voice:DescribePhoneNumbers",
    "sms-voice:DescribePools",
    "sms-voice:DescribeProtectConfigurations",
    "sms-voice:DescribeSenderIds",
    "sms-voice:GetProtectConfigurationCountryRuleSet",
)


def _all(resource: str, *actions: str) -> tuple[Needed, ...]:
    return tuple(Needed(action, resource) for action in actions)


OWNER: tuple[Needed, ...] = (
    *_all(ANY, "organizations:ListAWSServiceAccessForOrganization"),
    *_all(ANY, "ram:CreateResourceShare", "ram:GetResourceShares", "ram:GetResourceShareAssociations"),
    *_all(SHARE, "ram:AssociateResourceShare", "ram:DeleteResourceShare", "ram:DisassociateResourceShare"),
    *_all(ANY, *SMS_READS, "sms-voice:DescribeRegistrations", "sms-voice:DescribeSpendLimits"),
    *_all(ANY, "sms-voice:ListPoolOriginationIdentities"),
    *_all(IDENTITY, "sms-voice:DeleteResourcePolicy", "sms-voice:GetResourcePolicy", "sms-voice:PutResourcePolicy"),
    # doctor's own reads
    *_all(ANY, "ram:ListPermissions", "ram:ListResourceTypes", "servicequotas:ListServiceQuotas"),
    *_all(SELF, "iam:SimulatePrincipalPolicy"),
)

CONSUMER: tuple[Needed, ...] = (
    *_all(ANY, "ram:GetResourceShareInvitations", "ram:GetResourceShares"),
    *_all(INVITATION, "ram:AcceptResourceShareInvitation"),
    *_all(ANY, *SMS_READS),
    *_all(
        ANY,
        "sms-voice:DescribeSpendLimits",
        "sms-voice:ListTagsForResource",
        "sms-voice:SendTextMessage",
        "sms-voice:CreateConfigurationSet",
        "sms-voice:SetDefaultMessageFeedbackEnabled",
        "sms-voice:SetDefaultMessageType",
        "sms-voice:SetDefaultSenderId",
        "sms-voice:CreateEventDestination",
        "sms-voice:UpdateEventDestination",
        "sms-voice:CreateProtectConfiguration",
        "sms-voice:UpdateProtectConfigurationCountryRuleSet",
        "sms-voice:AssociateProtectConfiguration",
        "sms-voice:SetAccountDefaultProtectConfiguration",
        "sms-voice:DeleteEventDestination",
        "sms-voice:DeleteConfigurationSet",
        "sms-voice:DeleteAccountDefaultProtectConfiguration",
        "sms-voice:DeleteProtectConfiguration",
    ),
    *_all(TOPIC, "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes"),
    *_all(ANY, "logs:DescribeLogGroups"),
    *_all(LOG_GROUP, "logs:CreateLogGroup", "logs:DeleteLogGroup"),
    *_all(
        EVENTS_ROLE,
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:PutRolePolicy",
        "iam:PassRole",
    ),
    # doctor's own reads
    *_all(ANY, "servicequotas:ListServiceQuotas"),
    *_all(SELF, "iam:SimulatePrincipalPolicy"),
)

NEEDED = {"OWNER": OWNER, "CONSUMER": CONSUMER}
