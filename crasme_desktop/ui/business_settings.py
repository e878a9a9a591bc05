"""The business section of the Settings page: who sends the invoices, their tax rates
and their number series.

Three cards: the business (name, address, tax id, bank, logo, payment terms, footer,
currency, whether prices include tax), the tax rates (add, edit, archive, one
default) and the number series (pattern with a preview of the next number, reset
yearly or never). Everything is read and saved through the task runner; a sentence
from the services appears under the card it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.sales_common import (
    COMMON_CURRENCIES,
    decimal_input,
    field,
    parse_decimal,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import (
    FieldError,
    country_name,
    line_edit,
    push_button,
    row_table,
    titled_card,
)

#: A logo larger than this is scaled down before it is stored (it prints at ~4 cm).
LOGO_MAX_PX = 600
LOGO_MAX_BYTES = 8 * 1024 * 1024
SERIES_KINDS = {"invoice": "Invoices", "credit_note": "Credit notes", "quote": "Quotes"}
RESETS = {"yearly": "Every year", "never": "Never"}


# -- worker jobs (they run on the task runner, where importing the services is fine) ----
def load_business_setup(vault: Any) -> tuple[Any, list[Any], list[Any]]:
    return (service("business.get_business")(vault),
            list(service("business.list_tax_rates")(vault, include_archived=True)),
            list(service("business.list_series")(vault)))


def save_business_fields(vault: Any, values: dict[str, Any]) -> Any:
    settings = service("business.BusinessSettings")(**values)
    return service("business.save_business")(vault, settings)


def preview_pattern(pattern: str, next_value: int, on: date) -> str:
    """How the next number of a series with this pattern looks (pure, no database);
    raises `UserError` with the reason when the pattern cannot be used."""
    from crasme_desktop.domain.sales import check_pattern, format_number

    return format_number(check_pattern(pattern), next_value, on)


def next_value_of(series: Any) -> int:
    """The counter value the series gives next, read back from its next number
    (`INV-{YYYY}-{0000}` and `INV-2026-0042` -> 42); 1 when it cannot be read."""
    import re

    pattern = field(series, "pattern", default="") or ""
    shown = field(series, "next_number", default="") or ""
    parts = []
    for piece in re.split(r"(\{[^{}]*\})", pattern):
        if piece in ("{YYYY}",):
            parts.append(r"\d{4}")
        elif piece in ("{YY}", "{MM}"):
            parts.append(r"\d{2}")
        elif re.fullmatch(r"\{0+\}", piece):
            parts.append(r"(\d+)")
        else:
            parts.append(re.escape(piece))
    found = re.fullmatch("".join(parts), shown) if shown else None
    return int(found.group(1)) if found and found.groups() else 1


def _countries() -> list[tuple[str, str]]:
    import phonenumbers

    names = [(country_name(code), code) for code in phonenumbers.SUPPORTED_REGIONS
             if len(code) == 2 and code.isalpha()]
    return sorted(names, key=lambda pair: pair[0].casefold())




def _table(name: str, headers: tuple[str, ...]) -> QTableWidget:
    table = row_table(name, headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(150)
    return table


def rate_percent_of(rate: Any) -> Any:
    """A tax rate row's percent as a Decimal (rows may carry percent or basis points)."""
    from decimal import Decimal

    percent = field(rate, "rate_percent", "percent")
    if percent is not None:
        return Decimal(percent)
    return Decimal(int(field(rate, "rate_bp", default=0))).scaleb(-2).normalize()


