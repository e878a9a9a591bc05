"""Pure domain rules: ids, settings, progress, errors."""

from __future__ import annotations

import uuid

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import Cancelled, ExitCode, UserError
from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.vault import errors as vault_errors
from tests.support.sentences import assert_one_sentence


def test_ids_are_uuid7_and_sort_in_the_order_made():
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_settings_ignore_unknown_keys_and_wrong_types():
    s = AppSettings.from_dict({"auto_lock_minutes": "ten", "bogus": 1, "last_vault": "/x"})
    assert s.auto_lock_minutes == 10 and s.last_vault == "/x"
    assert AppSettings.from_dict({"auto_lock_minutes": True}).auto_lock_minutes == 10
    assert AppSettings.from_dict({"auto_lock_minutes": 99999}).auto_lock_minutes == 1440
    assert AppSettings.from_dict(AppSettings(auto_lock_minutes=3).to_dict()).auto_lock_minutes == 3


def test_progress_reports_and_cancels():
    seen = []
    p = Progress(lambda d, t, s: seen.append((d, t, s)))
    p.update(1, 4, "one")
    p.cancel()
    with pytest.raises(Cancelled):
        p.update(2, 4, "two")
    assert seen == [(1, 4, "one")]


def test_fake_clock_moves_only_when_told():
    c = FakeClock()
    start, mono = c.now(), c.monotonic()
    c.advance(600)
    assert (c.now() - start).total_seconds() == 600 and c.monotonic() - mono == 600


def test_every_vault_error_is_one_sentence_with_a_distinct_code(tmp_path):
    errors = [
        vault_errors.WrongPassphrase(),
        vault_errors.WrongRecoveryKey(),
        vault_errors.KeyUnavailable(),
        vault_errors.KeychainLocked(),
        vault_errors.KeychainMismatch(),
        vault_errors.NotAVault(tmp_path),
        vault_errors.VaultDamaged(tmp_path),
        vault_errors.VaultReadOnly(tmp_path),
        vault_errors.DiskFull(tmp_path),
        vault_errors.VaultInUse(tmp_path, "process 1"),
        vault_errors.VaultNotFound(tmp_path),
        vault_errors.VaultExists(tmp_path),
    ]
    for error in errors:
        assert isinstance(error, UserError)
        assert_one_sentence(error.message)
    codes = [e.exit_code for e in errors]
    assert len(set(codes)) == len(codes)
    assert ExitCode.OK not in codes and ExitCode.BUG not in codes
