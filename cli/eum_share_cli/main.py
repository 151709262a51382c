"""eum-share: start, plan, follow, decide, roll back and restore migrations of a deployed stack; run one offline;
the demo."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from eum_share_cli import (
    decide,
    demo,
    doctor,
    handoff,
    plan,
    report,
    resume,
    rollback,
    schema,
    start,
    status,
    watch,
)
from eum_share_cli.failures import CommandFailed, explain_aws_error
from eum_share_cli.invocation import add_global_options, default_stack
from eum_share_cli.offline import ONLINE_ONLY

PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
# How long a command tries a call AWS throttles before it says so and stops: AWS busy is a wait, and a person can
# stop it sooner (Ctrl-C); a quarter hour outlasts the storms the workflow itself is built to wait through.
CLI_PATIENCE_SECONDS = 900.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eum-share",
        description=__doc__,
        epilog="The stack is found by name (CloudFormation outputs) in the Region of your AWS credentials.",
    )
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (start, resume, plan, status, watch, report, handoff, decide, rollback, doctor, demo, schema):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from eum_share.dal.throttling import patience

    args = build_parser().parse_args(argv)
    args.stack_name = args.stack_name or default_stack()
    if args.offline and getattr(args, "online_only", False):
        print(ONLINE_ONLY.format(command=f"`eum-share {args.command}`"), file=sys.stderr)
        return 2
    try:
        with aws_environment(args.region, args.profile, offline=args.offline), patience(CLI_PATIENCE_SECONDS, _busy):
            code: int = args.run(args)
            return code
    except CommandFailed as failure:
        print(failure.message, file=sys.stderr)
        return failure.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        explained = explain_aws_error(error) or _domain_error(error)
        if explained is None:
            raise
        print(explained, file=sys.stderr)
        return 1


@contextmanager
def aws_environment(region: str | None, profile: str | None, *, offline: bool) -> Iterator[None]:
    """--region and --profile as the SDK's own variables, set before any client exists: the functions' client
    cache (eum_share.dal.clients) makes each client once per process. Offline, no profile applies."""
    names = ("AWS_DEFAULT_REGION", *PROFILE_VARIABLES)
    saved = {name: os.environ.get(name) for name in names}
    if offline:
        for name in PROFILE_VARIABLES:
            os.environ.pop(name, None)
    else:
        if region:
            os.environ["AWS_DEFAULT_REGION"] = region
        if profile:
            os.environ["AWS_PROFILE"] = profile
            os.environ.pop("AWS_DEFAULT_PROFILE", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _busy(operation: str) -> None:
    print(
        f"AWS is busy: {operation} was throttled; trying again for up to {CLI_PATIENCE_SECONDS / 60:.0f} minutes "
        "(Ctrl-C stops)",
        file=sys.stderr,
    )


def _domain_error(error: Exception) -> str | None:
    """An error of the workflow's own code (eum_share.errors) that a command did not expect: its name and why."""
    if type(error).__module__ == "eum_share.errors":
        return f"{type(error).__name__}: {error}"
    return None


if __name__ == "__main__":
    sys.exit(main())
