"""The app's states and the moves between them: first run, locked, unlocked, quitting.

    start ──(no vault)──> first-run wizard ──finish──> unlocked
      ├──(vault exists)─> unlock screen ──unlock──> unlocked ──lock / idle──> unlock screen
      └──(its key was in the keychain last time)─> main window, unlocking ──> unlocked
                                        └──(the keychain fails)──> unlock screen

A vault with user sign-ins asks who you are (see `ui.unlock` for the policy): the
unlock screen shows the sign-in form, a sign-in this computer remembers opens at once
at start, the keychain's vault-wide key is never used for it, and the vault's
passphrase or recovery key opens it as its Owner. "Lock" returns to the sign-in
screen; `switch_user` (File › Switch user…) locks and asks for a name. The main window
shows who is signed in (it reads the vault's actor).

The first window appears at once; the database stack (SQLAlchemy, the vault, the
keychain) is imported by the first background task while the person looks at it.
When this computer's keychain held the vault's key at its last unlock (a note in the
app settings, never a secret), that first window is the main window itself, and the
data arrives as soon as the key is fetched. Nothing here touches the database on the
GUI thread: unlocking, describing the vault and saving settings go through the task
runner.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from crasme_desktop import APP_NAME
from crasme_desktop.domain.clock import SYSTEM_CLOCK, Clock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.ui.crash import CrashReporter
from crasme_desktop.ui.idle import IdleLock
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.unlock_request import (
    KEYCHAIN,
    PASSPHRASE,
    RECOVERY,
    REMEMBERED,
    SIGN_IN,
    UnlockRequest,
)
from crasme_desktop.vault import load_app_settings

if TYPE_CHECKING:
    from crasme_desktop.ui.recovery_key import ChoosePath
    from crasme_desktop.ui.unlock import UnlockScreen

#: Asks for a vault file to open, starting in a folder; None when the person cancels.
ChooseVault = Callable[[Path], Path | None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartInfo:
    """What the background start-up task found out."""

    settings: AppSettings
    description: Any  # VaultDescription
    #: The user whose sign-in this computer remembers (vaults with sign-ins only).
    remembered_user: str | None = None


def load_stack(path: Path, keychain: Any) -> StartInfo:
    """Worker job: import the database stack and look at the vault (no decryption)."""
    from crasme_desktop.ui import main_window  # noqa: F401 - warm the import for later
    from crasme_desktop.vault import load_app_settings

    description, remembered = unlock_options(path, keychain)
    return StartInfo(load_app_settings(), description, remembered)


def unlock_options(path: Path, keychain: Any) -> tuple[Any, str | None]:
    """Worker job: how the vault can be opened, and whose sign-in this computer
    remembers for it (read from the key-slot file and the keychain, nothing decrypted)."""
    from crasme_desktop.services import vaults
    from crasme_desktop.vault.user_slots import remembered_user_id

    description = vaults.describe(path, keychain)
    remembered = (remembered_user_id(path, keychain)
                  if description.has_user_slots else None)
    return description, remembered


#: Said on the unlock screen when the keychain held the key last time but not now.
KEYCHAIN_LOST = (
    "This computer's keychain no longer holds the key to this vault; "
    "unlock it with your passphrase or recovery key."
)


@dataclass(frozen=True)
class KeychainStart:
    """What the background start through the keychain came back with."""

    info: StartInfo
    vault: Any  # an open Vault, or None
    problem: str | None


def start_with_keychain(path: Path, keychain: Any) -> KeychainStart:
    """Worker job: import the stack, then open the vault with the keychain's key."""
    info = load_stack(path, keychain)
    if info.description.has_user_slots:
        # People sign in to it now: the vault-wide key is not a way in (see ui.unlock).
        if info.remembered_user is None:
            return KeychainStart(info, None, None)
        request = UnlockRequest(REMEMBERED)
    elif not info.description.keychain_has_key:
        return KeychainStart(info, None, KEYCHAIN_LOST)
    else:
        request = UnlockRequest(KEYCHAIN)
    try:
        vault = unlock_vault(path, request, keychain, False)
    except UserError as error:
        return KeychainStart(info, None, error.message)
    return KeychainStart(info, vault, None)


