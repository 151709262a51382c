"""`sam build` made one artifact per function of template.yaml, with its handler and functions/requirements.txt."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.stack.artifacts import (
    BUILT_TEMPLATE,
    ELF_MACHINES,
    Function,
    compiled_modules,
    distributions,
    elf_machine,
    extension_suffixes,
    requirement_lines,
    supported_tags,
    template_functions,
    wheel_tags,
)
from twin.cfn import load_template

FUNCTIONS = sorted(template_functions())


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_every_function_has_an_artifact_with_its_handler_module(built: dict[str, Function], logical_id: str) -> None:
    # Given the function as template.yaml declares it
    function = built[logical_id]
    # When its artifact is looked at
    module = function.artifact.joinpath(*function.handler_module.split(".")).with_suffix(".py")
    # Then the module its Handler names is there, with the package it belongs to
    assert module.is_file(), f"{logical_id}: {module} was not built"
    assert (function.artifact / "eum_share" / "__init__.py").is_file()


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_the_built_template_deploys_each_function_from_its_artifact(
    built: dict[str, Function], logical_id: str
) -> None:
    # Given the template `sam build` wrote for `sam deploy`
    resources = load_template(BUILT_TEMPLATE)["Resources"]
    # When the function's code location is read
    code_uri = resources[logical_id]["Properties"]["CodeUri"]
    # Then it is the function's own artifact folder
    assert code_uri == logical_id


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_every_requirement_is_installed_in_the_artifact(built: dict[str, Function], logical_id: str) -> None:
    # Given functions/requirements.txt and the distributions installed in the function's artifact
    installed = distributions(built[logical_id].artifact)
    missing = []
    for line in requirement_lines():
        requirement = Requirement(line)
        # When each requirement (and each of its extras' dependencies) is looked up
        dist = installed.get(canonicalize_name(requirement.name))
        if dist is None or not requirement.specifier.contains(dist.version, prereleases=True):
            missing.append(f"{line} (found {dist.version if dist else 'nothing'})")
            continue
        artifact = built[logical_id].artifact
        absent = [str(path) for path in dist.files if _recorded(path) and not (artifact / path).exists()]
        if absent:
            missing.append(f"{line}: {len(absent)} of its files, e.g. {absent[0]}")
        for extra in requirement.extras:
            for dependency in map(Requirement, dist.requires):
                wanted = dependency.marker is not None and dependency.marker.evaluate({"extra": extra})
                if wanted and canonicalize_name(dependency.name) not in installed:
                    missing.append(f"{dependency.name} (for {requirement.name}[{extra}])")
    # Then every one of them is there, whole, at a version the requirement allows
    assert not missing, f"{logical_id}: not installed: {missing}"


def _recorded(path: Path) -> bool:
    """A file the installer put in the artifact (bytecode is left out of artifacts; `..` paths go elsewhere)."""
    return path.parts[0] != ".." and "__pycache__" not in path.parts and path.suffix != ".pyc"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_compiled_dependencies_are_built_for_the_functions_architecture(
    built: dict[str, Function], logical_id: str
) -> None:
    # Given the function's architecture in template.yaml
    function = built[logical_id]
    expected = ELF_MACHINES[function.architecture]
    # When every compiled module in its artifact is read
    modules = [
        module
        for dist in distributions(function.artifact).values()
        for module in compiled_modules(function.artifact, dist)
    ]
    # Then there are some (pydantic-core), and each is built for that architecture, not for the building machine
    assert modules, f"{logical_id}: no compiled modules; pydantic-core should have one"
    wrong = [str(module.relative_to(function.artifact)) for module in modules if elf_machine(module) != expected]
    assert not wrong, f"{logical_id}: not built for {function.architecture}: {wrong}"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_compiled_dependencies_are_built_for_the_functions_runtime(built: dict[str, Function], logical_id: str) -> None:
    # Given the function's runtime in template.yaml (python3.13), and the building machine's Python (3.11)
    function = built[logical_id]
    suffixes = extension_suffixes(function)
    # When the file name of every compiled module in its artifact is read
    modules = [
        module
        for dist in distributions(function.artifact).values()
        for module in compiled_modules(function.artifact, dist)
    ]
    # Then each is one the runtime imports (cpython-313-<machine>-linux-gnu or abi3), not the building Python's
    wrong = [str(module.relative_to(function.artifact)) for module in modules if not module.name.endswith(suffixes)]
    assert modules
    assert not wrong, f"{logical_id}: not built for {function.runtime}: {wrong}"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_every_wheel_in_the_artifact_was_built_for_the_functions_runtime_and_architecture(
    built: dict[str, Function], logical_id: str
) -> None:
    # Given the wheel tags Lambda's runtime and architecture install (CPython 3.13, manylinux up to glibc 2.34)
    function = built[logical_id]
    supported = supported_tags(function)
    # When every installed distribution's WHEEL tags are read
    tags = {info.name: wheel_tags(info) for info in sorted(function.artifact.glob("*.dist-info"))}
    # Then each wheel declares at least one of them: a pure-Python wheel, or one compiled for that target
    assert tags
    wrong = {name: sorted(map(str, found)) for name, found in tags.items() if not found & supported}
    assert not wrong, f"{logical_id}: wheels for another target than {function.runtime} on {function.architecture}"


def test_the_tests_run_on_the_versions_that_are_deployed() -> None:
    # Given functions/requirements.txt, which pins what `sam build` packages
    pinned = [Requirement(line) for line in requirement_lines()]
    # When the same distributions are looked up where the tests run
    differing = [
        f"{requirement} (tests run on {metadata.version(requirement.name)})"
        for requirement in pinned
        if not requirement.specifier.contains(metadata.version(requirement.name), prereleases=True)
    ]
    # Then every pin is exact and the tests ran on exactly that version
    assert all(str(r.specifier).startswith("==") for r in pinned), "functions/requirements.txt pins with =="
    assert not differing, f"the tests do not run on what is deployed: {differing}"
