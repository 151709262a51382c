"""What a consumer of a finished migration finds in its handoff, and what it can really do in the offline AWS."""

from __future__ import annotations

import json
from typing import Any

from tests.support.migration import MigrationRun
from twin.offline import OfflineAWS

SMS = "pinpoint-sms-voice-v2"
# Where a DryRun is sent from the consumer for an identity of that country: End User Messaging's destination
# simulator numbers ("Simulator phone numbers in AWS End User Messaging SMS"), a plain mobile number elsewhere.
DESTINATIONS = {
    "US": "+14254147755",
    "GB": "+447860019066",
    "FR": "+33755512501",
    "AU": "+61455944038",
    "DE": "+4915510000000",
    "IN": "+919000000000",
    "JP": "+819000000000",
    "BR": "+5511900000000",
    "SG": "+6580000000",
    "CN": "+8613000000000",
}


def handoff_of(run: MigrationRun, account: str) -> dict[str, Any]:
    key = f"migrations/{run.execution.output['migrationId']}/handoff/{account}.json"
    found: dict[str, Any] = json.loads(run.workflow.read_artifact(key))
    return found


def _listed(aws: OfflineAWS, account: str, operation: str, result: str) -> list[dict[str, Any]]:
    pages = aws.client(SMS, account=account).get_paginator(operation).paginate(Owner="SHARED")
    return [item for page in pages for item in page[result]]


def _sends(aws: OfflineAWS, account: str, arn: str, country: str | None, configuration_set: str) -> bool:
    try:
        aws.client(SMS, account=account).send_text_message(
            OriginationIdentity=arn,
            DestinationPhoneNumber=DESTINATIONS.get(country or "US", DESTINATIONS["US"]),
            MessageBody="can this account send?",
            ConfigurationSetName=configuration_set,
            DryRun=True,
        )
    except aws.client(SMS, account=account).exceptions.ClientError:
        return False
    return True


def usable_in_the_twin(run: MigrationRun, account: str) -> dict[str, str]:
    """ARN -> human name of every identity the account sees shared with it and can send with (DryRun, through
    its own copy of the owner's first configuration set); opt-out lists need only be seen."""
    aws, scenario = run.aws, run.scenario
    configuration_set = scenario.configuration_sets[0]
    owner = aws.client(SMS, account=scenario.owner)
    usable: dict[str, str] = {}
    with aws.world.faults.paused():
        for number in _listed(aws, account, "describe_phone_numbers", "PhoneNumbers"):
            if _sends(aws, account, number["PhoneNumberArn"], number["IsoCountryCode"], configuration_set):
                usable[number["PhoneNumberArn"]] = number["PhoneNumber"]
        for sender in _listed(aws, account, "describe_sender_ids", "SenderIds"):
            if _sends(aws, account, sender["SenderIdArn"], sender["IsoCountryCode"], configuration_set):
                usable[sender["SenderIdArn"]] = f"{sender['SenderId']} ({sender['IsoCountryCode']})"
        for pool in _listed(aws, account, "describe_pools", "Pools"):
            members = owner.list_pool_origination_identities(PoolId=pool["PoolId"])["OriginationIdentities"]
            country = members[0]["IsoCountryCode"] if members else None
            if _sends(aws, account, pool["PoolArn"], country, configuration_set):
                usable[pool["PoolArn"]] = f"pool {pool['PoolId']}"
        for optouts in _listed(aws, account, "describe_opt_out_lists", "OptOutLists"):
            usable[optouts["OptOutListArn"]] = optouts["OptOutListName"]
    return usable
