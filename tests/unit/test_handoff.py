"""The handoff of one consuming account, built from the migration's records and what the account showed."""

from __future__ import annotations

import json
from typing import Any

from eum_share.logic.handoff.build import AccountView, HandoffInputs, build_handoff
from eum_share.logic.handoff.render import render_markdown
from eum_share.logic.probe import Probe
from eum_share.logic.verify import ConsumerProblem, ConsumerProgress
from eum_share.models.configuration import ConfigItemKind, ConfigItemResult, ConfigItemStatus, ConfigurationOutcome
from eum_share.models.handoff import HandoffState
from eum_share.models.inventory import ConfigurationSetItem, Identity, IdentityDetails, Inventory, ManualAction
from eum_share.models.ledger import IdentityRecord, IdentityStatus
from eum_share.models.request import ResourceType

OWNER, CONSUMER, REGION = "111111111111", "222222222222", "us-east-1"
PREFIX = f"arn:aws:sms-voice:{REGION}:{OWNER}"
TOLL_FREE = f"{PREFIX}:phone-number/phone-tf"
TEN_DLC = f"{PREFIX}:phone-number/phone-10dlc"
SENDER = f"{PREFIX}:sender-id/BRAND/GB"
POOL = f"{PREFIX}:pool/pool-1"
OPT_OUT = f"{PREFIX}:opt-out-list/optouts"
RCS_AGENT = f"{PREFIX}:rcs-agent/agent-1"


def _limit(name: str, usd: float) -> dict[str, Any]:
    return {"Name": name, "EnforcedLimit": usd, "MaxLimit": usd, "Overridden": False}


def _inventory(*, pool_members: list[str] | None = None, actions: list[ManualAction] | None = None) -> Inventory:
    return Inventory(
        owner=OWNER,
        region=REGION,
        account_tier="PRODUCTION",
        identities=[
            Identity(
                arn=TOLL_FREE,
                type=ResourceType.PHONE_NUMBER,
                id="phone-tf",
                iso_country="US",
                details=IdentityDetails(
                    phone_number="+18885550100",
                    number_type="TOLL_FREE",
                    message_types=["TRANSACTIONAL"],
                    capabilities=["SMS", "VOICE"],
                    two_way=False,
                    international_sending=True,
                ),
            ),
            Identity(
                arn=TEN_DLC,
                type=ResourceType.PHONE_NUMBER,
                id="phone-10dlc",
                iso_country="US",
                details=IdentityDetails(
                    phone_number="+12065550100", number_type="TEN_DLC", capabilities=["SMS", "MMS"]
                ),
            ),
            Identity(
                arn=SENDER,
                type=ResourceType.SENDER_ID,
                id="BRAND",
                iso_country="GB",
                details=IdentityDetails(capabilities=["SMS"]),
            ),
            Identity(arn=POOL, type=ResourceType.POOL, id="pool-1", members=pool_members or [TOLL_FREE, SENDER]),
            Identity(arn=OPT_OUT, type=ResourceType.OPT_OUT_LIST, id="optouts"),
        ],
        configuration_sets=[
            ConfigurationSetItem(name="otp", default_message_type="TRANSACTIONAL", default_sender_id="BRAND")
        ],
        spend_limits=[_limit("TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", 500)],
        manual_actions=actions or [],
    )


def _records(status: IdentityStatus = IdentityStatus.VERIFIED, **changed: IdentityStatus) -> dict[str, IdentityRecord]:
    """Every identity shared, and every one that sends proved by a DryRun send from each consumer (`probed`)."""
    arns = {
        "TOLL_FREE": (TOLL_FREE, ResourceType.PHONE_NUMBER),
        "TEN_DLC": (TEN_DLC, ResourceType.PHONE_NUMBER),
        "SENDER": (SENDER, ResourceType.SENDER_ID),
        "POOL": (POOL, ResourceType.POOL),
        "OPT_OUT": (OPT_OUT, ResourceType.OPT_OUT_LIST),
    }
    return {
        arn: IdentityRecord(
            arn=arn,
            type=kind,
            batch=0,
            chunk=0,
            status=changed.get(name, status),
            probed=kind is not ResourceType.OPT_OUT_LIST,
        )
        for name, (arn, kind) in arns.items()
    }