#: Said when the keychain's vault key was asked for but people sign in to the vault.
SIGN_IN_INSTEAD = ("People sign in to this vault by name: sign in, or use the Owner's vault "
                   "passphrase or recovery key.")


def unlock_vault(path: Path, request: UnlockRequest, keychain: Any, also_keychain: bool) -> Any:
    """Worker job: open the vault the way the person chose. For a vault with user
    sign-ins the keychain's vault-wide key is never used (it would open the vault as its
    Owner for anyone at this OS account); its passphrase or recovery key opens it as
    the Owner."""
    from crasme_desktop.services import vaults
    from crasme_desktop.vault.user_slots import has_user_slots

    if request.method == SIGN_IN:
        return vaults.sign_in(path, request.name or "", request.secret or "",
                              keychain=keychain, remember_in_keychain=request.remember)
    if request.method == REMEMBERED:
        return vaults.sign_in(path, keychain=keychain)
    by_name = path.exists() and has_user_slots(path)
    if by_name and request.method == KEYCHAIN:
        raise UserError(SIGN_IN_INSTEAD)
    return vaults.unlock(
        path,
        passphrase=request.secret if request.method == PASSPHRASE else None,
        recovery_key=request.secret if request.method == RECOVERY else None,
        use_keychain=not by_name and (request.method == KEYCHAIN or also_keychain),
        keychain=keychain,
    )


def remember_last_vault(vault: Any) -> None:
    """Worker job: note the vault opened last. For a vault with user sign-ins the start
    never goes straight to the keychain's vault key, so it is left off that list."""
    from crasme_desktop.services import vaults
    from crasme_desktop.vault.user_slots import has_user_slots

    vaults.remember_unlock(vault)
    if has_user_slots(vault.path):
        vaults.forget_keychain_start(vault.path)


#: While a vault stays open, whether an automatic backup is due is asked this often.
BACKUP_CHECK_MS = 60 * 60 * 1000


