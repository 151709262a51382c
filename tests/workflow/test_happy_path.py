"""A whole migration on the offline AWS: two consumers (one external), pools and opt-out lists selected
without their members. Everything is checked from the offline AWS's own state, not from the report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.support.report_page import ReportPage, at
from twin.inspect import state_dump
from twin.offline import OfflineAWS
from twin.runner import Execution
from twin.seed import Scenario


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    """Given a pool and an opt-out list selected without any of their members / When they are migrated."""

    def selection(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": [scenario.pools[0], scenario.opt_out_lists[0]]}

    with migration_run(name="mig-happy-1", resources=selection) as outcome:
        yield outcome


@pytest.fixture
def aws(run: MigrationRun) -> OfflineAWS:
    return run.aws


@pytest.fixture
def scenario(run: MigrationRun) -> Scenario:
    return run.scenario


@pytest.fixture
def migrated(run: MigrationRun) -> Execution:
    return run.execution


@pytest.fixture
def report(run: MigrationRun) -> dict[str, Any]:
    return run.report


def _planned(report: dict[str, Any]) -> list[str]:
    return [line["arn"] for line in report["identities"]]


def test_the_migration_succeeds_with_every_identity_verified(migrated: Execution) -> None:
    assert migrated.status == "SUCCEEDED", migrated.cause
    assert migrated.output["outcome"] == "SUCCEEDED"
    assert migrated.output["failed"] == 0


def test_a_selected_pool_brings_its_members_and_the_report_says_so(report: dict[str, Any], scenario: Scenario) -> None:
    pool = scenario.pools[0]
    brought = {line["arn"]: line["broughtBy"] for line in report["identities"] if line["broughtBy"]}
    for member in scenario.pool_members[pool]:
        assert pool in brought[member]


def test_a_selected_opt_out_list_brings_the_identities_that_use_it(
    report: dict[str, Any], scenario: Scenario, aws: OfflineAWS
) -> None:
    optouts = scenario.opt_out_lists[0]
    name = optouts.rsplit("/", 1)[-1]
    users = [
        p["PhoneNumberArn"]
        for p in aws.client("pinpoint-sms-voice-v2", account=scenario.owner).describe_phone_numbers()["PhoneNumbers"]
        if p["OptOutListName"] == name
    ]
    assert users
    assert set(users) <= set(_planned(report))


def test_every_identity_is_visible_to_both_consumers(
    aws: OfflineAWS, scenario: Scenario, report: dict[str, Any]
) -> None:
    dump = state_dump(aws)
    for consumer in scenario.consumers:
        visible = set(dump["accounts"][consumer][scenario.region]["sharedVisible"])
        assert set(_planned(report)) <= visible, consumer


def test_both_consumers_can_send_with_every_sending_identity(
    aws: OfflineAWS, scenario: Scenario, report: dict[str, Any]
) -> None:
    senders = [line["arn"] for line in report["identities"] if line["type"] != "OPT_OUT_LIST"]
    for consumer in scenario.consumers:
        sms = aws.client("pinpoint-sms-voice-v2", account=consumer)
        for arn in senders:
            destination = "+447700900100" if ":sender-id/" in arn and arn.endswith("/GB") else "+12065550100"
            if ":sender-id/" in arn and not arn.endswith("/GB"):
                continue  # a probe per country is the workflow's job; one country is enough to prove use here
            sms.send_text_message(DestinationPhoneNumber=destination, OriginationIdentity=arn, DryRun=True)


def test_configuration_is_the_same_in_both_consumers_as_in_the_owner(
    aws: OfflineAWS, scenario: Scenario, migrated: Execution
) -> None:
    def configuration(account: str) -> list[dict[str, Any]]:
        sms = aws.client("pinpoint-sms-voice-v2", account=account)
        sets = sms.describe_configuration_sets()["ConfigurationSets"]
        return sorted(
            (
                {
                    "name": s["ConfigurationSetName"],
                    "type": s.get("DefaultMessageType"),
                    "sender": s.get("DefaultSenderId"),
                    "destinations": sorted(
                        (d["EventDestinationName"], sorted(d["MatchingEventTypes"])) for d in s["EventDestinations"]
                    ),
                    "protected": "ProtectConfigurationId" in s,
                }
                for s in sets
            ),
            key=lambda s: str(s["name"]),
        )

    owner = configuration(scenario.owner)
    for consumer in scenario.consumers:
        theirs = configuration(consumer)
        assert [(s["name"], s["type"], s["sender"], s["protected"]) for s in theirs] == [
            (s["name"], s["type"], s["sender"], s["protected"]) for s in owner
        ]


def test_protect_rules_block_the_same_countries_in_each_consumer(
    aws: OfflineAWS, scenario: Scenario, migrated: Execution
) -> None:
    for consumer in scenario.consumers:
        sms = aws.client("pinpoint-sms-voice-v2", account=consumer)
        [protect] = sms.describe_protect_configurations()["ProtectConfigurations"]
        rules = sms.get_protect_configuration_country_rule_set(
            ProtectConfigurationId=protect["ProtectConfigurationId"], NumberCapability="SMS"
        )["CountryRuleSet"]
        assert {c for c, r in rules.items() if r["ProtectStatus"] == "BLOCK"} == {"CN", "RU"}


def test_the_report_counts_match_the_identities(report: dict[str, Any], migrated: Execution) -> None:
    assert sum(report["counts"].values()) == len(report["identities"])
    assert report["counts"] == migrated.output["counts"]
    assert report["shareArn"].startswith("arn:aws:ram:us-east-1:")


def test_the_report_counts_every_identity_shared_with_each_consumer_as_usable_from_inside_it(
    aws: OfflineAWS, scenario: Scenario, run: MigrationRun
) -> None:
    # Given the identities each consumer sees shared with it, and which of them send (opt-out lists do not)
    dump = state_dump(aws)
    kinds = {line["arn"]: line["type"] for line in run.report["identities"]}
    for consumer in scenario.consumers:
        visible = set(dump["accounts"][consumer][scenario.region]["sharedVisible"]) & set(kinds)
        senders = [arn for arn in visible if kinds[arn] != "OPT_OUT_LIST"]
        # When the report's line for the consumer is read
        line = next(c for c in run.report["consumers"] if c["account"] == consumer)
        # Then all of them are usable: the senders proved by a DryRun send, the opt-out lists by the listing
        assert (line["shared"], line["usable"], line["notUsable"]) == (len(visible), len(visible), [])
        assert line["checked"] == {"DRY_RUN": len(senders), "LISTING": len(visible) - len(senders)}
        assert (
            f"- {consumer}: {len(visible)} of {len(visible)} identities usable from inside the account" in run.markdown
        )


def test_the_markdown_report_summarises_for_people(run: MigrationRun) -> None:
    markdown = run.markdown
    assert markdown.startswith("# Migration mig-happy-1: SUCCEEDED")
    assert "## Brought in by membership" in markdown
    assert "## Manual actions" in markdown


@pytest.fixture
def page(run: MigrationRun) -> tuple[str, ReportPage]:
    html = run.workflow.read_artifact(run.execution.output["reportKey"].replace("report.json", "report.html"))
    return html, ReportPage(html)


def test_report_html_shows_the_figures_of_report_json(page: tuple[str, ReportPage], report: dict[str, Any]) -> None:
    # Given report.html beside report.json, read as a browser would
    _, found = page
    # Then every figure it shows is report.json's, the counts and each consumer's usable identities among them
    for path, text in found.figures.items():
        value = at(report, path)
        if path in found.values:
            assert float(found.values[path]) == pytest.approx(value), path
        else:
            assert text == str(value), path
    shown = set(found.figures)
    assert {f"counts.{status}" for status in report["counts"]} <= shown
    for i in range(len(report["consumers"])):
        assert {f"consumers.{i}.{figure}" for figure in ("shared", "usable", "checked.DRY_RUN")} <= shown


def test_report_html_draws_each_batch_over_time_against_the_floor(
    page: tuple[str, ReportPage], report: dict[str, Any]
) -> None:
    _, found = page
    assert found.parts["g.batch"] == report["batches"]
    assert found.parts["rect.wait"] == report["batches"]
    assert found.parts["line.floor"] == 1
    assert found.figures["timeline.floor.seconds"]


def test_report_html_needs_nothing_from_elsewhere_and_links_each_consumers_handoff(
    page: tuple[str, ReportPage], report: dict[str, Any]
) -> None:
    html, found = page
    assert found.fetching == []
    assert "url(" not in html
    assert "@import" not in html
    assert sorted(found.links) == sorted(
        f"handoff/{c['account']}.{fmt}" for c in report["consumers"] for fmt in ("md", "csv", "json")
    )


def test_the_share_is_created_without_naming_a_permission(run: MigrationRun) -> None:
    # "If you do not specify an ARN for the permission, RAM automatically attaches the default version of the
    # permission for each resource type" (CreateResourceShare.permissionArns): the request named none.
    [created] = [c for c in run.calls if c.operation == "CreateResourceShare"]
    assert "permissionArns" not in created.params


def test_the_invitation_accepted_is_seen_at_once_without_a_wait(run: MigrationRun) -> None:
    # Given an external consumer whose invitation the migration accepts
    # When the migration looks again right after accepting
    entered = [
        event["stateEnteredEventDetails"]["name"]
        for event in run.workflow.history(run.execution.arn)
        if event["type"].endswith("StateEntered")
    ]
    # Then the share is visible at the first check: no poll interval is spent waiting for it
    assert entered.count("AcceptInvitations") == 1
    assert "WaitForInvitations" not in entered


def _entered(run: MigrationRun) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in run.workflow.history(run.execution.arn)
        if event["type"].endswith("StateEntered")
    ]


def test_the_configuration_is_rebuilt_while_ram_associates_the_principals(run: MigrationRun) -> None:
    # Given a migration whose share needs its principals associated / When it runs
    entered = _entered(run)
    # Then the consumers' configuration is rebuilt once, after the principals were asked for and before they joined,
    # and no resource is associated before every principal joined and every invitation was accepted
    assert entered.count("RecreateConfiguration") == 1
    assert entered.index("EnsureShareWithPrincipals") < entered.index("RecreateConfiguration")
    assert entered.index("RecreateConfiguration") < entered.index("StartInvitations")
    assert entered.index("AcceptInvitations") < entered.index("AssociateBatches")
