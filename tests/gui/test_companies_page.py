"""The Companies page on a real vault: the list in batches, filters and sorting,
a saved view, keyboard navigation, show_organization and CSV export."""

from __future__ import annotations

import pytest
from crasme_desktop.formats.csv_contacts import read_csv
from crasme_desktop.services import contacts, demo
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.ui.pages.companies import CompaniesPage
from PySide6.QtCore import Qt
from tests.gui.lists_support import WAIT, opened_vault, shown_names, shown_page, wait_loaded


@pytest.fixture
def vault(make_vault):
    with opened_vault(make_vault) as opened:
        yield opened


@pytest.fixture
def page(qtbot, vault):
    with shown_page(qtbot, CompaniesPage) as made:
        yield made


def company(vault, name, **fields):
    return contacts.create_organization(vault, OrganizationDraft(name, **fields))


def test_companies_scroll_in_batches(qtbot, vault, page):
    demo.fill_demo(vault, contacts=4000)  # 500 companies
    page.attach(vault)
    wait_loaded(qtbot, page, 500)
    qtbot.waitUntil(lambda: page.model.record_at(0) is not None, timeout=WAIT)
    assert page.count.text() == "500 companies"
    assert page.model.record_at(450) is None
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.record_at(499) is not None, timeout=WAIT)
    assert page.model.record_at(250) is None


def test_filter_sort_and_saved_view(qtbot, vault, page):
    acme = company(vault, "Acme", owner="anna", tags=("Key",))
    company(vault, "Beta", owner="ben")
    company(vault, "Ökö Bau", tags=("Key",))
    contacts.create_person(vault, PersonDraft("Ada", "Lovelace", organization_id=acme.id))
    page.attach(vault)
    wait_loaded(qtbot, page, 3)
    qtbot.waitUntil(lambda: page.model.record_at(2) is not None, timeout=WAIT)
    assert shown_names(page, range(3)) == ["Acme", "Beta", "Ökö Bau"]
    assert page.model.index(0, 1).data() == "1"  # people at Acme
    assert page.filter_bar.company is None  # companies have no company filter

    qtbot.waitUntil(lambda: page.filter_bar.tag.count() == 2, timeout=WAIT)
    page.filter_bar.tag.setCurrentIndex(1)
    page.filter_bar.tag.activated.emit(1)
    wait_loaded(qtbot, page, 2)
    page._header_clicked(0)
    qtbot.waitUntil(lambda: page.model.complete and page.model.record_at(0) is not None
                    and page.model.record_at(0).name == "Ökö Bau", timeout=WAIT)

    page.answers.text = "Key accounts"
    page.save_view()
    qtbot.waitUntil(lambda: page.views.currentText() == "Key accounts", timeout=WAIT)
    page.views.setCurrentIndex(0)
    page.views.activated.emit(0)
    wait_loaded(qtbot, page, 3)
    index = page.views.findText("Key accounts")
    page.views.activated.emit(index)
    wait_loaded(qtbot, page, 2)
    assert page.spec.descending and page.spec.tags == ("Key",)


def test_keyboard_show_organization_delete_and_export(qtbot, vault, page, tmp_path):
    made = [company(vault, f"Company {i:02d}", website=f"c{i}.example.com") for i in range(12)]
    page.attach(vault)
    wait_loaded(qtbot, page, 12)
    qtbot.waitUntil(lambda: page.shown_id == made[0].id, timeout=WAIT)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: page.shown_id == made[11].id, timeout=WAIT)
    qtbot.keyClick(page.table, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: page.shown_id == made[10].id, timeout=WAIT)

    page.set_spec(page.spec.__class__(owner="nobody"))
    wait_loaded(qtbot, page, 0)
    page.show_organization(made[5].id)
    qtbot.waitUntil(lambda: page.current_record() is not None
                    and page.current_record().id == made[5].id, timeout=WAIT)
    assert page.spec.owner is None

    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.answers.questions[-1].startswith("Delete “Company 05”?")
    wait_loaded(qtbot, page, 11)

    target = tmp_path / "companies.csv"
    page.answers.export = ("list", "csv")
    page.answers.save_path = str(target)
    page.export()
    qtbot.waitUntil(target.exists, timeout=WAIT)
    assert page.answers.export_asked[-1] == (11, 1, ("csv",))
    records = read_csv(target.read_bytes()).records
    assert [r.organization for r in records] == [c.name for i, c in enumerate(made) if i != 5]
    assert records[0].website == "https://c0.example.com"
