"""The schedule's views: a time grid (one column per person for the team's day, or per
day for one person's week), a board of people by days for the team's week, and the job
cards both are made of.

Time grid: hours run down the left (the whole day, scrolled to the working day at
first), one pixel per `PX_PER_MINUTE` of wall-clock time in the office's zone. A card
sits at its planned start and is as tall as its expected duration; cards that overlap
in one column share its width. Hours outside a person's working day are tinted, a day
they are off is hatched and says why in the column's head, and today's column shows
the current time as a red line.

Cards are coloured by the person's colour (a paler tint for jobs still to do, grey for
done and cancelled ones) and carry the status as a small label. A card with warnings
(overlap, outside working hours, off that day, start outside the agreed window) has an
orange border and a warning sign, and its tooltip lists the sentences.

Moving: drag a card to another time and/or column; the drop snaps to `SNAP_MINUTES`.
The views only say what was asked (`move_requested(job id, new local start, staff id)`);
the page calls the service and reloads. Keyboard: Tab or the arrow keys go from card to
card, Ctrl+Up/Down moves the selected card by 15 minutes, Ctrl+Left/Right by a day,
Ctrl+Shift+Up/Down to the previous or next person, Enter opens it and the context-menu
key (or Shift+F10) opens its menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QDate,
    QLocale,
    QMimeData,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.ui import theme

MIME = "application/x-crasme-job"
SNAP_MINUTES = 15
PX_PER_MINUTE = 0.8
TOP_PAD = 8
GUTTER = 66
HEADER_HEIGHT = 50
MIN_COLUMN = 112
CHIP_HEIGHT = 70
DAY_MINUTES = 24 * 60
ROW_HEAD = 136
#: Colours given to people who have not chosen one, in the order of the staff list.
PALETTE = ("#2f6f8f", "#2e8b57", "#c2410c", "#7c3aed", "#b45309", "#0e7490", "#be185d",
           "#4d7c0f", "#475569")
WARNING = "#c2410c"
GRID_LINE = "#e4e8ed"
HALF_LINE = "#f0f2f5"
OFF_HOURS = "#f5f6f8"
NOW_LINE = "#d93025"
STATUS_LABELS = {"scheduled": "", "on_the_way": "On the way", "in_progress": "In progress",
                 "done": "Done", "cancelled": "Cancelled"}


# -- what the views show ----------------------------------------------------------------
@dataclass(frozen=True)
class GridColumn:
    """One column of the time grid: a person on a day (`staff_id` None: nobody)."""

    day: date
    staff_id: str | None
    title: str
    subtitle: str
    colour: str
    off: str | None = None
    work_start: time | None = None
    work_end: time | None = None
    jobs: tuple[Any, ...] = ()  # ScheduledJob records
    today: bool = False


@dataclass(frozen=True)
class BoardRow:
    """One person's week on the team board: seven cells, Monday to Sunday."""

    staff_id: str | None
    name: str
    subtitle: str
    colour: str
    days: tuple[Any, ...]  # LaneDay records (day, off, jobs)


@dataclass
class _Drop:
    """Where a dragged card would land, for the indicator."""

    rect: QRect = field(default_factory=QRect)
    text: str = ""


# -- small helpers ----------------------------------------------------------------------
def time_text(moment: datetime | time) -> str:
    """A wall-clock time as the person's locale writes it ("09:30" or "9:30 AM")."""
    return QLocale().toString(QTime(moment.hour, moment.minute),
                              QLocale.FormatType.ShortFormat)


def span_text(start: datetime, end: datetime) -> str:
    if start.date() != end.date():
        return f"{time_text(start)}–{date_short(end.date())} {time_text(end)}"
    return f"{time_text(start)}–{time_text(end)}"


def date_short(day: date) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), "ddd d MMM")


def hour_text(hour: int) -> str:
    """The label of an hour line: "07:00" or "7 AM", as the locale counts hours."""
    fmt = QLocale().timeFormat(QLocale.FormatType.ShortFormat)
    if "a" in fmt.lower() and "p" in fmt.lower():
        return QLocale().toString(QTime(hour % 24, 0), "h AP")
    return QLocale().toString(QTime(hour % 24, 0), "HH:mm")


def mix(colour: str, other: str, amount: float) -> QColor:
    """`colour` moved `amount` (0..1) of the way towards `other`."""
    a, b = QColor(colour), QColor(other)
    return QColor(round(a.red() + (b.red() - a.red()) * amount),
                  round(a.green() + (b.green() - a.green()) * amount),
                  round(a.blue() + (b.blue() - a.blue()) * amount))


def minutes_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def snap(minutes: float, step: int = SNAP_MINUTES) -> int:
    return max(0, min(DAY_MINUTES - step, round(minutes / step) * step))


def encode_drag(job_id: str, grab_minutes: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME, QByteArray(f"{job_id}\n{grab_minutes}".encode()))
    return data


def decode_drag(data: QMimeData) -> tuple[str, int] | None:
    if not data.hasFormat(MIME):
        return None
    text = bytes(data.data(MIME).data()).decode()
    job_id, _, grab = text.partition("\n")
    return job_id, int(grab or 0)


