"""Every error the state machine can see. The class name is the error name the ASL matches (Retry/Catch)."""

from __future__ import annotations


class EumShareError(Exception):
    """Base of the project's errors."""


class InvalidRequest(EumShareError):
    """The migration request does not validate; the message names every bad field. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ConfigurationError(EumShareError):
    """The function's environment is incomplete or malformed (a deployment problem, not a request problem)."""


class AwsThrottled(EumShareError):
    """An AWS API kept answering ThrottlingException; the state machine retries with backoff and jitter."""


class PreflightFailed(EumShareError):
    """A blocking prerequisite is not met (account tier, role, ownership, organization sharing, invitations).
    Nothing was changed; the message gives every reason."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


class ResourcesNotOwned(EumShareError):
    """Selected ARNs that the owner account does not own (Owner=SELF): RAM shares only owned resources."""

    def __init__(self, arns: list[str]) -> None:
        self.arns = arns
        super().__init__(f"not owned by the owner account (Owner=SELF): {', '.join(arns)}")


class ConfigurationSetsNotFound(EumShareError):
    """Configuration sets the request names that the owner account does not have in the Region."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(f"configuration sets not found in the owner account: {', '.join(names)}")


class ShareNotUsable(EumShareError):
    """The named share cannot take this migration (deleted, owned elsewhere, external principals refused)."""


class MigrationConflict(EumShareError):
    """The migrationId is in use by a different request, or another migration holds the share."""


class ShareLocked(EumShareError):
    """Another migration holds the share's lock (or took it after this one's expired); nothing was changed by this
    step. The message names the holder."""


class DeadlineExceeded(EumShareError):
    """The migration could not finish within `options.deadlineSeconds`: it stopped cleanly (the share lock released,
    the ledger intact) and the message says how far it got; the same request started again continues."""


class MigrationIncomplete(EumShareError):
    """Identities are still neither verified nor failed: the migration must not be reported as done."""


class MigrationStillRunning(EumShareError):
    """A rollback or restore of a migration whose execution (or another rollback of it) still runs."""


class RollbackNotPossible(EumShareError):
    """A rollback that cannot know exactly what the migration added (a dry run changed nothing; a ledger from
    before changes were recorded)."""


class RollbackIncomplete(EumShareError):
    """Something the rollback undid did not reach the state it must (still DISASSOCIATING after every check)."""


class MigrationNotFound(EumShareError):
    """No migration with this ID in the ledger."""


class ApprovalRejected(EumShareError):
    """A person rejected the migration at its approval gate; nothing was changed."""


class NotAwaitingApproval(EumShareError):
    """An approval decision for a migration that is not waiting for one (not gated, already decided, timed out)."""


class ExecutionNameTaken(EumShareError):
    """The execution name (from a ticket or an event) already started a migration with a different request."""


class SignatureInvalid(EumShareError):
    """A signed door's request whose signature or timestamp does not verify (missing, wrong, or too old)."""


class RequestTooLarge(EumShareError):
    """A door's request body above the documented size."""


class MalformedBody(EumShareError):
    """A door's request body that is not the JSON it documents (the message says where it stops making sense)."""

    def __init__(self, message: str, field: str = "body") -> None:
        self.field = field
        super().__init__(message)


class CallbackRefused(EumShareError):
    """A completion callback whose URL is not on the stack's allow-list, or that the receiver refused."""
