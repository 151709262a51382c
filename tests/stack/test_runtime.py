"""The functions' runtime and architecture: a runtime Lambda keeps supporting, arm64 by default, and a build that
makes artifacts for them on any machine (functions/Makefile, tools/lambda_build.py)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tests.stack.artifacts import ROOT, TEMPLATE, template_functions
from tools.lambda_build import pip_command
from twin.cfn import load_template, resources_of_type

# Lambda's runtimes page, "Supported runtimes": Python 3.11 `python3.11` Amazon Linux 2; Python 3.12 `python3.12`
# Amazon Linux 2023; Python 3.13 `python3.13` Amazon Linux 2023. Amazon Linux 2's support ended on 2026-06-30, and
# Lambda deprecates a runtime whose operating system has ended, then blocks creating and updating its functions.
OPERATING_SYSTEMS = {
    "python3.11": "Amazon Linux 2",
    "python3.12": "Amazon Linux 2023",
    "python3.13": "Amazon Linux 2023",
}
SUPPORTED_OS = "Amazon Linux 2023"


def _parameter(name: str) -> dict[str, object]:
    parameter: dict[str, object] = load_template(TEMPLATE)["Parameters"][name]
    return parameter


def _make_default(makefile: Path, variable: str) -> str:
    found = re.search(rf"^{variable} \?= (\S+)$", makefile.read_text(), re.MULTILINE)
    assert found, f"{makefile} sets no default {variable}"
    return found.group(1)


def test_every_runtime_the_stack_offers_runs_on_an_operating_system_lambda_supports() -> None:
    # Given the runtimes template.yaml's PythonRuntime allows, and its default
    parameter = _parameter("PythonRuntime")
    offered = [*parameter["AllowedValues"], parameter["Default"]]  # type: ignore[misc]
    # When each is looked up in Lambda's table of runtimes
    systems = {runtime: OPERATING_SYSTEMS.get(runtime, "unknown") for runtime in offered}
    # Then each runs on Amazon Linux 2023, and the default is the newest of them
    assert systems == dict.fromkeys(systems, SUPPORTED_OS)
    assert parameter["Default"] == "python3.13"


def test_the_functions_architecture_is_a_parameter_arm64_by_default() -> None:
    # Given template.yaml's Architecture parameter
    parameter = _parameter("Architecture")
    # When every function's architecture is resolved with the parameters' defaults
    architectures = {function.architecture for function in template_functions().values()}
    # Then it offers both of Lambda's, every function follows it, and it is arm64 unless told otherwise
    assert sorted(parameter["AllowedValues"]) == ["arm64", "x86_64"]  # type: ignore[call-overload]
    assert architectures == {"arm64"}


def test_every_function_is_built_by_the_makefile_not_by_a_python_of_its_runtime() -> None:
    # Given template.yaml's functions
    functions = resources_of_type(load_template(TEMPLATE), "AWS::Serverless::Function")
    # When the way `sam build` builds each is read
    methods = {name: resource.get("Metadata", {}).get("BuildMethod") for name, resource in functions.items()}
    # Then each goes through functions/Makefile, which needs no Python of the runtime's version and no Docker
    assert methods == dict.fromkeys(functions, "makefile")


@pytest.mark.parametrize("makefile", ["Makefile", "functions/Makefile"])
def test_the_build_targets_what_the_template_deploys_by_default(makefile: str) -> None:
    # Given a Makefile that builds the functions: `make build` at the root, or `sam build` alone
    path = ROOT / makefile
    # When its default runtime and architecture are read
    built = (_make_default(path, "PYTHON_RUNTIME"), _make_default(path, "ARCHITECTURE"))
    # Then they are the template's defaults: a build and a deploy without overrides agree
    assert built == (_parameter("PythonRuntime")["Default"], _parameter("Architecture")["Default"])


@pytest.mark.parametrize(
    ("architecture", "platform"), [("arm64", "manylinux2014_aarch64"), ("x86_64", "manylinux2014_x86_64")]
)
def test_the_build_installs_wheels_for_the_target_not_for_the_building_machine(
    architecture: str, platform: str, tmp_path: Path
) -> None:
    # Given a function built for python3.13 on an architecture
    # When the pip command that installs its requirements is made
    command = pip_command("python3.13", architecture, tmp_path)
    # Then it takes only binary wheels of CPython 3.13 for that platform, exactly the pinned set, without bytecode
    options = dict(itertools.pairwise(command))
    assert (options["--platform"], options["--python-version"], options["--implementation"]) == (platform, "3.13", "cp")
    assert {"--only-binary=:all:", "--no-deps", "--no-compile"} <= set(command)
    assert options["--requirement"] == str(ROOT / "functions" / "requirements.txt")
