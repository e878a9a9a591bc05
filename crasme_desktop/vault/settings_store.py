"""The app's own settings file (no secrets: those live in the keychain)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.vault.files import atomic_write
from crasme_desktop.vault.paths import settings_path

log = logging.getLogger(__name__)

# Settings are changed from worker threads (the Settings page, the note taken after an
# unlock): each change reads, edits and writes the file under this lock, so that two
# changes never overwrite each other.
_changing = threading.Lock()


def load_app_settings() -> AppSettings:
    """Read settings; a missing or unreadable file gives the defaults."""
    path = settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppSettings()
    except (OSError, ValueError) as exc:
        log.warning("Settings file %s unreadable (%s); using defaults", path, exc)
        return AppSettings()
    return AppSettings.from_dict(raw if isinstance(raw, dict) else {})


def save_app_settings(settings: AppSettings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(settings.to_dict(), indent=2, sort_keys=True).encode("utf-8")
    atomic_write(path, data)


def update_app_settings(change: Callable[[AppSettings], bool | None]) -> AppSettings:
    """Read the settings, let `change` edit them, and write them back unless it returns
    False (nothing changed); returns the settings as they now are."""
    with _changing:
        settings = load_app_settings()
        if change(settings) is not False:
            save_app_settings(settings)
        return settings
