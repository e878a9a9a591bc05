"""Which vault the window opens, and the non-secret note that lets it open at once."""

from __future__ import annotations

from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.vault.paths import default_vault_path, startup_vault_path


def test_the_vault_opened_last_is_opened_again(tmp_path, monkeypatch):
    monkeypatch.delenv("CRASME_VAULT", raising=False)
    last = tmp_path / "branch.crasme"
    last.write_bytes(b"\0" * 4096)
    assert startup_vault_path(str(last)) == last


def test_a_vanished_last_vault_falls_back_to_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("CRASME_VAULT", raising=False)
    assert startup_vault_path(str(tmp_path / "gone.crasme")) == default_vault_path()
    assert startup_vault_path("") == default_vault_path()


def test_crasme_vault_wins_over_the_last_vault(tmp_path, monkeypatch):
    last = tmp_path / "branch.crasme"
    last.write_bytes(b"\0" * 4096)
    monkeypatch.setenv("CRASME_VAULT", str(tmp_path / "named.crasme"))
    assert startup_vault_path(str(last)) == tmp_path / "named.crasme"


def test_stored_lists_keep_only_text():
    settings = AppSettings.from_dict({"keychain_start": ["/a.crasme", 3, None, "/b.crasme"]})
    assert settings.keychain_start == ["/a.crasme", "/b.crasme"]
    assert AppSettings.from_dict({"keychain_start": "not a list"}).keychain_start == []
