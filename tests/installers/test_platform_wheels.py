"""Every locked dependency exists as a ready-built wheel for the Windows and macOS
packages, at the exact locked version and for the oldest system the package claims.

The Windows and macOS recipes cannot run on this machine, but what they install can be
checked here: pip resolves the lock (`installers/requirements.lock`) for the other
platform without building anything (`--only-binary=:all:`, `--dry-run`), the way the
workflows install it. A package with no wheel for Windows, or one that needs a newer
macOS than the app's `LSMinimumSystemVersion`, fails here instead of on a user's
machine.
"""

from __future__ import annotations

import json
import re
import subprocess  # nosec B404  # runs pip with fixed arguments
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "installers" / "requirements.lock"
MAC_SPEC = ROOT / "installers" / "macos" / "crasme.spec"
PYTHON = "3.11"


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    return pins


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def mac_minimum() -> tuple[int, int]:
    found = re.search(r'"LSMinimumSystemVersion":\s*"(\d+)\.(\d+)"',
                      MAC_SPEC.read_text(encoding="utf-8"))
    assert found, "the macOS spec names no LSMinimumSystemVersion"
    return int(found.group(1)), int(found.group(2))


def mac_platforms(arch: str, minimum: tuple[int, int]) -> list[str]:
    """The wheel tags a Mac of `arch` running the app's oldest macOS accepts."""
    versions = [(10, minor) for minor in range(9, 16)] + [
        (major, 0) for major in range(11, minimum[0] + 1)
    ]
    tags = []
    for major, minor in versions:
        if (major, minor) <= minimum:
            tags += [f"macosx_{major}_{minor}_{arch}", f"macosx_{major}_{minor}_universal2"]
    return tags


def resolve(platforms: list[str], tmp_path: Path) -> dict[str, str]:
    """{package: wheel file name} as pip picks them for `platforms`, or the test fails
    with pip's own words about the package it could not find."""
    report = tmp_path / "report.json"
    command = [
        sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
        "--no-deps", "--only-binary=:all:", "--python-version", PYTHON,
        "--implementation", "cp", "--target", str(tmp_path / "target"),
        "--report", str(report), "-r", str(LOCK),
    ]
    for platform in platforms:
        command += ["--platform", platform]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)  # nosec B603
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    assert done.returncode == 0, "\n".join(errors) or done.stderr[-2000:]
    picked = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonical(item["metadata"]["name"]): item["download_info"]["url"].rsplit("/", 1)[1]
            for item in picked}


@pytest.mark.parametrize(
    "target",
    ["windows-x64", "macos-arm64"],
)
def test_every_locked_package_has_a_wheel_for(target, tmp_path):
    platforms = ["win_amd64"] if target == "windows-x64" else mac_platforms("arm64", mac_minimum())
    wheels = resolve(platforms, tmp_path)
    pins = locked()
    assert set(wheels) == set(pins)
    for name, wheel in wheels.items():
        assert wheel.endswith(".whl"), f"{name} would be built from source: {wheel}"
        version = wheel.split("-")[1]
        assert version == pins[name], f"{name}: pip picked {version}, the lock says {pins[name]}"
    # The two that matter most, named so a change of packaging shows here.
    assert "win_amd64" in wheels["sqlcipher3"] or "macosx" in wheels["sqlcipher3"]
    assert wheels["pyside6-essentials"].endswith(".whl")


def test_the_mac_minimum_is_not_older_than_qt_needs(tmp_path):
    """Declaring an older macOS than Qt's wheels support would let the app be installed
    on a Mac where it cannot start; one version older must fail to resolve."""
    major, minor = mac_minimum()
    older = (major - 1, 0) if minor == 0 else (major, minor - 1)
    command_platforms = mac_platforms("arm64", older)
    with pytest.raises(AssertionError, match=r"pyside6|shiboken6|PySide6|Could not find"):
        resolve(command_platforms, tmp_path)
