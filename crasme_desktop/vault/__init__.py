"""The encrypted file: create/open, keys and key slots, keychain, pragmas, migrations.

The only package that imports sqlcipher3 or keyring.
"""

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
from crasme_desktop.vault.settings_store import load_app_settings, save_app_settings

__all__ = [
    "CreatedVault",
    "Keychain",
    "UnitOfWork",
    "Vault",
    "VaultDescription",
    "create_vault",
    "default_vault_path",
    "describe_vault",
    "keyslot_path",
    "load_app_settings",
    "open_vault",
    "save_app_settings",
]
