"""End User Messaging's request quotas: one table of every action eum-share calls and its rate per account.

Source: the quotas page of the End User Messaging SMS user guide
(https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html): "The following table lists the Requests Per
Second (RPS) quota for each resource of the AWS End User Messaging SMS and Voice v2 API", e.g.
"AssociateOriginationIdentity | 1", "DescribePhoneNumbers | 1", "ListTagsForResource | 10", "TagResource | 1".
DryRun sends have a rate of their own: "The Message Parts per Second (MPS) limit when using DryRun is five"
(SendTextMessage's `DryRun` member in botocore's pinpoint-sms-voice-v2 model).

An action the page does not list gets its most restrictive rate, 1 a second (ASSUMED; docs/aws-assumptions.md).
The orchestrator paces its calls by this table (`dal/pacing.py`) and the offline AWS enforces the same table
(`twin.faults.published_quotas`): both must agree on what AWS allows.
"""

from __future__ import annotations

QUOTAS_PAGE = "https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html"
MOST_RESTRICTIVE_PER_SECOND = 1.0  # the lowest rate the page lists
DRY_RUN_PER_SECOND = (
    5.0  # SendTextMessage with DryRun: "The Message Parts per Second (MPS) limit when using DryRun is five"
)

# Action -> requests a second per account and Region, as the quotas page lists it.
PUBLISHED: dict[str, float] = {
    "AssociateProtectConfiguration": 1,
    "CreateConfigurationSet": 1,
    "CreateEventDestination": 1,
    "CreateProtectConfiguration": 1,
    "DeleteAccountDefaultProtectConfiguration": 1,
    "DeleteConfigurationSet": 1,
    "DeleteEventDestination": 1,
    "DeleteProtectConfiguration": 1,
    "DescribeAccountAttributes": 1,
    "DescribeConfigurationSets": 1,
    "DescribeOptOutLists": 1,
    "DescribePhoneNumbers": 1,
    "DescribePools": 1,
    "DescribeRegistrations": 1,
    "DescribeSenderIds": 1,
    "DescribeSpendLimits": 1,
    "GetProtectConfigurationCountryRuleSet": 1,
    "ListPoolOriginationIdentities": 1,
    "ListTagsForResource": 10,
    "SendTextMessage": 1,
    "SetAccountDefaultProtectConfiguration": 1,
    "SetDefaultMessageFeedbackEnabled": 1,
    "SetDefaultMessageType": 1,
    "SetDefaultSenderId": 1,
    "UpdateEventDestination": 1,
    "UpdateProtectConfigurationCountryRuleSet": 1,
}

# Actions eum-share calls that the page does not list by that name: the most restrictive rate is assumed.
# (The page lists "DescribeProtectConfiguration", not the API's DescribeProtectConfigurations.)
ASSUMED: dict[str, float] = {
    "DeleteResourcePolicy": MOST_RESTRICTIVE_PER_SECOND,
    "DescribeProtectConfigurations": MOST_RESTRICTIVE_PER_SECOND,
    "GetResourcePolicy": MOST_RESTRICTIVE_PER_SECOND,
    "PutResourcePolicy": MOST_RESTRICTIVE_PER_SECOND,
}

# Every End User Messaging action eum-share calls -> its rate; `tests/unit/test_quotas.py` fails on a call
# without a row.
RATES: dict[str, float] = PUBLISHED | ASSUMED

DRY_RUN = "SendTextMessage:DryRun"  # the DryRun sends' own quota, counted apart from real sends


def quota_of(operation: str, dry_run: bool = False) -> tuple[str, float]:
    """The quota a call counts against: (its name, requests a second). A DryRun send counts against the DryRun
    rate; an action with no row against the most restrictive published rate."""
    if dry_run and operation == "SendTextMessage":
        return DRY_RUN, DRY_RUN_PER_SECOND
    return operation, RATES.get(operation, MOST_RESTRICTIVE_PER_SECOND)