# -- dialogs ---------------------------------------------------------------------------
class TaxRateDialog(QDialog):
    """Name and percent of a tax rate, and whether it is the default."""

    def __init__(self, rate: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taxRateDialog")
        self.setWindowTitle("Tax rate")
        self.name = line_edit("taxRateName", "Standard rate")
        self.percent = line_edit("taxRatePercent", "19")
        self.is_default = QCheckBox("Use for new lines")
        self.is_default.setObjectName("taxRateDefault")
        self.error = FieldError("taxRateError")
        if rate is not None:
            self.name.setText(field(rate, "name", default=""))
            self.percent.setText(decimal_input(rate_percent_of(rate)))
            self.is_default.setChecked(bool(field(rate, "is_default", default=False)))
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Rate (%)", self.percent)
        form.addRow("", self.is_default)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)

    def _check(self) -> None:
        percent = parse_decimal(self.percent.text())
        if not self.name.text().strip():
            self.error.show_message("Give the tax rate a name, for example “Standard”.")
        elif percent is None or not 0 <= percent <= 100:
            self.error.show_message("Type the rate as a percent between 0 and 100, "
                                    "for example 19 or 5.5.")
        else:
            self.accept()

    def values(self) -> tuple[str, Any, bool]:
        return self.name.text().strip(), parse_decimal(self.percent.text()), \
            self.is_default.isChecked()


