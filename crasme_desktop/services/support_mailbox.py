"""The support mailbox: where customers' mail waits to become tickets (IMAP over TLS).

The settings live in the vault (setting "support_mailbox"); the password lives only in
this computer's keychain, under a name that carries the vault's id, as the sending
password does (services/mailing.py). Where there is no keychain the password is kept
nowhere: the caller passes it (`password=`), and `MailboxPasswordNeeded` says when one
is missing.

Only IMAPS (TLS from the first byte, port 993 by default) is spoken, and the server's
certificate is always verified: against the system's authorities, plus the office's own
authority when its certificate file is named in the settings (`ca_file`), or against a
context the caller builds (`ssl_context`). Every failure becomes one sentence that says
what to do; the password and the mail never reach the log.

`MailboxConnection` is the IMAP conversation the fetch needs: select the folder (its
UIDVALIDITY), list UIDs, read sizes, read one message without marking it read
(BODY.PEEK[]), and mark one read (\\Seen) once it is safely in the vault. Nothing is ever
deleted or moved on the server.

Permissions: setting the mailbox up (`save_mailbox_settings`, `forget_mailbox_settings`,
`check_mailbox`) changes the vault's settings, so it needs "settings". Reading the saved
setup (`get_mailbox_settings`, `get_mailbox_setup`, `configured_settings`: server, user
name and folder, never the password) is open to every role, as other settings are read:
the fetch, the replies' Reply-To and the privacy notice need it. The password is handed
out (`mailbox_password`) only to a user who may fetch mail (tickets.create) or set the
mailbox up. Fetching itself is services.ticket_mail's (tickets.create).
"""

from __future__ import annotations

import base64
import imaplib
import json
import logging
import re
import socket
import ssl
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.validation import normalize_email
from crasme_desktop.services import permissions
from crasme_desktop.vault import keychain as secrets
from crasme_desktop.vault.errors import KeychainLocked

if TYPE_CHECKING:
    from crasme_desktop.vault import Vault

log = logging.getLogger(__name__)

SETTING_KEY = "support_mailbox"
DEFAULT_PORT = 993
DEFAULT_FOLDER = "INBOX"
#: Seconds to wait for the server at each step before saying it did not answer.
TIMEOUT_S = 30.0
SETTINGS_PLACE = "Settings › Support mailbox"
#: UIDs asked about in one command (keeps each command line short).
_BATCH = 200


@dataclass(frozen=True)
class MailboxSettings:
    host: str = ""
    port: int = DEFAULT_PORT
    username: str = ""
    folder: str = DEFAULT_FOLDER
    #: The address customers write to: replies from the office carry it as Reply-To, so
    #: the customer's answers come back to this mailbox. Empty: the user name, if it is
    #: an address.
    address: str = ""
    #: A certificate file (PEM) to trust besides the system's. Empty: the system's only.
    ca_file: str = ""
    #: Mark each message read on the server once it is in the vault.
    mark_seen: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.host and self.username)

    @property
    def reply_address(self) -> str:
        """Where customers' answers should go ("" when neither field is an address)."""
        if self.address:
            return self.address
        return self.username if "@" in self.username else ""

    @property
    def name(self) -> str:
        """How this mailbox is told apart in the intake log: account, server, folder."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class MailboxSetup:
    """The settings as the Support mailbox section shows them."""

    settings: MailboxSettings
    password_saved: bool
    keychain_available: bool


@dataclass(frozen=True)
class MailboxCheck:
    """What a successful test found."""

    folder: str
    messages: int


class MailboxPasswordNeeded(UserError):
    """The keychain does not hold the mailbox password, and none was given."""

    needs_password = True

    def __init__(self) -> None:
        super().__init__(
            "Type the support mailbox password: this computer's keychain does not hold it."
        )


# -- settings ------------------------------------------------------------------------
def password_name(vault: Vault) -> str:
    """The keychain entry of this vault's support mailbox password."""
    return f"Crasme Desktop support mailbox password ({vault.vault_id})"


def get_mailbox_settings(vault: Vault) -> MailboxSettings:
    """The saved settings, or empty ones (`configured` False) before the first save."""
    from crasme_desktop.services import stored

    with vault.unit_of_work() as uow:
        return stored.read_record(uow.session, SETTING_KEY, MailboxSettings)


def get_mailbox_setup(vault: Vault) -> MailboxSetup:
    available, saved = secrets.secret_state(password_name(vault))
    return MailboxSetup(get_mailbox_settings(vault), saved, available)


