"""The readable side of a person's export: the report of everything held on them (why,
since when, until when), and the rule that keeps other people's names out of it.

`redactor_for` looks, in the texts of a person's export, for the full names (two words
or more) and email addresses of other people in the vault, and for the names of the
colleagues who own records, and replaces each with "[another person]". Names are
found by cutting the texts into runs of two to four words and asking the vault
which of them are somebody else's name, so a vault of any size costs one pass
over its names, not one search per person.

The report is part of a person's export: making it needs `export` and `contacts.view`,
as `privacy_export.export_person` does. The retention periods and the report's
language are the office's settings, read by anyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_percent, get_currency_precision
from sqlalchemy import text
from sqlalchemy.orm import Session

from crasme_desktop import APP_NAME
from crasme_desktop.domain import personal_data
from crasme_desktop.domain.personal_data import PERSONAL, PURPOSES, RETENTION
from crasme_desktop.domain.sales import add_months
from crasme_desktop.formats.privacy_pdf import PrivacyDocument, Section, render_privacy_pdf
from crasme_desktop.services import permissions
from crasme_desktop.vault import Vault

REDACTED = "[another person]"
_WORD = re.compile(r"[^\W_][\w'’.-]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

#: Order of the report's sections (tables not named here follow in schema order).
_ORDER = ("person", "person_email", "person_phone", "postal_address", "organization", "tag",
          "activity", "attachment", "quote", "invoice", "payment", "customer_credit",
          "recurring_invoice", "consent", "restriction", "privacy_request", "merge_record",
          "audit_event")
#: Tables shown inside another section, or not worth a section of their own.
_FOLDED = ("person_tag", "attachment_content", "quote_line", "invoice_line",
           "invoice_tax_total")
_HIDDEN_COLUMNS = {"id", "sort_key", "address_key", "name_key", "position", "subject_kind",
                   "seller_snapshot", "lines", "snapshot"}


# ------------------------------------------------------------------------ redaction


def redactor_for(s: Session, person_id: str, texts: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces other people's names and emails found in `texts`."""
    grams: set[str] = set()
    emails: set[str] = set()
    for value in texts:
        words = [w.lower() for w in _WORD.findall(value)]
        for size in (2, 3, 4):
            grams.update(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))
        emails.update(e.lower() for e in _EMAIL.findall(value))
    own = {_squash(n) for n in s.execute(text(
        "SELECT display_name, given_name || ' ' || family_name FROM person WHERE id = :p"),
        {"p": person_id}).one()}
    found: set[str] = set()
    if grams:
        for names in s.execute(text(
                "SELECT display_name, given_name || ' ' || family_name FROM person "
                "WHERE id <> :p"), {"p": person_id}):
            found.update(n for n in map(_squash, names) if n in grams and n not in own)
    if emails:
        found.update(e for (e,) in s.execute(text(
            "SELECT address_key FROM person_email WHERE person_id <> :p"), {"p": person_id})
            if e in emails)
    found.update(_squash(o) for (o,) in s.execute(text(
        "SELECT owner FROM person WHERE id = :p UNION SELECT owner FROM activity "
        "WHERE person_id = :p UNION SELECT owner FROM organization WHERE id = "
        "(SELECT organization_id FROM person WHERE id = :p)"), {"p": person_id})
        if o and len(o.strip()) > 1 and _squash(o) not in own)
    found.discard("")
    if not found:
        return lambda value: value
    pattern = re.compile(
        r"(?<![\w@.])(?:"
        + "|".join(r"\s+".join(map(re.escape, n.split(" ")))
                   for n in sorted(found, key=len, reverse=True))
        + r")(?![\w@])", re.IGNORECASE)

    def redact(value: str) -> str:
        return pattern.sub(REDACTED, value) if value else value

    return redact


def _squash(name: str | None) -> str:
    return " ".join((name or "").lower().split())


# -------------------------------------------------------------------------- retention


def retention_periods(vault: Vault) -> dict[str, int | None]:
    """Months each retention rule keeps records (None: no time limit, or rule off);
    backups in days."""
    periods: dict[str, int | None] = {k: v[0] for k, v in RETENTION.items()}
    from crasme_desktop.services import retention

    for rule in retention.retention_rules(vault):
        periods[rule.key] = rule.months if rule.enabled else None
    return periods


def retention_text(key: str, periods: Mapping[str, int | None]) -> str:
    months = periods.get(key)
    if key in ("activity", "audit") and months:
        return f"Each entry is kept for {months} months after its date, then deleted."
    if key == "invoices" and months:
        return (f"Issued invoices are kept for {months // 12} years after their issue date, "
                "as the law requires; drafts until deleted.")
    if key == "inactive_people" and months:
        return (f"Kept until erased; after {months} months without any activity the "
                "record is flagged for review.")
    if key == "inactive_people":
        return "Kept until erased or deleted (no time limit is set for inactive people)."
    if key == "backups":
        return f"Copies in backups are kept for {months or 30} days."
    return RETENTION[key][1].capitalize() + "."


def kept_until(table: str, row: Mapping[str, Any], periods: Mapping[str, int | None]
               ) -> date | None:
    """The day this row goes under its retention rule, when the rule sets one."""
    key = PERSONAL[table].retention
    months = periods.get(key)
    if not months or key not in ("activity", "audit", "invoices"):
        return None
    if key == "invoices":
        issued = row.get("issue_date") if table == "invoice" else None
        if not issued or (table == "invoice" and row.get("status") == "draft"):
            return None
        start = _day(issued)
    else:
        start = _day(row.get("occurred_at") or row.get("at") or row.get("created_at"))
    return add_months(start, months) if start else None


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


# ----------------------------------------------------------------------- the report


def report_locale(vault: Vault) -> str:
    from babel import default_locale

    from crasme_desktop.services import business

    chosen = business.get_business(vault).locale
    return chosen or default_locale("LC_TIME") or "en_US"


