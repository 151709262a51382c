"""The handoff for people (Markdown) and for spreadsheets (CSV, one row per identity)."""

from __future__ import annotations

import csv
import io
import json

from eum_share.logic.probe import SIMULATOR_DESTINATIONS
from eum_share.models.configuration import ConfigItemKind
from eum_share.models.handoff import Handoff, HandoffIdentity

CSV_COLUMNS = (
    "account",
    "name",
    "type",
    "isoCountry",
    "messageTypes",
    "capabilities",
    "twoWay",
    "internationalSending",
    "pools",
    "originationIdentityArn",
    "state",
    "problem",
    "action",
)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _cells(handoff: Handoff, row: HandoffIdentity) -> list[str]:
    return [
        handoff.account,
        row.name,
        row.type,
        row.iso_country or "",
        " ".join(row.message_types),
        " ".join(row.capabilities),
        _yes_no(row.two_way),
        _yes_no(row.international_sending),
        " ".join(row.pools),
        row.arn,
        row.state.value,
        row.problem or "",
        row.action or "",
    ]


def render_csv(handoff: Handoff, *, header: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for row in [*handoff.identities, *handoff.not_usable]:
        writer.writerow(_cells(handoff, row))
    return out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def render_markdown(handoff: Handoff) -> str:
    title = "Handoff preview (dry run: nothing is shared yet)" if handoff.preview else "Handoff"
    lines = [
        f"# {title}: account {handoff.account}",
        "",
        f"Migration {handoff.migration_id}: identities of account {handoff.owner} "
        f"{'the migration would share' if handoff.preview else 'shared'} with this account in "
        f"{handoff.region}. Name a shared identity by its full ARN (`OriginationIdentity`): its ID alone names "
        "nothing in this account.",
        "",
        *(
            [
                f"This account could not be read from inside ({handoff.unreadable}): the states below are those "
                "the migration's own checks found.",
                "",
            ]
            if handoff.unreadable
            else []
        ),
        *_identities(handoff),
        *_not_usable(handoff),
        *_configuration(handoff),
        *_how_to_send(handoff),
        *_tasks(handoff),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _identities(handoff: Handoff) -> list[str]:
    heading = "## What you will send with" if handoff.preview else "## What you can send with"
    state = (
        "Preview: the migration has not shared these yet; the handoff written at its end says which are usable."
        if handoff.preview
        else "Each is visible here under Owner=SHARED and a DryRun send from this account went through "
        "(an opt-out list is not sent with: visible is enough)."
    )
    lines = [heading, "", f"{len(handoff.identities)} identities. {state}", ""]
    if not handoff.identities:
        return lines
    lines += [
        "| name | type | country | message type | capabilities | two-way | international | pool | "
        "OriginationIdentity (full ARN) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in handoff.identities:
        lines.append(
            f"| {row.name} | {row.type} | {row.iso_country or ''} | {', '.join(row.message_types)} | "
            f"{', '.join(row.capabilities)} | {_yes_no(row.two_way)} | {_yes_no(row.international_sending)} | "
            f"{', '.join(row.pools)} | `{row.arn}` |"
        )
    return [*lines, ""]


def _not_usable(handoff: Handoff) -> list[str]:
    if not handoff.not_usable:
        return []
    lines = [
        "## Shared, but not usable from this account yet",
        "",
        "| name | type | OriginationIdentity (full ARN) | problem | what to do |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {row.name} | {row.type} | `{row.arn}` | {_cell(row.problem or '')} | {_cell(row.action or '')} |"
        for row in handoff.not_usable
    ]
    return [*lines, ""]


def _configuration(handoff: Handoff) -> list[str]:
    lines = ["## What replaces the owner's configuration here", ""]
    if not handoff.configuration:
        return [*lines, "Nothing: the migration recreated no configuration in this account.", ""]
    lines += ["| what | the owner's | here | status | detail |", "|---|---|---|---|---|"]
    lines += [
        f"| {_KINDS[line.kind]} | {_cell(line.owner_name)} | {_cell(line.name or '')} | {line.status.value} | "
        f"{_cell(line.detail)} |"
        for line in handoff.configuration
    ]
    return [*lines, ""]


_KINDS = {
    ConfigItemKind.CONFIGURATION_SET: "configuration set",
    ConfigItemKind.EVENT_DESTINATION: "event destination",
    ConfigItemKind.PROTECT_CONFIGURATION: "protect configuration",
    ConfigItemKind.ACCOUNT_DEFAULT_PROTECT: "account default protect configuration",
    ConfigItemKind.PROVISIONED_TARGET: "event destination target",
}


def _how_to_send(handoff: Handoff) -> list[str]:
    lines = ["## How to send", ""]
    if handoff.cli_example is None:
        return [*lines, "No identity that sends SMS is usable from this account yet.", ""]
    lines += [
        f"With `{handoff.example_identity}`"
        + (
            f" through this account's configuration set `{handoff.configuration_set}`"
            if handoff.configuration_set
            else ""
        )
        + f", to {_destination_note(handoff.example_destination or '')}.",
        "",
        "AWS CLI:",
        "",
        "```sh",
        handoff.cli_example,
        "```",
        "",
        "boto3:",
        "",
        "```python",
        handoff.boto3_example or "",
        "```",
        "",
        f"The application role in this account needs {_policy_count(handoff)}: each send action on exactly the "
        "identities above whose capabilities allow it, and on the configuration set.",
        "",
    ]
    for document in handoff.iam_policies:
        lines += ["```json", json.dumps(document, indent=2), "```", ""]
    return lines


def _policy_count(handoff: Handoff) -> str:
    count = len(handoff.iam_policies)
    return (
        "this policy" if count == 1 else f"these {count} policies (each fits an IAM managed policy's 6,144 characters)"
    )


def _destination_note(destination: str) -> str:
    if destination in SIMULATOR_DESTINATIONS.values():
        return f"`{destination}`, an End User Messaging simulator number: the message never reaches a carrier"
    return f"`{destination}`: put a real recipient there"


def _tasks(handoff: Handoff) -> list[str]:
    lines = ["## What only this account can do", ""]
    tier = handoff.account_tier or "not read"
    lines.append(f"- Account tier: {tier} (owner: {handoff.owner_account_tier or 'unknown'})")
    if handoff.spend_limits:
        lines.append(
            "- Monthly spend limits (USD), this account / owner: "
            + "; ".join(
                f"{limit.name} {_usd(limit.account_usd)} / {_usd(limit.owner_usd)}" for limit in handoff.spend_limits
            )
        )
    lines.append("")
    if handoff.tasks:
        lines += ["| what | subject | detail | lead time |", "|---|---|---|---|"]
        lines += [
            f"| {task.kind} | {_cell(task.subject)} | {_cell(task.detail)} | {task.lead_time or ''} |"
            for task in handoff.tasks
        ]
        lines.append("")
    return lines


def _usd(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"
