"""The Reports page: a period, and a tab per report with its chart and its figures.

The period picker offers the presets (this month, last month, this quarter, last
quarter, this year, last 12 months) and custom dates; choosing one counts every report
again on the task runner (one task per report, so each tab fills as its figures
arrive, and the window never waits). Each tab shows what the report counts, its chart
(`ui.charts.ChartView`; a currency picker when amounts come in several currencies) and
the table of its figures in the person's locale, with "Export CSV…" for the numbers
as programs read them. "Print to PDF…" (Ctrl+P) prints every report of the period to
one A4 PDF, counted afresh behind a progress dialog that can be cancelled.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.report import (
    DAY,
    HOURS,
    MONEY,
    MONTH,
    PERCENT,
    PRESETS,
    WEEK,
    Period,
    Report,
    period_for,
)
from crasme_desktop.ui.charts import ChartView, category_text
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import Page, gate_shortcuts, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.sales_common import from_qdate, money_text, number_text, to_qdate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import ChooseSavePath, ask_save_path, push_button, row_table

#: (key, tab title) of the reports, in the order of `services.reports.REPORTS` (kept
#: here so that building the page imports no service).
REPORT_TABS = (
    ("revenue", "Revenue"),
    ("aging", "Unpaid by age"),
    ("pipeline", "Pipeline"),
    ("won_lost", "Won and lost"),
    ("ticket_backlog", "Ticket backlog"),
    ("sla", "SLA"),
    ("support_times", "Response times"),
    ("jobs_done", "Jobs done"),
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def cell_text(value: Any, kind: str, currency: str) -> str:
    """A figure of a report's table as the person's locale writes it."""
    if value is None:
        return "–"
    if kind in (MONTH, WEEK, DAY) and isinstance(value, date):
        return category_text(value, kind, short=False)
    if kind == MONEY:
        return money_text(Decimal(value), currency)
    if kind == PERCENT:
        return f"{number_text(Decimal(value), 1)} %"
    if kind == HOURS:
        return number_text(Decimal(value), 1)
    if isinstance(value, int):
        return QLocale().toString(value)
    return str(value)


class ReportView(QWidget):
    """One report: what it counts, its chart and its table."""

    def __init__(self, page: ReportsPage, key: str, title: str) -> None:
        super().__init__()
        self.page = page
        self.key = key
        self.report: Report | None = None
        self.setObjectName(f"report_{key}")
        self.note = label("", "hint")
        self.note.setObjectName(f"reportNote_{key}")
        self.currency = QComboBox()
        self.currency.setObjectName(f"reportCurrency_{key}")
        self.currency.setAccessibleName(f"Currency of the {title.lower()} chart")
        self.currency.currentIndexChanged.connect(lambda _i: self._draw())
        self.currency_label = QLabel("Chart in")
        self.currency_label.setBuddy(self.currency)
        self.export_button = push_button("Export CSV…", f"exportCsv_{key}", self.export_csv,
                                         tip="Save this report's figures as a CSV file "
                                         "for a spreadsheet or another program")
        self.export_button.setAccessibleName(f"Export {title} as CSV")
        self.export_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.currency_label)
        top.addWidget(self.currency)
        top.addWidget(self.export_button)
        self.chart = ChartView(f"reportChart_{key}")
        self.chart.setAccessibleName(f"{title} chart")
        self.chart.empty_text = "Counting…"
        self.table = row_table(f"reportTable_{key}", [], accessible=f"{title} figures")
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(top)
        box.addWidget(self.chart, 3)
        box.addWidget(self.table, 2)
        self._show_currencies(())

    def show_report(self, report: Report) -> None:
        self.report = report
        self.note.setText(report.note)
        self.chart.empty_text = "Nothing to show for this period."
        chosen = self.currency.currentText()
        self._show_currencies(tuple(c.title for c in report.charts if c.title))
        self.currency.setCurrentIndex(max(self.currency.findText(chosen), 0))
        self._fill_table(report)
        if gate(self.export_button, self.page.vault, "export",
                tip="Save this report's figures as a CSV file for a spreadsheet or "
                    "another program"):
            self.export_button.setEnabled(True)
        self._draw()

    def _show_currencies(self, titles: tuple[str, ...]) -> None:
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(list(titles))
        self.currency.blockSignals(False)
        several = len(titles) > 1
        self.currency.setVisible(several)
        self.currency_label.setVisible(several)

    def _fill_table(self, report: Report) -> None:
        self.table.clear()
        self.table.setColumnCount(len(report.columns))
        for c, column in enumerate(report.columns):
            head = QTableWidgetItem(column.title)
            head.setTextAlignment(_RIGHT if column.numeric else _LEFT)
            self.table.setHorizontalHeaderItem(c, head)
        self.table.setRowCount(len(report.rows))
        for r, row in enumerate(report.rows):
            currency = report.currency_of(row)
            for c, (value, column) in enumerate(zip(row, report.columns, strict=True)):
                item = QTableWidgetItem(cell_text(value, column.kind, currency))
                if column.numeric:
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(r, c, item)

    def _draw(self) -> None:
        report = self.report
        if report is None or not report.charts:
            self.chart.set_chart(None)
            return
        chosen = self.currency.currentText()
        chart = next((c for c in report.charts if c.title == chosen), report.charts[0])
        self.chart.set_chart(chart)

    def export_csv(self) -> None:
        report = self.report
        if report is None or not self.page.may("export"):
            return
        period = report.period
        suggested = Path.home() / f"{self.key}-{period.start.isoformat()}-" \
                                  f"{period.end.isoformat()}.csv"
        path = self.page.choose_path(suggested)
        if path is None:
            return
        self.page.tasks.submit(service("reports.save_csv"), report, path,
                               on_done=lambda saved: self.page.show_saved(saved),
                               on_error=self.page.show_error)

    def clear(self) -> None:
        self.report = None
        self.note.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._show_currencies(())
        self.export_button.setEnabled(False)
        self.chart.empty_text = "Counting…"
        self.chart.set_chart(None)


class ReportsPage(Page):
    key = "reports"
    title = "Reports"
    description = "Figures for sales, support and the team, for any period."
    icon_name = "reports"
    areas = frozenset({"sales", "deals", "tickets", "schedule", "jobs", "staff"})

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.choose_path: ChooseSavePath = ask_save_path(self, "Save the report as")
        self.choose_pdf_path: ChooseSavePath = ask_save_path(self, "Print the reports to")
        self.period: Period | None = None
        self._generation = 0

        self.preset = QComboBox()
        self.preset.setObjectName("reportPeriod")
        self.preset.setAccessibleName("Period")
        for key, text in PRESETS:
            self.preset.addItem(text, key)
        self.preset.setCurrentIndex(self.preset.findData("last_12_months"))
        self.preset.activated.connect(lambda _i: self._preset_chosen())
        period_label = QLabel("Period")
        period_label.setBuddy(self.preset)
        self.start = self._date_box("reportFrom", "First day of the period")
        self.end = self._date_box("reportTo", "Last day of the period")
        to_label = QLabel("to")
        to_label.setBuddy(self.end)
        self.print_button = push_button("Print to PDF…", "printReports", self.print_pdf,
                                        tip="Print every report of this period to one "
                                        "PDF (Ctrl+P)")
        self.error = label("", "error")
        self.error.setObjectName("reportsError")
        self.error.hide()
        self.saved = label("", "hint")
        self.saved.setObjectName("reportsSaved")
        toolbar = QWidget()
        row = QHBoxLayout(toolbar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(period_label)
        row.addWidget(self.preset)
        row.addSpacing(8)
        row.addWidget(self.start)
        row.addWidget(to_label)
        row.addWidget(self.end)
        row.addSpacing(12)
        row.addWidget(self.error, 1)
        row.addWidget(self.saved, 1)
        row.addWidget(self.print_button)
        self.layout().insertWidget(3, toolbar)

        self.views = {key: ReportView(self, key, title) for key, title in REPORT_TABS}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.setDocumentMode(True)
        for key, title in REPORT_TABS:
            self.tabs.addTab(self.views[key], title)
        self.stack.addWidget(self.tabs)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.print_pdf)
        self.print_shortcut = shortcut
        for box in (self.start, self.end):
            box.dateChanged.connect(self._dates_changed)
        self._preset_chosen(load=False)

    @staticmethod
    def _date_box(name: str, tip: str) -> QDateEdit:
        box = QDateEdit()
        box.setObjectName(name)
        box.setCalendarPopup(True)
        box.setToolTip(tip)
        box.setAccessibleName(tip)
        box.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        return box

    # -- the period -------------------------------------------------------------------
    def _preset_chosen(self, *, load: bool = True) -> None:
        preset = self.preset.currentData()
        custom = preset == "custom"
        for box in (self.start, self.end):
            box.setEnabled(custom)
        if not custom:  # the preset's dates, shown without counting twice
            period = period_for(preset, date.today())
            for box, day in ((self.start, period.start), (self.end, period.end)):
                box.blockSignals(True)
                box.setDate(to_qdate(day))
                box.blockSignals(False)
        if load:
            self.refresh()

    def _dates_changed(self, _day: QDate) -> None:
        if self.preset.currentData() == "custom":
            self.refresh()

    def set_period(self, preset: str, start: date | None = None,
                   end: date | None = None) -> None:
        """Choose a preset, or "custom" with its dates, and count the reports again."""
        self.preset.setCurrentIndex(max(self.preset.findData(preset), 0))
        if preset == "custom" and start is not None and end is not None:
            for box, day in ((self.start, start), (self.end, end)):
                box.blockSignals(True)
                box.setDate(to_qdate(day))
                box.blockSignals(False)
        self._preset_chosen()

    def chosen_period(self) -> Period:
        preset = self.preset.currentData()
        if preset != "custom":
            return period_for(preset, date.today())
        return period_for("custom", date.today(), from_qdate(self.start.date()),
                          from_qdate(self.end.date()))

    def open_filtered(self, filter_name: str) -> None:
        """A report asked for by name (the dashboard's revenue tile): this month's
        revenue."""
        if filter_name == "revenue_this_month":
            self.tabs.setCurrentWidget(self.views["revenue"])
            self.set_period("this_month")

    # -- life cycle -------------------------------------------------------------------
    def refresh(self) -> None:
        if self.vault is None:
            return
        self.error.hide()
        self.saved.clear()
        try:
            period = self.chosen_period()
        except UserError as error:
            self.show_error(error)
            return
        self.period = period
        self._generation += 1
        generation = self._generation
        # The tab in sight first, so it is the first to fill.
        current = self.tabs.currentWidget()
        ordered = sorted(self.views.values(), key=lambda v: v is not current)
        for view in ordered:
            self.tasks.submit(service("reports.build"), self.vault, view.key, period,
                              on_done=lambda report, v=view: self._arrived(generation, v,
                                                                           report),
                              on_error=self.show_error)

    def _arrived(self, generation: int, view: ReportView, report: Report) -> None:
        if generation != self._generation or self.vault is None:
            return
        view.show_report(report)

    def clear(self) -> None:
        super().clear()
        self._generation += 1
        self.period = None
        for view in self.views.values():
            view.clear()
        self.error.hide()
        self.saved.clear()

    # -- files ------------------------------------------------------------------------
    def apply_permissions(self) -> None:
        """Print to PDF needs print, each report's Export CSV export."""
        gate(self.print_button, self.vault, "print",
             tip="Print every report of this period to one PDF (Ctrl+P)")
        gate_shortcuts([self.print_shortcut], self.vault, "print")
        for view in self.views.values():
            if gate(view.export_button, self.vault, "export"):
                view.export_button.setEnabled(view.report is not None)

    def print_pdf(self) -> None:
        if not self.may("print") or self.period is None:
            return
        period = self.period
        suggested = Path.home() / f"reports-{period.start.isoformat()}-" \
                                  f"{period.end.isoformat()}.pdf"
        path = self.choose_pdf_path(suggested)
        if path is None:
            return
        self.tasks.submit(service("reports.print_pdf"), self.vault, period, path,
                          locale=QLocale().name(), progress_title="Printing the reports…",
                          cancellable=True, on_done=self.show_saved,
                          on_error=self.show_error)

    def show_saved(self, path: Path) -> None:
        self.error.hide()
        self.saved.setText(f"Saved {Path(path).name}")
        self.saved.setToolTip(str(path))

    def show_error(self, error: UserError) -> None:
        self.saved.clear()
        self.error.setText(error.message)
        self.error.show()
