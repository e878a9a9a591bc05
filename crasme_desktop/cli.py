"""The `crasme` command line: parsing, the non-GUI commands, and exit codes.

The command line is a public contract (see README): scripts rely on the commands,
their options, their `--json` output and the exit codes of `ExitCode`. This module
never imports the GUI; `__main__` decides between the GUI and these commands.
Heavy modules (SQLAlchemy, the services) are imported inside the command that
needs them, so that `crasme --help` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from crasme_desktop import APP_NAME, __version__, version_text
from crasme_desktop.domain.errors import Cancelled, ExitCode, UserError
from crasme_desktop.domain.permissions import PermissionDenied

if TYPE_CHECKING:
    from crasme_desktop.vault import Vault

PASSPHRASE_ENV = "CRASME_PASSPHRASE"  # nosec B105  # a label or setting name, not a password
LOG_FILE_NAME = "crasme.log"

RECOVERY_EXPLANATION = (
    "Write it down or print it, and keep it somewhere safe away from this computer. "
    "If {lost}, this recovery key is the only way to open the vault: nobody, including "
    "us, can recover your data without it. It will not be shown again."
)

#: Shown first by `crasme doctor`, in this order; the rest follows as it comes.
DOCTOR_FIRST = ("ok", "unlocked_with", "key_kept_in", "integrity_check",
                "cipher_integrity_check", "audit_chain", "encrypted", "schema_version",
                "schema_head", "rekey_pending", "counts", "cipher", "keychain", "files")
#: Top-level facts the human form of `doctor` already shows under "files" or "keychain".
DOCTOR_REPEATS = frozenset({"vault", "key_slots_file", "key_slots", "file_size", "wal_size",
                            "keychain_backend", "keychain_available", "settings_file",
                            "config_dir", "log_dir", "error"})


# --------------------------------------------------------------------------- parsing


class _VersionAction(argparse.Action):
    """`crasme --version`: "crasme X.Y.Z", then what the About box shows (the versions of
    Qt, SQLCipher and Python and the licence). Worked out only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        sys.stdout.write(f"crasme {__version__}\n{about_text()}\n")
        parser.exit()


def about_text() -> str:
    """The About box's version lines, without importing Qt (its version is read from the
    installed PySide6's metadata, which is the Qt it bundles)."""
    from importlib import metadata

    from crasme_desktop.vault.versions import sqlcipher_version

    qt = "unknown"
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            qt = metadata.version(dist)
            break
        except metadata.PackageNotFoundError:
            continue
    return version_text(qt=qt, sqlcipher=sqlcipher_version())


