"""The Contacts page on a real vault: batches fetched as rows scroll into view,
filters and sorting in SQL, saved views, keyboard navigation, show_person, export."""

from __future__ import annotations

import pytest
from crasme_desktop.formats.vcard import read_vcards
from crasme_desktop.services import contacts, demo
from crasme_desktop.services.contacts import EmailDraft, PersonDraft
from crasme_desktop.ui.list_model import LOADING
from crasme_desktop.ui.pages.contacts import ContactsPage
from PySide6.QtCore import Qt
from tests.gui.lists_support import WAIT, opened_vault, shown_names, shown_page, wait_loaded


@pytest.fixture
def vault(make_vault):
    with opened_vault(make_vault) as opened:
        yield opened


@pytest.fixture
def page(qtbot, vault):
    with shown_page(qtbot, ContactsPage) as made:
        yield made


def person(vault, given, family, *, tags=(), owner="", email=""):
    draft = PersonDraft(given, family, tags=tuple(tags), owner=owner,
                        emails=(EmailDraft(email),) if email else ())
    return contacts.create_person(vault, draft)


def test_rows_are_fetched_in_batches_as_they_scroll_into_view(qtbot, vault, page):
    demo.fill_demo(vault, contacts=1200)
    page.attach(vault)
    wait_loaded(qtbot, page, 1200)
    qtbot.waitUntil(lambda: page.model.record_at(0) is not None, timeout=WAIT)
    assert page.model.record_at(1100) is None  # far below the view: not read yet
    assert page.count.text() == "1,200 people"
    before = page.model.batches_requested

    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.record_at(1199) is not None, timeout=WAIT)

    assert page.model.batches_requested > before
    assert page.model.record_at(600) is None  # jumped over: never read
    assert page.model.cached <= 600
    names = [page.model.record_at(r).display_name for r in range(0, 20)]
    keys = [n.casefold() for n in names]
    assert keys == sorted(keys) or len(set(keys)) < len(keys)


def test_a_row_shows_loading_until_its_batch_arrives(qtbot, vault, page):
    demo.fill_demo(vault, contacts=400)
    page.attach(vault)
    wait_loaded(qtbot, page, 400)
    page.model.set_ids(page.model.ids)  # as after a refresh: same ids, rows kept but stale
    assert page.model.index(0, 0).data() != LOADING
    page.model.clear()
    assert page.model.rowCount() == 0 and page.model.cached == 0


def test_filters_and_header_sorting_run_in_sql(qtbot, vault, page):
    person(vault, "Ada", "Lovelace", tags=("VIP",), owner="anna")
    person(vault, "Émile", "Zola", tags=("VIP",), owner="ben")
    person(vault, "Bob", "Builder", owner="anna")
    page.attach(vault)
    wait_loaded(qtbot, page, 3)
    qtbot.waitUntil(lambda: page.filter_bar.tag.count() == 2, timeout=WAIT)
    assert shown_names(page, range(3)) == ["Ada Lovelace", "Bob Builder", "Émile Zola"]

    page.filter_bar.tag.setCurrentIndex(page.filter_bar.tag.findText("VIP"))
    page.filter_bar.tag.activated.emit(page.filter_bar.tag.currentIndex())
    wait_loaded(qtbot, page, 2)
    qtbot.waitUntil(lambda: page.model.record_at(1) is not None, timeout=WAIT)
    assert shown_names(page, range(2)) == ["Ada Lovelace", "Émile Zola"]

    owner = page.filter_bar.owner
    owner.setCurrentIndex(owner.findText("anna"))
    owner.activated.emit(owner.currentIndex())
    wait_loaded(qtbot, page, 1)

    page.filter_bar.clear_button.click()
    wait_loaded(qtbot, page, 3)
    header = page.table.horizontalHeader()
    page._header_clicked(0)  # Name again: descending
    qtbot.waitUntil(lambda: page.model.complete and page.model.record_at(2) is not None
                    and page.model.record_at(0).display_name == "Émile Zola", timeout=WAIT)
    assert shown_names(page, range(3)) == ["Émile Zola", "Bob Builder", "Ada Lovelace"]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert page.spec.sort == "name" and page.spec.descending


