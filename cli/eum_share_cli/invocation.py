"""The global options every command shares, and how to write a follow-up command an operator can paste."""

from __future__ import annotations

import argparse
import os
import shlex

STACK_ENV = "EUM_SHARE_STACK"
DEFAULT_STACK = "eum-share"


def default_stack() -> str:
    return os.environ.get(STACK_ENV) or DEFAULT_STACK


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack-name",
        default=None,
        help=f"the deployed eum-share stack (default: ${STACK_ENV}, else {DEFAULT_STACK})",
    )
    parser.add_argument("--region", help="AWS Region of the stack (default: the profile's or AWS_DEFAULT_REGION)")
    parser.add_argument("--profile", help="AWS named profile (default: AWS_PROFILE, else the default credentials)")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="start/plan: run the request on a fresh offline AWS in this process (no account needed); "
        "rollback/restore: rehearse them there after running the request",
    )


def command(args: argparse.Namespace, *words: str) -> str:
    """`eum-share <words>` with the global options this run was given, so the same stack is addressed."""
    parts = ["eum-share"]
    if args.stack_name and args.stack_name != default_stack():
        parts += ["--stack-name", args.stack_name]
    if args.region:
        parts += ["--region", args.region]
    if args.profile:
        parts += ["--profile", args.profile]
    return shlex.join([*parts, *words])
