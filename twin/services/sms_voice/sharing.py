"""Resource-based policies: the API the owner uses, and the hooks AWS RAM uses to share resources."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from twin import policy
from twin.services.base import CallContext
from twin.services.sms_voice.core import Shareable, SmsVoiceCore, caller_of
from twin.services.sms_voice.errors import access_denied, invalid, not_found
from twin.services.sms_voice.state import SHAREABLE_KINDS, AccountState, Arn

_ACCOUNT = re.compile(r"^\d{12}$")
_OU = re.compile(r"^arn:aws:organizations::\d{12}:ou/(?P<org>o-[a-z0-9]+)/(?P<ou>ou-[a-z0-9]+-[a-z0-9]+)$")
_ORG = re.compile(r"^arn:aws:organizations::\d{12}:organization/(?P<org>o-[a-z0-9]+)$")


def ram_statement(statement_id: str, principal: str, actions: Sequence[str], arn: str) -> dict[str, Any]:
    """The statement RAM writes for one principal of a share.

    Each principal gets its own statement, so adding a principal leaves the statements (and the time they
    were written) of the others untouched.
    """
    statement: dict[str, Any] = {"Effect": "Allow", "Action": list(actions), "Resource": arn}
    if _ACCOUNT.match(principal):
        statement["Principal"] = policy.account_principal(principal)
        token = principal
    elif match := _OU.match(principal):
        statement["Principal"] = "*"
        statement["Condition"] = policy.org_paths_condition([f"{match['org']}/*/{match['ou']}/*"])
        token = match["ou"]
    elif match := _ORG.match(principal):
        statement["Principal"] = "*"
        statement["Condition"] = policy.org_id_condition(match["org"])
        token = match["org"]
    else:
        raise ValueError(f"{principal} is not an account ID, OU ARN or organization ARN")
    return {"Sid": statement_id + re.sub(r"[^A-Za-z0-9]", "", token), **statement}


class SharingMixin(SmsVoiceCore):
    # -- API -----------------------------------------------------------------------------------------------
    def _policy_target(self, ctx: CallContext, ident: str) -> tuple[AccountState, str]:
        """The caller's own shareable resource a policy call names: only the owner manages its policy."""
        arn = Arn.parse(ident)
        if arn is None or arn.kind not in SHAREABLE_KINDS:
            raise invalid(
                "INVALID_ARN",
                "Resource policies attach to phone numbers, sender IDs, pools and opt-out lists.",
                [("ResourceArn", "must be the ARN of a phone number, sender ID, pool or opt-out list")],
            )
        if arn.account != ctx.account:
            raise access_denied(f"Only the owner of {ident} can manage its resource policy.")
        state = self.state(ctx.account, ctx.region)
        if arn.region != ctx.region or state.shareable(arn) is None:
            raise not_found(arn.kind, ident)
        return state, ident

    def _policy_answer(self, state: AccountState, arn: str) -> dict[str, Any]:
        stored = state.policies.get(arn)
        if stored is None:
            # AWS answers a resource without a policy (never given one, or after DeleteResourcePolicy) with HTTP 200
            # and the literal "{}" (docs/aws-assumptions.md: seen in acceptance-tested public code).
            return {"ResourceArn": arn, "Policy": "{}"}
        return {"ResourceArn": arn, "Policy": stored.text, "CreatedTimestamp": stored.created}

    def get_resource_policy(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._policy_target(ctx, params["ResourceArn"])
        return self._policy_answer(state, arn)

    def put_resource_policy(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._policy_target(ctx, params["ResourceArn"])
        try:
            document = policy.parse(params["Policy"])
        except policy.PolicyError as error:
            raise invalid("INVALID_PARAMETER", str(error), [("Policy", str(error))]) from None
        self.store_policy(state, arn, document, params["Policy"])
        return self._policy_answer(state, arn)

    def delete_resource_policy(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._policy_target(ctx, params["ResourceArn"])
        answer = self._policy_answer(state, arn)
        state.policies.pop(arn, None)
        self.world.mutations += 1
        return answer

    # -- AWS RAM's side ------------------------------------------------------------------------------------
    def _owned(self, arn: str) -> tuple[AccountState, Shareable] | None:
        parsed = Arn.parse(arn)
        if parsed is None or parsed.kind not in SHAREABLE_KINDS:
            return None
        state = self.existing_state(parsed.account, parsed.region)
        found = state.shareable(parsed) if state is not None else None
        return (state, found) if state is not None and found is not None else None

    def shareable_resource(self, arn: str) -> str | None:
        """The RAM resource type (e.g. "sms-voice:PhoneNumber") of an existing resource, else None."""
        parsed = Arn.parse(arn)
        if parsed is None or self._owned(arn) is None:
            return None
        return SHAREABLE_KINDS[parsed.kind]

    def write_ram_statements(
        self, arn: str, statement_id: str, principals: Sequence[str], actions: Sequence[str]
    ) -> None:
        """Add or replace one share's statements (Sid prefix `statement_id`), keeping every other one."""
        owned = self._owned(arn)
        if owned is None:
            raise LookupError(f"{arn} is not an existing shareable resource")
        state, _ = owned
        stored = state.policies.get(arn)
        document: dict[str, Any] = (
            copy.deepcopy(stored.document) if stored else {"Version": "2012-10-17", "Statement": []}
        )
        kept = [s for s in policy.statements(document) if not str(s.get("Sid", "")).startswith(statement_id)]
        fresh = {s["Sid"]: s for s in (ram_statement(statement_id, p, actions, arn) for p in principals)}
        document["Statement"] = kept + list(fresh.values())
        self.store_policy(state, arn, document, json.dumps(document))

    def remove_ram_statements(self, arn: str, statement_id: str) -> None:
        """Remove one share's statements; a policy left with no statement is deleted."""
        owned = self._owned(arn)
        stored = owned[0].policies.get(arn) if owned else None
        if owned is None or stored is None:
            return
        state = owned[0]
        document = copy.deepcopy(stored.document)
        document["Statement"] = [
            s for s in policy.statements(document) if not str(s.get("Sid", "")).startswith(statement_id)
        ]
        if document["Statement"]:
            self.store_policy(state, arn, document, json.dumps(document))
        else:
            del state.policies[arn]
            self.world.mutations += 1

    def empty_policy(self, arn: str) -> None:
        """The throttled-RAM fault: the resource's policy is gone, whoever wrote it."""
        owned = self._owned(arn)
        if owned is not None:
            owned[0].policies.pop(arn, None)
            self.world.mutations += 1

    def policy_document(self, arn: str) -> dict[str, Any] | None:
        owned = self._owned(arn)
        stored = owned[0].policies.get(arn) if owned else None
        return copy.deepcopy(stored.document) if stored else None

    def visible_to(self, account: str, arn: str) -> bool:
        """Whether `account` sees the resource under Owner=SHARED now (its grant written long enough ago)."""
        owned = self._owned(arn)
        if owned is None or owned[0].account == account:
            return False
        return self.grants(owned[0], arn, caller_of(account), None)
