"""Doctor: what the first migration relies on in the real accounts, checked before it runs, read-only.

Each check reads (Get, List, Describe, Simulate) or sends with DryRun, and answers with one Finding: what was
expected, what was seen, and whether it blocks. AWS refusing a read (AccessDenied) is "not readable", not a
failure; AWS busy is a wait, never a finding. What each check observes is in docs/aws-assumptions.md ("Doctor:").
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

from eum_share.dal import doctor_reads, ram, sms
from eum_share.dal.accounts import AccountAccess, Clients
from eum_share.dal.clients import SDK_CONFIG
from eum_share.dal.throttling import is_throttled
from eum_share.logic.context import consumer_role, owner_role
from eum_share.logic.policy import USE_ACTION, integrity_problems
from eum_share.logic.preflight import KIND_OF, PENDING_INVITATION_LIMIT, PRODUCTION
from eum_share.logic.probe import destination
from eum_share.models.doctor import Diagnosis, Finding, Verdict
from eum_share.models.identifiers import principal_kind
from eum_share.models.request import Consumer, MigrationRequest, ResourceType
from eum_share.role_actions import CONTEXT, NEEDED, Needed
from eum_share.settings import Settings

if TYPE_CHECKING:
    import boto3

T = TypeVar("T")
RAM_TYPES = {
    ResourceType.PHONE_NUMBER: "sms-voice:PhoneNumber",
    ResourceType.SENDER_ID: "sms-voice:SenderId",
    ResourceType.POOL: "sms-voice:Pool",
    ResourceType.OPT_OUT_LIST: "sms-voice:OptOutList",
}
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
MAX_WAIT_SECONDS = 300.0  # throttled this long in a row: AWS is too busy now; run doctor again later
SAMPLE = 1  # identities of each kind whose policy is read
SMS_SERVICE_CODE = "sms-voice"


class TooBusy(Exception):
    """AWS kept throttling doctor's reads; nothing is judged from that."""


