"""Fixtures for the promise tests: each test here proves one promise of the privacy
notice (`@pytest.mark.promise("id")`, with `{promise:id}` in resources/privacy).

Real parts only: a real SQLCipher vault in tmp, the test's own keychain (a JSON file
that subprocesses see too, from the suite-wide `isolated_env`), and a fake clock
where time matters. `tests/privacy/test_promises.py` checks that every promise of
the notice has a test here and that no test names a promise the notice lacks.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # for the few widget tests here

from collections.abc import Iterator
from pathlib import Path

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.vault import CreatedVault, Keychain, Vault, create_vault, open_vault

PASSPHRASE = "correct horse battery"


@pytest.fixture
def keychain(file_keyring) -> Keychain:
    """The test's own keychain (a JSON file), as the vault code sees it."""
    return Keychain(file_keyring)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "office" / "office.crasme"


@pytest.fixture
def created(vault_path: Path, keychain: Keychain) -> CreatedVault:
    """A fresh vault with keychain entry, passphrase slot and recovery slot."""
    return create_vault(vault_path, passphrase=PASSPHRASE, keychain=keychain)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vault(created: CreatedVault, keychain: Keychain, clock: FakeClock) -> Iterator[Vault]:
    """The fresh vault, unlocked from the keychain, on the fake clock."""
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened
