"""RAM's records: resource shares, their associations and invitations, and how the API renders them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from twin.clock import EPOCH
from twin.services.ram.writes import PolicyWriter

# Association statuses (ResourceShareAssociationStatus).
ASSOCIATING = "ASSOCIATING"
ASSOCIATED = "ASSOCIATED"
FAILED = "FAILED"
DISASSOCIATING = "DISASSOCIATING"
DISASSOCIATED = "DISASSOCIATED"
# RAM's own, not the caller's: nothing in RAM's API starts or ends a suspension (see `RamFake.suspend_resource`).
SUSPENDING = "SUSPENDING"
SUSPENDED = "SUSPENDED"
RESTORING = "RESTORING"
# Associations that still hold their entity in the share, or are on their way to it.
LIVE = (ASSOCIATING, ASSOCIATED)

# Resource share statuses (ResourceShareStatus).
ACTIVE = "ACTIVE"
DELETED = "DELETED"

# Invitation statuses (ResourceShareInvitationStatus).
PENDING = "PENDING"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
EXPIRED = "EXPIRED"

RESOURCE = "RESOURCE"
PRINCIPAL = "PRINCIPAL"


@dataclass
class Association:
    """One resource or principal in one share.

    `epoch` grows with every transition started on the association: an event scheduled for an earlier
    transition (an association overtaken by a disassociation or a deleted share) then knows it is stale.
    """

    entity: str
    kind: str
    status: str
    created: datetime
    updated: datetime
    external: bool = False
    message: str | None = None
    resource_type: str | None = None
    epoch: int = 0

    def move(self, status: str, at: datetime, message: str | None = None) -> int:
        self.status = status
        self.updated = at
        self.message = message
        self.epoch += 1
        return self.epoch


@dataclass
class Share:
    arn: str
    name: str
    owner: str
    region: str
    allow_external: bool
    permission_arns: list[str]
    created: datetime
    updated: datetime
    tags: dict[str, str] = field(default_factory=dict)
    configuration: dict[str, Any] | None = None
    status: str = ACTIVE
    # Insertion order is association order: listings and pages follow it.
    resources: dict[str, Association] = field(default_factory=dict)
    principals: dict[str, Association] = field(default_factory=dict)

    @property
    def share_id(self) -> str:
        return self.arn.rsplit("/", 1)[1]

    @property
    def statement_id(self) -> str:
        """The Sid of this share's statements in a resource policy: IAM allows only letters and digits."""
        return "RAMShare" + self.share_id.replace("-", "")

    def granted_principals(self) -> list[str]:
        """Resource policies grant only principals whose association has completed."""
        return [p.entity for p in self.principals.values() if p.status == ASSOCIATED]

    def render(self) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "resourceShareArn": self.arn,
            "name": self.name,
            "owningAccountId": self.owner,
            "allowExternalPrincipals": self.allow_external,
            "status": self.status,
            "tags": [{"key": k, "value": v} for k, v in self.tags.items()],
            "creationTime": self.created,
            "lastUpdatedTime": self.updated,
            "featureSet": "STANDARD",
        }
        if self.configuration is not None:
            rendered["resourceShareConfiguration"] = dict(self.configuration)
        return rendered

    def render_association(self, association: Association) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "resourceShareArn": self.arn,
            "resourceShareName": self.name,
            "associatedEntity": association.entity,
            "associationType": association.kind,
            "status": association.status,
            "creationTime": association.created,
            "lastUpdatedTime": association.updated,
            "external": association.external,
        }
        if association.message is not None:
            rendered["statusMessage"] = association.message
        return rendered


@dataclass
class Invitation:
    """Sent to an account outside the owner's organization (or any account without organization sharing)."""

    arn: str
    share_arn: str
    share_name: str
    sender: str
    receiver: str
    sent_at: float  # simulated seconds, for the expiry
    status: str = PENDING

    def render(self) -> dict[str, Any]:
        return {
            "resourceShareInvitationArn": self.arn,
            "resourceShareName": self.share_name,
            "resourceShareArn": self.share_arn,
            "senderAccountId": self.sender,
            "receiverAccountId": self.receiver,
            "invitationTimestamp": EPOCH + timedelta(seconds=self.sent_at),
            "status": self.status,
        }


@dataclass
class Replay:
    """What a call with a client token did, so a retry with the same token returns the same answer."""

    fingerprint: str
    response: dict[str, Any]


@dataclass
class RamState:
    """One account's RAM in one Region: the shares it owns and the invitations it sent."""

    account: str
    region: str
    writer: PolicyWriter
    shares: dict[str, Share] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    replays: dict[tuple[str, str], Replay] = field(default_factory=dict)

    def pending_invitations(self) -> int:
        return sum(1 for invitation in self.invitations.values() if invitation.status == PENDING)
