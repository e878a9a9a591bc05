"""The Dashboard shows its figures and dates the way the user's locale writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crasme_desktop.services.dashboard import DashboardSummary
from crasme_desktop.ui.pages.dashboard import DashboardPage
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale


@pytest.fixture
def german():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def test_figures_and_dates_follow_the_locale(qtbot, german):
    page = DashboardPage(TaskRunner())
    qtbot.addWidget(page)
    page.vault = object()  # attached: figures are shown (nothing is read from it here)
    page._show(DashboardSummary(1234567, 8901, 0, datetime(2025, 3, 9, 12, 0, tzinfo=UTC)))
    assert page.tiles["people"].value.text() == "1.234.567"
    assert page.tiles["organizations"].value.text() == "8.901"
    assert page.tiles["last_changed"].value.text() == "09.03.25"
