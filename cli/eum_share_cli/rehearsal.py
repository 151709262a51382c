"""`eum-share --offline rollback|restore --input FILE`: a rehearsal on a fresh offline AWS that lives for one
command. The request is migrated first (as `eum-share --offline start` would), then rolled back, or (restore) some
of its identities' policies are emptied as RAM's throttled writes can and then restored. A rollback rehearsal ends
by comparing the offline accounts with what they were before the migration."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from typing import TYPE_CHECKING

from eum_share_cli.failures import CommandFailed
from eum_share_cli.follow import follow_execution
from eum_share_cli.launch import execution_name, launch, new_migration_id, read_raw, utc_now, validated
from eum_share_cli.offline import DEFAULT_IDENTITIES, POLL_SECONDS, deploy_seeded
from eum_share_cli.offline_runtime import quiet_functions, require_twin
from eum_share_cli.progress import ProgressPrinter
from eum_share_cli.report import print_outcome
from eum_share_cli.rollback import execution_name as rollback_name
from eum_share_cli.rollback import follow, rollback_request, start

if TYPE_CHECKING:
    from twin.offline import OfflineAWS

DEFAULT_DAMAGE = 3


def rehearse(args: argparse.Namespace) -> int:
    require_twin()
    import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session

    if args.input is None:
        raise CommandFailed(f"--offline {args.command}: give the request to rehearse with --input FILE", 2)
    if args.mode != "RESTORE" and args.damage is not None:
        raise CommandFailed("--damage applies only to restore", 2)
    identities = DEFAULT_IDENTITIES if args.identities is None else args.identities
    if not 1 <= identities <= 5000:
        raise CommandFailed("--identities: between 1 and 5000", 2)
    damage = DEFAULT_DAMAGE if args.damage is None else args.damage
    if damage < 0:
        raise CommandFailed("--damage: 0 or more", 2)
    raw = read_raw(args.input)
    if isinstance(raw, dict) and args.migration_id is not None:
        raw = raw | {"migrationId": args.migration_id}
    now = utc_now()
    request = validated(
        raw,
        source=args.input,
        default_migration_id=new_migration_id(now),
        role_names=frozenset({"EumShareOwnerRole", "EumShareConsumerRole"}),
        callback_origins=frozenset(),
    )
    assert request.migration_id is not None
    if request.options.dry_run:
        raise CommandFailed("the request is a dry run: it changes nothing, so there is nothing to roll back", 2)
    with ExitStack() as stack:
        stack.enter_context(quiet_functions())
        offline, deployment, seeded = deploy_seeded(stack, request, identities)
        from twin.inspect import event_targets, in_use, state_dump

        owner = seeded["owner"]["accountId"]
        accounts = [owner, *(c["accountId"] for c in seeded["consumers"])]
        damaged = _own_statements(offline, owner, damage) if args.mode == "RESTORE" else []
        before = (in_use(state_dump(offline)), event_targets(offline, accounts))
        final = validated(
            seeded,
            source=args.input,
            default_migration_id=request.migration_id,
            role_names=deployment.role_names,
            callback_origins=deployment.callback_origins,
        )
        launched = launch(deployment, final, execution_name(request.migration_id, now))
        print(f"migration {request.migration_id}: execution {launched.execution_name}")
        printer = ProgressPrinter(prefix=lambda: f"[{offline.clock.now():8.1f} s] ")
        end = follow_execution(deployment, request.migration_id, launched.execution_arn, printer, POLL_SECONDS)
        print_outcome(deployment, end)
        if damaged:
            _damage(offline, damaged)
        rollback = rollback_request(request.migration_id, args.mode, args.identity)
        arn = start(deployment, rollback, rollback_name(rollback))
        print()
        print(f"{args.command} of migration {request.migration_id}: execution {arn.rsplit(':', 1)[-1]}")
        code = follow(deployment, rollback, arn, POLL_SECONDS, print, "the rehearsal's offline AWS ends with it")
        if code == 0 and args.mode == "ROLLBACK":
            after = (in_use(state_dump(offline)), event_targets(offline, accounts))
            if after == before:
                print("the offline accounts are as they were before the migration")
            else:
                print("the offline accounts differ from before the migration")
                code = 1
    return code


def _own_statements(offline: OfflineAWS, owner: str, count: int) -> list[str]:
    """`count` phone numbers of the owner given a statement of its own before the migration (letting Amazon
    Pinpoint send with them): what a restore puts back when the policy loses it."""
    import json

    from twin.inspect import state_dump

    sms = state_dump(offline)["accounts"][owner][offline.region]["sms"]
    numbers = [item["PhoneNumberArn"] for item in sms["phone_numbers"]][:count]
    client = offline.client("pinpoint-sms-voice-v2", account=owner)
    for arn in numbers:
        statement = {
            "Sid": "LetPinpointSend",
            "Effect": "Allow",
            "Principal": {"Service": "pinpoint.amazonaws.com"},
            "Action": ["sms-voice:SendTextMessage"],
            "Resource": arn,
        }
        client.put_resource_policy(
            ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
    print(f"{len(numbers)} phone numbers carry a statement of the owner's own before the migration (LetPinpointSend)")
    return numbers


def _damage(offline: OfflineAWS, arns: list[str]) -> None:
    """Their policies emptied after the migration, as RAM's throttled policy writes can."""
    for arn in arns:
        offline.sms.empty_policy(arn)
    print()
    print(f"emptied the resource policies of {len(arns)} phone numbers, as RAM's throttled policy writes can:")
    for arn in arns:
        print(f"  {arn}")
