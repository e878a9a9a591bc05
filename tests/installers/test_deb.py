"""The Linux package, the way a user gets it: `installers/linux/build-deb` builds the
.deb (PyInstaller one-folder build, cached under build/linux/ by a hash of the sources
and the lock; a clean clone builds it in full), it is unpacked into a scratch root with
`dpkg-deb -x`, and the installed `crasme` creates a vault and opens its window on a
virtual X display, from a clean environment with no Python of ours anywhere on it.

Prints (not asserts) the package's size and the cold start time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from crasme_desktop import APP_ID, APP_NAME, VAULT_MIME_TYPE, __version__
from tests.support.required import unavailable

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "installers" / "linux" / "build-deb"
PASSPHRASE = "correct horse battery staple"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Where a user's Python tools live here; the installed program must use none of them.
DEV_PYTHON = [REPO / ".venv", Path("/root/.pyenv"), Path("/usr/lib/python3"),
              Path("/usr/local/lib/python3.11")]


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            unavailable(f"{tool} (scripts/setup installs it)")


@pytest.fixture(scope="module")
def deb() -> Path:
    """The built .deb (reused when nothing it is made from changed)."""
    _need("dpkg-deb", "objdump")
    started = time.monotonic()
    done = subprocess.run([str(BUILD)], cwd=REPO, capture_output=True, text=True,
                          timeout=3600, env={k: v for k, v in os.environ.items()
                                             if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stderr[-4000:]
    path = REPO / done.stdout.strip().splitlines()[-1]
    took = time.monotonic() - started
    built = "freezing" in done.stderr
    print(f"\n[deb] {path.name}: {path.stat().st_size / 1e6:.1f} MB "
          f"({'built' if built else 'from the cache'} in {took:.0f} s)")
    return path


@pytest.fixture(scope="module")
def root(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package unpacked into a scratch root, as dpkg would lay it out."""
    target = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True, timeout=600)
    return target


def _field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_package_fields_and_description(deb):
    assert _field(deb, "Package") == APP_ID
    assert _field(deb, "Version") == __version__
    assert _field(deb, "Architecture") == subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    description = _field(deb, "Description")
    assert "crasme erase --all" in description
    assert "leaves every" in description and "home folders" in description
    # Owned by root in the archive although built by whoever ran the build.
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    owners = {line.split()[1] for line in listing.splitlines()}
    assert owners == {"root/root"}


def test_maintainer_scripts_never_touch_user_data(deb, tmp_path):
    subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path / "DEBIAN")], check=True)
    for name in ("postinst", "postrm"):
        script = tmp_path / "DEBIAN" / name
        assert os.access(script, os.X_OK), name
        subprocess.run(["sh", "-n", str(script)], check=True)
        text = script.read_text()
        assert not re.search(r"\brm\b|\$HOME|/home|~/|\.local|\.config", text), name
    assert "purge" in (tmp_path / "DEBIAN" / "postrm").read_text()


