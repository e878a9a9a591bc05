"""The Users and roles section of the Settings page: who uses this vault and what each
may do.

Shown only to a role with the `users` permission. A table of users (name, role, active,
whether they have a sign-in of their own) with Add, Edit (name and role), Deactivate,
Sign-in passphrase (give or reset) and Remove; removing someone who has a sign-in
changes the vault's key (their key slot goes and the file is re-encrypted), so it asks
first, says it may take a moment and runs with progress. Below it the roles: the five
built-in ones open read-only with their permissions shown, custom ones are made and
changed in a grid of areas by actions plus the sensitive actions, and deleted when
nobody has them. Every rule is the service's (`services.users`); its sentence appears
under the buttons or in the open dialog.

A separate small card, "Your sign-in", lets whoever signed in by name change their own
passphrase (knowing the current one), whatever their role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.i18n import translate
from crasme_desktop.domain.permissions import ACTIONS, AREAS, SENSITIVE, Permission
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.passphrase import PassphraseFields
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, push_button, row_table, titled_card

AREAS_WRITTEN = {"users"}
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def tr(text: str) -> str:
    """A text made at run time (an area's or action's name), looked up in this screen's
    context; literal texts call QCoreApplication.translate directly so lupdate finds
    them under the same context."""
    return QCoreApplication.translate("UsersSettings", text)


def load_users_and_roles(vault: Any) -> tuple[list[Any], list[Any]]:
    """Worker job: every user (inactive ones too) and every role."""
    return service("users.list_users")(vault), service("users.list_roles")(vault)


def save_user_edits(vault: Any, user: Any, name: str, role_id: str) -> None:
    """Worker job: rename and give another role, whichever changed."""
    if name.strip() != user.display_name:
        service("users.rename_user")(vault, user.id, name)
    if role_id != user.role_id:
        service("users.change_role")(vault, user.id, role_id)


class _Dialog(QDialog):
    """A dialog whose save runs one job and shows the service's sentence on refusal."""

    saved = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, title: str, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.vault = tasks, vault
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.error = FieldError(f"{name}Error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName(f"{name}Save")
        self.buttons.rejected.connect(self.reject)
        self.box = QVBoxLayout(self)

    def finish_layout(self, save: Callable[[], None]) -> None:
        self.buttons.accepted.connect(save)
        self.box.addWidget(self.error)
        self.box.addWidget(self.buttons)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.error.clear_message()
        self.save_button.setEnabled(False)
        self.tasks.submit(fn, *args, writes=AREAS_WRITTEN, on_done=self._done,
                          on_error=self._failed, **kwargs)

    def _done(self, result: Any) -> None:
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.save_button.setEnabled(True)
        self.error.show_message(error.message)


def _role_combo(roles: list[Any], current: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("userRole")
    combo.setAccessibleName(translate("UsersSettings", "Role"))
    for role in roles:
        combo.addItem(role.name, role.id)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else max(0, combo.findText("Staff")))
    return combo


class AddUserDialog(_Dialog):
    """A new user: name, role, and (unless unticked) a sign-in passphrase, twice."""

    def __init__(self, tasks: TaskRunner, vault: Any, roles: list[Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, vault, translate("UsersSettings",
            "Add a user"), "addUserDialog", parent)
        self.name = line_edit("userName", translate("UsersSettings",
            "First and last name"), accessible=translate("UsersSettings", "Name"))
        self.role = _role_combo(roles)
        self.can_sign_in = QCheckBox(translate("UsersSettings",
            "Signs in with a passphrase of their own"))
        self.can_sign_in.setObjectName("userCanSignIn")
        self.can_sign_in.setChecked(True)
        self.fields = PassphraseFields()
        self.can_sign_in.toggled.connect(self.fields.setVisible)
        form = QFormLayout()
        form.addRow(translate("UsersSettings", "Name"), self.name)
        form.addRow(translate("UsersSettings", "Role"), self.role)
        self.box.addWidget(label(translate("UsersSettings",
            "They sign in with this name and the passphrase you give them; tell it to "
            "them in person. Once anyone has a sign-in, unlocking asks who you are."),
            "hint"))
        self.box.addLayout(form)
        self.box.addWidget(self.can_sign_in)
        self.box.addWidget(self.fields)
        self.finish_layout(self.save)

    def save(self) -> None:
        passphrase = None
        if self.can_sign_in.isChecked():
            problem = self.fields.problem()
            if problem:
                self.error.show_message(problem)
                return
            passphrase = self.fields.passphrase()
        self.run(service("users.add_user"), self.vault, self.name.text(),
                 self.role.currentData(), passphrase=passphrase)


class EditUserDialog(_Dialog):
    """A user's name (which is also their sign-in name) and role."""

    def __init__(self, tasks: TaskRunner, vault: Any, user: Any, roles: list[Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, vault, translate("UsersSettings",
            "Edit user"), "editUserDialog", parent)
        self.user = user
        self.name = line_edit("userName", accessible=translate("UsersSettings", "Name"))
        self.name.setText(user.display_name)
        self.role = _role_combo(roles, user.role_id)
        form = QFormLayout()
        form.addRow(translate("UsersSettings", "Name"), self.name)
        form.addRow(translate("UsersSettings", "Role"), self.role)
        if user.has_sign_in:
            self.box.addWidget(label(translate("UsersSettings",
                "They sign in with their name: a new name is their new sign-in name."),
                "hint"))
        self.box.addLayout(form)
        self.finish_layout(self.save)

    def save(self) -> None:
        self.run(save_user_edits, self.vault, self.user, self.name.text(),
                 self.role.currentData())


class PassphraseDialog(_Dialog):
    """Give a user a sign-in passphrase or reset theirs (`own`: change one's own,
    knowing the current one)."""

    def __init__(self, tasks: TaskRunner, vault: Any, user: Any | None,
                 parent: QWidget | None = None) -> None:
        own = user is None
        title = (translate("UsersSettings", "Change your passphrase") if own
                 else translate("UsersSettings",
                     "Sign-in passphrase of {name}").format(name=user.display_name))
        super().__init__(tasks, vault, title, "userPassphraseDialog", parent)
        self.user = user
        self.current = QLineEdit()
        self.current.setObjectName("currentUserPassphrase")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields = PassphraseFields()
        if own:
            text = translate("UsersSettings",
                "Your new passphrase works from your next sign-in; the old one stops "
                      "working at once.")
        elif user.has_sign_in:
            text = translate("UsersSettings",
                "The old passphrase stops working at once; tell them the new one in "
                      "person.")
        else:
            text = translate("UsersSettings",
                "They will sign in as “{name}” with this passphrase.").format(
                name=user.display_name)
        self.box.addWidget(label(text, "hint"))
        if own:
            form = QFormLayout()
            form.addRow(translate("UsersSettings", "Current passphrase"), self.current)
            self.box.addLayout(form)
        self.box.addWidget(self.fields)
        self.finish_layout(self.save)

    def save(self) -> None:
        problem = self.fields.problem()
        if self.user is None and not self.current.text():
            problem = translate("UsersSettings", "Type the passphrase you use now first.")
        if problem:
            self.error.show_message(problem)
            return
        if self.user is None:
            self.run(service("users.change_own_passphrase"), self.vault, self.current.text(),
                     self.fields.passphrase())
        else:
            self.run(service("users.set_sign_in"), self.vault, self.user.id,
                     self.fields.passphrase())


class RoleDialog(_Dialog):
    """A role's name and its permissions as a grid of areas by actions, then the
    sensitive actions; read-only for a built-in role."""

    def __init__(self, tasks: TaskRunner, vault: Any, role: Any | None,
                 parent: QWidget | None = None) -> None:
        builtin = role is not None and bool(role.builtin)
        title = (translate("UsersSettings",
            "Role: {name} (built in)").format(name=role.name) if builtin
                 else translate("UsersSettings",
                     "Edit role") if role is not None else translate("UsersSettings", "New role"))
        super().__init__(tasks, vault, title, "roleDialog", parent)
        self.role = role
        self.name = line_edit("roleName", translate("UsersSettings", "Bookkeeper, Part-time, …"),
                              accessible=translate("UsersSettings", "Role name"))
        granted = set(role.permissions) if role is not None else set()
        if role is not None:
            self.name.setText(role.name)
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for column, action in enumerate(ACTIONS, start=1):
            grid.addWidget(label(tr(action.capitalize()), "section"), 0, column,
                           Qt.AlignmentFlag.AlignHCenter)
        for row, (area, (noun, actions)) in enumerate(AREAS.items(), start=1):
            grid.addWidget(QLabel(tr(noun[:1].upper() + noun[1:])), row, 0)
            for column, action in enumerate(ACTIONS, start=1):
                if action in actions:
                    self._add_box(grid, Permission(area, action), granted, row, column)
        sensitive = QGridLayout()
        sensitive.setHorizontalSpacing(18)
        for n, action in enumerate(SENSITIVE):
            permission = Permission("", action)
            box = QCheckBox(tr(permission.describe()[:1].upper() + permission.describe()[1:]))
            self._keep_box(box, permission, granted)
            sensitive.addWidget(box, n // 2, n % 2)
        form = QFormLayout()
        form.addRow(translate("UsersSettings", "Name"), self.name)
        if builtin:
            self.box.addWidget(label(translate("UsersSettings",
                "A built-in role cannot be changed; make a custom role for anything else."),
                "hint"))
            self.name.setReadOnly(True)
            for box in self.boxes.values():
                box.setEnabled(False)
            self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.box.addLayout(form)
        self.box.addWidget(label(translate("UsersSettings", "What this role may do"), "section"))
        self.box.addLayout(grid)
        self.box.addWidget(label(translate("UsersSettings", "Sensitive actions"), "section"))
        self.box.addLayout(sensitive)
        self.finish_layout(self.save)

    def _add_box(self, grid: QGridLayout, permission: Permission, granted: set[str],
                 row: int, column: int) -> None:
        box = QCheckBox()
        box.setAccessibleName(permission.describe())
        box.setToolTip(permission.describe())
        self._keep_box(box, permission, granted)
        grid.addWidget(box, row, column, Qt.AlignmentFlag.AlignHCenter)

    def _keep_box(self, box: QCheckBox, permission: Permission, granted: set[str]) -> None:
        box.setObjectName(f"perm_{str(permission).replace('.', '_')}")
        box.setChecked(str(permission) in granted)
        self.boxes[str(permission)] = box

    def chosen(self) -> list[str]:
        return [text for text, box in self.boxes.items() if box.isChecked()]

    def save(self) -> None:
        if self.role is None:
            self.run(service("users.create_role"), self.vault, self.name.text(), self.chosen())
        else:
            self.run(service("users.edit_role"), self.vault, self.role.id,
                     name=self.name.text(), granted=self.chosen())


class UsersSettingsSection(QWidget):
    """The Users and roles card (for `users`) and the Your sign-in card."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault: Any = None
        self.users: list[Any] = []
        self.roles: list[Any] = []
        self.dialog: QDialog | None = None
        self.confirm = self._confirm
        self.show_new_recovery_key = self._show_new_recovery_key

        self.user_table = row_table(
            "usersTable",
            (translate("UsersSettings", "Name"), translate("UsersSettings", "Role"),
             translate("UsersSettings", "Active"), translate("UsersSettings", "Sign-in")),
            accessible=translate("UsersSettings", "Users"))
        self.user_table.setShowGrid(False)
        self.user_table.setMinimumHeight(150)
        header = self.user_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((1, 150), (2, 90), (3, 110)):
            header.resizeSection(column, width)
        self.user_table.itemSelectionChanged.connect(self._update_buttons)
        self.user_table.itemDoubleClicked.connect(lambda _item: self.edit_user())
        self.add_button = push_button(translate("UsersSettings",
            "Add user…"), "userAdd", self.add_user)
        self.edit_button = push_button(translate("UsersSettings",
            "Edit…"), "userEdit", self.edit_user,
                                       tip=translate("UsersSettings",
                                           "Change the name or the role"))
        self.active_button = push_button(translate("UsersSettings",
            "Deactivate"), "userActive", self.toggle_active)
        self.passphrase_button = push_button(translate("UsersSettings",
            "Sign-in passphrase…"), "userPassphrase",
                                             self.set_passphrase,
                                             tip=translate("UsersSettings",
                                                 "Give a passphrase or reset a forgotten "
                                                    "one"))
        self.remove_button = push_button(translate("UsersSettings",
            "Remove…"), "userRemove", self.remove_user)
        user_buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button,
                       self.passphrase_button, self.remove_button):
            user_buttons.addWidget(button)
        user_buttons.addStretch(1)

        self.role_table = row_table("rolesTable", (translate("UsersSettings",
            "Role"), translate("UsersSettings", "Kind"), translate("UsersSettings", "Users")),
                                    accessible=translate("UsersSettings", "Roles"))
        self.role_table.setShowGrid(False)
        self.role_table.setMinimumHeight(250)
        header = self.role_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((1, 150), (2, 90)):
            header.resizeSection(column, width)
        self.role_table.itemSelectionChanged.connect(self._update_buttons)
        self.role_table.itemDoubleClicked.connect(lambda _item: self.open_role())
        self.new_role_button = push_button(translate("UsersSettings",
            "New role…"), "roleNew", self.new_role)
        self.open_role_button = push_button(translate("UsersSettings",
            "Open…"), "roleOpen", self.open_role,
                                            tip=translate("UsersSettings",
                                                "See or change what the role may do"))
        self.delete_role_button = push_button(translate("UsersSettings",
            "Delete"), "roleDelete", self.delete_role)
        role_buttons = QHBoxLayout()
        for button in (self.new_role_button, self.open_role_button, self.delete_role_button):
            role_buttons.addWidget(button)
        role_buttons.addStretch(1)

        self.status = label("", "hint")
        self.status.setObjectName("usersStatus")
        self.error = FieldError("usersError")
        self.card, box = titled_card(translate("UsersSettings", "Users and roles"), "usersCard")
        box.addWidget(label(translate("UsersSettings",
            "Who uses this vault and what each may do. Someone with a sign-in opens the "
            "vault with their name and passphrase; the vault's own passphrase and recovery "
            "key still open it as the Owner."), "hint"))
        box.addWidget(self.user_table)
        box.addLayout(user_buttons)
        box.addSpacing(6)
        box.addWidget(label(translate("UsersSettings", "Roles"), "section"))
        box.addWidget(self.role_table)
        box.addLayout(role_buttons)
        box.addWidget(self.status)
        box.addWidget(self.error)

        self.own_card, own = titled_card(translate("UsersSettings",
            "Your sign-in"), "ownSignInCard")
        self.own_button = push_button(translate("UsersSettings",
            "Change my passphrase…"), "ownPassphrase",
                                      self.change_own_passphrase)
        own_row = QHBoxLayout()
        own_row.addWidget(label(translate("UsersSettings",
            "You signed in with your own name and passphrase."),
                                "hint"), 1)
        own_row.addWidget(self.own_button)
        own.addLayout(own_row)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(14)
        outer.addWidget(self.own_card)
        outer.addWidget(self.card)
        self.own_card.hide()
        self.card.hide()

    # -- vault -----------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.own_card.setVisible(getattr(vault, "signed_in_user_id", None) is not None)
        if gate(self.card, vault, "users", hide=True):
            self.reload()

    def clear(self) -> None:
        self.vault = None
        self.users, self.roles = [], []
        self.user_table.setRowCount(0)
        self.role_table.setRowCount(0)
        self.status.clear()
        self.error.clear_message()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.card.hide()
        self.own_card.hide()

    def reload(self) -> None:
        if self.vault is None or not self.card.isVisibleTo(self):
            return
        self.tasks.submit(load_users_and_roles, self.vault, on_done=self._show,
                          on_error=self._failed)

    def _show(self, got: tuple[list[Any], list[Any]]) -> None:
        if self.vault is None:
            return
        chosen_user = self.current_user().id if self.current_user() is not None else ""
        chosen_role = self.current_role().id if self.current_role() is not None else ""
        self.users, self.roles = list(got[0]), list(got[1])
        self.user_table.setRowCount(len(self.users))
        me = getattr(getattr(self.vault, "actor", None), "user_id", None)
        for row, user in enumerate(self.users):
            name = user.display_name + (translate("UsersSettings",
                " (you)") if user.id == me else "")
            cells = [QTableWidgetItem(name), QTableWidgetItem(user.role_name),
                     QTableWidgetItem(translate("UsersSettings",
                         "Active") if user.active else translate("UsersSettings", "Inactive")),
                     QTableWidgetItem(translate("UsersSettings",
                         "Passphrase") if user.has_sign_in else translate("UsersSettings", "None"))]
            cells[0].setData(ID_ROLE, user.id)
            for column, item in enumerate(cells):
                if not user.active:
                    item.setForeground(QColor("#9aa5b1"))
                self.user_table.setItem(row, column, item)
        self.role_table.setRowCount(len(self.roles))
        for row, role in enumerate(self.roles):
            cells = [QTableWidgetItem(role.name),
                     QTableWidgetItem(translate("UsersSettings",
                         "Built in") if role.builtin else translate("UsersSettings", "Custom")),
                     QTableWidgetItem(str(role.users))]
            cells[0].setData(ID_ROLE, role.id)
            for column, item in enumerate(cells):
                self.role_table.setItem(row, column, item)
        self._select(self.user_table, self.users, chosen_user)
        self._select(self.role_table, self.roles, chosen_role)
        self._update_buttons()

    @staticmethod
    def _select(table: Any, records: list[Any], chosen: str) -> None:
        index = next((n for n, r in enumerate(records) if r.id == chosen), 0)
        if records:
            table.selectRow(index)

    def current_user(self) -> Any:
        row = self.user_table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def current_role(self) -> Any:
        row = self.role_table.currentRow()
        return self.roles[row] if 0 <= row < len(self.roles) else None

    def select_user(self, name: str) -> None:
        row = next((n for n, u in enumerate(self.users) if u.display_name == name), -1)
        self.user_table.selectRow(row)

    def select_role(self, name: str) -> None:
        row = next((n for n, r in enumerate(self.roles) if r.name == name), -1)
        self.role_table.selectRow(row)

    def _update_buttons(self) -> None:
        user, role = self.current_user(), self.current_role()
        for button in (self.edit_button, self.active_button, self.passphrase_button,
                       self.remove_button):
            button.setEnabled(user is not None)
        self.active_button.setText(translate("UsersSettings",
            "Activate") if user is not None and not user.active
                                   else translate("UsersSettings", "Deactivate"))
        self.passphrase_button.setText(
            translate("UsersSettings", "Reset passphrase…") if user is not None and user.has_sign_in
            else translate("UsersSettings", "Give a sign-in…"))
        self.open_role_button.setEnabled(role is not None)
        self.delete_role_button.setEnabled(role is not None and not role.builtin)
        self.delete_role_button.setToolTip(
            translate("UsersSettings",
                "A built-in role cannot be deleted") if role is not None and role.builtin
            else translate("UsersSettings", "Delete this role (only when nobody has it)"))

    # -- users -----------------------------------------------------------------------
    def _open(self, dialog: _Dialog, message: str) -> _Dialog:
        dialog.saved.connect(lambda _result: self._saved(message))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def add_user(self) -> _Dialog | None:
        if self.vault is None:
            return None
        return self._open(AddUserDialog(self.tasks, self.vault, self.roles, self),
                          translate("UsersSettings", "User added."))

    def edit_user(self) -> _Dialog | None:
        user = self.current_user()
        if self.vault is None or user is None:
            return None
        return self._open(EditUserDialog(self.tasks, self.vault, user, self.roles, self),
                          translate("UsersSettings", "Saved."))

    def set_passphrase(self) -> _Dialog | None:
        user = self.current_user()
        if self.vault is None or user is None:
            return None
        return self._open(PassphraseDialog(self.tasks, self.vault, user, self),
                          translate("UsersSettings", "Passphrase set; the old one no longer works.")
                          if user.has_sign_in else translate("UsersSettings",
                              "{name} can now sign in.").format(
                              name=user.display_name))

    def change_own_passphrase(self) -> _Dialog | None:
        if self.vault is None:
            return None
        return self._open(PassphraseDialog(self.tasks, self.vault, None, self),
                          translate("UsersSettings", "Your passphrase is changed."))

    def toggle_active(self) -> None:
        user = self.current_user()
        if self.vault is None or user is None:
            return
        message = (translate("UsersSettings", "{name} is active again.") if not user.active
                   else translate("UsersSettings", "{name} can no longer sign in."))
        self._run(service("users.set_active"), self.vault, user.id, not user.active,
                  message=message.format(name=user.display_name))

    def remove_user(self) -> None:
        user = self.current_user()
        if self.vault is None or user is None:
            return
        text = translate("UsersSettings",
            "Remove {name} for good? What they did stays in the audit trail.").format(
            name=user.display_name)
        if user.has_sign_in:
            text += " " + translate("UsersSettings",
                "Their sign-in goes with them, and the vault's key is changed "
                             "so that nothing they knew opens it or any copy made from now "
                             "on; this re-encrypts the whole vault and may take a moment.")
        if not self.confirm(text):
            return

        def done(new_recovery_key: str | None) -> None:
            self._saved(translate("UsersSettings",
                "{name} was removed.").format(name=user.display_name))
            if new_recovery_key:
                self.show_new_recovery_key(new_recovery_key)

        self.error.clear_message()
        self.tasks.submit(service("users.remove_user"), self.vault, user.id,
                          writes=AREAS_WRITTEN, on_done=done, on_error=self._failed,
                          progress_title=translate("UsersSettings",
                              "Removing {name}").format(name=user.display_name))

    # -- roles -----------------------------------------------------------------------
    def new_role(self) -> _Dialog | None:
        if self.vault is None:
            return None
        return self._open(RoleDialog(self.tasks, self.vault, None, self), translate("UsersSettings",
            "Role added."))

    def open_role(self) -> _Dialog | None:
        role = self.current_role()
        if self.vault is None or role is None:
            return None
        return self._open(RoleDialog(self.tasks, self.vault, role, self), translate("UsersSettings",
            "Role saved."))

    def delete_role(self) -> None:
        role = self.current_role()
        if self.vault is None or role is None:
            return
        if not self.confirm(translate("UsersSettings",
            "Delete the role {name}?").format(name=role.name)):
            return
        self._run(service("users.delete_role"), self.vault, role.id,
                  message=translate("UsersSettings", "Role deleted."))

    # -- plumbing --------------------------------------------------------------------
    def _run(self, fn: Callable[..., Any], *args: Any, message: str) -> None:
        self.error.clear_message()
        self.tasks.submit(fn, *args, writes=AREAS_WRITTEN,
                          on_done=lambda _result: self._saved(message), on_error=self._failed)

    def _saved(self, message: str) -> None:
        self.status.setText(message)
        self.error.clear_message()
        self.reload()

    def _failed(self, error: UserError) -> None:
        self.status.clear()
        self.error.show_message(error.message)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _show_new_recovery_key(self, key: str) -> None:
        box = QMessageBox(self)
        box.setObjectName("newRecoveryKey")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText(translate("UsersSettings",
            "The vault's old recovery key was replaced. Write the new one down "
                       "and keep it with your recovery kit; it is shown only now:"))
        box.setInformativeText(key)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
