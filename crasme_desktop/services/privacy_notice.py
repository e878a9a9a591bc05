"""The privacy notice: its text filled in from the live settings, its promises, and who
acknowledged which version.

The text lives in `resources/privacy/notice.<locale>.md`. `{{name}}` fields in it are
filled from the vault's own settings at the moment it is shown (the vault's path,
whether this computer's keychain holds the key, the backup folder and schedule, the
mail server, the retention periods), so the notice cannot say one thing while the
program does another. `{promise:id}` marks a promise; `tests/privacy` holds a test
for each (see `promise_ids`); the marks are taken out of the text people read.

Changing the text means a new `NOTICE_VERSION` (a test compares the text with
`NOTICE_SHA256`): people then see it again and acknowledge the new version.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crasme_desktop import RESOURCES
from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.models import NoticeAck
from crasme_desktop.services import audit
from crasme_desktop.vault import Vault

#: The version people acknowledge; a new one for every change of the text.
NOTICE_VERSION = "2026-11-2"
#: sha256 of notice.en.md as released under NOTICE_VERSION (tests/privacy checks it).
NOTICE_SHA256 = "de7175976bdbfd0d0e6339b46143ca4a7185afaffbba29d2b4db42a8b53810fa"
NOTICE_DIR = RESOURCES / "privacy"
DEFAULT_LOCALE = "en"

_PROMISE = re.compile(r"\{promise:([a-z0-9][a-z0-9-]*)\}")
#: A promise mark alone on its line goes with the line; one inside a line, with its space.
_PROMISE_LINE = re.compile(r"\n[ \t]*\{promise:[a-z0-9-]+\}[ \t]*(?=\n)")
_PROMISE_INLINE = re.compile(r"[ \t]*\{promise:[a-z0-9-]+\}")
_FIELD = re.compile(r"\{\{([a-z_]+)\}\}")


@dataclass(frozen=True)
class RenderedNotice:
    version: str
    markdown: str
    html: str


@dataclass(frozen=True)
class Acknowledgement:
    version: str
    actor: str
    at: datetime


# -- the text --------------------------------------------------------------------------
def notice_path(locale: str = DEFAULT_LOCALE) -> Path:
    """The notice's template for `locale` ("de_DE" tries "de"), else the English one."""
    for name in (locale, locale.split("_")[0].split("-")[0], DEFAULT_LOCALE):
        path = NOTICE_DIR / f"notice.{name}.md"
        if name and path.is_file():
            return path
    return NOTICE_DIR / f"notice.{DEFAULT_LOCALE}.md"


def notice_template(locale: str = DEFAULT_LOCALE) -> str:
    """The notice as written, with its `{{fields}}` and `{promise:id}` marks."""
    return notice_path(locale).read_text(encoding="utf-8")


def template_sha256(locale: str = DEFAULT_LOCALE) -> str:
    return hashlib.sha256(notice_template(locale).encode("utf-8")).hexdigest()


def promise_ids(locale: str = DEFAULT_LOCALE) -> list[str]:
    """Every promise id of the notice, once each, in the order the text makes them."""
    return list(dict.fromkeys(_PROMISE.findall(notice_template(locale))))


def template_fields(locale: str = DEFAULT_LOCALE) -> set[str]:
    return set(_FIELD.findall(notice_template(locale)))


def render_notice(vault: Vault | None, *, locale: str = DEFAULT_LOCALE) -> RenderedNotice:
    """The notice filled in from `vault`'s live settings (None: before a vault exists,
    with the default place and settings), as markdown and as HTML to show.

    Reads the vault and asks the keychain: call it off the GUI thread."""
    facts = notice_facts(vault)
    text = _PROMISE_INLINE.sub("", _PROMISE_LINE.sub("", notice_template(locale)))

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in facts:
            raise KeyError(f"the privacy notice names an unknown field {{{{{name}}}}}")
        return facts[name]

    markdown = _FIELD.sub(fill, text)
    return RenderedNotice(NOTICE_VERSION, markdown, markdown_to_html(markdown))