class AppController(QObject):
    """Owns the vault while it is open, and every top-level window."""

    def __init__(
        self,
        vault_path: Path,
        *,
        keychain: Any = None,
        clock: Clock = SYSTEM_CLOCK,
        env_passphrase: str | None = None,
        settings: AppSettings | None = None,
        crash: CrashReporter | None = None,
        idle_poll_ms: int = 1000,
        choose_kit_path: ChoosePath | None = None,
        choose_vault_path: ChooseVault | None = None,
    ) -> None:
        super().__init__()
        self.vault_path = vault_path
        self.keychain = keychain
        self.env_passphrase = env_passphrase or None
        self.crash = crash or CrashReporter(None, self.active_window)
        self.choose_kit_path = choose_kit_path
        self.choose_vault_path = choose_vault_path or ask_vault_path(self.active_window)
        self.tasks = TaskRunner(
            self, parent_widget=self.active_window, report_crash=self.crash.report
        )
        # The settings file is small JSON: reading it costs no database import.
        self.settings = settings if settings is not None else load_app_settings()
        self.description: Any = None
        self.remembered_user: str | None = None
        self._next_method: str | None = None
        self.vault: Any = None
        self.state = "starting"
        self.unlock_screen: UnlockScreen | None = None
        self.wizard: Any = None
        self.main_window: Any = None
        self.idle = IdleLock(self.settings.auto_lock_minutes, clock=clock, poll_ms=idle_poll_ms)
        self.idle.idle.connect(self.lock)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.check_backups)
        self.backup_timer.timeout.connect(self.check_retention)
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"  # nosec B101  # narrows a type the code above guarantees
        app.installEventFilter(self.idle)

    # -- start ------------------------------------------------------------------------
    def start(self) -> None:
        """Show the first window now; load the rest in the background."""
        exists = self.vault_path.exists()
        keychain_last_time = str(self.vault_path) in self.settings.keychain_start
        if exists and keychain_last_time and not self.env_passphrase:
            self._start_with_keychain()
            return
        if exists:
            self.state = "locked"
            screen = self._unlock_screen()
            screen.setGeometry(_centred(screen.geometry()))
            screen.show()
        else:
            self.state = "first-run"
            self._show_wizard()
        self.tasks.submit(
            load_stack, self.vault_path, self.keychain,
            on_done=self._stack_loaded, on_error=self._stack_failed,
        )

    def _start_with_keychain(self) -> None:
        self.state = "unlocking"
        window = self._main_window()
        window.show_unlocking(self.vault_path)
        window.setGeometry(_centred(window.geometry()))
        window.show()
        _tell_benchmark(READY_ENV)
        # One turn of the event loop first, so the window is painted before the import
        # of the database stack starts competing for the interpreter.
        QTimer.singleShot(
            0,
            lambda: self.tasks.submit(
                start_with_keychain,
                self.vault_path,
                self.keychain,
                on_done=self._keychain_start_done,
                on_error=self._keychain_start_failed,
            ),
        )

    def _keychain_start_done(self, result: KeychainStart) -> None:
        self._take_settings(result.info)
        if result.vault is not None:
            self._unlocked(result.vault)
            return
        self.tasks.submit(service("vaults.forget_keychain_start"), self.vault_path)
        self._fall_back_to_unlock_screen(result.problem or KEYCHAIN_LOST, result.info.description)

    def _keychain_start_failed(self, error: UserError) -> None:
        self._fall_back_to_unlock_screen(None, None, error=error.message)

    def _fall_back_to_unlock_screen(
        self, notice: str | None, description: Any, *, error: str | None = None
    ) -> None:
        if self.state == "closed":
            return
        self.state = "locked"
        screen = self._unlock_screen()
        if description is not None:
            self._set_options(screen, description, self.remembered_user)
        window = self.main_window
        if window is not None and window.isVisible():
            screen.setGeometry(_centred(screen.geometry(), window.geometry()))
            window.hide()
        if error is not None:
            screen.show_form(SIGN_IN if screen.has_user_slots else PASSPHRASE)
            screen.show_error(error)
        elif screen.has_user_slots:
            screen.show_form(SIGN_IN, notice=notice)
        else:
            screen.show_form(
                PASSPHRASE if screen.has_passphrase else RECOVERY, notice=notice
            )
        screen.show()
        screen.raise_()
        screen.activateWindow()

    def _take_settings(self, info: StartInfo) -> None:
        self.settings = info.settings
        self.idle.set_minutes(info.settings.auto_lock_minutes)
        self.description = info.description
        self.remembered_user = info.remembered_user

    @staticmethod
    def _set_options(screen: UnlockScreen, description: Any, remembered: str | None) -> None:
        screen.set_options(
            has_passphrase=description.has_passphrase,
            keychain_has_key=description.keychain_has_key,
            has_user_slots=description.has_user_slots,
            remembers_sign_in=remembered is not None,
        )

    def _stack_loaded(self, info: StartInfo) -> None:
        self._take_settings(info)
        if self.state == "first-run":
            if self.wizard is not None:
                self.wizard.set_keychain_available(info.description.keychain_available)
            return
        screen = self._unlock_screen()
        self._set_options(screen, info.description, info.remembered_user)
        if self.env_passphrase:
            screen.show_checking("Unlocking…")
            self._unlock(UnlockRequest(PASSPHRASE, self.env_passphrase), also_keychain=True)
        elif info.description.has_user_slots:
            if info.remembered_user is not None:  # a remembered sign-in opens at once
                screen.show_checking(screen.tr("Signing in…"))
                self._unlock(UnlockRequest(REMEMBERED), silent=True)
            else:
                screen.show_form()
        elif info.description.keychain_has_key:
            screen.show_checking("Unlocking with this computer's keychain…")
            self._unlock(UnlockRequest(KEYCHAIN), silent=True)
        else:
            screen.show_form()

    def _stack_failed(self, error: UserError) -> None:
        if self.state == "first-run" and self.wizard is not None:
            # No answer about the keychain: a passphrase is the safe requirement.
            self.wizard.set_keychain_available(False)
            return
        screen = self._unlock_screen()
        screen.show_form(PASSPHRASE)
        screen.show_error(error.message)

    # -- windows ----------------------------------------------------------------------
    def active_window(self) -> QWidget | None:
        for window in (self.main_window, self.wizard, self.unlock_screen):
            if window is not None and window.isVisible():
                return window
        return None

    def _unlock_screen(self) -> UnlockScreen:
        if self.unlock_screen is None:
            from crasme_desktop.ui.unlock import UnlockScreen

            screen = UnlockScreen(self.vault_path)
            screen.unlock_requested.connect(self._unlock)
            screen.quit_requested.connect(self.quit)
            screen.other_vault_requested.connect(self.open_other_vault)
            screen.new_vault_requested.connect(self.create_new_vault)
            self.unlock_screen = screen
        return self.unlock_screen

    def _show_wizard(self, *, back_to_unlock: bool = False) -> None:
        from crasme_desktop.ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(
            self.tasks,
            self.vault_path,
            keychain=self.keychain,
            choose_kit_path=self.choose_kit_path,
        )
        wizard.accepted.connect(self._wizard_finished)
        wizard.rejected.connect(self._wizard_cancelled if back_to_unlock else self.quit)
        self.wizard = wizard
        wizard.setGeometry(_centred(wizard.geometry()))
        wizard.show()
        if self.description is not None:
            wizard.set_keychain_available(self.description.keychain_available)

    def _wizard_cancelled(self) -> None:
        """Back from "Create a new vault…" to the unlock screen it was opened from."""
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()
        if self.state == "closed":
            return
        self.state = "locked"
        screen = self._unlock_screen()
        screen.show()
        screen.raise_()
        screen.activateWindow()

    # -- another vault ----------------------------------------------------------------
    def open_other_vault(self) -> None:
        """Ask for a vault file and show its unlock options instead of this one's."""
        if self.state != "locked":
            return
        chosen = self.choose_vault_path(self.vault_path.parent)
        if chosen is None:
            return
        self.switch_vault(chosen)

    def switch_vault(self, path: Path) -> None:
        """Point the unlock screen at `path` and find out how it can be unlocked."""
        self.vault_path = Path(path)
        self.description = None
        screen = self._unlock_screen()
        screen.set_vault(self.vault_path)
        self.tasks.submit(
            load_stack,
            self.vault_path,
            self.keychain,
            on_done=self._stack_loaded,
            on_error=self._stack_failed,
        )

    def open_requested(self, path: Path) -> None:
        """The desktop asked to open `path` (macOS: a double-clicked `.crasme` file)."""
        path = Path(path)
        if self.state in ("unlocked", "unlocking"):
            window = self.active_window()
            if path.resolve() == self.vault_path.resolve():
                if window is not None:
                    window.raise_()
                    window.activateWindow()
                return
            QMessageBox.information(
                window, APP_NAME,
                f"“{path.name}” can be opened once this vault is locked: press Ctrl+L "
                "to lock it, then open the file again.",
            )
            return
        if self.state == "first-run":
            self._wizard_cancelled()
        if self.state == "locked":
            self.switch_vault(path)
        else:  # still starting: start on the requested file instead
            self.vault_path = path

    def create_new_vault(self) -> None:
        """The first-run wizard, for a second vault; cancelling comes back here."""
        if self.state != "locked":
            return
        self.state = "first-run"
        screen = self._unlock_screen()
        screen.hide()
        self._show_wizard(back_to_unlock=True)

    def _wizard_finished(self) -> None:
        wizard = self.wizard
        self.vault_path = wizard.created.path
        self._unlock_screen().set_options(
            has_passphrase=wizard.protection.wants_passphrase(),
            keychain_has_key=wizard.created.keychain_used,
        )
        self.wizard = None
        wizard.deleteLater()
        self._unlocked(wizard.vault)
        if self.main_window is not None:  # a new vault: its privacy notice, to acknowledge
            self.main_window.show_privacy_notice(acknowledge=True)
        if wizard.wants_sample_data and self.main_window is not None:
            self.main_window.page("dashboard").add_sample_data()

    def _main_window(self) -> Any:
        if self.main_window is None:
            from crasme_desktop.ui.main_window import MainWindow

            window = MainWindow(self.tasks)
            window.lock_requested.connect(self.lock)
            window.quit_requested.connect(self.quit)
            window.auto_lock_changed.connect(self.idle.set_minutes)
            window.vault_erased.connect(self.after_vault_erased)
            switch = getattr(window, "switch_user_requested", None)  # File › Switch user…
            if switch is not None:
                switch.connect(self.switch_user)
            self.main_window = window
        return self.main_window

    # -- unlock and lock --------------------------------------------------------------
    def _unlock(
        self, request: UnlockRequest, *, silent: bool = False, also_keychain: bool = False
    ) -> None:
        self.state = "unlocking"

        def failed(error: UserError) -> None:
            self.state = "locked"
            screen = self._unlock_screen()
            if silent and screen.has_user_slots:  # the remembered sign-in stopped working
                screen.remembers_sign_in = False
                screen.show_form(SIGN_IN, notice=error.message)
            elif silent:  # the keychain try nobody asked for: now ask, saying why
                screen.show_form(PASSPHRASE if screen.has_passphrase else RECOVERY,
                                 notice=error.message)
            else:
                screen.show_error(error.message)

        self.tasks.submit(
            unlock_vault, self.vault_path, request, self.keychain, also_keychain,
            on_done=self._unlocked, on_error=failed,
        )

    def _unlocked(self, vault: Any) -> None:
        if self.state == "closed":  # quit while the unlock was under way
            vault.close()
            return
        self.vault = vault
        self.state = "unlocked"
        window = self._main_window()
        window.attach(vault)
        screen = self.unlock_screen
        if screen is not None and screen.isVisible():
            window.setGeometry(_centred(window.geometry(), screen.geometry()))
            screen.hide()
        elif not window.isVisible():
            window.setGeometry(_centred(window.geometry()))
        window.show()
        window.raise_()
        window.activateWindow()
        self.idle.start()
        self.tasks.submit(remember_last_vault, vault, on_error=_log_only)
        # Merges can be undone for a limited time; what they kept of the removed
        # record goes when that time is over.
        self.tasks.submit(service("merge.prune_merge_records"), vault, writes={"merges"},
                          on_error=_log_only)
        # Recurring invoices due by today become drafts.
        self.tasks.submit(service("invoices.make_due_recurring"), vault, writes={"sales"},
                          on_error=_log_only)
        # Retention rules (old timeline entries, audit events, invoices past 7 years):
        # once a day, now and from the hourly check below.
        self.check_retention()
        # The automatic backup if one is due (and the monthly restore test), then the
        # status bar's word on backups; again every hour while the vault stays open.
        self.check_backups()
        self.backup_timer.start()
        _tell_benchmark(READY_ENV)
        _tell_benchmark(UNLOCKED_ENV)

    def switch_user(self) -> None:
        """Lock and ask who signs in next (for a "Switch user" menu action): the name
        and passphrase form, not the sign-in this computer remembers."""
        if self.vault is None:
            return
        self.lock(next_method=SIGN_IN)

    def check_backups(self) -> None:
        vault = self.vault
        if vault is None:
            return

        def done(status: Any) -> None:
            window = self.main_window
            if window is not None and self.vault is vault:
                window.show_backup_status(status)

        self.tasks.submit(service("backups.on_unlock"), vault, writes={"backups"},
                          on_done=done, on_error=_log_only)

    def check_retention(self) -> None:
        """Apply the retention rules if they have not run today (after unlock, hourly)."""
        vault = self.vault
        if vault is None:
            return
        self.tasks.submit(service("retention.run_retention_if_due"), vault,
                          writes={"privacy", "activities", "sales", "contacts"},
                          on_error=_log_only)

    def lock(self, next_method: str | None = None) -> None:
        """Close the vault (the key is wiped), forget every row, show the unlock screen
        (the sign-in screen for a vault people sign in to; `next_method` SIGN_IN asks
        for a name even when this computer remembers a sign-in)."""
        if self.vault is None:
            return
        log.info("Locking the vault")
        self.idle.stop()
        self.backup_timer.stop()
        self.tasks.invalidate()
        window = self.main_window
        screen = self._unlock_screen()
        if window is not None:
            for dialog in window.findChildren(QDialog):
                dialog.close()
            window.clear()
            screen.setGeometry(_centred(screen.geometry(), window.geometry()))
            window.hide()
        vault, self.vault = self.vault, None
        vault.close()
        self.state = "locked"
        self._next_method = next_method
        screen.show_locked(next_method)
        screen.show()
        screen.raise_()
        screen.activateWindow()
        # The ways to unlock may have changed while it was open (a new passphrase, a
        # keychain entry removed elsewhere, someone given a sign-in): ask again, quietly.
        self.tasks.submit(
            unlock_options,
            self.vault_path,
            self.keychain,
            on_done=self._options_rechecked,
            on_error=_log_only,
        )

    def after_vault_erased(self) -> None:
        """Everything was erased (the vault is closed and its files gone): forget it and
        go back to the start screen, where a new vault can be made."""
        log.info("The vault was erased")
        self.idle.stop()
        self.backup_timer.stop()
        self.tasks.invalidate()
        window = self.main_window
        if window is not None:
            window.clear()
            window.hide()
        vault, self.vault = self.vault, None
        if vault is not None:
            vault.close()
        self.description = None
        if self.unlock_screen is not None:
            self.unlock_screen.hide()
        self.state = "first-run"
        self._show_wizard()

    def _options_rechecked(self, options: tuple[Any, str | None]) -> None:
        screen = self.unlock_screen
        if self.state != "locked" or screen is None:
            return
        description, remembered = options
        self.description = description
        self.remembered_user = remembered
        before = (screen.has_passphrase, screen.keychain_has_key, screen.has_user_slots,
                  screen.remembers_sign_in)
        self._set_options(screen, description, remembered)
        after = (screen.has_passphrase, screen.keychain_has_key, screen.has_user_slots,
                 screen.remembers_sign_in)
        if before != after and not screen.anything_typed():
            screen.show_locked(self._next_method)

    # -- quit -------------------------------------------------------------------------
    def quit(self) -> None:
        """Make the closing backup (if chosen and anything changed), lock, let running
        work finish, and leave the event loop."""
        if self.state in ("closed", "quitting"):
            return
        vault = self.vault
        if vault is None or self.state != "unlocked":
            self._finish_quit()
            return
        self.state = "quitting"
        self.idle.stop()
        window = self.main_window
        if window is not None:
            window.statusBar().showMessage("Making a backup before closing…")
        self.tasks.submit(service("backups.make_quit_backup"), vault,
                          on_done=lambda _info: self._finish_quit(),
                          on_error=lambda error: (_log_only(error), self._finish_quit()))

    def _finish_quit(self) -> None:
        if self.state == "closed":
            return
        self.shutdown()
        QApplication.quit()

    def shutdown(self) -> None:
        """Release everything this controller holds (also used by tests)."""
        self.state = "closed"
        self.idle.stop()
        self.backup_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self.tasks.invalidate()
        self.tasks.wait(10_000)
        if self.vault is not None:
            vault, self.vault = self.vault, None
            vault.close()
        if self.wizard is not None and self.wizard.vault is not None:
            self.wizard.vault.close()
        for window in (self.main_window, self.wizard, self.unlock_screen):
            if window is not None:
                window.blockSignals(True)  # closing must not ask to quit again
                window.close()
                window.deleteLater()
        self.main_window = self.wizard = self.unlock_screen = None


