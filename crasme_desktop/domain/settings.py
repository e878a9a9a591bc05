"""Every app setting, declared once with its type, default and meaning.

These live in a small JSON file in the user's config folder (never secrets: those
go to the keychain). Settings of the business itself live inside the vault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from crasme_desktop.domain.i18n import SHIPPED_LANGUAGES

#: What `AppSettings.language` may hold: "" (the system's) or a shipped language.
LANGUAGE_CHOICES = ("", *SHIPPED_LANGUAGES)


@dataclass
class AppSettings:
    #: The vault opened last; empty means the platform's default place.
    last_vault: str = ""
    #: Lock the vault after this many idle minutes; 0 never locks on its own.
    auto_lock_minutes: int = 10
    #: Vault paths for which "no keychain on this computer" was already said.
    no_keychain_noted: list[str] = field(default_factory=list)
    #: Vaults whose key this computer's keychain held at their last unlock. For these
    #: the main window opens at once while the key is fetched; for others the unlock
    #: screen comes first. Paths only, never a secret.
    keychain_start: list[str] = field(default_factory=list)
    #: The window's language: "" follows the system's, else "en", "de" or "fr"
    #: (domain.i18n.SHIPPED_LANGUAGES). Read at start; a change shows at the next start.
    language: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> AppSettings:
        """Build settings from stored values, ignoring unknown keys and wrong types."""
        out = cls()
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            default = getattr(out, f.name)
            if isinstance(default, bool) or not isinstance(default, int):
                ok = isinstance(value, type(default))
            else:
                ok = isinstance(value, int) and not isinstance(value, bool)
            if ok and isinstance(value, list):
                value = [item for item in value if isinstance(item, str)]
            if ok:
                setattr(out, f.name, value)
        out.auto_lock_minutes = max(0, min(out.auto_lock_minutes, 24 * 60))
        if out.language not in LANGUAGE_CHOICES:
            out.language = ""
        return out

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