def job_sentence(job: Any) -> str:
    """What a screen reader says for a card."""
    parts = [f"{job.label}, {span_text(job.start, job.end)}", job.title]
    if job.customer:
        parts.append(job.customer)
    if STATUS_LABELS.get(job.status):
        parts.append(STATUS_LABELS[job.status])
    if job.warnings:
        parts.append(f"{len(job.warnings)} warning{'s' if len(job.warnings) > 1 else ''}")
    return ", ".join(parts)


def job_tooltip(job: Any) -> str:
    lines = [f"{job.label}: {job.title}", span_text(job.start, job.end)]
    if job.customer:
        lines.append(job.customer + (f" · {job.phone}" if job.phone else ""))
    if job.site_address:
        lines.append(", ".join(p for p in job.site_address.splitlines() if p.strip()))
    lines.append(f"Agreed window {span_text(job.window_start, job.window_end)}")
    if STATUS_LABELS.get(job.status):
        lines.append(STATUS_LABELS[job.status])
    if job.warnings:
        lines.append("")
        lines.extend(f"⚠ {w}" for w in job.warnings)
    return "\n".join(lines)


def _wrapped(painter: QPainter, text: str, width: int, lines: int) -> list[str]:
    """`text` broken at spaces into at most `lines` lines of `width` (the last one is
    elided by the caller's `_line` when it is still too long)."""
    metrics = painter.fontMetrics()
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out.append(" ".join(words))
    return out or [""]


