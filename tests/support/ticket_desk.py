"""Fixtures for the Tickets page's GUI tests: a real vault on a fake clock (Monday
2 March 2026, 09:00 in an office kept in UTC), two customers, two staff members (one
of them this computer's account) and the page on a real task runner.

Test modules use them with `pytest_plugins = ("tests.support.ticket_desk",)`; the
helpers that go with them are in tests/support/ticket_helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from crasme_desktop.domain.clock import FakeClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def desk_clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def vault(make_vault: Any, keychain: Any, desk_clock: FakeClock) -> Iterator[Any]:
    from crasme_desktop.services import office_time
    from crasme_desktop.vault import open_vault

    created = make_vault(passphrase=PASSPHRASE)
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False,
                    keychain=keychain, clock=desk_clock) as opened:
        office_time.set_office_zone(opened, "UTC")
        yield opened


@pytest.fixture
def people(vault: Any) -> list[Any]:
    from crasme_desktop.services import contacts
    from crasme_desktop.services.contacts import EmailDraft, OrganizationDraft, PersonDraft

    acme = contacts.create_organization(vault, OrganizationDraft(name="Acme Plumbing"))
    return [
        contacts.create_person(vault, PersonDraft(
            given_name="Ada", family_name="Lovelace", organization_id=acme.id,
            emails=(EmailDraft(address="ada@example.org"),))),
        contacts.create_person(vault, PersonDraft(
            given_name="Bob", family_name="Builder",
            emails=(EmailDraft(address="bob@example.org"),))),
    ]


@pytest.fixture
def staff_members(vault: Any) -> list[Any]:
    from crasme_desktop.services import audit, staff

    return [staff.create_staff(vault, staff.StaffDraft(name="Me Myself",
                                                       email="me@example.com",
                                                       os_user=audit.current_actor())),
            staff.create_staff(vault, staff.StaffDraft(name="Sam Other"))]


@pytest.fixture
def tasks(qtbot: Any, vault: Any) -> Iterator[Any]:
    from crasme_desktop.ui.tasks import TaskRunner

    crashes: list[BaseException] = []
    shown: list[Any] = []
    runner = TaskRunner(report_crash=crashes.append, show_error=shown.append,
                        progress_delay_ms=0)
    runner.shown_errors = shown  # type: ignore[attr-defined]
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    assert not crashes, f"unexpected bugs reported: {crashes!r}"


@pytest.fixture
def page(qtbot: Any, vault: Any, tasks: Any) -> Iterator[Any]:
    from crasme_desktop.ui.pages.tickets import TicketsPage
    from PySide6.QtCore import QLocale

    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    shown = TicketsPage(tasks)
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1500, 900)
    shown.show()
    yield shown
    shown.clear()
    QLocale.setDefault(usual)