def save_mailbox_settings(
    vault: Vault, settings: MailboxSettings | Mapping[str, Any], password: str | None = None
) -> MailboxSetup:
    """Check and save the settings; `password` goes to the keychain only (None keeps the
    saved one, "" forgets it). Without a keychain it is kept nowhere (`password_saved`
    False) and is asked for at each fetch."""
    permissions.require(vault, "settings")
    from crasme_desktop.domain.models import Setting
    from crasme_desktop.services import audit

    clean = clean_mailbox_settings(settings)
    with vault.unit_of_work() as uow:
        uow.session.merge(Setting(key=SETTING_KEY, value=json.dumps(asdict(clean))))
        audit.add(uow.session, "setting.update", "setting", SETTING_KEY)
    name = password_name(vault)
    available = secrets.secrets_available()
    try:
        if password == "":  # nosec B105  # "" means: forget the saved password
            secrets.delete_secret(name)
        elif password is not None and available:
            secrets.store_secret(name, password)
        saved = available and secrets.load_secret(name) is not None
    except KeychainLocked:
        raise UserError(
            "The settings are saved, but the keychain stayed locked so the password is not; "
            "unlock the keychain and save again."
        ) from None
    return MailboxSetup(clean, saved, available)


def forget_mailbox_settings(vault: Vault) -> None:
    """Remove the settings from the vault and the password from the keychain (what was
    already taken in stays)."""
    permissions.require(vault, "settings")
    from crasme_desktop.domain.models import Setting
    from crasme_desktop.services import audit

    with vault.unit_of_work() as uow:
        stored = uow.session.get(Setting, SETTING_KEY)
        if stored is not None:
            uow.session.delete(stored)
            audit.add(uow.session, "setting.delete", "setting", SETTING_KEY)
    try:
        secrets.delete_secret(password_name(vault))
    except KeychainLocked:
        raise UserError(
            "The mailbox settings are removed, but the keychain stayed locked so the "
            "password is still in it; unlock the keychain and remove them again."
        ) from None


def clean_mailbox_settings(raw: MailboxSettings | Mapping[str, Any]) -> MailboxSettings:
    """The settings checked and tidied, or a `UserError` naming the first problem."""
    values = asdict(raw) if isinstance(raw, MailboxSettings) else dict(raw)
    unknown = set(values) - {f.name for f in fields(MailboxSettings)}
    if unknown:
        raise ValueError(f"unknown mailbox settings: {sorted(unknown)}")
    host = str(values.get("host", "")).strip().rstrip(".")
    if not host:
        raise UserError("Type the name of the support mailbox's server, such as "
                        "imap.example.com.")
    if any(c.isspace() for c in host) or "/" in host or "@" in host or len(host) > 253:
        raise UserError(f"“{host[:60]}” is not a server name; type it as your email "
                        "provider gives it, such as imap.example.com.")
    port = values.get("port", DEFAULT_PORT)
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise UserError("The port must be a number from 1 to 65535, usually 993.")
    username = str(values.get("username", "")).strip()
    if not username:
        raise UserError("Type the user name of the support mailbox, often its address.")
    if len(username) > 320 or any(c in username for c in "\r\n\0"):
        raise UserError("The user name of the support mailbox is not valid; type it as "
                        "your email provider gives it.")
    folder = str(values.get("folder", "") or DEFAULT_FOLDER).strip() or DEFAULT_FOLDER
    if len(folder) > 200 or any(c in folder for c in "\r\n\0*%"):
        raise UserError("The folder name cannot contain line breaks, * or %; type it as "
                        "your mail program shows it, such as INBOX.")
    address = str(values.get("address", "")).strip()
    if address:
        address = normalize_email(address).address
    ca_file = str(values.get("ca_file", "")).strip()
    if ca_file and not Path(ca_file).is_file():
        raise UserError(
            f"The certificate file {ca_file} cannot be found; choose it again or leave it empty."
        )
    mark_seen = values.get("mark_seen", True)
    return MailboxSettings(host, port, username, folder, address, ca_file,
                           mark_seen if isinstance(mark_seen, bool) else True)


def configured_settings(vault: Vault) -> MailboxSettings:
    settings = get_mailbox_settings(vault)
    if not settings.configured:
        raise UserError(f"Set up the support mailbox first: enter its server and user name "
                        f"in {SETTINGS_PLACE}.")
    return settings