def test_a_saved_view_keeps_filters_and_sort_and_can_be_renamed_and_deleted(
        qtbot, vault, page):
    person(vault, "Ada", "Lovelace", tags=("VIP",))
    person(vault, "Bob", "Builder")
    page.attach(vault)
    wait_loaded(qtbot, page, 2)
    qtbot.waitUntil(lambda: page.filter_bar.tag.count() == 2, timeout=WAIT)
    page.filter_bar.tag.setCurrentIndex(1)
    page.filter_bar.tag.activated.emit(1)
    wait_loaded(qtbot, page, 1)

    page.answers.text = "Important"
    page.save_view()
    qtbot.waitUntil(lambda: page.views.currentText() == "Important", timeout=WAIT)

    page.views.setCurrentIndex(0)
    page.views.activated.emit(0)
    wait_loaded(qtbot, page, 2)
    assert page.filter_bar.tag.currentIndex() == 0

    index = page.views.findText("Important")
    page.views.setCurrentIndex(index)
    page.views.activated.emit(index)
    wait_loaded(qtbot, page, 1)
    assert page.filter_bar.tag.currentText() == "VIP"

    page.answers.text = "Very important"
    page.rename_view()
    qtbot.waitUntil(lambda: page.views.currentText() == "Very important", timeout=WAIT)

    page.delete_view()
    qtbot.waitUntil(lambda: page.views.count() == 1, timeout=WAIT)
    assert "Very important" in page.answers.questions[-1]


