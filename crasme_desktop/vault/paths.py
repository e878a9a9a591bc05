"""Where the vault, its key slots and the app's own files live."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "crasme-desktop"
VAULT_SUFFIX = ".crasme"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def default_vault_path() -> Path:
    """The vault used when none is named: $CRASME_VAULT, else the user's data folder."""
    chosen = os.environ.get("CRASME_VAULT", "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    return data_dir() / f"default{VAULT_SUFFIX}"


def startup_vault_path(last_vault: str = "") -> Path:
    """The vault the window opens when none is named: $CRASME_VAULT, else the vault
    opened last (if it is still there), else the default one."""
    if os.environ.get("CRASME_VAULT", "").strip():
        return default_vault_path()
    if last_vault:
        last = Path(last_vault).expanduser()
        if last.is_file():
            return last.absolute()
    return default_vault_path()


def keyslot_path(vault: Path) -> Path:
    """The key-slot file that sits beside a vault."""
    return vault.with_name(vault.name + ".keys")


def lock_path(vault: Path) -> Path:
    return vault.with_name(vault.name + ".lock")


def sidecar_paths(vault: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory files for a vault."""
    return vault.with_name(vault.name + "-wal"), vault.with_name(vault.name + "-shm")


def backup_dir(vault: Path) -> Path:
    """Automatic backups (before migrations, restores) go beside the vault."""
    return vault.with_name(vault.stem + " backups")


def settings_path() -> Path:
    return config_dir() / "settings.json"
