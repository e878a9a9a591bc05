"""Two writers meeting: the one SQLite refuses gets a clear sentence and writes nothing."""

from __future__ import annotations

import threading

import pytest
from crasme_desktop.domain.errors import ExitCode, UserError
from crasme_desktop.domain.models import Setting
from crasme_desktop.vault import open_vault
from crasme_desktop.vault.errors import VaultBusy
from sqlalchemy import select, text


def _set(session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))


def test_a_write_on_a_stale_snapshot_is_refused_clearly_and_leaves_nothing(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault:
        with vault.unit_of_work() as uow:
            _set(uow.session, "busy.a", "0")
        read_done, other_done = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def slow_writer() -> None:
            try:
                with vault.unit_of_work() as uow:
                    uow.session.execute(select(Setting)).all()  # the snapshot starts here
                    read_done.set()
                    assert other_done.wait(10)
                    _set(uow.session, "busy.a", "from the stale writer")
                    uow.session.flush()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert read_done.wait(10)
        with vault.unit_of_work(immediate=True) as uow:
            _set(uow.session, "busy.b", "the other writer's change")
        other_done.set()
        thread.join(20)

        assert len(errors) == 1 and isinstance(errors[0], VaultBusy), errors
        assert isinstance(errors[0], UserError)
        assert errors[0].exit_code == ExitCode.VAULT_BUSY
        assert "at the same moment" in errors[0].message
        assert "try again" in errors[0].message
        with vault.unit_of_work() as uow:
            values = dict(uow.session.execute(
                text("SELECT key, value FROM setting WHERE key LIKE 'busy.%'")).all())
        assert values == {"busy.a": "0", "busy.b": "the other writer's change"}


def test_an_immediate_unit_of_work_waits_its_turn_instead(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault:
        started, release = threading.Event(), threading.Event()

        def holder() -> None:
            with vault.unit_of_work(immediate=True) as uow:
                _set(uow.session, "turn.first", "1")
                started.set()
                release.wait(10)

        thread = threading.Thread(target=holder)
        thread.start()
        assert started.wait(10)
        threading.Timer(0.3, release.set).start()
        with vault.unit_of_work(immediate=True) as uow:  # waits for the lock, then reads
            first = uow.session.get(Setting, "turn.first")
            assert first is not None and first.value == "1"
            _set(uow.session, "turn.second", "2")
        thread.join(10)


@pytest.mark.parametrize("message", ["database is locked", "Database is locked"])
def test_lock_errors_map_to_the_busy_sentence(message, tmp_path):
    import sqlcipher3.dbapi2 as sqlcipher
    from crasme_desktop.vault.engine import map_storage_error

    mapped = map_storage_error(sqlcipher.OperationalError(message), tmp_path / "v.crasme")
    assert isinstance(mapped, VaultBusy)
