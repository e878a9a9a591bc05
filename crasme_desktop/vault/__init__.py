"""The encrypted file: create/open, keys and key slots, keychain, pragmas, migrations.

The only package that imports sqlcipher3 or keyring. Names load on first use, so that
`crasme_desktop.vault.paths` costs no SQLAlchemy import on the way to the first window.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CreatedVault": "core",
    "UnitOfWork": "core",
    "Vault": "core",
    "VaultDescription": "core",
    "create_vault": "core",
    "describe_vault": "core",
    "open_vault": "core",
    "Keychain": "keychain",
    "default_vault_path": "paths",
    "keyslot_path": "paths",
    "load_app_settings": "settings_store",
    "save_app_settings": "settings_store",
    "update_app_settings": "settings_store",
}

__all__ = [  # noqa: RUF022 - grouped by module, as in _EXPORTS
    "CreatedVault",
    "UnitOfWork",
    "Vault",
    "VaultDescription",
    "create_vault",
    "describe_vault",
    "open_vault",
    "Keychain",
    "default_vault_path",
    "keyslot_path",
    "load_app_settings",
    "save_app_settings",
    "update_app_settings",
]

if TYPE_CHECKING:
    from crasme_desktop.vault.core import (
        CreatedVault,
        UnitOfWork,
        Vault,
        VaultDescription,
        create_vault,
        describe_vault,
        open_vault,
    )
    from crasme_desktop.vault.keychain import Keychain
    from crasme_desktop.vault.paths import default_vault_path, keyslot_path
    from crasme_desktop.vault.settings_store import (
        load_app_settings,
        save_app_settings,
        update_app_settings,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
