"""report.html as a browser would read it: the figures it shows (each marked with its path in report.json), the
drawing's parts, and anything it would fetch from elsewhere."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

FETCHING_TAGS = ("script", "link", "img", "iframe", "object", "embed", "audio", "video", "source")


class ReportPage(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.values: dict[str, str] = {}  # data-value: the exact figure behind a rounded one
        self.parts: Counter[str] = Counter()  # "tag.class" of every element with a class
        self.links: list[str] = []
        self.fetching: list[str] = []
        self._open: tuple[str, str] | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in FETCHING_TAGS or "src" in found:
            self.fetching.append(tag)
        if "href" in found:
            self.links.append(found["href"] or "")
        for name in (found.get("class") or "").split():
            self.parts[f"{tag}.{name}"] += 1
        if "data-figure" in found:
            path = found["data-figure"] or ""
            self._open, self._text = (tag, path), []
            if found.get("data-value") is not None:
                self.values[path] = found["data-value"] or ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and self._open[0] == tag:
            self.figures[self._open[1]] = "".join(self._text).strip()
            self._open = None


def at(document: Any, path: str) -> Any:
    """The value at a dotted path of report.json: list positions by number, `length` for a list's length."""
    for part in path.split("."):
        if part == "length":
            document = len(document)
        elif isinstance(document, list):
            document = document[int(part)]
        else:
            document = document[part]
    return document