def build_parser() -> argparse.ArgumentParser:
    """The whole `crasme` command line (GUI by default)."""
    parser = argparse.ArgumentParser(
        prog="crasme",
        description=f"{APP_NAME}: a local-first CRM kept in one encrypted file.",
        epilog="With no command, the window opens. Exit codes are listed in the README.",
    )
    parser.add_argument("--version", action=_VersionAction,
                        help="show the version of the program and of its parts, and exit")
    parser.add_argument(
        "--vault", type=Path, metavar="PATH", default=None,
        help="the vault file to use (default: $CRASME_VAULT, else default.crasme in "
        "your data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    # Options each command accepts after its own name too: `crasme doctor --vault X`.
    vault_opt = argparse.ArgumentParser(add_help=False)
    vault_opt.add_argument("--vault", type=Path, metavar="PATH", default=argparse.SUPPRESS,
                           help="the vault file to use")
    json_opt = argparse.ArgumentParser(add_help=False)
    json_opt.add_argument("--json", action="store_true",
                          help="print the result as JSON on stdout")
    unlock_opt = argparse.ArgumentParser(add_help=False)
    unlock = unlock_opt.add_argument_group("unlocking (tried in this order)")
    unlock.add_argument("--no-keychain", action="store_true",
                        help="do not use this computer's keychain")
    unlock.add_argument("--passphrase-stdin", action="store_true",
                        help=f"read the passphrase from the first line of stdin "
                        f"(otherwise ${PASSPHRASE_ENV} is used when set)")
    unlock.add_argument("--recovery-key-stdin", action="store_true",
                        help="read the recovery key from stdin (the next line after a "
                        "passphrase, if both are asked for)")
    unlock.add_argument("--user", metavar="NAME", default=None,
                        help="sign in as this user of a vault with several users; their "
                        f"passphrase is read like the vault's (stdin, ${PASSPHRASE_ENV}, or "
                        "asked at a terminal). Without it, the user this computer's keychain "
                        "remembers signs in, if any")

    gui = commands.add_parser("gui", parents=[vault_opt], help="open the window (the default)")
    gui.add_argument("file", nargs="?", type=Path, metavar="FILE",
                     help="a vault to open (what a file manager passes for a .crasme file)")

    init = commands.add_parser(
        "init", parents=[vault_opt, json_opt],
        help="create a new vault and show its recovery key once",
        description="Create a new encrypted vault. Its key goes to this computer's "
        "keychain and, if you choose a passphrase, to a passphrase slot; a recovery "
        "key is printed once.",
    )
    init.add_argument("--no-keychain", action="store_true",
                      help="do not keep the key in this computer's keychain (a passphrase "
                      "is then required)")
    init.add_argument("--passphrase-stdin", action="store_true",
                      help=f"read the passphrase from stdin (otherwise ${PASSPHRASE_ENV}, "
                      "else you are asked when a terminal is attached)")
    init.set_defaults(handler=cmd_init)

    doctor = commands.add_parser(
        "doctor", parents=[vault_opt, json_opt, unlock_opt],
        help="check the vault and report keys, encryption settings and file locations",
    )
    doctor.set_defaults(handler=cmd_doctor)

    rekey = commands.add_parser(
        "rekey", parents=[vault_opt, json_opt, unlock_opt],
        help="encrypt the vault with a new key and print the new recovery key once",
    )
    rekey.set_defaults(handler=cmd_rekey)

    demo = commands.add_parser(
        "demo", parents=[vault_opt, json_opt, unlock_opt],
        help="fill the vault with sample contacts",
    )
    demo.add_argument("--contacts", type=_positive_int, required=True, metavar="N",
                      help="how many sample people to add")
    demo.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    demo.set_defaults(handler=cmd_demo)

    find = commands.add_parser(
        "search", parents=[vault_opt, json_opt, unlock_opt],
        help="find people and companies by any part of a name, email or phone",
    )
    find.add_argument("text", metavar="TEXT", help="what to look for")
    find.add_argument("--limit", type=_positive_int, default=20, metavar="N",
                      help="show at most N of each kind (default: 20)")
    find.set_defaults(handler=cmd_search)

    imp = commands.add_parser(
        "import", parents=[vault_opt, json_opt, unlock_opt],
        help="import people from a CSV or vCard file",
        description="Import people from a CSV file (Google Contacts, Outlook or any "
        "spreadsheet) or a vCard file. Every row is reported as created, merged into a "
        "person already in the vault, or skipped, with the reason. All or nothing: "
        "a failed or stopped import leaves the vault as it was.",
    )
    imp.add_argument("file", type=Path, metavar="FILE",
                     help="the .csv or .vcf file, or a whole-vault export (.zip) made by "
                     "`crasme export`, which goes only into a new, empty vault (its "
                     "password from $CRASME_EXPORT_PASSWORD, or asked)")
    imp.add_argument("--dry-run", action="store_true",
                     help="show what would happen, change nothing")
    imp.add_argument("--preset", choices=("google", "outlook", "guessed"), default=None,
                     help="read the CSV columns as this exporter writes them "
                     "(default: recognised from the column names)")
    imp.set_defaults(handler=cmd_import)

    _add_backup_commands(commands, [vault_opt, json_opt, unlock_opt])
    _add_invoice_commands(commands, [vault_opt, json_opt, unlock_opt])
    _add_erase_command(commands, [vault_opt, json_opt, unlock_opt])
    _add_export_command(commands, [vault_opt, json_opt, unlock_opt])
    _add_privacy_commands(commands, [vault_opt, json_opt, unlock_opt])
    _add_mailbox_commands(commands, [vault_opt, json_opt, unlock_opt])
    _add_ticket_commands(commands, [vault_opt, json_opt, unlock_opt])
    _add_schedule_commands(commands, [vault_opt, json_opt, unlock_opt])
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `argv` (without the program name); exits 2 with usage on errors."""
    args = build_parser().parse_args(list(argv))
    if args.command is None:
        args.command = "gui"
    # `crasme gui FILE`: the vault to open (other commands' FILE is their input).
    if args.command == "gui" and getattr(args, "file", None) is not None:
        args.vault = args.file
    return args


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------- running safely


def run(args: argparse.Namespace) -> int:
    """Run a parsed non-GUI command and return its exit code."""
    install_language()
    return guarded(lambda: args.handler(args))


def install_language(environ: Mapping[str, str] | None = None) -> str:
    """Sentences, PDFs and e-mails of the commands in the language chosen in Settings, or
    the system's (LC_ALL, LC_MESSAGES, LANG, as gettext reads them), from the same
    compiled catalogs the window loads (domain/i18n.py); returns the language."""
    from crasme_desktop import resource_path
    from crasme_desktop.domain import i18n
    from crasme_desktop.formats import qm_catalog
    from crasme_desktop.vault.settings_store import load_app_settings

    env = os.environ if environ is None else environ
    system = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    lang = i18n.chosen_language(load_app_settings().language, system)
    folder = resource_path("translations")
    i18n.set_catalog_loader(lambda code: qm_catalog.load(folder, code))
    i18n.install(lang)
    return lang


def guarded(work: Callable[[], int]) -> int:
    """Run `work`, turning known errors into one sentence and an exit code.

    UserError: its sentence on stderr and its exit code. Cancelled or Ctrl+C:
    nothing said, exit 4. Anything else is a bug: the traceback goes to the log
    file and stderr gets one sentence saying where it is.
    """
    try:
        return work()
    except UserError as exc:
        _say(exc.message)
        return exc.exit_code
    except (Cancelled, KeyboardInterrupt):
        return ExitCode.CANCELLED
    except BrokenPipeError:
        # Output piped into `head` and the like: not our failure, and not worth a word.
        _silence_stdout()
        return ExitCode.OK
    except Exception:
        log_path = record_bug()
        where = f"the details are in {log_path}" if log_path else "no log could be written"
        _say(f"{APP_NAME} stopped because of an unexpected problem; {where}.")
        return ExitCode.BUG


def log_file() -> Path:
    """Where unexpected errors are recorded (the platform's user log folder)."""
    from crasme_desktop.vault.paths import log_dir

    return log_dir() / LOG_FILE_NAME


def record_bug() -> Path | None:
    """Append the current exception's traceback to the log; its path, or None."""
    import traceback

    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S%z")
            fh.write(f"--- {stamp} crasme {__version__} {_command_words(sys.argv[1:])}\n")
            fh.write(traceback.format_exc())
    except OSError:
        return None
    return path


def _command_words(argv: Sequence[str]) -> str:
    """The command and its option names for the log, never their values: a search text,
    a file name or a passphrase on the command line may be personal."""
    words: list[str] = []
    for arg in argv:
        if arg.startswith("-"):
            words.append(arg.split("=", 1)[0])
            continue
        names_command = all(w.startswith("-") for w in words) or words[-1] in (
            "backup", "invoice", "mailbox")
        if names_command and arg.isidentifier():
            words.append(arg)
    return " ".join(words)


def _say(sentence: str) -> None:
    print(sentence, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _print_json(data: Any) -> None:
    print(json.dumps(_plain(data), indent=2, sort_keys=False, ensure_ascii=False))


def _plain(value: Any) -> Any:
    """Dataclasses, paths and tuples as JSON-friendly values."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------- secrets in


class SecretSource:
    """Passphrase and recovery key from stdin, the environment or a prompt."""

    def __init__(self, args: argparse.Namespace, stdin: TextIO | None = None) -> None:
        self._stdin = stdin if stdin is not None else sys.stdin
        self.passphrase: str | None = None
        self.recovery_key: str | None = None
        want_pass = bool(getattr(args, "passphrase_stdin", False))
        want_recovery = bool(getattr(args, "recovery_key_stdin", False))
        if want_pass or want_recovery:
            lines = self._read_lines(int(want_pass) + int(want_recovery))
            if want_pass:
                self.passphrase = lines.pop(0)
            if want_recovery:
                self.recovery_key = lines.pop(0).strip()
        if self.passphrase is None and os.environ.get(PASSPHRASE_ENV):
            self.passphrase = os.environ[PASSPHRASE_ENV]

    def _read_lines(self, count: int) -> list[str]:
        lines = []
        for _ in range(count):
            line = self._stdin.readline()
            if not line:
                raise UserError("Expected a secret on standard input, but it ended first.",
                                exit_code=ExitCode.USAGE)
            lines.append(line.rstrip("\r\n"))
        if any(not line for line in lines):
            raise UserError("The secret read from standard input is empty.",
                            exit_code=ExitCode.USAGE)
        return lines

    @property
    def interactive(self) -> bool:
        """True when we may ask a person at a terminal."""
        try:
            return self._stdin.isatty() and sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def given(self) -> bool:
        return self.passphrase is not None or self.recovery_key is not None


def _ask_secret(prompt: str) -> str:
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise Cancelled() from None


def _ask_new_passphrase(keychain_available: bool) -> str | None:
    """Ask twice at a terminal; None when the person keeps the keychain only."""
    if keychain_available:
        _say("Choose a passphrase to unlock the vault where the keychain is not at hand,")
        _say("or press Enter to rely on this computer's keychain and your recovery key.")
    else:
        _say("This computer has no keychain Crasme Desktop can use, so choose a passphrase;")
        _say("you will type it each time you open the vault.")
    while True:
        first = _ask_secret("New passphrase: ")
        if not first:
            if keychain_available:
                return None
            _say("A passphrase is needed here; press Ctrl+C to stop.")
            continue
        second = _ask_secret("Repeat the passphrase: ")
        if first == second:
            return first
        _say("The two passphrases differ; try again.")


# ------------------------------------------------------------------ the commands


def vault_path_of(args: argparse.Namespace) -> Path:
    """The vault chosen by --vault, else $CRASME_VAULT, else the default place."""
    if args.vault is not None:
        return Path(args.vault).expanduser()
    from crasme_desktop.vault import default_vault_path

    return default_vault_path()


def cmd_init(args: argparse.Namespace) -> int:
    """`crasme init`: create the vault and show the recovery key once."""
    from crasme_desktop.services import vaults

    path = vault_path_of(args)
    use_keychain = not args.no_keychain
    secrets = SecretSource(args)
    passphrase = secrets.passphrase
    if passphrase is None and secrets.interactive:
        description = vaults.describe(path)
        if description.exists:
            from crasme_desktop.vault.errors import VaultExists

            raise VaultExists(path)
        passphrase = _ask_new_passphrase(use_keychain and description.keychain_available)
    created = vaults.create(path, passphrase=passphrase, use_keychain=use_keychain)
    report = {
        "vault": str(created.path),
        "vault_id": created.vault_id,
        "key_slots": str(_keyslot_path(created.path)),
        "keychain_used": created.keychain_used,
        "passphrase_slot": passphrase is not None,
        "recovery_key": created.recovery_key,
        "notices": list(created.notices),
    }
    if args.json:
        _print_json(report)
        return ExitCode.OK
    print(f"Created the vault {created.path}.")
    where = []
    if created.keychain_used:
        where.append("this computer's keychain")
    if passphrase is not None:
        where.append("a passphrase slot")
    if where:
        print(f"Its key is kept in {' and '.join(where)}, and in a recovery-key slot.")
    for notice in created.notices:
        print(notice)
    _print_recovery_key(created.recovery_key, has_passphrase=passphrase is not None,
                        has_keychain=created.keychain_used)
    return ExitCode.OK


def _print_recovery_key(recovery_key: str, *, has_passphrase: bool, has_keychain: bool) -> None:
    losses = []
    if has_keychain:
        losses.append("this computer's keychain loses the vault's key")
    if has_passphrase:
        losses.append("you forget your passphrase")
    lost = " and ".join(losses) or "this key is lost"
    print()
    print("Your recovery key (shown only this once):")
    print()
    print(f"    {recovery_key}")
    print()
    import textwrap

    print(textwrap.fill(RECOVERY_EXPLANATION.format(lost=lost), width=78))


def _keyslot_path(vault: Path) -> Path:
    from crasme_desktop.vault import keyslot_path

    return keyslot_path(vault)


def open_for_command(args: argparse.Namespace, secrets: SecretSource | None = None) -> Vault:
    """Unlock the chosen vault without a window: keychain, passphrase, recovery key.

    At a terminal, when nothing else unlocks it, the passphrase (or the recovery
    key) is asked for.
    """
    from crasme_desktop.services import vaults
    from crasme_desktop.vault.errors import KeyUnavailable

    path = vault_path_of(args)
    if secrets is None:
        secrets = SecretSource(args)
    use_keychain = not getattr(args, "no_keychain", False)
    user = getattr(args, "user", None)
    if user is not None:
        return _sign_in_for_command(path, user, secrets, use_keychain)
    if use_keychain and not secrets.given:
        from crasme_desktop.vault.errors import KeychainLocked

        try:  # a user this computer remembers signs in first (vaults with user sign-ins)
            return vaults.sign_in(path)
        except (KeyUnavailable, KeychainLocked):
            pass
    try:
        return vaults.unlock(path, passphrase=secrets.passphrase,
                             recovery_key=secrets.recovery_key, use_keychain=use_keychain)
    except KeyUnavailable:
        if secrets.given or not secrets.interactive:
            raise
    description = vaults.describe(path)
    if description.has_passphrase:
        passphrase = _ask_secret(f"Passphrase for {path}: ")
        if passphrase:
            vault = vaults.unlock(path, passphrase=passphrase, use_keychain=False)
            secrets.passphrase = passphrase
            return vault
    if description.has_recovery:
        recovery = _ask_secret("Recovery key: ").strip()
        if recovery:
            return vaults.unlock(path, recovery_key=recovery, use_keychain=False)
    raise Cancelled()


def _sign_in_for_command(path: Path, user: str, secrets: SecretSource,
                         use_keychain: bool) -> Vault:
    """`--user NAME`: sign in as that user with their passphrase (stdin, the environment,
    or asked at a terminal)."""
    from crasme_desktop.services import vaults

    passphrase = secrets.passphrase
    if passphrase is None:
        if not secrets.interactive:
            raise UserError(f"Give the passphrase of {user} on standard input "
                            f"(--passphrase-stdin) or in ${PASSPHRASE_ENV}.",
                            exit_code=ExitCode.USAGE)
        passphrase = _ask_secret(f"Passphrase for {user}: ")
        if not passphrase:
            raise Cancelled()
    return vaults.sign_in(path, user, passphrase, use_keychain=use_keychain)


def cmd_doctor(args: argparse.Namespace) -> int:
    """`crasme doctor`: what a support person needs to know, and integrity checks."""
    from crasme_desktop.services import vaults
    path = vault_path_of(args)
    report: dict[str, Any] = {"version": __version__}
    report["files"] = _file_locations(path)
    report["keychain"] = _keychain_report(path)
    failure: UserError | None = None
    if not path.exists():
        from crasme_desktop.vault.errors import VaultNotFound

        failure = VaultNotFound(path)
    else:
        try:
            vault = open_for_command(args)
        except UserError as exc:
            failure = exc
        else:
            try:
                report.update(_plain(vaults.doctor(vault)))
            except PermissionDenied as exc:  # the checks need "settings": say who opened it
                report["unlocked_with"] = vault.key_source
                failure = exc
            finally:
                vault.close()
    if failure is not None:
        report["error"] = {"message": failure.message, "exit_code": failure.exit_code}
    integrity_ok = failure is None and report.get("ok") is True
    report["ok"] = integrity_ok
    if args.json:
        _print_json(report)
    else:
        _print_report(_for_people(report))
    if failure is not None:
        if not args.json:
            _say(failure.message)
        return failure.exit_code
    if not integrity_ok:
        from crasme_desktop.vault.errors import restore_advice

        chain = report.get("audit_chain")
        if isinstance(chain, dict) and chain.get("ok") is False:
            # The file is sound but its audit trail was tampered with: say which entry.
            _say(f"{chain['message'][:-1]} (vault {path}); keep this copy as evidence and "
                 "compare it with a backup.")
        else:
            _say(f"The vault {path} failed its integrity checks; {restore_advice(path)}.")
        return ExitCode.INTEGRITY_FAILED
    return ExitCode.OK


def _file_locations(path: Path) -> dict[str, Any]:
    from crasme_desktop.vault import paths

    def entry(p: Path) -> dict[str, Any]:
        try:
            size: int | None = p.stat().st_size
        except OSError:
            size = None
        return {"path": str(p), "exists": size is not None, "size": size}

    wal, shm = paths.sidecar_paths(path)
    return {
        "vault": entry(path),
        "wal": entry(wal),
        "shm": entry(shm),
        "key_slots": entry(paths.keyslot_path(path)),
        "backups": {"path": str(paths.backup_dir(path)), "exists": paths.backup_dir(path).is_dir()},
        "settings": entry(paths.settings_path()),
        "log": entry(log_file()),
    }


def _keychain_report(path: Path) -> dict[str, Any]:
    from crasme_desktop.services import vaults
    from crasme_desktop.vault import Keychain

    keychain = Keychain()
    description = vaults.describe(path, keychain=keychain)
    return {
        "backend": keychain.backend_name,
        "available": description.keychain_available,
        "has_key_for_vault": description.keychain_has_key,
        "vault_id": description.vault_id,
        "passphrase_slot": description.has_passphrase,
        "recovery_slot": description.has_recovery,
    }


def _for_people(report: dict[str, Any]) -> dict[str, Any]:
    """The doctor report reordered for reading, without repeats, sizes made readable."""
    ordered = {k: report[k] for k in DOCTOR_FIRST if k in report}
    ordered.update({k: v for k, v in report.items()
                    if k not in ordered and k not in DOCTOR_REPEATS})
    files = ordered.get("files")
    if isinstance(files, dict):
        ordered["files"] = {
            name: (f"{entry['path']} ({_size(entry.get('size'))})" if entry.get("exists")
                   else f"{entry['path']} (not there)")
            for name, entry in files.items() if isinstance(entry, dict)
        }
    return ordered


def _size(size: int | None) -> str:
    if size is None:
        return "directory"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def _print_report(report: dict[str, Any], indent: int = 0) -> None:
    pad = "  " * indent
    for key, value in report.items():
        label = key.replace("_", " ")
        if isinstance(value, dict):
            print(f"{pad}{label}:")
            _print_report(value, indent + 1)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) if value else "none"
            print(f"{pad}{label}: {shown}")
        else:
            print(f"{pad}{label}: {_human(value)}")


def _human(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "-"
    return str(value)


def cmd_rekey(args: argparse.Namespace) -> int:
    """`crasme rekey`: a new data key, and a new recovery key shown once."""
    from crasme_desktop.services import vaults

    secrets = SecretSource(args)
    vault = open_for_command(args, secrets)
    try:
        if secrets.passphrase is None and vault.has_passphrase and secrets.interactive:
            secrets.passphrase = _ask_secret(f"Passphrase for {vault.path}: ") or None
        recovery_key = vaults.rekey(vault, passphrase=secrets.passphrase)
        path = vault.path
        has_passphrase = vault.has_passphrase
        has_keychain = vaults.describe(path).keychain_has_key
    finally:
        vault.close()
    if args.json:
        _print_json({"vault": str(path), "recovery_key": recovery_key})
        return ExitCode.OK
    print(f"The vault {path} is now encrypted with a new key.")
    print("Your old recovery key no longer opens it.")
    _print_recovery_key(recovery_key, has_passphrase=has_passphrase,
                        has_keychain=has_keychain)
    return ExitCode.OK


class _ProgressLine:
    """Progress on stderr: one line redrawn in place at a terminal (ten times a
    second at most), or a plain line every few seconds when stderr is a file."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        try:
            self._tty = self._stream.isatty()
        except (AttributeError, ValueError):
            self._tty = False
        self._every = 0.1 if self._tty else 5.0
        self._last: float | None = None
        self._shown = False

    def __call__(self, done: int, total: int, text: str = "") -> None:
        now = time.monotonic()
        if self._last is not None and done < total and now - self._last < self._every:
            return
        self._last = now
        percent = f" ({100 * done // total}%)" if total else ""
        line = f"{self._label}: {done}/{total}{percent}"
        if self._tty:
            self._stream.write(f"\r{line}\x1b[K")
            self._shown = True
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def cmd_demo(args: argparse.Namespace) -> int:
    """`crasme demo --contacts N`: sample data, with a progress line on stderr."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import demo

    vault = open_for_command(args)
    line = _ProgressLine("Adding sample data")
    try:
        result = demo.fill_demo(vault, contacts=args.contacts, progress=Progress(line),
                                seed=args.seed)
        path = vault.path
    finally:
        line.finish()
        vault.close()
    counts = _plain(result)
    if args.json:
        _print_json({"vault": str(path), **(counts if isinstance(counts, dict) else {})})
        return ExitCode.OK
    if isinstance(counts, dict):
        parts = [f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if isinstance(v, int)]
        print(f"Added {', '.join(parts)} to {path}.")
    else:
        print(f"Added sample data to {path}.")
    return ExitCode.OK


def cmd_search(args: argparse.Namespace) -> int:
    """`crasme search TEXT`: hits grouped by kind; finding nothing is not an error."""
    from crasme_desktop.services import search

    vault = open_for_command(args)
    try:
        results = search.search(vault, args.text, limit=args.limit)
    finally:
        vault.close()
    if args.json:
        _print_json({"text": args.text, "groups": [_plain(g) for g in results.groups]})
        return ExitCode.OK
    if results.empty:
        print(f"No matches for \u201c{args.text}\u201d.")
    for group in results.groups:
        print(group.label)
        for hit in group.hits:
            about = f"  ({hit.subtitle})" if hit.subtitle else ""
            print(f"  {hit.title}{about}  [{hit.id}]")
    return ExitCode.OK


_IMPORT_ACTIONS = {"create": "new", "merge": "merge", "skip": "skip"}


def cmd_import(args: argparse.Namespace) -> int:
    """`crasme import FILE`: plan, report every row, then commit (unless --dry-run)."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import importing, privacy_export

    if privacy_export.is_export(args.file):
        return cmd_import_export(args)
    # The file first: one that cannot be read is refused before the vault is unlocked.
    parsed = importing.parse_file(args.file, preset=args.preset)
    vault = open_for_command(args)
    line = _ProgressLine("Importing")
    outcome = None
    try:
        plan = importing.plan_import(vault, parsed, progress=Progress(line))
        if not args.dry_run:
            outcome = importing.commit_import(vault, plan, Progress(line))
            plan = outcome.plan
    finally:
        line.finish()
        vault.close()
    if args.json:
        report: dict[str, Any] = {
            "file": str(args.file), "kind": plan.kind, "dry_run": args.dry_run,
            "encoding": plan.encoding, "delimiter": plan.delimiter, "preset": plan.preset,
            "people_created": plan.people_created, "people_merged": plan.people_merged,
            "rows_skipped": plan.rows_skipped,
            "organizations_created": plan.organizations_created,
            "import_id": outcome.import_id if outcome else None,
            "replanned": outcome.replanned if outcome else False,
            "rows": [_plain(r) for r in plan.rows],
        }
        _print_json(report)
        return ExitCode.OK
    for row in plan.rows:
        print(f"{_IMPORT_ACTIONS.get(row.action, row.action):<6} {row.reason}")
        for note in row.notes:
            print(f"{'':<6} {note}")
    print(plan.summary())
    if outcome is None:
        print("Dry run: nothing was imported.")
    else:
        if outcome.replanned:
            print("The vault changed after the file was read, so it was checked again "
                  "before importing.")
        print(f"Imported into {vault.path}: {outcome.people_created} new, "
              f"{outcome.people_merged} completed, {outcome.rows_skipped} skipped.")
    return ExitCode.OK


# ------------------------------------------------------------------------- backups


def _add_backup_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup",
        help="make, list, check and restore encrypted backups of the vault",
        description="Backups are encrypted copies of the vault, checked right after "
        "they are made. They go to the folder chosen in Settings (by default the "
        "\u201c<vault> backups\u201d folder beside the vault), or to --to DIR.",
    )
    actions = backup.add_subparsers(dest="backup_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=parents,
                                help="make a backup now and check it")
    create.add_argument("--to", type=Path, metavar="DIR", default=None,
                        help="write it to this folder instead of the usual one")
    listing = actions.add_parser("list", parents=parents, help="list the backups, newest first")
    listing.add_argument("--to", type=Path, metavar="DIR", default=None,
                         help="list this folder instead of the usual one")
    verify = actions.add_parser(
        "verify", parents=parents,
        help="check backups: both integrity checks and the record counts (default: all)",
    )
    verify.add_argument("file", type=Path, metavar="FILE", nargs="?", default=None,
                        help="the backup to check (default: every backup in the folder)")
    restore = actions.add_parser(
        "restore", parents=parents,
        help="replace the vault with a backup (a backup of the vault as it is comes first)",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true",
                         help="do not ask for confirmation at the terminal")
    actions.add_parser("drill", parents=parents,
                       help="test now that the newest backup restores, and report")
    push = actions.add_parser(
        "push", parents=parents,
        help="send a backup (default: the newest) to the off-site storage set up in Settings",
    )
    push.add_argument("file", type=Path, metavar="FILE", nargs="?", default=None,
                      help="the backup to send (default: the newest checked one)")
    actions.add_parser("remote-list", parents=parents,
                       help="list the off-site backups of this vault, newest first")
    remote_restore = actions.add_parser(
        "remote-restore", parents=parents,
        help="download an off-site backup, check it and restore it (a backup of the vault "
        "as it is comes first)",
    )
    remote_restore.add_argument("name", metavar="NAME",
                                help="the off-site backup's name, as remote-list shows it")
    remote_restore.add_argument("--yes", action="store_true",
                                help="do not ask for confirmation at the terminal")
    backup.set_defaults(handler=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    """`crasme backup create|list|verify|restore|drill`."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import backups

    action = args.backup_action
    if action == "restore" and not args.file.is_file():
        raise UserError(f"There is no backup at {args.file}; check the path.")
    if action in ("push", "remote-list", "remote-restore"):
        return _cmd_offsite(args)
    vault = open_for_command(args)
    try:
        if action == "create":
            line = _ProgressLine("Backing up")
            try:
                info = backups.make_backup(vault, folder=args.to, progress=Progress(line))
            finally:
                line.finish()
            if args.json:
                _print_json(_backup_json(info))
            else:
                print(f"Backed up and checked: {info.path} ({_size(info.size)}).")
            return ExitCode.OK
        if action == "list":
            found = backups.list_backups(vault, args.to)
            folder = args.to or backups.folder_for(vault)
            if args.json:
                _print_json({"folder": str(folder), "backups": [_backup_json(b) for b in found]})
                return ExitCode.OK
            if not found:
                print(f"No backups in {folder}.")
            for info in found:
                when = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
                print(f"{when}  {info.reason:<16} {_size(info.size):>9}  {info.path}")
            return ExitCode.OK
        if action == "verify":
            paths = [args.file] if args.file else [b.path for b in backups.list_backups(vault)]
            checks = [backups.check_backup(vault, p) for p in paths]
            if args.json:
                _print_json({"checked": [{"path": str(c.path), "ok": c.ok,
                                          "problems": list(c.problems)} for c in checks]})
            else:
                for check in checks:
                    verdict = "ok" if check.ok else "FAILED: " + "; ".join(check.problems)
                    print(f"{check.path}: {verdict}")
                if not checks:
                    print("There are no backups to check.")
            if any(not c.ok for c in checks):
                return ExitCode.INTEGRITY_FAILED
            return ExitCode.OK
        if action == "restore":
            if not args.yes and SecretSource(args).interactive:
                answer = input(f"Replace the contents of {vault.path} with {args.file}? "
                               "A backup of the vault as it is now is made first. [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    raise Cancelled()
            outcome = backups.restore_backup(vault, args.file)
            if args.json:
                _print_json({"restored": _backup_json(outcome.restored),
                             "safety_backup": _backup_json(outcome.safety_backup)})
            else:
                print(f"Restored {outcome.restored.path} into {vault.path}.")
                print(f"The vault as it was before is kept in {outcome.safety_backup.path}.")
            return ExitCode.OK
        report = backups.restore_drill(vault, force=True)
        assert report is not None  # nosec B101  # narrows a type the code above guarantees
        if args.json:
            _print_json({"ok": report.ok, "backup": report.backup, "message": report.message})
        else:
            print(report.message)
        return ExitCode.OK if report.ok else ExitCode.INTEGRITY_FAILED
    finally:
        vault.close()


def _cmd_offsite(args: argparse.Namespace) -> int:
    """`crasme backup push [FILE]|remote-list|remote-restore NAME` (off-site copies)."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import offsite

    action = args.backup_action
    vault = open_for_command(args)
    try:
        if action == "push":
            line = _ProgressLine("Sending")
            try:
                outcome = offsite.push_backup(vault, args.file, progress=Progress(line))
            finally:
                line.finish()
            copy = outcome.copy
            if args.json:
                _print_json({"name": copy.name, "size": copy.size,
                             "created_at": copy.created_at.isoformat(),
                             "sent_at": copy.sent_at.isoformat(),
                             "removed": list(outcome.removed)})
            else:
                print(f"Sent and checked off-site: {copy.name} ({_size(copy.size)}).")
            return ExitCode.OK
        if action == "remote-list":
            found = offsite.list_remote(vault)
            if args.json:
                _print_json({"place": offsite.get_settings(vault).place, "backups": [
                    {"name": b.name, "created_at": b.created_at.isoformat(),
                     "reason": b.reason, "size": b.size, "complete": b.complete}
                    for b in found]})
                return ExitCode.OK
            if not found:
                print("No off-site backups of this vault yet.")
            for b in found:
                when = b.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
                whole = "" if b.complete else "  (incomplete)"
                print(f"{when}  {b.reason:<16} {_size(b.size):>9}  {b.name}{whole}")
            return ExitCode.OK
        if not args.yes and SecretSource(args).interactive:
            answer = input(f"Replace the contents of {vault.path} with the off-site backup "
                           f"{args.name}? A backup of the vault as it is now is made first. "
                           "[y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise Cancelled()
        outcome = offsite.restore_remote(vault, args.name)
        if args.json:
            _print_json({"restored": args.name, "counts": outcome.counts,
                         "safety_backup": _backup_json(outcome.safety_backup)})
        else:
            print(f"Restored the off-site backup {args.name} into {vault.path}.")
            print(f"The vault as it was before is kept in {outcome.safety_backup.path}.")
        return ExitCode.OK
    finally:
        vault.close()


def _backup_json(info: Any) -> dict[str, Any]:
    return {"path": str(info.path), "created_at": info.created_at.isoformat(),
            "reason": info.reason, "size": info.size, "schema": info.schema,
            "sha256": info.sha256, "counts": info.counts}


# ------------------------------------------------------------------------ invoices


def _add_invoice_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    invoice = commands.add_parser("invoice", help="work with issued invoices and credit notes")
    actions = invoice.add_subparsers(dest="invoice_action", metavar="ACTION", required=True)
    pdf = actions.add_parser(
        "pdf", parents=parents, help="save an invoice or credit note as a PDF",
        description="Save the invoice or credit note with this number as an A4 PDF. "
        "With --facturx the PDF is also a Factur-X/ZUGFeRD e-invoice (EN 16931).",
    )
    pdf.add_argument("number", metavar="NUMBER", help="the invoice number, e.g. INV-2026-0001")
    pdf.add_argument("--out", type=Path, metavar="FILE", required=True,
                     help="where to write the PDF")
    pdf.add_argument("--facturx", action="store_true",
                     help="embed the e-invoice XML (Factur-X, profile EN 16931)")
    invoice.set_defaults(handler=cmd_invoice)


def cmd_invoice(args: argparse.Namespace) -> int:
    """`crasme invoice pdf NUMBER --out FILE [--facturx]`."""
    from crasme_desktop.services import invoices, sales_files

    vault = open_for_command(args)
    try:
        invoice_id = invoices.find_invoice_by_number(vault, args.number)
        if invoice_id is None:
            raise UserError(f"No invoice or credit note has the number \u201c{args.number}\u201d; "
                            "check the number in the list of invoices.")
        path = sales_files.save_pdf(vault, "invoice", invoice_id, args.out.resolve(),
                                    facturx=args.facturx)
        record = invoices.get_invoice(vault, invoice_id)
    finally:
        vault.close()
    if args.json:
        _print_json({"number": record.number, "kind": record.kind, "path": str(path),
                     "facturx": args.facturx, "size": path.stat().st_size})
    else:
        what = "Credit note" if record.kind == "credit_note" else "Invoice"
        print(f"{what} {record.number} saved to {path}"
              f"{' (with Factur-X e-invoice)' if args.facturx else ''}.")
    return ExitCode.OK


# ------------------------------------------------------------------------ privacy export


EXPORT_PASSWORD_ENV = "CRASME_EXPORT_PASSWORD"  # nosec B105  # a label or setting name, not a password


def _add_export_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", parents=parents,
        help="export the whole vault, or everything held on one person, as one ZIP",
        description="Write the whole vault, or with --person everything held on one "
        "person (a subject access export with a readable PDF report), as one ZIP of "
        "open formats: JSON with its schema, CSV, vCard, iCalendar, attached files and "
        "invoice PDFs. With --encrypt the ZIP is encrypted with AES-256; the password "
        f"comes from ${EXPORT_PASSWORD_ENV}, or is asked at the terminal.",
    )
    export.add_argument("--out", type=Path, metavar="FILE", required=True,
                        help="where to write the .zip")
    export.add_argument("--person", metavar="ID", default=None,
                        help="export only this person (their id, as `crasme search` shows)")
    export.add_argument("--encrypt", action="store_true",
                        help="encrypt the ZIP with a password (AES-256)")
    export.set_defaults(handler=cmd_export)


def _export_password(args: argparse.Namespace, *, confirm: bool) -> str | None:
    given = os.environ.get(EXPORT_PASSWORD_ENV)
    if given:
        return given
    if not SecretSource(args).interactive:
        raise UserError(f"The export's password is needed: set {EXPORT_PASSWORD_ENV}, or run "
                        "the command at a terminal to type it.", exit_code=ExitCode.USAGE)
    first = _ask_secret("Password for the export: ")
    if confirm and _ask_secret("Repeat the password: ") != first:
        raise UserError("The two passwords differ; run the command again.",
                        exit_code=ExitCode.USAGE)
    return first


def cmd_export(args: argparse.Namespace) -> int:
    """`crasme export --out FILE [--person ID] [--encrypt]`."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import privacy_export

    out = args.out.expanduser().resolve()
    password = _export_password(args, confirm=True) if args.encrypt else None
    privacy_export.check_password(password)
    vault = open_for_command(args)
    line = _ProgressLine("Exporting")
    try:
        if args.person:
            summary = privacy_export.export_person(vault, args.person, out, password=password,
                                                   progress=Progress(line))
        else:
            summary = privacy_export.export_vault(vault, out, password=password,
                                                  progress=Progress(line))
    finally:
        line.finish()
        vault.close()
    if not summary.encrypted:
        _say(privacy_export.NOT_ENCRYPTED)
    if args.json:
        _print_json({"path": str(summary.path), "scope": summary.scope,
                     "person_id": summary.person_id, "encrypted": summary.encrypted,
                     "size": summary.size, "files": summary.files, "counts": summary.counts})
    else:
        print(summary.message)
    return ExitCode.OK


def cmd_import_export(args: argparse.Namespace) -> int:
    """`crasme import EXPORT.zip`: a whole-vault export into a new, empty vault."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import privacy_export

    password = None
    if privacy_export.is_encrypted(args.file):
        password = _export_password(args, confirm=False)
    privacy_export.read_manifest(args.file, password)  # refused before unlocking
    if args.dry_run:
        raise UserError("A dry run is not offered for an export; import it into a new, "
                        "empty vault instead.", exit_code=ExitCode.USAGE)
    vault = open_for_command(args)
    line = _ProgressLine("Importing")
    try:
        summary = privacy_export.import_export(vault, args.file, password=password,
                                               progress=Progress(line))
        path = vault.path
    finally:
        line.finish()
        vault.close()
    if args.json:
        _print_json({"file": str(args.file), "vault": str(path), "kind": "export",
                     "format_version": summary.format_version, "counts": summary.counts})
    else:
        total = sum(summary.counts.values())
        print(f"Imported the export made {summary.created_at} into {path}: {total} records.")
    return ExitCode.OK


# ------------------------------------------------------------------------ privacy erase


def _add_erase_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    erase = commands.add_parser(
        "erase", parents=parents,
        help="erase one person for good, or the whole vault with its keys and backups",
        description="--person ID erases one person and everything held on them (issued "
        "invoices keep their printed billing details for the retention period). --all "
        "deletes the vault, its key slots, its keychain entry and its backups. Both ask "
        "you to type a confirmation at the terminal, or take it from --confirm.",
    )
    what = erase.add_mutually_exclusive_group(required=True)
    what.add_argument("--person", metavar="ID", help="the id of the person to erase")
    what.add_argument("--all", action="store_true",
                      help="erase the whole vault, its keys and its backups")
    erase.add_argument("--confirm", metavar="TEXT", default=None,
                       help="the confirmation, for scripts: the person's name as shown, "
                       f"or {_ERASE_ALL_WORDS!r} with --all")
    erase.set_defaults(handler=cmd_erase)


_ERASE_ALL_WORDS = "ERASE EVERYTHING"


def _confirmation(args: argparse.Namespace, wanted: str) -> str:
    if args.confirm is not None:
        return str(args.confirm)
    if not SecretSource(args).interactive:
        raise UserError(f"Confirm with --confirm \u201c{wanted}\u201d; nothing was erased.",
                        exit_code=ExitCode.USAGE)
    try:
        return input(f"Type {wanted} to erase for good: ")
    except EOFError:
        raise Cancelled() from None


def cmd_erase(args: argparse.Namespace) -> int:
    """`crasme erase --person ID | --all [--confirm TEXT] [--json]`."""
    if args.all:
        return _erase_all(args)
    from crasme_desktop.services import privacy_erase

    vault = open_for_command(args)
    try:
        preview = privacy_erase.erase_preview(vault, args.person)
        if not args.json:
            _say_preview(preview)
        refusing = [b for b in preview.blockers if b.refuses]
        if refusing:
            raise UserError(refusing[0].message)
        typed = _confirmation(args, preview.confirm_text)
        outcome = privacy_erase.erase_person(vault, args.person, confirmation=typed)
    finally:
        vault.close()
    if args.json:
        _print_json({"person_id": outcome.person_id,
                     "erased": {item.kind: item.count for item in outcome.deleted},
                     "kept_until": outcome.kept_until, "scrubbed": outcome.scrubbed})
    else:
        print(outcome.message)
    return ExitCode.OK


def _say_preview(preview: Any) -> None:
    out = sys.stderr
    print(f"Erasing {preview.display_name} deletes:", file=out)
    for item in preview.deleted:
        print(f"  {item.label}: {item.count}", file=out)
    for item in preview.changed:
        print(f"  Changed: {item.label}: {item.count}", file=out)
    for kept in preview.kept:
        until = f" (until {kept.until.isoformat()})" if kept.until else ""
        print(f"  Kept: {kept.what}{until}. {kept.reason}", file=out)


def _erase_all(args: argparse.Namespace) -> int:
    from crasme_desktop.services import privacy_erase

    path = vault_path_of(args)
    if not args.json:
        print(f"This deletes {path}, its keys, its keychain entry and its backups.",
              file=sys.stderr)
    typed = _confirmation(args, _ERASE_ALL_WORDS)
    if typed.strip().casefold() != _ERASE_ALL_WORDS.casefold():
        raise UserError(f"Type {_ERASE_ALL_WORDS} to confirm; nothing was erased.")
    vault = None
    with_folder = True
    try:  # unlocked, the configured backup folder is known and goes too
        vault = open_for_command(args)
    except UserError:
        with_folder = False
    try:
        outcome = privacy_erase.erase_everything(path, confirmation=typed, vault=vault)
    finally:
        if vault is not None:
            vault.close()
    if args.json:
        _print_json({"vault": str(path), "removed": [str(p) for p in outcome.removed],
                     "keychain_cleared": outcome.keychain_cleared, "left": outcome.left,
                     "backup_folder_read": with_folder})
    else:
        print(outcome.message)
        for sentence in outcome.left:
            print(sentence, file=sys.stderr)
        if not with_folder:
            print("The vault could not be unlocked, so backups in a backup folder chosen "
                  "in Settings were not deleted; delete them by hand.", file=sys.stderr)
    return ExitCode.USER_ERROR if outcome.left else ExitCode.OK


# ------------------------------------------------------------ privacy requests, retention


def _add_privacy_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    privacy = commands.add_parser("privacy", help="the register of people's privacy requests")
    actions = privacy.add_subparsers(dest="privacy_action", metavar="ACTION", required=True)
    requests = actions.add_parser(
        "requests", parents=parents,
        help="list privacy requests (access, erasure, ...), open ones first by due date")
    requests.add_argument("--status", default=None,
                          choices=("open", "received", "in_progress", "done", "refused"),
                          help="only requests with this status (open: received or in "
                               "progress)")
    privacy.set_defaults(handler=cmd_privacy)
    retention = commands.add_parser(
        "retention", help="what the retention rules remove: preview or apply them now")
    steps = retention.add_subparsers(dest="retention_action", metavar="ACTION", required=True)
    steps.add_parser("preview", parents=parents,
                     help="count what each rule would remove today; removes nothing")
    steps.add_parser("apply", parents=parents,
                     help="remove now what is past its retention period, and record the run")
    retention.set_defaults(handler=cmd_retention)


def cmd_privacy(args: argparse.Namespace) -> int:
    """`crasme privacy requests [--status S] [--json]`."""
    from crasme_desktop.services import privacy_requests

    vault = open_for_command(args)
    try:
        rows = privacy_requests.list_requests(vault, status=args.status)
        today = vault.clock.now().date()
    finally:
        vault.close()
    if args.json:
        _print_json({"today": today.isoformat(), "requests": [
            {"id": r.id, "kind": r.kind, "person_id": r.person_id,
             "subject": r.subject_label, "received_on": r.received_on.isoformat(),
             "due_on": r.due_on.isoformat(), "status": r.status,
             "done_on": r.done_on.isoformat() if r.done_on else None,
             "late": r.is_late(today), "note": r.note} for r in rows]})
        return ExitCode.OK
    if not rows:
        print("No privacy requests." if args.status is None
              else "No privacy requests with that status.")
    for r in rows:
        status = "LATE" if r.is_late(today) else r.status.replace("_", " ")
        who = r.subject_label or "(erased)"
        print(f"{r.received_on.isoformat()}  due {r.due_on.isoformat()}  {status:<11} "
              f"{r.kind:<13} {who}")
    return ExitCode.OK


def cmd_retention(args: argparse.Namespace) -> int:
    """`crasme retention preview|apply [--json]`."""
    from crasme_desktop.services import retention

    vault = open_for_command(args)
    try:
        if args.retention_action == "apply":
            plan = retention.apply_retention(vault)
        else:
            plan = retention.preview_retention(vault, record=True)
        rules = {r.key: r for r in retention.retention_rules(vault)}
    finally:
        vault.close()
    if args.json:
        _print_json({"today": plan.today.isoformat(), "dry_run": plan.dry_run,
                     "run_id": plan.run_id, "rules": [
                         {"rule": i.key, "enabled": i.enabled, "keep": rules[i.key].months,
                          "unit": rules[i.key].unit, "before": i.cutoff.isoformat(),
                          "count": i.count} for i in plan.items]})
        return ExitCode.OK
    verb = "Would remove" if plan.dry_run else "Removed"
    for i in plan.items:
        rule = rules[i.key]
        if not i.enabled:
            print(f"{rule.title}: off")
            continue
        print(f"{rule.title} (kept {rule.period_text}, before {i.cutoff.isoformat()}): "
              f"{verb.lower()} {i.count}")
    print(f"{verb} {plan.total} in all." if plan.total else
          ("Nothing to remove today." if plan.dry_run else "Nothing was past its time."))
    return ExitCode.OK


# ------------------------------------------------------------------------ support mailbox


def _add_mailbox_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    mailbox = commands.add_parser(
        "mailbox", help="take in the support mailbox's mail as tickets",
        description="The support mailbox is set up in Settings \u203a Support mailbox "
        "(IMAPS; the password in this computer's keychain, or typed when asked).",
    )
    actions = mailbox.add_subparsers(dest="mailbox_action", metavar="ACTION", required=True)
    actions.add_parser(
        "fetch", parents=parents,
        help="make new mail into tickets or add it to the tickets it answers, and list "
        "what could not be taken in",
    )
    actions.add_parser("test", parents=parents,
                       help="log in to the support mailbox and open its folder")
    mailbox.set_defaults(handler=cmd_mailbox)


def cmd_mailbox(args: argparse.Namespace) -> int:
    """`crasme mailbox fetch|test [--json]`."""
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import support_mailbox, ticket_mail

    vault = open_for_command(args)
    try:
        if args.mailbox_action == "test":
            check = _with_mailbox_password(
                args, lambda password: support_mailbox.check_mailbox(vault, password))
            if args.json:
                _print_json({"ok": True, "folder": check.folder, "messages": check.messages})
            else:
                print(f"The support mailbox works: {check.messages} messages in "
                      f"\u201c{check.folder}\u201d.")
            return ExitCode.OK
        line = _ProgressLine("Fetching")
        try:
            report = _with_mailbox_password(
                args, lambda password: ticket_mail.fetch(vault, password=password,
                                                         progress=Progress(line)))
        finally:
            line.finish()
    finally:
        vault.close()
    if args.json:
        _print_json({"summary": report.summary, **_plain(report)})
        return ExitCode.OK
    print(report.summary)
    for item in report.messages:
        if item.outcome == "failed":
            _say(f"Not taken in (message {item.uid}, \u201c{item.subject}\u201d from "
                 f"{item.sender or 'no sender'}): {item.reason}")
        elif item.reason:
            print(f"#{item.ticket_number}: {item.reason}")
    return ExitCode.OK


def _with_mailbox_password(args: argparse.Namespace, work: Callable[[str | None], Any]) -> Any:
    """Run `work` with the keychain's password; at a terminal, ask when it has none."""
    from crasme_desktop.services.support_mailbox import MailboxPasswordNeeded

    try:
        return work(None)
    except MailboxPasswordNeeded:
        if not SecretSource(args).interactive:
            raise
    return work(_ask_secret("Support mailbox password: ") or None)


# ------------------------------------------------------------------------ tickets


#: services.ticket_queues.QUEUES, repeated so that parsing imports no database code
#: (a test keeps the two equal).
TICKET_QUEUES = ("mine", "unassigned", "due_soon", "breached", "all_open", "new", "open",
                 "pending", "on_hold", "solved", "closed", "all")

def _add_ticket_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    tickets = commands.add_parser("tickets", help="list support tickets or show one")
    actions = tickets.add_subparsers(dest="tickets_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", parents=parents, help="the tickets of a queue, newest first",
        description="The tickets of one queue: mine, unassigned, due_soon, breached, "
        "all_open (the default), a status (new, open, pending, on_hold, solved, closed) "
        "or all. Due queues come earliest due first, the others newest first.")
    listing.add_argument("--queue", choices=TICKET_QUEUES, default="all_open", metavar="QUEUE",
                         help="which queue (default: all_open)")
    listing.add_argument("--limit", type=_positive_int, default=50, metavar="N",
                         help="show at most N tickets (default: 50, at most 1000)")
    show = actions.add_parser("show", parents=parents,
                              help="one ticket with its thread and status history")
    show.add_argument("number", metavar="NUMBER", help="the ticket's number, e.g. 1234 or #1234")
    tickets.set_defaults(handler=cmd_tickets)


def cmd_tickets(args: argparse.Namespace) -> int:
    """`crasme tickets list [--queue Q] [--limit N]` and `crasme tickets show NUMBER`."""
    from crasme_desktop.services import ticket_queues, tickets

    vault = open_for_command(args)
    try:
        if args.tickets_action == "list":
            page = ticket_queues.list_tickets(
                vault, ticket_queues.TicketQuery(args.queue), limit=min(args.limit, 1000))
            return _print_ticket_list(args, page)
        ticket_id = tickets.find_ticket_by_number(vault, args.number)
        if ticket_id is None:
            raise UserError(f"No ticket has the number \u201c{args.number}\u201d; check the "
                            "number in the list of tickets.")
        record = tickets.get_ticket(vault, ticket_id)
    finally:
        vault.close()
    if args.json:
        _print_json(record)
        return ExitCode.OK
    print(f"#{record.number} {record.subject}")
    who = " \u00b7 ".join(p for p in (record.requester_name or record.requester_email,
                                       record.organization_name) if p)
    assignee = f", {record.assignee_name}" if record.assignee_name else ""
    about = f" \u2014 {who}" if who else ""
    print(f"  {record.status.replace('_', ' ')}, {record.priority} priority{assignee}{about}")
    print(f"  {record.due.text}")
    for message in record.messages:
        kind = {"reply": "Reply", "note": "Note", "customer": "Customer"}[message.kind]
        files = f" [{len(message.attachments)} attached]" if message.attachments else ""
        print(f"\n{message.occurred_at:%Y-%m-%d %H:%M} UTC  {kind} by {message.author}{files}")
        for line in message.body.splitlines() or [""]:
            print(f"  {line}")
    return ExitCode.OK


def _print_ticket_list(args: argparse.Namespace, page: Any) -> int:
    if args.json:
        _print_json({"queue": args.queue, "tickets": [
            {"id": r.id, "number": r.number, "subject": r.subject, "status": r.status,
             "priority": r.priority, "requester": r.requester_name or r.requester_email,
             "company": r.organization_name, "assignee": r.assignee_name,
             "category": r.category, "due": r.due.text, "breached": r.due.breached,
             "due_at": r.due.due_at, "last_message_at": r.last_message_at}
            for r in page.rows], "more": page.next_after is not None})
        return ExitCode.OK
    if page.note:
        print(page.note)
    elif not page.rows:
        print("No tickets in this queue.")
    for r in page.rows:
        who = r.requester_name or r.requester_email
        print(f"#{r.number:<6} {r.status.replace('_', ' '):<8} {r.priority:<7} "
              f"{r.due.text:<32} {r.subject}{'  (' + who + ')' if who else ''}")
    if page.next_after is not None:
        print(f"(more tickets: use --limit to see more than {len(page.rows)})")
    return ExitCode.OK


# ------------------------------------------------------------------------ the schedule


def _add_schedule_commands(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    schedule = commands.add_parser(
        "schedule", help="a staff member's calendar file (ICS) and printable day sheet")
    actions = schedule.add_subparsers(dest="schedule_action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "ics-export", parents=parents, help="save a staff member's jobs as a calendar file",
        description="Save every job of a staff member as an iCalendar file (.ics) that "
        "calendar programs open or subscribe to; each job keeps its UID, so importing the "
        "file again updates the events instead of duplicating them.")
    export.add_argument("--staff", required=True, metavar="NAME",
                        help="the staff member's name (any case)")
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="where to write the .ics file")
    imp = actions.add_parser(
        "ics-import", parents=parents, help="put a calendar file's events on someone's schedule",
        description="Import an iCalendar file (.ics) as appointments of a staff member. "
        "Times with a time zone are converted to the office's; repeating events are "
        "expanded for the next 12 months; events already imported (same UID) are updated. "
        "A damaged file imports nothing.")
    imp.add_argument("--file", type=Path, required=True, metavar="FILE",
                     help="the .ics file to import")
    imp.add_argument("--staff", required=True, metavar="NAME",
                     help="the staff member's name (any case)")
    sheet = actions.add_parser(
        "day-sheet", parents=parents, help="print a staff member's day as an A4 PDF",
        description="Save the day sheet of a staff member (the day's jobs in visiting "
        "order with times, customers, phones, addresses and room for notes) as a PDF.")
    sheet.add_argument("--staff", required=True, metavar="NAME",
                       help="the staff member's name (any case)")
    sheet.add_argument("--day", type=_iso_day, required=True, metavar="YYYY-MM-DD",
                       help="the day, in the office's time zone")
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE",
                       help="where to write the PDF")
    schedule.set_defaults(handler=cmd_schedule)


def _iso_day(text: str) -> Any:
    """A `datetime.date` from "YYYY-MM-DD" (argparse says so when it is not one)."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-12-14") from None


def cmd_schedule(args: argparse.Namespace) -> int:
    """`crasme schedule ics-export --staff NAME --out FILE`, `crasme schedule ics-import
    --file FILE --staff NAME` and `crasme schedule day-sheet --staff NAME --day DAY --out
    FILE`."""
    from crasme_desktop.services import schedule_files, staff

    vault = open_for_command(args)
    try:
        member = staff.find_staff(vault, args.staff)
        if args.schedule_action == "ics-import":
            result = schedule_files.import_ics(vault, args.file, member.id)
            if args.json:
                _print_json({"staff": member.name, "created": result.created,
                             "updated": result.updated, "cancelled": result.cancelled,
                             "skipped": result.skipped, "job_ids": list(result.job_ids)})
            else:
                print(f"{member.name}: {result.message}")
            return ExitCode.OK
        if args.schedule_action == "ics-export":
            path = schedule_files.save_ics(vault, member.id, args.out.resolve())
            what = "calendar"
        else:
            path = schedule_files.save_day_sheet(vault, member.id, args.day,
                                                 args.out.resolve())
            what = f"day sheet for {args.day.isoformat()}"
    finally:
        vault.close()
    if args.json:
        _print_json({"staff": member.name, "path": str(path), "size": path.stat().st_size})
    else:
        print(f"{member.name}'s {what} saved to {path}.")
    return ExitCode.OK
