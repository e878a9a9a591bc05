"""Small widgets shared by the record cards and editors: links, tag chips, a flow
layout, inline field errors, locale dates, file choosers and a latest-wins loader.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QDateTime,
    QLocale,
    QMargins,
    QMimeData,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.tasks import Task, TaskRunner

#: Asks where to save a file; gets a suggested path, returns the chosen one or None.
ChooseSavePath = Callable[[Path], Path | None]
#: Asks which files to open; returns them (an empty list when the person cancels).
ChooseOpenPaths = Callable[[], list[Path]]

_CHIP_STYLE = (
    "QLabel { background: #e8f2f7; color: #1c4a61; border: 1px solid #c4dce8;"
    " border-radius: 10px; padding: 1px 9px; }"
)
_FIELD_ERROR_STYLE = f"QLabel {{ color: {theme.DANGER}; padding: 2px 0 0 2px; }}"


# -- dates and text --------------------------------------------------------------------
def local_datetime(value: datetime, *, with_time: bool = True) -> str:
    """An aware datetime as the person's locale writes it, in their time zone."""
    moment = QDateTime.fromMSecsSinceEpoch(round(value.timestamp() * 1000)).toLocalTime()
    fmt = QLocale.FormatType.ShortFormat
    if with_time:
        return QLocale().toString(moment, fmt)
    return QLocale().toString(moment.date(), fmt)


def to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(round(value.timestamp() * 1000)).toLocalTime()


def from_qdatetime(value: QDateTime) -> datetime:
    """A QDateTime (local time) as an aware UTC datetime for the services."""
    from datetime import UTC

    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


def country_name(code: str) -> str:
    """"DE" -> "Germany" (the code itself when Qt does not know it)."""
    if not code:
        return ""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.Country.AnyTerritory:
        return code
    return QLocale.territoryToString(territory)


def link(href: str, text: str) -> str:
    """Rich text for a link in the accent colour, escaped."""
    return (
        f'<a href="{html.escape(href, quote=True)}" style="color:{theme.ACCENT};'
        f' text-decoration:none">{html.escape(text)}</a>'
    )


def escaped_lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())


# -- labels ------------------------------------------------------------------------------
def text_label(
    text: str = "", role: str = "", *, name: str = "", selectable: bool = True
) -> QLabel:
    """A wrapped label whose text a person can select and copy."""
    out = QLabel(text)
    out.setWordWrap(True)
    out.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        out.setProperty("role", role)
    if name:
        out.setObjectName(name)
    if selectable:
        out.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return out


def rich_label(name: str = "") -> QLabel:
    """A label for rich text whose mailto:, tel: and https: links open in the system's
    own programs."""
    out = QLabel()
    out.setWordWrap(True)
    out.setTextFormat(Qt.TextFormat.RichText)
    out.setOpenExternalLinks(True)
    out.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextBrowserInteraction
    )
    if name:
        out.setObjectName(name)
    return out


def link_button(text: str, name: str = "") -> QPushButton:
    """A button drawn as a link (the stylesheet's `link` property)."""
    out = QPushButton(text)
    out.setProperty("link", True)
    out.setCursor(Qt.CursorShape.PointingHandCursor)
    out.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    if name:
        out.setObjectName(name)
    return out


class FieldError(QLabel):
    """The one sentence under a field that cannot be saved; hidden when empty."""

    def __init__(self, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(_FIELD_ERROR_STYLE)
        self.setProperty("role", "fieldError")
        if name:
            self.setObjectName(name)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def add_message(self, message: str) -> None:
        self.show_message(f"{self.text()}\n{message}" if self.text() else message)

    def clear_message(self) -> None:
        self.show_message("")


def line_edit(name: str, placeholder: str = "", *, accessible: str = "") -> QLineEdit:
    """A one-line field with its object name (tests and styles find it by that)."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if accessible:
        edit.setAccessibleName(accessible)
    return edit


def push_button(text: str, name: str, slot: Callable[[], Any] | None = None, *,
                tip: str = "", primary: bool = False, auto_default: bool = True) -> QPushButton:
    """A button with its object name, its action, and optionally a tip or the primary look."""
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    if primary:
        button.setProperty("primary", True)
    if not auto_default:
        button.setAutoDefault(False)
    if slot is not None:
        button.clicked.connect(slot)
    return button


def select_rows(view: QAbstractItemView) -> None:
    """A read-only list whose rows are picked one at a time."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)


def row_table(name: str, headers: Sequence[str], *, accessible: str = "") -> QTableWidget:
    """A read-only table of rows picked one at a time, without row numbers."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    if accessible:
        table.setAccessibleName(accessible)
    select_rows(table)
    return table


def card(name: str = "") -> tuple[QFrame, QVBoxLayout]:
    """A white card (the stylesheet's `card` role) and its layout."""
    frame = QFrame()
    frame.setProperty("role", "card")
    if name:
        frame.setObjectName(name)
    box = QVBoxLayout(frame)
    box.setContentsMargins(18, 14, 18, 16)
    box.setSpacing(6)
    return frame, box


def titled_card(title: str, name: str = "") -> tuple[QFrame, QVBoxLayout]:
    """A Settings-style card: roomier than `card`, with a section title on top."""
    from crasme_desktop.ui.pages.base import label

    frame, box = card(name)
    box.setContentsMargins(22, 16, 22, 18)
    box.setSpacing(10)
    box.addWidget(label(title, "section"))
    return frame, box


# -- tags ------------------------------------------------------------------------------
class FlowLayout(QLayout):
    """Lays items out left to right and wraps them onto new lines, like words."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


class TagChips(QWidget):
    """Tags shown as small rounded chips that wrap onto more lines when they must."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagChips")
        self._flow = FlowLayout(self)
        self.tags: tuple[str, ...] = ()
        sp = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)

    def set_tags(self, tags: Iterable[str]) -> None:
        while (item := self._flow.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.tags = tuple(tags)
        for tag in self.tags:
            chip = QLabel(tag)
            chip.setObjectName("tagChip")
            chip.setTextFormat(Qt.TextFormat.PlainText)
            chip.setStyleSheet(_CHIP_STYLE)
            self._flow.addWidget(chip)
        self.setVisible(bool(self.tags))
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._flow.heightForWidth(width)


# -- files -----------------------------------------------------------------------------
def ask_save_path(parent: QWidget | None, title: str = "Save as") -> ChooseSavePath:
    """The system's save dialog (tests pass their own chooser)."""

    def choose(suggested: Path) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested))
        return Path(name) if name else None

    return choose


