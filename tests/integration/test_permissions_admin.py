"""The role x action matrix of the office's own machinery through the service layer:
reports, backups and off-site copies ("backups_restore"), the vault's key ("rekey"),
the business details, numbering and mail server ("settings"), and sending documents.

For each built-in role every call is made: an allowed one is done (it returns what shows
it), a forbidden one is refused with the exact sentence and changes nothing: not a row
of the vault, not its key file, not the backup folder, not the off-site bucket, and no
mail leaves. Which calls each role may not make is written out by hand, so a wrong
matrix or a missing check fails. The dashboard refuses nobody but leaves out what a role
may not view. The audit chain verifies at the end of each test. Real parts: SQLCipher,
moto's S3 server, aiosmtpd.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from crasme_desktop.domain.models import Base
from crasme_desktop.domain.permissions import (
    BUILTIN_ROLE_IDS,
    BUILTIN_ROLES,
    Permission,
    PermissionDenied,
)
from crasme_desktop.domain.report import Period
from crasme_desktop.services import (
    audit,
    backups,
    business,
    contacts,
    dashboard,
    mailing,
    offsite,
    permissions,
    quotes,
    reports,
    users,
    vaults,
)
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.vault import keyslot_path
from crasme_desktop.vault.paths import backup_dir
from sqlalchemy import select
from tests.integration.conftest import PASSPHRASE
from tests.support.s3_server import running_s3_server
from tests.support.smtp_server import TlsFiles, make_tls_files, running_smtp_server

ROLES = list(BUILTIN_ROLES)
SMTP_USER, SMTP_PASSWORD = "office@example.org", "smtp s3cret"
PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
#: (permissions the call needs, in the order the service checks them; the call)
Operation = tuple[tuple[str, ...], Callable[[], object]]


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def s3() -> Iterator[Any]:
    with running_s3_server() as server:
        yield server


@pytest.fixture
def smtp(tls) -> Iterator[Any]:
    with running_smtp_server("ssl", tls=tls, username=SMTP_USER,
                             password=SMTP_PASSWORD) as server:
        yield server


# -- helpers ---------------------------------------------------------------------------
def user_of_role(vault, role: str) -> str:
    """The vault's Owner for "owner", else a new user of `role` (added by the Owner)."""
    if role == "owner":
        return next(u.id for u in users.list_users(vault)
                    if u.role_id == BUILTIN_ROLE_IDS["owner"])
    return users.add_user(vault, f"User {role}", BUILTIN_ROLE_IDS[role]).id


