"""Reaching the owner and consuming accounts: assumed-role sessions, cached until shortly before expiry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import boto3

from eum_share.clock import utcnow
from eum_share.dal.clients import SDK_CONFIG, client, patient
from eum_share.dal.pacing import PACED_SERVICES, pace
from eum_share.dal.replay import journaled

_REFRESH_BEFORE = timedelta(minutes=5)

Clients = Callable[[str], Any]
"""A function from a boto3 service name to a client acting in one account and Region."""


@dataclass(frozen=True)
class AccountAccess:
    account_id: str
    region: str
    # Always a role, also in the account the orchestrator runs in: the functions' own roles are granted nothing
    # in End User Messaging, RAM or Organizations.
    role_arn: str
    external_id: str | None = None


@cache
def own_account() -> str:
    return str(client("sts").get_caller_identity()["Account"])


class _Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[AccountAccess, tuple[boto3.Session, Any]] = {}
        self._clients: dict[tuple[AccountAccess, str], Any] = {}

    def session(self, access: AccountAccess) -> boto3.Session:
        with self._lock:
            cached = self._cache.get(access)
            if cached is not None and cached[1] - utcnow() > _REFRESH_BEFORE:
                return cached[0]
        session, expires = self._new_session(access)
        with self._lock:
            self._cache[access] = (session, expires)
            self._clients = {key: c for key, c in self._clients.items() if key[0] != access}
        return session

    def client(self, access: AccountAccess, service: str) -> Any:
        session = self.session(access)
        with self._lock:
            if (access, service) not in self._clients:
                made = session.client(service, region_name=access.region, config=SDK_CONFIG)  # type: ignore[call-overload]
                paced = pace(made, access.account_id) if service in PACED_SERVICES else made
                self._clients[(access, service)] = patient(journaled(paced, access.account_id))
            return self._clients[(access, service)]

    @staticmethod
    def _new_session(access: AccountAccess) -> tuple[boto3.Session, Any]:
        params = {"RoleArn": access.role_arn, "RoleSessionName": "eum-share"}
        if access.external_id:
            params["ExternalId"] = access.external_id
        credentials = client("sts", access.region).assume_role(**params)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=access.region,
        )
        return session, credentials["Expiration"]


_sessions = _Sessions()


def clients_for(access: AccountAccess) -> Clients:
    """Clients in that account, made once per execution environment and shared by its invocations."""
    return lambda service: _sessions.client(access, service)
