"""template.yaml as CloudFormation deploys it: the SAM transform applied, offline.

    python tools/sam_expand.py template.yaml out/template.expanded.json

What `sam deploy` uploads is transformed by CloudFormation into plain resources (the functions' roles, the
EventBridge rules and their dead-letter queues, the HTTP API's stage...). The checks of `make validate` and
tests/stack/ read that expansion: a property SAM ignores shows there as what it really creates. Local code and
definition paths become placeholder S3 locations, as `sam package` (and `sam validate`) would make them.
Metadata passes through SAM only to the resource of the same logical ID; the expansion also gives each generated
resource the checkov suppressions of the resource it came from, so that their reasons stay in template.yaml.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# Where `sam package` would have uploaded a local path; the expansion only needs it to be an S3 location.
PLACEHOLDER_S3 = "s3://bucket/value"
LOCAL_PATHS = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::StateMachine": "DefinitionUri"}


class NoManagedPolicies:
    """The template names no AWS managed policy by name; SAM would look one up in IAM here."""

    def load(self) -> dict[str, str]:
        raise ValueError("template.yaml names an AWS managed policy: give its ARN instead")


def _packaged(template: dict[str, Any]) -> dict[str, Any]:
    template.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for resource in template["Resources"].values():
        prop = LOCAL_PATHS.get(resource.get("Type", ""))
        if prop is not None:
            resource.setdefault("Properties", {})[prop] = PLACEHOLDER_S3
    return template


def _carry_suppressions(source: dict[str, Any], expanded: dict[str, Any]) -> None:
    """Each resource SAM generated (`<Id>Role`, `<Id>ApiGatewayDefaultStage`...) carries the checkov suppressions,
    with their reasons, of the template resource it came from: the longest logical ID its own begins with."""
    suppressions = {
        logical: resource["Metadata"]["checkov"]
        for logical, resource in source["Resources"].items()
        if "checkov" in resource.get("Metadata", {})
    }
    for logical, resource in expanded["Resources"].items():
        if logical in source["Resources"]:
            continue
        origins = [origin for origin in suppressions if logical.startswith(origin)]
        if origins:
            resource.setdefault("Metadata", {})["checkov"] = suppressions[max(origins, key=len)]


def expand(path: Path) -> dict[str, Any]:
    """The template after the SAM transform, with its parameters' defaults."""
    source = yaml_parse(path.read_text())
    expanded: dict[str, Any] = transform(_packaged(copy.deepcopy(source)), {}, NoManagedPolicies())
    _carry_suppressions(source, expanded)
    return expanded


def main(argv: list[str]) -> None:
    source, target = map(Path, argv)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expand(source), indent=1, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
