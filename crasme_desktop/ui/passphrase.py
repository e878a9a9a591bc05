"""Choosing a passphrase: two fields, a plain-words strength hint, one rule (8+ characters).

The hint is a rough guide, not a gate: it rewards length above all, because a few
unrelated words are both easier to remember and harder to guess than a short jumble.
"""

from __future__ import annotations

import math
import string

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget

MIN_LENGTH = 8

#: Passphrases so common that their length says nothing about their strength.
_COMMON = frozenset(
    {
        "password", "passwort", "12345678", "123456789", "1234567890", "qwertyui",
        "qwertyuiop", "iloveyou", "11111111", "00000000", "abcdefgh", "letmein1",
        "password1", "passw0rd", "sunshine", "princess", "football", "baseball",
        "welcome1", "admin123", "qwerty123", "trustno1", "crasme", "crasmedesktop",
    }
)


def passphrase_strength(text: str) -> tuple[int, str]:
    """A score from 0 (unusable) to 4 (strong) and one sentence saying why."""
    translate = QCoreApplication.translate
    if not text:
        return 0, translate(
            "Passphrase", "Use at least {n} characters; a few unrelated words work well."
        ).format(n=MIN_LENGTH)
    if len(text) < MIN_LENGTH:
        return 0, translate("Passphrase", "Too short: use at least {n} characters.").format(
            n=MIN_LENGTH)
    if text.lower().replace(" ", "") in _COMMON or len(set(text)) <= 2:
        return 1, translate("Passphrase", "Very easy to guess: choose something less common.")
    bits = _estimated_bits(text)
    if bits < 45:
        return 1, translate(
            "Passphrase", "Weak: longer is stronger, such as three or four unrelated words.")
    if bits < 65:
        return 2, translate(
            "Passphrase", "Fair: adding another word would make it much stronger.")
    if bits < 85:
        return 3, translate("Passphrase", "Good.")
    return 4, translate("Passphrase", "Strong.")


def _estimated_bits(text: str) -> float:
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(not c.isalnum() for c in text):
        pool += 33
    if any(ord(c) > 127 for c in text):
        pool += 50
    # Repeated characters add little: count distinct ones at full weight, repeats at half.
    effective = len(set(text)) + (len(text) - len(set(text))) / 2
    return effective * math.log2(max(pool, 2))


class PassphraseFields(QWidget):
    """Passphrase twice with a strength hint; `problem()` says what stops it being used."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setObjectName("passphraseFirst")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setObjectName("passphraseSecond")
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setFixedHeight(6)
        self.meter.setTextVisible(False)
        self.hint = QLabel()
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("strengthHint")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(8)
        form.addRow(self.tr("Passphrase"), self.first)
        form.addRow(self.tr("Type it again"), self.second)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form)
        box.addWidget(self.meter)
        box.addWidget(self.hint)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def passphrase(self) -> str:
        return self.first.text()

    def problem(self) -> str | None:
        """Why the passphrase cannot be used yet, or None when it can."""
        text = self.first.text()
        if len(text) < MIN_LENGTH:
            return self.tr("The passphrase needs at least {n} characters.").format(n=MIN_LENGTH)
        if self.second.text() != text:
            return self.tr("The two passphrases are not the same yet.")
        return None

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.first, self.second, self.meter, self.hint):
            widget.setEnabled(enabled)

    def _update(self) -> None:
        score, sentence = passphrase_strength(self.first.text())
        self.meter.setValue(score)
        if self.second.text() and self.second.text() != self.first.text():
            sentence += " " + self.tr("The two passphrases are not the same yet.")
        self.hint.setText(sentence)
        self.changed.emit()
