"""Email a quote or invoice as a PDF attachment over SMTP.

The mail server settings live in the vault (setting "mail"); the password lives only in
this computer's keychain, under a name that carries the vault's id so two vaults never
share it. Where there is no keychain the password is kept nowhere: the caller passes it
for each send (`password=`), and `MailPasswordNeeded` says when one is missing.

Connections always verify the server's certificate. A server with a certificate from
the office's own authority works by naming that authority's certificate file in the
settings (`ca_file`), or, for a caller that builds its own, by passing `ssl_context`.
Every failure becomes one sentence that says what to do; the password and the message
text never reach the log, and the timeline keeps the subject and the recipients only.

Who may: the mail server settings (reading the Email section's form, saving,
forgetting, checking the login, a test email) need "settings". Preparing and sending
a quote or an invoice needs that area's edit ("quotes.edit", "invoices.edit");
a support reply (`compose_message`, `send_email_message`) "tickets.edit"; a free
message (`send_message`) "contacts.edit". `get_mail_settings` (no password) stays
open: other services read the From address from it.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.validation import clean_text, normalize_email
from crasme_desktop.services import permissions
from crasme_desktop.vault import keychain as secrets
from crasme_desktop.vault.errors import KeychainLocked

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crasme_desktop.vault import Vault

log = logging.getLogger(__name__)

SETTING_KEY = "mail"
SECURITY_CHOICES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
#: Seconds to wait for the server at each step before saying it did not answer.
TIMEOUT_S = 30.0
MAX_RECIPIENTS = 20
SETTINGS_PLACE = "Settings › Email"
KINDS = ("invoice", "quote")
#: The area of each kind of document: sending one needs its edit.
AREA_OF = {"invoice": "invoices", "quote": "quotes"}


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    username: str = ""
    from_address: str = ""
    from_name: str = ""
    #: A certificate file (PEM) to trust besides the system's, for a server whose
    #: certificate comes from the office's own authority. Empty: the system's only.
    ca_file: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)


@dataclass(frozen=True)
class MailSetup:
    """The settings as the Email section shows them."""

    settings: MailSettings
    password_saved: bool
    keychain_available: bool


@dataclass(frozen=True)
class SentMail:
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    attachment_names: tuple[str, ...]
    #: The customer's timeline entry for a sent document ("" for other mail).
    timeline_entry_id: str = ""
    #: Addresses the server refused while it took the others (the mail went to those).
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class MailDraft:
    """What the send dialog starts from: who to send to, what the PDF is called, and the
    numbers its template mentions (amount already written for `locale`)."""

    kind: str  # "invoice" | "credit_note" | "quote"
    record_id: str
    number: str
    customer_name: str
    recipients: tuple[str, ...]  # the customer's addresses, the one to use first
    amount: Decimal
    currency: str
    amount_text: str
    due_date: date | None  # invoice: due date; quote: valid until
    business_name: str
    attachment_name: str
    mail_ready: bool  # False until the mail server is set up
    password_needed: bool  # True when the password must be typed for this send


class MailPasswordNeeded(UserError):
    """The server needs a password and this computer's keychain does not hold one."""

    needs_password = True

    def __init__(self) -> None:
        super().__init__(
            "Type the email password: this computer's keychain does not hold it."
        )


# -- settings ------------------------------------------------------------------------
def password_name(vault: Vault) -> str:
    """The keychain entry of this vault's mail password."""
    return f"Crasme Desktop mail password ({vault.vault_id})"


def get_mail_settings(vault: Vault) -> MailSettings:
    """The saved settings, or empty ones (`configured` False) before the first save."""
    from crasme_desktop.services import stored

    with vault.unit_of_work() as uow:
        return stored.read_record(uow.session, SETTING_KEY, MailSettings)


def get_mail_setup(vault: Vault) -> MailSetup:
    """The settings, whether a password is saved, and whether there is a keychain."""
    permissions.require(vault, "settings")
    available, saved = secrets.secret_state(password_name(vault))
    return MailSetup(get_mail_settings(vault), saved, available)


