"""Errors a person can act on, kept apart from bugs.

`UserError` carries one sentence for a person and the exit code the command line
uses for it. `Cancelled` means the user stopped something: show nothing.
"""

from __future__ import annotations


class ExitCode:
    """Exit codes of the `crasme` command: a public contract for scripts."""

    OK = 0
    BUG = 1
    USAGE = 2
    USER_ERROR = 3
    CANCELLED = 4
    WRONG_PASSPHRASE = 10
    WRONG_RECOVERY_KEY = 11
    KEY_UNAVAILABLE = 12
    KEYCHAIN_LOCKED = 13
    KEYCHAIN_MISMATCH = 14
    NOT_A_VAULT = 20
    VAULT_DAMAGED = 21
    READ_ONLY = 22
    DISK_FULL = 23
    VAULT_IN_USE = 24
    VAULT_NOT_FOUND = 25
    VAULT_EXISTS = 26
    INTEGRITY_FAILED = 27
    VAULT_BUSY = 28


class UserError(Exception):
    """Something went wrong that a person can understand and act on."""

    exit_code: int = ExitCode.USER_ERROR

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class Cancelled(Exception):
    """The user stopped the work; nothing should be shown."""
