"""Crasme Desktop: a local-first CRM for small offices.

The one place for the program's name, version, icon and licence (pyproject.toml reads
`__version__` from here; the installers, the About box and `crasme --version` use these
names), and for where its resources (icons, fonts, styles, the privacy notice, schemas)
are found, whichever way it was installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

__version__ = "0.1.0"
APP_NAME = "Crasme Desktop"
#: File and folder name of the program (data folders, desktop entry, package name).
APP_ID = "crasme-desktop"
#: Reverse-DNS id (macOS bundle identifier, MIME/UTI names, Windows AppUserModelID).
BUNDLE_ID = "org.crasme.desktop"
#: The icon (in resources/icons) every installer renders its sizes from.
APP_ICON = "crasme.svg"
LICENCE = "GPL-3.0-or-later"
LICENCE_NAME = "GNU General Public License, version 3 or later"
COPYRIGHT = "Copyright © 2026 the Crasme Desktop developers"
#: The vault file extension and its MIME type (file associations of the installers).
VAULT_SUFFIX = ".crasme"
VAULT_MIME_TYPE = "application/x-crasme-vault"


def _find_resources() -> Path:
    """The resources folder: inside the package when installed from a wheel or frozen by
    PyInstaller (both put it at crasme_desktop/resources), else beside the package in a
    source checkout (resources/ at the top of the repository)."""
    package = Path(__file__).resolve().parent
    candidates = [package / "resources", package.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # PyInstaller: data files live under the bundle's own folder
        candidates.insert(0, Path(bundle) / "crasme_desktop" / "resources")
    for candidate in candidates:
        if (candidate / "icons" / APP_ICON).is_file():
            return candidate
    # Nothing found: name the checkout's place, so an error names a sensible path.
    return candidates[-1]


#: Where icons/, fonts/, styles/, privacy/ and schemas/ are.
RESOURCES: Path = _find_resources()


def resource_path(*parts: str) -> Path:
    """The path of a shipped resource, e.g. `resource_path("fonts", "DejaVuSans.ttf")`."""
    return RESOURCES.joinpath(*parts)


def version_text(*, qt: str, sqlcipher: str, python: str | None = None) -> str:
    """What `crasme --version` prints and the About box shows: name, version, licence
    and the versions of the parts that matter when reporting a problem."""
    python = python or ".".join(str(n) for n in sys.version_info[:3])
    return (
        f"{APP_NAME} {__version__}\n"
        f"Qt {qt}, SQLCipher {sqlcipher}, Python {python}\n"
        f"Licence: {LICENCE_NAME} ({LICENCE})"
    )
