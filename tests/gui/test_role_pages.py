"""The main window follows the signed-in user's role: pages the role may not view are
left out of the sidebar and the Go menu (Ctrl+number follows the pages shown), menu
actions that need a permission are disabled with the services' refusal as tool tip,
the status bar names the user and role, and all of it is applied again when another
user's session attaches after a lock."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.domain.validation_records import PersonDraft
from crasme_desktop.services import contacts, permissions, users
from crasme_desktop.ui.main_window import PAGES, MainWindow
from crasme_desktop.ui.tasks import TaskRunner

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000
EVERY_PAGE = [entry.key for entry in PAGES]


@pytest.fixture
def window(qtbot, vault):
    crashes: list[BaseException] = []
    refused: list[object] = []  # sentences a page would show (a refused read)
    tasks = TaskRunner(report_crash=crashes.append, show_error=refused.append)
    shown = MainWindow(tasks)
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    yield shown
    shown.clear()
    tasks.invalidate()
    tasks.wait(10_000)
    assert not crashes, crashes


def sign_in(vault, name, role_id):
    user = users.add_user(vault, name, role_id)
    permissions.act_as(vault, user.id)
    return user


def attach(qtbot, window, vault):
    window.attach(vault)
    qtbot.waitUntil(lambda: window.status_user.isVisible(), timeout=WAIT)


def sidebar(window):
    return [window.nav.item(row).data(0x0100) for row in range(window.nav.count())
            if not window.nav.item(row).isHidden()]


def go_menu(window):
    return {action.text(): action.shortcut().toString()
            for action in window.go_actions if action.isVisible()}


def test_a_bookkeeper_sees_only_what_her_role_allows(qtbot, window, vault):
    person = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="King"))
    bookkeeper = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    sign_in(vault, "Petra Pohl", bookkeeper.id)
    attach(qtbot, window, vault)

    assert sidebar(window) == ["dashboard", "sales", "settings"]
    assert go_menu(window) == {"Dashboard": "Ctrl+1", "Sales": "Ctrl+2", "Settings": "Ctrl+0"}
    assert window.status_user.text() == "Petra Pohl (Bookkeeper)"

    for key in ("contacts", "deals", "audit"):
        window.show_page(key)
        assert window.current_page().key == "dashboard", key
    window.open_record("person", person.id)  # a search hit she may not open
    assert window.current_page().key == "dashboard"
    assert "contacts" not in [p.key for p in window.built_pages()]
    window.show_page("sales")
    assert window.current_page().key == "sales"

    assert window.lock_action.isEnabled() and window.switch_user_action.isEnabled()
    for action, reason in (
            (window.backup_action, "making and restoring backups"),
            (window.passphrase_action, "changing the vault's key"),
            (window.rotate_action, "changing the vault's key"),
            (window.print_action, "printing"),
            (window.export_vault_action, "exporting data")):
        assert not action.isEnabled(), action.text()
        assert action.toolTip() == f"Your role (Bookkeeper) does not allow {reason}."


def test_read_only_sees_every_page_but_the_audit_trail(qtbot, window, vault):
    sign_in(vault, "Rita Reader", BUILTIN_ROLE_IDS["read_only"])
    attach(qtbot, window, vault)
    assert sidebar(window) == [k for k in EVERY_PAGE if k != "audit"]
    assert window.status_user.text() == "Rita Reader (Read-only)"
    assert "Audit trail" not in go_menu(window)
    assert go_menu(window)["Privacy"] == "Ctrl+9"
    assert not window.print_action.isEnabled()
    assert window.print_action.toolTip() == "Your role (Read-only) does not allow printing."


def test_the_owner_sees_every_page_and_may_use_every_menu_action(qtbot, window, vault):
    attach(qtbot, window, vault)
    assert sidebar(window) == EVERY_PAGE
    assert window.status_user.text() == "Owner"  # the first user, named after the role
    assert go_menu(window)["Settings"] == "Ctrl+0"
    assert go_menu(window)["Privacy"] == "Ctrl+9"
    for action in (window.backup_action, window.passphrase_action, window.rotate_action,
                   window.print_action, window.export_vault_action):
        assert action.isEnabled(), action.text()
        assert not action.toolTip().startswith("Your role")
    window.show_page("audit")
    assert window.current_page().key == "audit"
    audit_page = window.page("audit")
    qtbot.waitUntil(lambda: audit_page.model.rowCount() > 0 or
                    audit_page.count.text() != "", timeout=WAIT)


def test_another_user_after_a_lock_gets_their_own_pages(qtbot, window, vault):
    attach(qtbot, window, vault)
    window.show_page("audit")
    audit_page = window.page("audit")
    assert audit_page.vault is vault

    window.clear()  # locked
    assert not window.status_user.isVisible()
    assert not window.backup_action.isEnabled() and not window.switch_user_action.isEnabled()
    sign_in(vault, "Sam Staff", BUILTIN_ROLE_IDS["staff"])
    attach(qtbot, window, vault)
    assert "audit" not in sidebar(window) and "reports" not in sidebar(window)
    assert window.current_page().key == "dashboard"  # not left on a page he may not see
    assert audit_page.vault is None  # the page built for the owner holds nothing
    assert window.status_user.text() == "Sam Staff (Staff)"
    assert window.print_action.isEnabled()  # Staff may print
    assert not window.backup_action.isEnabled()


def test_switch_user_asks_the_controller(qtbot, window, vault):
    attach(qtbot, window, vault)
    with qtbot.waitSignal(window.switch_user_requested, timeout=WAIT):
        window.switch_user_action.trigger()


def _tiles_shown(page) -> list[str]:
    return [name for name in (*page.links, *page.tiles)
            if (page.links.get(name) or page.tiles[name]).isVisibleTo(page)]


def test_the_dashboard_shows_only_the_tiles_of_areas_the_role_may_view(qtbot, window, vault):
    contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="King"))
    bookkeeper = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    sign_in(vault, "Petra Pohl", bookkeeper.id)
    attach(qtbot, window, vault)
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: page.summary is not None, timeout=WAIT)
    assert _tiles_shown(page) == ["invoices_overdue"]
    assert not page.records_title.isVisibleTo(page)
    assert page.tiles["people"].value.text() == ""  # nothing counted, nothing shown

    window.clear()
    vault.actor = None  # the Owner again, who adds the next user
    staff = sign_in(vault, "Sam Staff", BUILTIN_ROLE_IDS["staff"])
    assert staff.role_name == "Staff"
    attach(qtbot, window, vault)
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: page.summary is not None, timeout=WAIT)
    shown = _tiles_shown(page)
    assert "revenue" not in shown and "people" in shown and "jobs_today" in shown
    assert page.tiles["people"].value.text() == "1"
