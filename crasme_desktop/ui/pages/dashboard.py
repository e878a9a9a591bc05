"""The Dashboard: the vault's figures at a glance, and a way in for an empty vault.

The tiles on top say what needs doing today: today's jobs (and the next one), tickets
past their SLA target or due soon, overdue invoices, the pipeline closing this month
and this month's revenue against the same days of last month. Each opens the list
behind its figure (click, Enter or Space): `filter_requested(page key, filter name)`
asks the main window to show that page with that filter (`open_filtered` on the page;
`services.dashboard.FILTERS`). The figures are those of the lists, counted the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, Page, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner

#: Everything the demo data touches, for the runner's `changed` signal.
SAMPLE_AREAS = frozenset({"contacts", "organizations", "activities", "sales", "deals"})
SAMPLE_CONTACTS = 250
#: tile -> (page key, filter name) of the list it opens (the page's `open_filtered`).
FILTERS = {
    "jobs_today": ("schedule", "today"),
    "tickets_breached": ("tickets", "breached"),
    "tickets_due_soon": ("tickets", "due_soon"),
    "invoices_overdue": ("sales", "overdue"),
    "pipeline": ("deals", "closing_this_month"),
    "revenue": ("reports", "revenue_this_month"),
}
_FOCUS_STYLE = f"QFrame[role=\"tile\"]:focus {{ border: 2px solid {theme.ACCENT}; }}"


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

    def __init__(self, caption: str, tip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(caption, parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(_FOCUS_STYLE)
        self.setAccessibleName(caption)
        if tip:
            self.setToolTip(tip)
            self.setAccessibleDescription(tip)
        self.detail = label("", "tileLabel")
        self.detail.setObjectName(f"{self.value.objectName()}_detail")
        self.layout().insertWidget(2, self.detail)

    def show_figure(self, value: str, detail: str = "", *, alert: bool = False) -> None:
        """The figure (red when it asks for action) and the line under the caption."""
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {theme.DANGER};" if alert else "")
        self.detail.setText(detail)
        self.setAccessibleName(f"{self.caption.text()}: {value}")

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
    areas = frozenset({"contacts", "organizations", "activities", "privacy", "deals",
                       "sales", "tickets", "schedule", "jobs", "staff"})
    #: (kind, record id): the main window shows that record's page.
    record_requested = Signal(str, str)
    #: (page key, filter name): the main window shows that page's filtered list.
    filter_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.summary: Any = None
        self.links = {
            "jobs_today": LinkTile("Today's jobs", "Open today on the schedule"),
            "tickets_breached": LinkTile("Tickets breached",
                                         "Open the tickets past their SLA target"),
            "tickets_due_soon": LinkTile("Tickets due soon",
                                         "Open the tickets whose SLA target is near"),
            "invoices_overdue": LinkTile("Invoices overdue",
                                         "Open the overdue invoices in Sales"),
            "pipeline": LinkTile("Pipeline this month",
                                 "Open deals expected to close this month"),
            "revenue": LinkTile("Revenue this month",
                                "Open the revenue report for this month"),
        }
        for name, tile in self.links.items():
            page_key, filter_name = FILTERS[name]
            tile.clicked.connect(lambda p=page_key, f=filter_name:
                                 self.filter_requested.emit(p, f))
        self.pipeline_tile = self.links["pipeline"]
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
        for column, name in enumerate(("jobs_today", "tickets_breached", "tickets_due_soon",
                                       "invoices_overdue")):
            grid.addWidget(self.links[name], 0, column)
        for column in range(4):  # four equal columns, whatever their figures
            grid.setColumnStretch(column, 1)
        grid.addWidget(self.links["pipeline"], 1, 0, 1, 2)
        grid.addWidget(self.links["revenue"], 1, 2, 1, 2)
        self.records_title = label("Your records", "section")
        grid.addWidget(self.records_title, 2, 0, 1, 4)
        for column, tile in enumerate(self.tiles.values()):
            # Smaller than the tiles above (they come second), so the columns stay even.
            tile.setMinimumHeight(84)
            tile.value.setStyleSheet("font-size: 17pt;")
            grid.addWidget(tile, 3, column)
        self.welcome = QLabel()
        self.welcome.setProperty("role", "hint")
        self.welcome.setWordWrap(True)
        self.welcome.hide()
        grid.addWidget(self.welcome, 4, 0, 1, 4)
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
        grid.addWidget(self.requests_line, 5, 0, 1, 4)
        grid.setRowStretch(6, 1)
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

    def showEvent(self, event: QShowEvent) -> None:
        # Jobs start and SLA targets pass while nothing is written: count again when seen.
        super().showEvent(event)
        if self.summary is not None:
            self.refresh()

    def _show(self, summary: Any) -> None:
        if self.vault is None:  # locked while the figures were on their way
            return
        self.summary = summary
        locale = QLocale()
        # A figure is None when the role may not view its area (services.dashboard
        # counts nothing there): its tile is left out.
        figures: dict[str, Any] = {
            "people": summary.people, "organizations": summary.organizations,
            "activities": summary.activities, "last_changed": summary.people,
            "jobs_today": summary.jobs_today, "tickets_breached": summary.tickets,
            "tickets_due_soon": summary.tickets, "invoices_overdue": summary.overdue,
            "pipeline": summary.pipeline, "revenue": summary.revenue,
        }
        for name, value in figures.items():
            (self.links.get(name) or self.tiles[name]).setVisible(value is not None)
        self.records_title.setVisible(any(figures[name] is not None for name in self.tiles))
        for name in ("people", "organizations", "activities"):
            value = figures[name]
            self.tiles[name].set_value("" if value is None else locale.toString(value))
        self.tiles["last_changed"].set_value(_when(summary.last_changed))
        if summary.pipeline is not None:
            self._show_pipeline(summary.pipeline)
        if summary.jobs_today is not None:
            self._show_jobs(summary.jobs_today)
        if summary.tickets is not None:
            self._show_tickets(summary.tickets)
        if summary.overdue is not None:
            self._show_overdue(summary.overdue)
        if summary.revenue is not None:
            self._show_revenue(summary.revenue)
        self._show_requests(summary.requests_late, summary.requests_due_soon)
        empty = summary.people == 0 and summary.organizations == 0
        self.apply_permissions()
        self.stack.setCurrentWidget(self.empty if empty else self.content)

    def apply_permissions(self) -> None:
        """Sample data adds people, companies and the rest: it needs contacts.create."""
        if self.empty.button is not None:
            gate(self.empty.button, self.vault, "contacts.create")

    def _show_pipeline(self, pipeline: Any) -> None:
        from crasme_desktop.ui.sales_common import money_text

        if not pipeline.count:
            self.pipeline_tile.show_figure(money_text(Decimal(0), "EUR"),
                                           "No open deals expected to close this month")
            return
        first, *others = pipeline.totals
        count = QLocale().toString(pipeline.count)
        lines = [f"{count} open {'deal' if pipeline.count == 1 else 'deals'}, weighted "
                 f"{money_text(first.weighted, first.currency)}"]
        lines += [f"and {money_text(t.value, t.currency)} (weighted "
                  f"{money_text(t.weighted, t.currency)})" for t in others]
        self.pipeline_tile.show_figure(money_text(first.value, first.currency),
                                       "\n".join(lines))

    def _show_jobs(self, jobs: Any) -> None:
        tile = self.links["jobs_today"]
        locale = QLocale()
        parts = []
        if jobs.count:
            parts.append(f"{locale.toString(jobs.done)} done")
        if jobs.next is not None:
            start = locale.toString(QTime(jobs.next.start.hour, jobs.next.start.minute),
                                    QLocale.FormatType.ShortFormat)
            who = f" ({jobs.next.assignee})" if jobs.next.assignee else " (not assigned)"
            parts.append(f"next {start} {jobs.next.title}{who}")
        elif jobs.count:
            parts.append("none left to start")
        tile.show_figure(locale.toString(jobs.count),
                         " · ".join(parts) if parts else "No jobs planned today")

    def _show_tickets(self, tickets: Any) -> None:
        breached, soon = self.links["tickets_breached"], self.links["tickets_due_soon"]
        locale = QLocale()
        breached.show_figure(locale.toString(tickets.breached),
                             "Past their SLA target" if tickets.breached
                             else "None past their SLA target", alert=tickets.breached > 0)
        hours = tickets.due_soon_minutes / 60
        within = (f"{locale.toString(hours, 'g', 3)} business "
                  f"{'hour' if hours == 1 else 'hours'}")
        soon.show_figure(locale.toString(tickets.due_soon), f"Due within {within}")

    def _show_overdue(self, overdue: Any) -> None:
        from crasme_desktop.ui.sales_common import money_text

        tile = self.links["invoices_overdue"]
        sums = [f"{money_text(t.open, t.currency)} open" for t in overdue.per_currency]
        tile.show_figure(QLocale().toString(overdue.count),
                         "\n".join(sums) if sums else "Nothing overdue",
                         alert=overdue.count > 0)

    def _show_revenue(self, revenue: Any) -> None:
        from crasme_desktop.ui.sales_common import money_text, number_text

        tile = self.links["revenue"]
        if not revenue:
            tile.show_figure(money_text(Decimal(0), "EUR"),
                             "No invoices issued this month or in the same days of last "
                             "month")
            return
        lines = []
        for r in revenue:
            if r.change_percent is None:
                change = "nothing in the same days of last month"
            else:
                sign = "+" if r.change_percent > 0 else "−" if r.change_percent < 0 else "±"
                change = (f"{sign}{number_text(abs(r.change_percent), 0)} % against "
                          f"{money_text(r.last_month, r.currency)} in the same days of "
                          "last month")
            lines.append(change if r is revenue[0] else
                         f"{money_text(r.this_month, r.currency)}: {change}")
        tile.show_figure(money_text(revenue[0].this_month, revenue[0].currency),
                         "Net · " + "\n".join(lines))

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
        if not self.may("contacts.create"):
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
        for link in self.links.values():
            link.show_figure("–")
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