class SeriesDialog(QDialog):
    """A number series' pattern (with a live preview of the next number) and reset."""

    def __init__(self, series: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("seriesDialog")
        self.series = series
        kind = field(series, "kind", default="invoice")
        self.setWindowTitle(f"Numbers of {SERIES_KINDS.get(kind, kind).lower()}")
        self.pattern = line_edit("seriesPattern", "INV-{YYYY}-{0000}")
        self.pattern.setText(field(series, "pattern", default=""))
        self.reset = QComboBox()
        self.reset.setObjectName("seriesReset")
        for value, text in RESETS.items():
            self.reset.addItem(text, value)
        self.reset.setCurrentIndex(max(self.reset.findData(field(series, "reset",
                                                                 default="yearly")), 0))
        self.preview = label("", "value")
        self.preview.setObjectName("seriesPreview")
        self.error = FieldError("seriesError")
        self.pattern.textChanged.connect(self._update_preview)
        self.reset.currentIndexChanged.connect(self._update_preview)
        form = QFormLayout()
        form.addRow("Pattern", self.pattern)
        form.addRow("", label("{YYYY} is the year, {YY} its last two digits, {MM} the month;"
                              " {0000} the running number with at least that many digits.",
                              "hint"))
        form.addRow("Start again at 1", self.reset)
        form.addRow("Next number", self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.setMinimumWidth(460)
        self._update_preview()

    def _update_preview(self) -> None:
        try:
            text = preview_pattern(self.pattern.text(), next_value_of(self.series), date.today())
        except UserError as error:
            self.preview.setText("")
            self.error.show_message(error.message)
            self.save_button.setEnabled(False)
            return
        self.preview.setText(text)
        self.error.clear_message()
        self.save_button.setEnabled(True)

    def values(self) -> tuple[str, str]:
        return self.pattern.text().strip(), str(self.reset.currentData())


# -- the section -----------------------------------------------------------------------
class BusinessSettingsSection(QWidget):
    """The business, tax rates and number series cards for the Settings page."""

    saved = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("businessSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.settings: Any = None
        self.tax_rates: list[Any] = []
        self.series: list[Any] = []
        self.logo_png: bytes | None = None
        self.loaded = False
        self.dialog: QDialog | None = None
        #: Asks for a logo file; replaced in tests.
        self.ask_logo_path: Callable[[], str | None] = self._ask_logo_path
        self.ask_tax_rate: Callable[[Any], tuple[str, Any, bool] | None] = self._ask_tax_rate
        self.ask_series: Callable[[Any], tuple[str, str] | None] = self._ask_series

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        column.addWidget(self._build_business())
        column.addWidget(self._build_tax_rates())
        column.addWidget(self._build_series())

    # -- building ----------------------------------------------------------------------
    def _build_business(self) -> QFrame:
        card, box = titled_card("Your business", "businessCard")
        box.addWidget(label("What your quotes and invoices say about you. The name and "
                            "address are needed before an invoice can be issued.", "hint"))
        self.name = line_edit("businessName", "Your company's name")
        self.address = QPlainTextEdit()
        self.address.setObjectName("businessAddress")
        self.address.setPlaceholderText("Street and number\nPostcode and city")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(70)
        self.country = QComboBox()
        self.country.setObjectName("businessCountry")
        self.country.addItem("", "")
        for name, code in _countries():
            self.country.addItem(name, code)
        self.tax_id = line_edit("businessTaxId", "VAT id or tax number, e.g. DE123456789")
        self.email = line_edit("businessEmail", "billing@example.com")
        self.phone = line_edit("businessPhone", "+49 30 1234567")
        self.iban = line_edit("businessIban", "DE89 3704 0044 0532 0130 00")
        self.bic = line_edit("businessBic", "COBADEFFXXX")
        self.bank_name = line_edit("businessBank", "Name of your bank")
        self.terms = QSpinBox()
        self.terms.setObjectName("paymentTermsDays")
        self.terms.setRange(0, 365)
        self.terms.setSuffix(" days")
        self.terms.setSpecialValueText("Due at once")
        self.terms.setValue(14)
        self.footer = QPlainTextEdit()
        self.footer.setObjectName("invoiceFooter")
        self.footer.setPlaceholderText("Printed at the bottom of every invoice")
        self.footer.setTabChangesFocus(True)
        self.footer.setFixedHeight(56)
        self.currency = QComboBox()
        self.currency.setObjectName("defaultCurrency")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for code in COMMON_CURRENCIES:
            self.currency.addItem(code)
        self.prices_include_tax = QCheckBox("Prices I type include tax")
        self.prices_include_tax.setObjectName("pricesIncludeTax")

        self.logo = QLabel()
        self.logo.setObjectName("logoPreview")
        self.logo.setFixedSize(180, 70)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet("QLabel#logoPreview { border: 1px dashed #c3cad3;"
                                " border-radius: 6px; color: #9aa5b1; }")
        self.logo_button = QPushButton("Choose logo…")
        self.logo_button.setObjectName("chooseLogo")
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton("Remove")
        self.remove_logo_button.setObjectName("removeLogo")
        self.remove_logo_button.clicked.connect(lambda: self._set_logo(None))
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.remove_logo_button)
        logo_row.addStretch(1)
        self._set_logo(None)

        left = QFormLayout()
        left.setVerticalSpacing(8)
        left.addRow("Name", self.name)
        left.addRow("Address", self.address)
        left.addRow("Country", self.country)
        left.addRow("Tax id", self.tax_id)
        left.addRow("Email", self.email)
        left.addRow("Phone", self.phone)
        left.addRow("Logo", logo_row)
        right = QFormLayout()
        right.setVerticalSpacing(8)
        right.addRow("IBAN", self.iban)
        right.addRow("BIC", self.bic)
        right.addRow("Bank", self.bank_name)
        right.addRow("Payment terms", self.terms)
        right.addRow("Currency", self.currency)
        right.addRow("", self.prices_include_tax)
        right.addRow("Invoice footer", self.footer)
        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        box.addLayout(columns)

        self.business_error = FieldError("businessError")
        self.business_note = label("", "hint", wrap=False)
        self.business_note.setObjectName("businessSaved")
        self.save_button = QPushButton("Save business details")
        self.save_button.setObjectName("saveBusiness")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save_business)
        self.save_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.business_note)
        row.addWidget(self.save_button)
        box.addWidget(self.business_error)
        box.addLayout(row)
        return card

    def _build_tax_rates(self) -> QFrame:
        card, box = titled_card("Tax rates", "taxRatesCard")
        box.addWidget(label("Each line of a quote or invoice has one of these rates. "
                            "Archived rates stay on old invoices but are not offered "
                            "for new lines.", "hint"))
        self.rates_table = _table("taxRatesTable", ("Name", "Rate", "Default", "Status"))
        self.rates_table.doubleClicked.connect(lambda _index: self.edit_tax_rate())
        self.add_rate_button = push_button("Add rate…", "addTaxRate", self.add_tax_rate)
        self.edit_rate_button = push_button("Edit…", "editTaxRate", self.edit_tax_rate)
        self.default_rate_button = push_button("Make default", "defaultTaxRate",
                                               self.make_default_rate)
        self.archive_rate_button = push_button("Archive", "archiveTaxRate",
                                               self.toggle_archive_rate)
        self.rates_table.itemSelectionChanged.connect(self._update_rate_buttons)
        self.rates_error = FieldError("taxRatesError")
        row = QHBoxLayout()
        for button in (self.add_rate_button, self.edit_rate_button,
                       self.default_rate_button, self.archive_rate_button):
            row.addWidget(button)
        row.addStretch(1)
        box.addWidget(self.rates_table)
        box.addLayout(row)
        box.addWidget(self.rates_error)
        self._update_rate_buttons()
        return card

    def _build_series(self) -> QFrame:
        card, box = titled_card("Number series", "seriesCard")
        box.addWidget(label("Issued invoices, credit notes and quotes are numbered without "
                            "gaps. The pattern applies to the next number taken.", "hint"))
        self.series_table = _table("seriesTable", ("For", "Pattern", "Starts again",
                                                   "Next number"))
        self.series_table.setMinimumHeight(120)
        self.series_table.doubleClicked.connect(lambda _index: self.edit_series())
        self.edit_series_button = QPushButton("Edit…")
        self.edit_series_button.setObjectName("editSeries")
        self.edit_series_button.clicked.connect(self.edit_series)
        self.series_error = FieldError("seriesTableError")
        row = QHBoxLayout()
        row.addWidget(self.edit_series_button)
        row.addStretch(1)
        box.addWidget(self.series_table)
        box.addLayout(row)
        box.addWidget(self.series_error)
        return card

    # -- life cycle --------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.tasks.changed.connect(self._on_changed, Qt.ConnectionType.UniqueConnection)
        self.reload()

    def clear(self) -> None:
        self.vault = None
        self.loaded = False
        self.settings = None
        self.tax_rates, self.series = [], []
        self.save_button.setEnabled(False)
        for edit in (self.name, self.tax_id, self.email, self.phone, self.iban, self.bic,
                     self.bank_name):
            edit.clear()
        self.address.clear()
        self.footer.clear()
        self._set_logo(None)
        self.rates_table.setRowCount(0)
        self.series_table.setRowCount(0)
        self.business_note.clear()

    def reload(self) -> None:
        if self.vault is not None:
            self.tasks.submit(load_business_setup, self.vault, on_done=self._loaded,
                              on_error=self._load_failed)

    def _on_changed(self, areas: frozenset[str]) -> None:
        if self.vault is not None and "sales" in areas:
            self.tasks.submit(load_business_setup, self.vault,
                              on_done=lambda setup: self._loaded(setup, form=False),
                              on_error=lambda _error: None)

    def _load_failed(self, error: UserError) -> None:
        self.business_error.show_message(error.message)

    def _loaded(self, setup: tuple[Any, list[Any], list[Any]], form: bool = True) -> None:
        if self.vault is None:
            return
        settings, rates, series = setup
        if form or not self.loaded:
            self._show_business(settings)
        self.loaded = True
        self.save_button.setEnabled(True)
        self._show_rates(rates)
        self._show_series(series)

    # -- the business ------------------------------------------------------------------
    def _show_business(self, s: Any) -> None:
        self.settings = s
        self.name.setText(s.name)
        self.address.setPlainText("\n".join(s.address_lines))
        self.country.setCurrentIndex(max(self.country.findData(s.country_code), 0))
        self.tax_id.setText(s.tax_id)
        self.email.setText(s.email)
        self.phone.setText(s.phone)
        self.iban.setText(s.iban)
        self.bic.setText(s.bic)
        self.bank_name.setText(s.bank_name)
        self.terms.setValue(int(s.payment_terms_days))
        self.footer.setPlainText(s.footer)
        self.currency.setCurrentText(s.default_currency or "EUR")
        self.prices_include_tax.setChecked(bool(s.prices_include_tax))
        self._set_logo(s.logo_png)

    def values(self) -> dict[str, Any]:
        lines = tuple(line.strip() for line in self.address.toPlainText().splitlines()
                      if line.strip())
        return {
            "name": self.name.text().strip(),
            "address_lines": lines,
            "country_code": self.country.currentData() or "",
            "tax_id": self.tax_id.text().strip(),
            "email": self.email.text().strip(),
            "phone": self.phone.text().strip(),
            "iban": self.iban.text().strip(),
            "bic": self.bic.text().strip(),
            "bank_name": self.bank_name.text().strip(),
            "logo_png": self.logo_png,
            "payment_terms_days": self.terms.value(),
            "footer": self.footer.toPlainText().strip(),
            "default_currency": self.currency.currentText().strip().upper(),
            "prices_include_tax": self.prices_include_tax.isChecked(),
        }

    def save_business(self) -> None:
        if self.vault is None or not self.loaded:
            return
        self.business_error.clear_message()
        self.business_note.clear()
        self.save_button.setEnabled(False)
        self.tasks.submit(save_business_fields, self.vault, self.values(), writes={"sales"},
                          on_done=self._business_saved, on_error=self._business_refused)

    def _business_saved(self, settings: Any) -> None:
        self.save_button.setEnabled(True)
        self._show_business(settings)
        self.business_note.setText("Saved.")
        self.saved.emit()

    def _business_refused(self, error: UserError) -> None:
        self.save_button.setEnabled(True)
        self.business_error.show_message(error.message)

    # -- the logo ----------------------------------------------------------------------
    def choose_logo(self) -> None:
        path = self.ask_logo_path()
        if not path:
            return
        image = QImage(path)
        if image.isNull():
            self.business_error.show_message(
                "That file is not a picture Crasme can read; choose a PNG or JPEG file.")
            return
        if image.width() > LOGO_MAX_PX or image.height() > LOGO_MAX_PX:
            image = image.scaled(LOGO_MAX_PX, LOGO_MAX_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        self.business_error.clear_message()
        self._set_logo(bytes(data.data()))

    def _set_logo(self, png: bytes | None) -> None:
        self.logo_png = png
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png):
            self.logo.setPixmap(pixmap.scaled(
                self.logo.size() * 0.9, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo.clear()
            self.logo.setText("No logo")
        self.remove_logo_button.setEnabled(png is not None)

    def _ask_logo_path(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose your logo", "", "Pictures (*.png *.jpg *.jpeg *.svg *.bmp)")
        return path or None

    # -- tax rates ---------------------------------------------------------------------
    def _show_rates(self, rates: list[Any]) -> None:
        chosen = self.current_rate()
        chosen_id = field(chosen, "id") if chosen is not None else None
        self.tax_rates = rates
        self.rates_table.setRowCount(len(rates))
        from crasme_desktop.ui.sales_common import number_text

        for row, rate in enumerate(rates):
            archived = bool(field(rate, "archived", default=False))
            cells = (field(rate, "name", default=""), f"{number_text(rate_percent_of(rate))} %",
                     "Default" if field(rate, "is_default", default=False) else "",
                     "Archived" if archived else "Active")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.rates_table.setItem(row, column, item)
            if field(rate, "id") == chosen_id:
                self.rates_table.selectRow(row)
        self._update_rate_buttons()

    def current_rate(self) -> Any | None:
        row = self.rates_table.currentRow()
        selected = self.rates_table.selectionModel().hasSelection()
        return self.tax_rates[row] if selected and 0 <= row < len(self.tax_rates) else None

    def _update_rate_buttons(self) -> None:
        rate = self.current_rate()
        chosen = rate is not None
        self.edit_rate_button.setEnabled(chosen)
        archived = chosen and bool(field(rate, "archived", default=False))
        self.default_rate_button.setEnabled(
            chosen and not archived and not field(rate, "is_default", default=False))
        self.archive_rate_button.setEnabled(chosen)
        self.archive_rate_button.setText("Restore" if archived else "Archive")

    def add_tax_rate(self) -> None:
        answer = self.ask_tax_rate(None)
        if answer is not None:
            name, percent, is_default = answer
            self._save_rate(None, name=name, rate_percent=percent, is_default=is_default)

    def edit_tax_rate(self) -> None:
        rate = self.current_rate()
        if rate is None:
            return
        answer = self.ask_tax_rate(rate)
        if answer is not None:
            name, percent, is_default = answer
            self._save_rate(rate, name=name, rate_percent=percent, is_default=is_default)

    def make_default_rate(self) -> None:
        rate = self.current_rate()
        if rate is not None:
            self._save_rate(rate, is_default=True)

    def toggle_archive_rate(self) -> None:
        rate = self.current_rate()
        if rate is not None:
            self._save_rate(rate, archived=not field(rate, "archived", default=False))

    def _save_rate(self, rate: Any, **changes: Any) -> None:
        if self.vault is None:
            return
        values = {
            "name": field(rate, "name", default=""),
            "rate_percent": rate_percent_of(rate) if rate is not None else None,
            "is_default": bool(field(rate, "is_default", default=False)),
            "archived": bool(field(rate, "archived", default=False)),
        }
        values.update(changes)
        self.rates_error.clear_message()
        self.tasks.submit(service("business.save_tax_rate"), self.vault,
                          rate_id=field(rate, "id") if rate is not None else None,
                          **values, writes={"sales"}, on_error=self._rate_refused)

    def _rate_refused(self, error: UserError) -> None:
        self.rates_error.show_message(error.message)

    def _ask_tax_rate(self, rate: Any) -> tuple[str, Any, bool] | None:
        dialog = TaxRateDialog(rate, self)
        self.dialog = dialog
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # -- number series -----------------------------------------------------------------
    def _show_series(self, series: list[Any]) -> None:
        self.series = series
        self.series_table.setRowCount(len(series))
        for row, s in enumerate(series):
            kind = field(s, "kind", default="")
            cells = (SERIES_KINDS.get(kind, kind), field(s, "pattern", default=""),
                     RESETS.get(field(s, "reset", default=""), ""),
                     self._next_number(s))
            for column, text in enumerate(cells):
                self.series_table.setItem(row, column, QTableWidgetItem(text))
        if series and self.series_table.currentRow() < 0:
            self.series_table.selectRow(0)

    @staticmethod
    def _next_number(series: Any) -> str:
        shown = field(series, "next_number", "preview")
        if shown:
            return str(shown)
        try:
            return preview_pattern(field(series, "pattern", default=""), next_value_of(series),
                                   date.today())
        except UserError:
            return ""

    def current_series(self) -> Any | None:
        row = self.series_table.currentRow()
        return self.series[row] if 0 <= row < len(self.series) else None

    def edit_series(self) -> None:
        series = self.current_series()
        if series is None or self.vault is None:
            return
        answer = self.ask_series(series)
        if answer is None:
            return
        pattern, reset = answer
        self.series_error.clear_message()
        self.tasks.submit(service("business.save_series"), self.vault,
                          series_id=field(series, "id"), kind=field(series, "kind"),
                          pattern=pattern, reset=reset, name=field(series, "name", default=""),
                          is_default=bool(field(series, "is_default", default=False)),
                          writes={"sales"},
                          on_error=lambda error: self.series_error.show_message(error.message))

    def _ask_series(self, series: Any) -> tuple[str, str] | None:
        dialog = SeriesDialog(series, self)
        self.dialog = dialog
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
