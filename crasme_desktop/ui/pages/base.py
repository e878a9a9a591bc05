"""What every page of the main window has: a title, one line saying what it is for,
a body, and a friendly empty state; and the page life cycle around the vault.

Life cycle: `attach(vault)` after an unlock (the page loads what it shows through the
task runner), `on_changed(areas)` after any write (the page reloads if one of its
`areas` changed), `clear()` on lock (the page drops every row it holds, so nothing
read from the vault stays in memory once the key is gone).

Permissions: `attach` first calls `apply_permissions()`, which a page overrides to
disable or hide what the signed-in user's role does not allow (ui/permission_gate.py,
the refusal as tool tip). It runs on every attach, because another user may sign in
after a lock. The page's own actions check again with `may` (a shortcut, a double
click or a drop reaches them without the button), so a refused action never starts.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.permissions import Permission
from crasme_desktop.ui import theme
from crasme_desktop.ui.permission_gate import allowed
from crasme_desktop.ui.tasks import TaskRunner


def label(text: str, role: str, *, wrap: bool = True) -> QLabel:
    """A QLabel styled by its role in the stylesheet (title, description, hint, ...)."""
    out = QLabel(text)
    out.setProperty("role", role)
    out.setWordWrap(wrap)
    return out


class EmptyState(QWidget):
    """A quiet picture, a headline and a sentence, with an optional action."""

    action_clicked = Signal()

    def __init__(
        self,
        icon_name: str,
        title: str,
        text: str,
        *,
        action: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        picture = QLabel()
        picture.setPixmap(theme.pixmap(icon_name, 56, theme.QUIET))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label(title, "emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(text, "emptyText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setMaximumWidth(460)
        box = QVBoxLayout(self)
        box.addStretch(2)
        box.addWidget(picture)
        box.addSpacing(8)
        box.addWidget(self.title)
        # Centred by stretches, not by an alignment flag: a layout item with an
        # alignment gets its one-line size hint, and wrapped text would be cut off.
        text_row = QHBoxLayout()
        text_row.addStretch(1)
        text_row.addWidget(self.text, 100)
        text_row.addStretch(1)
        box.addLayout(text_row)
        self.button: QPushButton | None = None
        if action:
            self.button = QPushButton(action)
            self.button.setProperty("primary", True)
            self.button.clicked.connect(self.action_clicked)
            box.addSpacing(10)
            box.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(3)


class Page(QWidget):
    """Base of every page. Subclasses set the class attributes and fill `body`."""

    key: str = ""
    title: str = ""
    description: str = ""
    icon_name: str = "dashboard"
    #: The areas named in `TaskRunner.changed` that make this page reload.
    areas: frozenset[str] = frozenset()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.tasks = tasks
        self.vault: Any = None
        self.header_title = label(self.title, "title")
        self.header_description = label(self.description, "description")
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 26, 32, 22)
        layout.setSpacing(4)
        layout.addWidget(self.header_title)
        layout.addWidget(self.header_description)
        layout.addSpacing(16)
        layout.addWidget(self.stack, 1)

    # -- life cycle -------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        """Show this vault's data (called after every unlock)."""
        self.vault = vault
        self.apply_permissions()
        self.refresh()

    def apply_permissions(self) -> None:
        """Disable or hide what the acting user's role does not allow (called from
        `attach`, before anything is loaded); pages with editing controls override it."""

    def may(self, *needed: Permission | str) -> bool:
        """Whether the acting user may do all of `needed` (a page's actions check this
        first, so a shortcut or a drop cannot do what the disabled button would not)."""
        return self.vault is not None and all(allowed(self.vault, p) for p in needed)

    def clear(self) -> None:
        """Forget the vault and every row read from it (called on lock)."""
        self.vault = None

    def refresh(self) -> None:
        """Reload what the page shows; pages with data override this."""

    def concerned(self, areas: frozenset[str]) -> bool:
        """Whether a write to `areas` changes what this page shows ("vault" is every
        area at once: a restored backup)."""
        return self.vault is not None and bool(areas & self.areas or "vault" in areas)

    def on_changed(self, areas: frozenset[str]) -> None:
        if self.concerned(areas):
            self.refresh()


def gate_shortcuts(shortcuts: Any, vault: Any, *needed: Permission | str) -> None:
    """Keyboard shortcuts of an action the role does not allow do not fire."""
    ok = all(allowed(vault, p) for p in needed)
    for shortcut in shortcuts:
        if isinstance(shortcut, QShortcut):
            shortcut.setEnabled(ok)


class PlannedPage(Page):
    """A page whose records arrive in a later version: header plus a friendly empty state."""

    empty_title: str = ""
    empty_text: str = ""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.empty = EmptyState(self.icon_name, self.empty_title, self.empty_text)
        self.stack.addWidget(self.empty)