@dataclass
class Doctor:
    request: MigrationRequest
    owner_role_name: str
    consumer_role_name: str
    base: boto3.Session
    wait: Callable[[float], None] = time.sleep
    sdk_config: Config = SDK_CONFIG
    findings: list[Finding] = field(default_factory=list)

    # -- the whole check -----------------------------------------------------------------------------------
    def diagnose(self) -> Diagnosis:
        owner = self._owner()
        consumers = {c.account_id: self._consumer(c) for c in self.request.consumers}
        if owner is not None:
            self._tier(f"owner {self.request.owner.account_id}", owner)
            self._region(owner)
            self._organization(owner)
            self._permissions(owner)
            self._share(owner)
            self._policies(owner)
        for account, reached in consumers.items():
            if reached is not None:
                self._tier(f"consumer {account}", reached)
                self._dry_run(account, reached)
        reached_all = [(f"owner {self.request.owner.account_id}", owner)]
        reached_all += [(f"consumer {account}", reached) for account, reached in consumers.items()]
        for where, reached_role in reached_all:
            if reached_role is not None:
                self._quotas(where, reached_role)
        if owner is not None:
            self._actions("OWNER", f"owner {self.request.owner.account_id}", owner)
        for account, reached in consumers.items():
            if reached is not None:
                self._actions("CONSUMER", f"consumer {account}", reached)
        return Diagnosis(findings=self.findings)

    # -- roles ---------------------------------------------------------------------------------------------
    def _settings(self) -> Settings:
        # Only the role names matter to the rules that name the roles (logic.context).
        return Settings.model_construct(
            owner_role_name=self.owner_role_name, consumer_role_name=self.consumer_role_name
        )

    def _owner(self) -> tuple[Clients, str] | None:
        request = self.request
        role = owner_role(request, self._settings())
        access = AccountAccess(request.owner.account_id, request.region, role, request.owner.external_id)
        return self._assume(f"owner {request.owner.account_id}", access)

    def _consumer(self, consumer: Consumer) -> tuple[Clients, str] | None:
        role = consumer_role(consumer, self._settings())
        access = AccountAccess(consumer.account_id, self.request.region, role, consumer.external_id)
        return self._assume(f"consumer {consumer.account_id}", access)

    def _assume(self, where: str, access: AccountAccess) -> tuple[Clients, str] | None:
        external = f" with ExternalId {access.external_id}" if access.external_id else ""
        expected = f"AssumeRole {access.role_arn}{external}"
        try:
            clients, _ = self._patiently(lambda: doctor_reads.assumed(self.base, access, self.sdk_config))
        except ClientError as error:
            self._add(f"{where}: role", expected, _error(error), Verdict.BLOCKING)
            return None
        self._add(f"{where}: role", expected, "assumed", Verdict.OK)
        return clients, access.role_arn

    # -- account and Region ---------------------------------------------------------------------------------
    def _tier(self, where: str, reached: tuple[Clients, str]) -> None:
        tier = self._read(f"{where}: account tier", PRODUCTION, lambda: sms.account_tier(reached[0]))
        if tier is not _UNREAD:
            verdict = Verdict.OK if tier == PRODUCTION else Verdict.BLOCKING
            self._add(f"{where}: account tier", PRODUCTION, tier, verdict)

    def _region(self, owner: tuple[Clients, str]) -> None:
        check = f"RAM shares End User Messaging SMS in {self.request.region}"
        wanted = [RAM_TYPES[t] for t in self.request.resources.types]
        listed = self._read(check, ", ".join(wanted), lambda: doctor_reads.resource_types(owner[0]))
        if listed is _UNREAD:
            return
        known = {t.lower() for t in listed}
        missing = [t for t in wanted if t.lower() not in known]
        seen = f"missing {', '.join(missing)}" if missing else "all listed by ListResourceTypes"
        self._add(check, ", ".join(wanted), seen, Verdict.BLOCKING if missing else Verdict.OK)

    def _organization(self, owner: tuple[Clients, str]) -> None:
        kinds = {principal_kind(p) for p in self.request.principals}
        if kinds & {"OU", "ORGANIZATION"}:
            check, expected = "sharing with AWS Organizations", "enabled (ram.amazonaws.com trusted)"
            enabled = self._read(check, expected, lambda: ram.organization_sharing_enabled(owner[0]))
            if enabled is _UNREAD:
                pass
            elif enabled is True:
                self._add(check, expected, "enabled", Verdict.OK)
            elif enabled is False:
                self._add(check, expected, "not enabled: run EnableSharingWithAwsOrganization", Verdict.BLOCKING)
            else:
                self._add(check, expected, "the owner is not the management account", Verdict.NOT_READABLE)
        if self.request.share.allow_external_principals:
            check, expected = "pending invitations", f"fewer than {PENDING_INVITATION_LIMIT} (RAM's limit)"
            pending = self._read(check, expected, lambda: ram.pending_invitations(owner[0]))
            if pending is not _UNREAD:
                verdict = Verdict.OK if pending < PENDING_INVITATION_LIMIT else Verdict.BLOCKING
                self._add(check, expected, f"{pending} pending", verdict)

    # -- RAM ------------------------------------------------------------------------------------------------
    def _permissions(self, owner: tuple[Clients, str]) -> None:
        offered: set[str] = set()
        for kind in self.request.resources.types:
            resource_type = RAM_TYPES[kind]
            check, expected = f"managed permission for {resource_type}", "an AWS managed default permission"
            listed = self._read(check, expected, lambda t=resource_type: doctor_reads.permissions(owner[0], t))  # type: ignore[misc]
            if listed is _UNREAD:
                continue
            offered |= {str(p["arn"]) for p in listed}
            defaults = [p for p in listed if p.get("isResourceTypeDefault")]
            seen = ", ".join(f"{p['name']} ({p.get('resourceType', 'no resourceType')})" for p in defaults)
            self._add(check, expected, seen or "none", Verdict.OK if defaults else Verdict.BLOCKING)
        if "permission_arns" in self.request.share.model_fields_set:
            for arn in self.request.share.permission_arns:
                found = arn in offered
                seen = "listed" if found else "not listed for any of the request's resource types"
                verdict = Verdict.OK if found else Verdict.BLOCKING
                self._add(f"permission {arn}", "offered by RAM for the request's types", seen, verdict)

    def _share(self, owner: tuple[Clients, str]) -> None:
        share = self.request.share
        check = f"share {share.arn or share.name}"
        expected = "found (share.arn)" if share.arn else "found ACTIVE, or none yet (created by the migration)"
        found = self._read(check, expected, lambda: _find_share(owner[0], share.arn, share.name))
        if found is _UNREAD:
            return
        if found is None:
            self._add(check, expected, "none", Verdict.BLOCKING if share.arn else Verdict.OK)
            return
        self._add(check, expected, f"{found.get('status')} {found.get('resourceShareArn')}", Verdict.OK)
        if found.get("status") == "ACTIVE":
            self._statements_as_read(owner, str(found["resourceShareArn"]))

    def _statements_as_read(self, owner: tuple[Clients, str], share_arn: str) -> None:
        """The orchestrator judges a policy by how RAM writes its statements (logic.policy.grants): an identity the
        share holds must read as granting every principal the share holds."""
        check = "RAM's statements as the orchestrator reads them"
        expected = "each associated principal granted"
        held = self._read(check, expected, lambda: _associated(owner[0], share_arn))
        if held is _UNREAD:
            return
        principals, resources = held
        if not principals or not resources:
            self._add(check, expected, "the share holds no principal or no resource yet: not observable", Verdict.INFO)
            return
        arn = resources[0]
        text = self._read(check, expected, lambda: sms.get_policy(owner[0], arn))
        if text is _UNREAD:
            return
        action = USE_ACTION[KIND_OF[arn.split(":")[5].split("/")[0]]]
        problems = integrity_problems(text, principals, None, action)
        seen = "; ".join(problems) if problems else f"{arn.split(':', 5)[-1]} grants all {len(principals)}"
        self._add(check, expected, seen, Verdict.WARNING if problems else Verdict.OK)

    def _policies(self, owner: tuple[Clients, str]) -> None:
        for kind in self.request.resources.types:
            arns = self._read(
                f"policy of a {kind.value}",
                "readable",
                lambda k=kind: doctor_reads.some_identities(owner[0], k, 5),  # type: ignore[misc]
            )
            for arn in [] if arns is _UNREAD else arns[:SAMPLE]:
                check, expected = f"policy of {arn.split(':', 5)[-1]}", '"{}" if none, else RAM\'s statements'
                text = self._read(check, expected, lambda a=arn: doctor_reads.raw_policy(owner[0], a))  # type: ignore[misc]
                if text is not _UNREAD:
                    seen, verdict = policy_shape(text)
                    self._add(check, expected, seen, verdict)

    # -- consumers ------------------------------------------------------------------------------------------
    def _dry_run(self, account: str, consumer: tuple[Clients, str]) -> None:
        check = f"consumer {account}: DryRun send"
        expected = "accepted with an identity already shared with it"
        shared = self._read(check, expected, lambda: _first_shared(consumer[0]))
        if shared is _UNREAD:
            return
        if shared is None:
            self._add(check, expected, "nothing shared with it yet: not observable", Verdict.INFO)
            return
        try:
            self._patiently(lambda: sms.dry_run_send(consumer[0], shared, destination(None), None))
        except ClientError as error:
            self._add(check, expected, f"{shared}: {_error(error)}", Verdict.WARNING)
            return
        self._add(check, expected, f"accepted with {shared}", Verdict.OK)

    # -- quotas and IAM -------------------------------------------------------------------------------------
    def _quotas(self, where: str, reached: tuple[Clients, str]) -> None:
        check, expected = f"{where}: sms-voice quotas", "readable (Service Quotas)"
        quotas = self._read(check, expected, lambda: doctor_reads.service_quotas(reached[0], SMS_SERVICE_CODE))
        if quotas is not _UNREAD:
            shown = "; ".join(f"{q.get('QuotaName', q.get('QuotaCode'))} = {q.get('Value')}" for q in quotas)
            self._add(check, expected, shown or "no applied value listed", Verdict.INFO)

    def _actions(self, kind: str, where: str, reached: tuple[Clients, str]) -> None:
        clients, role_arn = reached
        check = f"{where}: IAM actions of its role"
        needed = NEEDED[kind]
        expected = f"all {len(needed)} allowed"
        by_resource = self._resources(needed, role_arn)
        decisions = self._read(
            check, expected, lambda: doctor_reads.simulate(clients, role_arn, _grouped(by_resource), CONTEXT)
        )
        if decisions is _UNREAD:
            return
        refused = sorted(f"{a} on {r}" for (a, r) in by_resource if decisions.get((a, r)) != "allowed")
        seen = f"not allowed: {', '.join(refused)}" if refused else f"all {len(needed)} allowed"
        self._add(check, expected, seen, Verdict.BLOCKING if refused else Verdict.OK)

    def _resources(self, needed: tuple[Needed, ...], role_arn: str) -> dict[tuple[str, str], Needed]:
        account = role_arn.split(":")[4]
        partition = role_arn.split(":")[1]
        return {
            (
                n.action,
                n.resource_arn(
                    partition=partition,
                    region=self.request.region,
                    account=account,
                    owner=self.request.owner.account_id,
                    role=role_arn,
                ),
            ): n
            for n in needed
        }

    # -- reading --------------------------------------------------------------------------------------------
    def _read(self, check: str, expected: str, read: Callable[[], T]) -> Any:
        """What the read answered; `_UNREAD` after a finding that says why it could not be read."""
        try:
            return self._patiently(read)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            verdict = Verdict.NOT_READABLE if code in DENIED else Verdict.WARNING
            self._add(check, expected, _error(error), verdict)
            return _UNREAD

    def _patiently(self, read: Callable[[], T]) -> T:
        """AWS busy is a wait: throttled reads are sent again, backing off, for up to MAX_WAIT_SECONDS in a row."""
        waited, delay = 0.0, 1.0
        while True:
            try:
                return read()
            except ClientError as error:
                if not is_throttled(error):
                    raise
                if waited >= MAX_WAIT_SECONDS:
                    raise TooBusy(f"AWS kept throttling for {waited:.0f} s: {error}") from error
            self.wait(delay)
            waited += delay
            delay = min(delay * 2, 30.0)

    def _add(self, check: str, expected: str, seen: str, verdict: Verdict) -> None:
        self.findings.append(Finding(check=check, expected=expected, seen=seen, verdict=verdict))


