"""Forms a role may read but not change: every field read-only, nothing that edits.

An editor opened by someone whose role may view a record but not edit it shows the
same form, titled "View …", with its text fields read-only (they can still be
selected and copied, and show no example text), its choices (combo boxes, check
boxes, radio buttons) disabled, the buttons that add or remove rows hidden, and no
Save: the dialog only closes. `ui/permission_gate.py` decides; this module only
changes the widgets.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QTextEdit,
    QWidget,
)


def make_read_only(root: QWidget, *, keep: Iterable[QWidget] = (),
                   hide_buttons: bool = True) -> None:
    """Make every field under `root` read-only. Push buttons under it are hidden (they
    add, remove or pick things) unless `hide_buttons` is False or they are in `keep`;
    checkable buttons (check boxes, radio buttons) are disabled. Lists stay readable
    but cannot be edited in place."""
    kept = set(keep)
    for widget in root.findChildren(QWidget):
        if widget in kept:
            continue
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox):
            widget.setReadOnly(True)
            if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
                widget.setPlaceholderText("")  # an example to type over reads as data
        elif isinstance(widget, QComboBox | QSlider):
            widget.setEnabled(False)
        elif isinstance(widget, QAbstractButton):
            if widget.isCheckable() and not isinstance(widget, QPushButton):
                widget.setEnabled(False)
            elif hide_buttons and isinstance(widget, QPushButton):
                widget.hide()
        elif isinstance(widget, QAbstractItemView):
            widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            widget.setDragEnabled(False)
            widget.setAcceptDrops(False)
