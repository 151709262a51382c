"""End User Messaging's request quotas: one table of every action the orchestrator calls (paced by it: test_pacing).

Source: the quotas page of the End User Messaging SMS user guide
(https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html), "the Requests Per Second (RPS) quota for
each resource of the AWS End User Messaging SMS and Voice v2 API": most actions at 1, ListTagsForResource at 10;
DryRun sends at five ("The Message Parts per Second (MPS) limit when using DryRun is five", botocore's model).
"""

from __future__ import annotations

import ast
from pathlib import Path

import botocore.session
from eum_share.dal import quotas

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions" / "eum_share"


def _sms_actions_in_code() -> set[str]:
    """Every pinpoint-sms-voice-v2 action the functions' code can call: a client method called by name
    (`sms.send_text_message(...)`), or named in a string (`get_paginator("describe_pools")`, `"SendTextMessage"`)."""
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    by_name = {botocore.xform_name(op): op for op in model.operation_names} | {op: op for op in model.operation_names}
    names: set[str] = set()
    for path in FUNCTIONS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return {by_name[name] for name in names if name in by_name}


def test_every_end_user_messaging_action_the_orchestrator_calls_has_a_published_or_assumed_rate() -> None:
    # Given every sms-voice action the functions' code names
    called = _sms_actions_in_code()
    assert {"GetResourcePolicy", "SendTextMessage", "DeleteEventDestination", "ListTagsForResource"} <= called
    # Then each has a row in the one quota table
    assert sorted(called - set(quotas.RATES)) == []


def test_an_action_the_quotas_page_does_not_list_gets_its_most_restrictive_rate() -> None:
    assert quotas.quota_of("PutResourcePolicy") == ("PutResourcePolicy", 1.0)
    assert quotas.quota_of("ListTagsForResource") == ("ListTagsForResource", 10)
    assert quotas.quota_of("SendTextMessage", dry_run=True) == ("SendTextMessage:DryRun", 5.0)