def save_mail_settings(
    vault: Vault, settings: MailSettings | Mapping[str, Any], password: str | None = None
) -> MailSetup:
    """Check and save the settings; `password` goes to the keychain only (None keeps the
    saved one, "" forgets it). Without a keychain the password is not kept anywhere and
    the answer says so (`password_saved` False): it is then asked for at each send."""
    from crasme_desktop.domain.models import Setting
    from crasme_desktop.services import audit

    permissions.require(vault, "settings")
    clean = clean_mail_settings(settings)
    with vault.unit_of_work() as uow:
        uow.session.merge(Setting(key=SETTING_KEY, value=json.dumps(asdict(clean))))
        audit.add(uow.session, "setting.update", "setting", SETTING_KEY)
    name = password_name(vault)
    available = secrets.secrets_available()
    try:
        if password == "" or not clean.username:  # nosec B105  # a label or setting name, not a password
            secrets.delete_secret(name)
        elif password is not None and available:
            secrets.store_secret(name, password)
        saved = bool(clean.username) and available and secrets.load_secret(name) is not None
    except KeychainLocked:
        raise UserError(
            "The settings are saved, but the keychain stayed locked so the password is not; "
            "unlock the keychain and save again."
        ) from None
    return MailSetup(clean, saved, available)


def forget_mail_settings(vault: Vault) -> None:
    """Remove the mail settings from the vault and the password from the keychain."""
    from crasme_desktop.domain.models import Setting
    from crasme_desktop.services import audit

    permissions.require(vault, "settings")
    with vault.unit_of_work() as uow:
        stored = uow.session.get(Setting, SETTING_KEY)
        if stored is not None:
            uow.session.delete(stored)
            audit.add(uow.session, "setting.delete", "setting", SETTING_KEY)
    try:
        secrets.delete_secret(password_name(vault))
    except KeychainLocked:
        raise UserError(
            "The email settings are removed, but the keychain stayed locked so the password "
            "is still in it; unlock the keychain and remove them again."
        ) from None


