"""What each cross-account role must allow: every action the workflow and `eum-share doctor` send with it, and on
what.

roles/cross-account-roles.yaml grants exactly these (tests/iam proves both ways that they are all used and
nothing more is granted); doctor asks IAM to simulate them on the roles of a real account. A resource is the one
the action is checked on: the template's own scoping, with a name the workflow would use; CONTEXT is what the
workflow's requests carry: the tags it puts on what it creates, to whom it passes a role.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = "*"
SHARE = "arn:{partition}:ram:{region}:{account}:resource-share/eum-share-doctor"
INVITATION = "arn:{partition}:ram:{region}:{owner}:resource-share-invitation/eum-share-doctor"
IDENTITY = "arn:{partition}:sms-voice:{region}:{account}:phone-number/eum-share-doctor"
TOPIC = "arn:{partition}:sns:{region}:{account}:eum-share-doctor"
LOG_GROUP = "arn:{partition}:logs:{region}:{account}:log-group:/eum-share/sms-events/doctor"
CONFIGURATION_SET = "arn:{partition}:sms-voice:{region}:{account}:configuration-set/eum-share-doctor"
PROTECT_CONFIGURATION = "arn:{partition}:sms-voice:{region}:{account}:protect-configuration/protect-doctor"
# The roles stack's role for CloudWatch Logs destinations (dal.consumer_configuration.events_role_arn).
EVENTS_ROLE = "arn:{partition}:iam::{account}:role/eum-share/EumShareSmsEventsToLogs"
SELF = "{role}"  # the role itself
# iam:PassRole is granted only for End User Messaging; writes only on what carries the workflow's tags (the tags
# are tagged on create, so a create request carries them too); shares only of End User Messaging resources.
CONTEXT = {
    "iam:PassedToService": "sms-voice.amazonaws.com",
    "aws:RequestTag/eum-share:source-configuration-set": "doctor",
    "aws:ResourceTag/eum-share:source-configuration-set": "doctor",
    "aws:RequestTag/eum-share:source-protect-configuration": "doctor",
    "aws:ResourceTag/eum-share:source-protect-configuration": "doctor",
    "aws:RequestTag/created-by": "eum-share",
    "aws:ResourceTag/created-by": "eum-share",
    "ram:RequestedResourceType": "sms-voice:PhoneNumber",
}


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
    *_all(
        ANY, *SMS_READS, "sms-voice:DescribeSpendLimits", "sms-voice:ListTagsForResource", "sms-voice:SendTextMessage"
    ),
    *_all(ANY, "sms-voice:CreateConfigurationSet", "sms-voice:CreateProtectConfiguration"),
    *_all(
        CONFIGURATION_SET,
        "sms-voice:TagResource",
        "sms-voice:SetDefaultMessageFeedbackEnabled",
        "sms-voice:SetDefaultMessageType",
        "sms-voice:SetDefaultSenderId",
        "sms-voice:AssociateProtectConfiguration",
        "sms-voice:DeleteConfigurationSet",
        "sms-voice:CreateEventDestination",
        "sms-voice:UpdateEventDestination",
        "sms-voice:DeleteEventDestination",
    ),
    *_all(
        PROTECT_CONFIGURATION,
        "sms-voice:TagResource",
        "sms-voice:AssociateProtectConfiguration",
        "sms-voice:UpdateProtectConfigurationCountryRuleSet",
        "sms-voice:SetAccountDefaultProtectConfiguration",
        "sms-voice:DeleteProtectConfiguration",
    ),
    *_all(ANY, "sms-voice:DeleteAccountDefaultProtectConfiguration"),
    *_all(TOPIC, "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes"),
    *_all(ANY, "logs:DescribeLogGroups"),
    *_all(LOG_GROUP, "logs:CreateLogGroup", "logs:DeleteLogGroup"),
    *_all(EVENTS_ROLE, "iam:PassRole"),
    # doctor's own reads
    *_all(ANY, "servicequotas:ListServiceQuotas"),
    *_all(SELF, "iam:SimulatePrincipalPolicy"),
)

NEEDED = {"OWNER": OWNER, "CONSUMER": CONSUMER}
