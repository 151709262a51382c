"""One function's artifact for its Lambda runtime and architecture, on any machine, without Docker.

    python tools/lambda_build.py <artifacts dir> --runtime python3.13 --architecture arm64

`sam build` runs it through functions/Makefile (`BuildMethod: makefile`) for every function. It installs the wheels
functions/requirements.txt pins (exported from uv.lock), built for the target (`pip install --platform
manylinux2014_<machine> --python-version <X.Y> --implementation cp --only-binary=:all:`), then copies the code.
Nothing is compiled for, or loaded into, the building machine's Python: it may be another version and architecture.

The wheels are installed once per runtime, architecture and requirements file, into .aws-sam/wheels/, and copied into
each artifact from there: 22 functions share one download.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
REQUIREMENTS = FUNCTIONS / "requirements.txt"
PACKAGE = FUNCTIONS / "eum_share"
DEPENDENCIES = ROOT / ".aws-sam" / "wheels"
# Lambda's architecture names, and the machine names of the wheel platform tags.
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
RUNTIMES = ("python3.12", "python3.13")
# The build copies what runs, never what this machine made while reading it.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def pip_command(runtime: str, architecture: str, target: Path) -> list[str]:
    """pip, installing exactly the pinned wheels for the runtime's CPython on the architecture's manylinux."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",  # requirements.txt is the whole locked set already
        "--no-compile",  # bytecode would be this machine's Python's, not the runtime's
        "--only-binary=:all:",
        "--platform",
        f"manylinux2014_{MACHINES[architecture]}",
        "--python-version",
        runtime.removeprefix("python"),
        "--implementation",
        "cp",
        "--target",
        str(target),
        "--requirement",
        str(REQUIREMENTS),
    ]


def dependencies(runtime: str, architecture: str) -> Path:
    """The pinned wheels installed for the target, once: parallel builds wait for the first and reuse its folder."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    folder = DEPENDENCIES / f"{runtime}-{architecture}-{digest}"
    DEPENDENCIES.mkdir(parents=True, exist_ok=True)
    with (DEPENDENCIES / f".{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.is_dir():
            staging = folder.with_name(folder.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            completed = subprocess.run(pip_command(runtime, architecture, staging), check=False)
            if completed.returncode != 0:
                raise SystemExit(f"could not install {REQUIREMENTS.name} for {runtime} on {architecture}")
            staging.rename(folder)
    return folder


def build(artifacts: Path, runtime: str, architecture: str) -> None:
    shutil.copytree(dependencies(runtime, architecture), artifacts, dirs_exist_ok=True)
    shutil.rmtree(artifacts / PACKAGE.name, ignore_errors=True)
    shutil.copytree(PACKAGE, artifacts / PACKAGE.name, ignore=IGNORED)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", type=Path, help="the function's folder (sam build's ARTIFACTS_DIR)")
    parser.add_argument("--runtime", choices=RUNTIMES, required=True)
    parser.add_argument("--architecture", choices=sorted(MACHINES), required=True)
    args = parser.parse_args(argv)
    build(args.artifacts, args.runtime, args.architecture)


if __name__ == "__main__":
    main(sys.argv[1:])
