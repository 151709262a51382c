"""What `sam build` made: the template's functions, their folders under .aws-sam/build/, what is installed there."""

from __future__ import annotations

import fcntl
import importlib.machinery
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import Any

from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag
from packaging.utils import canonicalize_name

from twin.cfn import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
BUILD_DIR = ROOT / ".aws-sam" / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
REQUIREMENTS = ROOT / "functions" / "requirements.txt"
# Where packages with compiled code are installed again for this machine (see host_builds).
HOST_BUILDS = ROOT / ".aws-sam" / "host-builds"
# What `sam build` reads (the Makefile's BUILD_SOURCES): a build older than any of them is stale.
BUILD_INPUTS = ("template.yaml", "samconfig.toml", "tools/lambda_build.py", "functions", "statemachine")

# ELF e_machine values of the architectures Lambda runs.
ELF_MACHINES = {"arm64": 0xB7, "aarch64": 0xB7, "x86_64": 0x3E, "amd64": 0x3E}
# The machine names of wheel platform tags and of CPython's extension suffixes.
WHEEL_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# The glibc of Amazon Linux 2023, which runs python3.12 and python3.13 on Lambda: a manylinux wheel for an older
# glibc runs there, one for a newer does not.
LAMBDA_GLIBC = (2, 34)


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    architecture: str
    runtime: str

    @property
    def handler_module(self) -> str:
        """`eum_share.handlers.preflight` for `eum_share.handlers.preflight.lambda_handler`."""
        return self.handler.rpartition(".")[0]

    @property
    def event_name(self) -> str:
        """The sample payload in events/ (as `sam local invoke -e events/<name>.json` takes it)."""
        return self.handler_module.rpartition(".")[2]

    @property
    def artifact(self) -> Path:
        return BUILD_DIR / self.logical_id


def template_functions() -> dict[str, Function]:
    """The functions as `sam deploy` creates them with the parameters' defaults (what `make build` builds)."""
    template = load_template(TEMPLATE)
    globals_ = template.get("Globals", {}).get("Function", {})
    functions = {}
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        props = globals_ | resource.get("Properties", {})
        architecture = _by_default(template, props["Architectures"][0])
        functions[logical_id] = Function(
            logical_id, str(props["Handler"]), architecture, _by_default(template, props["Runtime"])
        )
    return functions


