"""checkov runs in `make validate` on every template and on template.yaml as deployed; a check it reports that does
not apply is skipped in the resource's Metadata, and each skip says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack.artifacts import ROOT
from twin.cfn import load_template

TEMPLATES = sorted([ROOT / "template.yaml", *ROOT.glob("roles/*.yaml")])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_skipped_check_says_why(template: Path) -> None:
    # Given the checkov checks the template's resources skip
    skips = [
        (logical, skip)
        for logical, resource in load_template(template)["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    # When each skip is read
    unexplained = [f"{logical}: {skip}" for logical, skip in skips if len(str(skip.get("comment", "")).split()) < 5]
    # Then each names a check and gives its reason in a sentence
    assert all(str(skip.get("id", "")).startswith("CKV_") for _, skip in skips)
    assert not unexplained