def markdown_to_html(markdown: str) -> str:
    """CommonMark to HTML with raw HTML in the text escaped, never passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).render(markdown)


# -- the facts filled in -------------------------------------------------------------------
def notice_facts(vault: Vault | None) -> dict[str, str]:
    """The value of every `{{field}}` of the notice, from the live settings."""
    from crasme_desktop.vault.paths import default_vault_path, keyslot_path, log_dir

    path = vault.path if vault is not None else default_vault_path()
    backup = _backup_facts(vault)
    retention = _retention_facts(vault, backup["keep_days"])
    return {
        "version": NOTICE_VERSION,
        "vault_path": _code_text(str(path)),
        "key_slots_path": _code_text(str(keyslot_path(path))),
        "log_folder": _code_text(str(log_dir())),
        "key_storage": _key_storage(vault),
        "key_slots": _key_slots(vault),
        "backup_folder": backup["folder"],
        "backup_schedule": backup["schedule"],
        "mail_server": _mail_server(vault),
        "support_mailbox": _support_mailbox(vault),
        "offsite_copies": _offsite_copies(vault),
        **retention,
    }


def keychain_name() -> str:
    if sys.platform == "darwin":
        return "the macOS Keychain"
    if sys.platform.startswith("win"):
        return "the Windows Credential Locker"
    return "the desktop's Secret Service keyring"


def _key_storage(vault: Vault | None) -> str:
    if vault is None:
        return (f"Where this computer has a keychain ({keychain_name()}), the key is kept "
                "there, for your user account only, so the vault opens without typing.")
    if vault.keychain_holds_key():
        return (f"This computer's keychain ({keychain_name()}) holds it, for your user "
                "account only, so the vault opens without typing.")
    return ("This computer's keychain does not hold it, so the vault asks for your "
            "passphrase or recovery key each time it opens.")


def _key_slots(vault: Vault | None) -> str:
    kinds = {"passphrase", "recovery"}
    if vault is not None:
        from crasme_desktop.vault.unlock import read_slot_file

        kinds = read_slot_file(vault.path).current.kinds()
    parts = []
    if "passphrase" in kinds:
        parts.append("with your passphrase")
    if "recovery" in kinds:
        parts.append("with your recovery key (the one on your printed recovery kit)")
    if not parts:
        return "it holds no other way in, so keep this computer's keychain safe."
    return " and ".join(parts) + "."


def _backup_facts(vault: Vault | None) -> dict[str, Any]:
    from crasme_desktop.services import backups
    from crasme_desktop.vault.paths import backup_dir, default_vault_path

    if vault is None:
        prefs = backups.BackupPreferences()
        folder = backup_dir(default_vault_path())
    else:
        prefs = backups.get_preferences(vault)
        folder = backups.folder_for(vault, prefs)
    chosen = "the folder you chose" if prefs.folder else "the folder beside the vault"
    if prefs.interval_days == 0:
        schedule = "Automatic backups are off: a backup is made when you ask for one"
    elif prefs.interval_days == 1:
        schedule = "A backup is made automatically every day"
    else:
        schedule = f"A backup is made automatically every {prefs.interval_days} days"
    schedule += (", when you quit if anything changed," if prefs.on_quit else "")
    schedule += " and before the program upgrades the vault to a new version."
    return {
        "folder": f"{chosen}, {_code_text(str(folder))}",
        "schedule": schedule,
        "keep_days": prefs.keep_days,
    }


def _mail_server(vault: Vault | None) -> str:
    settings = None
    if vault is not None:
        from crasme_desktop.services import mailing

        settings = mailing.get_mail_settings(vault)
    if settings is None or not settings.configured:
        return ("No mail server is set up, so Crasme Desktop sends no email. If you set "
                "one up under Settings › Email, the program connects to it only when you "
                "send a quote, an invoice or a test message, to the addresses you choose.")
    security = {
        "starttls": "encrypted with STARTTLS",
        "ssl": "encrypted with SSL/TLS",
        "none": "not encrypted",
    }.get(settings.security, settings.security)
    return (f"Email goes through the mail server you set up under Settings › Email, "
            f"{_code_text(settings.host)} (port {settings.port}, {security}), and only "
            "when you send a quote, an invoice or a test message, to the addresses you "
            "choose. The program keeps a note on the customer's timeline of what was sent "
            "to whom, never the message's text.")


def _support_mailbox(vault: Vault | None) -> str:
    from crasme_desktop.services import support_mailbox

    settings = support_mailbox.get_mailbox_settings(vault) if vault is not None else None
    if settings is None or not settings.configured:
        return ("No support mailbox is set up, so Crasme Desktop reads no mail. If you "
                f"set one up under {support_mailbox.SETTINGS_PLACE}, the program connects "
                "to it only when you fetch mail, and takes the messages in it into the "
                "vault as tickets; it deletes nothing on the mail server.")
    return (f"Crasme Desktop reads the support mailbox you set up under "
            f"{support_mailbox.SETTINGS_PLACE}, the folder {_code_text(settings.folder)} at "
            f"{_code_text(settings.host)} (port {settings.port}, encrypted with SSL/TLS), "
            "only when you fetch mail. Each message becomes a ticket or joins the ticket "
            "it answers; nothing is deleted on the mail server.")


def _offsite_copies(vault: Vault | None) -> str:
    settings = None
    if vault is not None:
        from crasme_desktop.services import offsite

        settings = offsite.get_settings(vault)
    if settings is None or not settings.configured:
        return ("No off-site storage is set up, so backups stay on this computer (or the "
                "drive you chose).")
    return (f"A copy of each backup, already encrypted, is also sent to the off-site "
            f"storage you set up under Settings › Off-site copy, {_code_text(settings.place)}; "
            "the storage provider cannot read it.")


def _retention_facts(vault: Vault | None, backup_keep_days: int) -> dict[str, str]:
    """The retention sentences, from `services.retention`'s live rules (its defaults
    before a vault exists); the backups' period is the backups' own "keep days"."""
    from crasme_desktop.services import retention

    rules = (retention.retention_rules(vault) if vault is not None
             else list(retention.DEFAULTS.values()))
    periods = {rule.key: rule.period_text if rule.enabled else None for rule in rules}
    kept = "kept until you delete them"
    activity, audit_period, invoices = periods["activity"], periods["audit"], periods["invoices"]
    return {
        "retention_activity": (
            f"deleted {activity} after they happened, with their attachments; open tasks "
            "stay until they are done." if activity else f"{kept}."),
        "retention_audit": (
            f"events are deleted {audit_period} after they were recorded."
            if audit_period else f"events are {kept}."),
        "retention_invoices": (
            f"kept for {invoices} after their issue date, then deleted with "
            "their payments."),
        "retention_backups": (
            f"deleted {_days(backup_keep_days)} after they were made; the newest backup "
            "that passed its check is always kept."),
        "retention_inactive": (
            f"tagged “Inactive” for your review after {periods['inactive_people']} without any "
            "activity; nobody is deleted by this rule." if periods["inactive_people"]
            else "nothing happens to them: this rule is off unless you turn it on, and it "
                 "never deletes anyone."),
    }


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def _code_text(value: str) -> str:
    """A value as a markdown code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


