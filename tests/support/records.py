"""Fixtures for the record card and editor GUI tests: an open vault, a task runner.

Test modules import them: `from tests.support.records import runner, vault`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def vault(make_vault: Any, keychain: Any) -> Iterator[Any]:
    """A real, open SQCipher vault (made by the GUI suite's `make_vault`)."""
    from crasme_desktop.vault import open_vault

    created = make_vault(passphrase=PASSPHRASE)
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False,
                    keychain=keychain) as opened:
        yield opened


@pytest.fixture
def runner(qtbot: Any, vault: Any) -> Iterator[Any]:
    """A real TaskRunner; `runner.shown_errors` holds the sentences it would show in a
    box, and any bug fails the test. Depends on `vault`, so that its workers are done
    before the vault closes."""
    from crasme_desktop.ui.tasks import TaskRunner

    crashes: list[BaseException] = []
    shown: list[Any] = []
    tasks = TaskRunner(report_crash=crashes.append, show_error=shown.append)
    tasks.shown_errors = shown  # type: ignore[attr-defined]
    yield tasks
    tasks.invalidate()
    tasks.wait(10_000)
    assert not crashes, f"unexpected bugs reported: {crashes!r}"
