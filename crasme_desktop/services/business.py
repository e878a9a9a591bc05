"""The business behind the documents: its name, address, bank and logo, its tax rates
and how its documents are numbered.

Business settings are one JSON value in the vault's `setting` table (key "business");
the logo is kept as PNG bytes in the vault too (key "business.logo", base64). Tax
rates and number series are rows. Both get defaults on first use: the rates usual in
the office's country (or one "Standard 20%" rate to edit), and one series per kind
(`INV-{YYYY}-{0000}`, `CN-{YYYY}-{0000}`, `Q-{YYYY}-{0000}`, reset yearly).

Who may: anyone reads the business details, tax rates and number series (every
document needs them). Changing the office details, logo or numbering needs "settings";
tax rates belong to the products area (`domain.permissions`: "products, prices and tax
rates"), so adding one needs "products.create" and changing or archiving one
"products.edit". Taking a number happens inside the document's own write, whose
service checks its area.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import SERIES_KINDS, NumberCounter, NumberSeries, Setting, TaxRate
from crasme_desktop.domain.money import bp_to_percent, percent_to_bp
from crasme_desktop.domain.sales_document import Party
from crasme_desktop.domain.validation import (
    InvalidValue,
    clean_text,
    normalize_country_code,
    normalize_email,
    quoted,
    system_region,
)
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault

BUSINESS_KEY = "business"
LOGO_KEY = "business.logo"
LOGO_MAX_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Usual VAT rates by country (percent, name), the first is the default.
COUNTRY_RATES: dict[str, tuple[tuple[str, str], ...]] = {
    "DE": (("19", "Standard 19%"), ("7", "Reduced 7%"), ("0", "No tax 0%")),
    "AT": (("20", "Standard 20%"), ("10", "Reduced 10%"), ("13", "Reduced 13%"),
           ("0", "No tax 0%")),
    "CH": (("8.1", "Standard 8.1%"), ("2.6", "Reduced 2.6%"), ("3.8", "Lodging 3.8%"),
           ("0", "No tax 0%")),
    "FR": (("20", "Standard 20%"), ("10", "Reduced 10%"), ("5.5", "Reduced 5.5%"),
           ("2.1", "Special 2.1%"), ("0", "No tax 0%")),
    "GB": (("20", "Standard 20%"), ("5", "Reduced 5%"), ("0", "Zero 0%")),
    "NL": (("21", "Standard 21%"), ("9", "Reduced 9%"), ("0", "No tax 0%")),
    "BE": (("21", "Standard 21%"), ("12", "Reduced 12%"), ("6", "Reduced 6%"),
           ("0", "No tax 0%")),
    "ES": (("21", "Standard 21%"), ("10", "Reduced 10%"), ("4", "Super-reduced 4%"),
           ("0", "No tax 0%")),
    "IT": (("22", "Standard 22%"), ("10", "Reduced 10%"), ("5", "Reduced 5%"),
           ("4", "Super-reduced 4%"), ("0", "No tax 0%")),
    "US": (("0", "No sales tax 0%"),),
}
FALLBACK_RATES = (("20", "Standard 20%"),)
COUNTRY_CURRENCY = {"GB": "GBP", "US": "USD", "CH": "CHF", "JP": "JPY", "CA": "CAD",
                    "AU": "AUD", "SE": "SEK", "DK": "DKK", "NO": "NOK", "PL": "PLN"}
DEFAULT_PATTERNS = {
    "invoice": ("Invoices", "INV-{YYYY}-{0000}"),
    "credit_note": ("Credit notes", "CN-{YYYY}-{0000}"),
    "quote": ("Quotes", "Q-{YYYY}-{0000}"),
}


@dataclass(frozen=True)
class BusinessSettings:
    name: str = ""
    address_lines: tuple[str, ...] = ()
    country_code: str = ""
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    iban: str = ""
    bic: str = ""
    bank_name: str = ""
    logo_png: bytes | None = None
    payment_terms_days: int = 14
    footer: str = ""
    default_currency: str = "EUR"
    prices_include_tax: bool = False
    locale: str = ""  # for amounts and dates on paper; "" = the system's

    @property
    def party(self) -> Party:
        return Party(
            name=self.name,
            address_lines=self.address_lines,
            country_code=self.country_code,
            tax_id=self.tax_id,
            email=self.email,
            phone=self.phone,
        )

    def missing_for_issue(self) -> str | None:
        """The sentence that stops an invoice from being issued, or None."""
        if not self.name:
            return "Add your business name in Settings > Business before issuing an invoice."
        if not self.address_lines:
            return "Add your business address in Settings > Business before issuing an invoice."
        return None


@dataclass(frozen=True)
class TaxRateRow:
    id: str
    name: str
    rate_percent: Decimal
    rate_bp: int
    is_default: bool
    archived: bool


@dataclass(frozen=True)
class SeriesRow:
    id: str
    kind: str
    name: str
    pattern: str
    reset: str
    is_default: bool
    archived: bool
    next_number: str  # what the next document would get today


# -- business settings ---------------------------------------------------------------
def get_business(vault: Vault) -> BusinessSettings:
    with vault.unit_of_work() as uow:
        return load_business(uow.session)


def load_business(session: Session) -> BusinessSettings:
    """The settings inside the caller's transaction (defaults when never saved)."""
    raw = session.get(Setting, BUSINESS_KEY)
    logo = session.get(Setting, LOGO_KEY)
    logo_png = base64.b64decode(logo.value) if logo is not None and logo.value else None
    if raw is None:
        country = _office_country()
        return BusinessSettings(
            country_code=country,
            default_currency=COUNTRY_CURRENCY.get(country, "EUR"),
            logo_png=logo_png,
        )
    data = json.loads(raw.value)
    known = {k: v for k, v in data.items() if k in BusinessSettings.__dataclass_fields__}
    known["address_lines"] = tuple(known.get("address_lines", ()))
    known.pop("logo_png", None)
    return BusinessSettings(**known, logo_png=logo_png)


