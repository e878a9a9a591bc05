"""The operating system's keychain, through `keyring`.

Secret Service on Linux, Keychain on macOS, Credential Locker on Windows. The data
key of a vault is stored under the vault's id, so two vaults never share an entry.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from crasme_desktop.vault.errors import KeychainLocked

log = logging.getLogger(__name__)

SERVICE = "Crasme Desktop vault key"
PENDING_SUFFIX = ":pending"


class KeychainUnavailableError(Exception):
    """The keychain could not be reached at all."""


class Keychain:
    """A thin, testable face on `keyring`; pass `backend` to choose one explicitly."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def available(self) -> bool:
        """False where no real keychain exists (a Linux desktop without Secret Service)."""
        from keyring.backends import chainer, fail

        backend = self.backend
        if isinstance(backend, fail.Keyring):
            return False
        if isinstance(backend, chainer.ChainerBackend):
            return bool(backend.backends)
        return True

    @property
    def backend_name(self) -> str:
        backend = self.backend
        name = getattr(backend, "name", "") or type(backend).__name__
        return name if self.available else f"none ({name})"

    def get(self, vault_id: str, *, pending: bool = False) -> bytes | None:
        """The stored key, or None; raises `KeychainLocked` if the user refused to unlock it."""
        if not self.available:
            return None
        value = self._call("get_password", SERVICE, _user(vault_id, pending))
        if not value:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            log.warning("Keychain entry for vault %s is not a key; ignoring it", vault_id)
            return None
        return key if len(key) == 32 else None

    def store(self, vault_id: str, key: bytes | bytearray, *, pending: bool = False) -> None:
        self._call("set_password", SERVICE, _user(vault_id, pending), bytes(key).hex())

    def delete(self, vault_id: str, *, pending: bool = False) -> None:
        """Remove an entry; a missing entry is fine."""
        from keyring.errors import PasswordDeleteError

        if not self.available:
            return
        with contextlib.suppress(PasswordDeleteError):
            self._call("delete_password", SERVICE, _user(vault_id, pending))

    def _call(self, method: str, *args: str) -> Any:
        from keyring.errors import InitError, KeyringError, KeyringLocked

        try:
            return getattr(self.backend, method)(*args)
        except KeyringLocked as exc:
            raise KeychainLocked() from exc
        except InitError as exc:
            raise KeychainUnavailableError(str(exc)) from exc
        except KeyringError as exc:
            if "locked" in str(exc).lower() or "dismissed" in str(exc).lower():
                raise KeychainLocked() from exc
            raise


def _user(vault_id: str, pending: bool) -> str:
    return vault_id + (PENDING_SUFFIX if pending else "")


# -- a signed-in user's own slot secret ----------------------------------------------------
#: The entry's account name is "<vault id>:user": one per vault in this OS account's
#: keychain, under the same service as the vault key. It holds the user's id and the
#: X25519 key their passphrase derives for their slot, never the passphrase.
USER_SUFFIX = ":user"


def get_user_secret(chain: Keychain, vault_id: str) -> tuple[str, bytes] | None:
    """(user id, slot secret) this OS account keeps for `vault_id`, or None; raises
    `KeychainLocked` if the person refused to unlock the keychain."""
    if not chain.available:
        return None
    value = chain._call("get_password", SERVICE, vault_id + USER_SUFFIX)
    if not value:
        return None
    user_id, _, secret = str(value).partition(" ")
    try:
        raw = bytes.fromhex(secret)
    except ValueError:
        raw = b""
    if not user_id or len(raw) != 32:
        log.warning("Keychain sign-in entry for vault %s is not one; ignoring it", vault_id)
        return None
    return user_id, raw


def store_user_secret(chain: Keychain, vault_id: str, user_id: str, secret: bytes) -> None:
    """Remember a user's slot secret for `vault_id`, replacing whoever was remembered."""
    if " " in user_id:
        raise ValueError("a user id has no spaces")
    chain._call("set_password", SERVICE, vault_id + USER_SUFFIX, f"{user_id} {secret.hex()}")


def delete_user_secret(chain: Keychain, vault_id: str) -> None:
    """Forget the remembered sign-in for `vault_id`; a missing entry is fine."""
    from keyring.errors import PasswordDeleteError

    if not chain.available:
        return
    with contextlib.suppress(PasswordDeleteError):
        chain._call("delete_password", SERVICE, vault_id + USER_SUFFIX)


# -- other secrets (an SMTP password, ...) ---------------------------------------------
#: The account name under which other secrets are kept; each secret has its own service
#: name, which callers make per vault (e.g. "Crasme Desktop mail password (<vault id>)").
SECRET_USER = "Crasme Desktop"  # nosec B105  # a label or setting name, not a password


def secrets_available(keychain: Keychain | None = None) -> bool:
    """Whether this computer has a keychain that can hold a secret."""
    try:
        return (keychain or Keychain()).available
    except KeychainUnavailableError:
        return False


def secret_state(name: str, *, keychain: Keychain | None = None) -> tuple[bool, bool]:
    """(whether this computer has a keychain, whether it holds a secret under `name`),
    for a settings screen: a locked or vanished keychain counts as not holding it."""
    available = secrets_available(keychain)
    try:
        saved = available and load_secret(name, keychain=keychain) is not None
    except (KeychainLocked, KeychainUnavailableError):
        saved = False
    return available, saved


def store_secret(name: str, value: str, *, keychain: Keychain | None = None) -> None:
    """Keep `value` in the keychain under the service `name`, replacing what was there.

    Raises `KeychainUnavailableError` where there is no keychain: the secret is then
    kept nowhere else, so the caller asks for it each time instead."""
    chain = keychain or Keychain()
    if not chain.available:
        raise KeychainUnavailableError("this computer has no keychain")
    chain._call("set_password", name, SECRET_USER, value)


def load_secret(name: str, *, keychain: Keychain | None = None) -> str | None:
    """The secret stored under `name`, or None (also when there is no keychain);
    raises `KeychainLocked` if the person refused to unlock the keychain."""
    chain = keychain or Keychain()
    if not chain.available:
        return None
    value = chain._call("get_password", name, SECRET_USER)
    return value if value else None


def delete_secret(name: str, *, keychain: Keychain | None = None) -> None:
    """Forget the secret stored under `name`; a missing entry or keychain is fine."""
    from keyring.errors import PasswordDeleteError

    chain = keychain or Keychain()
    if not chain.available:
        return
    with contextlib.suppress(PasswordDeleteError):
        chain._call("delete_password", name, SECRET_USER)