def mailbox_password(vault: Vault, given: str | None) -> str:
    """The password given, else the keychain's; `MailboxPasswordNeeded` if neither."""
    permissions.require_any(vault, "settings", "tickets.create")
    if given:
        return given
    try:
        stored = secrets.load_secret(password_name(vault))
    except KeychainLocked:
        raise UserError(
            "The computer's keychain stayed locked, so the support mailbox password could "
            "not be read; unlock the keychain or type the password."
        ) from None
    except secrets.KeychainUnavailableError:
        stored = None
    if stored is None:
        raise MailboxPasswordNeeded()
    return stored


def check_mailbox(
    vault: Vault,
    password: str | None = None,
    *,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> MailboxCheck:
    """Log in with the saved settings and open the folder; a `UserError` says what is
    wrong. Nothing is read or changed."""
    permissions.require(vault, "settings")
    settings = configured_settings(vault)
    secret = mailbox_password(vault, password)
    with open_mailbox(settings, secret, ssl_context=ssl_context, timeout=timeout,
                      writable=False) as mailbox:
        return MailboxCheck(settings.folder, mailbox.exists)


# -- the IMAP conversation -------------------------------------------------------------
class MailboxConnection:
    """A logged-in IMAPS connection with the folder selected."""

    def __init__(self, client: imaplib.IMAP4_SSL, settings: MailboxSettings) -> None:
        self._client = client
        self.settings = settings
        self.uid_validity = 0
        self.exists = 0

    def select(self, *, writable: bool) -> None:
        try:
            status, data = self._client.select(_quote(imap_utf7(self.settings.folder)),
                                               readonly=not writable)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise explain(exc, self.settings, "select") from None
        if status != "OK":
            raise UserError(
                f"The folder “{self.settings.folder}” was not found in the support mailbox; "
                f"check the folder name in {SETTINGS_PLACE}."
            )
        self.exists = _int(data[0] if data else b"0")
        answer = self._client.response("UIDVALIDITY")[1]
        self.uid_validity = _int(answer[0] if answer and answer[0] else b"0")
        if not self.uid_validity:
            raise UserError(f"The mail server {self.settings.host} did not say how it numbers "
                            "the messages of the folder (UIDVALIDITY), so they cannot be "
                            "taken in safely; ask your email provider.")

    def uids(self) -> list[int]:
        """Every message's UID in the folder, lowest first."""
        data = self._command("SEARCH", None, "ALL")
        found: set[int] = set()
        for line in data:
            if isinstance(line, bytes):
                found.update(int(w) for w in line.split() if w.isdigit())
        return sorted(found)

    def sizes(self, uids: Iterable[int]) -> dict[int, int]:
        """The size in bytes of each message (RFC822.SIZE), without reading them."""
        out: dict[int, int] = {}
        wanted = list(uids)
        for start in range(0, len(wanted), _BATCH):
            batch = ",".join(str(u) for u in wanted[start:start + _BATCH])
            for line in self._command("FETCH", batch, "(RFC822.SIZE)"):
                text = line[0] if isinstance(line, tuple) else line
                if not isinstance(text, bytes):
                    continue
                uid = re.search(rb"UID (\d+)", text)
                size = re.search(rb"RFC822\.SIZE (\d+)", text)
                if uid and size:
                    out[int(uid.group(1))] = int(size.group(1))
        return out

    def read(self, uid: int) -> bytes | None:
        """The whole message, left unread on the server; None if it is gone."""
        for item in self._command("FETCH", str(uid), "(BODY.PEEK[])"):
            if isinstance(item, tuple) and b"BODY[]" in item[0]:
                return bytes(item[1])
        return None

    def read_header(self, uid: int) -> bytes | None:
        """The message's header block only (to name a message too large to read)."""
        for item in self._command("FETCH", str(uid), "(BODY.PEEK[HEADER])"):
            if isinstance(item, tuple) and b"BODY[HEADER]" in item[0]:
                return bytes(item[1])
        return None

    def mark_seen(self, uid: int) -> None:
        self._command("STORE", str(uid), "+FLAGS.SILENT", "(\\Seen)")

    def _command(self, name: str, *args: str | None) -> list[Any]:
        try:
            status, data = self._client.uid(name, *args)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise explain(exc, self.settings, "read") from None
        if status != "OK":
            log.info("The mailbox server refused %s", name)
            raise UserError(f"The mail server {self.settings.host} refused to {_DOING[name]}; "
                            "try again later or ask your email provider.")
        return list(data)


_DOING = {"SEARCH": "list the messages", "FETCH": "hand over a message",
          "STORE": "mark a message as read"}


@contextmanager
def open_mailbox(
    settings: MailboxSettings,
    password: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
    writable: bool = True,
) -> Iterator[MailboxConnection]:
    """Connect, log in and select the folder; log out at the end."""
    client = _connect(settings, ssl_context=ssl_context, timeout=timeout)
    try:
        _login(client, settings, password)
        connection = MailboxConnection(client, settings)
        connection.select(writable=writable)
        yield connection
    finally:
        _logout(client)


def _logout(client: imaplib.IMAP4_SSL) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        with suppress(OSError):
            client.shutdown()


def _connect(settings: MailboxSettings, *, ssl_context: ssl.SSLContext | None,
             timeout: float) -> imaplib.IMAP4_SSL:
    context = ssl_context or _context(settings)
    try:
        return imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context,
                                 timeout=timeout)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise explain(exc, settings, "connect") from None