def save_business(vault: Vault, settings: BusinessSettings) -> BusinessSettings:
    """Check and store the business settings; returns them as stored."""
    permissions.require(vault, "settings")
    clean = clean_business(settings)
    data = asdict(clean)
    data.pop("logo_png")
    data["address_lines"] = list(clean.address_lines)
    with vault.unit_of_work() as uow:
        s = uow.session
        _put(s, BUSINESS_KEY, json.dumps(data, ensure_ascii=False))
        if clean.logo_png:
            _put(s, LOGO_KEY, base64.b64encode(clean.logo_png).decode("ascii"))
        else:
            existing = s.get(Setting, LOGO_KEY)
            if existing is not None:
                s.delete(existing)
        audit.add(s, "business.update", "setting", BUSINESS_KEY)
    return clean


def clean_business(settings: BusinessSettings) -> BusinessSettings:
    """The settings checked and tidied, or a `UserError` naming what to fix."""
    try:
        country = normalize_country_code(settings.country_code)
        email = normalize_email(settings.email).address if settings.email.strip() else ""
    except InvalidValue as error:
        raise UserError(error.message) from None
    lines = tuple(clean_text(line) for line in settings.address_lines if clean_text(line))
    if len(lines) > 6:
        raise UserError("Keep the business address to six lines or fewer.")
    terms = settings.payment_terms_days
    if not 0 <= terms <= 365:
        raise UserError("Payment terms must be between 0 and 365 days.")
    logo = settings.logo_png or None
    if logo is not None:
        if not logo.startswith(PNG_SIGNATURE):
            raise UserError("The logo must be a PNG image; save it as PNG and choose it again.")
        if len(logo) > LOGO_MAX_BYTES:
            raise UserError("The logo is larger than 2 MB; choose a smaller image.")
    return replace(
        settings,
        name=clean_text(settings.name),
        address_lines=lines,
        country_code=country,
        tax_id=_clean_tax_id(settings.tax_id),
        email=email,
        phone=clean_text(settings.phone),
        iban=rules.normalize_iban(settings.iban),
        bic=rules.normalize_bic(settings.bic),
        bank_name=clean_text(settings.bank_name),
        logo_png=logo,
        footer=settings.footer.strip(),
        default_currency=rules.normalize_currency(settings.default_currency),
        locale=settings.locale.strip(),
    )


