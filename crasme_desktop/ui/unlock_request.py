"""The ways to unlock a vault, and a request for one (no Qt, so the controller can name
them without loading the unlock screen on a start that never shows it).

A vault nobody signs in to by name opens with this computer's keychain, its passphrase
or its recovery key. A vault with user sign-ins opens by signing in (a name and a
passphrase, or the sign-in this computer remembers); its passphrase and recovery key
stay the Owner's explicit way in (see `ui.unlock`)."""

from __future__ import annotations

from dataclasses import dataclass

KEYCHAIN = "keychain"
PASSPHRASE = "passphrase"  # nosec B105  # a label or setting name, not a password
RECOVERY = "recovery"
SIGN_IN = "sign-in"
REMEMBERED = "remembered"

#: The ways that open a vault as one of its users.
USER_METHODS = (SIGN_IN, REMEMBERED)


@dataclass(frozen=True)
class UnlockRequest:
    """What the person chose: a method and, except for the keychain and a remembered
    sign-in, a secret; for a sign-in also the name typed and whether to remember it."""

    method: str
    secret: str | None = None
    name: str | None = None
    remember: bool = False

    def __repr__(self) -> str:  # never put a secret in a log line or a crash report
        return f"UnlockRequest(method={self.method!r})"
