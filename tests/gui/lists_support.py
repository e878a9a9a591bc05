"""Helpers shared by the list page tests: a page on a real vault, with its dialogs
answered by the test."""

from __future__ import annotations

from typing import Any

WAIT = 20_000


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
