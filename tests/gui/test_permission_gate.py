"""The screens' permission gate: a control the role does not allow is disabled (or
hidden) with the services' own refusal as its tool tip, and enabled again when the role
allows it."""

from __future__ import annotations

from types import SimpleNamespace

from crasme_desktop.domain.permissions import BUILTIN_ROLES, Actor, Permission
from crasme_desktop.ui.permission_gate import allowed, denial, first_denial, gate
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton


def _vault(role: str) -> SimpleNamespace:
    name, role_id, perms = BUILTIN_ROLES[role]
    return SimpleNamespace(actor=Actor("u1", name, perms, role_id))


def test_denial_is_the_services_sentence_and_none_when_allowed():
    read_only = _vault("read_only")
    assert denial(read_only, "deals.edit") == "Your role (Read-only) does not allow editing deals."
    assert denial(read_only, Permission("deals", "view")) is None
    assert allowed(_vault("owner"), "rekey") and not allowed(_vault("admin"), "rekey")
    assert first_denial(_vault("staff"), ["contacts.edit", "export"]) == (
        "Your role (Staff) does not allow exporting data.")
    assert denial(None, "rekey") is None and denial(SimpleNamespace(actor=None), "rekey") is None


def test_gate_disables_or_hides_with_the_reason_and_restores(qtbot):
    button = QPushButton("Delete")
    qtbot.addWidget(button)
    assert not gate(button, _vault("staff"), "deals.delete", tip="Delete the deal")
    assert not button.isEnabled()
    assert button.toolTip() == "Your role (Staff) does not allow deleting deals."
    assert gate(button, _vault("manager"), "deals.delete", tip="Delete the deal")
    assert button.isEnabled() and button.toolTip() == "Delete the deal"
    action = QAction("Export")
    gate(action, _vault("read_only"), "contacts.view", "export", hide=True)
    assert not action.isVisible() and not action.isEnabled()
    assert action.statusTip() == "Your role (Read-only) does not allow exporting data."
