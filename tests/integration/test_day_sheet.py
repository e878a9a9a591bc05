"""The printable day sheet on a real vault, read back with pdftotext: the person and the
date in the business's locale, jobs in visiting order with window, customer, phone,
address and notes, cancelled jobs left out, other people's jobs left out, many jobs over
several pages, and a day with none."""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from crasme_desktop.services import business, schedule, schedule_files
from tests.support.schedule_data import at, job

pytest_plugins = ("tests.support.schedule_fixtures",)  # company, ada, maria, tomasz

MONDAY = date(2026, 12, 14)


@pytest.fixture
def vault(office_vault):
    return office_vault


def text_of(pdftotext: str, path: Path) -> str:
    raw = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return unicodedata.normalize("NFKC", raw).replace("\u202f", " ").replace("\xa0", " ")


def pages_of(pdftotext: str, path: Path) -> list[str]:
    return text_of(pdftotext, path).split("\f")


def test_the_sheet_lists_the_day_in_visiting_order(vault, pdftotext, tmp_path, company,
                                                   ada, maria, tomasz):
    late = schedule.create_job(vault, job(company, title="Radiator check",
                                          start=at(14, 13), assignee_id=maria.id,
                                          notes="Key at the neighbour's"))
    early = schedule.create_job(vault, job(ada, organization_id=None, title="Kitchen tap",
                                           start=at(14, 8), hours=2, duration=45,
                                           assignee_id=maria.id))
    gone = schedule.create_job(vault, job(company, title="Called off", start=at(14, 10),
                                          assignee_id=maria.id), force=True)
    schedule.cancel_job(vault, gone.id)
    schedule.create_job(vault, job(company, title="Tomasz's visit", start=at(15, 9),
                                   assignee_id=tomasz.id))
    path = schedule_files.save_day_sheet(vault, maria.id, MONDAY, tmp_path / "sheet.pdf")
    text = text_of(pdftotext, path)
    assert "Maria Rossi" in text and "Day sheet" in text and "Rossi Haustechnik" in text
    assert "Monday, 14 December 2026" in text  # the business's locale is en_GB
    assert "2 visits" in text
    assert text.index(f"Job {early.number}: Kitchen tap") < text.index(
        f"Job {late.number}: Radiator check")
    assert "Called off" not in text and "Tomasz" not in text
    assert "08:00 – 08:45" in text and "Window" in text and "08:00 – 10:00" in text
    assert "Ada Lovelace" in text and "030 9876543" in text  # national style at home
    assert "Gartenweg 5" in text and "14467 Potsdam" in text
    assert "Kühnemann Bau" in text and "Friedrichstraße 123" in text
    assert "Key at the neighbour's" in text
    assert text.count("Notes from the field") == 2
    assert "Page 1 of 1" in text and "Europe/Berlin" in text


def test_the_date_follows_the_business_locale(vault, pdftotext, tmp_path, company, maria):
    settings = business.get_business(vault)
    business.save_business(vault, replace(settings, locale="de_DE"))
    schedule.create_job(vault, job(company, assignee_id=maria.id))
    data = schedule_files.day_sheet_pdf(vault, maria.id, MONDAY)
    path = tmp_path / "de.pdf"
    path.write_bytes(data)
    text = text_of(pdftotext, path)
    assert "Montag, 14. Dezember 2026" in text
    assert "09:00 – 10:30" in text


def test_many_jobs_run_over_pages_without_splitting_one(vault, pdftotext, tmp_path, company,
                                                       maria):
    for n in range(9):
        schedule.create_job(vault, job(company, title=f"Visit {n + 1}",
                                       start=at(14, 8, 0) if n == 0 else at(14, 8 + n // 2,
                                                                             30 * (n % 2)),
                                       duration=20, assignee_id=maria.id), force=True)
    path = schedule_files.save_day_sheet(vault, maria.id, MONDAY, tmp_path / "many.pdf")
    pages = [p for p in pages_of(pdftotext, path) if p.strip()]
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    for n in range(9):
        holding = [i for i, page in enumerate(pages) if f"Visit {n + 1}\n" in page + "\n"
                   or f"Visit {n + 1} " in page]
        assert len(holding) == 1, n  # one block, one page
    every = "".join(pages)
    assert [int(x) for x in (every.split("Visit ")[i].split()[0] for i in range(1, 10))] == \
        list(range(1, 10))


def test_a_day_without_jobs(vault, pdftotext, tmp_path, maria):
    path = schedule_files.save_day_sheet(vault, maria.id, MONDAY, tmp_path / "empty.pdf")
    text = text_of(pdftotext, path)
    assert "No visits are planned for this day." in text and "0 visits" in text


def test_a_sheet_that_cannot_be_saved_says_so(vault, tmp_path, maria):
    with pytest.raises(schedule.UserError, match="does not exist any more"):
        schedule_files.save_day_sheet(vault, maria.id, MONDAY,
                                      tmp_path / "gone" / "sheet.pdf")