def test_keyboard_moves_through_the_list_and_updates_the_detail_pane(qtbot, vault, page):
    for i in range(30):
        person(vault, f"Person{i:02d}", "Test")
    page.attach(vault)
    wait_loaded(qtbot, page, 30)
    qtbot.waitUntil(lambda: page.shown_id is not None, timeout=WAIT)
    page.table.setFocus()

    def at(row):
        return page.model.record_at(row)

    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page.shown_id == at(1).id, timeout=WAIT)
    qtbot.keyClick(page.table, Qt.Key.Key_End)
    assert page.table.currentIndex().row() == 29
    qtbot.waitUntil(lambda: page.shown_id == at(29).id, timeout=WAIT)
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    assert page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_PageDown)
    assert page.table.currentIndex().row() > 1
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: page.shown_id == at(0).id, timeout=WAIT)

    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.dialog is not None and page.dialog.isVisible()
    page.dialog.close()

    first = at(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.answers.questions[-1].startswith(f"Delete “{first.display_name}”?")
    wait_loaded(qtbot, page, 29)
    with pytest.raises(contacts.NotFound):
        contacts.get_person(vault, first.id)


def test_declining_the_delete_question_keeps_the_person(qtbot, vault, page):
    kept = person(vault, "Ada", "Lovelace")
    page.attach(vault)
    wait_loaded(qtbot, page, 1)
    qtbot.waitUntil(lambda: page.current_record() is not None, timeout=WAIT)
    page.answers.confirm = False
    page.delete_current()
    assert page.answers.questions == ["Delete “Ada Lovelace”? Their emails, phones, "
                                      "addresses, timeline and attachments are deleted too."]
    qtbot.wait(200)
    assert contacts.get_person(vault, kept.id).display_name == "Ada Lovelace"


def test_show_person_clears_filters_that_hide_the_person(qtbot, vault, page):
    person(vault, "Ada", "Lovelace", tags=("VIP",))
    for i in range(250):
        person(vault, f"Zed{i:03d}", "Filler") if i % 50 else None
    hidden = person(vault, "Zoe", "Zimmer")
    page.attach(vault)
    qtbot.waitUntil(lambda: page.model.complete, timeout=WAIT)
    page.set_spec(page.spec.__class__(tags=("VIP",)))
    wait_loaded(qtbot, page, 1)

    page.show_person(hidden.id)

    qtbot.waitUntil(lambda: page.current_record() is not None
                    and page.current_record().id == hidden.id, timeout=WAIT)
    assert not page.spec.filtered
    assert page.filter_bar.tag.currentIndex() == 0
    qtbot.waitUntil(lambda: page.shown_id == hidden.id, timeout=WAIT)


def test_refresh_after_a_write_keeps_the_selected_person(qtbot, vault, page):
    for i in range(50):
        person(vault, f"P{i:02d}", "Kept")
    page.attach(vault)
    wait_loaded(qtbot, page, 50)
    qtbot.waitUntil(lambda: page.model.record_at(20) is not None, timeout=WAIT)
    page._select_row(20)
    chosen = page.current_record().id
    person(vault, "A", "Before everyone")
    page.on_changed(frozenset({"contacts"}))
    wait_loaded(qtbot, page, 51)
    qtbot.waitUntil(lambda: page.current_record() is not None, timeout=WAIT)
    assert page.current_record().id == chosen
    assert page.table.currentIndex().row() == 21


def test_export_of_the_selection_as_vcard(qtbot, vault, page, tmp_path):
    for given in ("Ada", "Bob", "Cyd", "Dee"):
        person(vault, given, "Export", email=f"{given.lower()}@example.com")
    page.attach(vault)
    wait_loaded(qtbot, page, 4)
    page.table.selectRow(1)
    page.table.selectionModel().select(
        page.model.index(2, 0),
        page.table.selectionModel().SelectionFlag.Select
        | page.table.selectionModel().SelectionFlag.Rows)
    target = tmp_path / "chosen.vcf"
    page.answers.export = ("selection", "vcard")
    page.answers.save_path = str(target)

    page.export()

    qtbot.waitUntil(target.exists, timeout=WAIT)
    assert page.answers.export_asked == [(4, 2, ("csv", "vcard"))]
    records = read_vcards(target.read_bytes()).records
    assert [(r.display_name, r.emails) for r in records] == [
        ("Bob Export", (("work", "bob@example.com"),)),
        ("Cyd Export", (("work", "cyd@example.com"),)),
    ]
    qtbot.waitUntil(lambda: "Exported 2 people" in page.count.text(), timeout=WAIT)


def test_lock_drops_every_row(qtbot, vault, page):
    person(vault, "Ada", "Lovelace", tags=("VIP",))
    page.attach(vault)
    wait_loaded(qtbot, page, 1)
    qtbot.waitUntil(lambda: page.filter_bar.tag.count() == 2, timeout=WAIT)
    page.clear()
    assert page.model.rowCount() == 0 and page.model.cached == 0
    assert page.filter_bar.tag.count() == 1 and page.shown_id is None


def test_a_person_made_with_ctrl_n_is_selected_and_shown(qtbot, vault, page):
    for i in range(40):
        person(vault, f"Filler{i:02d}", "Aaron")
    page.attach(vault)
    wait_loaded(qtbot, page, 40)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.dialog
    assert editor is not None and editor.isVisible()
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=WAIT)
    editor.given.setText("Zora")
    editor.family.setText("Zylinski")
    editor.save()
    qtbot.waitUntil(lambda: page.current_record() is not None
                    and page.current_record().display_name == "Zora Zylinski", timeout=WAIT)
    assert page.table.currentIndex().row() == 40  # last in name order, and scrolled to
    qtbot.waitUntil(lambda: page.shown_id == page.current_record().id, timeout=WAIT)


def test_the_detail_pane_opens_the_merge_dialog_and_the_kept_person_stays_selected(
    qtbot, vault, page
):
    keep = person(vault, "Ada", "Lovelace", email="ada@example.org")
    other = person(vault, "Ada", "King", email="ADA@example.org")
    page.attach(vault)
    wait_loaded(qtbot, page, 2)
    page.show_person(keep.id)
    qtbot.waitUntil(lambda: page.shown_id == keep.id, timeout=WAIT)
    panel = page.detail.duplicates
    qtbot.waitUntil(lambda: [m.person_id for m in panel.matches] == [other.id], timeout=WAIT)

    page.detail.merge_requested.emit("person", keep.id, other.id)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert (dialog.keep_id, dialog.other_id) == (keep.id, other.id)
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=WAIT)
    dialog.merge_button.click()
    wait_loaded(qtbot, page, 1)
    qtbot.waitUntil(lambda: page.current_record() is not None
                    and page.current_record().id == keep.id, timeout=WAIT)
    with pytest.raises(contacts.NotFound):
        contacts.get_person(vault, other.id)
