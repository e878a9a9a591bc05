"""Known storage failures, each one sentence a person understands."""

from __future__ import annotations

from pathlib import Path

from crasme_desktop.domain.errors import ExitCode, UserError


class VaultError(UserError):
    """Base of the vault's known failures."""


class WrongPassphrase(VaultError):
    exit_code = ExitCode.WRONG_PASSPHRASE

    def __init__(self) -> None:
        super().__init__("That passphrase does not unlock this vault; check it and try again.")


class WrongRecoveryKey(VaultError):
    exit_code = ExitCode.WRONG_RECOVERY_KEY

    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not unlock this vault; check each group against "
            "your recovery kit and try again."
        )


class KeyUnavailable(VaultError):
    """No way to unlock was offered: no keychain entry and no passphrase or recovery key."""

    exit_code = ExitCode.KEY_UNAVAILABLE

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(
            reason
            or "The key for this vault is not in this computer's keychain; unlock it with "
            "your passphrase or your recovery key."
        )


class KeychainLocked(VaultError):
    exit_code = ExitCode.KEYCHAIN_LOCKED

    def __init__(self) -> None:
        super().__init__(
            "The computer's keychain stayed locked, so the vault could not be unlocked "
            "from it; use your passphrase or recovery key instead."
        )


class KeychainMismatch(VaultError):
    exit_code = ExitCode.KEYCHAIN_MISMATCH

    def __init__(self) -> None:
        super().__init__(
            "The key stored in this computer's keychain does not belong to this vault; "
            "unlock it with your passphrase or recovery key."
        )


class NotAVault(VaultError):
    exit_code = ExitCode.NOT_A_VAULT

    def __init__(self, path: Path) -> None:
        super().__init__(f"The file {path} is not a Crasme Desktop vault.")


class VaultDamaged(VaultError):
    exit_code = ExitCode.VAULT_DAMAGED

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The vault {path} is damaged and cannot be read safely; {restore_advice(path)}."
        )


def restore_advice(vault: Path) -> str:
    """"restore it from a backup", naming the newest backup in the folder beside the
    vault when there is one (found by listing: a damaged vault cannot say where else
    its backups go, and without the key a backup can only be listed, not checked)."""
    try:
        from crasme_desktop.vault.backup import list_backups
        from crasme_desktop.vault.paths import backup_dir

        newest = next((b for b in list_backups(backup_dir(Path(vault))) if b.has_manifest),
                      None)
    except Exception:  # advice must never hide the damage it is about
        newest = None
    if newest is None:
        return "restore it from a backup"
    return f"restore it from a backup (the newest is {newest.path})"


class VaultReadOnly(VaultError):
    exit_code = ExitCode.READ_ONLY

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"Crasme Desktop cannot write to {path}; move the vault to a folder you can "
            "change, or ask whoever manages this computer for write access."
        )


class DiskFull(VaultError):
    exit_code = ExitCode.DISK_FULL

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The disk holding {path} is full; free some space and try again (nothing was changed)."
        )


class VaultBusy(VaultError):
    """Two changes met: SQLite refused this one rather than let it overwrite the other."""

    exit_code = ExitCode.VAULT_BUSY

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"Crasme Desktop was saving other work in {path} at the same moment, so this "
            "change was not made; try again."
        )


class VaultInUse(VaultError):
    exit_code = ExitCode.VAULT_IN_USE

    def __init__(self, path: Path, holder: str = "") -> None:
        where = f" ({holder})" if holder else ""
        super().__init__(
            f"The vault {path} is already open in another Crasme Desktop window{where}; "
            "close it there first."
        )


class VaultNotFound(VaultError):
    exit_code = ExitCode.VAULT_NOT_FOUND

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"There is no vault at {path}; create one with “crasme init” or choose another file."
        )


class VaultExists(VaultError):
    exit_code = ExitCode.VAULT_EXISTS

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"A vault already exists at {path}; choose another place or open that one."
        )


class KeySlotsMissing(VaultError):
    exit_code = ExitCode.KEY_UNAVAILABLE

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The key file {path} that belongs beside the vault is missing; restore it "
            "from a backup, or unlock with the keychain."
        )


class WrongSignIn(VaultError):
    """A sign-in name and passphrase that open no user slot (which of the two is wrong is
    not said, so that trying names tells nobody who has a sign-in)."""

    exit_code = ExitCode.WRONG_PASSPHRASE

    def __init__(self) -> None:
        super().__init__(
            "That name and passphrase do not sign in to this vault; check both and try again."
        )


class SignInPaused(VaultError):
    """Too many wrong sign-ins in a row: the next try must wait."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            f"There were too many wrong sign-ins, so signing in is paused; "
            f"wait {wait_text(seconds)} and try again."
        )


class UnlockPaused(SignInPaused):
    """Too many wrong passphrases, recovery keys or sign-ins in a row: typing the vault's
    passphrase or recovery key must wait too (they share the count)."""

    def __init__(self, seconds: int) -> None:
        VaultError.__init__(
            self,
            f"There were too many wrong passphrases or sign-ins, so unlocking is paused; "
            f"wait {wait_text(seconds)} and try again.",
        )
        self.seconds = seconds


def wait_text(seconds: int) -> str:
    """"30 seconds", "1 minute", "2 minutes and 10 seconds": how long to wait, rounded up."""
    seconds = max(1, int(seconds))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes, rest = divmod(seconds, 60)
    text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if rest:
        text += f" and {rest} second{'s' if rest != 1 else ''}"
    return text
