"""What every platform's PyInstaller spec collects, in one place (imported by the
.spec files, which PyInstaller runs as Python with its helpers in scope).

Run from the repository root: `pyinstaller installers/<platform>/crasme.spec`.
"""

from __future__ import annotations

from pathlib import Path

from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "crasme_desktop"
LAUNCHER = str(ROOT / "installers" / "launcher.py")


def hidden_imports(platform: str) -> list[str]:
    """Modules imported by name at run time, which PyInstaller's analysis cannot see."""
    names = [
        # Our own pages, dialogs and services are imported by name (ui/jobs.py,
        # main_window's lazy pages, vault/__init__'s lazy names).
        *collect_submodules("crasme_desktop"),
        # SQLCipher: the C extension and its DB-API module.
        "sqlcipher3", "sqlcipher3.dbapi2",
        # The migration scripts are loaded by alembic from files (see datas); what
        # they import must be frozen in.
        *collect_submodules("alembic", filter=lambda name: ".testing" not in name),
        "sqlalchemy.dialects.sqlite",
        # keyring finds its backends through entry points and imports them by name.
        *collect_submodules("keyring.backends"),
        # babel loads its locale data by name; PySide6's SVG support for the icons.
        "babel.numbers", "babel.dates",
        "PySide6.QtSvg",
    ]
    if platform == "linux":
        # The Secret Service backend talks D-Bus through SecretStorage and jeepney.
        names += ["secretstorage", *collect_submodules("jeepney")]
    elif platform == "windows":
        names += ["win32ctypes.core", *collect_submodules("win32ctypes")]
    elif platform == "macos":
        names += ["keyring.backends.macOS"]
    return sorted(set(names))


def datas() -> list[tuple[str, str]]:
    """Files the program opens by path, as (source, folder in the bundle)."""
    found = [
        # Icons, fonts, styles, the privacy notice and the export schemas, where
        # crasme_desktop.RESOURCES looks for them in an installed program.
        (str(ROOT / "resources" / sub), f"crasme_desktop/resources/{sub}")
        for sub in ("fonts", "icons", "styles", "privacy", "schemas")
    ]
    # The compiled translations, made by scripts/translations build (scripts/setup runs
    # it before any installer build); the .ts sources stay behind.
    compile_translations()
    found.append((str(ROOT / "resources" / "translations" / "*.qm"),
                  "crasme_desktop/resources/translations"))
    # Alembic runs env.py and versions/*.py from the migrations folder as files.
    found += [
        (str(PACKAGE / "vault" / "migrations" / "env.py"), "crasme_desktop/vault/migrations"),
        (str(PACKAGE / "vault" / "migrations" / "__init__.py"),
         "crasme_desktop/vault/migrations"),
        (str(PACKAGE / "vault" / "migrations" / "versions" / "*.py"),
         "crasme_desktop/vault/migrations/versions"),
    ]
    found += collect_data_files("babel")          # locale-data/*.dat, global.dat
    found += collect_data_files("reportlab")      # its standard fonts (Helvetica metrics)
    found += collect_data_files("facturx")        # XSD and XMP files it embeds/checks
    found += collect_data_files("stdnum")         # bank and number tables (*.dat)
    found += collect_data_files("email_validator")
    # Distribution metadata read at run time: keyring's entry points, the Qt version
    # `crasme --version` reports, our own version.
    for dist in ("keyring", "PySide6_Essentials", "crasme-desktop"):
        found += copy_metadata(dist)
    return found


def compile_translations() -> None:
    """Compile resources/translations/*.ts into .qm beside them where the .qm is missing
    or older (what scripts/translations build does, for the builds on Windows and macOS
    that run PyInstaller without the bash scripts), with the lrelease PySide6 brings."""
    import subprocess  # nosec B404: runs our own Python with fixed arguments
    import sys

    for ts in sorted((ROOT / "resources" / "translations").glob("crasme_*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run(  # nosec B603: sys.executable with our own file names
            [sys.executable, "-c",
             "import sys; from PySide6.scripts.pyside_tool import lrelease; "
             "sys.argv[0] = 'lrelease'; sys.exit(lrelease())",
             "-silent", str(ts), "-qm", str(qm)],
            check=True,
        )


#: Qt modules the program never uses: left out to keep the bundle small.
EXCLUDES = [
    "tkinter", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.Qt3DCore", "PySide6.QtWebEngineCore",
    "PySide6.QtMultimedia", "PySide6.QtBluetooth", "PySide6.QtPositioning",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDesigner",
    # Qt Charts' library needs Qt's OpenGL libraries (they come with it), not these
    # Python modules, which PyInstaller's Qt hook would add beside it (about 9 MB).
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
    "pytest", "hypothesis", "moto", "IPython",
]


#: The botocore service descriptions off-site backups use (S3, and STS for the
#: credential chain); the other four hundred services are left out (about 25 MB).
BOTOCORE_SERVICES = ("s3", "sts")


def keep_data(dest: str) -> bool:
    """False for collected data files the program never reads."""
    parts = dest.replace("\\", "/").split("/")
    if parts[:2] == ["botocore", "data"] and len(parts) > 3:
        return parts[2] in BOTOCORE_SERVICES
    return True


#: Qt's GTK platform theme drags in GTK 3 and its stack (about 20 MB of the build
#: machine's libraries); the program styles itself with Fusion and a stylesheet, so
#: neither the plugin nor those libraries are shipped. The desktop portal theme stays.
_GTK_STACK = (
    "libqgtk3.so", "libgtk-3.so", "libgdk-3.so", "libgdk_pixbuf-2.0.so", "libatk-1.0.so",
    "libatk-bridge-2.0.so", "libatspi.so", "libpango-1.0.so", "libpangocairo-1.0.so",
    "libpangoft2-1.0.so", "libcairo.so", "libcairo-gobject.so", "libepoxy.so", "libthai.so",
    "libdatrie.so", "libfribidi.so", "libpixman-1.so", "libgraphite2.so",
)


#: PySide6-Addons (for Qt Charts) puts Qt's virtual keyboard among the input-method
#: plugins, which PySide6's hook collects; it needs Qt Quick and QML (about 17 MB) and
#: a desktop program with a real keyboard has no use for it.
_VIRTUAL_KEYBOARD_STACK = (
    "libqtvirtualkeyboardplugin.so", "libQt6VirtualKeyboard", "libQt6Quick.so",
    "libQt6Qml.so", "libQt6QmlModels.so", "libQt6QmlMeta.so", "libQt6QmlWorkerScript.so",
)


def keep_binary(dest: str) -> bool:
    """False for the GTK theme plugin, the virtual keyboard plugin and the libraries
    only they need."""
    name = dest.replace("\\", "/").rsplit("/", 1)[-1]
    return not name.startswith(_GTK_STACK + _VIRTUAL_KEYBOARD_STACK)
