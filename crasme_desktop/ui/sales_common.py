"""What the sales screens share: money and dates in the person's locale, the words
for a status, a customer picker, and Decimal input read the locale's way.

Money is never turned into a float here: a Decimal is written digit by digit with
the locale's separators, and Qt's own currency pattern places the symbol and sign.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate, QLocale, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import LatestLoader

#: Currencies offered first in the pickers (any ISO 4217 code may be typed).
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK",
                     "HUF", "CAD", "AUD", "NZD", "CNY", "INR", "KWD", "BHD", "ZAR", "BRL")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹",
            "PLN": "zł", "CZK": "Kč", "HUF": "Ft", "KRW": "₩", "ILS": "₪", "TRY": "₺",
            "UAH": "₴", "RUB": "₽", "BRL": "R$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}

STATUS_WORDS = {
    "draft": "Draft", "issued": "Issued", "partly_paid": "Partly paid", "paid": "Paid",
    "cancelled": "Cancelled", "overdue": "Overdue", "open": "Open",
    "sent": "Sent", "accepted": "Accepted", "declined": "Declined", "expired": "Expired",
    "credited": "Credited",
}
KIND_WORDS = {"invoice": "Invoice", "credit_note": "Credit note", "quote": "Quote"}


def status_text(status: str, overdue: bool = False) -> str:
    word = STATUS_WORDS.get(status, status.replace("_", " ").capitalize())
    return f"{word} · overdue" if overdue else word


def currency_symbol(code: str, locale: QLocale | None = None) -> str:
    locale = locale or QLocale()
    if locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) == code:
        return locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)
    return _SYMBOLS.get(code, code)


def number_text(amount: Decimal, digits: int | None = None,
                locale: QLocale | None = None) -> str:
    """A Decimal with the locale's digits, grouping and decimal point (no float)."""
    locale = locale or QLocale()
    if digits is not None:
        amount = amount.quantize(Decimal(1).scaleb(-digits))
    sign, digit_tuple, exponent = amount.as_tuple()
    text = "".join(str(d) for d in digit_tuple)
    places = -int(exponent) if isinstance(exponent, int) and exponent < 0 else 0
    if isinstance(exponent, int) and exponent > 0:
        text += "0" * exponent
    whole, fraction = (text[:-places] or "0", text[-places:]) if places else (text, "")
    if places and len(fraction) < places:
        fraction = fraction.rjust(places, "0")
    out = locale.toString(int(whole))
    if fraction:
        out += locale.decimalPoint() + "".join(locale.toString(int(d)) for d in fraction)
    return f"{locale.negativeSign()}{out}" if sign and amount != 0 else out


def money_text(amount: Decimal | None, currency: str, locale: QLocale | None = None) -> str:
    """"€1,234.50" or "1.234,50 €" as the person's locale writes money."""
    if amount is None:
        return ""
    locale = locale or QLocale()
    symbol = currency_symbol(currency, locale)
    number = number_text(abs(amount), _digits(currency), locale)
    pattern = locale.toCurrencyString(-1 if amount < 0 else 1, symbol)
    one = locale.toString(1)
    return pattern.replace(one, number, 1) if one in pattern else f"{number} {symbol}"


def _digits(currency: str) -> int | None:
    from crasme_desktop.domain.money import currency_digits, is_known_currency

    return currency_digits(currency) if is_known_currency(currency) else None


def rate_label(name: str, percent: Decimal) -> str:
    """A tax rate as a choice: its name, with the percent unless the name says it."""
    if "%" in name:
        return name
    shown = f"{number_text(percent)} %"
    return f"{name} ({shown})" if name else shown


def minor_money(minor: int | None, currency: str, digits: int) -> str:
    if minor is None:
        return ""
    return money_text(Decimal(minor).scaleb(-digits), currency)


