"""The person pane on a real vault: the card, links, the timeline, tasks, attachments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crasme_desktop.services import attachments, contacts, timeline
from crasme_desktop.services.contacts import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.ui.person_detail import PersonDetail
from PySide6.QtCore import QLocale
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000


@pytest.fixture
def ada(vault):
    org = contacts.create_organization(vault, OrganizationDraft("Analytical Engines Ltd"))
    return contacts.create_person(vault, PersonDraft(
        "Ada", "Lovelace", job_title="Head of Mathematics", organization_id=org.id,
        emails=(EmailDraft("ada@engines.example", "work"),
                EmailDraft("ada@home.example", "home", primary=True)),
        phones=(PhoneDraft("+44 20 7946 0958", "mobile", True),),
        addresses=(AddressDraft("home", "10 Downing Lane", "W1 1AA", "London", "", "GB"),),
        tags=("vip", "newsletter"), owner="Grace", source="Conference 2025",
        notes="Prefers email.",
    ))


@pytest.fixture
def detail(qtbot, runner, tmp_path):
    chosen: dict[str, object] = {"open": [], "save": None}
    pane = PersonDetail(
        runner,
        choose_open_paths=lambda: list(chosen["open"]),
        choose_save_path=lambda suggested: chosen["save"],
    )
    pane.chosen = chosen
    qtbot.addWidget(pane)
    pane.resize(620, 1200)
    pane.show()
    return pane


def shown(qtbot, pane, record_id):
    qtbot.waitUntil(lambda: pane.record is not None and pane.record.id == record_id
                    and not pane.loading, timeout=WAIT)


def test_the_card_shows_every_field_with_links(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)

    assert detail.stack.currentWidget() is detail.scroll
    assert detail.name.text() == "Ada Lovelace"
    assert "Head of Mathematics at" in detail.work.text()
    assert "Analytical Engines Ltd" in detail.work.text()
    emails = detail.emails.text()
    assert 'href="mailto:ada@home.example"' in emails
    assert 'href="mailto:ada@engines.example"' in emails
    # The primary one is marked, on its own line.
    primary_line = next(line for line in emails.split("<br>") if "primary" in line)
    assert "ada@home.example" in primary_line
    phones = detail.phones.text()
    assert 'href="tel:+442079460958"' in phones
    assert "20 7946 0958" in phones  # formatted for reading, not E.164
    assert "+44 20 7946 0958" in detail.phones.toolTip()
    assert "United Kingdom" in detail.addresses.text()
    assert "W1 1AA London" in detail.addresses.text()
    assert detail.tags.tags == ("newsletter", "vip")
    assert detail.owner.text() == "Grace"
    assert detail.source.text() == "Conference 2025"
    assert detail.notes.text() == "Prefers email."
    assert detail.notes.isVisible() and not detail.nothing.isVisible()


def test_the_company_link_and_edit_button_emit_their_signals(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    href = next(part.split('"')[1] for part in detail.work.text().split("href=")[1:])
    with qtbot.waitSignal(detail.open_record, timeout=WAIT) as opened:
        detail.work.linkActivated.emit(href)
    assert opened.args == ["organization", ada.organization_id]
    with qtbot.waitSignal(detail.edit_requested, timeout=WAIT) as edit:
        click(qtbot, detail.edit_button)
    assert edit.args == [ada.id]


def test_a_person_without_details_says_so(qtbot, detail, vault):
    bare = contacts.create_person(vault, PersonDraft("Solo"))
    detail.show_record(vault, bare.id)
    shown(qtbot, detail, bare.id)
    assert detail.nothing.isVisible()
    assert not detail.work.isVisible()
    assert not detail.emails.isVisible() and not detail.tags.isVisible()


def test_notes_and_tasks_are_added_and_a_task_is_ticked_done(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    panel = detail.timeline
    assert panel.empty.isVisible()

    panel.quick_add.body.setPlainText("Keys are with the neighbour.")
    click(qtbot, panel.quick_add.add_button)
    qtbot.waitUntil(lambda: len(panel.entry_rows()) == 1, timeout=WAIT)
    assert panel.entry_rows()[0].body.text() == "Keys are with the neighbour."
    assert panel.quick_add.body.toPlainText() == ""  # the bar is ready for the next one

    click(qtbot, panel.quick_add.kind_buttons["task"])
    assert panel.quick_add.task_row.isVisible()
    panel.quick_add.subject.setText("Send the quote")
    panel.quick_add.remind.setChecked(True)
    click(qtbot, panel.quick_add.add_button)
    qtbot.waitUntil(lambda: len(panel.entry_rows()) == 2, timeout=WAIT)
    task_row = next(r for r in panel.entry_rows() if r.entry.kind == "task")
    assert task_row.entry.due_at is not None and task_row.entry.remind_at is not None
    assert "Due " in task_row.details.text() and "Reminder " in task_row.details.text()

    click(qtbot, task_row.done)
    qtbot.waitUntil(lambda: timeline.get_entry(vault, task_row.entry.id).done_at is not None,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: any(r.entry.done_at for r in panel.entry_rows()), timeout=WAIT)
    done_row = next(r for r in panel.entry_rows() if r.entry.kind == "task")
    assert done_row.done.isChecked() and "Done " in done_row.details.text()

    click(qtbot, done_row.done)  # and open again
    qtbot.waitUntil(lambda: timeline.get_entry(vault, task_row.entry.id).done_at is None,
                    timeout=WAIT)


def test_a_task_without_a_title_is_refused_in_one_sentence(qtbot, detail, vault, ada):
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    bar = detail.timeline.quick_add
    bar.set_kind("task")
    click(qtbot, bar.add_button)
    qtbot.waitUntil(lambda: bar.error.isVisible(), timeout=WAIT)
    assert bar.error.text() == "Give the task a title."
    assert timeline.person_timeline(vault, ada.id) == []


def test_a_file_is_attached_and_saved_back_out_byte_identical(qtbot, detail, vault, ada,
                                                              tmp_path):
    original = tmp_path / "scan 1.bin"
    original.write_bytes(bytes(range(256)) * 300 + b"\x00end")
    detail.chosen["open"] = [original]
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    panel = detail.timeline

    click(qtbot, panel.attach_button)
    qtbot.waitUntil(lambda: len(panel.attachment_rows()) == 1, timeout=WAIT)
    row = panel.attachment_rows()[0]
    assert row.info.filename == "scan 1.bin"
    assert panel.file_status.text() == "Attached scan 1.bin."

    target = tmp_path / "out" / "copy.bin"
    target.parent.mkdir()
    detail.chosen["save"] = target
    click(qtbot, row.save_button)
    qtbot.waitUntil(lambda: panel.file_status.text().startswith("Saved"), timeout=WAIT)
    assert panel.file_status.text() == f"Saved copy.bin to {target.parent}."
    assert target.read_bytes() == original.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["copy.bin"]  # no temp file left


def test_saving_into_a_missing_folder_says_so_under_the_files(qtbot, detail, vault, ada,
                                                              tmp_path):
    attachments.add_attachment(vault, filename="a.txt", data=b"hello", person_id=ada.id)
    detail.chosen["save"] = tmp_path / "gone" / "a.txt"
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    qtbot.waitUntil(lambda: len(detail.timeline.attachment_rows()) == 1, timeout=WAIT)
    click(qtbot, detail.timeline.attachment_rows()[0].save_button)
    qtbot.waitUntil(lambda: detail.timeline.file_error.isVisible(), timeout=WAIT)
    assert detail.timeline.file_error.text() == "The folder for “a.txt” does not exist any more."


def test_moving_quickly_through_people_shows_only_the_last(qtbot, detail, vault):
    people = [contacts.create_person(vault, PersonDraft(f"Person {i}")) for i in range(12)]
    painted: list[str] = []
    original = detail._show
    detail._show = lambda card: (painted.append(card.record.id), original(card))

    for person in people:
        detail.show_record(vault, person.id)
    shown(qtbot, detail, people[-1].id)

    assert painted == [people[-1].id]
    assert detail.name.text() == "Person 11"


def test_a_person_deleted_meanwhile_is_explained(qtbot, detail, vault, ada):
    contacts.delete_person(vault, ada.id)
    detail.show_record(vault, ada.id)
    qtbot.waitUntil(lambda: detail.stack.currentWidget() is detail.problem, timeout=WAIT)
    assert "no longer exists" in detail.problem.text.text()


def test_a_change_elsewhere_is_shown_and_clear_forgets_everything(qtbot, detail, vault,
                                                                  ada, runner):
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    draft = ada.draft()
    changed = type(draft)(**{**draft.__dict__, "job_title": "Countess"})
    runner.submit(contacts.update_person, vault, ada.id, changed, writes={"contacts"})
    qtbot.waitUntil(lambda: detail.work.text().startswith("Countess"), timeout=WAIT)

    detail.clear()
    assert detail.record is None and detail.name.text() == ""
    assert detail.stack.currentWidget() is detail.placeholder
    assert detail.timeline.entries == [] and detail.timeline.vault is None


@pytest.fixture
def german():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def test_timeline_dates_follow_the_locale(qtbot, detail, vault, ada, german):
    when = datetime(2025, 3, 9, 12, 0, tzinfo=UTC)
    timeline.add_call(vault, "Asked for a quote", person_id=ada.id, occurred_at=when)
    timeline.add_task(vault, "Call back", person_id=ada.id, occurred_at=when,
                      due_at=when + timedelta(days=1))
    detail.show_record(vault, ada.id)
    shown(qtbot, detail, ada.id)
    rows = detail.timeline.entry_rows()
    assert len(rows) == 2
    dates = [r.findChild(type(detail.name), "entryDate").text() for r in rows]
    assert all(d.startswith("09.03.25") for d in dates), dates
    task = next(r for r in rows if r.entry.kind == "task")
    assert "10.03.25" in task.details.text()
