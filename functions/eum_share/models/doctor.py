"""What `eum-share doctor` found: one row per check, with what was expected, what was seen, and the verdict."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Verdict(StrEnum):
    OK = "ok"
    # The first migration would fail, or do harm, as things are: doctor exits non-zero.
    BLOCKING = "BLOCKING"
    WARNING = "warning"
    # AWS refused the read (AccessDenied): not a failure of the account, only nothing to judge.
    NOT_READABLE = "not readable"
    INFO = "info"


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    check: str
    expected: str
    seen: str
    verdict: Verdict


class Diagnosis(BaseModel):
    model_config = ConfigDict(frozen=True)

    findings: list[Finding]

    @property
    def blocking(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.verdict is Verdict.BLOCKING]
