"""The Dashboard: the vault's figures at a glance, and a way in for an empty vault."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, Page, label
from crasme_desktop.ui.tasks import TaskRunner

#: Everything the demo data touches, for the runner's `changed` signal.
SAMPLE_AREAS = frozenset({"contacts", "organizations", "activities", "sales", "deals"})
SAMPLE_CONTACTS = 250


class Tile(QFrame):
    """One figure with its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "tile")
        self.setMinimumHeight(104)
        self.value = label("–", "tileValue", wrap=False)
        self.value.setObjectName(f"tile_{caption.lower().replace(' ', '_')}")
        self.caption = label(caption, "tileLabel")
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 16)
        box.addWidget(self.value)
        box.addWidget(self.caption)
        box.addStretch(1)

    def set_value(self, text: str) -> None:
        self.value.setText(text)


class LinkTile(Tile):
    """A tile that opens the list behind its figure (click, Enter or Space)."""

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(caption, parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.detail = label("", "tileLabel")
        self.layout().insertWidget(2, self.detail)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class DashboardPage(Page):
    key = "dashboard"
    title = "Dashboard"
    description = "How your records stand today."
    icon_name = "dashboard"
    areas = frozenset({"contacts", "organizations", "activities", "privacy", "deals"})
    #: (kind, record id): the main window shows that record's page.
    record_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.summary: Any = None
        self.tiles = {
            "people": Tile("People"),
            "organizations": Tile("Companies"),
            "activities": Tile("Timeline entries"),
            "last_changed": Tile("Last change"),
        }
        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        for column, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, 0, column)
        # Open deals expected to close this month; a click opens that list on Deals.
        self.pipeline_tile = LinkTile("Pipeline this month")
        self.pipeline_tile.setToolTip("Open deals expected to close this month")
        self.pipeline_tile.clicked.connect(
            lambda: self.record_requested.emit("deals_this_month", ""))
        grid.addWidget(self.pipeline_tile, 1, 0, 1, 2)
        self.welcome = QLabel()
        self.welcome.setProperty("role", "hint")
        self.welcome.setWordWrap(True)
        grid.addWidget(self.welcome, 2, 0, 1, 4)
        # Privacy requests due within a week or late; the link opens the register.
        self.requests_line = QLabel()
        self.requests_line.setObjectName("dashboardRequests")
        self.requests_line.setProperty("role", "warning")
        self.requests_line.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.requests_line.linkActivated.connect(
            lambda _link: self.record_requested.emit("privacy_requests", ""))
        self.requests_line.hide()
        grid.addWidget(self.requests_line, 3, 0, 1, 4)
        grid.setRowStretch(4, 1)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.empty = EmptyState(
            "sparkles",
            "Your vault is empty",
            "Add the people you work with in Contacts, or fill the vault with made-up "
            "sample data to look around first.",
            action="Add sample data",
        )
        self.empty.action_clicked.connect(self.add_sample_data)
        self.content = content
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty)

    def refresh(self) -> None:
        if self.vault is None:
            return
        self.tasks.submit(service("dashboard.summary"), self.vault, on_done=self._show)

    def _show(self, summary: Any) -> None:
        if self.vault is None:  # locked while the figures were on their way
            return
        self.summary = summary
        locale = QLocale()
        self.tiles["people"].set_value(locale.toString(summary.people))
        self.tiles["organizations"].set_value(locale.toString(summary.organizations))
        self.tiles["activities"].set_value(locale.toString(summary.activities))
        self.tiles["last_changed"].set_value(_when(summary.last_changed))
        self._show_pipeline(getattr(summary, "pipeline", None))
        self.welcome.setText(
            "Figures for invoices, tickets and today's jobs will join these as "
            "those parts of Crasme Desktop arrive."
        )
        self._show_requests(summary.requests_late, summary.requests_due_soon)
        empty = summary.people == 0 and summary.organizations == 0
        if self.empty.button is not None:
            self.empty.button.setEnabled(True)
        self.stack.setCurrentWidget(self.empty if empty else self.content)

    def _show_pipeline(self, pipeline: Any) -> None:
        from crasme_desktop.ui.sales_common import money_text

        if pipeline is None or not pipeline.count:
            self.pipeline_tile.set_value(money_text(Decimal(0), "EUR") if pipeline else "–")
            self.pipeline_tile.detail.setText("No open deals expected to close this month")
            return
        first, *others = pipeline.totals
        self.pipeline_tile.set_value(money_text(first.value, first.currency))
        count = QLocale().toString(pipeline.count)
        lines = [f"{count} open {'deal' if pipeline.count == 1 else 'deals'}, weighted "
                 f"{money_text(first.weighted, first.currency)}"]
        lines += [f"and {money_text(t.value, t.currency)} (weighted "
                  f"{money_text(t.weighted, t.currency)})" for t in others]
        self.pipeline_tile.detail.setText("\n".join(lines))

    def _show_requests(self, late: int, soon: int) -> None:
        parts = []
        if late:
            parts.append(f"{late} privacy request{'s are' if late != 1 else ' is'} late")
        if soon:
            parts.append(f"{soon} {'are' if soon != 1 else 'is'} due within a week"
                         if late else
                         f"{soon} privacy request{'s are' if soon != 1 else ' is'} due "
                         "within a week")
        if parts:
            self.requests_line.setText(f'{"; ".join(parts)}. <a href="requests">Open the '
                                       "requests</a>")
        self.requests_line.setVisible(bool(parts))

    def add_sample_data(self) -> None:
        if self.vault is None:
            return
        if self.empty.button is not None:
            self.empty.button.setEnabled(False)
        self.tasks.submit(
            service("demo.fill_demo"),
            self.vault,
            contacts=SAMPLE_CONTACTS,
            progress_title="Adding sample data…",
            cancellable=True,
            writes=SAMPLE_AREAS,
            on_error=self._sample_failed,
        )
        # The button comes back with the refresh that `changed` brings after the work
        # (finished or cancelled), or after a failure below.

    def _sample_failed(self, error: UserError) -> None:
        self.tasks.show_error(error)
        self.refresh()

    def clear(self) -> None:
        super().clear()
        self.summary = None
        for tile in self.tiles.values():
            tile.set_value("–")
        self.pipeline_tile.set_value("–")
        self.pipeline_tile.detail.clear()
        self.requests_line.clear()
        self.requests_line.hide()
        self.stack.setCurrentWidget(self.content)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "Never"
    local = as_utc(moment).astimezone()
    today = datetime.now(local.tzinfo).date()
    locale, short = QLocale(), QLocale.FormatType.ShortFormat
    if local.date() == today:
        return f"Today {locale.toString(QTime(local.hour, local.minute), short)}"
    return locale.toString(QDate(local.year, local.month, local.day), short)