# -- acknowledgements ----------------------------------------------------------------------
def acknowledge(vault: Vault) -> None:
    """Record that this computer's user has read the current version, now."""
    with vault.unit_of_work() as uow:
        row = NoticeAck(version=NOTICE_VERSION, actor=audit.current_actor()[:100],
                        at=vault.clock.now())
        uow.session.add(row)
        uow.session.flush()
        audit.add(uow.session, "notice.acknowledge", "notice_ack", row.id)


def needs_acknowledgement(vault: Vault) -> bool:
    """True until the newest acknowledgement is of the current version."""
    with vault.unit_of_work() as uow:
        newest = uow.session.scalars(
            select(NoticeAck.version).order_by(NoticeAck.at.desc(), NoticeAck.id.desc()).limit(1)
        ).first()
    return newest != NOTICE_VERSION


def acknowledgements(vault: Vault) -> list[Acknowledgement]:
    """Every acknowledgement, newest first."""
    with vault.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(NoticeAck).order_by(NoticeAck.at.desc(), NoticeAck.id.desc())
        ).all()
        return [Acknowledgement(r.version, r.actor, as_utc(r.at)) for r in rows]


@dataclass(frozen=True)
class NoticeDisplay:
    """What the notice's view shows: the text, and who acknowledged which version."""

    notice: RenderedNotice
    acknowledgements: list[Acknowledgement]
    needs_acknowledgement: bool


def notice_display(vault: Vault | None, *, locale: str = DEFAULT_LOCALE) -> NoticeDisplay:
    """The rendered notice with its acknowledgements, in one call for a worker thread."""
    notice = render_notice(vault, locale=locale)
    if vault is None:
        return NoticeDisplay(notice, [], True)
    acks = acknowledgements(vault)
    return NoticeDisplay(notice, acks, not acks or acks[0].version != NOTICE_VERSION)