# -- a card -----------------------------------------------------------------------------
class JobCard(QWidget):
    """One job: painted, focusable, draggable. Its view does what a gesture asks."""

    def __init__(self, view: Any, job: Any, colour: str, column: int, *,
                 compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.job = job
        self.colour = colour or theme.ACCENT
        self.column = column
        self.compact = compact
        self._press: QPoint | None = None
        self.setObjectName(f"jobCard_{job.number}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(job_sentence(job))
        self.setAccessibleDescription(" ".join(job.warnings))
        self.setToolTip(job_tooltip(job))
        self.setCursor(Qt.CursorShape.OpenHandCursor if self.movable
                       else Qt.CursorShape.PointingHandCursor)
        if compact:
            self.setFixedHeight(CHIP_HEIGHT)
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def movable(self) -> bool:
        """Open jobs move, when the role may edit the schedule (no drag starts else)."""
        return self.job.status not in ("done", "cancelled") and getattr(self.view, "editable", True)

    def sizeHint(self) -> QSize:
        return QSize(MIN_COLUMN, CHIP_HEIGHT if self.compact else 60)

    # -- painting --------------------------------------------------------------------
    def colours(self) -> tuple[QColor, QColor, QColor]:
        """(fill, bar, ink) for the job's status."""
        status = self.job.status
        if status == "done":
            return QColor("#eef1f4"), mix(self.colour, "#ffffff", 0.45), QColor(theme.MUTED)
        if status == "cancelled":
            return QColor("#f6f7f9"), QColor("#c9d1da"), QColor(theme.QUIET)
        amount = {"on_the_way": 0.74, "in_progress": 0.66}.get(status, 0.86)
        return mix(self.colour, "#ffffff", amount), QColor(self.colour), QColor(theme.INK)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, bar, ink = self.colours()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        focused = self.hasFocus()
        warned = bool(self.job.warnings)
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, fill)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(rect.left(), rect.top(), 4, rect.height()), bar)
        painter.restore()
        if focused:
            painter.setPen(QPen(QColor(theme.ACCENT_DARK), 2.5))
        elif warned:
            painter.setPen(QPen(QColor(WARNING), 1.6))
        else:
            painter.setPen(QPen(mix(self.colour, "#ffffff", 0.55), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 6, 6)
        if focused and warned:
            painter.setPen(QPen(QColor(WARNING), 1.2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
        self._paint_text(painter, rect.adjusted(10, 4, -6, -3).toRect(), ink, warned)

    def _paint_text(self, painter: QPainter, inner: QRect, ink: QColor, warned: bool) -> None:
        job = self.job
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        bold = QFont(base)
        bold.setBold(True)
        if job.status == "cancelled":
            bold.setStrikeOut(True)
        muted = QColor(theme.MUTED) if job.status != "cancelled" else ink
        reserved = self._paint_badges(painter, inner, small, ink, warned)
        top = inner.top()
        if self.compact:
            painter.setFont(bold)
            height = painter.fontMetrics().height()
            painter.setPen(QColor(self.colour) if job.status not in ("done", "cancelled")
                           else muted)
            self._line(painter, span_text(job.start, job.end),
                       QRect(inner.left(), top, inner.width() - reserved, height))
            top += height
            painter.setPen(ink)
            for line in _wrapped(painter, job.title, inner.width(), 2):
                self._line(painter, line, QRect(inner.left(), top, inner.width(), height))
                top += height
            top = max(top, inner.top() + 3 * height)
            painter.setFont(small)
            painter.setPen(muted)
            status = STATUS_LABELS.get(job.status, "")
            self._line(painter, " · ".join(p for p in (status, job.customer) if p),
                       QRect(inner.left(), top, inner.width(),
                             painter.fontMetrics().height()))
            return
        painter.setFont(small)
        head_height = painter.fontMetrics().height()
        painter.setPen(muted)
        span = span_text(job.start, job.end)
        if painter.fontMetrics().horizontalAdvance(span) > inner.width() - reserved:
            span = time_text(job.start)
        self._line(painter, span,
                   QRect(inner.left(), top, inner.width() - reserved, head_height))
        top += head_height
        window = f"{job.label} · window {span_text(job.window_start, job.window_end)}"
        address = ", ".join(p.strip() for p in job.site_address.splitlines() if p.strip())
        lines: list[tuple[str, QFont, QColor]] = [(job.title, bold, ink)]
        if job.customer:
            lines.append((job.customer, base, ink))
        lines.append((window, small, muted))
        if address:
            lines.append((address, small, muted))
        for text, font, colour in lines:
            painter.setFont(font)
            height = painter.fontMetrics().height()
            if top + height > inner.bottom() + 3:
                break
            painter.setPen(colour)
            self._line(painter, text, QRect(inner.left(), top, inner.width(), height))
            top += height

    def _paint_badges(self, painter: QPainter, inner: QRect, small: QFont, ink: QColor,
                      warned: bool) -> int:
        """The warning sign and the status label at the top right; returns their width."""
        right = inner.right()
        used = 0
        if warned:
            side = 14
            painter.drawPixmap(QRect(right - side + 1, inner.top() + 1, side, side),
                               theme.pixmap("warning", side, WARNING))
            used = side + 4
        status = STATUS_LABELS.get(self.job.status, "")
        if not status or self.compact:
            return used
        painter.setFont(small)
        line = painter.fontMetrics().height()
        width = painter.fontMetrics().horizontalAdvance(status) + 10
        pill = QRect(right - used - width, inner.top(), width, line)
        needed = painter.fontMetrics().horizontalAdvance(time_text(self.job.start) + "  ")
        if pill.left() < inner.left() + needed:
            return used
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 190))
        painter.drawRoundedRect(pill, line / 2, line / 2)
        painter.setPen(ink)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, status)
        return used + width + 4

    @staticmethod
    def _line(painter: QPainter, text: str, rect: QRect) -> None:
        shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                 max(0, rect.width()))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         shown)

    # -- gestures --------------------------------------------------------------------
    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.view.card_focused(self)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not (event.buttons() & Qt.MouseButton.LeftButton):
            return
        if (event.position().toPoint() - self._press).manhattanLength() \
                < QApplication.startDragDistance() or not self.movable:
            return
        grab = 0 if self.compact else int(self._press.y() / PX_PER_MINUTE)
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(encode_drag(self.job.id, grab))
        picture = self.grab()
        drag.setPixmap(picture)
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.view.open_requested.emit(self.job.id)
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.view.menu_requested.emit(self.job, event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.view.open_requested.emit(self.job.id)
        elif key == Qt.Key.Key_F10 and shift:
            centre = self.mapToGlobal(self.rect().center())
            self.view.menu_requested.emit(self.job, centre)
        elif ctrl and shift and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.view.key_move(self.job, lanes=-1 if key == Qt.Key.Key_Up else 1)
        elif ctrl and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = SNAP_MINUTES if key == Qt.Key.Key_Down else -SNAP_MINUTES
            self.view.key_move(self.job, minutes=step)
        elif ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.view.key_move(self.job, days=-1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.view.focus_neighbour(self, key)
        else:
            super().keyPressEvent(event)
            return
        event.accept()


# -- the shared part of both views ------------------------------------------------------
class ScheduleView(QWidget):
    """What the page listens to, whichever view is shown."""

    #: job id, new start (naive, the office's wall clock), staff id ("" keeps it, None:
    #: nobody).
    move_requested = Signal(str, object, object)
    open_requested = Signal(str)
    menu_requested = Signal(object, QPoint)
    #: A double click on an empty place: start (naive wall clock) and staff id or None.
    new_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: list[JobCard] = []
        #: Staff ids in the order Ctrl+Shift+Up/Down walks (set by the page).
        self.lane_order: list[str] = []
        self.selected_id = ""
        #: Whether the acting user may move jobs (schedule.edit); set by the page on
        #: attach. Without it no drag starts and Ctrl+arrows move nothing.
        self.editable = True

    def card(self, job_id: str) -> JobCard | None:
        return next((c for c in self.cards if c.job.id == job_id), None)

    def card_focused(self, card: JobCard) -> None:
        self.selected_id = card.job.id

    def select(self, job_id: str, *, focus: bool = True) -> bool:
        card = self.card(job_id)
        if card is None:
            return False
        self.selected_id = job_id
        if focus:
            card.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ensure_visible(card)
        return True

    def ensure_visible(self, card: JobCard) -> None:
        """Scroll the card into view (the views with a scroll area override this)."""

    def key_move(self, job: Any, *, minutes: int = 0, days: int = 0, lanes: int = 0) -> None:
        if job.status in ("done", "cancelled") or not self.editable:
            return
        start = job.start.replace(tzinfo=None) + timedelta(minutes=minutes, days=days)
        staff: str | None = ""
        if lanes:
            order: list[str | None] = [*self.lane_order, None]
            here = order.index(job.assignee_id) if job.assignee_id in order else len(order) - 1
            there = here + lanes
            if not 0 <= there < len(order):
                return
            staff = order[there]
        self.selected_id = job.id
        self.move_requested.emit(job.id, start, staff)

    def focus_neighbour(self, card: JobCard, key: Qt.Key) -> None:
        """Arrow keys: the next card down/up in the column, or the nearest one in the
        column left/right."""
        same = sorted((c for c in self.cards if c.column == card.column),
                      key=lambda c: (c.job.start, c.job.number))
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            index = same.index(card) + (1 if key == Qt.Key.Key_Down else -1)
            if 0 <= index < len(same):
                same[index].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        step = 1 if key == Qt.Key.Key_Right else -1
        columns = sorted({c.column for c in self.cards})
        here = columns.index(card.column)
        while 0 <= here + step < len(columns):
            here += step
            there = [c for c in self.cards if c.column == columns[here]]
            if there:
                best = min(there, key=lambda c: abs(minutes_of(c.job.start)
                                                    - minutes_of(card.job.start)))
                best.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def clear(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []


# -- the time grid ----------------------------------------------------------------------
class GridHeader(QWidget):
    """The columns' heads (name, hours or why off), kept in line with the body."""

    def __init__(self, grid: TimeGrid) -> None:
        super().__init__()
        self.grid = grid
        self.setObjectName("scheduleGridHeader")
        self.setFixedHeight(HEADER_HEIGHT)
        self.offset = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QColor(GRID_LINE))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.88)
        painter.setClipRect(QRect(GUTTER, 0, self.width() - GUTTER, self.height()))
        for index, column in enumerate(self.grid.columns):
            left, width = self.grid.body.column_span(index)
            left -= self.offset
            rect = QRect(left + 10, 6, width - 16, self.height() - 12)
            if column.today:
                painter.fillRect(QRect(left, 0, width, self.height() - 1), QColor("#eef5f9"))
            x = rect.left()
            if column.colour:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(column.colour))
                painter.drawEllipse(QRectF(x, rect.top() + 5, 9, 9))
                x += 15
            painter.setFont(bold)
            line = painter.fontMetrics().height()
            painter.setPen(QColor(theme.ACCENT_DARK if column.today else theme.INK))
            title = painter.fontMetrics().elidedText(column.title, Qt.TextElideMode.ElideRight,
                                                     rect.right() - x)
            painter.drawText(QRect(x, rect.top(), rect.right() - x, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
            painter.setFont(small)
            painter.setPen(QColor(WARNING if column.off else theme.MUTED))
            sub = column.off or column.subtitle
            sub = painter.fontMetrics().elidedText(sub, Qt.TextElideMode.ElideRight,
                                                   rect.width())
            painter.drawText(QRect(rect.left(), rect.top() + line + 1, rect.width(),
                                   painter.fontMetrics().height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sub)
            painter.setPen(QColor(GRID_LINE))
            painter.drawLine(left, 8, left, self.height() - 8)


class GridBody(QWidget):
    """Hour lines, shading and the cards; takes drops."""

    def __init__(self, grid: TimeGrid) -> None:
        super().__init__()
        self.grid = grid
        self.setObjectName("scheduleGridBody")
        self.setAcceptDrops(True)
        self.setMinimumHeight(self.day_height())
        self.drop = _Drop()
        self.now: datetime | None = None

    @staticmethod
    def day_height() -> int:
        return TOP_PAD * 2 + round(DAY_MINUTES * PX_PER_MINUTE)

    def sizeHint(self) -> QSize:
        return QSize(GUTTER + MIN_COLUMN * max(1, len(self.grid.columns)), self.day_height())

    # -- geometry ---------------------------------------------------------------------
    def column_span(self, index: int) -> tuple[int, int]:
        """The left edge and width of column `index`: a day someone is off gets half
        the width of a working one, as nothing should be planned there."""
        weights = [0.5 if c.off else 1.0 for c in self.grid.columns] or [1.0]
        unit = max(MIN_COLUMN, (self.width() - GUTTER) / sum(weights))
        left = GUTTER + round(unit * sum(weights[:index]))
        right = GUTTER + round(unit * sum(weights[:index + 1]))
        return left, right - left

    def columns_right(self) -> int:
        count = len(self.grid.columns)
        return self.column_span(count - 1)[0] + self.column_span(count - 1)[1] if count \
            else GUTTER

    def column_at(self, x: float) -> int:
        count = len(self.grid.columns)
        if not count:
            return -1
        for index in range(count):
            left, width = self.column_span(index)
            if x < left + width:
                return index
        return count - 1

    @staticmethod
    def y_of(minutes: float) -> int:
        return TOP_PAD + round(minutes * PX_PER_MINUTE)

    @staticmethod
    def minutes_at(y: float) -> float:
        return (y - TOP_PAD) / PX_PER_MINUTE

    def card_rect(self, column: int, job: Any, lane: int, lanes: int) -> QRect:
        left, width = self.column_span(column)
        top = minutes_of(job.start)
        day = self.grid.columns[column].day
        end = DAY_MINUTES if job.end.date() > day else minutes_of(job.end)
        end = max(end, top + 20)
        usable = width - 8
        slot = usable / lanes
        x = left + 3 + round(slot * lane)
        return QRect(x, self.y_of(top) + 1, round(slot) - 2, self.y_of(end) - self.y_of(top) - 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.grid.place_cards()

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        columns = self.grid.columns
        for index, column in enumerate(columns):
            left, width = self.column_span(index)
            self._paint_column(painter, column, QRect(left, 0, width, self.height()))
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.86)
        painter.setFont(small)
        right = self.columns_right()
        for hour in range(25):
            y = self.y_of(hour * 60)
            painter.setPen(QColor(GRID_LINE))
            painter.drawLine(GUTTER - 6, y, right, y)
            if hour < 24:
                half = self.y_of(hour * 60 + 30)
                painter.setPen(QPen(QColor(HALF_LINE), 1, Qt.PenStyle.DashLine))
                painter.drawLine(GUTTER, half, right, half)
                painter.setPen(QColor(theme.MUTED))
                painter.drawText(QRect(0, y - 8, GUTTER - 10, 16),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 hour_text(hour))
        painter.setPen(QColor(GRID_LINE))
        for index in range(len(columns)):
            x = self.column_span(index)[0]
            painter.drawLine(x, 0, x, self.height())
        painter.drawLine(right, 0, right, self.height())
        self._paint_now(painter)
        if not self.drop.rect.isNull():
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(theme.ACCENT), 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(47, 111, 143, 40))
            painter.drawRoundedRect(QRectF(self.drop.rect), 6, 6)
            painter.setPen(QColor(theme.ACCENT_DARK))
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.drawText(self.drop.rect.adjusted(8, 4, -4, -4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             self.drop.text)

    def _paint_column(self, painter: QPainter, column: GridColumn, rect: QRect) -> None:
        if column.off:
            painter.fillRect(rect, QColor("#f3f4f6"))
            painter.fillRect(rect, QBrush(QColor("#e3e6ea"), Qt.BrushStyle.BDiagPattern))
            return
        if column.today:
            painter.fillRect(rect, QColor("#fbfdfe"))
        if column.work_start is not None and column.work_end is not None:
            begin = self.y_of(column.work_start.hour * 60 + column.work_start.minute)
            end = self.y_of(column.work_end.hour * 60 + column.work_end.minute)
            painter.fillRect(QRect(rect.left(), 0, rect.width(), begin), QColor(OFF_HOURS))
            painter.fillRect(QRect(rect.left(), end, rect.width(), rect.height() - end),
                             QColor(OFF_HOURS))

    def _paint_now(self, painter: QPainter) -> None:
        if self.now is None:
            return
        first = True
        for index, column in enumerate(self.grid.columns):
            if column.day != self.now.date():
                continue
            left, width = self.column_span(index)
            y = self.y_of(minutes_of(self.now))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(NOW_LINE), 1.6))
            painter.drawLine(left, y, left + width, y)
            if first:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(NOW_LINE))
                painter.drawEllipse(QPointF(left + 1, y), 4, 4)
                first = False

    # -- dropping ---------------------------------------------------------------------
    def _target(self, pos: QPointF, grab: int) -> tuple[int, int]:
        column = self.column_at(pos.x())
        return column, snap(self.minutes_at(pos.y()) - grab)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        found = decode_drag(event.mimeData())
        if found is None:
            event.ignore()
            return
        job_id, grab = found
        column, minutes = self._target(event.position(), grab)
        card = self.grid.card(job_id)
        length = card.job.duration_minutes if card is not None else 60
        if column >= 0:
            left, width = self.column_span(column)
            self.drop.rect = QRect(left + 3, self.y_of(minutes), width - 8,
                                   max(22, round(length * PX_PER_MINUTE)))
            who = self.grid.columns[column]
            self.drop.text = f"{time_text(time(minutes // 60, minutes % 60))} · {who.title}"
            self.update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop = _Drop()
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop = _Drop()
        self.update()
        found = decode_drag(event.mimeData())
        if found is None:
            event.ignore()
            return
        job_id, grab = found
        column, minutes = self._target(event.position(), grab)
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        if column >= 0:
            self.grid.dropped(job_id, column, minutes)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        column, minutes = self._target(event.position(), 0)
        if column >= 0:
            target = self.grid.columns[column]
            start = datetime.combine(target.day, time(minutes // 60, minutes % 60))
            self.grid.new_requested.emit(start, target.staff_id)


class TimeGrid(ScheduleView):
    """Columns of one day each (a person on a day) with the hours down the side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleTimeGrid")
        self.columns: list[GridColumn] = []
        self.header = GridHeader(self)
        self.body = GridBody(self)
        self.area = QScrollArea()
        self.area.setObjectName("scheduleGridScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self.body)
        self.area.horizontalScrollBar().valueChanged.connect(self._scrolled)
        frame = QFrame()
        frame.setObjectName("scheduleGridFrame")
        frame.setStyleSheet("QFrame#scheduleGridFrame { background: #ffffff; border: 1px "
                            "solid #e1e6eb; border-radius: 8px; }")
        inside = QVBoxLayout(frame)
        inside.setContentsMargins(1, 1, 1, 1)
        inside.setSpacing(0)
        inside.addWidget(self.header)
        inside.addWidget(self.area, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(frame)
        self._scrolled_once = False

    def _scrolled(self, value: int) -> None:
        self.header.offset = value
        self.header.update()

    def show_columns(self, columns: Sequence[GridColumn], colours: dict[str | None, str],
                     now: datetime | None = None) -> None:
        """Show these columns and their jobs (cards coloured from `colours` by staff id)."""
        keep = self.selected_id
        had_focus = any(c.hasFocus() for c in self.cards)
        self.clear()
        self.columns = list(columns)
        self.body.now = now
        weights = sum(0.5 if c.off else 1.0 for c in self.columns) or 1.0
        self.body.setMinimumWidth(GUTTER + round(MIN_COLUMN * weights))
        for index, column in enumerate(self.columns):
            for job in column.jobs:
                colour = colours.get(job.assignee_id) or column.colour or theme.ACCENT
                card = JobCard(self, job, colour, index, parent=self.body)
                card.show()
                self.cards.append(card)
        self.place_cards()
        self.header.update()
        self.body.update()
        if not self._scrolled_once:
            self.scroll_to_hour(self.first_hour())
            self._scrolled_once = True
        if keep and self.card(keep) is not None:
            self.select(keep, focus=had_focus)

    def first_hour(self) -> int:
        """The hour the view opens at: the working day's start or the first job, less one."""
        starts = [c.work_start.hour for c in self.columns if c.work_start is not None]
        firsts = [c.job.start.hour for c in self.cards]
        hour = min([*starts, *firsts, 7]) if (starts or firsts) else 7
        return max(0, hour - 1)

    def scroll_to_hour(self, hour: int) -> None:
        self.body.adjustSize()
        self.area.verticalScrollBar().setValue(GridBody.y_of(hour * 60) - 4)

    def place_cards(self) -> None:
        by_column: dict[int, list[JobCard]] = {}
        for card in self.cards:
            by_column.setdefault(card.column, []).append(card)
        for column, cards in by_column.items():
            for card, lane, lanes in _side_by_side(cards):
                card.setGeometry(self.body.card_rect(column, card.job, lane, lanes))
        self.header.update()

    def ensure_visible(self, card: JobCard) -> None:
        self.area.ensureWidgetVisible(card, 40, 40)

    def dropped(self, job_id: str, column: int, minutes: int) -> None:
        target = self.columns[column]
        start = datetime.combine(target.day, time(minutes // 60, minutes % 60))
        self.selected_id = job_id
        self.move_requested.emit(job_id, start, target.staff_id)

    def drop_point(self, column: int, minutes: int) -> QPoint:
        """Where in the body a card's top lands at `minutes` in `column` (for tests and
        keyboard-free drops)."""
        left, width = self.body.column_span(column)
        return QPoint(left + width // 2, self.body.y_of(minutes))

    def clear(self) -> None:
        super().clear()
        self.columns = []
        self.body.drop = _Drop()


def _side_by_side(cards: list[JobCard]) -> list[tuple[JobCard, int, int]]:
    """Overlapping cards share their column: (card, its lane, lanes in its cluster)."""
    ordered = sorted(cards, key=lambda c: (c.job.start, -c.job.duration_minutes, c.job.number))
    out: list[tuple[JobCard, int, int]] = []
    cluster: list[tuple[JobCard, int]] = []
    ends: list[datetime] = []
    cluster_end: datetime | None = None

    def close() -> None:
        lanes = max((lane for _c, lane in cluster), default=-1) + 1
        out.extend((card, lane, lanes) for card, lane in cluster)

    for card in ordered:
        start = card.job.start
        end = max(card.job.end, start + timedelta(minutes=20))
        if cluster_end is not None and start >= cluster_end:
            close()
            cluster, ends, cluster_end = [], [], None
        lane = next((i for i, e in enumerate(ends) if e <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        cluster.append((card, lane))
        cluster_end = end if cluster_end is None else max(cluster_end, end)
    close()
    return out


# -- the team's week --------------------------------------------------------------------
class _JobDropTarget:
    """A whole-widget drop target for job cards: lit up (`hover`, read by its
    paintEvent) while a card is over it; a dropped card goes to `job_dropped`. Put it
    before the Qt base class so its event handlers are the ones Qt calls."""

    hover: bool

    def job_dropped(self, job_id: str) -> None:
        raise NotImplementedError

    def _set_hover(self, on: bool) -> None:
        self.hover = on
        self.update()  # type: ignore[attr-defined]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            self._set_hover(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        found = decode_drag(event.mimeData())
        if found is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.job_dropped(found[0])


class DayCell(_JobDropTarget, QFrame):
    """One person on one day of the board: their jobs as chips; takes drops."""

    def __init__(self, board: WeekBoard, row: int, day: Any, today: bool) -> None:
        super().__init__()
        self.board = board
        self.row = row
        self.day: date = day.day
        self.off: str | None = day.off
        if self.off == "not a working day":
            self.off = "Day off"
        self.today = today
        self.hover = False
        self.setObjectName(f"weekCell_{row}_{self.day.isoformat()}")
        self.setAcceptDrops(True)
        self.setMinimumWidth(100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(5, 5, 5, 5)
        self.box.setSpacing(4)
        if self.off:
            note = QLabel(self.off if self.off == "Day off" else f"Off · {self.off}")
            note.setObjectName("weekCellOff")
            note.setStyleSheet(f"color: {WARNING}; font-size: 8.5pt; background: transparent;")
            note.setWordWrap(True)
            self.box.addWidget(note)
        self.setMinimumHeight(CHIP_HEIGHT + 12)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        if self.off:
            painter.fillRect(rect, QColor("#f3f4f6"))
            painter.fillRect(rect, QBrush(QColor("#e3e6ea"), Qt.BrushStyle.BDiagPattern))
        elif self.today:
            painter.fillRect(rect, QColor("#f4f9fb"))
        else:
            painter.fillRect(rect, QColor("#ffffff"))
        if self.hover:
            painter.fillRect(rect, QColor(47, 111, 143, 36))
            painter.setPen(QPen(QColor(theme.ACCENT), 1.5, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.setPen(QColor(GRID_LINE))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

    def job_dropped(self, job_id: str) -> None:
        self.board.dropped(job_id, self.row, self.day)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        staff_id = self.board.rows[self.row].staff_id
        self.board.new_requested.emit(datetime.combine(self.day, time(9, 0)), staff_id)


class WeekBoard(ScheduleView):
    """The team's week: a row per person, a column per day, jobs as chips in order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleWeekBoard")
        self.rows: list[BoardRow] = []
        self.days: list[date] = []
        self.cells: list[DayCell] = []
        self.inner = QWidget()
        self.inner.setObjectName("weekBoardInner")
        self.grid = QGridLayout(self.inner)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(0)
        self.area = QScrollArea()
        self.area.setObjectName("weekBoardScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self.inner)
        frame = QFrame()
        frame.setObjectName("weekBoardFrame")
        frame.setStyleSheet("QFrame#weekBoardFrame { background: #ffffff; border: 1px "
                            "solid #e1e6eb; border-radius: 8px; }")
        inside = QVBoxLayout(frame)
        inside.setContentsMargins(1, 1, 1, 1)
        inside.addWidget(self.area)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(frame)

    def show_rows(self, days: Sequence[date], rows: Sequence[BoardRow],
                  colours: dict[str | None, str], today: date | None = None) -> None:
        keep = self.selected_id
        had_focus = any(c.hasFocus() for c in self.cards)
        self.clear()
        self.days, self.rows = list(days), list(rows)
        self.grid.addWidget(self._corner(), 0, 0)
        for column, day in enumerate(self.days, start=1):
            self.grid.addWidget(self._day_head(day, day == today), 0, column)
            self.grid.setColumnStretch(column, 1)
        for r, row in enumerate(self.rows, start=1):
            self.grid.addWidget(self._row_head(row), r, 0)
            for c, lane_day in enumerate(row.days, start=1):
                cell = DayCell(self, r - 1, lane_day, lane_day.day == today)
                for job in lane_day.jobs:
                    colour = colours.get(job.assignee_id) or row.colour or theme.ACCENT
                    card = JobCard(self, job, colour, (r - 1) * 10 + c - 1, compact=True,
                                   parent=cell)
                    cell.box.addWidget(card)
                    self.cards.append(card)
                cell.box.addStretch(1)
                self.cells.append(cell)
                self.grid.addWidget(cell, r, c)
        self.grid.setRowStretch(len(self.rows) + 1, 1)
        filler = QWidget()
        self.grid.addWidget(filler, len(self.rows) + 1, 0, 1, 8)
        if keep and self.card(keep) is not None:
            self.select(keep, focus=had_focus)

    def _corner(self) -> QWidget:
        corner = QLabel("")
        corner.setFixedWidth(ROW_HEAD)
        corner.setStyleSheet(f"background: #ffffff; border-bottom: 1px solid {GRID_LINE};")
        self._own(corner)
        return corner

    def _day_head(self, day: date, today: bool) -> QWidget:
        locale = QLocale()
        qday = QDate(day.year, day.month, day.day)
        head = QLabel(f"<b>{locale.toString(qday, 'dddd')}</b><br>"
                      f"<span style='color:{theme.MUTED}'>{locale.toString(qday, 'd MMMM')}"
                      "</span>")
        head.setObjectName(f"weekHead_{day.isoformat()}")
        background = "#eef5f9" if today else "#ffffff"
        colour = theme.ACCENT_DARK if today else theme.INK
        head.setStyleSheet(f"background: {background}; color: {colour}; padding: 6px 8px; "
                           f"border-bottom: 1px solid {GRID_LINE}; "
                           f"border-right: 1px solid {GRID_LINE};")
        self._own(head)
        return head

    def _row_head(self, row: BoardRow) -> QWidget:
        head = QWidget()
        head.setObjectName("weekRowHead")
        head.setFixedWidth(ROW_HEAD)
        head.setStyleSheet(f"QWidget#weekRowHead {{ background: #fafbfc; border-bottom: "
                           f"1px solid {GRID_LINE}; border-right: 1px solid {GRID_LINE}; }}")
        line = QHBoxLayout(head)
        line.setContentsMargins(10, 8, 8, 8)
        dot = QLabel()
        dot.setFixedSize(10, 10)
        dot.setStyleSheet(f"background: {row.colour or theme.QUIET}; border-radius: 5px;")
        text = QLabel(f"<b>{_escape(row.name)}</b><br><span style='color:{theme.MUTED};"
                      f"font-size:8.5pt'>{_escape(row.subtitle)}</span>")
        text.setStyleSheet("background: transparent;")
        text.setWordWrap(True)
        line.addWidget(dot, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(text, 1, Qt.AlignmentFlag.AlignTop)
        self._own(head)
        return head

    def _own(self, widget: QWidget) -> None:
        widget.setProperty("weekBoardPart", True)

    def ensure_visible(self, card: JobCard) -> None:
        self.area.ensureWidgetVisible(card, 20, 20)

    def cell(self, row: int, day: date) -> DayCell | None:
        return next((c for c in self.cells if c.row == row and c.day == day), None)

    def dropped(self, job_id: str, row: int, day: date) -> None:
        card = self.card(job_id)
        if card is None:
            return
        start = datetime.combine(day, card.job.start.time().replace(tzinfo=None))
        self.selected_id = job_id
        self.move_requested.emit(job_id, start, self.rows[row].staff_id)

    def clear(self) -> None:
        super().clear()
        self.cells = []
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for column in range(1, 8):
            self.grid.setColumnStretch(column, 0)


# -- jobs nobody has ---------------------------------------------------------------------
class UnassignedPanel(_JobDropTarget, ScheduleView):
    """The day's jobs that nobody is given yet, beside the grid. Drag one onto a person
    to give it to them; drop a card here to take it off its person."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleUnassigned")
        self.setAcceptDrops(True)
        self.setFixedWidth(168)
        self.hover = False
        self.title = QLabel("Unassigned")
        self.title.setObjectName("unassignedTitle")
        self.title.setStyleSheet("font-weight: 600; background: transparent;")
        self.empty = QLabel("Every job of the day has someone. Drop a card here to take it "
                            "off its person.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {theme.MUTED}; font-size: 8.5pt; "
                                 "background: transparent;")
        self.list = QWidget()
        self.list.setObjectName("unassignedList")
        self.list.setStyleSheet("background: transparent;")
        self.rows = QVBoxLayout(self.list)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(6)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self.list)
        area.setStyleSheet("QScrollArea { background: transparent; }")
        area.viewport().setAutoFillBackground(False)
        self.area = area
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 10, 10)
        box.setSpacing(6)
        box.addWidget(self.title)
        box.addWidget(self.empty)
        box.addWidget(area, 1)

    def show_jobs(self, jobs: Sequence[Any], day: date) -> None:
        keep = self.selected_id
        had_focus = any(c.hasFocus() for c in self.cards)
        self.clear()
        self.day = day
        for job in jobs:
            card = JobCard(self, job, "#64748b", 0, compact=True, parent=self.list)
            self.rows.addWidget(card)
            self.cards.append(card)
        self.rows.addStretch(1)
        count = len(jobs)
        self.title.setText(f"Unassigned · {count}" if count else "Unassigned")
        self.empty.setVisible(not count)
        self.setFixedWidth(210 if count else 168)
        if keep and self.card(keep) is not None:
            self.select(keep, focus=had_focus)

    def clear(self) -> None:
        super().clear()
        while self.rows.count():
            self.rows.takeAt(0)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(theme.ACCENT) if self.hover else QColor("#e1e6eb"),
                            1.5 if self.hover else 1,
                            Qt.PenStyle.DashLine if self.hover else Qt.PenStyle.SolidLine))
        painter.setBrush(QColor("#eef5f9") if self.hover else QColor("#fafbfc"))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)

    def job_dropped(self, job_id: str) -> None:
        self.unassign(job_id)

    def unassign(self, job_id: str) -> None:
        """Take the job off its person, at the same time (the page finds the time)."""
        self.selected_id = job_id
        self.move_requested.emit(job_id, None, None)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
