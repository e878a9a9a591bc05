"""The three ways to unlock a vault, and a request for one (no Qt, so the controller
can name them without loading the unlock screen on a start that never shows it)."""

from __future__ import annotations

from dataclasses import dataclass

KEYCHAIN = "keychain"
PASSPHRASE = "passphrase"  # nosec B105  # a label or setting name, not a password
RECOVERY = "recovery"


@dataclass(frozen=True)
class UnlockRequest:
    """What the person chose: a method and, except for the keychain, a secret."""

    method: str
    secret: str | None = None
