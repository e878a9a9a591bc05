"""The main window. It only assembles: sidebar, pages, menus and the status bar.

Every page lives in its own module under `ui/pages`; this module wires them to the
navigation, the shortcuts and the task runner's `changed` signal, and passes the
vault to them on unlock and takes it back on lock.

What the signed-in user's role allows (ui/permission_gate.py, from `vault.actor`):
a page the role may not view is left out of the sidebar and the Go menu, and the
Ctrl+number shortcuts follow the pages that are shown; menu actions that need a
permission (backups, the key, exporting, printing) are disabled with the refusal as
their tool tip. This is applied again on every attach, since another user may sign
in after a lock, and after users or roles change. The status bar names the user and
their role.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.i18n import QT_TRANSLATE_NOOP
from crasme_desktop.domain.permissions import WHOLE_VAULT_EXPORT
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import Page
from crasme_desktop.ui.pages.settings import SettingsPage, describe_key_source
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.privacy_notice import NoticeBar, NoticeDialog
from crasme_desktop.ui.search_box import SearchBox
from crasme_desktop.ui.tasks import TaskRunner

#: Which page shows a record of each kind the search finds, and its method that selects
#: and shows one record there.
RECORD_PAGES = {"person": ("contacts", "show_person"),
                "organization": ("companies", "show_organization"),
                "invoice": ("sales", "show_invoice"),
                "quote": ("sales", "show_quote"),
                "deal": ("deals", "show_deal"),
                "ticket": ("tickets", "show_ticket"),
                "job": ("schedule", "show_job"),
                "privacy_requests": ("privacy", "show_requests")}

@dataclass(frozen=True)
class PageEntry:
    """A page as the sidebar and the Go menu know it; its module is imported only when
    the page is first shown, so starting loads no page nobody looked at."""

    key: str
    title: str
    icon_name: str
    module: str
    class_name: str
    #: The role needs one of these permissions to see the page (none: everyone does).
    needs: tuple[str, ...] = ()

    def load(self) -> type[Page]:
        page_class = getattr(importlib.import_module(self.module), self.class_name)
        assert issubclass(page_class, Page)  # nosec B101  # narrows a type the code above guarantees
        return page_class


def _entry(key: str, title: str, class_name: str, *needs: str) -> PageEntry:
    return PageEntry(key, title, key, f"crasme_desktop.ui.pages.{key}", class_name, needs)


#: The sidebar, top to bottom. Ctrl+1 … Ctrl+9 go to the first nine pages the role
#: sees, in this order, and Ctrl+0 to Settings.
PAGES: tuple[PageEntry, ...] = (
    _entry("dashboard", "Dashboard", "DashboardPage"),
    _entry("contacts", "Contacts", "ContactsPage", "contacts.view"),
    _entry("companies", "Companies", "CompaniesPage", "companies.view"),
    _entry("deals", "Deals", "DealsPage", "deals.view"),
    _entry("sales", "Sales", "SalesPage", "quotes.view", "invoices.view"),
    _entry("tickets", "Tickets", "TicketsPage", "tickets.view"),
    _entry("schedule", "Schedule", "SchedulePage", "schedule.view"),
    _entry("reports", "Reports", "ReportsPage", "reports.view"),
    # The Privacy page looks people up; answering requests needs privacy_requests.
    _entry("privacy", "Privacy", "PrivacyPage", "contacts.view", "privacy_requests"),
    _entry("audit", QT_TRANSLATE_NOOP("MainWindow", "Audit trail"), "AuditPage",
           "audit.view"),
    _entry("settings", "Settings", "SettingsPage"),
)
SETTINGS_SHORTCUT = "Ctrl+0"
#: A page's method that prints what it shows, for File › Print…
PRINTERS = {"reports": "print_pdf", "schedule": "print_day_sheet"}


@dataclass(frozen=True)
class SignedIn:
    """Who the opened vault acts as, read on the worker at attach."""

    actor: Any
    user_name: str


def load_signed_in(vault: Any) -> SignedIn:
    """Runs on a worker: the acting user (resolved if the unlock left it open) and
    their display name ("" for a vault without users)."""
    actor = service("permissions.actor_of")(vault)
    name = service("users.get_user")(vault, actor.user_id).display_name \
        if actor.user_id is not None else ""
    return SignedIn(actor, name)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    quit_requested = Signal()
    #: The settings page saved a new idle limit (minutes; 0 = never).
    auto_lock_changed = Signal(int)
    #: Everything was erased (the erase-all dialog): back to the start screen.
    vault_erased = Signal()
    #: File › Switch user…: lock and sign in as someone else (the controller decides).
    switch_user_requested = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(theme.app_icon())
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 760)
        self.setMinimumSize(880, 560)
        self.tasks = tasks
        self.vault: Any = None
        self.page_entries: dict[str, PageEntry] = {entry.key: entry for entry in PAGES}
        # Pages are built the first time they are shown (the dashboard at once), so the
        # window opens without building nine pages nobody has looked at yet.
        self._pages: dict[str, Page] = {}
        self.about_box: QDialog | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        for entry in PAGES:
            self.stack.addWidget(QWidget())  # stands in until the page is first shown
            item = QListWidgetItem(theme.icon(entry.icon_name), page_title(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setSizeHint(QSize(0, 38))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)
        tasks.changed.connect(self._on_changed)
        self.search_box = SearchBox(tasks)
        self.search_box.open_requested.connect(self.open_record)

        self.banner = self._build_banner()
        self.notice_bar = NoticeBar(tasks)
        self.notice_bar.read_requested.connect(
            lambda: self.show_privacy_notice(acknowledge=True))
        self.notice_dialog: QWidget | None = None
        self.setCentralWidget(self._build_body())
        self._build_menus()
        self._build_status_bar()
        self.nav.setCurrentRow(0)

    # -- pages ----------------------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page `key`, built now if it was not yet."""
        built = self._pages.get(key)
        if built is not None:
            return built
        index = list(self.page_entries).index(key)
        page = self.page_entries[key].load()(self.tasks)
        self._pages[key] = page
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        opener = getattr(page, "record_requested", None)
        if opener is not None:  # a page that links to records on other pages
            opener.connect(self.open_record)
        filtered = getattr(page, "filter_requested", None)
        if filtered is not None:  # a page that links to filtered lists (the dashboard)
            filtered.connect(self.open_filtered)
        if isinstance(page, SettingsPage):
            page.lock_requested.connect(self.lock_requested)
            page.auto_lock_changed.connect(self.auto_lock_changed)
            page.backups.status_changed.connect(self.show_backup_status)
        if self.vault is not None:
            page.attach(self.vault)
        return page

    def built_pages(self) -> list[Page]:
        """The pages built so far (the others hold nothing to attach or clear)."""
        return list(self._pages.values())

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.page_entries):
            key = list(self.page_entries)[row]
            if not self.page_allowed(key):  # never build a page the role may not see
                self.show_page("dashboard")
                return
            self.page(key)
            self.stack.setCurrentIndex(row)

    # -- what the role allows -----------------------------------------------------------
    def page_allowed(self, key: str) -> bool:
        """Whether the acting user's role may see page `key` (every page while no
        vault or actor is known; the services still check)."""
        entry = self.page_entries.get(key)
        if entry is None:
            return False
        return not entry.needs or any(allowed(self.vault, p) for p in entry.needs)

    def visible_pages(self) -> list[str]:
        return [key for key in self.page_entries if self.page_allowed(key)]

    def apply_permissions(self) -> None:
        """Show the pages and enable the menu actions the acting user's role allows;
        Ctrl+number follows the pages shown. Runs on every attach and after users or
        roles change."""
        number = 0
        for row, entry in enumerate(PAGES):
            shown = self.page_allowed(entry.key)
            self.nav.item(row).setHidden(not shown)
            action = self.go_actions[row]
            action.setVisible(shown)
            action.setEnabled(shown)
            shortcut = ""
            if shown and entry.key == "settings":
                shortcut = SETTINGS_SHORTCUT
            elif shown and number < 9:
                number += 1
                shortcut = f"Ctrl+{number}"
            action.setShortcut(QKeySequence(shortcut))
        vault = self.vault
        gate(self.backup_action, vault, "backups_restore",
             tip=self.tr("Make a backup of the vault now and check it"))
        gate(self.passphrase_action, vault, "rekey",
             tip=self.tr("Choose a new passphrase for this vault"))
        gate(self.rotate_action, vault, "rekey",
             tip=self.tr("Encrypt the vault with a new key and get a new recovery key"))
        gate(self.export_vault_action, vault, *WHOLE_VAULT_EXPORT,
             tip=self.tr("Export everything in the vault to one file"))
        gate(self.print_action, vault, "print",
             tip=self.tr("Print what this page shows, where it can be printed"))
        for action in (self.backup_action, self.passphrase_action, self.rotate_action,
                       self.export_vault_action, self.print_action, self.switch_user_action):
            if vault is None:
                action.setEnabled(False)
        for page in self.built_pages():  # a page built for someone else before a lock
            if not self.page_allowed(page.key):
                if page.vault is not None:
                    page.clear()
            elif vault is not None and page.vault is None:
                page.attach(vault)
        current = self.stack.currentIndex()
        if 0 <= current < len(PAGES) and not self.page_allowed(PAGES[current].key):
            self.show_page("dashboard")

    def _show_signed_in(self, signed_in: SignedIn) -> None:
        if self.vault is None:
            return
        role = signed_in.actor.role_name
        if signed_in.user_name.casefold() == role.casefold():  # the first user, "Owner"
            text = role
            tip = self.tr("Signed in as {user}").format(user=signed_in.user_name)
        elif signed_in.user_name:
            text = self.tr("{user} ({role})").format(user=signed_in.user_name, role=role)
            tip = self.tr("Signed in as {user}, role {role}").format(
                user=signed_in.user_name, role=role)
        else:
            text = role
            tip = self.tr("Working as the vault's owner; add users in Settings")
        self.status_user.setText(text)
        self.status_user.setToolTip(tip)
        self.status_user.setAccessibleName(tip)
        self.status_user.show()
        self.apply_permissions()

    def read_signed_in(self) -> None:
        """Find out on the worker who the vault acts as, then show it and apply it."""
        vault = self.vault
        if vault is None:
            return
        self.tasks.submit(load_signed_in, vault,
                          on_done=lambda who: self._signed_in_read(vault, who))

    def _signed_in_read(self, vault: Any, signed_in: SignedIn) -> None:
        if vault is self.vault:
            self._show_signed_in(signed_in)

    # -- building -------------------------------------------------------------------
    def _build_body(self) -> QWidget:
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(216)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(12, 16, 12, 12)
        side.setSpacing(10)
        brand_row = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(28, 28))
        brand = QLabel(APP_NAME)
        brand.setObjectName("brand")
        brand_row.addWidget(logo)
        brand_row.addWidget(brand, 1)
        side.addLayout(brand_row)
        side.addSpacing(6)
        side.addWidget(self.nav, 1)
        lock = QPushButton(theme.icon("lock"), "Lock")
        lock.setObjectName("sidebarLock")
        lock.setToolTip("Lock the vault (Ctrl+L)")
        lock.clicked.connect(self.lock_requested)
        self.lock_button = lock
        side.addWidget(lock)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_top_bar())
        column.addWidget(self.banner)
        column.addWidget(self.notice_bar)
        column.addWidget(self.stack, 1)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(right, 1)
        return body

    def _build_top_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 12, 24, 0)
        row.addStretch(1)
        row.addWidget(self.search_box, 2)
        return bar

    def _build_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("banner")
        row = QHBoxLayout(banner)
        row.setContentsMargins(14, 8, 8, 8)
        icon = QLabel()
        icon.setPixmap(theme.pixmap("info", 18, theme.ACCENT_DARK))
        self.banner_text = QLabel()
        self.banner_text.setObjectName("bannerText")
        self.banner_text.setWordWrap(True)
        close = QPushButton(theme.icon("close"), "")
        close.setProperty("flat", True)
        close.setToolTip("Dismiss")
        close.clicked.connect(banner.hide)
        row.addWidget(icon)
        row.addWidget(self.banner_text, 1)
        row.addWidget(close)
        wrapper = QFrame()
        outer = QVBoxLayout(wrapper)
        outer.setContentsMargins(24, 14, 24, 0)
        outer.addWidget(banner)
        wrapper.hide()
        return wrapper

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.switch_user_action = QAction(self.tr("S&witch user…"), self)
        self.switch_user_action.setToolTip(self.tr("Lock the vault and sign in as someone "
                                                   "else"))
        self.switch_user_action.triggered.connect(self.switch_user_requested)
        file_menu.addAction(self.switch_user_action)
        self.lock_action = QAction(theme.icon("lock"), "&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_requested)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        self.backup_action = QAction(self.tr("&Back up now"), self)
        self.backup_action.triggered.connect(self.back_up_now)
        self.passphrase_action = QAction(theme.icon("key"), self.tr("Change &passphrase…"),
                                         self)
        self.passphrase_action.triggered.connect(
            lambda: self._settings_button("change_passphrase_button"))
        self.rotate_action = QAction(self.tr("&Rotate key…"), self)
        self.rotate_action.triggered.connect(
            lambda: self._settings_button("rotate_key_button"))
        for action in (self.backup_action, self.passphrase_action, self.rotate_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.export_vault_action = QAction(self.tr("&Export the whole vault…"), self)
        self.export_vault_action.triggered.connect(self.export_whole_vault)
        self.print_action = QAction(theme.icon("printer"), self.tr("&Print…"), self)
        self.print_action.triggered.connect(self.print_current)
        file_menu.addAction(self.export_vault_action)
        file_menu.addAction(self.print_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        self.search_action = QAction("&Search…", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.search_action.triggered.connect(self.search_box.focus_search)
        go_menu.addAction(self.search_action)
        go_menu.addSeparator()
        self.go_actions: list[QAction] = []
        for entry in PAGES:
            action = QAction(theme.icon(entry.icon_name), page_title(entry), self)
            action.triggered.connect(lambda _=False, key=entry.key: self.show_page(key))
            go_menu.addAction(action)
            self.go_actions.append(action)
        self.apply_permissions()

        help_menu = self.menuBar().addMenu("&Help")
        self.notice_action = QAction("&Privacy notice", self)
        self.notice_action.triggered.connect(self.show_privacy_notice)
        help_menu.addAction(self.notice_action)
        about = QAction(f"&About {APP_NAME}", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        self.status_path = QLabel()
        self.status_path.setObjectName("statusPath")
        self.status_encryption = QLabel("Encrypted (SQLCipher 4)")
        self.status_encryption.setObjectName("statusEncryption")
        self.status_key = QLabel()
        self.status_key.setObjectName("statusKey")
        self.status_user = QLabel()
        self.status_user.setObjectName("statusUser")
        self.status_user.hide()
        self.status_backup = QLabel()
        self.status_backup.setObjectName("statusBackup")
        self.status_backup.setProperty("state", "warning")
        self.status_backup.setToolTip("Open the backup settings")
        self.status_backup.linkActivated.connect(lambda _link: self.show_page("settings"))
        self.status_backup.hide()
        self.status_offsite = QLabel()
        self.status_offsite.setObjectName("statusOffsite")
        self.status_offsite.linkActivated.connect(lambda _link: self.show_page("settings"))
        self.status_offsite.hide()
        bar.addWidget(self.status_path, 1)
        bar.addPermanentWidget(self.status_offsite)
        bar.addPermanentWidget(self.status_backup)
        bar.addPermanentWidget(self.status_user)
        bar.addPermanentWidget(self.status_encryption)
        bar.addPermanentWidget(self.status_key)

    def show_backup_status(self, status: Any) -> None:
        """Warn in the status bar while the newest good backup is older than the chosen
        interval (or there is none); say nothing while backups are on time. With
        off-site copies set up, say when the last one was made (or that it failed)."""
        self._show_offsite_status(getattr(status, "offsite", None))
        if not status.overdue:
            self.status_backup.hide()
            return
        if status.last_good is None:
            text = "No backup yet"
        else:
            days = max(1, int((self.vault.clock.now() - status.last_good.at).days)
                       if self.vault is not None else 1)
            text = f"No backup for {days} day{'s' if days != 1 else ''}"
        self.status_backup.setText(f'<a href="#backups">{text}</a>')
        self.status_backup.setAccessibleName(text)
        self.status_backup.setStatusTip(status.summary)
        self.status_backup.setToolTip(status.summary + " Click to open the backup settings.")
        self.status_backup.show()

    def _show_offsite_status(self, offsite: Any) -> None:
        from crasme_desktop.ui.backup_settings import offsite_text

        if offsite is None or not offsite.configured:
            self.status_offsite.hide()
            return
        text, warning = offsite_text(offsite)
        short = "Off-site copy failed" if warning else (
            "No off-site copy yet" if offsite.last_good is None else "Off-site copy ok")
        self.status_offsite.setText(f'<a href="#backups">{short}</a>')
        self.status_offsite.setProperty("state", "warning" if warning else "")
        self.status_offsite.setAccessibleName(short)
        self.status_offsite.setToolTip(text + " Click to open the backup settings.")
        self.status_offsite.show()

    # -- life cycle -----------------------------------------------------------------
    @property
    def settings_page(self) -> SettingsPage:
        page = self.page("settings")
        assert isinstance(page, SettingsPage)  # nosec B101  # narrows a type the code above guarantees
        return page

    def show_unlocking(self, path: Path) -> None:
        """The window before its vault is open: everything but the data is there, and
        the status bar says the key is being fetched from the keychain."""
        self.vault = None
        self.setWindowTitle(f"{APP_NAME} — {path.name}")
        self.status_path.setText(str(path))
        self.status_path.setToolTip(str(path))
        self.status_key.setText("Unlocking with this computer's keychain…")
        self._set_lockable(False)

    def _set_lockable(self, lockable: bool) -> None:
        self.lock_action.setEnabled(lockable)
        self.lock_button.setEnabled(lockable)
        self.switch_user_action.setEnabled(lockable)

    def attach(self, vault: Any) -> None:
        """Show `vault` in every page (after an unlock)."""
        self.vault = vault
        self._set_lockable(True)
        self.setWindowTitle(f"{APP_NAME} — {vault.path.name}")
        self.status_path.setText(str(vault.path))
        self.status_path.setToolTip(str(vault.path))
        self.status_key.setText(f"Unlocked with {describe_key_source(vault.key_source)}")
        self.status_user.hide()
        # What is known now (the sign-in sets the actor on the worker before this);
        # a vault opened without a sign-in learns who it acts as on the worker.
        for page in self.built_pages():
            if self.page_allowed(page.key):
                page.attach(vault)
        self.apply_permissions()
        self.read_signed_in()
        self.search_box.attach(vault)
        self.notice_bar.check(vault)
        notices = tuple(getattr(vault, "notices", ()) or ())
        self.show_notice(" ".join(notices) if notices else None)

    def clear(self) -> None:
        """Forget the vault and every row shown (on lock)."""
        self.vault = None
        self.notice_bar.hide()
        dialog, self.notice_dialog = self.notice_dialog, None
        if dialog is not None:
            with contextlib.suppress(RuntimeError):  # already closed and deleted
                dialog.close()
        self.search_box.clear_vault()
        for page in self.built_pages():
            page.clear()
        self.status_key.setText("Locked")
        self.status_user.clear()
        self.status_user.hide()
        self.apply_permissions()
        self.status_backup.hide()
        self.status_offsite.hide()
        self.show_notice(None)

    def show_page(self, key: str) -> None:
        keys = list(self.page_entries)
        if key in keys and self.page_allowed(key):
            self.nav.setCurrentRow(keys.index(key))

    def open_record(self, kind: str, record_id: str) -> None:
        """Show one record (a search hit): its page, with the record selected there."""
        target = RECORD_PAGES.get(kind)
        if target is None:
            return
        key, method = target
        if not self.page_allowed(key):
            return
        self.show_page(key)
        show = getattr(self.page(key), method, None)
        if show is not None:
            show(record_id)

    def open_filtered(self, page_key: str, filter_name: str) -> None:
        """Show page `page_key` with its list narrowed by `filter_name`, for pages that
        have `open_filtered(filter_name)`; other pages are just shown."""
        if page_key not in self.page_entries or not self.page_allowed(page_key):
            return
        self.show_page(page_key)
        narrow = getattr(self.page(page_key), "open_filtered", None)
        if narrow is not None:
            narrow(filter_name)

    def current_page(self) -> Page:
        page = self.stack.currentWidget()
        assert isinstance(page, Page)  # nosec B101  # narrows a type the code above guarantees
        return page

    def show_notice(self, text: str | None) -> None:
        """A one-time sentence from the vault (e.g. no keychain here), shown as a banner."""
        self.banner_text.setText(text or "")
        self.banner.setVisible(bool(text))

    def show_privacy_notice(self, acknowledge: bool = False) -> None:
        """Help › Privacy notice: the notice as it applies to the open vault (the
        defaults while locked); with `acknowledge`, "I have read this" records it."""
        vault = getattr(self, "vault", None)
        dialog = NoticeDialog(self.tasks, vault, self, acknowledge=acknowledge and bool(vault))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.acknowledged.connect(self.notice_bar.hide)
        self.notice_dialog = dialog
        dialog.open()

    def show_about(self) -> None:
        """Help › About: name, version, licence and the versions of Qt, SQLCipher, Python."""
        from crasme_desktop.ui.about import AboutDialog

        box = AboutDialog(self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_box = box
        box.open()

    def _on_changed(self, areas: frozenset[str]) -> None:
        if self.vault is not None and {"users", "vault"} & set(areas):
            self.read_signed_in()  # a role may have changed
        for page in self.built_pages():
            page.on_changed(areas)

    # -- file menu --------------------------------------------------------------------
    def back_up_now(self) -> None:
        """File › Back up now: the backup settings' own backup, with its progress."""
        if self.vault is not None and allowed(self.vault, "backups_restore"):
            self.show_page("settings")
            self.settings_page.backups.make_backup()

    def _settings_button(self, name: str) -> None:
        if self.vault is not None and allowed(self.vault, "rekey"):
            self.show_page("settings")
            getattr(self.settings_page, name).click()

    def export_whole_vault(self) -> None:
        if self.vault is not None and all(allowed(self.vault, p) for p in WHOLE_VAULT_EXPORT):
            self.show_page("privacy")
            self.page("privacy").export_vault()  # type: ignore[attr-defined]

    def print_current(self) -> None:
        """File › Print…: the current page's own printing, where it has one."""
        if self.vault is None or not allowed(self.vault, "print"):
            return
        page = self.current_page()
        printer = getattr(page, PRINTERS.get(page.key, ""), None)
        if printer is None:
            self.statusBar().showMessage(self.tr("There is nothing to print on this page."),
                                         5000)
            return
        printer()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window quits the app; the controller locks the vault first.
        self.quit_requested.emit()
        event.accept()


def page_title(entry: PageEntry) -> str:
    """A page's title as the sidebar and the Go menu show it."""
    return QCoreApplication.translate("MainWindow", entry.title)
