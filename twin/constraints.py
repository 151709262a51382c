"""What AWS documents in words about a request, checked on every request the offline AWS answers.

botocore validates a request's structure (types, required members, lengths, enums, patterns); the sentences of an
operation's documentation ("can't be used at the same time", "Valid values are ...", "must use the full ARN") it
does not. This module holds those sentences for every operation the project calls, each as one declarative rule
with the words it comes from (botocore's service model, the operation's or the member's documentation), and
`violations` tells which rules a request breaks. An operation whose documentation states nothing of the kind is
listed with NO_DOCUMENTED_CONSTRAINT, so that a new call cannot go unreviewed (tests/twin/test_constraints.py).

Sentences about the state of an account ("must not be associated as the account default", "You can associate only
one permission with each resource type") are not rules on a request: the fakes check those against their state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ServiceModel

from twin.errors import TwinError


@dataclass(frozen=True)
class Exclusive:
    """At most one of `members` is given ("can't be used at the same time"); with `one_required`, exactly one."""

    members: tuple[str, ...]
    quote: str
    one_required: bool = False

    def broken(self, params: dict[str, Any]) -> Problem | None:
        given = [member for member in self.members if _given(params, member)]
        if len(given) > 1:
            return Problem("together", tuple(given), f"{' and '.join(given)} can't be used at the same time")
        if self.one_required and not given:
            return Problem("missing", self.members, f"one of {', '.join(self.members)} is required")
        return None


@dataclass(frozen=True)
class ValidValues:
    """The member, when given, is one of `values` (stated in words, narrower than the model's enum)."""

    member: str
    values: tuple[str, ...]
    quote: str

    def broken(self, params: dict[str, Any]) -> Problem | None:
        value = params.get(self.member)
        if value is None or value in self.values:
            return None
        return Problem("invalid", (self.member,), f"{self.member} {value!r}: valid values are {', '.join(self.values)}")


@dataclass(frozen=True)
class Matches:
    """The member (each of its items, for a list), when given, matches `pattern`: a rule on names or values
    stated in words, not in the model."""

    member: str
    pattern: str
    quote: str

    def broken(self, params: dict[str, Any]) -> Problem | None:
        value = params.get(self.member)
        for item in value if isinstance(value, list) else [value] if value is not None else []:
            if not re.fullmatch(self.pattern, str(item)):
                return Problem("invalid", (self.member,), f"{self.member} {item!r}: {self.quote}")
        return None


@dataclass(frozen=True)
class FullArn:
    """A resource of another account is named by its full ARN. The member (or `key` of each of its items) is a
    name, an ID or an ARN; a value given as an ARN is a whole one (arn:partition:service:region:account:resource),
    never a part of one. A bare name or ID is the caller's own resource: the service looks it up in the caller's
    account only, so another account's resource named that way is not found (the fakes' lookups)."""

    member: str
    quote: str
    key: str | None = None

    def broken(self, params: dict[str, Any]) -> Problem | None:
        value = params.get(self.member)
        items = value if isinstance(value, list) else [value] if value is not None else []
        for item in items:
            named = item.get(self.key) if self.key and isinstance(item, dict) else item
            if isinstance(named, str) and named.startswith("arn:") and not _WHOLE_ARN.fullmatch(named):
                return Problem("arn", (self.member,), f"{named!r} is not a full ARN: {self.quote}")
        return None


@dataclass(frozen=True)
class Requires:
    """When `member` is given (with one of `when`, if set), `other` is given too."""

    member: str
    other: str
    quote: str
    when: tuple[str, ...] = ()

    def broken(self, params: dict[str, Any]) -> Problem | None:
        if not _given(params, self.member) or (self.when and params[self.member] not in self.when):
            return None
        if _given(params, self.other):
            return None
        return Problem("missing", (self.other,), f"{self.other} is required with {self.member}: {self.quote}")


@dataclass(frozen=True)
class Excludes:
    """When `member` is given with one of `when`, `other` is not given."""

    member: str
    when: tuple[str, ...]
    other: str
    quote: str

    def broken(self, params: dict[str, Any]) -> Problem | None:
        if params.get(self.member) not in self.when or not _given(params, self.other):
            return None
        return Problem(
            "together",
            (self.member, self.other),
            f"{self.other} can't be used with {self.member}={params[self.member]}",
        )


Rule = Exclusive | ValidValues | Matches | FullArn | Requires | Excludes


@dataclass(frozen=True)
class Problem:
    """A broken rule: its kind (together, missing, invalid, arn), the members at fault and a sentence."""

    kind: str
    members: tuple[str, ...]
    message: str


_WHOLE_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+")


def _given(params: dict[str, Any], member: str) -> bool:
    value = params.get(member)
    return value is not None and value != [] and value != {}


NO_DOCUMENTED_CONSTRAINT: tuple[Rule, ...] = ()

_SHARED_ARN = (
    "If you are using a shared End User Messaging SMS resource then you must use the full Amazon Resource Name(ARN)."
)
SMS = "pinpoint-sms-voice-v2"

# (botocore service name, operation) -> the rules its documentation states. Every operation the project calls
# has an entry (the test derives the list from the code).
CONSTRAINTS: dict[tuple[str, str], tuple[Rule, ...]] = {
    # -- End User Messaging SMS ------------------------------------------------------------------------------
    (SMS, "DescribePhoneNumbers"): (
        Exclusive(
            ("Owner", "PhoneNumberIds"), "The Owner and PhoneNumberIds parameters can't be used at the same time."
        ),
        FullArn("PhoneNumberIds", _SHARED_ARN),
    ),
    (SMS, "DescribeSenderIds"): (
        Exclusive(("Owner", "SenderIds"), "The Owner and SenderIds parameters can't be used at the same time."),
        FullArn("SenderIds", _SHARED_ARN, key="SenderId"),
    ),
    (SMS, "DescribePools"): (
        Exclusive(("Owner", "PoolIds"), "The Owner and PoolIds parameters can't be used at the same time."),
        FullArn("PoolIds", _SHARED_ARN),
    ),
    (SMS, "DescribeOptOutLists"): (
        Exclusive(
            ("Owner", "OptOutListNames"), "The Owner and OptOutListNames parameters can't be used at the same time."
        ),
        FullArn("OptOutListNames", _SHARED_ARN),
    ),
    (SMS, "ListPoolOriginationIdentities"): (FullArn("PoolId", _SHARED_ARN),),
    (SMS, "SendTextMessage"): (FullArn("OriginationIdentity", _SHARED_ARN),),
    (SMS, "GetProtectConfigurationCountryRuleSet"): (
        ValidValues("NumberCapability", ("SMS", "VOICE", "MMS"), "Valid values are SMS, VOICE, or MMS."),
    ),
    (SMS, "SetDefaultMessageType"): (
        ValidValues(
            "MessageType",
            ("TRANSACTIONAL", "PROMOTIONAL"),
            "Valid values are TRANSACTIONAL for messages that are critical or time-sensitive and PROMOTIONAL for "
            "messages that aren't critical or time-sensitive.",
        ),
    ),
    (SMS, "CreateEventDestination"): (
        Exclusive(
            ("CloudWatchLogsDestination", "KinesisFirehoseDestination", "SnsDestination"),
            "You must provide a value for a single event destination using either CloudWatchLogsDestination, "
            "KinesisFirehoseDestination or SnsDestination.",
            one_required=True,
        ),
    ),
    (SMS, "AssociateProtectConfiguration"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "CreateConfigurationSet"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "CreateProtectConfiguration"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DeleteAccountDefaultProtectConfiguration"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DeleteConfigurationSet"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DeleteEventDestination"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DeleteProtectConfiguration"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DeleteResourcePolicy"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DescribeAccountAttributes"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DescribeConfigurationSets"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DescribeProtectConfigurations"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DescribeRegistrations"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "DescribeSpendLimits"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "GetResourcePolicy"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "ListTagsForResource"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "PutResourcePolicy"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "SetAccountDefaultProtectConfiguration"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "SetDefaultMessageFeedbackEnabled"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "SetDefaultSenderId"): NO_DOCUMENTED_CONSTRAINT,
    # "You can't change an event destination's type" is about the destination as it is: the fake checks it.
    (SMS, "UpdateEventDestination"): NO_DOCUMENTED_CONSTRAINT,
    (SMS, "UpdateProtectConfigurationCountryRuleSet"): NO_DOCUMENTED_CONSTRAINT,
    # -- RAM -------------------------------------------------------------------------------------------------
    ("ram", "GetResourceShareAssociations"): (
        Excludes(
            "associationType",
            ("PRINCIPAL",),
            "resourceArn",
            "You cannot specify this parameter if the association type is PRINCIPAL.",
        ),
        Excludes(
            "associationType",
            ("RESOURCE",),
            "principal",
            "You cannot specify this parameter if the association type is RESOURCE.",
        ),
    ),
    ("ram", "AcceptResourceShareInvitation"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "AssociateResourceShare"): NO_DOCUMENTED_CONSTRAINT,
    # One permission per resource type depends on the permissions' types: the fake's catalogue checks it.
    ("ram", "CreateResourceShare"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "DeleteResourceShare"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "DisassociateResourceShare"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "EnableSharingWithAwsOrganization"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "GetResourceShareInvitations"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "GetResourceShares"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "ListPermissions"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "ListResources"): NO_DOCUMENTED_CONSTRAINT,
    ("ram", "ListResourceTypes"): NO_DOCUMENTED_CONSTRAINT,
    # -- Organizations, STS, IAM -----------------------------------------------------------------------------
    ("organizations", "ListAWSServiceAccessForOrganization"): NO_DOCUMENTED_CONSTRAINT,
    ("sts", "AssumeRole"): (
        Matches("SourceIdentity", r"(?!aws:).*", "You cannot use a value that begins with the text aws:."),
    ),
    ("sts", "GetCallerIdentity"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "CreateRole"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "DeleteRole"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "DeleteRolePolicy"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "GetRole"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "GetRolePolicy"): NO_DOCUMENTED_CONSTRAINT,
    ("iam", "PutRolePolicy"): NO_DOCUMENTED_CONSTRAINT,
    # The sentences on ResourcePolicy, ResourceOwner and ResourceHandlingOption concern members never sent.
    ("iam", "SimulatePrincipalPolicy"): (
        Matches(
            "ActionNames",
            r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+",
            "Each operation must include the service identifier, such as iam:CreateUser.",
        ),
        Matches(
            "CallerArn",
            r"(?!arn:aws[a-z-]*:sts::)(?!.*\.amazonaws\.com$).*",
            "You cannot specify the ARN of an assumed role, federated user, or a service principal.",
        ),
    ),
    ("service-quotas", "ListServiceQuotas"): NO_DOCUMENTED_CONSTRAINT,
    # -- CloudWatch Logs, SNS (a consumer's event destinations) ----------------------------------------------
    ("logs", "CreateLogGroup"): (
        Matches("logGroupName", r"(?!aws/).*", "Log group names can't start with the string aws/"),
    ),
    ("logs", "DeleteLogGroup"): NO_DOCUMENTED_CONSTRAINT,
    ("logs", "DescribeLogGroups"): (
        Exclusive(
            ("logGroupNamePrefix", "logGroupNamePattern"),
            "logGroupNamePrefix and logGroupNamePattern are mutually exclusive.",
        ),
    ),
    ("logs", "ListTagsForResource"): NO_DOCUMENTED_CONSTRAINT,
    ("sns", "CreateTopic"): (
        Matches(
            "Name",
            r"[A-Za-z0-9_-]{1,256}(\.fifo)?",
            "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and "
            "hyphens, and must be between 1 and 256 characters long.",
        ),
    ),
    ("sns", "DeleteTopic"): NO_DOCUMENTED_CONSTRAINT,
    ("sns", "GetTopicAttributes"): NO_DOCUMENTED_CONSTRAINT,
    ("sns", "ListTagsForResource"): NO_DOCUMENTED_CONSTRAINT,
    ("sns", "SetTopicAttributes"): NO_DOCUMENTED_CONSTRAINT,
    # -- the orchestrator's own stack ------------------------------------------------------------------------
    ("dynamodb", "Query"): (
        Excludes(
            "Select",
            ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT"),
            "ProjectionExpression",
            "You cannot use both Select and ProjectionExpression together in a single request, unless the value for "
            "Select is SPECIFIC_ATTRIBUTES.",
        ),
    ),
    ("dynamodb", "BatchGetItem"): NO_DOCUMENTED_CONSTRAINT,
    # "you cannot put and delete the same item" and the key sentences depend on the table's key schema: moto's.
    ("dynamodb", "BatchWriteItem"): NO_DOCUMENTED_CONSTRAINT,
    ("dynamodb", "DeleteItem"): NO_DOCUMENTED_CONSTRAINT,
    ("dynamodb", "GetItem"): NO_DOCUMENTED_CONSTRAINT,
    ("dynamodb", "PutItem"): NO_DOCUMENTED_CONSTRAINT,
    ("dynamodb", "TransactWriteItems"): NO_DOCUMENTED_CONSTRAINT,
    ("dynamodb", "UpdateItem"): NO_DOCUMENTED_CONSTRAINT,
    ("stepfunctions", "ListExecutions"): (
        Exclusive(
            ("stateMachineArn", "mapRunArn"), "You can specify either a mapRunArn or a stateMachineArn, but not both."
        ),
        Requires(
            "statusFilter",
            "mapRunArn",
            "If you provide a PENDING_REDRIVE statusFilter, you must specify mapRunArn.",
            when=("PENDING_REDRIVE",),
        ),
    ),
    ("stepfunctions", "DescribeExecution"): NO_DOCUMENTED_CONSTRAINT,
    ("stepfunctions", "SendTaskFailure"): NO_DOCUMENTED_CONSTRAINT,
    ("stepfunctions", "SendTaskSuccess"): NO_DOCUMENTED_CONSTRAINT,
    ("stepfunctions", "StartExecution"): NO_DOCUMENTED_CONSTRAINT,
    ("secretsmanager", "GetSecretValue"): (
        FullArn("SecretId", "To retrieve a secret from another account, you must use an ARN."),
    ),
    ("events", "PutEvents"): NO_DOCUMENTED_CONSTRAINT,
    ("lambda", "Invoke"): NO_DOCUMENTED_CONSTRAINT,
    ("cloudformation", "DescribeStacks"): NO_DOCUMENTED_CONSTRAINT,
    # The S3 sentences concern directory buckets, access points and encryption headers the project never sends.
    ("s3", "GetObject"): NO_DOCUMENTED_CONSTRAINT,
    ("s3", "HeadObject"): NO_DOCUMENTED_CONSTRAINT,
    ("s3", "PutObject"): NO_DOCUMENTED_CONSTRAINT,
}


def query_params(form: dict[str, Any]) -> dict[str, Any]:
    """A query-protocol request's top-level members, its lists (`ActionNames.member.1`, ...) as lists."""
    params: dict[str, Any] = {}
    items: dict[str, list[tuple[int, Any]]] = {}
    for key, value in form.items():
        name, dot, rest = key.partition(".member.")
        if dot and rest.isdigit():
            items.setdefault(name, []).append((int(rest), value))
        elif "." not in key:
            params[key] = value
    return params | {name: [value for _, value in sorted(listed)] for name, listed in items.items()}


def violations(service: str, operation: str, params: dict[str, Any]) -> list[Problem]:
    """The documented rules this request breaks (none for an operation the table does not list)."""
    rules: Sequence[Rule] = CONSTRAINTS.get((service, operation), ())
    return [problem for rule in rules if (problem := rule.broken(params)) is not None]


# Each service's own answer to a request that breaks a documented rule: its validation error, by the codes its
# model (or, for services whose model lists none, its API reference's common errors) names.
_SMS_REASONS = {
    "together": "PARAMETERS_CANNOT_BE_USED_TOGETHER",
    "missing": "MISSING_PARAMETER",
    "invalid": "INVALID_PARAMETER",
    "arn": "INVALID_ARN",
}
_CODES = {
    "ram": "InvalidParameterException",
    "logs": "InvalidParameterException",
    "secretsmanager": "InvalidParameterException",
    "sns": "InvalidParameter",
    "iam": "InvalidInput",
    "sts": "ValidationError",
}


def refusal(service: str, problems: Sequence[Problem]) -> TwinError:
    """The error the service answers a request breaking these rules with."""
    message = "; ".join(problem.message for problem in problems)
    first = problems[0]
    if service == SMS:
        fields = [{"Name": member, "Message": p.message} for p in problems for member in p.members]
        return TwinError("ValidationException", message, Reason=_SMS_REASONS[first.kind], Fields=fields)
    if service == "ram" and first.kind == "missing":
        return TwinError("MissingRequiredParameterException", message)
    return TwinError(_CODES.get(service, "ValidationException"), message)


@cache
def _prefixes() -> dict[str, ServiceModel]:
    session = botocore.session.get_session()
    models = (session.get_service_model(name) for name in {service for service, _ in CONSTRAINTS})
    return {model.endpoint_prefix: model for model in models}


def service_at(endpoint_prefix: str) -> ServiceModel | None:
    """The model of a service the table has rules for, by the endpoint prefix its requests go to (states,
    logs...); None for a protocol whose parameters the offline AWS does not read before moto (rest-xml, rest-json)."""
    model = _prefixes().get(endpoint_prefix)
    return model if model is not None and model.protocol in ("json", "query") else None
