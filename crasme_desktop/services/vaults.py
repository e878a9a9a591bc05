"""Use cases around the vault itself: create, unlock, describe, check, rotate the key.

Who may: creating, unlocking and signing in come before anyone acts, so they check no
role (wrong passphrases are paused in `vault.attempts`). Rotating the key (`rekey`,
which also makes the new recovery key) and changing the vault passphrase need "rekey"
(Owner only); `doctor`, which reads every page and the whole audit chain, needs
"settings". `describe`, `has_passphrase` and the keychain-start notes stay open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import (
    CreatedVault,
    Keychain,
    Vault,
    VaultDescription,
    create_vault,
    describe_vault,
    open_vault,
    update_app_settings,
)

#: How many vaults `remember_unlock` keeps in the keychain-start list.
KEYCHAIN_START_LIMIT = 20


def create(
    path: Path,
    *,
    passphrase: str | None,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    sample_contacts: int = 0,
    progress: Progress | None = None,
) -> CreatedVault:
    """Create a vault and, if asked, fill it with sample data."""
    created = create_vault(
        path, passphrase=passphrase, use_keychain=use_keychain, keychain=keychain
    )
    if sample_contacts:
        from crasme_desktop.services.demo import fill_demo

        with open_vault(
            created.path,
            passphrase=passphrase,
            use_keychain=use_keychain,
            keychain=keychain,
            recovery_key=created.recovery_key,
        ) as vault:
            fill_demo(vault, contacts=sample_contacts, progress=progress)
    return created


def unlock(
    path: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    remember_in_keychain: bool = False,
) -> Vault:
    vault = open_vault(
        path,
        passphrase=passphrase,
        recovery_key=recovery_key,
        use_keychain=use_keychain,
        keychain=keychain,
        remember_in_keychain=remember_in_keychain,
    )
    audit.record(vault, "vault.unlock", detail=vault.key_source)
    return vault


def sign_in(
    path: Path,
    sign_in_name: str | None = None,
    passphrase: str | None = None,
    *,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    remember_in_keychain: bool = False,
) -> Vault:
    """Open a vault as one of its users (see `vault.user_slots`): with no name, as the
    user this computer's keychain remembers; the services then act as that user, and a
    deactivated user is refused even though their slot still opens the file."""
    from crasme_desktop.vault.user_slots import open_as_user

    vault = open_as_user(path, sign_in_name, passphrase, use_keychain=use_keychain,
                         keychain=keychain, remember_in_keychain=remember_in_keychain)
    try:
        assert vault.signed_in_user_id is not None  # nosec B101  # set by open_as_user
        permissions.act_as(vault, vault.signed_in_user_id)
        audit.record(vault, "vault.unlock", detail=vault.key_source)
    except BaseException:
        vault.close()
        raise
    return vault


def describe(path: Path, keychain: Keychain | None = None) -> VaultDescription:
    return describe_vault(path, keychain)


def doctor(vault: Vault, keychain: Keychain | None = None) -> dict[str, Any]:
    """Everything `crasme doctor` reports about an unlocked vault."""
    permissions.require(vault, "settings")
    from crasme_desktop.vault.paths import config_dir, log_dir, settings_path

    report = vault.doctor()
    chain = keychain or Keychain()
    report["keychain_backend"] = chain.backend_name
    report["keychain_available"] = chain.available
    report["key_kept_in"] = _key_places(vault, chain, report["key_slots"])
    report["settings_file"] = str(settings_path())
    report["config_dir"] = str(config_dir())
    report["log_dir"] = str(log_dir())
    files_ok = report["integrity_check"] == "ok" and report["cipher_integrity_check"] == "ok"
    report["audit_chain"] = _audit_chain(vault) if files_ok else {"checked": False}
    report["ok"] = files_ok and report["audit_chain"]["ok"]
    return report


def _audit_chain(vault: Vault) -> dict[str, Any]:
    """The audit trail's hash chain, checked entry by entry (see `audit.verify_chain`)."""
    chain = audit.verify_chain(vault)
    out: dict[str, Any] = {"checked": True, "ok": chain.ok, "entries": chain.entries}
    if not chain.ok:
        out.update(first_bad_entry=chain.first_bad_seq, problem=chain.problem,
                   message=chain.message)
    return out


def rekey(vault: Vault, passphrase: str | None = None) -> str:
    """Rotate the data key; returns the new recovery key, to be shown once."""
    permissions.require(vault, "rekey")
    recovery = vault.rekey(passphrase)
    audit.record(vault, "vault.rekey")
    return recovery


def has_passphrase(vault: Vault) -> bool:
    """Whether the vault has a passphrase slot (reads the key-slot file)."""
    return vault.has_passphrase


def change_passphrase(vault: Vault, current: str | None, new: str) -> None:
    """Give the vault a new passphrase; the old one stops working at once."""
    permissions.require(vault, "rekey")
    vault.change_passphrase(current, new)
    audit.record(vault, "vault.passphrase_changed")


def remember_unlock(vault: Vault) -> AppSettings:
    """Note, in the app settings, which vault was opened last and whether this computer's
    keychain holds its key: next time the window can open straight onto the vault while
    the key is fetched. No secret is written, only the vault's path."""
    path = str(vault.path)
    by_keychain = vault.key_source == "keychain" or vault.keychain_holds_key()

    def change(settings: AppSettings) -> bool:
        listed = [p for p in settings.keychain_start if p != path]
        if by_keychain:
            listed.append(path)
        listed = listed[-KEYCHAIN_START_LIMIT:]
        if settings.last_vault == path and listed == settings.keychain_start:
            return False
        settings.last_vault = path
        settings.keychain_start = listed
        return True

    return update_app_settings(change)


def forget_keychain_start(path: Path) -> None:
    """The keychain did not open `path` after all: next time, start on the unlock screen."""

    def change(settings: AppSettings) -> bool:
        if str(path) not in settings.keychain_start:
            return False
        settings.keychain_start = [p for p in settings.keychain_start if p != str(path)]
        return True

    update_app_settings(change)


def _key_places(vault: Vault, chain: Keychain, slots: list[str]) -> list[str]:
    places = []
    try:
        if chain.available and chain.get(vault.vault_id) is not None:
            places.append(f"keychain ({chain.backend_name})")
    except Exception:
        pass  # nosec B110  # a keychain that cannot answer is just not listed
    places += [f"{kind} slot" for kind in slots]
    return places
