"""Before any stack is read: commands that have no offline mode, and AWS credentials that are missing."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from eum_share_cli.main import main

CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    """The functions' client cache emptied before and after: a client made earlier would carry its credentials."""
    clients = importlib.import_module("eum_share.dal.clients")
    clients.client.cache_clear()
    yield
    clients.client.cache_clear()


@pytest.mark.parametrize("command", ["status", "watch", "report", "approve", "reject"])
def test_commands_that_read_a_deployed_stack_explain_there_is_no_offline_state(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the --offline option
    # When a command that reads a deployed stack is run with it
    code = main(["--offline", command, "mig-1"])
    # Then one line says why not and what to run instead
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "offline state lives only within one command" in err
    assert "eum-share --offline start" in err
    assert "eum-share demo" in err


def test_no_credentials_is_one_clear_line(
    fresh_clients: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no AWS credentials anywhere the SDK looks
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # When a command needs AWS
    code = main(["--region", "us-east-1", "status", "mig-1"])
    # Then it says so in one line, exit 1
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("no AWS credentials found: pass --profile")
    assert err.count("\n") == 1


def test_an_unknown_profile_is_one_clear_line(
    fresh_clients: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an AWS config without the profile "nobody"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    # When a command is run with it
    code = main(["--profile", "nobody", "status", "mig-1"])
    # Then the profile is named as missing, exit 1
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("The config profile (nobody) could not be found")
