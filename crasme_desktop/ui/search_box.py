"""The global search box (Ctrl+K): type-ahead over people and companies.

Typing waits for a short pause (`DEBOUNCE_MS`), then asks `search.search` on a
worker thread. Every new query cancels the one before (its `Progress` is set, and
the service's SQLite progress handler stops it), and an answer that arrives for an
older query than the newest is dropped, so the list never jumps back to stale hits.

Results show in a panel under the box, grouped by kind under a header. Up/Down move
between hits (headers are skipped), Enter opens the selected hit, Escape closes the
panel (a second Escape empties the box). The panel is a child of the window, not a
separate window, so the text box keeps the keyboard focus the whole time.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLineEdit,
    QWidget,
)

from crasme_desktop.domain.progress import Progress
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.tasks import Task, TaskRunner

DEBOUNCE_MS = 150
#: Hits shown per kind.
LIMIT = 8
#: The panel is at least this wide (it may be wider than the box).
PANEL_WIDTH = 460
#: The item role that marks a group header in the panel (see search_panel.py).
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2


class SearchBox(QLineEdit):
    """The search field of the main window; emits `open_requested(kind, id)`."""

    open_requested = Signal(str, str)

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        limit: int = LIMIT,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("globalSearch")
        self.setPlaceholderText("Search people and companies (Ctrl+K)")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(280)
        self.tasks = tasks
        self.limit = limit
        self.vault: Any = None
        self.panel: Any = None  # a search_panel.SearchPanel once the first answer came
        #: The query being asked now, its cancel token and its number.
        self.pending: Task | None = None
        self._token: Progress | None = None
        self._asked = 0
        self._shown_text = ""
        self._open_on_answer = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self._ask)
        self.textEdited.connect(self._typed)
        self.textChanged.connect(self._maybe_cleared)
        self.setEnabled(False)

    # -- life cycle ---------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.setEnabled(True)

    def clear_vault(self) -> None:
        """On lock: forget the vault, the text and every hit shown."""
        self.vault = None
        self._cancel_pending()
        self.timer.stop()
        self.clear()
        self.hide_panel()
        if self.panel is not None:
            self.panel.list.clear()
        self.setEnabled(False)

    def focus_search(self) -> None:
        """Ctrl+K: put the cursor here, with the old text selected to type over."""
        if not self.isEnabled():
            return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
        if self.text().strip() and self.panel is not None and self._shown_text == self.text():
            self._place_panel()

    # -- asking -------------------------------------------------------------------
    def _typed(self, _text: str) -> None:
        self.timer.start()

    def _maybe_cleared(self, text: str) -> None:
        if not text.strip():
            self.timer.stop()
            self._cancel_pending()
            self.hide_panel()

    def _cancel_pending(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self._token = None
        self.pending = None

    def _ask(self) -> None:
        text = self.text()
        if self.vault is None or not text.strip():
            return
        self._cancel_pending()
        self._open_on_answer = False
        self._asked += 1
        number = self._asked
        self._token = Progress()
        self.pending = self.tasks.submit(
            service("search.search"), self.vault, text, limit=self.limit, cancel=self._token,
            on_done=lambda results, n=number: self._answered(n, results),
        )

    def _answered(self, number: int, results: Any) -> None:
        if number != self._asked or self.vault is None:
            return  # an older query, or locked meanwhile
        self.pending = None
        self._token = None
        self._shown_text = results.text
        self._panel().show_results(results)
        self._place_panel()
        if self._open_on_answer:
            self._open_on_answer = False
            hit = self._panel().current_hit()
            if hit is not None:
                self._open(*hit)

    # -- the panel ----------------------------------------------------------------
    def _panel(self) -> Any:
        if self.panel is None:
            from crasme_desktop.ui.search_panel import SearchPanel

            self.panel = SearchPanel(self.window())
            self.panel.hit_activated.connect(self._open)
            self.window().installEventFilter(self)
        return self.panel

    def _place_panel(self) -> None:
        panel = self._panel()
        top_left = self.mapTo(self.window(), QPoint(0, self.height() + 4))
        width = max(self.width(), PANEL_WIDTH)
        x = min(top_left.x(), max(0, self.window().width() - width - 8))
        panel.setGeometry(x, top_left.y(), width, panel.wanted_height())
        panel.show()
        panel.raise_()

    def hide_panel(self) -> None:
        if self.panel is not None:
            self.panel.hide()

    @property
    def panel_visible(self) -> bool:
        return self.panel is not None and self.panel.isVisible()

    def _open(self, kind: str, record_id: str) -> None:
        self.hide_panel()
        self.open_requested.emit(kind, record_id)

    # -- keys -----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.panel_visible:
            assert self.panel is not None  # nosec B101  # narrows a type the code above guarantees
            self.panel.move(1 if key == Qt.Key.Key_Down else -1)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.timer.isActive() or self.pending is not None:
                # Enter before the answer: ask now (if not yet) and open the first hit.
                if self.timer.isActive():
                    self.timer.stop()
                    self._ask()
                self._open_on_answer = True
                return
            hit = self.panel.current_hit() if self.panel_visible and self.panel else None
            if hit is not None:
                self._open(*hit)
            return
        if key == Qt.Key.Key_Escape:
            if self.panel_visible:
                self.hide_panel()
            else:
                self.clear()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The panel follows the box when the window is resized.
        if event.type() == QEvent.Type.Resize and self.panel_visible:
            self._place_panel()
        return super().eventFilter(watched, event)

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        # A click on a hit takes no focus (the list never takes it), so any other
        # focus change means the person went elsewhere.
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.hide_panel()
