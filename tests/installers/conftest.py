"""Installer tests: the About box (offscreen Qt), the wheel a `pipx install` gets, and
the Linux .deb built, unpacked and started on a virtual X display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt's QApplication
