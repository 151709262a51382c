"""report.html: the report as one self-contained page (no script, font, image or stylesheet from elsewhere), from
a Jinja2 template that escapes every value; the timeline an inline SVG (logic/timeline.py)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined

from eum_share.logic.timeline import chart
from eum_share.models.configuration import ConfigItemStatus

if TYPE_CHECKING:
    from eum_share.logic.report import Report

HANDOFF_FORMATS = ("md", "csv", "json")

_templates = Environment(
    loader=PackageLoader("eum_share", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def handoff_names(account: str) -> list[str]:
    """Each consumer's handoff, as written beside the report (migrations/<id>/handoff/<account>.<format>): the
    page links them relatively, so they open wherever the migration's folder is, S3 or a copy."""
    return [f"handoff/{account}.{fmt}" for fmt in HANDOFF_FORMATS]


def render_html(report: Report) -> str:
    configuration = {
        account: Counter(item.status.value for item in items) for account, items in report.configuration.items()
    }
    present = {status for counts in configuration.values() for status in counts}
    return _templates.get_template("report.html").render(
        report=report,
        chart=chart(report),
        repairs=sum(len(line.repairs) for line in report.identities),
        configuration={c.account: configuration.get(c.account, Counter()) for c in report.consumers},
        configuration_statuses=[s.value for s in ConfigItemStatus if s.value in present],
        manual_by_account=Counter(action.account for action in report.manual_actions),
        handoffs={c.account: handoff_names(c.account) for c in report.consumers},
    )
