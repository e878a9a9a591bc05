"""The ticket pane of the Tickets page: what the ticket is, when it is due, its thread,
and the box to answer in.

Header: number and subject, the SLA's due state ("Reply due in 1 h 20 min", in the
warning colour when due soon, in red once breached), requester (a link that opens the
person), company, status, priority, category, assignee, tags, the linked invoice and
jobs. The due state is read again every minute (`REFRESH_MS`), so it counts down while
the ticket is on screen.

Thread, oldest first: the customer's messages on white, public replies tinted blue,
internal notes yellow with "Internal note" on top, so a note is never mistaken for
something the customer saw. Attachments are listed with Save…; a reply whose email
failed says why, with Retry.

The box: "Reply" or "Internal note" (R and N on the list switch to it), Canned reply…
(its placeholders filled from the ticket by the service), Attach file…, and
Send (Ctrl+Enter). A reply is saved first and then emailed through the support
mailbox's reply path (`ticket_mail.send_reply`) on the task runner; a failure keeps
the reply in the thread, marked failed, and shows the sentence. Solve/Reopen and
Merge… (into another ticket, by number) act on the ticket shown.

Dialogs that ask something (`ask_text`, `confirm`, `choose_files`, `choose_save_path`,
`ask_password`) are attributes, so tests answer them without a modal loop.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import (
    FieldError,
    LatestLoader,
    TagChips,
    ask_open_paths,
    ask_save_path,
    link,
    link_button,
    local_datetime,
    text_label,
)

NO_TICKET = "Choose a ticket in the list to read and answer it."
#: How often the due state is read again while a ticket is shown.
REFRESH_MS = 60_000
#: Due soon, and paused clocks: dark amber, readable on white.
WARNING = "#8a5a00"
STATUS_TEXT = {"new": "New", "open": "Open", "pending": "Pending", "on_hold": "On hold",
               "solved": "Solved", "closed": "Closed"}
PRIORITY_TEXT = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
#: What a reply may do to the status besides answering.
AFTER_REPLY = (("", "and keep the status"), ("pending", "and set pending"),
               ("on_hold", "and set on hold"), ("solved", "and set solved"))
_CARD_STYLES = {
    "customer": "QFrame#threadMessage { background: #ffffff; border: 1px solid #dfe4ea;"
                " border-radius: 8px; }",
    "reply": "QFrame#threadMessage { background: #eef5f9; border: 1px solid #c9dde8;"
             " border-radius: 8px; }",
    "note": "QFrame#threadMessage { background: #fff6d6; border: 1px solid #ecd98f;"
            " border-radius: 8px; }",
}
_NOTE_BOX_STYLE = "QPlainTextEdit { background: #fffbea; }"
_MODE_STYLE = (f"QPushButton:checked {{ background: #e3eef4; border: 1px solid {theme.ACCENT};"
               f" color: {theme.ACCENT_DARK}; }}")


# -- worker jobs -----------------------------------------------------------------------
@dataclass(frozen=True)
class SendOutcome:
    """What became of one reply's email: sent, not sent (why), or a password to type."""

    message_id: str
    error: str = ""
    needs_password: bool = False
    #: The reply was kept but not emailed: the requester has no address.
    kept_only: bool = False


def read_files(paths: Sequence[Path]) -> list[tuple[str, str, bytes]]:
    """The chosen files as attachments (name, media type "" = guessed, bytes)."""
    out = []
    for path in paths:
        try:
            out.append((path.name, "", Path(path).read_bytes()))
        except OSError:
            raise UserError(f"The file “{path.name}” could not be read; check that it is "
                            "still there and try again.") from None
    return out


def deliver(vault: Any, message_id: str, password: str | None = None) -> SendOutcome:
    """Email one saved reply; a refusal comes back as its sentence, not as an error,
    because the reply itself is saved either way."""
    try:
        service("ticket_mail.send_reply")(vault, message_id, password=password)
    except UserError as exc:
        return SendOutcome(message_id, exc.message, bool(getattr(exc, "needs_password",
                                                                 False)))
    return SendOutcome(message_id)


def reply_and_send(vault: Any, ticket_id: str, body: str, paths: Sequence[Path],
                   status: str | None) -> SendOutcome:
    files = read_files(paths)
    message = service("tickets.add_reply")(vault, ticket_id, body, files, send=True,
                                           status=status or None)
    if message.mail_status != "sending":
        return SendOutcome(message.id, kept_only=True)
    return deliver(vault, message.id)


