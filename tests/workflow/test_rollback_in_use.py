"""A protect configuration the migration created, which the consuming team has since put to use on a configuration
set of its own: the rollback keeps it, says why, and removes everything else the migration added."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario

TEAM_SET = "team-alerts"


def _team_uses_the_protect_configuration(aws: OfflineAWS, scenario: Scenario) -> None:
    """After the migration the first consumer's team attaches its new protect configuration to a set of its own."""
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.consumers[0])
    [protect] = sms.describe_protect_configurations()["ProtectConfigurations"]
    sms.create_configuration_set(ConfigurationSetName=TEAM_SET)
    sms.associate_protect_configuration(
        ProtectConfigurationId=protect["ProtectConfigurationId"], ConfigurationSetName=TEAM_SET
    )


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(name="mig-rollback-in-use", between=_team_uses_the_protect_configuration) as outcome:
        yield outcome


def _protect_items(run: RolledBack) -> list[dict[str, str]]:
    items = run.report["configuration"][run.scenario.consumers[0]]
    return [item for item in items if item["kind"] == "PROTECT_CONFIGURATION"]


def test_the_protect_configuration_in_use_is_kept_with_the_reason(run: RolledBack) -> None:
    # Given a migration that created a protect configuration the consumer has since put to use
    assert run.migration.status == "SUCCEEDED", run.migration.cause
    # When the migration is rolled back
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    # Then the protect configuration is kept, and the report says it is in use
    [item] = _protect_items(run)
    assert item["outcome"] == "KEPT"
    assert "associated with a configuration set" in item["detail"]
    assert "Kept (something else uses it)" in run.markdown
    assert f"{item['name']}: " in run.markdown


def test_the_team_set_still_has_its_protect_configuration(run: RolledBack) -> None:
    sms = run.after["aws"]["accounts"][run.scenario.consumers[0]]["us-east-1"]["sms"]
    [kept] = _protect_items(run)
    [team_set] = [s for s in sms["configuration_sets"] if s["ConfigurationSetName"] == TEAM_SET]
    assert team_set["ProtectConfigurationId"] == kept["name"]


def test_everything_else_the_migration_added_is_removed(run: RolledBack) -> None:
    first = run.report["configuration"][run.scenario.consumers[0]]
    others = {item["outcome"] for item in first if item["kind"] != "PROTECT_CONFIGURATION"}
    assert others == {"REMOVED"}
    sets = run.after["aws"]["accounts"][run.scenario.consumers[0]]["us-east-1"]["sms"]["configuration_sets"]
    assert [s["ConfigurationSetName"] for s in sets] == [TEAM_SET]