OUTCOME = ConfigurationOutcome(
    account=CONSUMER,
    items=[ConfigItemResult(kind=ConfigItemKind.CONFIGURATION_SET, name="otp", status=ConfigItemStatus.CREATED)],
    dry_run_configuration_set="otp",
)
EVERYTHING = {TOLL_FREE, TEN_DLC, SENDER, POOL, OPT_OUT}


def _inputs(**changes: Any) -> HandoffInputs:
    given: dict[str, Any] = {
        "migration_id": "mig-1",
        "account": CONSUMER,
        "region": REGION,
        "name_prefix": "",
        "preview": False,
        "inventory": _inventory(),
        "records": _records(),
        "outcome": OUTCOME,
        "view": AccountView(
            visible=EVERYTHING,
            account_tier="PRODUCTION",
            spend_limits=[_limit("TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", 500)],
        ),
    }
    return HandoffInputs(**(given | changes))


def test_each_identity_is_named_as_people_know_it() -> None:
    names = {row.arn: (row.name, row.type) for row in build_handoff(_inputs()).identities}
    assert names == {
        TOLL_FREE: ("+18885550100", "toll-free"),
        TEN_DLC: ("+12065550100", "10DLC"),
        SENDER: ("BRAND (GB)", "sender ID"),
        POOL: ("pool pool-1", "pool"),
        OPT_OUT: ("optouts", "opt-out list"),
    }


def test_international_sending_is_said_only_for_us_toll_free_numbers() -> None:
    rows = {row.arn: row for row in build_handoff(_inputs()).identities}
    assert rows[TOLL_FREE].international_sending is True
    assert rows[TEN_DLC].international_sending is None


def test_a_pool_member_names_its_pool_and_a_pool_sends_as_its_members_can() -> None:
    rows = {row.arn: row for row in build_handoff(_inputs()).identities}
    assert rows[TOLL_FREE].pools == ["pool-1"]
    assert rows[POOL].capabilities == ["SMS", "VOICE"]


def test_an_identity_the_migration_could_not_share_is_not_in_the_handoff() -> None:
    handoff = build_handoff(_inputs(records=_records(TEN_DLC=IdentityStatus.FAILED)))
    assert TEN_DLC not in {row.arn for row in [*handoff.identities, *handoff.not_usable]}


def test_an_identity_the_account_does_not_see_is_not_usable_with_what_to_do() -> None:
    handoff = build_handoff(_inputs(view=AccountView(visible=EVERYTHING - {SENDER})))
    [row] = handoff.not_usable
    assert (row.arn, row.state) == (SENDER, HandoffState.NOT_USABLE)
    assert "Owner=SHARED" in (row.problem or "")
    assert SENDER not in {r.arn for r in handoff.identities}


def test_a_refused_dry_run_puts_the_identity_under_not_usable_with_the_action() -> None:
    problem = ConsumerProblem(
        identity=SENDER, destination="+447860019066", outcome=Probe.CONSUMER, problem="X", action="do Y"
    )
    records = _records()
    records[SENDER] = records[SENDER].model_copy(update={"probed": False})
    [row] = build_handoff(_inputs(records=records, progress=ConsumerProgress(problems=[problem]))).not_usable
    assert (row.arn, row.problem, row.action) == (SENDER, "X", "do Y")