#: For tests/bench: files the app touches when the main window first takes input
#: (READY) and when the vault is open in it (UNLOCKED); each is written once, on the
#: next turn of the event loop, so the window has been shown and painted by then.
READY_ENV = "CRASME_BENCH_READY_FILE"
UNLOCKED_ENV = "CRASME_BENCH_UNLOCKED_FILE"


def _tell_benchmark(variable: str) -> None:
    target = os.environ.get(variable)
    if target and not Path(target).exists():
        QTimer.singleShot(0, lambda: Path(target).write_text("ready", encoding="utf-8"))


def _log_only(error: UserError) -> None:
    """For background chores (saving a hint, re-reading options): note, do not bother."""
    log.info("Background chore failed: %s", error.message)


def ask_vault_path(parent: Callable[[], QWidget | None]) -> ChooseVault:
    """The real file dialog for "Open another vault…"."""

    def choose(folder: Path) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(
            parent(),
            "Open a vault",
            str(folder),
            "Crasme Desktop vaults (*.crasme);;All files (*)",
        )
        return Path(name) if name else None

    return choose


def _centred(rect: QRect, around: QRect | None = None) -> QRect:
    """`rect` centred on `around` (default: the screen), kept within the screen.

    Used so that the window that replaces another appears where the person was looking.
    """
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)
    moved = QRect(rect)
    moved.setWidth(min(rect.width(), area.width()))
    moved.setHeight(min(rect.height(), area.height()))
    moved.moveCenter((around or area).center())
    moved.moveLeft(max(area.left(), min(moved.left(), area.right() - moved.width() + 1)))
    moved.moveTop(max(area.top(), min(moved.top(), area.bottom() - moved.height() + 1)))
    return moved