class _Unread:
    def __repr__(self) -> str:
        return "unread"


_UNREAD: Any = _Unread()


def _error(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'error')}: {details.get('Message', '')}".strip()


def _grouped(by_resource: dict[tuple[str, str], Needed]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for action, resource in by_resource:
        grouped[resource].append(action)
    return grouped


def _find_share(owner: Clients, arn: str | None, name: str | None) -> dict[str, Any] | None:
    """The owner's share by ARN or name; None when RAM does not know it (UnknownResourceException for an ARN)."""
    try:
        return ram.find_share(owner, arn=arn, name=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UnknownResourceException":
            return None
        raise


def _associated(owner: Clients, share_arn: str) -> tuple[list[str], list[str]]:
    """The principals and resources whose association with the share is done (ASSOCIATED)."""

    def done(kind: str) -> list[str]:
        return [
            str(a["associatedEntity"]) for a in ram.associations(owner, share_arn, kind) if a["status"] == "ASSOCIATED"
        ]

    return done("PRINCIPAL"), done("RESOURCE")


def _first_shared(consumer: Clients) -> str | None:
    """An identity a consumer can send with that is already shared with it (phone numbers, then pools, sender IDs)."""
    for kind in ("PHONE_NUMBER", "POOL", "SENDER_ID"):
        arn = next(sms.shared_with(consumer, kind), None)
        if arn is not None:
            return arn
    return None


def policy_shape(text: str | None) -> tuple[str, Verdict]:
    """What a GetResourcePolicy answer looks like: "{}" (no policy), or its statements' principals and conditions."""
    if text is None:
        return 'no Policy member (assumed "{}")', Verdict.WARNING
    try:
        document = json.loads(text)
    except ValueError:
        return "not JSON", Verdict.WARNING
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    statements = [statements] if isinstance(statements, dict) else statements
    if not statements:
        return f"{text} (no policy)", Verdict.OK
    shapes = sorted({_statement_shape(s) for s in statements if isinstance(s, dict)})
    return f"{len(statements)} statement(s): {'; '.join(shapes)}", Verdict.INFO


def _statement_shape(statement: dict[str, Any]) -> str:
    principal = statement.get("Principal")
    aws = principal.get("AWS") if isinstance(principal, dict) else principal
    kinds = sorted({_principal_form(p) for p in ([aws] if isinstance(aws, str) else aws or [])})
    keys = sorted({key for tests in (statement.get("Condition") or {}).values() for key in tests})
    conditions = f" if {', '.join(keys)}" if keys else ""
    return f"{statement.get('Effect')} to {', '.join(kinds) or 'no AWS principal'}{conditions}"


def _principal_form(principal: str) -> str:
    if principal == "*":
        return "*"
    if principal.endswith(":root"):
        return "account root ARN"
    if principal.isdigit():
        return "account ID"
    return "ARN"