def date_text(value: date | None) -> str:
    if value is None:
        return ""
    return QLocale().toString(to_qdate(value), QLocale.FormatType.ShortFormat)


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def parse_decimal(text: str, locale: QLocale | None = None) -> Decimal | None:
    """"1.234,5" (German) or "1,234.5" (English) as Decimal("1234.5"); None when it is
    not a number. A plain "." is accepted as the decimal point in every locale."""
    locale = locale or QLocale()
    clean = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not clean:
        return None
    point, group = locale.decimalPoint(), locale.groupSeparator()
    if point != "." and point in clean:
        clean = clean.replace(group, "").replace(point, ".")
    elif point != "." and clean.count(".") == 1 and group == "." \
            and len(clean.rsplit(".", 1)[1]) == 3:
        clean = clean.replace(".", "")  # "1.000" in German is a thousand
    else:
        clean = clean.replace(group, "") if group != "." else clean
    clean = clean.replace(locale.negativeSign(), "-").replace("%", "")
    try:
        value = Decimal(clean)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_input(value: Decimal) -> str:
    """A Decimal as a person would type it back in this locale, without grouping."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", QLocale().decimalPoint())


def field(record: Any, *names: str, default: Any = None) -> Any:
    """The first of `names` the record has (service rows differ in small ways)."""
    for name in names:
        if hasattr(record, name):
            return getattr(record, name)
    return default


def find_customers(vault: Any, text: str) -> list[tuple[str, str, str, str]]:
    """Worker job: people and companies matching `text`, as (kind, id, title, subtitle)."""
    found = service("search.search")(vault, text, limit=12, kinds=("organization", "person"))
    return [(hit.kind, hit.id, hit.title, hit.subtitle)
            for group in found.groups for hit in group.hits]


class CustomerPicker(QLineEdit):
    """A field to type a customer's name into and pick a person or a company.

    `chosen` says (kind, id, name) when one is picked, ("", "", "") when the field
    is cleared. Look-ups run in the task runner, the newest one wins.
    """

    chosen = Signal(str, str, str)

    def __init__(self, tasks: TaskRunner, vault: Any = None, *,
                 placeholder: str = "Type a person's or a company's name",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.kind = ""
        self.record_id = ""
        self._choices: dict[str, tuple[str, str, str]] = {}
        self._loader = LatestLoader(tasks)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._picked)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._look_up)
        self.textEdited.connect(self._typed)
        self.on_found: Callable[[list[tuple[str, str, str, str]]], None] | None = None

    def set_customer(self, kind: str, record_id: str, name: str) -> None:
        self.kind, self.record_id = kind, record_id
        self.setText(name)

    def _typed(self, text: str) -> None:
        if self.record_id:
            self.kind, self.record_id = "", ""
            self.chosen.emit("", "", "")
        if text.strip():
            self._timer.start()

    def _look_up(self) -> None:
        if self.vault is None:
            return
        self._loader.request(find_customers, self.vault, self.text().strip(),
                             on_done=self._found, on_error=lambda _error: None)

    def _found(self, hits: list[tuple[str, str, str, str]]) -> None:
        self._choices = {}
        labels = []
        for kind, record_id, title, subtitle in hits:
            shown = f"{title} — {subtitle}" if subtitle else title
            shown += " (company)" if kind == "organization" else ""
            self._choices[shown] = (kind, record_id, title)
            labels.append(shown)
        self._model.setStringList(labels)
        if self.on_found is not None:
            self.on_found(hits)
        if labels and self.hasFocus():
            self.completer().complete()

    def _picked(self, shown: str) -> None:
        choice = self._choices.get(shown)
        if choice is None:
            return
        kind, record_id, title = choice
        self.kind, self.record_id = kind, record_id
        # After the completer has written its text, show the plain name.
        QTimer.singleShot(0, lambda: self.setText(title))
        self.chosen.emit(kind, record_id, title)

    def pick(self, kind: str, record_id: str, name: str) -> None:
        """Choose a customer as if picked from the list (tests, "same as before")."""
        self.set_customer(kind, record_id, name)
        self.chosen.emit(kind, record_id, name)
