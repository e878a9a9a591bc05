"""Helpers shared by the list page tests: a page on a real vault, with its dialogs
answered by the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.vault import open_vault
from PySide6.QtCore import QLocale
from tests.gui.conftest import PASSPHRASE

WAIT = 20_000


@contextmanager
def opened_vault(make_vault: Any) -> Iterator[Any]:
    """A new vault, unlocked by passphrase, closed afterwards."""
    opened = open_vault(make_vault().path, passphrase=PASSPHRASE, use_keychain=False)
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def shown_page(qtbot: Any, page_class: type) -> Iterator[Any]:
    """A list page in US English on screen, with its dialogs answered by `page.answers`;
    afterwards every task is finished and no bug may have been reported."""
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    page = page_class(tasks)
    tasks.changed.connect(page.on_changed)
    qtbot.addWidget(page)
    page.resize(1200, 640)
    page.show()
    page.answers = Answers(page)
    try:
        yield page
    finally:
        if page.dialog is not None:
            page.dialog.close()
        tasks.invalidate()
        tasks.wait(10_000)
        QLocale.setDefault(usual)
    assert not crashes, crashes


class Answers:
    """Stands in for the page's dialogs: records the questions, gives set answers."""

    def __init__(self, page: Any) -> None:
        self.questions: list[str] = []
        self.confirm = True
        self.text: str | None = None
        self.export: tuple[str, str] | None = None
        self.save_path: str | None = None
        self.export_asked: list[tuple[int, int, tuple[str, ...]]] = []
        page.confirm = self._confirm
        page.ask_text = lambda _title, _prompt, _text: self.text
        page.ask_export = self._export
        page.ask_save_path = lambda _suggested, _fmt: self.save_path

    def _confirm(self, text: str) -> bool:
        self.questions.append(text)
        return self.confirm

    def _export(self, whole: int, selected: int, formats: tuple[str, ...]
                ) -> tuple[str, str] | None:
        self.export_asked.append((whole, selected, formats))
        return self.export


def wait_loaded(qtbot: Any, page: Any, count: int) -> None:
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == count,
                    timeout=WAIT)


def shown_names(page: Any, rows: range) -> list[str]:
    return [page.model.index(r, 0).data() for r in rows]
