"""The privacy notice on screen, and the consent and restriction dialogs of a person.

`NoticeView` shows the notice as the program fills it in from the live settings (read
on a worker thread); `NoticeDialog` wraps it in a window, with "I have read this" when
an acknowledgement is wanted (first use of a vault, or a new version of the notice).
`ConsentDialog` records a person's choice per purpose and shows the history;
`RestrictionDialog` restricts a person or lifts it, always with a reason.
Writes go through the task runner and announce the areas "privacy" and "contacts".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.widgets import FieldError, local_datetime

#: (purpose, name shown): as services/privacy_consent.py PURPOSE_NAMES.
#: Translated where shown (`_purpose_name`).
PURPOSES = (("marketing_email", QT_TRANSLATE_NOOP("PrivacyNotice", "Marketing email")),
            ("sms", QT_TRANSLATE_NOOP("PrivacyNotice", "Text messages (SMS)")),
            ("newsletter", QT_TRANSLATE_NOOP("PrivacyNotice", "Newsletter")))
_NAMES = dict(PURPOSES)


def _purpose_name(purpose: str) -> str:
    name = _NAMES.get(purpose)
    return QCoreApplication.translate("PrivacyNotice", name) if name else purpose
_UNSET: Any = object()
WRITES = {"privacy", "contacts"}


class NoticeView(QWidget):
    """The privacy notice, filled in from a vault's settings (or the defaults)."""

    loaded = Signal()

    def __init__(self, tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.display: Any = None
        self._asked = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = label(self.tr("Reading the notice…"), "hint")
        self.status.setObjectName("noticeStatus")
        self.browser = QTextBrowser()
        self.browser.setObjectName("noticeText")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.acknowledged = label("", "hint")
        self.acknowledged.setObjectName("noticeAcknowledged")
        layout.addWidget(self.status)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.acknowledged)

    def show(self, vault: Any = _UNSET) -> None:
        """`show(vault)` reads the notice for `vault` (None: no vault yet); plain
        `show()` is QWidget's."""
        if vault is _UNSET:
            super().show()
            return
        self._asked += 1
        asked = self._asked
        self.status.setText(self.tr("Reading the notice…"))
        self.status.show()
        self.tasks.submit(
            service("privacy_notice.notice_display"), vault,
            on_done=lambda display: self._shown(asked, display),
            on_error=lambda error: self._failed(asked, error),
        )

    def _shown(self, asked: int, display: Any) -> None:
        if asked != self._asked:  # a newer request is on its way
            return
        self.display = display
        self.status.hide()
        self.browser.setHtml(display.notice.html)
        acks = display.acknowledgements
        if acks:
            newest = acks[0]
            if newest.actor:
                text = self.tr("Version {version} acknowledged by {who} on {when}.")
            else:
                text = self.tr("Version {version} acknowledged on {when}.")
            text = text.format(version=newest.version, who=newest.actor,
                               when=local_datetime(newest.at))
            if display.needs_acknowledgement:
                text += " " + self.tr("This is version {version}, not yet acknowledged.").format(
                    version=display.notice.version)
        else:
            text = self.tr("Version {version}, not yet acknowledged.").format(
                version=display.notice.version)
        self.acknowledged.setText(text)
        self.loaded.emit()

    def _failed(self, asked: int, error: UserError) -> None:
        if asked == self._asked:
            self.status.setText(error.message)
            self.status.show()

    def text(self) -> str:
        return self.browser.toPlainText()