def _clean_tax_id(value: str) -> str:
    """A VAT id that starts with an EU country code is checked; other tax numbers are
    kept as typed (formats differ too much)."""
    from stdnum.eu import vat

    text = clean_text(value)
    compact = text.replace(" ", "").replace(".", "").replace("-", "").upper()
    if len(compact) > 2 and compact[:2] in vat.MEMBER_STATES | {"EL"} and compact[2:3].isdigit():
        if not vat.is_valid(compact):
            raise UserError(
                f"The VAT number {quoted(text)} is not valid; check it against your "
                "registration."
            )
        return compact
    return text


def _put(s: Session, key: str, value: str) -> None:
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value))
    else:
        row.value = value


def _office_country() -> str:
    try:
        return system_region()
    except Exception:
        return ""


# -- tax rates -----------------------------------------------------------------------
def list_tax_rates(vault: Vault, *, include_archived: bool = False) -> list[TaxRateRow]:
    """The tax rates, default first then by rate; the usual ones are made on first use."""
    with vault.unit_of_work() as uow:
        ensure_defaults(uow.session)
        query = select(TaxRate)
        if not include_archived:
            query = query.where(TaxRate.archived.is_(False))
        rows = uow.session.scalars(query).all()
        rows = sorted(rows, key=lambda r: (not r.is_default, r.position, -r.rate_bp, r.name))
        return [_rate_row(r) for r in rows]


def save_tax_rate(
    vault: Vault,
    name: str,
    rate_percent: Decimal,
    *,
    rate_id: str | None = None,
    is_default: bool = False,
    archived: bool = False,
) -> TaxRateRow:
    """Add or change a tax rate. Issued documents keep the rate they were issued with."""
    permissions.require(vault, "products.create" if rate_id is None else "products.edit")
    name = clean_text(name)
    if not name:
        raise UserError("Give the tax rate a name, such as “Standard 19%”.")
    if len(name) > 100:
        raise UserError("Keep the tax rate's name under 100 characters.")
    rate = rules.parse_decimal(rate_percent, "tax rate")
    if not Decimal(0) <= rate <= Decimal(100) or rate != rate.quantize(Decimal("0.01")):
        raise UserError(
            f"The tax rate {rate} % must be between 0 and 100 with at most two decimals."
        )
    if is_default and archived:
        raise UserError("The default tax rate cannot be archived; choose another default first.")
    with vault.unit_of_work() as uow:
        s = uow.session
        ensure_defaults(s)
        if rate_id is None:
            row = TaxRate(name=name, rate_bp=percent_to_bp(rate), position=_next_position(s))
            s.add(row)
        else:
            row = s.get(TaxRate, rate_id)
            if row is None:
                raise UserError("That tax rate no longer exists; it may have been deleted.")
            if row.is_default and archived:
                raise UserError(
                    "The default tax rate cannot be archived; choose another default first."
                )
            row.name, row.rate_bp = name, percent_to_bp(rate)
        row.archived = archived
        if is_default:
            s.execute(update(TaxRate).values(is_default=False))
            row.is_default = True
        s.flush()
        audit.add(s, "tax_rate.save", "tax_rate", row.id)
        return _rate_row(row)


def default_tax_rate(session: Session) -> TaxRate:
    ensure_defaults(session)
    row = session.scalars(
        select(TaxRate).where(TaxRate.is_default.is_(True), TaxRate.archived.is_(False))
    ).first()
    if row is None:
        row = session.scalars(
            select(TaxRate).where(TaxRate.archived.is_(False)).order_by(TaxRate.position)
        ).first()
    if row is None:
        raise UserError("Add a tax rate in Settings > Business first.")
    return row


def _rate_row(r: TaxRate) -> TaxRateRow:
    return TaxRateRow(
        id=r.id,
        name=r.name,
        rate_percent=bp_to_percent(r.rate_bp),
        rate_bp=r.rate_bp,
        is_default=r.is_default,
        archived=r.archived,
    )


def _next_position(s: Session) -> int:
    return int(s.scalar(select(func.coalesce(func.max(TaxRate.position), -1))) or 0) + 1


# -- number series -------------------------------------------------------------------
def list_series(vault: Vault, kind: str = "", *, include_archived: bool = False) -> list[SeriesRow]:
    """The number series (one default per kind is made on first use)."""
    today = vault.clock.now().date()
    with vault.unit_of_work() as uow:
        s = uow.session
        ensure_defaults(s)
        query = select(NumberSeries)
        if kind:
            query = query.where(NumberSeries.kind == kind)
        if not include_archived:
            query = query.where(NumberSeries.archived.is_(False))
        rows = sorted(s.scalars(query).all(),
                      key=lambda r: (SERIES_KINDS.index(r.kind), not r.is_default, r.pattern))
        return [_series_row(s, r, today) for r in rows]


