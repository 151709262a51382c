"""An owner role whose trust policy someone changed so that it no longer trusts the orchestrator: every state that
works in the owner account fails at AssumeRole (AccessDenied), a failure that makes going on unsafe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from twin.offline import OfflineAWS
from twin.seed import role_trust

STRANGER = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
    ],
}


@contextmanager
def owner_role_untrusting(aws: OfflineAWS, owner: str) -> Iterator[None]:
    """While inside, the owner role trusts only a stranger's account; its own trust is put back after. The sessions
    the functions hold last an hour, so the clock first moves past them: the next use of the role assumes it."""
    name, trust = role_trust(aws, "OwnerRole", owner)
    iam = aws.client("iam", account=owner)
    aws.clock.advance(3600.0)
    with aws.observing():
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(STRANGER))
    try:
        yield
    finally:
        with aws.observing():
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