def ask_open_paths(parent: QWidget | None, title: str = "Attach files") -> ChooseOpenPaths:
    def choose() -> list[Path]:
        names, _filter = QFileDialog.getOpenFileNames(parent, title)
        return [Path(n) for n in names]

    return choose


# -- loading -----------------------------------------------------------------------------
class LatestLoader:
    """Runs one read at a time for a view and delivers only the newest one asked for.

    While a load runs, newer requests replace each other in a one-place queue, so a
    person holding the down arrow over a list starts at most two loads, and the view
    never shows a record it has already moved past.
    """

    def __init__(self, tasks: TaskRunner) -> None:
        self._tasks = tasks
        self._running: Task | None = None
        self._pending: tuple[Any, ...] | None = None
        self._ticket = 0

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    def request(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[UserError], None] | None = None,
    ) -> None:
        self._ticket += 1
        call = (self._ticket, fn, args, on_done, on_error)
        if self._running is not None and not self._running.finished:
            self._pending = call
        else:
            self._start(call)

    def reset(self) -> None:
        """Forget what is running or waiting: its outcome will not be delivered."""
        self._ticket += 1
        self._pending = None
        self._running = None

    def _start(self, call: tuple[Any, ...]) -> None:
        ticket, fn, args, on_done, on_error = call
        # Every outcome comes back through on_done, so the queue always moves on.
        self._running = self._tasks.submit(
            _outcome, fn, *args,
            on_done=lambda outcome: self._finish(ticket, outcome, on_done, on_error),
        )

    def _finish(
        self,
        ticket: int,
        outcome: tuple[bool, Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[UserError], None] | None,
    ) -> None:
        self._running = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._start(pending)
            return
        if ticket != self._ticket:
            return
        ok, value = outcome
        if ok:
            on_done(value)
        elif isinstance(value, Cancelled):
            return
        elif isinstance(value, UserError):
            (on_error or self._tasks.show_error)(value)
        else:
            self._tasks.report_crash(value)


def _outcome(fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    try:
        return True, fn(*args)
    except Exception as exc:  # handed back to the GUI thread, sorted there
        return False, exc


#: How long a copied secret (a recovery key) stays on the clipboard.
SECRET_CLIPBOARD_SECONDS = 30


def copy_secret(text: str, *, seconds: float = SECRET_CLIPBOARD_SECONDS) -> None:
    """Put a secret on the clipboard and take it off again after `seconds`.

    The clipboard is cleared only if it still holds this secret (a person who has
    copied something else since keeps it). The data carries the hints that tell
    clipboard managers not to keep it in their history (KDE's password-manager hint;
    Windows' exclusion from clipboard history and cloud clipboard). The timer belongs
    to the application, so closing the dialog that copied the key does not cancel it;
    quitting clears the clipboard at once.
    """
    clipboard = QGuiApplication.clipboard()
    data = QMimeData()
    data.setText(text)
    data.setData("x-kde-passwordManagerHint", QByteArray(b"secret"))
    data.setData("ExcludeClipboardContentFromMonitorProcessing", QByteArray(b"1"))
    data.setData("CanIncludeInClipboardHistory", QByteArray(b"\x00\x00\x00\x00"))
    data.setData("CanUploadToCloudClipboard", QByteArray(b"\x00\x00\x00\x00"))
    clipboard.setMimeData(data, QClipboard.Mode.Clipboard)

    def clear() -> None:
        board = QGuiApplication.clipboard()
        if board is not None and board.text(QClipboard.Mode.Clipboard) == text:
            board.clear(QClipboard.Mode.Clipboard)

    app = QCoreApplication.instance()
    if app is None:
        return
    QTimer.singleShot(int(seconds * 1000), app, clear)
    app.aboutToQuit.connect(clear)
