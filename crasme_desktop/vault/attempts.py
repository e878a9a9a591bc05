"""Counting wrong tries at the door: user sign-ins, the vault passphrase, the recovery key.

Every way in that a person types (a user's name and passphrase, the vault-wide
passphrase, the recovery key) shares one count, kept in a small file beside the vault
(`<vault>.signin`: a count and a time, nothing personal), so it survives a restart and
guessing one way does not reset another. After `FREE_FAILURES` wrong tries in a row,
every typed way in pauses for `FIRST_PAUSE` seconds, doubling with each further wrong
try up to `MAX_PAUSE`; a try during the pause is refused before any key is derived and
is not counted. A correct typed secret clears the count. The keychain's key and a
sign-in remembered in the keychain are not typed, so they are neither paused nor
counted. This slows guessing through the program; Argon2id slows guessing on a copy.

A folder where the count cannot be written (read-only, full) does not stop an unlock:
the try is then not counted (the vault cannot be opened for writing there anyway).
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from crasme_desktop.vault.errors import VaultError
from crasme_desktop.vault.files import atomic_write

log = logging.getLogger(__name__)

#: Wrong tries allowed in a row before typed unlocking pauses.
FREE_FAILURES = 5
#: The first pause, in seconds; each further wrong try doubles it, up to `MAX_PAUSE`.
FIRST_PAUSE = 30
MAX_PAUSE = 15 * 60

STATE_SUFFIX = ".signin"


@dataclass(frozen=True)
class SignInState:
    """The failed tries counted beside a vault."""

    failures: int = 0
    paused_until: datetime | None = None

    def wait_seconds(self, now: datetime) -> int:
        """Seconds left before the next try is allowed (0: allowed now)."""
        if self.paused_until is None or self.paused_until <= now:
            return 0
        left = (self.paused_until - now).total_seconds()
        if left > MAX_PAUSE:
            return 0  # a time no pause can reach: the clock was moved; the count stays
        return int(left) + (1 if left % 1 else 0)


def sign_in_state_path(vault_path: Path) -> Path:
    """The small file beside the vault that counts failed tries."""
    return vault_path.with_name(vault_path.name + STATE_SUFFIX)


def read_sign_in_state(vault_path: Path) -> SignInState:
    """The failures counted beside the vault (none if the file is missing or unreadable)."""
    try:
        raw = json.loads(sign_in_state_path(vault_path).read_text("utf-8"))
        until = raw.get("paused_until")
        return SignInState(int(raw.get("failures", 0)),
                           datetime.fromisoformat(until) if until else None)
    except (OSError, ValueError, TypeError, AttributeError):
        return SignInState()


def record_failure(vault_path: Path, now: datetime) -> SignInState:
    """Count one more wrong try and pause typed unlocking once there were too many."""
    failures = read_sign_in_state(vault_path).failures + 1
    until = None
    if failures >= FREE_FAILURES:
        pause = min(MAX_PAUSE, FIRST_PAUSE * 2 ** min(failures - FREE_FAILURES, 16))
        until = now + timedelta(seconds=pause)
    state = SignInState(failures, until)
    body = {"failures": failures, "paused_until": until.isoformat() if until else None}
    atomic_write(sign_in_state_path(vault_path), json.dumps(body).encode("utf-8"))
    return state


def count_failure(vault_path: Path, now: datetime) -> SignInState:
    """`record_failure`, except that a count that cannot be written is logged and left
    uncounted (the caller still says the secret was wrong)."""
    try:
        return record_failure(vault_path, now)
    except (OSError, VaultError) as exc:  # atomic_write's read-only or full folder
        log.warning("A wrong try could not be counted beside %s: %s", vault_path.name, exc)
        return read_sign_in_state(vault_path)


def clear_failures(vault_path: Path) -> None:
    """A correct typed secret: start counting from nothing again."""
    with contextlib.suppress(OSError):  # none counted, or a folder it cannot leave
        sign_in_state_path(vault_path).unlink()


__all__ = [
    "FIRST_PAUSE",
    "FREE_FAILURES",
    "MAX_PAUSE",
    "STATE_SUFFIX",
    "SignInState",
    "clear_failures",
    "count_failure",
    "read_sign_in_state",
    "record_failure",
    "sign_in_state_path",
]