def clean_mail_settings(raw: MailSettings | Mapping[str, Any]) -> MailSettings:
    """The settings checked and tidied, or a `UserError` naming the first problem."""
    values = asdict(raw) if isinstance(raw, MailSettings) else dict(raw)
    known = {f.name for f in fields(MailSettings)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown mail settings: {sorted(unknown)}")
    host = str(values.get("host", "")).strip().rstrip(".")
    if not host:
        raise UserError("Type the name of your mail server, such as smtp.example.com.")
    if any(c.isspace() for c in host) or "/" in host or "@" in host or len(host) > 253:
        raise UserError(
            f"“{host[:60]}” is not a server name; type it as your email provider gives it, "
            "such as smtp.example.com."
        )
    security = str(values.get("security", "starttls"))
    if security not in SECURITY_CHOICES:
        raise UserError("Choose STARTTLS, SSL or no encryption for the mail server.")
    port = values.get("port", DEFAULT_PORTS[security])
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise UserError("The port must be a number from 1 to 65535, such as 587 or 465.")
    from_raw = str(values.get("from_address", "")).strip()
    if not from_raw:
        raise UserError("Type the address your emails come from.")
    from_address = normalize_email(from_raw).address
    from_name = clean_text(str(values.get("from_name", "")))[:200]
    username = str(values.get("username", "")).strip()[:320]
    if username and security == "none":
        raise _unencrypted_login()
    ca_file = str(values.get("ca_file", "")).strip()
    if ca_file and not Path(ca_file).is_file():
        raise UserError(
            f"The certificate file {ca_file} cannot be found; choose it again or leave it empty."
        )
    return MailSettings(host, port, security, username, from_address, from_name, ca_file)


# -- sending -------------------------------------------------------------------------
def check_mail_settings(
    vault: Vault,
    *,
    password: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> None:
    """Connect and log in with the saved settings; a `UserError` says what is wrong."""
    permissions.require(vault, "settings")
    settings = _configured(get_mail_settings(vault))
    secret = _password(vault, settings, password)
    client = _connect(settings, secret, ssl_context=ssl_context, timeout=timeout)
    _quit(client)


def send_test_email(
    vault: Vault,
    *,
    settings: MailSettings | Mapping[str, Any] | None = None,
    password: str | None = None,
    to: str = "",
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> SentMail:
    """Send a short test message (to the from address unless `to` is given), with the
    given settings if any (so they can be tried before saving) or the saved ones."""
    permissions.require(vault, "settings")
    chosen = clean_mail_settings(settings) if settings is not None else get_mail_settings(vault)
    chosen = _configured(chosen)
    return _send(
        vault,
        chosen,
        to or chosen.from_address,
        "Test email from Crasme Desktop",
        "This is a test message. Your email settings in Crasme Desktop work: quotes and "
        "invoices can be sent from here.\n",
        [],
        password=password,
        ssl_context=ssl_context,
        timeout=timeout,
    )


def send_message(
    vault: Vault,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    *,
    password: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> SentMail:
    """Send one message with the saved settings; `attachments` are (file name, bytes,
    content type). `to` may hold several addresses separated by commas."""
    permissions.require(vault, "contacts.edit")
    settings = _configured(get_mail_settings(vault))
    return _send(vault, settings, to, subject, body, attachments, password=password,
                 ssl_context=ssl_context, timeout=timeout)


def send_document(
    vault: Vault,
    kind: str,
    record_id: str,
    to: str,
    subject: str,
    body: str,
    *,
    password: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> SentMail:
    """Email a quote or invoice (kind "invoice" also covers credit notes) as a PDF and
    log it on the customer's timeline (subject and recipients, never the text)."""
    from crasme_desktop.formats.sales_pdf import render_pdf
    from crasme_desktop.services import timeline
    from crasme_desktop.services.invoices import document_for

    kind = _check_kind(kind)
    permissions.require(vault, f"{AREA_OF[kind]}.edit")
    settings = _configured(get_mail_settings(vault))
    document = document_for(vault, kind, record_id)
    _refuse_unnumbered(document.kind, document.number)
    name = attachment_name(document.kind, document.number)
    person_id, organization_id = customer_of(vault, kind, record_id)
    _refuse_restricted_customer(vault, person_id)
    pdf = render_pdf(document)
    sent = _send(vault, settings, to, subject, body, [(name, pdf, "application/pdf")],
                 password=password, ssl_context=ssl_context, timeout=timeout)
    entry = timeline.add_entry(
        vault,
        "email",
        subject=sent.subject[: timeline.SUBJECT_MAX],
        body=f"Sent to {', '.join(sent.recipients)} with {name}.",
        person_id=person_id,
        organization_id=organization_id,
        subject_kind=kind,
        subject_id=record_id,
    )
    if kind == "quote":
        _mark_quote_sent(vault, record_id)
    log.info("Sent %s %s by email", kind, record_id)
    return replace(sent, timeline_entry_id=entry.id)


def _mark_quote_sent(vault: Vault, quote_id: str) -> None:
    """A draft quote that went out by email is "sent" from now on."""
    from crasme_desktop.domain.models import Quote
    from crasme_desktop.services import quotes

    with vault.unit_of_work() as uow:
        row = uow.session.get(Quote, quote_id)
        is_draft = row is not None and row.status == "draft"
    if is_draft:
        quotes.set_quote_status(vault, quote_id, "sent")


def prepare_email(vault: Vault, kind: str, record_id: str, locale: str = "en_US") -> MailDraft:
    """What the send dialog needs to fill itself in (a read; nothing is sent)."""
    from crasme_desktop.domain.money import format_money
    from crasme_desktop.services.invoices import document_for

    kind = _check_kind(kind)
    permissions.require(vault, f"{AREA_OF[kind]}.edit")  # the first step of sending it
    document = document_for(vault, kind, record_id)
    _refuse_unnumbered(document.kind, document.number)
    settings = get_mail_settings(vault)
    person_id, organization_id = customer_of(vault, kind, record_id)
    with vault.unit_of_work() as uow:
        addresses = customer_addresses(uow.session, person_id, organization_id)
    if document.buyer.email and document.buyer.email not in addresses:
        addresses = (document.buyer.email, *addresses)
    amount = document.grand_total
    if document.kind == "invoice" and document.amount_due and document.amount_due != amount:
        amount = document.amount_due
    needed = False
    if settings.configured and settings.username:
        try:
            needed = secrets.load_secret(password_name(vault)) is None
        except (KeychainLocked, secrets.KeychainUnavailableError):
            needed = True
    amount_text = format_money(amount, document.currency, _known_locale(locale))
    return MailDraft(
        kind=document.kind,
        record_id=record_id,
        number=document.number,
        customer_name=document.buyer.name,
        recipients=addresses,
        amount=amount,
        currency=document.currency,
        amount_text=amount_text,
        due_date=document.due_date,
        business_name=document.seller.name,
        attachment_name=attachment_name(document.kind, document.number),
        mail_ready=settings.configured,
        password_needed=needed,
    )


def _known_locale(name: str) -> str:
    """`name` if babel knows it, else "en_US" (a system without a locale says "C")."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (ValueError, TypeError, UnknownLocaleError):
        return "en_US"
    return name


def attachment_name(document_kind: str, number: str) -> str:
    """The PDF's file name, e.g. "Invoice INV-2025-0001.pdf"."""
    word = {"invoice": "Invoice", "credit_note": "Credit note", "quote": "Quote"}.get(
        document_kind, "Document"
    )
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in number).strip("-.")
    return f"{word} {safe}.pdf" if safe else f"{word}.pdf"


def customer_of(vault: Vault, kind: str, record_id: str) -> tuple[str | None, str | None]:
    """(person id, company id) of the customer of a quote or invoice."""
    from crasme_desktop.domain import models

    permissions.require(vault, f"{AREA_OF[_check_kind(kind)]}.view")
    table = models.Invoice if kind == "invoice" else models.Quote
    with vault.unit_of_work() as uow:
        row = uow.session.get(table, record_id)
        if row is None:
            raise UserError(f"This {kind} no longer exists; it may have been deleted.")
        return row.customer_person_id, row.customer_organization_id


def customer_addresses(
    session: Session, person_id: str | None, organization_id: str | None, limit: int = 10
) -> tuple[str, ...]:
    """The customer's email addresses, the main one first: the person's own, else those
    of the company's people."""
    from sqlalchemy import select

    from crasme_desktop.domain.models import Person, PersonEmail

    query = select(PersonEmail.address)
    if person_id:
        query = query.where(PersonEmail.person_id == person_id).order_by(
            PersonEmail.is_primary.desc(), PersonEmail.position
        )
    elif organization_id:
        query = (
            query.join(Person, Person.id == PersonEmail.person_id)
            .where(Person.organization_id == organization_id)
            .order_by(Person.sort_key, Person.id, PersonEmail.is_primary.desc(),
                      PersonEmail.position)
        )
    else:
        return ()
    from crasme_desktop.domain.models import Restriction

    restricted = select(Restriction.person_id).where(Restriction.lifted_at.is_(None))
    query = query.where(PersonEmail.person_id.not_in(restricted))
    seen: dict[str, None] = {}
    for address in session.scalars(query.limit(limit * 3)):
        seen.setdefault(address, None)
    return tuple(seen)[:limit]


# -- the SMTP conversation -------------------------------------------------------------
def _send(
    vault: Vault,
    settings: MailSettings,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
    *,
    password: str | None,
    ssl_context: ssl.SSLContext | None,
    timeout: float,
) -> SentMail:
    recipients = parse_recipients(to)
    subject = " ".join(subject.split())
    if not subject:
        raise UserError("Type a subject for the email.")
    _refuse_restricted_recipients(vault, recipients)
    secret = _password(vault, settings, password)
    message = _message(vault, settings, recipients, subject, body, attachments)
    return _deliver(settings, secret, message, recipients, ssl_context=ssl_context,
                    timeout=timeout)


def _deliver(
    settings: MailSettings,
    secret: str | None,
    message: EmailMessage,
    recipients: tuple[str, ...],
    *,
    ssl_context: ssl.SSLContext | None,
    timeout: float,
) -> SentMail:
    client = _connect(settings, secret, ssl_context=ssl_context, timeout=timeout)
    try:
        try:
            refused = client.send_message(message, settings.from_address, list(recipients))
        except (smtplib.SMTPException, OSError) as exc:
            raise _explain(exc, settings, "send") from None
    finally:
        _quit(client)
    return SentMail(
        str(message["Message-ID"]),
        tuple(r for r in recipients if r not in refused),
        str(message["Subject"]),
        tuple(part.get_filename() or "" for part in message.iter_attachments()),
        refused=tuple(r for r in recipients if r in refused),
    )


# -- messages built elsewhere (support replies) ----------------------------------------
def compose_message(
    vault: Vault,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """A message with the saved settings' From, a Date and a new Message-ID, for a caller
    that adds headers of its own (In-Reply-To, References, Reply-To) before it hands the
    message to `send_email_message`."""
    permissions.require(vault, "tickets.edit")
    settings = _configured(get_mail_settings(vault))
    subject = " ".join(subject.split())
    if not subject:
        raise UserError("Type a subject for the email.")
    return _message(vault, settings, parse_recipients(to), subject, body, attachments)


def send_email_message(
    vault: Vault,
    message: EmailMessage,
    *,
    password: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> SentMail:
    """Send a message made by `compose_message` to its To addresses with the saved
    settings and keychain secret, under the same rules as every other mail (no mail to a
    restricted person's address; one sentence for each failure)."""
    permissions.require(vault, "tickets.edit")
    settings = _configured(get_mail_settings(vault))
    recipients = parse_recipients(str(message["To"] or ""))
    _refuse_restricted_recipients(vault, recipients)
    secret = _password(vault, settings, password)
    return _deliver(settings, secret, message, recipients, ssl_context=ssl_context,
                    timeout=timeout)


def _refuse_restricted_customer(vault: Vault, person_id: str | None) -> None:
    from crasme_desktop.services import privacy_consent

    with vault.unit_of_work() as uow:
        privacy_consent.ensure_not_restricted(uow.session, person_id, "emailed")


def _refuse_restricted_recipients(vault: Vault, recipients: Sequence[str]) -> None:
    """No mail to an address of a restricted person, whoever's document it is."""
    from sqlalchemy import select

    from crasme_desktop.domain.models import PersonEmail
    from crasme_desktop.domain.validation import email_key
    from crasme_desktop.services import privacy_consent

    keys = [email_key(r) for r in recipients]
    with vault.unit_of_work() as uow:
        s = uow.session
        owners = s.scalars(
            select(PersonEmail.person_id).where(PersonEmail.address_key.in_(keys))
        ).all()
        for person_id in privacy_consent.restricted_among(s, owners):
            privacy_consent.ensure_not_restricted(s, person_id, "emailed")


def parse_recipients(to: str) -> tuple[str, ...]:
    """Addresses separated by commas or semicolons, each checked; duplicates dropped."""
    parts = [p.strip() for p in to.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        raise UserError("Type the email address to send to.")
    if len(parts) > MAX_RECIPIENTS:
        raise UserError(f"Send to at most {MAX_RECIPIENTS} addresses at once.")
    out: dict[str, None] = {}
    for part in parts:
        out.setdefault(normalize_email(part).address, None)
    return tuple(out)


def _message(
    vault: Vault,
    settings: MailSettings,
    recipients: tuple[str, ...],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.from_name, settings.from_address))
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(vault.clock.now())
    domain = settings.from_address.rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain.encode("idna").decode("ascii"))
    message.set_content(body.replace("\r\n", "\n") or "\n")
    for name, data, content_type in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=name)
    return message


def _connect(
    settings: MailSettings, password: str | None, *, ssl_context: ssl.SSLContext | None,
    timeout: float,
) -> smtplib.SMTP:
    """An open, logged-in connection, or a `UserError` that says what went wrong."""
    if settings.username and settings.security == "none":
        raise _unencrypted_login()  # settings stored before this rule, or edited by hand
    stage = "connect"
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "none":
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout,
                                  local_hostname=_local_name())
        else:
            context = ssl_context or _context(settings)
            if settings.security == "ssl":
                client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                          context=context, local_hostname=_local_name())
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=timeout,
                                      local_hostname=_local_name())
                stage = "starttls"
                client.starttls(context=context)
        if settings.username:
            stage = "login"
            _login(client, settings.username, password or "")
        return client
    except (smtplib.SMTPException, OSError) as exc:
        if client is not None:
            client.close()
        raise _explain(exc, settings, stage) from None


def _local_name() -> str:
    """The name this computer gives in EHLO: its own host name, as the system has it.
    Without it smtplib looks the name up (getfqdn), a DNS query to the network that the
    privacy notice promises not to make; a plain name is what most clients send."""
    name = socket.gethostname().strip()
    return name if name and name.isascii() else "localhost"


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; smtplib sends only ASCII, so a user name or password with other letters
    goes as UTF-8 through AUTH PLAIN or LOGIN, which servers take as UTF-8 (RFC 4954)."""
    if (username + password).isascii():
        client.login(username, password)
        return
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = client.esmtp_features["auth"].upper().split()
    if "PLAIN" in offered:
        token = _b64(f"\0{username}\0{password}")
        code, answer = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in offered:
        code, answer = client.docmd("AUTH", f"LOGIN {_b64(username)}")
        if code == 334:
            code, answer = client.docmd(_b64(password))
    else:
        raise smtplib.SMTPNotSupportedError("No suitable authentication method found.")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, answer)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _context(settings: MailSettings) -> ssl.SSLContext:
    stamp = (0, 0)
    if settings.ca_file:
        try:
            info = Path(settings.ca_file).stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = (-1, -1)  # reported by the load below
    return _verifying_context(settings.ca_file, stamp)


@functools.lru_cache(maxsize=4)
def _verifying_context(ca_file: str, _stamp: tuple[int, int]) -> ssl.SSLContext:
    """The system's trusted certificates (plus `ca_file`), with verification on. Made
    once per file version: loading the system's store takes about 25 ms."""
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError):
            raise UserError(
                f"The certificate file {ca_file} cannot be read as a certificate; "
                f"choose another one in {SETTINGS_PLACE} or leave it empty."
            ) from None
    return context


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _password(vault: Vault, settings: MailSettings, given: str | None) -> str | None:
    if not settings.username:
        return None
    if given:
        return given
    try:
        stored = secrets.load_secret(password_name(vault))
    except KeychainLocked:
        raise UserError(
            "The computer's keychain stayed locked, so the email password could not be read; "
            "unlock the keychain or type the password."
        ) from None
    except secrets.KeychainUnavailableError:
        stored = None
    if stored is None:
        raise MailPasswordNeeded()
    return stored