def test_desktop_entry_icons_and_file_type(root):
    link = root / "usr" / "bin" / "crasme"
    assert link.is_symlink()
    assert os.readlink(link) == f"../../opt/{APP_ID}/crasme"
    assert os.access(link.resolve(), os.X_OK)

    entry = (root / "usr" / "share" / "applications" / f"{APP_ID}.desktop").read_text()
    fields = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert fields["Name"] == APP_NAME
    assert fields["Exec"] == "crasme gui %f"
    assert fields["Icon"] == APP_ID
    assert VAULT_MIME_TYPE in fields["MimeType"].split(";")
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(root / "usr/share/applications" /
                                                     f"{APP_ID}.desktop")], check=True)

    mime = (root / "usr" / "share" / "mime" / "packages" / f"{APP_ID}.xml").read_text()
    assert f'type="{VAULT_MIME_TYPE}"' in mime and 'pattern="*.crasme"' in mime

    from PIL import Image

    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        for kind, name in (("apps", APP_ID), ("mimetypes", VAULT_MIME_TYPE.replace("/", "-"))):
            with Image.open(hicolor / f"{size}x{size}" / kind / f"{name}.png") as image:
                assert image.size == (size, size)
                assert image.mode == "RGBA"
                assert image.getextrema()[3][1] == 255  # something opaque drawn
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def _clean_env(root: Path, home: Path) -> dict[str, str]:
    """What a desktop session gives a program: no virtualenv, no PYTHONPATH, no pyenv;
    private home and XDG folders; no keychain (the vault uses a passphrase)."""
    env = {
        "PATH": f"{root / 'usr' / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                 "XDG_RUNTIME_DIR"):
        Path(env[name]).mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def test_installed_command_runs_without_python_tools(root, tmp_path):
    env = _clean_env(root, tmp_path / "home")
    crasme = str(root / "usr" / "bin" / "crasme")
    out = subprocess.run([crasme, "--version"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"crasme {__version__}"
    assert re.fullmatch(r"Qt 6\.\d+\.\d+, SQLCipher 4\.\d+\.\d+ community, Python 3\.\d+\.\d+",
                        lines[2]), lines
    # The bundle carries its own Python: its interpreter library is inside it.
    internal = root / "opt" / APP_ID / "_internal"
    assert list(internal.glob("libpython3*.so*")), "no libpython in the bundle"


@pytest.mark.timeout(600)
def test_installed_program_creates_a_vault_and_opens_its_window(root, tmp_path):
    _need("Xvfb", "xwininfo", "import")
    home = tmp_path / "home"
    env = _clean_env(root, home)
    crasme = str(root / "usr" / "bin" / "crasme")
    vault = home / "office.crasme"

    made = subprocess.run([crasme, "--vault", str(vault), "init", "--no-keychain", "--json"],
                          env={**env, "CRASME_PASSPHRASE": PASSPHRASE},
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    assert '"recovery_key"' in made.stdout
    assert vault.is_file() and vault.with_name("office.crasme.keys").is_file()
    doctor = subprocess.run([crasme, "--vault", str(vault), "doctor", "--no-keychain"],
                            env={**env, "CRASME_PASSPHRASE": PASSPHRASE},
                            capture_output=True, text=True, timeout=300)
    assert doctor.returncode == 0, doctor.stderr

    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    app = None
    try:
        assert xvfb.stdout is not None
        display = f":{xvfb.stdout.readline().strip()}"
        genv = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                "CRASME_PASSPHRASE": PASSPHRASE}
        log = (tmp_path / "app.log").open("w")
        started = time.monotonic()
        app = subprocess.Popen([crasme, "gui", str(vault)], env=genv, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        window = _wait_for_main_window(display, app, deadline=started + 120)
        cold_start = time.monotonic() - started
        assert window, f"no main window; the app said: {(tmp_path / 'app.log').read_text()}"
        time.sleep(1.5)  # let the dashboard paint its first data
        shot = tmp_path / "screen.png"
        subprocess.run(["import", "-display", display, "-window", "root", str(shot)],
                       check=True, timeout=60)
        loaded = _loaded_files(app.pid)
    finally:
        if app is not None:
            os.killpg(app.pid, signal.SIGTERM)
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(app.pid, signal.SIGKILL)
                app.wait(15)
        xvfb.terminate()
        xvfb.wait(15)

    _assert_window_drawn(shot, window)
    # Everything the running program mapped came from the package or the system's
    # libraries; nothing from a virtualenv or a Python installation.
    bundle = str(root)
    python_files = [f for f in loaded if any(f.startswith(str(p)) for p in DEV_PYTHON)]
    assert not python_files, python_files
    assert any(f.startswith(bundle) and "libpython3" in f for f in loaded)
    keep = REPO / "build" / "test-results" / "deb-main-window.png"
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, keep)
    print(f"\n[deb] cold start to the main window: {cold_start:.1f} s; screenshot {keep}")


def _wait_for_main_window(display: str, app: subprocess.Popen, *, deadline: float
                          ) -> tuple[int, int, int, int] | None:
    """Poll the X server for a viewable "Crasme Desktop — <vault>…" window as big as the
    main window (the unlock screen is 760 px wide, the main window at least 880)."""
    pattern = re.compile(rf'^\s*(0x[0-9a-f]+) "{re.escape(APP_NAME)}[^"]*": .*?'
                         r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)", re.M)
    while time.monotonic() < deadline:
        if app.poll() is not None:
            return None
        tree = subprocess.run(["xwininfo", "-display", display, "-root", "-tree"],
                              capture_output=True, text=True, timeout=30).stdout
        for wid, w, h, _x, _y in pattern.findall(tree):
            if int(w) < 880:
                continue
            info = subprocess.run(["xwininfo", "-display", display, "-id", wid],
                                  capture_output=True, text=True, timeout=30).stdout
            if "IsViewable" in info:
                ax = int(re.search(r"Absolute upper-left X:\s+(-?\d+)", info).group(1))
                ay = int(re.search(r"Absolute upper-left Y:\s+(-?\d+)", info).group(1))
                return ax, ay, int(w), int(h)
        time.sleep(0.2)
    return None


def _loaded_files(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {line.split(None, 5)[5] for line in maps.splitlines()
            if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith("/")}


def _assert_window_drawn(shot: Path, window: tuple[int, int, int, int]) -> None:
    """The screenshot shows a drawn window: not one colour, mostly not the black of
    an empty X screen, with the light background of the app's stylesheet."""
    from PIL import Image

    x, y, w, h = window
    with Image.open(shot) as screen:
        area = screen.convert("RGB").crop((x, y, x + w, y + h))
    colours = area.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, f"{len(colours)} colours: a blank window"
    total = w * h
    black = sum(count for count, rgb in colours if max(rgb) < 16)
    light = sum(count for count, rgb in colours if min(rgb) > 200)
    assert black < total * 0.05, "the window area is black"
    assert light > total * 0.5, "the window is not the app's light background"
