"""The `pipx install` path: the wheel `pip wheel .` builds carries the resources (icons,
fonts, styles, the privacy notice, the export schemas) and the migrations, and once
installed into a fresh virtual environment, as pipx does, with the lock as constraints,
`crasme --version`, `crasme init` and `crasme doctor` work from it, outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from crasme_desktop import APP_ICON, __version__

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
RESOURCES = ["icons/" + APP_ICON, "fonts/DejaVuSans.ttf", "fonts/DroidSansFallbackFull.ttf",
             "styles/light.qss", "privacy/notice.en.md",
             "schemas/crasme-export-data-1.schema.json"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    shutil.rmtree(REPO / "build" / "wheel", ignore_errors=True)  # no stale modules
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q",
                           "-w", str(out)], cwd=REPO, env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("crasme_desktop-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed the way pipx installs it."""
    where = tmp_path_factory.mktemp("pipx") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(where)], check=True, timeout=300)
    done = subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "-q",
                           "-c", str(REPO / "installers" / "requirements.lock"), str(wheel)],
                          env=_env(), capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return where


def test_wheel_carries_resources_and_migrations(wheel):
    assert wheel.name == f"crasme_desktop-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in RESOURCES:
        assert f"crasme_desktop/resources/{resource}" in names, resource
    assert "crasme_desktop/vault/migrations/env.py" in names
    assert "crasme_desktop/vault/migrations/versions/0001_first_schema.py" in names
    assert not any(n.startswith(("tests/", "resources/", "installers/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "crasme = crasme_desktop.__main__:main" in text


def test_installed_wheel_works_outside_the_checkout(venv, tmp_path, isolated_env):
    crasme = str(venv / "bin" / "crasme")
    env = _env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               QT_QPA_PLATFORM="offscreen")
    run = dict(cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    version = subprocess.run([crasme, "--version"], **run)
    assert version.returncode == 0, version.stderr
    assert version.stdout.splitlines()[0] == f"crasme {__version__}"
    assert "SQLCipher 4." in version.stdout

    where = subprocess.run([str(venv / "bin" / "python"), "-c", (
        "import crasme_desktop as c, sys; print(c.RESOURCES); "
        "from crasme_desktop.services.privacy_notice import render_notice; "
        "print(len(render_notice(None).markdown)); "
        "from PySide6.QtWidgets import QApplication; app = QApplication(sys.argv); "
        "from crasme_desktop.ui import theme; print(len(theme.stylesheet())); "
        "print(theme.app_icon().isNull())")], **run)
    assert where.returncode == 0, where.stderr
    resources, notice_chars, qss_chars, icon_null = where.stdout.split()
    assert Path(resources).is_relative_to(venv), resources
    assert Path(resources, *RESOURCES[0].split("/")).is_file()
    assert int(notice_chars) > 1000 and int(qss_chars) > 1000
    assert icon_null == "False"

    vault = tmp_path / "pipx.crasme"
    made = subprocess.run([crasme, "--vault", str(vault), "init", "--no-keychain", "--json"],
                          **{**run, "env": {**env, "CRASME_PASSPHRASE": PASSPHRASE}})
    assert made.returncode == 0, made.stderr
    assert '"recovery_key"' in made.stdout and vault.is_file()
    doctor = subprocess.run([crasme, "--vault", str(vault), "doctor", "--no-keychain", "--json"],
                            **{**run, "env": {**env, "CRASME_PASSPHRASE": PASSPHRASE}})
    assert doctor.returncode == 0, doctor.stderr
    assert '"schema_version"' in doctor.stdout