def person_report_pdf(vault: Vault, kept: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """The readable report of one person's export (their rows, already filtered)."""
    _require_export(vault)
    return render_privacy_pdf(person_report(vault, kept))


def person_report(vault: Vault, kept: Mapping[str, list[dict[str, Any]]]) -> PrivacyDocument:
    from crasme_desktop.services import business

    _require_export(vault)
    locale = _known(report_locale(vault))
    periods = retention_periods(vault)
    fmt = _Formatter(locale)
    person = kept["person"][0]
    name = person.get("display_name") or " ".join(
        p for p in (person.get("given_name"), person.get("family_name")) if p) or "This person"
    holder = business.get_business(vault).name or "this office"
    today = vault.clock.now().date()
    sections = []
    names = [t for t in _ORDER if kept.get(t)] + [
        t for t in kept if t not in _ORDER and t not in _FOLDED and kept[t]]
    for table in names:
        sections.append(_section(table, kept, periods, fmt))
    sections.append(Section(
        "What this report leaves out",
        text=(
            "The names of colleagues who look after this record or wrote entries on it.",
            "Other people's records, even where they appear next to this person's: other "
            "people at the same company, other customers and their invoices. Their full "
            "names and email addresses are replaced by \u201c[another person]\u201d in the "
            "texts above.",
            "Of the company this person works for, only its name.",
            "The search index of Crasme Desktop, which only repeats names, emails and "
            "phone numbers shown above.",
            retention_text("backups", periods) + " They hold the same data as the vault "
            "did on the day they were made.",
        )))
    return PrivacyDocument(
        title=f"Personal data held on {name}",
        subtitle=f"Held by {holder} in {APP_NAME}",
        facts=(("Prepared on", fmt.day(today)),
               ("Held since", fmt.day(_day(person.get("created_at")))),
               ("Record id", str(person.get("id", "")))),
        intro=(
            f"This report lists everything {holder} keeps on {name} in {APP_NAME}: "
            "for each kind of record, why it is kept, since when, and until when.",
            "The same data comes with this report in open formats: JSON (with its JSON "
            "Schema), CSV, vCard (contacts.vcf), iCalendar (calendar.ics), the attached "
            "files and the PDFs of invoices.",
        ),
        sections=tuple(sections),
        footer=f"{APP_NAME} \u2014 personal data report \u2014 {fmt.day(today)}",
    )


def _require_export(vault: Vault) -> None:
    permissions.require(vault, "export")
    permissions.require(vault, "contacts.view")


def _section(table: str, kept: Mapping[str, list[dict[str, Any]]],
             periods: Mapping[str, int | None], fmt: _Formatter) -> Section:
    tag = PERSONAL[table]
    rows = kept[table]
    purpose, ground = PURPOSES[tag.purpose]
    starts = [d for d in (_day(r.get("created_at") or r.get("at")) for r in rows) if d]
    facts = [("Why", f"{purpose} (legal ground: {ground})")]
    if starts:
        facts.append(("Since", fmt.day(min(starts))))
    facts.append(("Until", retention_text(tag.retention, periods)))
    shown = {personal_data.category_of(table, c) for row in rows for c in row}
    categories = ", ".join(personal_data.CATEGORIES[c].split(" (")[0].lower()
                           for c in tag.categories if c in shown)
    if categories:
        facts.append(("What", categories.capitalize()))
    entries = tuple(_entry(table, row, kept, periods, fmt) for row in rows)
    return Section(f"{tag.label} ({len(rows)})", facts=tuple(facts), entries=entries)


def _entry(table: str, row: Mapping[str, Any], kept: Mapping[str, list[dict[str, Any]]],
           periods: Mapping[str, int | None], fmt: _Formatter) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for column, value in row.items():
        if column in _HIDDEN_COLUMNS or column.endswith("_id") or value in (None, ""):
            continue
        out.append((_label(column), fmt.value(column, value, row)))
    until = kept_until(table, row, periods)
    if until is not None:
        out.append(("Kept until", fmt.day(until)))
    if table == "person":
        tags = {t["id"]: t["name"] for t in kept.get("tag", [])}
        names = [tags[r["tag_id"]] for r in kept.get("person_tag", []) if r["tag_id"] in tags]
        if names:
            out.append(("Tags", ", ".join(sorted(names))))
    if table in ("invoice", "quote"):
        lines = kept.get(f"{table}_line", [])
        for line in (x for x in lines if x.get(f"{table}_id") == row.get("id")):
            out.append(("Line", f"{line.get('quantity')} \u00d7 {line.get('description')}"))
    return tuple(out)


def _label(column: str) -> str:
    words = column.removesuffix("_minor").removesuffix("_bp").replace("_", " ")
    return words[:1].upper() + words[1:]


def _known(locale: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        return "en_US"
    return locale


class _Formatter:
    def __init__(self, locale: str) -> None:
        self.locale = locale

    def day(self, value: date | None) -> str:
        return format_date(value, format="long", locale=self.locale) if value else ""

    def value(self, column: str, value: Any, row: Mapping[str, Any]) -> str:
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if column.endswith("_minor") and isinstance(value, int) and row.get("currency"):
            currency = str(row["currency"])
            amount = Decimal(value).scaleb(-get_currency_precision(currency))
            return format_currency(amount, currency, locale=self.locale)
        if column.endswith("_bp") and isinstance(value, int):
            return format_percent(Decimal(value) / 10000, "#,##0.##%", locale=self.locale)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return self.day(date.fromisoformat(value))
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}.*", value):
            moment = datetime.fromisoformat(value)
            return f"{self.day(moment.date())} {moment:%H:%M} UTC"
        return str(value)