def save_series(
    vault: Vault,
    kind: str,
    pattern: str,
    *,
    reset: str = "yearly",
    name: str = "",
    is_default: bool = False,
    archived: bool = False,
    series_id: str | None = None,
) -> SeriesRow:
    """Add or change a number series. Numbers already given stay as they are."""
    permissions.require(vault, "settings")
    if kind not in SERIES_KINDS:
        raise ValueError(f"unknown series kind {kind!r}")
    if reset not in ("yearly", "never"):
        raise ValueError(f"unknown reset {reset!r}")
    pattern = rules.check_pattern(pattern)
    with vault.unit_of_work() as uow:
        s = uow.session
        ensure_defaults(s)
        if series_id is None:
            row = NumberSeries(kind=kind, pattern=pattern)
            s.add(row)
        else:
            row = s.get(NumberSeries, series_id)
            if row is None:
                raise UserError("That number series no longer exists; it may have been deleted.")
            if row.kind != kind:
                raise UserError("A number series cannot change what kind of document it numbers.")
            if row.is_default and archived:
                raise UserError(
                    "The default number series cannot be archived; choose another default first."
                )
        row.pattern, row.reset, row.name, row.archived = pattern, reset, clean_text(name), archived
        if is_default:
            s.execute(update(NumberSeries).where(NumberSeries.kind == kind)
                      .values(is_default=False))
            row.is_default = True
        s.flush()
        audit.add(s, "number_series.save", "number_series", row.id)
        return _series_row(s, row, vault.clock.now().date())


def default_series(session: Session, kind: str) -> NumberSeries:
    ensure_defaults(session)
    row = session.scalars(
        select(NumberSeries).where(NumberSeries.kind == kind, NumberSeries.archived.is_(False))
        .order_by(NumberSeries.is_default.desc(), NumberSeries.created_at)
    ).first()
    if row is None:
        what = kind.replace("_", " ")
        raise UserError(f"Add a number series for {what}s in Settings > Business.")
    return row


def take_number(session: Session, series: NumberSeries, on: date) -> str:
    """The next number of `series` for a document dated `on`, counted inside the
    caller's (write) transaction: a rollback gives the number back, so there are no
    gaps, and the write lock keeps two writers from taking the same one."""
    period = rules.counter_period(series.reset, on)
    last = session.execute(
        text(
            "INSERT INTO number_counter (series_id, period, last_value) VALUES (:s, :p, 1) "
            "ON CONFLICT (series_id, period) DO UPDATE SET last_value = last_value + 1 "
            "RETURNING last_value"
        ),
        {"s": series.id, "p": period},
    ).scalar_one()
    return rules.format_number(series.pattern, int(last or 1), on)


def _series_row(s: Session, r: NumberSeries, today: date) -> SeriesRow:
    period = rules.counter_period(r.reset, today)
    last = s.scalar(select(NumberCounter.last_value).where(
        NumberCounter.series_id == r.id, NumberCounter.period == period)) or 0
    return SeriesRow(
        id=r.id,
        kind=r.kind,
        name=r.name,
        pattern=r.pattern,
        reset=r.reset,
        is_default=r.is_default,
        archived=r.archived,
        next_number=rules.format_number(r.pattern, int(last) + 1, today),
    )


# -- defaults ------------------------------------------------------------------------
def ensure_defaults(session: Session) -> None:
    """Make the usual tax rates and one series per kind if there are none yet."""
    if session.scalar(select(func.count()).select_from(TaxRate)) == 0:
        business = load_business(session)
        rates = COUNTRY_RATES.get(business.country_code, FALLBACK_RATES)
        for position, (percent, name) in enumerate(rates):
            session.add(TaxRate(name=name, rate_bp=percent_to_bp(Decimal(percent)),
                                is_default=position == 0, position=position))
    have = set(session.scalars(select(NumberSeries.kind).distinct()))
    for kind in SERIES_KINDS:
        if kind not in have:
            name, pattern = DEFAULT_PATTERNS[kind]
            session.add(NumberSeries(kind=kind, name=name, pattern=pattern, reset="yearly",
                                     is_default=True))
    session.flush()

