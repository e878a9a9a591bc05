"""`crasme schedule ics-export|ics-import|day-sheet` in a subprocess on a real vault:
files written, an import reported, and wrong names, dates and files refused with one
sentence and exit code 3 (2 for a date argparse refuses)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from crasme_desktop.domain.errors import ExitCode
from crasme_desktop.services import business, contacts, office_time, schedule, staff
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.schedule import JobDraft
from crasme_desktop.services.staff import StaffDraft
from crasme_desktop.vault import open_vault
from icalendar import Calendar
from tests.support.cli_runner import Crasme, one_sentence
from tests.support.required import unavailable
from tests.support.schedule_data import SELLER


@pytest.fixture
def planned(created, keychain):
    """Maria Rossi with one job on Monday 14 December 2026 at 09:00 (Berlin)."""
    with open_vault(created.path, keychain=keychain) as vault:
        office_time.set_office_zone(vault, "Europe/Berlin")
        business.save_business(vault, SELLER)
        maria = staff.create_staff(vault, StaffDraft("Maria Rossi"))
        org = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
        start = datetime(2026, 12, 14, 9, 0)
        made = schedule.create_job(vault, JobDraft(
            "Boiler service", start, start + timedelta(hours=3), duration_minutes=90,
            organization_id=org.id, assignee_id=maria.id, site_address="Lindenallee 9"))
    return created.path, made


def test_export_import_and_day_sheet(tmp_path, planned):
    vault, made = planned
    crasme = Crasme(cwd=tmp_path)
    out = tmp_path / "maria.ics"
    report = json.loads(crasme.ok("schedule", "ics-export", "--vault", vault,
                                  "--staff", "maria rossi", "--out", out, "--json").stdout)
    assert report["path"] == str(out) and report["staff"] == "Maria Rossi"
    [event] = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == made.ics_uid
    assert event.start == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)

    invite = tmp_path / "invite.ics"
    invite.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:fair@example.org\r\nSUMMARY:Trade fair\r\n"
        b"DTSTART;TZID=Europe/London:20261215T090000\r\nDURATION:PT2H\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    said = crasme.ok("schedule", "ics-import", "--vault", vault, "--file", invite,
                     "--staff", "Maria Rossi")
    assert said.stdout.strip() == "Maria Rossi: 1 appointment added."
    again = json.loads(crasme.ok("schedule", "ics-import", "--vault", vault, "--file", invite,
                                 "--staff", "Maria Rossi", "--json").stdout)
    assert (again["created"], again["updated"]) == (0, 1)

    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is not installed")
    pdf = tmp_path / "sheet.pdf"
    said = crasme.ok("schedule", "day-sheet", "--vault", vault, "--staff", "Maria Rossi",
                     "--day", "2026-12-14", "--out", pdf)
    assert str(pdf) in said.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Boiler service" in text and "Lindenallee 9" in text


def test_mistakes_are_one_sentence(tmp_path, planned):
    vault, _made = planned
    crasme = Crasme(cwd=tmp_path)
    nobody = crasme("schedule", "ics-export", "--vault", vault, "--staff", "Nobody",
                    "--out", tmp_path / "x.ics")
    assert nobody.returncode == ExitCode.USER_ERROR
    assert "No staff member is called “Nobody”" in one_sentence(nobody.stderr)
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nthis is no calendar\n")
    refused = crasme("schedule", "ics-import", "--vault", vault, "--file", broken,
                     "--staff", "Maria Rossi")
    assert refused.returncode == ExitCode.USER_ERROR
    assert "nothing was imported" in one_sentence(refused.stderr)
    bad_day = crasme("schedule", "day-sheet", "--vault", vault, "--staff", "Maria Rossi",
                     "--day", "14.12.2026", "--out", tmp_path / "x.pdf")
    assert bad_day.returncode == ExitCode.USAGE
    assert "is not a date such as 2026-12-14" in bad_day.stderr
