"""Opening a person in the detail pane is a sensitive read recorded in the audit trail
(with the user who opened it, once per opening, not on a refresh), and "Who saw or
changed this" lists the person's events for a role that may read the trail."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.services import audit, contacts, permissions, users
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.ui.person_detail import PersonDetail

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000


@pytest.fixture
def ada(vault):
    return contacts.create_person(vault, PersonDraft("Ada", "Lovelace", notes="Private."))


@pytest.fixture
def detail(qtbot, runner):
    pane = PersonDetail(runner)
    qtbot.addWidget(pane)
    pane.resize(640, 1400)
    pane.show()
    return pane


def opens(vault, person_id):
    return [e for e in audit.events_for_record(vault, "person", person_id)
            if e.action == "person.open"]


def history(pane):
    table = pane.history
    return [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]


def settled(qtbot, pane, person_id):
    qtbot.waitUntil(lambda: pane.record is not None and pane.record.id == person_id
                    and not pane.loading and not pane.history_loading, timeout=WAIT)


def test_opening_a_person_records_it_and_the_list_shows_who(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    settled(qtbot, detail, ada.id)
    opened = opens(vault, ada.id)
    assert [e.user_name for e in opened] == ["Owner"]
    assert detail.history_area.isVisible()
    rows = history(detail)
    assert [r[1:] for r in rows] == [["Owner", "Opened"], ["Owner", "Created"]]
    assert rows[0][0]  # when, in the locale
    assert not any("Lovelace" in cell or "Private" in cell for r in rows for cell in r)

    # A change refreshes the card and the list, but is not a new opening.
    contacts.update_person(vault, ada.id, PersonDraft("Ada", "King"))
    detail.show_record(vault, ada.id)
    qtbot.waitUntil(lambda: detail.name.text() == "Ada King", timeout=WAIT)
    qtbot.waitUntil(lambda: len(history(detail)) == 3, timeout=WAIT)
    assert [r[2] for r in history(detail)] == ["Changed", "Opened", "Created"]
    assert len(opens(vault, ada.id)) == 1
    assert audit.verify_chain(vault).ok


def test_each_opening_counts_and_names_the_user(qtbot, detail, vault, ada):
    manager = users.add_user(vault, "Mona Manager", BUILTIN_ROLE_IDS["manager"])
    bob = contacts.create_person(vault, PersonDraft("Bob", "Babbage"))
    permissions.act_as(vault, manager.id)
    detail.show_record(vault, ada.id)
    settled(qtbot, detail, ada.id)
    detail.show_record(vault, bob.id)
    settled(qtbot, detail, bob.id)
    detail.show_record(vault, ada.id)
    settled(qtbot, detail, ada.id)
    assert [e.user_name for e in opens(vault, ada.id)] == ["Mona Manager", "Mona Manager"]
    assert [r[1:] for r in history(detail)][:2] == [["Mona Manager", "Opened"]] * 2


def test_a_role_without_audit_view_opens_but_sees_no_history_or_erase(qtbot, detail, vault, ada):
    staff = users.add_user(vault, "Sam Staff", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, staff.id)
    detail.show_record(vault, ada.id)
    settled(qtbot, detail, ada.id)
    assert not detail.history_area.isVisible()
    # Staff may neither erase nor export a person: disabled, saying why.
    assert not detail.erase_button.isEnabled()
    assert detail.erase_button.toolTip() == (
        "Your role (Staff) does not allow erasing a person's data.")
    assert not detail.export_button.isEnabled()
    assert detail.export_button.toolTip() == "Your role (Staff) does not allow exporting data."
    assert detail.ask_erase() is None and detail.ask_export() is None
    vault.actor = None  # the Owner reads the trail
    assert [e.user_name for e in opens(vault, ada.id)] == ["Sam Staff"]


def test_clearing_forgets_the_history(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    settled(qtbot, detail, ada.id)
    detail.clear()
    assert detail.history.rowCount() == 0 and not detail.history_area.isVisible()