class NoticeDialog(QDialog):
    """The notice in a window; with `acknowledge`, "I have read this" records it."""

    acknowledged = Signal()

    def __init__(self, tasks: Any, vault: Any, parent: QWidget | None = None,
                 acknowledge: bool = False) -> None:
        super().__init__(parent)
        self.tasks, self.vault = tasks, vault
        self.setObjectName("noticeDialog")
        self.setWindowTitle(self.tr("{app} privacy notice").format(app=APP_NAME))
        self.resize(680, 620)
        layout = QVBoxLayout(self)
        if acknowledge:
            intro = label(
                self.tr("Please read how Crasme Desktop keeps and protects the data in this vault. "
                "It is shown once for each version of the notice."), "description")
            layout.addWidget(intro)
        self.view = NoticeView(tasks, self)
        layout.addWidget(self.view, 1)
        self.error = FieldError("noticeError")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.read_button: QPushButton | None = None
        if acknowledge:
            self.read_button = buttons.addButton(self.tr("I have read this"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
            self.read_button.setObjectName("noticeRead")
            self.read_button.setDefault(True)
            self.read_button.setEnabled(False)
            self.read_button.clicked.connect(self._acknowledge)
            later = buttons.addButton("Later", QDialogButtonBox.ButtonRole.RejectRole)
            later.setObjectName("noticeLater")
            later.clicked.connect(self.reject)
            self.view.loaded.connect(lambda: self.read_button and
                                     self.read_button.setEnabled(vault is not None))
        else:
            close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
            close.setObjectName("noticeClose")
            close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.view.show(vault)

    def _acknowledge(self) -> None:
        assert self.read_button is not None  # nosec B101  # narrows a type the code above guarantees
        self.read_button.setEnabled(False)
        self.tasks.submit(service("privacy_notice.acknowledge"), self.vault,
                          writes={"privacy"}, on_done=self._done, on_error=self._failed)

    def _done(self, _result: Any) -> None:
        self.acknowledged.emit()
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.error.show_message(error.message)
        if self.read_button is not None:
            self.read_button.setEnabled(True)


class NoticeBar(QFrame):
    """A line above the pages while the open vault has not acknowledged the current
    notice, with a button to read it (it never pops up over the work)."""

    read_requested = Signal()

    def __init__(self, tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._asked = 0
        self.setObjectName("noticeBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 10, 24, 0)
        self.text = label(self.tr("Please read the privacy notice of this vault: it says what "
                          "Crasme Desktop keeps, where, and for how long."), "notice")
        self.read_button = QPushButton(self.tr("Read the notice…"))
        self.read_button.setObjectName("noticeBarRead")
        self.read_button.clicked.connect(self.read_requested)
        row.addWidget(self.text, 1)
        row.addWidget(self.read_button)
        self.hide()

    def check(self, vault: Any) -> None:
        """Show the bar if `vault` has not acknowledged the current notice (read on a
        worker thread)."""
        self._asked += 1
        asked = self._asked
        self.hide()
        self.tasks.submit(service("privacy_notice.needs_acknowledgement"), vault,
                          on_done=lambda needed: asked == self._asked and self.setVisible(
                              bool(needed)),
                          on_error=lambda _error: None)



class _PersonDialog(QDialog):
    """A dialog about one person that reads `privacy_consent.privacy_choices` first."""

    def __init__(self, tasks: Any, vault: Any, person_id: str, title: str,
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.tasks, self.vault, self.person_id = tasks, vault, person_id
        self.choices: Any = None
        self.setWindowTitle(title)
        self.resize(620, 480)
        self.body = QVBoxLayout(self)
        self.heading = label("", "title")
        self.body.addWidget(self.heading)

    def reload(self) -> None:
        self.tasks.submit(service("privacy_consent.privacy_choices"), self.vault,
                          self.person_id, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, choices: Any) -> None:
        self.choices = choices
        self.fill(choices)

    def fill(self, choices: Any) -> None:  # pragma: no cover - each dialog has its own
        raise NotImplementedError

    def _failed(self, error: UserError) -> None:
        self.error.show_message(error.message)

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    @staticmethod
    def _fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))


class ConsentDialog(_PersonDialog):
    """A person's consent per purpose: the choice now, a form to record a new one, and
    the history with the notice version of each."""

    def __init__(self, tasks: Any, vault: Any, person_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, vault, person_id, "Consent", parent)
        self.setObjectName("consentDialog")
        self.current = label("", "description")
        self.current.setObjectName("consentNow")
        self.body.addWidget(self.current)
        form = QFormLayout()
        self.purpose = QComboBox()
        self.purpose.setObjectName("consentPurpose")
        for key, name in PURPOSES:
            self.purpose.addItem(name, key)
        self.granted = QRadioButton(self.tr("Agreed"))
        self.granted.setObjectName("consentGranted")
        self.withdrawn = QRadioButton(self.tr("Withdrew or refused"))
        self.withdrawn.setObjectName("consentWithdrawn")
        group = QButtonGroup(self)
        group.addButton(self.granted)
        group.addButton(self.withdrawn)
        self.withdrawn.setChecked(True)
        choice = QHBoxLayout()
        choice.addWidget(self.granted)
        choice.addWidget(self.withdrawn)
        choice.addStretch(1)
        self.source = QLineEdit()
        self.source.setObjectName("consentSource")
        self.source.setPlaceholderText(self.tr("Phone call, signed form, email of 3 March…"))
        self.source.setMaxLength(100)
        form.addRow(self.tr("Purpose"), self.purpose)
        form.addRow(self.tr("Choice"), choice)
        form.addRow(self.tr("Where it came from"), self.source)
        self.body.addLayout(form)
        self.error = FieldError("consentError")
        self.body.addWidget(self.error)
        self.record_button = QPushButton(self.tr("Record choice"))
        self.record_button.setObjectName("consentRecord")
        self.record_button.clicked.connect(self._record)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_button)
        self.body.addLayout(row)
        self.body.addWidget(label(self.tr("History"), "section"))
        self.history = self._table("consentHistory",
                                   [self.tr("When"), self.tr("Purpose"), self.tr("Choice"),
                                    self.tr("From"), self.tr("Notice")])
        self.body.addWidget(self.history, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.body.addWidget(close)
        self.reload()

    def fill(self, choices: Any) -> None:
        person = choices.person
        self.heading.setText(self.tr("Consent of {name}").format(name=person.name))
        now = ", ".join(
            self.tr("{purpose}: yes").format(purpose=_purpose_name(k)) if v
            else self.tr("{purpose}: no").format(purpose=_purpose_name(k))
            for k, v in person.consents.items())
        text = self.tr("Now: {choices}.").format(choices=now)
        if person.restricted:
            text += " " + self.tr("Restricted: nobody may contact them.")
        self.current.setText(text)
        self._fill_table(self.history, [
            (local_datetime(c.at), _purpose_name(c.purpose),
             self.tr("Agreed") if c.granted else self.tr("Withdrew"), c.source, c.notice_version)
            for c in choices.consents
        ])

    def _record(self) -> None:
        self.error.show_message("")
        self.record_button.setEnabled(False)
        self.tasks.submit(
            service("privacy_consent.record_consent"), self.vault, self.person_id,
            self.purpose.currentData(), self.granted.isChecked(),
            source=self.source.text(), writes=WRITES,
            on_done=self._recorded, on_error=self._record_failed,
        )

    def _recorded(self, _result: Any) -> None:
        self.record_button.setEnabled(True)
        self.source.clear()
        self.reload()

    def _record_failed(self, error: UserError) -> None:
        self.record_button.setEnabled(True)
        self.error.show_message(error.message)


class RestrictionDialog(_PersonDialog):
    """Restrict a person's data, or lift the restriction; each with a reason."""

    def __init__(self, tasks: Any, vault: Any, person_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, vault, person_id, "Restriction", parent)
        self.setObjectName("restrictionDialog")
        self.state = label("", "description")
        self.state.setObjectName("restrictionState")
        self.body.addWidget(self.state)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("restrictionReason")
        self.reason.setPlaceholderText(self.tr("The reason (kept with the person's record)"))
        self.reason.setFixedHeight(72)
        self.body.addWidget(self.reason)
        self.error = FieldError("restrictionError")
        self.body.addWidget(self.error)
        self.action = QPushButton(self.tr("Restrict"))
        self.action.setObjectName("restrictionAction")
        self.action.setEnabled(False)
        self.action.clicked.connect(self._act)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.action)
        self.body.addLayout(row)
        self.body.addWidget(label(self.tr("History"), "section"))
        self.history = self._table("restrictionHistory",
                                   [self.tr("Restricted"), self.tr("Why"), self.tr("Lifted"),
                                    self.tr("Why lifted")])
        self.body.addWidget(self.history, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.body.addWidget(close)
        self.reload()

    def fill(self, choices: Any) -> None:
        person = choices.person
        self.heading.setText(self.tr("Restriction of {name}").format(name=person.name))
        if person.restricted:
            since = local_datetime(person.restriction.started_at)
            self.state.setText(self.tr(
                "{name} is restricted since {since}: their record can be read but "
                "not changed, emailed or included in list exports. To lift the "
                "restriction, say why.").format(name=person.name, since=since))
            self.action.setText(self.tr("Lift restriction"))
        else:
            self.state.setText(self.tr(
                "While restricted, the record of {name} can be read but not changed, "
                "emailed or included in list exports. Say why it is restricted.").format(
                    name=person.name))
            self.action.setText(self.tr("Restrict"))
        self.action.setEnabled(True)
        self._fill_table(self.history, [
            (local_datetime(r.started_at), r.start_reason,
             local_datetime(r.lifted_at) if r.lifted_at else "", r.lift_reason)
            for r in choices.restrictions
        ])

    def _act(self) -> None:
        if self.choices is None:
            return
        self.error.show_message("")
        self.action.setEnabled(False)
        lifting = self.choices.person.restricted
        name = "privacy_consent.lift_restriction" if lifting else "privacy_consent.restrict"
        self.tasks.submit(service(name), self.vault, self.person_id,
                          self.reason.toPlainText(), writes=WRITES,
                          on_done=self._acted, on_error=self._act_failed)

    def _acted(self, _result: Any) -> None:
        self.reason.clear()
        self.reload()

    def _act_failed(self, error: UserError) -> None:
        self.action.setEnabled(True)
        self.error.show_message(error.message)
