"""What a fresh machine installs is exactly uv.lock, and what `sam build` deploys is exactly what the tests ran on."""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.environment.lock import PROJECT, ROOT, closure

REQUIREMENTS = ROOT / "functions" / "requirements.txt"


def _installed() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if canonicalize_name(dist.metadata["Name"]) != PROJECT
    }


def _deployed() -> dict[str, str]:
    lines = (line.split("#", 1)[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    pins = {}
    for line in filter(None, lines):
        requirement = Requirement(line)
        assert str(requirement.specifier).startswith("=="), f"functions/requirements.txt: {line} is not an exact pin"
        pins[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pins


def test_the_environment_holds_exactly_the_locked_distributions() -> None:
    # Given uv.lock, resolved for the project with all its extras
    locked = closure(extras=True)
    # When the distributions installed where the tests run are listed
    installed = _installed()
    # Then they are the same, name for name and version for version: nothing more, nothing less
    assert {name: installed.get(name) for name in locked if installed.get(name) != locked[name]} == {}
    assert sorted(set(installed) - set(locked)) == []


def test_the_deployed_requirements_are_the_locked_run_time_dependencies() -> None:
    # Given the project's run-time dependencies as uv.lock resolves them (no extras: nothing of the twin or the tests)
    locked = closure(extras=False)
    # When functions/requirements.txt, which `sam build` packages, is read
    deployed = _deployed()
    # Then it pins exactly those, boto3 and s3transfer included (not the Lambda runtime's own boto3)
    assert deployed == locked
    assert {"boto3", "botocore", "s3transfer"} <= set(deployed)