def _configured(settings: MailSettings) -> MailSettings:
    if not settings.configured:
        raise UserError(
            f"Set up email first: enter your mail server and address in {SETTINGS_PLACE}."
        )
    return settings


def _check_kind(kind: str) -> str:
    if kind == "credit_note":
        return "invoice"
    if kind not in KINDS:
        raise ValueError(f"cannot email a {kind!r}")
    return kind


def _refuse_unnumbered(document_kind: str, number: str) -> None:
    if number:
        return
    if document_kind == "quote":
        raise UserError("Save the quote with a number before you send it.")
    raise UserError("Issue this invoice before you send it: a draft has no number yet.")


def _explain(exc: BaseException, settings: MailSettings, stage: str) -> UserError:
    """One sentence for what went wrong talking to the server."""
    host, port = settings.host, settings.port
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        exc = exc.__context__  # smtplib reports a read that timed out as a disconnection
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return UserError(
            f"The mail server did not accept the user name or password; check them in "
            f"{SETTINGS_PLACE}."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if stage == "starttls":
            return UserError(
                f"The mail server {host} does not offer STARTTLS on port {port}; choose SSL "
                f"or the port your provider gives in {SETTINGS_PLACE}."
            )
        return UserError(
            f"The mail server {host} does not offer a login on this connection; check the "
            f"security choice in {SETTINGS_PLACE}."
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _text in exc.recipients.values()}
        if codes & {530, 535}:
            return _login_wanted()
        refused = ", ".join(exc.recipients)
        return UserError(
            f"The mail server refused the address {refused}; check it and send again."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code in (530, 535):
            return _login_wanted()
        return UserError(
            f"The mail server refused to send from {settings.from_address}; check the from "
            f"address in {SETTINGS_PLACE}."
        )
    if isinstance(exc, smtplib.SMTPDataError):
        log.info("The mail server refused a message with code %s", exc.smtp_code)
        if exc.smtp_code in (530, 535):
            return _login_wanted()
        return UserError(
            "The mail server refused the message; it may be too large, so try again later "
            "or ask your email provider."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return UserError(
            f"The mail server {host} could not prove its identity "
            f"({exc.verify_message or 'untrusted certificate'}); check the server name, or "
            f"choose its certificate file in {SETTINGS_PLACE}."
        )
    if isinstance(exc, ssl.SSLError):
        return UserError(
            f"A secure connection to {host} on port {port} could not be made; check that "
            f"the security choice (STARTTLS or SSL) matches the port in {SETTINGS_PLACE}."
        )
    if isinstance(exc, socket.gaierror):
        return UserError(
            f"The mail server {host} was not found; check its name in {SETTINGS_PLACE} "
            "and your internet connection."
        )
    if isinstance(exc, TimeoutError):
        return UserError(
            f"The mail server {host} did not answer on port {port}; check the port and "
            f"security choice in {SETTINGS_PLACE}, or try again later."
        )
    if isinstance(exc, OSError | smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        if stage != "connect":
            return UserError(
                f"The mail server {host} closed the connection; check the security choice "
                f"and port in {SETTINGS_PLACE}, or try again later."
            )
        return UserError(
            f"The mail server {host} could not be reached on port {port}; check the server "
            f"name and port in {SETTINGS_PLACE} and your internet connection."
        )
    log.info("Unexpected answer from the mail server: %s", type(exc).__name__)
    return UserError(
        "The mail server answered with an error; try again later or ask your email provider."
    )


def _unencrypted_login() -> UserError:
    return UserError(
        "A password is never sent unencrypted: choose STARTTLS or SSL, or leave the user "
        "name empty for a server that needs no login."
    )


def _login_wanted() -> UserError:
    return UserError(
        f"The mail server wants you to log in; enter the user name and password in "
        f"{SETTINGS_PLACE}."
    )
