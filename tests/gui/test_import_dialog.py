"""The import wizard driven like a person would: a real CSV and a real vCard into a
real vault, through the task runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from crasme_desktop.ui.import_dialog import ImportDialog, PlanRowsModel, describe_column
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import Qt
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
WAIT = 20_000


@pytest.fixture
def vault(make_vault, keychain):
    from crasme_desktop.services import contacts
    from crasme_desktop.vault import open_vault

    created = make_vault()
    with open_vault(created.path, keychain=keychain, passphrase=PASSPHRASE) as opened:
        contacts.set_office_region(opened, "DE")
        yield opened


@pytest.fixture
def tasks(qtbot, crashes):
    runner = TaskRunner(report_crash=crashes.report, progress_delay_ms=10_000)
    yield runner
    runner.wait(WAIT)
    assert not crashes.reports, crashes.reports


def people(vault) -> list[str]:
    from crasme_desktop.services import contacts

    return sorted(p.display_name for p in contacts.list_people(vault))


def open_dialog(qtbot, tasks, vault, path: Path) -> ImportDialog:
    dialog = ImportDialog(tasks, vault, choose_file=lambda: path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    click(qtbot, dialog.choose_button)
    return dialog


def test_csv_through_mapping_preview_and_import(qtbot, tasks, vault):
    changed = []
    tasks.changed.connect(changed.append)
    dialog = open_dialog(qtbot, tasks, vault, DATA / "google-contacts.csv")

    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.MAPPING, timeout=WAIT)
    assert dialog.preset_combo.currentText() == "Google Contacts"
    headers = dialog.info.headers
    first = headers.index("First Name")
    assert dialog.combos[first].currentText() == "First name"
    assert "Amélie" in dialog.mapping_table.item(first, 1).text()
    # Leave out the notes column: the people then come without notes.
    notes = headers.index("Notes")
    dialog.combos[notes].setCurrentIndex(0)

    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.PREVIEW, timeout=WAIT)
    model = dialog.rows_model
    assert model.rowCount() == 5
    assert "4 new people" in dialog.counts_label.text()
    assert model.index(4, 1).data() == "Skip"
    assert model.index(4, 5).data().startswith("Line 11")
    dialog.filter_combo.setCurrentIndex(3)  # skipped only
    assert model.rowCount() == 1
    dialog.filter_combo.setCurrentIndex(0)
    assert people(vault) == []  # nothing written before Import

    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.DONE, timeout=WAIT)
    assert "4 new people added" in dialog.summary_label.text()
    assert changed == [frozenset({"contacts", "organizations"})]
    assert people(vault) == sorted(["Amélie Durand", "佐藤健", "Layla Haddad",
                                    "Jonas Peter Müller"])
    from crasme_desktop.services import contacts

    amelie = contacts.get_person(vault, _id_of(vault, "Amélie Durand"))
    assert "Mondays" not in amelie.notes  # the notes column was left out
    assert "Birthday: 1984-07-21" in amelie.notes


def _id_of(vault, name: str) -> str:
    from crasme_desktop.services import contacts

    return next(p.id for p in contacts.list_people(vault) if p.display_name == name)


def test_vcard_goes_straight_to_the_preview_and_imports_by_keyboard(qtbot, tasks, vault):
    dialog = open_dialog(qtbot, tasks, vault, DATA / "iphone-3.0.vcf")

    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.PREVIEW, timeout=WAIT)
    assert dialog.rows_model.rowCount() == 3
    assert dialog.import_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # &Import
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.DONE, timeout=WAIT)
    assert people(vault) == ["María José García López", "Nguyễn Thị Hoa"]

    # The same file again: everyone is there already, so there is nothing to import.
    again = open_dialog(qtbot, tasks, vault, DATA / "iphone-3.0.vcf")
    qtbot.waitUntil(lambda: again.pages.currentIndex() == again.PREVIEW, timeout=WAIT)
    assert not again.import_button.isEnabled()
    assert "already in the vault" in again.rows_model.index(0, 5).data()


def test_a_bad_file_shows_one_sentence_and_stays_on_the_first_step(qtbot, tasks, vault,
                                                                  tmp_path):
    bad = tmp_path / "workbook.csv"
    bad.write_bytes(b"PK\x03\x04 not a csv at all")
    dialog = open_dialog(qtbot, tasks, vault, bad)

    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "Excel" in dialog.error.text()
    assert dialog.pages.currentIndex() == dialog.CHOOSE
    assert dialog.choose_button.isEnabled()


def test_cancelling_the_import_changes_nothing(qtbot, tasks, vault, tmp_path, monkeypatch):
    from crasme_desktop.services import importing

    path = tmp_path / "many.csv"
    path.write_text("Name,Email\n" + "".join(f"P {i},p{i}@example.org\n" for i in range(50)),
                    encoding="utf-8")
    dialog = open_dialog(qtbot, tasks, vault, path)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.MAPPING, timeout=WAIT)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == dialog.PREVIEW, timeout=WAIT)

    real_write = importing._Writer.write

    def write_then_cancel(self, targets):
        real_write(self, targets)
        self.progress.cancel()  # as the Cancel button of the progress dialog does

    monkeypatch.setattr(importing._Writer, "write", write_then_cancel)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "nothing was changed" in dialog.error.text()
    assert dialog.pages.currentIndex() == dialog.PREVIEW
    assert people(vault) == []


def test_plan_rows_model_passes_the_model_tester(qtmodeltester):
    from crasme_desktop.services.importing import RowPlan

    model = PlanRowsModel()
    model.set_rows((RowPlan(2, "create", "Ann", "Line 2: “Ann” is new."),
                    RowPlan(3, "skip", "", "Line 3 has no name; it was skipped.")))
    qtmodeltester.check(model)
    model.set_action("skip")
    assert model.rowCount() == 1


def test_columns_are_described_in_words():
    from crasme_desktop.formats.csv_contacts import Column

    assert describe_column(None) == "Leave out"
    assert describe_column(Column("email", 2, "type")) == "Email 2 type"
    assert describe_column(Column("phone", 3, label="mobile")) == "Phone 3 (mobile)"
    assert describe_column(Column("address", 1, "postal_code")) == "Address 1 postal code"
