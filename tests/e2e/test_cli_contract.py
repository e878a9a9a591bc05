"""The parts of the command-line contract that need no vault: usage, exit codes, speed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.support.cli_runner import one_sentence


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("args", [["frobnicate"], ["demo", "--contacts", "0"],
                                  ["demo"], ["doctor", "--bogus"]])
def test_usage_errors_exit_2(crasme, args):
    result = crasme(*args)

    assert result.returncode == 2
    assert "usage: crasme" in result.stderr
    assert result.stdout == ""


def test_help_and_version_answer_without_loading_the_database_or_qt(crasme):
    assert "init" in crasme.ok("--help").stdout
    assert crasme.ok("--version").stdout.startswith("crasme ")
    code = (
        "import sys, json\n"
        "from crasme_desktop import __main__, cli\n"
        "cli.parse_args(['doctor', '--json'])\n"
        "heavy = {'sqlalchemy', 'PySide6', 'shiboken6', 'keyring', 'sqlcipher3', 'reportlab'}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_bug_gives_one_sentence_naming_the_log_and_exit_1(isolated_env):
    result = python(
        "import sys\n"
        "from crasme_desktop import cli\n"
        "def boom():\n"
        "    raise RuntimeError('secret detail')\n"
        "sys.exit(cli.guarded(boom))\n"
    )

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert "secret detail" not in sentence
    log = next(isolated_env.state_home.rglob("crasme.log"))
    assert str(log) in sentence
    assert "RuntimeError: secret detail" in log.read_text()


def test_cancel_and_ctrl_c_exit_4_quietly():
    for exc in ("KeyboardInterrupt()", "Cancelled()"):
        result = python(
            "import sys\n"
            "from crasme_desktop import cli\n"
            "from crasme_desktop.domain.errors import Cancelled\n"
            "def stop():\n"
            f"    raise {exc}\n"
            "sys.exit(cli.guarded(stop))\n"
        )
        assert (result.returncode, result.stderr) == (4, "")


def test_user_error_exit_code_and_sentence_pass_through():
    result = python(
        "import sys\n"
        "from crasme_desktop import cli\n"
        "from crasme_desktop.domain.errors import UserError\n"
        "def fail():\n"
        "    raise UserError('Pick a smaller number.', exit_code=27)\n"
        "sys.exit(cli.guarded(fail))\n"
    )

    assert result.returncode == 27
    assert one_sentence(result.stderr) == "Pick a smaller number."


def test_doctor_on_a_missing_vault_says_so(crasme, tmp_path):
    missing = tmp_path / "nowhere.crasme"

    result = crasme("doctor", "--vault", missing)

    assert result.returncode == 25
    assert str(missing) in result.stderr.splitlines()[-1]
    assert not missing.exists()


@pytest.mark.parametrize("argv, expected_vault", [
    ([], None),
    (["gui"], None),
    (["--vault", "/srv/office.crasme"], "/srv/office.crasme"),
    (["gui", "--vault", "/srv/office.crasme"], "/srv/office.crasme"),
])
def test_no_command_or_gui_opens_the_window_for_the_chosen_vault(argv, expected_vault):
    result = python(
        "import json, sys\n"
        "import crasme_desktop.app as app\n"
        "def fake_run(vault_path, *, argv):\n"
        "    print(json.dumps([None if vault_path is None else str(vault_path), argv]))\n"
        "    return 0\n"
        "app.run = fake_run\n"
        "from crasme_desktop.__main__ import main\n"
        f"sys.exit(main({argv!r}))\n"
    )

    assert result.returncode == 0, result.stderr
    vault, qt_argv = json.loads(result.stdout)
    assert vault == expected_vault
    assert len(qt_argv) == 1  # the program name only: our options are not Qt's


def test_commands_never_load_qt(crasme, tmp_path):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "crasme_desktop", "doctor",
         "--vault", str(tmp_path / "missing.crasme")],
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode == 25, result.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "crasme_desktop.services.vaults" in imported  # the measurement saw real work
    assert not [m for m in imported if m.split(".")[0] in {"PySide6", "shiboken6"}]
    assert "crasme_desktop.app" not in imported
