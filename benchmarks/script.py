"""What a person's boto3 script has: clients in each account, sleeps, and throttled calls retried with backoff.

The baselines run on the same offline AWS as eum-share, so their sleeps and backoffs spend simulated time (the
virtual clock) and their calls land in the same call log.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

MAX_ATTEMPTS = 10  # the SDK's retry of throttled calls, generous: a person would rather wait than fail halfway
BASE_DELAY, MAX_DELAY = 1.0, 20.0  # exponential backoff with full jitter, as the SDK's standard retry mode
THROTTLING = ("ThrottlingException", "TooManyRequestsException")

# Per identity kind: the describe operation, its result list and the ARN member.
KINDS = (
    ("describe_phone_numbers", "PhoneNumbers", "PhoneNumberArn"),
    ("describe_sender_ids", "SenderIds", "SenderIdArn"),
    ("describe_pools", "Pools", "PoolArn"),
    ("describe_opt_out_lists", "OptOutLists", "OptOutListArn"),
)
SMS = "pinpoint-sms-voice-v2"


class Script:
    def __init__(self, offline: OfflineAWS, seed: int) -> None:
        self.offline = offline
        self.jitter = random.Random(f"script:{seed}")
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, account: str) -> Any:
        if (service, account) not in self._clients:
            self._clients[(service, account)] = self.offline.client(service, account=account)
        return self._clients[(service, account)]

    def sleep(self, seconds: float) -> None:
        self.offline.clock.sleep(seconds)

    def call(self, service: str, account: str, operation: str, **params: Any) -> dict[str, Any]:
        """One call, retried while throttled."""
        method = getattr(self.client(service, account), operation)
        for attempt in range(MAX_ATTEMPTS):
            try:
                return dict(method(**params))
            except ClientError as error:
                if error.response["Error"]["Code"] not in THROTTLING or attempt == MAX_ATTEMPTS - 1:
                    raise
                self.sleep(self.jitter.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt)))
        raise AssertionError("unreachable")

    def pages(
        self, service: str, account: str, operation: str, items: str, token: str = "NextToken", **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated listing, one retried call a page."""
        while True:
            page = self.call(service, account, operation, **params)
            yield from page[items]
            if not page.get(token):
                return
            params[token] = page[token]

    # -- what both baselines do ----------------------------------------------------------------------------
    def owned_identities(self, owner: str) -> list[str]:
        """The owner's identities as a person lists them: numbers, sender IDs, then pools and opt-out lists."""
        return [
            item[arn]
            for operation, items, arn in KINDS
            for item in self.pages(SMS, owner, operation, items, Owner="SELF", MaxResults=100)
        ]

    def create_share(self, owner: str, request: dict[str, Any], resource_arns: list[str]) -> str:
        """The request's share, created with its principals and these resources (none: an empty list); its ARN."""
        resources = {"resourceArns": resource_arns} if resource_arns else {}
        created = self.call(
            "ram",
            owner,
            "create_resource_share",
            name=request["share"]["name"],
            principals=request["principals"],
            allowExternalPrincipals=True,
            **resources,
        )
        return str(created["resourceShare"]["resourceShareArn"])

    def shared_with(self, consumer: str) -> set[str]:
        """Everything the consumer sees under Owner=SHARED."""
        return {
            item[arn]
            for operation, items, arn in KINDS
            for item in self.pages(SMS, consumer, operation, items, Owner="SHARED", MaxResults=100)
        }

    def accept_invitations(self, consumers: list[str], share_arn: str) -> None:
        for consumer in consumers:
            for invitation in self.pages(
                "ram",
                consumer,
                "get_resource_share_invitations",
                "resourceShareInvitations",
                token="nextToken",
                resourceShareArns=[share_arn],
            ):
                if invitation["status"] == "PENDING":
                    self.call(
                        "ram",
                        consumer,
                        "accept_resource_share_invitation",
                        resourceShareInvitationArn=invitation["resourceShareInvitationArn"],
                    )

    def associations(self, owner: str, share_arn: str, kind: str, status: str | None = None) -> dict[str, str]:
        """Each associated entity's status (only those in `status`, when given)."""
        filters = {"associationStatus": status} if status else {}
        return {
            a["associatedEntity"]: a["status"]
            for a in self.pages(
                "ram",
                owner,
                "get_resource_share_associations",
                "resourceShareAssociations",
                token="nextToken",
                associationType=kind,
                resourceShareArns=[share_arn],
                maxResults=500,
                **filters,
            )
        }