def _by_default(template: dict[str, Any], value: Any) -> str:
    """A value, or the default of the parameter it refers to."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return str(template["Parameters"][value["Ref"]]["Default"])
    return str(value)


def template_default(parameter: str) -> str:
    return str(load_template(TEMPLATE)["Parameters"][parameter]["Default"])


@dataclass(frozen=True)
class Distribution:
    """An installed distribution, from its .dist-info folder."""

    name: str
    version: str
    requires: tuple[str, ...]
    files: tuple[Path, ...]


def distributions(folder: Path) -> dict[str, Distribution]:
    """Every distribution installed in a folder, by canonical name."""
    found = {}
    for info in sorted(folder.glob("*.dist-info")):
        metadata = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        record = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        files = tuple(Path(line.rsplit(",", 2)[0]) for line in record if line)
        dist = Distribution(
            metadata["Name"], metadata["Version"], tuple(metadata.get_all("Requires-Dist") or []), files
        )
        found[canonicalize_name(dist.name)] = dist
    return found


def elf_machine(path: Path) -> int:
    """The architecture a compiled module was built for (the ELF header's e_machine)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[:4] != b"\x7fELF":
        raise ValueError(f"{path} is not an ELF file")
    return int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")


def compiled_modules(folder: Path, dist: Distribution) -> list[Path]:
    return [folder / path for path in dist.files if path.suffix == ".so"]


def host_machine() -> int:
    return ELF_MACHINES[platform.machine().lower()]


def loads_here(module: Path) -> bool:
    """Whether this interpreter can import a compiled module: its architecture, and its name's CPython ABI."""
    return elf_machine(module) == host_machine() and module.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def extension_suffixes(function: Function) -> tuple[str, ...]:
    """The file name endings the function's runtime imports compiled modules from (`python3 -c 'import
    importlib.machinery; print(importlib.machinery.EXTENSION_SUFFIXES)'` on Lambda)."""
    version = function.runtime.removeprefix("python").replace(".", "")
    return (f".cpython-{version}-{WHEEL_MACHINES[function.architecture]}-linux-gnu.so", ".abi3.so", ".so")


def wheel_tags(info: Path) -> set[Tag]:
    """The tags a .dist-info's WHEEL file declares: what the wheel was built for."""
    wheel = Parser().parsestr((info / "WHEEL").read_text(encoding="utf-8"))
    return {tag for line in wheel.get_all("Tag") or [] for tag in parse_tag(line)}


def supported_tags(function: Function) -> set[Tag]:
    """Every wheel tag the function's runtime and architecture install: CPython X.Y on manylinux up to Lambda's
    glibc, and pure-Python wheels."""
    major, minor = (int(part) for part in function.runtime.removeprefix("python").split("."))
    machine = WHEEL_MACHINES[function.architecture]
    platforms = [f"manylinux_{LAMBDA_GLIBC[0]}_{glibc}_{machine}" for glibc in range(LAMBDA_GLIBC[1], -1, -1)]
    platforms += [f"manylinux2014_{machine}"] + (
        [f"manylinux2010_{machine}", f"manylinux1_{machine}"] if machine == "x86_64" else []
    )
    tags = set(cpython_tags((major, minor), abis=[f"cp{major}{minor}"], platforms=platforms))
    return tags | set(compatible_tags((major, minor), f"cp{major}{minor}", platforms))


@contextmanager
def one_process_at_a_time(name: str) -> Iterator[None]:
    """Parallel test processes build under .aws-sam/ one at a time: the next finds the work done."""
    HOST_BUILDS.parent.mkdir(parents=True, exist_ok=True)
    with (HOST_BUILDS.parent / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_is_stale() -> bool:
    if not BUILT_TEMPLATE.exists():
        return True
    built = BUILT_TEMPLATE.stat().st_mtime
    for name in BUILD_INPUTS:
        source = ROOT / name
        paths = [source] if source.is_file() else [p for p in source.rglob("*") if "__pycache__" not in p.parts]
        if any(path.is_file() and path.stat().st_mtime > built for path in paths):
            return True
    return False


def sam_build() -> None:
    """`sam build` as `make build` runs it: every function, cached, in parallel, no Docker, no AWS, for the
    template's default runtime and architecture."""
    sam = Path(sys.executable).parent / "sam"
    runtime, architecture = template_default("PythonRuntime"), template_default("Architecture")
    env = os.environ | {
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        # What functions/Makefile builds for, and the Python whose pip installs the wheels.
        "PYTHON_RUNTIME": runtime,
        "ARCHITECTURE": architecture,
        "BUILD_PYTHON": sys.executable,
    }
    command = [str(sam), "build", "--cached", "--parallel", "--parameter-overrides"]
    command += [f"PythonRuntime={runtime}", f"Architecture={architecture}"]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"sam build failed:\n{completed.stdout}\n{completed.stderr}")
    BUILT_TEMPLATE.touch()


def host_builds(functions: dict[str, Function]) -> list[Path]:
    """The artifacts' distributions whose compiled code this machine cannot load, installed again for it.

    The artifacts are built for the functions' runtime (python3.13) and architecture (arm64), and this machine's
    Python may be another version on another architecture. Each such distribution (pydantic-core, wrapt) is installed
    at the artifact's exact version, the one functions/requirements.txt pins, for this interpreter, into its own
    folder; a process that puts those folders before an artifact runs the artifact's code with them. Only compiled
    code is replaced; the artifact's Python code runs as built (it stays compatible with this machine's 3.11).
    """
    wanted: dict[tuple[str, str], Distribution] = {}
    for function in functions.values():
        for dist in distributions(function.artifact).values():
            modules = compiled_modules(function.artifact, dist)
            if not all(loads_here(module) for module in modules):
                wanted[dist.name, dist.version] = dist
    folders = []
    for (name, version), _dist in sorted(wanted.items()):
        folder = HOST_BUILDS / platform.machine().lower() / f"{canonicalize_name(name)}-{version}"
        if not (folder / ".complete").exists():
            _pip_install_for_host(f"{name}=={version}", folder)
        folders.append(folder)
    return folders


def _pip_install_for_host(requirement: str, folder: Path) -> None:
    staging = folder.with_name(folder.name + ".partial")
    for stale in (staging, folder):
        shutil.rmtree(stale, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    command += ["--only-binary=:all:", "--target", str(staging), requirement]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"could not install {requirement} for this machine:\n{completed.stderr}")
    (staging / ".complete").touch()
    staging.rename(folder)


def requirement_lines() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]
