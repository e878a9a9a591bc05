"""The erase dialogs on a real vault, with real Qt: the preview in two lists, the typed
confirmation that enables Erase, blockers, the result, and erase everything."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.services import contacts, invoices
from crasme_desktop.services.invoices import PaymentDraft
from crasme_desktop.ui.erase_dialog import EraseAllDialog, EraseDialog
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.vault import open_vault
from PySide6.QtCore import QLocale
from tests.gui.conftest import PASSPHRASE
from tests.support import erase_seed
from tests.support.clicks import click

WAIT = 20_000


@pytest.fixture
def vault(make_vault):
    created = make_vault()
    opened = open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False,
                        clock=FakeClock())
    yield opened
    opened.close()


@pytest.fixture
def tasks(qtbot):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    crashes: list[BaseException] = []
    shown: list = []
    runner = TaskRunner(report_crash=crashes.append, show_error=shown.append)
    runner.changes = []
    runner.changed.connect(runner.changes.append)
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes
    assert not shown, shown


def items(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def opened(qtbot, tasks, vault, person_id) -> EraseDialog:
    dialog = EraseDialog(tasks, vault, person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview is not None or dialog.error.isVisible(),
                    timeout=WAIT)
    return dialog


def test_preview_lists_and_typed_confirmation_enable_erase(qtbot, tasks, vault):
    seeded = erase_seed.seed(vault)
    dialog = opened(qtbot, tasks, vault, seeded.person_id)
    assert dialog.heading.text() == f"Erase {erase_seed.DISPLAY}"
    deleted = items(dialog.deleted)
    assert "Email addresses: 2" in deleted and "Draft invoices to them: 1" in deleted
    assert any(line.startswith("Changed — Records that named them as owner") for line in deleted)
    kept = items(dialog.kept)
    invoice = next(line for line in kept if seeded.kept_number in line)
    assert "bookkeeping" in invoice and "2. März 2033" in invoice  # the German long date
    assert not dialog.blockers.isVisible()
    assert not dialog.action_button.isEnabled()
    qtbot.keyClicks(dialog.confirm_edit, "Wilhelmina")
    assert not dialog.action_button.isEnabled()
    qtbot.keyClicks(dialog.confirm_edit, "  quxbridge")
    assert dialog.action_button.isEnabled()

    with qtbot.waitSignal(dialog.erased, timeout=WAIT) as erased:
        click(qtbot, dialog.action_button)
    assert erased.args == [seeded.person_id]
    assert dialog.result_text.isVisible()
    assert "were erased" in dialog.result_text.text()
    assert "2033-03-02" in dialog.result_text.text()
    assert not dialog.action_button.isVisible()
    assert dialog.close_button.text() == "Close"
    qtbot.waitUntil(lambda: any("contacts" in c for c in tasks.changes), timeout=WAIT)
    tasks.wait(WAIT)
    with pytest.raises(contacts.NotFound):
        contacts.get_person(vault, seeded.person_id)


def test_unpaid_invoice_blocks_and_explains(qtbot, tasks, vault):
    seeded = erase_seed.seed(vault, paid=False)
    dialog = opened(qtbot, tasks, vault, seeded.person_id)
    assert dialog.blockers.isVisible()
    assert seeded.kept_number in dialog.blockers.text()
    assert "record the payment or issue a credit note first" in dialog.blockers.text()
    assert not dialog.confirm_edit.isEnabled()
    dialog.confirm_edit.setText(erase_seed.DISPLAY)
    assert not dialog.action_button.isEnabled()
    # Once paid, a fresh dialog lets the erase go ahead.
    record = invoices.get_invoice(vault, seeded.kept_invoice_id)
    invoices.record_payment(vault, seeded.kept_invoice_id, PaymentDraft(
        erase_seed.ISSUED_ON, record.total, record.currency))
    again = opened(qtbot, tasks, vault, seeded.person_id)
    assert not again.blockers.isVisible()
    again.confirm_edit.setText(erase_seed.DISPLAY)
    assert again.action_button.isEnabled()


def test_an_erased_person_says_so(qtbot, tasks, vault):
    seeded = erase_seed.seed(vault)
    from crasme_desktop.services import privacy_erase

    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    dialog = opened(qtbot, tasks, vault, seeded.person_id)
    assert dialog.error.isVisible()
    assert dialog.error.text() == "This person has already been erased."
    assert dialog.close_button.text() == "Close"
    assert not dialog.action_button.isEnabled()


def test_erase_everything_needs_the_words_and_says_files_are_deleted(
    qtbot, tasks, vault, keychain
):
    path = vault.path
    dialog = EraseAllDialog(tasks, path, vault=vault)
    qtbot.addWidget(dialog)
    dialog.show()
    honest = dialog.findChild(type(dialog.error), "eraseAllHonest")
    assert "deleted, not overwritten" in honest.text()
    qtbot.keyClicks(dialog.confirm_edit, "erase")
    assert not dialog.action_button.isEnabled()
    dialog.confirm_edit.setText("erase everything")
    assert dialog.action_button.isEnabled()
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: dialog.done_ok or dialog.error.isVisible(), timeout=WAIT)
    assert dialog.done_ok, dialog.error.text()
    assert vault.closed and not path.exists()
    assert "not overwritten" in dialog.result_text.text()
    with qtbot.waitSignal(dialog.erased, timeout=WAIT) as erased:
        click(qtbot, dialog.close_button)
    assert erased.args == [path]


def test_the_person_pane_offers_erase_and_forgets_the_person(qtbot, tasks, vault):
    from crasme_desktop.ui.person_detail import PersonDetail

    seeded = erase_seed.seed(vault)
    pane = PersonDetail(tasks)
    qtbot.addWidget(pane)
    pane.show()
    pane.show_record(vault, seeded.person_id)
    qtbot.waitUntil(lambda: pane.record is not None, timeout=WAIT)
    assert pane.erase_button.text() == "Erase this person…"
    click(qtbot, pane.erase_button)
    dialog = pane.findChild(EraseDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    dialog.confirm_edit.setText(erase_seed.DISPLAY)
    with qtbot.waitSignal(pane.erased, timeout=WAIT) as erased:
        click(qtbot, dialog.action_button)
    assert erased.args == [seeded.person_id]
    assert pane.person_id == "" and pane.stack.currentWidget() is pane.placeholder
    tasks.wait(WAIT)


def test_erase_all_data_from_the_privacy_page_returns_to_the_start(
    qtbot, make_vault, make_controller, memory_keyring
):
    made = make_vault(passphrase=None, use_keychain=True)
    controller = make_controller(made.path)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None and controller.main_window is not None
                    and controller.main_window.isVisible(), timeout=WAIT)
    controller.tasks.wait(WAIT)  # unlock starts background writes
    window = controller.main_window
    window.show_page("privacy")
    page = window.page("privacy")
    qtbot.waitUntil(lambda: page.vault is not None, timeout=WAIT)
    click(qtbot, page.erase_all_button)
    dialog = page.findChild(EraseAllDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.confirm_edit.setText("ERASE EVERYTHING")
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: dialog.done_ok or dialog.error.isVisible(), timeout=WAIT)
    assert dialog.done_ok, dialog.error.text()
    assert not made.path.exists()
    assert memory_keyring.entries == {}  # the key left the keychain too
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: controller.wizard is not None and controller.wizard.isVisible(),
                    timeout=WAIT)
    assert controller.vault is None and controller.state == "first-run"
    assert not window.isVisible()