def add_note(vault: Any, ticket_id: str, body: str, paths: Sequence[Path]) -> Any:
    return service("tickets.add_note")(vault, ticket_id, body, read_files(paths))


def merge_into(vault: Any, source_id: str, number: str, allow: bool) -> tuple[str, Any]:
    """("confirm", sentence) when the two tickets have different requesters and that is
    not yet allowed; else ("merged", the target's record)."""
    text = number.strip().lstrip("#").strip()
    target_id = service("tickets.find_ticket_by_number")(vault, text) if text else None
    if target_id is None:
        shown = f"#{text}" if text else "that number"
        raise UserError(f"There is no ticket {shown}; check the number and try again.")
    if not allow:
        source = service("tickets.get_ticket")(vault, source_id)
        target = service("tickets.get_ticket")(vault, target_id)
        if source.id != target.id and source.requester_id != target.requester_id:
            return "confirm", (
                f"Ticket #{source.number} is from {source.requester_name or 'someone'} and "
                f"#{target.number} from {target.requester_name or 'someone else'}. Merge "
                "them anyway?")
    return "merged", service("tickets.merge_tickets")(
        vault, source_id, target_id, allow_different_requesters=allow)


def size_text(size: int) -> str:
    return QLocale().formattedDataSize(size, 1,
                                       QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def due_colour(due: Any) -> str:
    """The colour a due state is shown in ("" for the usual ink)."""
    if due.breached:
        return theme.DANGER
    if due.due_soon or due.paused:
        return WARNING
    return ""


# -- the thread ------------------------------------------------------------------------
class MessageCard(QFrame):
    """One message of the thread."""

    def __init__(self, message: Any, *, on_save: Callable[[Any], None],
                 on_retry: Callable[[str], None], sending: bool) -> None:
        super().__init__()
        self.setObjectName("threadMessage")
        self.message = message
        self.setProperty("kind", message.kind)
        self.setStyleSheet(_CARD_STYLES.get(message.kind, _CARD_STYLES["customer"]))
        what = {"customer": "", "reply": "Reply", "note": "Internal note"}.get(message.kind, "")
        who = message.author or message.author_email or "Someone"
        head = QHBoxLayout()
        head.setSpacing(8)
        if what:
            badge = QLabel(what)
            badge.setObjectName("messageKind")
            badge.setStyleSheet("font-weight: 600; color: %s;"
                                % ("#7a5c00" if message.kind == "note" else theme.ACCENT_DARK))
            head.addWidget(badge)
        author = text_label(who, name="messageAuthor")
        author.setStyleSheet("font-weight: 600;")
        author.setWordWrap(False)
        author.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        author.setToolTip(message.author_email)
        head.addWidget(author, 1)
        when = text_label(local_datetime(message.occurred_at), "hint", name="messageDate")
        when.setWordWrap(False)
        head.addWidget(when)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 10)
        box.setSpacing(4)
        box.addLayout(head)
        self.body = text_label(message.body or "(no text)", name="messageBody")
        box.addWidget(self.body)
        self.save_buttons: list[QPushButton] = []
        for info in message.attachments:
            row = QHBoxLayout()
            row.setSpacing(10)
            name = text_label(f"📎 {info.filename}", name="messageAttachment")
            row.addWidget(name, 1)
            row.addWidget(text_label(size_text(info.size), "hint"))
            save = link_button("Save…", "saveMessageAttachment")
            save.clicked.connect(lambda _=False, i=info: on_save(i))
            self.save_buttons.append(save)
            row.addWidget(save)
            box.addLayout(row)
        self.mail_state: QLabel | None = None
        self.retry_button: QPushButton | None = None
        if message.kind == "reply" and message.mail_status:
            state_row = QHBoxLayout()
            text, colour = self._mail_text(message, sending)
            self.mail_state = text_label(text, "hint", name="messageMailState")
            if colour:
                self.mail_state.setStyleSheet(f"color: {colour};")
            state_row.addWidget(self.mail_state, 1)
            if message.mail_status in ("failed", "sending") and not sending:
                self.retry_button = link_button("Retry", "retrySend")
                self.retry_button.setToolTip("Send this reply by email again")
                self.retry_button.clicked.connect(lambda: on_retry(message.id))
                state_row.addWidget(self.retry_button)
            box.addLayout(state_row)

    @staticmethod
    def _mail_text(message: Any, sending: bool) -> tuple[str, str]:
        if message.mail_status == "sent":
            return "Emailed to the customer", ""
        if sending:
            return "Sending…", ""
        if message.mail_status == "failed":
            return f"Not sent: {message.mail_error}", theme.DANGER
        return "Not sent yet", WARNING


