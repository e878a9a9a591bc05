"""The "Schedule and time" section of the Settings page: the office's time zone and how
the time worked on a job is invoiced.

Time zone: business hours, the SLA clocks, the schedule's days and the day sheet are in
the office's zone (`services.office_time`). The choice is a combo of the IANA names this
computer knows, sorted, that can be typed into and searched (any part of the name, e.g.
"berlin"); the computer's own zone is marked "(this computer)". Until a zone is saved the
office uses the computer's. A name the computer does not know is refused with the
service's sentence.

Labour: a done job becomes an invoice draft with a labour line (`schedule.
invoice_from_job`), priced either by a product from the catalogue (its price per unit,
unit and tax rate) or at an hourly rate typed here in the business's default currency.
Saving "hourly rate" with the field empty clears the setting, and the card then says
that invoicing a job with time worked is refused until one is chosen. Every refusal is
the service's sentence; reading and writing run on the task runner. The product list is
the first page of the catalogue (`catalog.PAGE` products, archived ones left out, plus
the one in use if it was archived).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.sales_common import (
    currency_symbol,
    decimal_input,
    money_text,
    parse_decimal,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, push_button, titled_card

TITLE = "Schedule and time"
ZONE_AREAS = {"schedule", "support"}
LABOUR_AREAS = {"schedule"}
THIS_COMPUTER = " (this computer)"
NO_PRODUCTS = "No products in the catalogue yet"
NO_RATE = ("Not set yet: making an invoice from a job with time worked is refused until "
           "you choose a product or an hourly rate.")


@dataclass(frozen=True)
class ScheduleSetup:
    """What the card shows, read in one worker job."""

    zone: str
    system_zone: str
    zones: tuple[str, ...]
    labour: Any
    products: tuple[Any, ...]
    currency: str


# -- worker jobs -----------------------------------------------------------------------
def load_schedule_setup(vault: Any) -> ScheduleSetup:
    from zoneinfo import available_timezones

    zone = service("office_time.office_zone")(vault).key
    system = service("office_time.system_zone_name")()
    zones = set(available_timezones()) | {"UTC", zone, system}
    labour = service("schedule.labour_rate")(vault)
    products = list(service("catalog.list_products")(vault))
    if labour is not None and labour.product_id and all(
            p.id != labour.product_id for p in products):
        products.append(service("catalog.get_product")(vault, labour.product_id))
    currency = service("business.get_business")(vault).default_currency
    return ScheduleSetup(zone, system, tuple(sorted(zones)), labour, tuple(products),
                         currency)


def save_zone(vault: Any, name: str) -> str:
    return service("office_time.set_office_zone")(vault, name).key


def labour_text(labour: Any) -> str:
    """One sentence: how time on jobs is invoiced now."""
    if labour is None:
        return NO_RATE
    price = money_text(labour.hourly_rate, labour.currency)
    if labour.product_id:
        return (f"Time on jobs is invoiced as “{labour.product_name}” at {price} "
                "an hour.")
    return f"Time on jobs is invoiced at {price} an hour."


class ScheduleSettingsSection(QWidget):
    """The "Schedule and time" card; `attach(vault)` loads, `clear()` forgets."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.setup: ScheduleSetup | None = None

        # -- time zone
        self.zone = QComboBox()
        self.zone.setObjectName("officeZone")
        self.zone.setAccessibleName("Office time zone")
        self.zone.setToolTip("Type part of a name, such as Berlin or New_York, to find it")
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.setMaxVisibleItems(16)
        self.zone.setMinimumWidth(320)
        completer = QCompleter(self.zone.model(), self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.setCompleter(completer)
        self.zone.lineEdit().returnPressed.connect(self.save_zone)
        self.zone_button = push_button("Save time zone", "officeZoneSave", self.save_zone,
                                       auto_default=False)
        self.zone_button.setAccessibleName("Save the office time zone")
        self.zone_status = label("", "hint")
        self.zone_status.setObjectName("officeZoneStatus")
        self.zone_error = FieldError("officeZoneError")
        zone_row = QHBoxLayout()
        zone_row.addWidget(self.zone, 1)
        zone_row.addWidget(self.zone_button)

        # -- labour
        self.by_product = QRadioButton("A product from the catalogue")
        self.by_product.setObjectName("labourByProduct")
        self.by_product.setAccessibleName("Invoice time as a product from the catalogue")
        self.by_rate = QRadioButton("An hourly rate")
        self.by_rate.setObjectName("labourByRate")
        self.by_rate.setAccessibleName("Invoice time at an hourly rate")
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.by_product)
        self.mode.addButton(self.by_rate)
        self.product = QComboBox()
        self.product.setObjectName("labourProduct")
        self.product.setAccessibleName("Labour product")
        self.product.setMinimumWidth(320)
        self.product.activated.connect(lambda _i: self.by_product.setChecked(True))
        self.rate = line_edit("labourHourlyRate", "e.g. 65.00", accessible="Hourly rate")
        self.rate.setMaximumWidth(140)
        self.rate.textEdited.connect(lambda _t: self.by_rate.setChecked(True))
        self.rate.returnPressed.connect(self.save_labour)
        self.rate_unit = QLabel("an hour")
        self.rate_unit.setObjectName("labourRateUnit")
        self.rate_unit.setBuddy(self.rate)
        self.labour_button = push_button("Save how time is invoiced", "labourSave",
                                         self.save_labour, auto_default=False)
        self.labour_button.setAccessibleName("Save how time on jobs is invoiced")
        self.labour_status = label("", "hint")
        self.labour_status.setObjectName("labourStatus")
        self.labour_error = FieldError("labourError")
        product_row = QHBoxLayout()
        product_row.addWidget(self.by_product)
        product_row.addWidget(self.product, 1)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.by_rate)
        rate_row.addWidget(self.rate)
        rate_row.addWidget(self.rate_unit)
        rate_row.addStretch(1)
        labour_buttons = QHBoxLayout()
        labour_buttons.addWidget(self.labour_button)
        labour_buttons.addStretch(1)

        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.addRow("Office time zone", zone_row)
        card, box = titled_card(TITLE, "scheduleCard")
        box.addWidget(label(
            "Business hours, SLA clocks and the Schedule's days are in the office's time "
            "zone, so a vault opened on a laptop abroad keeps the office's hours.", "hint"))
        box.addLayout(form)
        box.addWidget(self.zone_status)
        box.addWidget(self.zone_error)
        box.addSpacing(6)
        box.addWidget(label("Invoicing time on jobs", "section"))
        box.addWidget(label(
            "A finished job becomes an invoice draft with a labour line for the time "
            "worked, priced as:", "hint"))
        box.addLayout(product_row)
        box.addLayout(rate_row)
        box.addLayout(labour_buttons)
        box.addWidget(self.labour_status)
        box.addWidget(self.labour_error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)
        self.setTabOrder(self.zone, self.zone_button)
        self.setTabOrder(self.zone_button, self.by_product)
        self.setTabOrder(self.by_product, self.product)
        self.setTabOrder(self.product, self.by_rate)
        self.setTabOrder(self.by_rate, self.rate)
        self.setTabOrder(self.rate, self.labour_button)
        self._set_enabled(False)

    # -- vault ---------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.tasks.changed.connect(self._on_changed, Qt.ConnectionType.UniqueConnection)
        self.reload()

    def clear(self) -> None:
        self.vault = None
        self.setup = None
        self.zone.clear()
        self.product.clear()
        self.rate.clear()
        self.mode.setExclusive(False)
        self.by_product.setChecked(False)
        self.by_rate.setChecked(False)
        self.mode.setExclusive(True)
        for note in (self.zone_status, self.labour_status):
            note.clear()
        self.zone_error.clear_message()
        self.labour_error.clear_message()
        self._set_enabled(False)

    def reload(self) -> None:
        vault = self.vault
        if vault is not None:
            self.tasks.submit(load_schedule_setup, vault,
                              on_done=lambda setup: self._loaded(vault, setup),
                              on_error=self._load_failed)

    def _on_changed(self, areas: frozenset[str]) -> None:
        """Products or the business's currency changed elsewhere: show the new choices,
        keeping what is being edited here."""
        vault = self.vault
        if vault is not None and "sales" in areas:
            self.tasks.submit(load_schedule_setup, vault,
                              on_done=lambda setup: self._loaded(vault, setup, form=False),
                              on_error=lambda _error: None)

    def _load_failed(self, error: UserError) -> None:
        self.labour_error.show_message(error.message)

    def _loaded(self, vault: Any, setup: ScheduleSetup, form: bool = True) -> None:
        if vault is not self.vault:  # locked or another vault meanwhile
            return
        self.setup = setup
        if form:
            self._show_zones(setup)
        self._show_products(setup, keep=not form)
        self.rate_unit.setText(f"{currency_symbol(setup.currency)} ({setup.currency}) an hour")
        self.rate.setAccessibleName(f"Hourly rate in {setup.currency}")
        if form:
            self._show_labour(setup.labour)
        self._set_enabled(True)

    def _show_zones(self, setup: ScheduleSetup) -> None:
        self.zone.clear()
        for name in setup.zones:
            shown = f"{name}{THIS_COMPUTER}" if name == setup.system_zone else name
            self.zone.addItem(shown, name)
        self.zone.setCurrentIndex(self.zone.findData(setup.zone))
        self.zone_status.setText(f"The office's time zone is {setup.zone}.")

    def _show_products(self, setup: ScheduleSetup, keep: bool) -> None:
        chosen = self.product.currentData() if keep else (
            setup.labour.product_id if setup.labour is not None else None)
        self.product.clear()
        for p in setup.products:
            price = money_text(p.unit_price, p.currency)
            per = f" / {p.unit}" if p.unit else ""
            self.product.addItem(f"{p.name} — {price}{per}", p.id)
        if not setup.products:
            self.product.addItem(NO_PRODUCTS, None)
        index = self.product.findData(chosen) if chosen else -1
        self.product.setCurrentIndex(max(index, 0))

    def _show_labour(self, labour: Any) -> None:
        text = labour_text(labour)
        currency = self.setup.currency if self.setup is not None else ""
        if labour is not None and currency and labour.currency != currency:
            text += (f" That is in {labour.currency} but invoices are in {currency}, so "
                     f"invoicing a job is refused; choose a rate in {currency}.")
        self.labour_status.setText(text)
        if labour is not None and labour.product_id:
            self.by_product.setChecked(True)
            self.rate.clear()
        elif labour is not None:
            self.by_rate.setChecked(True)
            self.rate.setText(decimal_input(labour.hourly_rate))
        else:
            self.by_rate.setChecked(True)
            self.rate.clear()

    # -- time zone ------------------------------------------------------------------
    def zone_name(self) -> str:
        """The zone chosen or typed, without the "(this computer)" mark."""
        text = self.zone.currentText().strip()
        index = self.zone.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.zone.itemData(index))
        return text.removesuffix(THIS_COMPUTER.strip()).strip()

    def save_zone(self) -> None:
        vault = self.vault
        if vault is None:
            return
        self.zone_error.clear_message()
        self.zone_button.setEnabled(False)
        self.tasks.submit(save_zone, vault, self.zone_name(), writes=ZONE_AREAS,
                          on_done=self._zone_saved, on_error=self._zone_refused)

    def _zone_saved(self, name: str) -> None:
        self.zone_button.setEnabled(self.vault is not None)
        index = self.zone.findData(name)
        if index >= 0:
            self.zone.setCurrentIndex(index)
        self.zone_status.setText(f"Saved: the office's time zone is {name}.")

    def _zone_refused(self, error: UserError) -> None:
        self.zone_button.setEnabled(self.vault is not None)
        self.zone_status.clear()
        self.zone_error.show_message(error.message)

    # -- labour ---------------------------------------------------------------------
    def labour_choice(self) -> dict[str, Any]:
        """The keyword arguments for `schedule.set_labour_rate`: a typed rate that is not
        a number goes as typed, for the service to refuse with its sentence."""
        if self.by_product.isChecked():
            return {"product_id": self.product.currentData()}
        text = self.rate.text().strip()
        number = parse_decimal(text)
        return {"hourly_rate": str(number) if number is not None else text}

    def save_labour(self) -> None:
        vault = self.vault
        if vault is None:
            return
        self.labour_error.clear_message()
        choice = self.labour_choice()
        if "product_id" in choice and not choice["product_id"]:
            self.labour_error.show_message(
                "The catalogue has no products yet; add one on the Sales page (Products), "
                "or type an hourly rate.")
            return
        self.labour_button.setEnabled(False)
        self.tasks.submit(service("schedule.set_labour_rate"), vault, **choice,
                          writes=LABOUR_AREAS, on_done=self._labour_saved,
                          on_error=self._labour_refused)

    def _labour_saved(self, labour: Any) -> None:
        self.labour_button.setEnabled(self.vault is not None)
        self._show_labour(labour)
        if labour is not None:
            self.labour_status.setText(f"Saved. {self.labour_status.text()}")

    def _labour_refused(self, error: UserError) -> None:
        self.labour_button.setEnabled(self.vault is not None)
        self.labour_error.show_message(error.message)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.zone, self.zone_button, self.by_product, self.product,
                       self.by_rate, self.rate, self.labour_button):
            widget.setEnabled(enabled)