def _granted(policies: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Action -> the resources it is allowed on, over every statement of every document."""
    granted: dict[str, set[str]] = {}
    for document in policies:
        for statement in document["Statement"]:
            for action in statement["Action"]:
                granted.setdefault(action, set()).update(statement["Resource"])
    return granted


def test_the_iam_policy_gives_each_send_action_only_where_a_capability_says_so() -> None:
    otp = f"arn:aws:sms-voice:{REGION}:{CONSUMER}:configuration-set/otp"
    assert _granted(build_handoff(_inputs()).iam_policies) == {
        "sms-voice:SendTextMessage": {TOLL_FREE, TEN_DLC, SENDER, POOL, otp},
        "sms-voice:SendVoiceMessage": {TOLL_FREE, POOL, otp},
        "sms-voice:SendMediaMessage": {TEN_DLC, otp},
    }


def test_many_identities_are_granted_in_documents_that_each_fit_a_managed_policy() -> None:
    # Given 300 phone numbers that send SMS
    numbers = [
        Identity(
            arn=f"{PREFIX}:phone-number/phone-{index:032x}",
            type=ResourceType.PHONE_NUMBER,
            id=f"phone-{index:032x}",
            iso_country="US",
            details=IdentityDetails(phone_number=f"+1206555{index:04d}", capabilities=["SMS"]),
        )
        for index in range(300)
    ]
    inventory = Inventory(owner=OWNER, region=REGION, account_tier="PRODUCTION", identities=numbers)
    records = {
        n.arn: IdentityRecord(arn=n.arn, type="X", batch=0, chunk=0, status=IdentityStatus.VERIFIED) for n in numbers
    }
    # When the handoff is built
    policies = build_handoff(
        _inputs(inventory=inventory, records=records, view=AccountView(visible={n.arn for n in numbers}))
    ).iam_policies
    # Then every number is granted SendTextMessage, in documents IAM accepts as managed policies
    assert len(policies) > 1
    assert all(len(json.dumps(p, separators=(",", ":"))) <= 6_144 for p in policies)
    otp = f"arn:aws:sms-voice:{REGION}:{CONSUMER}:configuration-set/otp"
    assert _granted(policies) == {"sms-voice:SendTextMessage": {n.arn for n in numbers} | {otp}}


def test_a_sandboxed_account_is_told_to_request_production_access() -> None:
    tasks = build_handoff(_inputs(view=AccountView(visible=EVERYTHING, account_tier="SANDBOX"))).tasks
    [sandbox] = [task for task in tasks if task.kind == "PRODUCTION_ACCESS"]
    assert "verified destination phone numbers" in sandbox.detail


def test_a_spend_limit_below_the_owners_is_to_be_raised_with_both_figures() -> None:
    view = AccountView(visible=EVERYTHING, spend_limits=[_limit("TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", 1)])
    handoff = build_handoff(_inputs(view=view))
    [task] = [task for task in handoff.tasks if task.kind == "SPEND_LIMIT"]
    assert "500 USD" in task.detail
    assert "this account 1 USD" in task.detail


def test_a_spend_limit_equal_to_the_owners_asks_for_nothing() -> None:
    assert [task for task in build_handoff(_inputs()).tasks if task.kind == "SPEND_LIMIT"] == []


def test_the_owners_spend_limit_action_stands_when_the_account_could_not_be_read() -> None:
    action = ManualAction(account=CONSUMER, kind="SPEND_LIMIT", subject="TEXT", detail="raise it")
    handoff = build_handoff(
        _inputs(inventory=_inventory(actions=[action]), view=AccountView(unreadable="AccessDenied: no"))
    )
    assert [task.detail for task in handoff.tasks if task.kind == "SPEND_LIMIT"] == ["raise it"]
    assert "could not be read from inside (AccessDenied: no)" in render_markdown(handoff)


def test_the_default_message_type_and_sender_id_come_with_the_configuration_set() -> None:
    [task] = [task for task in build_handoff(_inputs()).tasks if task.kind == "DEFAULTS"]
    assert "otp (message type TRANSACTIONAL, sender ID BRAND)" in task.detail


def test_a_pool_holding_an_rcs_agent_says_the_fallback_is_lost() -> None:
    inventory = _inventory(pool_members=[TOLL_FREE, RCS_AGENT])
    [task] = [task for task in build_handoff(_inputs(inventory=inventory)).tasks if task.kind == "RCS_FALLBACK"]
    assert "no RCS-to-SMS fallback" in task.detail


def test_a_preview_lists_every_identity_without_reading_the_account() -> None:
    handoff = build_handoff(_inputs(preview=True, records={}, view=AccountView()))
    assert {row.state for row in handoff.identities} == {HandoffState.PREVIEW}
    assert {row.arn for row in handoff.identities} == EVERYTHING


def test_the_example_sends_to_a_simulator_number_and_says_so() -> None:
    markdown = render_markdown(build_handoff(_inputs()))
    assert "to `+14254147755`, an End User Messaging simulator number" in markdown


def test_a_preview_says_nothing_is_shared_yet() -> None:
    markdown = render_markdown(build_handoff(_inputs(preview=True, records={}, view=AccountView())))
    assert markdown.startswith("# Handoff preview (dry run: nothing is shared yet)")
    assert f"identities of account {OWNER} the migration would share with this account" in markdown