def _login(client: imaplib.IMAP4_SSL, settings: MailboxSettings, password: str) -> None:
    """LOGIN for plain-ASCII credentials; AUTHENTICATE PLAIN in UTF-8 otherwise (imaplib
    sends LOGIN in ASCII only)."""
    try:
        if (settings.username + password).isascii():
            client.login(settings.username, password)
            return
        if "AUTH=PLAIN" not in client.capabilities:
            raise UserError(
                f"The mail server {settings.host} cannot take a user name or password with "
                "letters outside plain English; change the password, or ask your provider."
            )
        token = f"\0{settings.username}\0{password}".encode()
        client.authenticate("PLAIN", lambda _challenge: token)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise explain(exc, settings, "login") from None


def _context(settings: MailboxSettings) -> ssl.SSLContext:
    """The system's trusted certificates (plus `ca_file`), verification on."""
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError):
            raise UserError(
                f"The certificate file {settings.ca_file} cannot be read as a certificate; "
                f"choose another one in {SETTINGS_PLACE} or leave it empty."
            ) from None
    return context


def explain(exc: BaseException, settings: MailboxSettings, stage: str) -> UserError:
    """One sentence for what went wrong talking to the mailbox server at `stage`
    ("connect", "login", "select" or "read")."""
    host, port = settings.host, settings.port
    if isinstance(exc, ssl.SSLCertVerificationError):
        return UserError(
            f"The mail server {host} could not prove its identity "
            f"({exc.verify_message or 'untrusted certificate'}); check the server name, or "
            f"choose its certificate file in {SETTINGS_PLACE}."
        )
    if isinstance(exc, ssl.SSLError):
        return UserError(
            f"A secure connection to {host} on port {port} could not be made; check that the "
            f"port is the server's IMAPS port (usually 993) in {SETTINGS_PLACE}."
        )
    if isinstance(exc, socket.gaierror):
        return UserError(f"The mail server {host} was not found; check its name in "
                         f"{SETTINGS_PLACE} and your internet connection.")
    if isinstance(exc, TimeoutError):
        return UserError(f"The mail server {host} did not answer on port {port}; check the "
                         f"port in {SETTINGS_PLACE}, or try again later.")
    if stage == "connect" and isinstance(exc, imaplib.IMAP4.error):
        return UserError(f"The server {host} does not answer as a mailbox (IMAP) on port "
                         f"{port}; check the port in {SETTINGS_PLACE} (usually 993).")
    if isinstance(exc, imaplib.IMAP4.abort) or (isinstance(exc, OSError) and stage != "connect"):
        return UserError(f"The mail server {host} closed the connection; try again later.")
    if isinstance(exc, imaplib.IMAP4.error):
        if stage == "login" and "UNAVAILABLE" in str(exc).upper():
            return UserError(f"The mail server {host} cannot log in to the support mailbox "
                             "just now; try again later.")
        if stage == "login":
            return UserError(f"The support mailbox did not accept the user name or password; "
                             f"check them in {SETTINGS_PLACE}.")
        log.info("Unexpected answer from the mailbox server at stage %s", stage)
        return UserError(f"The mail server {host} answered with an error; try again later "
                         "or ask your email provider.")
    return UserError(f"The mail server {host} could not be reached on port {port}; check the "
                     f"server name and port in {SETTINGS_PLACE} and your internet connection.")


# -- small helpers -----------------------------------------------------------------------
def _int(value: Any) -> int:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    return int(text) if text.strip().isdigit() else 0


def _quote(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): printable ASCII as is,
    "&" as "&-", anything else as "&" + base64 of UTF-16BE (with "," for "/") + "-"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=")
                       .replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
