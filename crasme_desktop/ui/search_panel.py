"""The results panel under the search box: hits grouped by kind under headers.

Loaded the first time a search answers, so starting the app does not pay for it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.ui import theme

HIT_ROLE = Qt.ItemDataRole.UserRole
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2  # the same value as search_box.HEADER_ROLE


class _HitDelegate(QStyledItemDelegate):
    """A hit as its title with a quieter subtitle below; a header as small capitals."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        header = bool(index.data(HEADER_ROLE))
        return QSize(option.rect.width(), 26 if header else 44)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        painter.save()
        rect = QRect(option.rect)
        if index.data(HEADER_ROLE):
            font = QFont(option.font)
            font.setBold(True)
            font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
            painter.setFont(font)
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(rect.adjusted(12, 0, -12, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             str(index.data(Qt.ItemDataRole.DisplayRole)).upper())
            painter.restore()
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor("#e3eef4"))
        inner = rect.adjusted(16, 4, -12, -4)
        top, bottom = QRect(inner), QRect(inner)
        top.setHeight(inner.height() // 2)
        bottom.setTop(top.bottom())
        painter.setFont(option.font)
        painter.setPen(QColor(theme.INK))
        elide = Qt.TextElideMode.ElideRight
        metrics = painter.fontMetrics()
        title = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)), elide,
                                   top.width())
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter, title)
        painter.setPen(QColor(theme.MUTED))
        subtitle = metrics.elidedText(str(index.data(SUBTITLE_ROLE) or ""), elide,
                                      bottom.width())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter, subtitle)
        painter.restore()


class SearchPanel(QFrame):
    """The list of hits under the search box (or the sentence saying there are none)."""

    hit_activated = Signal(str, str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.list = QListWidget()
        self.list.setObjectName("searchResults")
        self.list.setItemDelegate(_HitDelegate(self.list))
        self.list.setUniformItemSizes(False)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemClicked.connect(self._clicked)
        self.empty = QLabel()
        self.empty.setObjectName("searchEmpty")
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(14, 12, 14, 12)
        box = QVBoxLayout(self)
        box.setContentsMargins(1, 1, 1, 1)
        box.addWidget(self.list)
        box.addWidget(self.empty)
        self.hide()

    def show_results(self, results: Any) -> None:
        self.list.clear()
        for group in results.groups:
            header = QListWidgetItem(group.label)
            header.setData(HEADER_ROLE, True)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(header)
            for hit in group.hits:
                item = QListWidgetItem(hit.title)
                item.setData(HIT_ROLE, (hit.kind, hit.id))
                item.setData(SUBTITLE_ROLE, hit.subtitle)
                item.setToolTip(hit.subtitle)
                self.list.addItem(item)
        has_hits = bool(self.hit_rows())
        self.list.setVisible(has_hits)
        self.empty.setVisible(not has_hits)
        self.empty.setText("" if has_hits else f"No matches for \u201c{results.text.strip()}\u201d")
        if has_hits:
            self.list.setCurrentRow(self.hit_rows()[0])

    def hit_rows(self) -> list[int]:
        return [r for r in range(self.list.count()) if self.list.item(r).data(HIT_ROLE)]

    def move(self, step: int) -> None:  # type: ignore[override]
        rows = self.hit_rows()
        if not rows:
            return
        current = self.list.currentRow()
        if current not in rows:
            target = rows[0] if step > 0 else rows[-1]
        else:
            target = rows[max(0, min(len(rows) - 1, rows.index(current) + step))]
        self.list.setCurrentRow(target)

    def current_hit(self) -> tuple[str, str] | None:
        item = self.list.currentItem()
        hit = item.data(HIT_ROLE) if item is not None else None
        return (str(hit[0]), str(hit[1])) if hit else None

    def wanted_height(self) -> int:
        if not self.list.isVisible() and self.empty.isVisibleTo(self):
            return self.empty.sizeHint().height() + 4
        rows = sum(self.list.sizeHintForRow(r) for r in range(self.list.count()))
        return min(rows + 8, 440)

    def _clicked(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if hit:
            self.hit_activated.emit(str(hit[0]), str(hit[1]))
