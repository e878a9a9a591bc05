"""The log file is rotated at start once it has grown too large."""

from __future__ import annotations

from crasme_desktop.ui.crash import _rotate


def test_a_small_log_stays_where_it_is(tmp_path):
    log = tmp_path / "crasme.log"
    log.write_text("short\n")
    _rotate(log, max_bytes=100, keep=2)
    assert log.read_text() == "short\n"
    assert not (tmp_path / "crasme.log.1").exists()


def test_a_large_log_moves_down_and_the_oldest_is_dropped(tmp_path):
    log = tmp_path / "crasme.log"
    log.write_text("x" * 200)
    (tmp_path / "crasme.log.1").write_text("older")
    (tmp_path / "crasme.log.2").write_text("oldest")
    _rotate(log, max_bytes=100, keep=2)
    assert not log.exists()
    assert (tmp_path / "crasme.log.1").read_text() == "x" * 200
    assert (tmp_path / "crasme.log.2").read_text() == "older"
    assert not (tmp_path / "crasme.log.3").exists()


def test_no_log_yet_is_fine(tmp_path):
    _rotate(tmp_path / "crasme.log", max_bytes=100, keep=2)
    assert list(tmp_path.iterdir()) == []