class ThreadView(QScrollArea):
    """The messages, oldest at the top; opening a ticket scrolls to the newest."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ticketThread")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = QWidget()
        self.inner.setObjectName("threadInner")
        self.setStyleSheet("QScrollArea#ticketThread, QWidget#threadInner "
                           "{ background: transparent; }")
        self.column = QVBoxLayout(self.inner)
        self.column.setContentsMargins(0, 4, 8, 4)
        self.column.setSpacing(8)
        self.column.addStretch(1)
        self.setWidget(self.inner)
        self.cards: list[MessageCard] = []
        self._to_end = False
        # Cards get their height once laid out: follow the range until then.
        self.verticalScrollBar().rangeChanged.connect(
            lambda _low, high: self.verticalScrollBar().setValue(high) if self._to_end else None)
        # Once the person scrolls, the thread stays where they put it.
        self.verticalScrollBar().actionTriggered.connect(self._stop_following)

    def _stop_following(self, _action: int = 0) -> None:
        self._to_end = False

    def show_messages(self, messages: Sequence[Any], *, on_save: Callable[[Any], None],
                      on_retry: Callable[[str], None], sending: set[str],
                      scroll_to_end: bool) -> None:
        keep = self.verticalScrollBar().value()
        self.clear()
        for message in messages:
            card = MessageCard(message, on_save=on_save, on_retry=on_retry,
                               sending=message.id in sending)
            self.cards.append(card)
            self.column.insertWidget(self.column.count() - 1, card)
        bar = self.verticalScrollBar()
        self._to_end = scroll_to_end
        QTimer.singleShot(0, lambda: bar.setValue(bar.maximum() if scroll_to_end else keep))

    def clear(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []


class ReplyBox(QPlainTextEdit):
    """The text of a reply or note; Ctrl+Enter sends (the view connects `submit`)."""

    submit = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ticketReplyText")
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            self.submit.emit()
            return
        super().keyPressEvent(event)


# -- the pane --------------------------------------------------------------------------
class TicketView(QWidget):
    """One ticket. `record_requested(kind, id)` asks the window to show a person,
    company or invoice."""

    record_requested = Signal(str, str)
    #: A short sentence for the page's status line ("Reply sent.").
    status_message = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketView")
        self.tasks = tasks
        self.vault: Any = None
        self.record: Any = None
        self.ticket_id = ""
        self.mode = "reply"
        self.files: list[Path] = []
        self.sending: set[str] = set()
        self._loader = LatestLoader(tasks)
        self._canned: list[Any] = []
        self.ask_text: Callable[[str, str], str | None] = self._ask_text
        self.confirm: Callable[[str], bool] = self._confirm
        self.choose_files: Callable[[], list[Path]] = ask_open_paths(self, "Attach files")
        self.choose_save_path: Callable[[Path], Path | None] = ask_save_path(
            self, "Save attachment")
        self.ask_password: Callable[[str], str | None] = self._ask_password

        self.empty = EmptyState("tickets", "No ticket chosen", NO_TICKET)
        self.body = QWidget()
        self._build_header()
        self.thread = ThreadView()
        self._build_reply_box()
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.header)
        column.addWidget(self.thread, 1)
        column.addWidget(self.reply_frame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.empty, 1)
        outer.addWidget(self.body, 1)
        self.body.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.reload)

    # -- building ----------------------------------------------------------------------
    def _build_header(self) -> None:
        self.header = QFrame()
        self.header.setObjectName("ticketHeader")
        self.title = text_label("", name="ticketTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.due = text_label("", name="ticketDue")
        self.due.setStyleSheet("font-weight: 600;")
        self.notice = text_label("", "hint", name="ticketNotice")
        self.notice.setStyleSheet(f"color: {theme.DANGER};")
        self.notice.hide()
        self.requester = self._link_label("ticketRequester")
        self.company = self._link_label("ticketCompany")
        self.status = text_label("", name="ticketStatus")
        self.priority = text_label("", name="ticketPriority")
        self.category = text_label("", name="ticketCategory")
        self.assignee = text_label("", name="ticketAssignee")
        self.tags = TagChips()
        self.links = self._link_label("ticketLinks")
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        wide = (("Requester", self.requester), ("Company", self.company))
        for row, (name, widget) in enumerate(wide):
            grid.addWidget(label(name, "hint", wrap=False), row, 0)
            grid.addWidget(widget, row, 1, 1, 3)
        pairs = (("Status", self.status), ("Priority", self.priority),
                 ("Assignee", self.assignee), ("Category", self.category))
        for n, (name, widget) in enumerate(pairs):
            row, col = divmod(n, 2)
            grid.addWidget(label(name, "hint", wrap=False), row + 2, col * 2)
            grid.addWidget(widget, row + 2, col * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.tags_caption = label("Tags", "hint", wrap=False)
        grid.addWidget(self.tags_caption, 4, 0)
        grid.addWidget(self.tags, 4, 1, 1, 3)
        self.links_caption = label("Linked", "hint", wrap=False)
        grid.addWidget(self.links_caption, 5, 0)
        grid.addWidget(self.links, 5, 1, 1, 3)
        self.solve_button = QPushButton("Solve")
        self.solve_button.setObjectName("ticketSolve")
        self.solve_button.setToolTip("Mark the ticket solved (a customer's answer reopens it)")
        self.solve_button.clicked.connect(self.solve_or_reopen)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setObjectName("ticketMerge")
        self.merge_button.setToolTip("Move this ticket's messages into another ticket, "
                                     "chosen by its number, and close this one")
        self.merge_button.clicked.connect(self.merge)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.due, 1)
        actions.addWidget(self.solve_button)
        actions.addWidget(self.merge_button)
        box = QVBoxLayout(self.header)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(self.title)
        box.addLayout(actions)
        box.addWidget(self.notice)
        box.addLayout(grid)
        rule = QFrame()
        rule.setProperty("role", "rule")
        rule.setFrameShape(QFrame.Shape.HLine)
        box.addWidget(rule)

    def _link_label(self, name: str) -> QLabel:
        out = QLabel()
        out.setObjectName(name)
        out.setTextFormat(Qt.TextFormat.RichText)
        out.setWordWrap(True)
        out.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        out.linkActivated.connect(self._open_link)
        return out

    def _build_reply_box(self) -> None:
        self.reply_frame = QFrame()
        self.reply_frame.setObjectName("ticketReplyFrame")
        self.reply_mode = QPushButton("Reply")
        self.reply_mode.setObjectName("replyMode")
        self.reply_mode.setToolTip("Write to the customer (R)")
        self.note_mode = QPushButton("Internal note")
        self.note_mode.setObjectName("noteMode")
        self.note_mode.setToolTip("Write a note only the office sees (N)")
        group = QButtonGroup(self)
        for button in (self.reply_mode, self.note_mode):
            button.setStyleSheet(_MODE_STYLE)
            button.setCheckable(True)
            button.setAutoDefault(False)
            group.addButton(button)
        self.reply_mode.setChecked(True)
        self.reply_mode.clicked.connect(lambda: self.set_mode("reply"))
        self.note_mode.clicked.connect(lambda: self.set_mode("note"))
        self.canned_button = QPushButton("Canned reply…")
        self.canned_button.setObjectName("insertCanned")
        self.canned_button.setToolTip("Insert a saved answer, filled in for this ticket")
        self.canned_menu = QMenu(self.canned_button)
        self.canned_menu.aboutToShow.connect(self._fill_canned_menu)
        self.canned_button.setMenu(self.canned_menu)
        self.attach_button = QPushButton("Attach file…")
        self.attach_button.setObjectName("attachToReply")
        self.attach_button.clicked.connect(self.attach_files)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.reply_mode)
        top.addWidget(self.note_mode)
        top.addStretch(1)
        top.addWidget(self.canned_button)
        self.text = ReplyBox()
        self.text.setFixedHeight(78)
        self.text.submit.connect(self.submit)
        self.file_list = text_label("", "hint", name="replyFiles")
        self.after = QComboBox()
        self.after.setObjectName("replyAfter")
        for value, text in AFTER_REPLY:
            self.after.addItem(text, value)
        self.after.setToolTip("What happens to the ticket's status with this reply")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendReply")
        self.send_button.setProperty("primary", True)
        self.send_button.setToolTip("Send the reply by email (Ctrl+Enter)")
        self.send_button.clicked.connect(self.submit)
        self.error = FieldError("replyError")
        bottom = QHBoxLayout()
        bottom.setSpacing(6)
        bottom.addWidget(self.attach_button)
        bottom.addWidget(self.file_list, 1)
        bottom.addWidget(self.after)
        bottom.addWidget(self.send_button)
        box = QVBoxLayout(self.reply_frame)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(top)
        box.addWidget(self.text)
        box.addWidget(self.error)
        box.addLayout(bottom)
        self.set_mode("reply")

    # -- life cycle --------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.apply_permissions()
        self.load_canned()

    def apply_permissions(self) -> None:
        """Replying, notes, Solve and Merge change the ticket: a role without
        tickets.edit sees no reply box and the two buttons disabled, saying why."""
        editable = allowed(self.vault, "tickets.edit")
        self.reply_frame.setVisible(editable)
        done = self.record is not None and self.record.status in ("solved", "closed")
        closed = self.record is not None and self.record.status == "closed"
        solve_tip = ("Open the ticket again" if done else
                     "Mark the ticket solved (a customer's answer reopens it)")
        if gate(self.solve_button, self.vault, "tickets.edit", tip=solve_tip):
            self.solve_button.setEnabled(not closed)
        if gate(self.merge_button, self.vault, "tickets.edit",
                tip="Move this ticket's messages into another ticket, chosen by its "
                    "number, and close this one"):
            self.merge_button.setEnabled(not closed)

    def clear(self) -> None:
        """Forget the vault, the ticket and everything typed."""
        self.vault = None
        self._loader.reset()
        self.timer.stop()
        self.record, self.ticket_id = None, ""
        self.text.clear()
        self.files = []
        self._show_files()
        self.sending.clear()
        self._canned = []
        self.thread.clear()
        self.error.clear_message()
        self.body.hide()
        self.empty.show()

    def show_ticket(self, ticket_id: str) -> None:
        """Show this ticket (what was typed for another ticket is kept for it only if
        it is the same one)."""
        if self.vault is None:
            return
        if ticket_id != self.ticket_id:
            self.text.clear()
            self.files = []
            self._show_files()
            self.error.clear_message()
            self.after.setCurrentIndex(0)
        self.ticket_id = ticket_id
        if not ticket_id:
            self.record = None
            self.timer.stop()
            self.body.hide()
            self.empty.text.setText(NO_TICKET)
            self.empty.show()
            return
        self.reload()

    def reload(self) -> None:
        if self.vault is None or not self.ticket_id:
            return
        wanted = self.ticket_id
        self._loader.request(service("tickets.get_ticket"), self.vault, wanted,
                             on_done=lambda r: self._arrived(wanted, r),
                             on_error=self._gone)

    def load_canned(self) -> None:
        if self.vault is not None:
            self.tasks.submit(service("canned_replies.list_canned"), self.vault,
                              on_done=self._canned_arrived, on_error=lambda _e: None)

    def _canned_arrived(self, replies: list[Any]) -> None:
        if self.vault is not None:
            self._canned = list(replies)

    def _gone(self, error: UserError) -> None:
        self.record = None
        self.timer.stop()
        self.body.hide()
        self.empty.text.setText(error.message)
        self.empty.show()

    def _arrived(self, ticket_id: str, record: Any) -> None:
        if self.vault is None or ticket_id != self.ticket_id:
            return
        same = self.record is not None and self.record.id == record.id
        before = len(self.record.messages) if same else -1
        self.record = record
        self._show_header(record)
        self.thread.show_messages(record.messages, on_save=self.save_attachment,
                                  on_retry=self.retry, sending=self.sending,
                                  scroll_to_end=not same or len(record.messages) != before)
        self.empty.hide()
        self.body.show()
        if not self.timer.isActive():
            self.timer.start()

    def _show_header(self, r: Any) -> None:
        self.title.setText(f"#{r.number}  {r.subject}")
        self.due.setText(r.due.text)
        colour = due_colour(r.due)
        self.due.setStyleSheet(f"font-weight: 600; color: {colour};" if colour
                               else "font-weight: 600;")
        if r.due.due_at is not None and not r.due.paused and r.status not in ("solved",
                                                                              "closed"):
            from datetime import UTC

            self.due.setToolTip(f"Due {local_datetime(r.due.due_at.replace(tzinfo=UTC))}"
                                " (counted in business hours)")
        else:
            self.due.setToolTip("")
        who = r.requester_name or r.requester_email or "Nobody"
        requester = link(f"person:{r.requester_id}", who) if r.requester_id else who
        self.requester.setText(requester)
        self.requester.setToolTip(r.requester_email)
        self.company.setText(link(f"organization:{r.organization_id}", r.organization_name)
                             if r.organization_id else "—")
        self.status.setText(STATUS_TEXT.get(r.status, r.status))
        self.priority.setText(PRIORITY_TEXT.get(r.priority, r.priority))
        self.priority.setStyleSheet(f"color: {theme.DANGER}; font-weight: 600;"
                                    if r.priority == "urgent" else "")
        self.category.setText(r.category or "—")
        self.assignee.setText(r.assignee_name or "Unassigned")
        self.tags.set_tags(r.tags)
        self.tags_caption.setVisible(bool(r.tags))
        parts = []
        if r.invoice is not None:
            parts.append(link(f"invoice:{r.invoice.id}",
                              f"Invoice {r.invoice.number or '(draft)'}"))
        for job in r.jobs:
            parts.append(f"Job {job.number}: {_escape(job.title)} ({job.status})")
        self.links.setText(" · ".join(parts))
        self.links.setVisible(bool(parts))
        self.links_caption.setVisible(bool(parts))
        notes = []
        if r.restricted:
            notes.append("The requester's data is restricted: do not answer or change "
                         "this ticket until the restriction is lifted on the Privacy page.")
        if r.merged_into_number is not None:
            notes.append(f"Merged into ticket #{r.merged_into_number}.")
        self.notice.setText(" ".join(notes))
        self.notice.setVisible(bool(notes))
        done = r.status in ("solved", "closed")
        self.solve_button.setText("Reopen" if done else "Solve")
        self.solve_button.setToolTip("Open the ticket again" if done
                                     else "Mark the ticket solved (a customer's answer "
                                          "reopens it)")
        self.solve_button.setEnabled(r.status != "closed")
        self.merge_button.setEnabled(r.status != "closed")
        self.reply_frame.setEnabled(r.status != "closed")
        self.apply_permissions()

    # -- links and files ---------------------------------------------------------------
    def _open_link(self, href: str) -> None:
        kind, _, record_id = href.partition(":")
        if kind and record_id:
            self.record_requested.emit(kind, record_id)

    def save_attachment(self, info: Any) -> None:
        target = self.choose_save_path(Path.home() / info.filename)
        if target is None or self.vault is None:
            return
        self.tasks.submit(service("attachments.save_attachment"), self.vault, info.id,
                          target, on_done=lambda _i: self.status_message.emit(
                              f"Saved {info.filename}."),
                          on_error=lambda e: self.error.show_message(e.message))

    def attach_files(self) -> None:
        chosen = self.choose_files()
        if chosen:
            self.files.extend(Path(p) for p in chosen)
            self._show_files()

    def _show_files(self) -> None:
        names = ", ".join(p.name for p in self.files)
        self.file_list.setText(f"📎 {names}" if names else "")

    # -- writing -----------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """"reply" (to the customer) or "note" (internal)."""
        self.mode = mode
        note = mode == "note"
        self.note_mode.setChecked(note)
        self.reply_mode.setChecked(not note)
        self.text.setStyleSheet(_NOTE_BOX_STYLE if note else "")
        self.text.setPlaceholderText(
            "An internal note: only the office sees it" if note
            else "Write to the customer; Ctrl+Enter sends")
        self.send_button.setText("Add note" if note else "Send")
        self.send_button.setToolTip("Add the note to the thread (Ctrl+Enter)" if note
                                    else "Send the reply by email (Ctrl+Enter)")
        self.after.setVisible(not note)

    def start(self, mode: str) -> None:
        """R and N on the list: switch the box and put the cursor in it."""
        if self.record is None or not allowed(self.vault, "tickets.edit"):
            return
        self.set_mode(mode)
        self.text.setFocus()

    def _fill_canned_menu(self) -> None:
        self.canned_menu.clear()
        if not self._canned:
            action = self.canned_menu.addAction("No canned replies yet (Settings › Support desk)")
            action.setEnabled(False)
            return
        for reply in self._canned:
            action = self.canned_menu.addAction(reply.name)
            action.triggered.connect(lambda _=False, c=reply.id: self.insert_canned(c))

    def insert_canned(self, canned_id: str) -> None:
        """Put the canned reply, filled in for this ticket, at the cursor."""
        if self.vault is None or not self.ticket_id:
            return
        self.tasks.submit(service("canned_replies.render_canned"), self.vault, canned_id,
                          self.ticket_id, on_done=self._insert,
                          on_error=lambda e: self.error.show_message(e.message))

    def _insert(self, text: str) -> None:
        self.text.insertPlainText(text)
        self.text.setFocus()

    def submit(self) -> None:
        """Send the reply or add the note, as the box is set."""
        if self.vault is None or self.record is None or not allowed(self.vault, "tickets.edit"):
            return
        body = self.text.toPlainText()
        if not body.strip():
            self.error.show_message("Write something in the box first." if self.mode == "note"
                                    else "Write the reply first; an empty one is not sent.")
            return
        self.error.clear_message()
        self.send_button.setEnabled(False)
        ticket_id, files = self.ticket_id, list(self.files)
        if self.mode == "note":
            self.tasks.submit(add_note, self.vault, ticket_id, body, files,
                              writes={"tickets"}, on_done=lambda _m: self._written(ticket_id),
                              on_error=self._refused)
        else:
            self.tasks.submit(reply_and_send, self.vault, ticket_id, body, files,
                              self.after.currentData() or None, writes={"tickets"},
                              on_done=lambda o: self._replied(ticket_id, o),
                              on_error=self._refused)

    def _refused(self, error: UserError) -> None:
        self.send_button.setEnabled(True)
        self.error.show_message(error.message)

    def _written(self, ticket_id: str) -> None:
        self.send_button.setEnabled(True)
        if ticket_id == self.ticket_id:
            self.text.clear()
            self.files = []
            self._show_files()
            self.after.setCurrentIndex(0)
            self.reload()

    def _replied(self, ticket_id: str, outcome: SendOutcome) -> None:
        self._written(ticket_id)
        self._sent(outcome)

    def _sent(self, outcome: SendOutcome) -> None:
        self.sending.discard(outcome.message_id)
        if outcome.needs_password:
            password = self.ask_password(outcome.error)
            if password:
                self.retry(outcome.message_id, password)
                return
        if outcome.error:
            self.error.show_message(f"The reply is kept in the thread but was not sent: "
                                    f"{outcome.error}")
        elif outcome.kept_only:
            self.status_message.emit("The reply is kept in the thread; it was not emailed, "
                              "because the requester has no email address.")
        else:
            self.status_message.emit("Reply sent.")
        self.reload()

    def retry(self, message_id: str, password: str | None = None) -> None:
        """Email a reply again (after a failure)."""
        if self.vault is None or not allowed(self.vault, "tickets.edit"):
            return
        self.error.clear_message()
        self.sending.add(message_id)
        self.reload()
        self.tasks.submit(deliver, self.vault, message_id, password, writes={"tickets"},
                          on_done=self._sent)

    def solve_or_reopen(self) -> None:
        r = self.record
        if r is None or not allowed(self.vault, "tickets.edit"):
            return
        status = "open" if r.status == "solved" else "solved"
        self.tasks.submit(service("tickets.change_status"), self.vault, r.id, status,
                          writes={"tickets"}, on_done=lambda _r: self.reload(),
                          on_error=lambda e: self.error.show_message(e.message))

    def merge(self) -> None:
        r = self.record
        if r is None or not allowed(self.vault, "tickets.edit"):
            return
        number = self.ask_text("Merge into…",
                               f"Merge ticket #{r.number} into the ticket with number:")
        if not number:
            return
        self._merge(r.id, number, False)

    def _merge(self, source_id: str, number: str, allow: bool) -> None:
        def done(outcome: tuple[str, Any]) -> None:
            kind, value = outcome
            if kind == "confirm":
                if self.confirm(value):
                    self._merge(source_id, number, True)
                return
            self.status_message.emit(f"Merged into ticket #{value.number}.")
            self.reload()

        self.tasks.submit(merge_into, self.vault, source_id, number, allow,
                          writes={"tickets"}, on_done=done,
                          on_error=lambda e: self.error.show_message(e.message))

    # -- dialogs -----------------------------------------------------------------------
    def _ask_text(self, title: str, question: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, question)
        return text if ok else None

    def _ask_password(self, why: str) -> str | None:
        text, ok = QInputDialog.getText(self, APP_NAME, why, QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


def _escape(text: str) -> str:
    return html.escape(text)
