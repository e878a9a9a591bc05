"""The whole role x action matrix of support (tickets, canned replies, the support
mailbox), the schedule (jobs, materials, the day sheet, calendar files) and staff
(members, absences, holidays, opening hours, SLA targets) through the service layer.

For each built-in role every call is made: an allowed one is done (it returns what shows
it), a forbidden one is refused with the exact sentence and leaves every table of the
vault as it was (and writes no file). Which calls each role may not make is written out
by hand below, so a wrong matrix or a missing check fails. Printing a day sheet and
exporting a calendar are recorded in the audit trail with ids only; the audit chain
verifies at the end of each test. Mail goes to real servers (Dovecot, aiosmtpd).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from crasme_desktop.domain.business_hours import DEFAULT_HOURS
from crasme_desktop.domain.models import Base
from crasme_desktop.domain.permissions import (
    BUILTIN_ROLE_IDS,
    BUILTIN_ROLES,
    Permission,
    PermissionDenied,
)
from crasme_desktop.services import (
    audit,
    canned_replies,
    contacts,
    mailing,
    office_time,
    permissions,
    schedule,
    schedule_files,
    sla,
    staff,
    support_mailbox,
    ticket_figures,
    ticket_mail,
    ticket_queues,
    tickets,
    users,
)
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.services.schedule import MaterialDraft
from crasme_desktop.services.staff import StaffDraft
from crasme_desktop.services.support_mailbox import MailboxSettings
from crasme_desktop.services.tickets import TicketDraft
from sqlalchemy import select
from tests.support.imap_server import ImapTestServer, running_imap_server
from tests.support.schedule_data import at, job
from tests.support.smtp_server import TlsFiles, make_tls_files, running_smtp_server

pytest_plugins = ("tests.support.schedule_fixtures",)  # office_vault, company, maria

IMAP_USER, IMAP_PASSWORD = "support@example.com", "imap s3cret"
SMTP_USER, SMTP_PASSWORD = "office@example.com", "smtp s3cret"
ROLES = list(BUILTIN_ROLES)
#: (permissions the call needs, in the order the service checks them; the call)
Operation = tuple[tuple[str, ...], Callable[[], object]]


@pytest.fixture
def vault(office_vault):
    return office_vault


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def imap(tmp_path_factory, tls) -> Iterator[ImapTestServer]:
    with running_imap_server(tmp_path_factory.mktemp("dovecot"), tls=tls,
                             username=IMAP_USER, password=IMAP_PASSWORD) as server:
        yield server


# -- helpers ---------------------------------------------------------------------------
def act_as_role(vault, role: str) -> str:
    """Sign in as a user of the built-in `role` (the vault's Owner for "owner"); returns
    the role's name as sentences give it. The user is added by the Owner."""
    vault.actor = None
    if role == "owner":
        user_id = next(u.id for u in users.list_users(vault)
                       if u.role_id == BUILTIN_ROLE_IDS["owner"])
    else:
        user_id = users.add_user(vault, f"User {role}", BUILTIN_ROLE_IDS[role]).id
    permissions.act_as(vault, user_id)
    return BUILTIN_ROLES[role][0]


def everything(vault) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the vault, to show that a refusal changed nothing."""
    with vault.unit_of_work() as uow:
        return {table.name: sorted(tuple(map(repr, row))
                                   for row in uow.session.execute(select(table)))
                for table in Base.metadata.sorted_tables}


def run_matrix(vault, role: str, operations: dict[str, Operation],
               files: dict[str, Path] | None = None) -> list[str]:
    """Make every call as `role`: allowed ones must be done, forbidden ones refused with
    the sentence naming the first permission missing, changing nothing. Returns the
    names of the refused calls, in order."""
    role_name = act_as_role(vault, role)
    granted = BUILTIN_ROLES[role][2]
    files = files or {}
    refused = []
    for name, (needed, call) in operations.items():
        missing = [p for p in map(Permission.parse, needed) if p not in granted]
        if not missing:
            assert call(), name
            continue
        before = everything(vault)
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert str(caught.value) == (f"Your role ({role_name}) does not allow "
                                     f"{missing[0].describe()}."), name
        assert everything(vault) == before, f"{name} changed the vault although refused"
        assert name not in files or not files[name].exists(), name
        refused.append(name)
    return refused


def chain_verifies(vault) -> bool:
    vault.actor = None
    return audit.verify_chain(vault).ok


def customer_mail(subject: str = "Printer on fire") -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.org>"
    message["To"] = IMAP_USER
    message["Subject"] = subject
    message["Date"] = "Mon, 07 Dec 2026 10:30:00 +0100"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    message.set_content("Hello,\n\nthe printer is on fire.\n\nAda")
    return message.as_bytes()


# -- tickets, canned replies, the support mailbox ---------------------------------------
def ticket_operations(vault, imap: ImapTestServer, tls: TlsFiles,
                      smtp: Any) -> dict[str, Operation]:
    """The Owner's tickets, canned replies, mailbox and mail server; one call per public
    function of the support services."""
    folder = f"T{uuid.uuid4().hex[:12]}"
    imap.append(customer_mail("Fax is jammed"), mailbox=folder)
    mailbox = MailboxSettings(host=imap.host, port=imap.port, username=IMAP_USER,
                              folder=folder, ca_file=str(tls.ca_file))
    support_mailbox.save_mailbox_settings(vault, mailbox, IMAP_PASSWORD)
    mailing.save_mail_settings(vault, MailSettings(
        smtp.host, smtp.port, "ssl", SMTP_USER, "office@example.com", "Example Office",
        ca_file=str(tls.ca_file)), SMTP_PASSWORD)
    ada = contacts.add_person(vault, given_name="Ada", family_name="Lovelace",
                              email="ada@example.org")
    maria = staff.create_staff(vault, StaffDraft("Maria Rossi"))

    def new(subject: str) -> str:
        return tickets.create_ticket(vault, TicketDraft(subject, requester_id=ada.id),
                                     body="It is broken.").id

    first, source, target = new("Printer on fire"), new("Printer smokes"), new("Printer")
    draft = tickets.get_ticket(vault, first).draft()
    reply = tickets.add_reply(vault, first, "We are on our way.", send=True)
    canned = canned_replies.save_canned(vault, "Thanks", "Hello {requester_first_name}")
    doomed = canned_replies.save_canned(vault, "Old", "Outdated text.")

    def forgotten() -> bool:
        support_mailbox.forget_mailbox_settings(vault)
        return True

    return {
        "get_ticket": (("tickets.view",), lambda: tickets.get_ticket(vault, first).id),
        "find_ticket_by_number": (("tickets.view",),
                                  lambda: tickets.find_ticket_by_number(vault, "#1") == first),
        "thread": (("tickets.view",), lambda: tickets.thread(vault, first)),
        "list_tickets": (("tickets.view",), lambda: ticket_queues.list_tickets(vault).rows),
        "queue_counts": (("tickets.view",),
                         lambda: ticket_queues.queue_counts(vault).all_open == 3),
        "figures": (("tickets.view",), lambda: ticket_figures.figures(
            vault, date(2026, 12, 1), date(2026, 12, 10)).backlog),
        "list_canned": (("tickets.view",), lambda: canned_replies.list_canned(vault)),
        "render_canned": (("tickets.view",), lambda: canned_replies.render_canned(
            vault, canned.id, first) == "Hello Ada"),
        "get_mailbox_setup": ((), lambda: support_mailbox.get_mailbox_setup(
            vault).settings.configured),
        "create_ticket": (("tickets.create",), lambda: tickets.create_ticket(
            vault, TicketDraft("Paper jam", requester_id=ada.id)).number),
        "save_canned_new": (("tickets.create",), lambda: canned_replies.save_canned(
            vault, "Reset", "Your password is reset.").id),
        "take_in": (("tickets.create",), lambda: ticket_mail.take_in(
            vault, "by hand", 1, 7, customer_mail()).outcome == "ticket"),
        "fetch": (("tickets.create",), lambda: ticket_mail.fetch(vault).new_tickets == 1),
        "update_ticket": (("tickets.edit",), lambda: tickets.update_ticket(
            vault, first, replace(draft, category="Hardware")).category == "Hardware"),
        "change_status": (("tickets.edit",), lambda: tickets.change_status(
            vault, first, "on_hold").status == "on_hold"),
        "add_reply": (("tickets.edit",), lambda: tickets.add_reply(
            vault, first, "Any news?").kind == "reply"),
        "add_note": (("tickets.edit",), lambda: tickets.add_note(
            vault, first, "Called her back.").kind == "note"),
        "add_customer_message": (("tickets.edit",), lambda: tickets.add_customer_message(
            vault, first, "It still burns.").kind == "customer"),
        "merge_tickets": (("tickets.edit",), lambda: tickets.merge_tickets(
            vault, source, target).id == target),
        "assign": (("tickets.edit",), lambda: ticket_queues.assign(
            vault, [first], maria.id).changed),
        "set_priority": (("tickets.edit",), lambda: ticket_queues.set_priority(
            vault, [first], "high").changed),
        "set_status": (("tickets.edit",), lambda: ticket_queues.set_status(
            vault, [target], "pending").changed),
        "save_canned_change": (("tickets.edit",), lambda: canned_replies.save_canned(
            vault, "Thanks", "Thank you, {requester_first_name}.", canned.id).body),
        "send_reply": (("tickets.edit",), lambda: ticket_mail.send_reply(
            vault, reply.id).to == "ada@example.org"),
        "delete_canned": (("tickets.delete",), lambda: canned_replies.delete_canned(
            vault, doomed.id) is None),
        "save_mailbox_settings": (("settings",), lambda: support_mailbox.save_mailbox_settings(
            vault, replace(mailbox, mark_seen=False)).settings.mark_seen is False),
        "check_mailbox": (("settings",), lambda: support_mailbox.check_mailbox(
            vault).folder == folder),
        "forget_mailbox_settings": (("settings",), forgotten),
    }


TICKET_WRITES = ["create_ticket", "save_canned_new", "take_in", "fetch", "update_ticket",
                 "change_status", "add_reply", "add_note", "add_customer_message",
                 "merge_tickets", "assign", "set_priority", "set_status",
                 "save_canned_change", "send_reply", "delete_canned"]
MAILBOX_SETUP = ["save_mailbox_settings", "check_mailbox", "forget_mailbox_settings"]
TICKETS_REFUSED = {
    "owner": [], "admin": [], "manager": MAILBOX_SETUP,
    "staff": ["delete_canned", *MAILBOX_SETUP],
    "read_only": [*TICKET_WRITES, *MAILBOX_SETUP],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_tickets(vault, imap, tls, role):
    with running_smtp_server("ssl", tls=tls, username=SMTP_USER,
                             password=SMTP_PASSWORD) as smtp:
        operations = ticket_operations(vault, imap, tls, smtp)
        refused = run_matrix(vault, role, operations)
    assert refused == TICKETS_REFUSED[role]
    assert len(operations) == 28
    assert chain_verifies(vault)


# -- the schedule ------------------------------------------------------------------------
CALENDAR = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
            b"UID:dentist@example.org\r\nSUMMARY:Dentist\r\n"
            b"DTSTART;TZID=Europe/Berlin:20261215T100000\r\n"
            b"DTEND;TZID=Europe/Berlin:20261215T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def schedule_operations(vault, company, maria, tmp_path: Path) -> dict[str, Operation]:
    """The Owner's jobs (one done, ready to invoice), materials and labour rate; Maria's
    computer account is this one, for "my day". One call per public function."""
    maria = staff.update_staff(vault, maria.id, replace(maria.draft(),
                                                        os_user=audit.current_actor()))
    schedule.set_labour_rate(vault, hourly_rate="60")

    def made(title: str, day: int, **more: Any) -> str:
        return schedule.create_job(vault, job(company, title=title, start=at(day, 9),
                                              assignee_id=maria.id, **more), force=True).id

    first = made("Boiler service", 14)
    doomed, to_finish, to_cancel = made("Old visit", 15), made("Pump", 16), made("Valve", 17)
    done = made("Radiator", 7)
    schedule.set_status(vault, done, "done", minutes_worked=60)
    draft = schedule.get_job(vault, first).draft()
    kept = schedule.add_material(vault, first, MaterialDraft("Seal", 1, "pcs", "2.50"))
    gone = schedule.add_material(vault, first, MaterialDraft("Hose", 1, "m", "4.00"))
    monday = date(2026, 12, 14)

    def deleted() -> bool:
        schedule.delete_job(vault, doomed)
        return True

    def removed() -> bool:
        schedule.remove_material(vault, gone.id)
        return True

    return {
        "get_job": (("schedule.view",), lambda: schedule.get_job(vault, first).id),
        "find_job_by_number": (("schedule.view",),
                               lambda: schedule.find_job_by_number(vault, "Job 1") == first),
        "day": (("schedule.view",), lambda: schedule.day(vault, monday).lanes),
        "week": (("schedule.view",), lambda: schedule.week(vault, monday).lanes),
        "my_day": (("schedule.view",), lambda: schedule.my_day(vault, monday).lanes[0].jobs),
        "today": (("schedule.view",), lambda: schedule.today(vault) == date(2026, 12, 10)),
        "list_jobs": (("schedule.view",), lambda: schedule.list_jobs(vault).rows),
        "jobs_done_per_person": (("schedule.view",), lambda: schedule.jobs_done_per_person(
            vault, date(2026, 12, 1), date(2026, 12, 31))),
        "labour_rate": (("schedule.view",), lambda: schedule.labour_rate(vault)),
        "create_job": (("schedule.create",), lambda: schedule.create_job(
            vault, job(company, title="Inspection", start=at(18, 9)), force=True).number),
        "import_ics": (("schedule.create", "schedule.edit"), lambda: schedule_files.import_ics(
            vault, CALENDAR, maria.id).created == 1),
        "update_job": (("schedule.edit",), lambda: schedule.update_job(
            vault, first, replace(draft, notes="Ring twice."), force=True).notes),
        "move_job": (("schedule.edit",), lambda: schedule.move_job(
            vault, first, start=at(14, 11), assignee_id=maria.id, force=True).id),
        "set_status": (("schedule.edit",), lambda: schedule.set_status(
            vault, first, "on_the_way").status == "on_the_way"),
        "set_field_notes": (("schedule.edit",), lambda: schedule.set_field_notes(
            vault, first, "Valve replaced.").field_notes),
        "add_material": (("schedule.edit",), lambda: schedule.add_material(
            vault, first, MaterialDraft("Valve", 2, "pcs", "12.50")).id),
        "update_material": (("schedule.edit",), lambda: schedule.update_material(
            vault, kept.id, MaterialDraft("Seal", 3, "pcs", "2.50")).quantity == 3),
        "remove_material": (("schedule.edit",), removed),
        "finish_job": (("schedule.edit",), lambda: schedule.finish_job(
            vault, to_finish, minutes_worked=30).status == "done"),
        "cancel_job": (("schedule.edit",), lambda: schedule.cancel_job(
            vault, to_cancel).status == "cancelled"),
        "set_minutes_worked": (("schedule.edit",), lambda: schedule.set_minutes_worked(
            vault, done, 90).minutes_worked == 90),
        "invoice_from_job": (("schedule.edit", "invoices.create"),
                             lambda: schedule.invoice_from_job(vault, done).id),
        "delete_job": (("schedule.delete",), deleted),
        "day_sheet_pdf": (("schedule.view", "print"), lambda: schedule_files.day_sheet_pdf(
            vault, maria.id, monday).startswith(b"%PDF")),
        "save_day_sheet": (("schedule.view", "print"), lambda: schedule_files.save_day_sheet(
            vault, maria.id, monday, tmp_path / "sheet.pdf").exists()),
        "export_ics": (("schedule.view", "export"), lambda: schedule_files.export_ics(
            vault, maria.id).startswith(b"BEGIN:VCALENDAR")),
        "save_ics": (("schedule.view", "export"), lambda: schedule_files.save_ics(
            vault, maria.id, tmp_path / "maria.ics").exists()),
        "set_labour_rate": (("settings",), lambda: schedule.set_labour_rate(
            vault, hourly_rate="65")),
    }


SCHEDULE_WRITES = ["create_job", "import_ics", "update_job", "move_job", "set_status",
                   "set_field_notes", "add_material", "update_material", "remove_material",
                   "finish_job", "cancel_job", "set_minutes_worked", "invoice_from_job",
                   "delete_job"]
SCHEDULE_REFUSED = {
    "owner": [], "admin": [], "manager": ["set_labour_rate"],
    "staff": ["delete_job", "export_ics", "save_ics", "set_labour_rate"],
    "read_only": [*SCHEDULE_WRITES, "day_sheet_pdf", "save_day_sheet", "export_ics",
                  "save_ics", "set_labour_rate"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_the_schedule(
        vault, company, maria, tmp_path, role):
    operations = schedule_operations(vault, company, maria, tmp_path)
    refused = run_matrix(vault, role, operations, files={
        "save_day_sheet": tmp_path / "sheet.pdf", "save_ics": tmp_path / "maria.ics"})
    assert refused == SCHEDULE_REFUSED[role]
    assert len(operations) == 28
    assert chain_verifies(vault)


# -- staff, holidays, opening hours, SLA targets -----------------------------------------
def staff_operations(vault) -> dict[str, Operation]:
    """The Owner's staff members (Maria's account is this computer's), an absence and a
    holiday to remove; one call per public function of the staff area."""
    maria = staff.create_staff(vault, StaffDraft("Maria Rossi", os_user=audit.current_actor()))
    tomasz = staff.create_staff(vault, StaffDraft("Tomasz Nowak"))
    leaving = staff.create_staff(vault, StaffDraft("Lena Berg"))
    doomed = staff.create_staff(vault, StaffDraft("Otto Gone"))
    absence = staff.add_absence(vault, maria.id, "2026-12-21", "2026-12-22", "Course")
    holiday = sla.add_holiday(vault, date(2026, 12, 24), "Christmas Eve")

    def gone(call: Callable[[], object]) -> Callable[[], bool]:
        return lambda: call() is None

    return {
        "list_staff": (("staff.view",), lambda: len(staff.list_staff(vault)) == 4),
        "get_staff": (("staff.view",), lambda: staff.get_staff(vault, maria.id).id),
        "find_staff": (("staff.view",), lambda: staff.find_staff(vault, "maria rossi").id),
        "current_staff": (("staff.view",), lambda: staff.current_staff(vault) == maria),
        "is_off": (("staff.view",), lambda: staff.is_off(
            vault, maria.id, date(2026, 12, 12)) == staff.NOT_A_WORK_DAY),
        "list_absences": (("staff.view",), lambda: staff.list_absences(vault, maria.id)),
        "business_hours": (("staff.view",), lambda: sla.business_hours(vault).weekly_minutes),
        "calendar": (("staff.view",), lambda: sla.calendar(vault)),
        "list_holidays": (("staff.view",), lambda: sla.list_holidays(vault, 2026)),
        "policies": (("staff.view",), lambda: len(sla.policies(vault)) == 4),
        "office_zone": (("staff.view",),
                        lambda: office_time.office_zone(vault).key == "Europe/Berlin"),
        "create_staff": (("staff.create",), lambda: staff.create_staff(
            vault, StaffDraft("Nina Neu")).id),
        "add_holiday": (("staff.create",), lambda: sla.add_holiday(
            vault, date(2026, 12, 31), "New Year's Eve").id),
        "add_holidays": (("staff.create",), lambda: sla.add_holidays(
            vault, [(date(2027, 1, 1), "New Year")])),
        "update_staff": (("staff.edit",), lambda: staff.update_staff(
            vault, maria.id, replace(maria.draft(), colour="#3b82f6")).colour),
        "set_active": (("staff.edit",), lambda: not staff.set_active(
            vault, leaving.id, False).active),
        "add_absence": (("staff.edit",), lambda: staff.add_absence(
            vault, tomasz.id, date(2026, 12, 28), date(2026, 12, 30), "Holiday").id),
        "remove_absence": (("staff.edit",), gone(lambda: staff.remove_absence(
            vault, absence.id))),
        "set_business_hours": (("staff.edit",), lambda: sla.set_business_hours(
            vault, DEFAULT_HOURS) == DEFAULT_HOURS),
        "update_policy": (("staff.edit",), lambda: sla.update_policy(
            vault, "urgent", 30, 240).first_response_minutes == 30),
        "delete_staff": (("staff.delete",), lambda: staff.delete_staff(
            vault, doomed.id).deleted),
        "remove_holiday": (("staff.delete",), gone(lambda: sla.remove_holiday(
            vault, holiday.id))),
        "set_office_zone": (("settings",), lambda: office_time.set_office_zone(
            vault, "Europe/Vienna").key == "Europe/Vienna"),
    }


STAFF_WRITES = ["create_staff", "add_holiday", "add_holidays", "update_staff", "set_active",
                "add_absence", "remove_absence", "set_business_hours", "update_policy",
                "delete_staff", "remove_holiday"]
STAFF_REFUSED = {
    "owner": [], "admin": [], "manager": ["set_office_zone"],
    "staff": [*STAFF_WRITES, "set_office_zone"],
    "read_only": [*STAFF_WRITES, "set_office_zone"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_matrix_says_in_staff(vault, role):
    operations = staff_operations(vault)
    refused = run_matrix(vault, role, operations)
    assert refused == STAFF_REFUSED[role]
    assert len(operations) == 23
    assert chain_verifies(vault)


# -- the sentences, the audit trail, custom roles ---------------------------------------
def test_refusals_name_the_role_and_what_it_may_not_do(vault, company, maria):
    first = schedule.create_job(vault, job(company, assignee_id=maria.id), force=True)
    act_as_role(vault, "staff")
    with pytest.raises(PermissionDenied) as caught:
        schedule.delete_job(vault, first.id)
    assert str(caught.value) == "Your role (Staff) does not allow deleting jobs and appointments."
    with pytest.raises(PermissionDenied) as caught:
        staff.create_staff(vault, StaffDraft("Nina Neu"))
    assert str(caught.value) == "Your role (Staff) does not allow creating staff members."
    with pytest.raises(PermissionDenied) as caught:
        schedule_files.export_ics(vault, maria.id)
    assert str(caught.value) == "Your role (Staff) does not allow exporting data."
    act_as_role(vault, "read_only")
    with pytest.raises(PermissionDenied) as caught:
        schedule_files.day_sheet_pdf(vault, maria.id, date(2026, 12, 14))
    assert str(caught.value) == "Your role (Read-only) does not allow printing."
    with pytest.raises(PermissionDenied) as caught:
        canned_replies.save_canned(vault, "Thanks", "Thank you.")
    assert str(caught.value) == "Your role (Read-only) does not allow creating tickets."
    assert chain_verifies(vault)


def test_a_day_sheet_and_a_calendar_export_are_recorded_with_ids_only(vault, company, maria,
                                                                        tmp_path):
    schedule.create_job(vault, job(company, assignee_id=maria.id), force=True)
    manager = users.add_user(vault, "Maria Manager", BUILTIN_ROLE_IDS["manager"])
    permissions.act_as(vault, manager.id)
    schedule_files.save_day_sheet(vault, maria.id, date(2026, 12, 14), tmp_path / "d.pdf")
    schedule_files.save_ics(vault, maria.id, tmp_path / "m.ics")
    act_as_role(vault, "staff")
    with pytest.raises(PermissionDenied):
        schedule_files.save_ics(vault, maria.id, tmp_path / "refused.ics")
    vault.actor = None
    events = [(e.action, e.record_type, e.record_id, e.user_id)
              for e in audit.events_for_record(vault, "staff_member", maria.id)]
    assert events[:2] == [("schedule.ics_export", "staff_member", maria.id, manager.id),
                          ("schedule.day_sheet", "staff_member", maria.id, manager.id)]
    assert [e[0] for e in events[2:]] == ["staff.create"]
    assert not (tmp_path / "refused.ics").exists()
    assert audit.verify_chain(vault).ok


def test_office_hours_and_the_staff_list_are_read_by_whoever_views_tickets_or_jobs(vault):
    maria = staff.create_staff(vault, StaffDraft("Maria Rossi"))
    desk = users.create_role(vault, "Support desk", ["tickets.view", "tickets.edit"])
    books = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    helper = users.add_user(vault, "Hanna Help", desk.id)
    keeper = users.add_user(vault, "Petra Klein", books.id)

    permissions.act_as(vault, helper.id)
    assert [m.name for m in staff.list_staff(vault)] == ["Maria Rossi"]
    assert staff.get_staff(vault, maria.id).name == "Maria Rossi"
    assert office_time.office_zone(vault).key == "Europe/Berlin"
    assert sla.business_hours(vault) == DEFAULT_HOURS
    assert next(p.priority for p in sla.policies(vault)) == "urgent"
    assert sla.list_holidays(vault) == []
    with pytest.raises(PermissionDenied) as caught:
        staff.list_absences(vault)
    assert str(caught.value) == ("Your role (Support desk) does not allow viewing staff "
                                 "members.")
    with pytest.raises(PermissionDenied) as caught:
        support_mailbox.mailbox_password(vault, None)
    assert str(caught.value) == "Your role (Support desk) does not allow creating tickets."

    permissions.act_as(vault, keeper.id)
    for call in (lambda: staff.list_staff(vault), lambda: office_time.office_zone(vault),
                 lambda: sla.calendar(vault)):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert str(caught.value) == ("Your role (Bookkeeper) does not allow viewing staff "
                                     "members.")
    with pytest.raises(PermissionDenied) as caught:
        ticket_queues.list_tickets(vault)
    assert str(caught.value) == "Your role (Bookkeeper) does not allow viewing tickets."
    assert chain_verifies(vault)