def digest(path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def state_of(vault, s3=None, smtp=None) -> dict[str, Any]:
    """Every row of every table, the key file, the backup folder, the bucket and the
    mail sent: what a refusal must leave as it was."""
    with vault.unit_of_work() as uow:
        rows = {table.name: sorted(tuple(map(repr, row))
                                   for row in uow.session.execute(select(table)))
                for table in Base.metadata.sorted_tables}
    folder = backup_dir(vault.path)
    return {
        "rows": rows,
        "key file": digest(keyslot_path(vault.path)),
        "backups": sorted(p.name for p in folder.iterdir()) if folder.is_dir() else [],
        "bucket": sorted(s3.objects()) if s3 is not None else [],
        "mail": len(smtp.messages) if smtp is not None else 0,
    }


def run_matrix(vault, role: str, user_id: str, operations: dict[str, Operation],
               state: Callable[[], dict[str, Any]]) -> list[str]:
    """Make every call as `role`: allowed ones must be done, forbidden ones refused with
    the sentence naming the first permission missing, changing nothing. Returns the
    names of the refused calls, in order."""
    permissions.act_as(vault, user_id)
    role_name, _id, granted = BUILTIN_ROLES[role]
    refused = []
    for name, (needed, call) in operations.items():
        missing = [p for p in map(Permission.parse, needed) if p not in granted]
        if not missing:
            assert call(), name
            continue
        before = state()
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert str(caught.value) == (f"Your role ({role_name}) does not allow "
                                     f"{missing[0].describe()}."), name
        assert state() == before, f"{name} changed something although refused"
        refused.append(name)
    return refused


def chain_verifies(vault) -> bool:
    vault.actor = None
    return audit.verify_chain(vault).ok


# -- reports -----------------------------------------------------------------------------
def report_operations(vault, tmp_path) -> dict[str, Operation]:
    target = tmp_path / "reports.pdf"

    def printed() -> bool:
        reports.print_pdf(vault, PERIOD, target, locale="en_US")
        return target.read_bytes().startswith(b"%PDF")

    return {
        "revenue": (("reports.view",), lambda: reports.revenue(vault, PERIOD)),
        "aging": (("reports.view",), lambda: reports.aging(vault, PERIOD)),
        "pipeline": (("reports.view",), lambda: reports.pipeline(vault, PERIOD)),
        "won_lost": (("reports.view",), lambda: reports.won_lost(vault, PERIOD)),
        "ticket_backlog": (("reports.view",),
                           lambda: reports.ticket_backlog(vault, PERIOD)),
        "sla": (("reports.view",), lambda: reports.build(vault, "sla", PERIOD)),
        "support_times": (("reports.view",),
                          lambda: reports.support_times(vault, PERIOD)),
        "jobs_done": (("reports.view",),
                      lambda: reports.jobs_done(vault, PERIOD)),
        "print_pdf": (("reports.view",), printed),
        "revenue_tile": (("reports.view",),
                         lambda: dashboard.revenue_change(vault, date(2026, 2, 10)) == ()),
    }


REPORTS_REFUSED = {
    "owner": [], "admin": [], "manager": [], "read_only": [],
    "staff": ["revenue", "aging", "pipeline", "won_lost", "ticket_backlog", "sla",
              "support_times", "jobs_done", "print_pdf", "revenue_tile"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_reports(vault, tmp_path, role):
    user_id = user_of_role(vault, role)
    operations = report_operations(vault, tmp_path)
    refused = run_matrix(vault, role, user_id, operations, lambda: state_of(vault))
    assert refused == REPORTS_REFUSED[role]
    assert (tmp_path / "reports.pdf").exists() is ("print_pdf" not in refused)
    assert chain_verifies(vault)


def test_reports_view_alone_opens_every_report_and_no_record(vault):
    """A report is figures, not records: a "Reporter" sees every report (the pipeline
    too) without viewing deals or invoices; a role without reports sees none."""
    reporter = users.create_role(vault, "Reporter", ["reports.view"])
    nobody = users.create_role(vault, "Contacts only", ["contacts.view"])
    vault.actor = None
    reporter_id = users.add_user(vault, "Rita Reports", reporter.id).id
    nobody_id = users.add_user(vault, "Carl Contacts", nobody.id).id
    permissions.act_as(vault, reporter_id)
    assert [reports.build(vault, key, PERIOD).key for key, _t in reports.REPORTS] == [
        key for key, _t in reports.REPORTS]
    assert dashboard.summary(vault, date(2026, 2, 10)).revenue == ()
    permissions.act_as(vault, nobody_id)
    for key, _title in reports.REPORTS:
        with pytest.raises(PermissionDenied) as caught:
            reports.build(vault, key, PERIOD)
        assert str(caught.value) == "Your role (Contacts only) does not allow viewing reports."
    assert dashboard.summary(vault, date(2026, 2, 10)).revenue is None
    assert chain_verifies(vault)


# -- backups and off-site copies ---------------------------------------------------------
def backup_operations(vault, s3) -> dict[str, Operation]:
    """The Owner's backup and its off-site copy, to check, list and restore."""
    settings = offsite.OffsiteSettings(endpoint_url=s3.endpoint, region="eu-central-1",
                                       bucket=s3.bucket, prefix="office",
                                       access_key_id=s3.access_key_id)
    offsite.save_settings(vault, settings, s3.secret_key)
    made = backups.make_backup(vault)  # and sent off-site
    prefs = backups.get_preferences(vault)

    def forgotten() -> bool:
        offsite.forget_settings(vault)
        return not offsite.get_settings(vault).configured

    return {
        "backup_status": ((), lambda: backups.backup_status(vault).last_good is not None),
        "offsite_status": ((), lambda: offsite.offsite_status(vault).configured),
        "save_preferences": (("backups_restore",),
                             lambda: backups.save_preferences(vault, prefs)),
        "make_backup": (("backups_restore",), lambda: backups.make_backup(vault).path),
        "list_backups": (("backups_restore",), lambda: backups.list_backups(vault)),
        "check_backup": (("backups_restore",),
                         lambda: backups.check_backup(vault, made.path).ok),
        "restore_drill": (("backups_restore",),
                          lambda: backups.restore_drill(vault, force=True).ok),
        "offsite_setup": (("backups_restore",), lambda: offsite.offsite_setup(vault)),
        "save_offsite": (("backups_restore",),
                         lambda: offsite.save_settings(vault, settings, s3.secret_key)),
        "test_connection": (("backups_restore",), lambda: offsite.test_connection(vault)),
        "push_backup": (("backups_restore",), lambda: offsite.push_backup(vault)),
        "list_remote": (("backups_restore",), lambda: offsite.list_remote(vault)),
        "rotate_remote": (("backups_restore",),
                          lambda: offsite.rotate_remote(vault, keep_days=3650) == []),
        "restore_remote": (("backups_restore",),
                           lambda: offsite.restore_remote(vault, made.name)),
        "restore_backup": (("backups_restore",),
                           lambda: backups.restore_backup(vault, made.path)),
        "delete_all_remote": (("backups_restore",), lambda: offsite.delete_all_remote(vault)),
        "forget_offsite": (("backups_restore",), forgotten),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_backups(vault, s3, role):
    contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace"))
    user_id = user_of_role(vault, role)  # before the backup, so a restore keeps them
    operations = backup_operations(vault, s3)
    refused = run_matrix(vault, role, user_id, operations, lambda: state_of(vault, s3))
    everything = [n for n, (needed, _c) in operations.items() if needed]
    assert refused == ([] if role in ("owner", "admin") else everything)
    assert len(operations) == 17
    assert chain_verifies(vault)


def test_automatic_backups_run_whoever_is_signed_in(vault):
    permissions.act_as(vault, user_of_role(vault, "staff"))
    status = backups.on_unlock(vault)
    assert status.last_good is not None and status.last_drill is not None
    assert len(list(backup_dir(vault.path).glob("*-daily.crasme"))) == 1
    assert "Last good backup just now." in status.summary
    assert chain_verifies(vault)


# -- the vault's key ---------------------------------------------------------------------
def key_operations(vault) -> dict[str, Operation]:
    def passphrase_changed() -> bool:
        vaults.change_passphrase(vault, PASSPHRASE, "a brand new long passphrase")
        return vault.has_passphrase

    return {
        "has_passphrase": ((), lambda: vaults.has_passphrase(vault)),
        "doctor": (("settings",), lambda: vaults.doctor(vault)["ok"]),
        "rekey": (("rekey",), lambda: vaults.rekey(vault, PASSPHRASE)),
        "change_passphrase": (("rekey",), passphrase_changed),
    }


KEY_REFUSED = {
    "owner": [], "admin": ["rekey", "change_passphrase"],
    "manager": ["doctor", "rekey", "change_passphrase"],
    "staff": ["doctor", "rekey", "change_passphrase"],
    "read_only": ["doctor", "rekey", "change_passphrase"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_for_the_key(vault, role):
    user_id = user_of_role(vault, role)
    key_file = digest(keyslot_path(vault.path))
    refused = run_matrix(vault, role, user_id, key_operations(vault), lambda: state_of(vault))
    assert refused == KEY_REFUSED[role]
    assert (digest(keyslot_path(vault.path)) == key_file) is (role != "owner")
    assert chain_verifies(vault)


# -- business details, numbering, mail ----------------------------------------------------
def settings_operations(vault, smtp, tls) -> dict[str, Operation]:
    """The Owner's office details, a customer with a quote, and the mail server."""
    mail = MailSettings(smtp.host, smtp.port, "ssl", SMTP_USER, "office@example.org",
                        "Example Office", ca_file=str(tls.ca_file))
    mailing.save_mail_settings(vault, mail, SMTP_PASSWORD)
    office = business.save_business(vault, business.BusinessSettings(
        name="Example Office", address_lines=("Hauptstraße 1", "10115 Berlin"),
        country_code="DE", email="office@example.org", default_currency="EUR"))
    anna = contacts.create_person(vault, PersonDraft(
        given_name="Anna", family_name="Schmidt",
        emails=(contacts.EmailDraft("anna@example.net"),)))
    quote = quotes.save_quote(vault, quotes.QuoteDraft(
        customer_person_id=anna.id,
        lines=(quotes.LineDraft("Garden design", Decimal("2"), "h", Decimal("85.50")),)))
    rate = business.list_tax_rates(vault)[0]
    series = business.list_series(vault, "quote")[0]

    def checked() -> bool:
        mailing.check_mail_settings(vault)
        return True

    def forgotten() -> bool:
        mailing.forget_mail_settings(vault)
        return not mailing.get_mail_settings(vault).configured

    return {
        "get_business": ((), lambda: business.get_business(vault).name == "Example Office"),
        "list_tax_rates": ((), lambda: business.list_tax_rates(vault)),
        "list_series": ((), lambda: business.list_series(vault)),
        "get_mail_settings": ((), lambda: mailing.get_mail_settings(vault).configured),
        "save_business": (("settings",), lambda: business.save_business(vault, office)),
        "save_series": (("settings",), lambda: business.save_series(
            vault, "quote", "QT-{YYYY}-{000}", series_id=series.id, is_default=True)),
        "add_tax_rate": (("products.create",),
                         lambda: business.save_tax_rate(vault, "Reduced", Decimal("7"))),
        "change_tax_rate": (("products.edit",), lambda: business.save_tax_rate(
            vault, rate.name, rate.rate_percent, rate_id=rate.id, is_default=True)),
        "get_mail_setup": (("settings",), lambda: mailing.get_mail_setup(vault)),
        "save_mail_settings": (("settings",),
                               lambda: mailing.save_mail_settings(vault, mail, None)),
        "check_mail_settings": (("settings",), checked),
        "send_test_email": (("settings",), lambda: mailing.send_test_email(vault)),
        "prepare_email": (("quotes.edit",),
                          lambda: mailing.prepare_email(vault, "quote", quote.id)),
        "send_document": (("quotes.edit",), lambda: mailing.send_document(
            vault, "quote", quote.id, "anna@example.net", "Your quote", "Hello Anna")),
        "send_message": (("contacts.edit",), lambda: mailing.send_message(
            vault, "anna@example.net", "Hello", "A few lines.")),
        "forget_mail_settings": (("settings",), forgotten),
    }


SETTINGS_ONLY = ["save_business", "save_series", "get_mail_setup", "save_mail_settings",
                 "check_mail_settings", "send_test_email"]
SETTINGS_REFUSED = {
    "owner": [], "admin": [],
    "manager": [*SETTINGS_ONLY, "forget_mail_settings"],
    "staff": [*SETTINGS_ONLY[:2], "add_tax_rate", "change_tax_rate", *SETTINGS_ONLY[2:],
              "forget_mail_settings"],
    "read_only": [*SETTINGS_ONLY[:2], "add_tax_rate", "change_tax_rate", *SETTINGS_ONLY[2:],
                  "prepare_email", "send_document", "send_message", "forget_mail_settings"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_settings_and_mail(
        vault, smtp, tls, role):
    user_id = user_of_role(vault, role)
    operations = settings_operations(vault, smtp, tls)
    refused = run_matrix(vault, role, user_id, operations, lambda: state_of(vault, smtp=smtp))
    assert refused == SETTINGS_REFUSED[role]
    assert len(operations) == 16
    sent = 0 if role == "read_only" else 2  # the quote and the message; the test mail:
    assert len(smtp.messages) == sent + (1 if role in ("owner", "admin") else 0)
    assert chain_verifies(vault)


# -- the dashboard -----------------------------------------------------------------------
def test_the_dashboard_leaves_out_what_a_role_may_not_view(vault):
    contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace"))
    staff_id, reader_id = user_of_role(vault, "staff"), user_of_role(vault, "read_only")
    owner = dashboard.summary(vault, date(2026, 2, 10))
    assert owner.revenue == () and owner.requests_late == 0 and owner.people == 1

    permissions.act_as(vault, staff_id)
    staff = dashboard.summary(vault, date(2026, 2, 10))
    assert staff.revenue is None, "revenue is a report figure: Staff has no reports"
    assert (staff.requests_late, staff.requests_due_soon) == (None, None)
    assert staff.people == 1 and staff.overdue is not None and staff.pipeline is not None
    assert staff.jobs_today is not None and staff.tickets is not None

    permissions.act_as(vault, reader_id)
    reader = dashboard.summary(vault, date(2026, 2, 10))
    assert reader.revenue == () and reader.requests_late is None

    vault.actor = None  # the Owner makes a role that sees tickets and nothing else
    nobody = users.create_role(vault, "Tickets only", ["tickets.view"])
    permissions.act_as(vault, users.add_user(vault, "Tia Tickets", nobody.id).id)
    narrow = dashboard.summary(vault, date(2026, 2, 10))
    assert narrow.tickets is not None
    assert (narrow.people, narrow.organizations, narrow.activities, narrow.last_changed,
            narrow.pipeline, narrow.jobs_today, narrow.overdue, narrow.revenue) == (
        None, None, None, None, None, None, None, None)
    assert chain_verifies(vault)
