"""What goes into the log on a bug: the command's shape, never its values."""

from __future__ import annotations

import pytest
from crasme_desktop.cli import _command_words


@pytest.mark.parametrize(("argv", "logged"), [
    (["search", "Ada", "--vault", "/home/ada/office.crasme"], "search --vault"),
    (["search", "Ada Lovelace", "--json"], "search --json"),
    (["import", "/home/ada/contacts.csv", "--dry-run"], "import --dry-run"),
    (["--vault", "/x/office.crasme", "backup", "restore", "/x/b.crasme", "--yes"],
     "--vault backup restore --yes"),
    (["invoice", "pdf", "INV-2026-0001", "--out=/tmp/a.pdf"], "invoice pdf --out"),
])
def test_the_log_names_the_command_not_its_values(argv, logged):
    assert _command_words(argv) == logged


def test_database_errors_do_not_carry_the_values_written(tmp_path):
    from crasme_desktop.domain.models import Tag
    from crasme_desktop.vault import Keychain, create_vault, open_vault
    from keyring.backends import fail
    from sqlalchemy.exc import IntegrityError

    created = create_vault(tmp_path / "v.crasme", passphrase="correct horse battery",
                           use_keychain=False, keychain=Keychain(backend=fail.Keyring()))
    with open_vault(created.path, passphrase="correct horse battery",
                    use_keychain=False) as vault:
        with vault.unit_of_work() as uow:
            uow.session.add(Tag(name="Secretname", name_key="secretname"))
        with pytest.raises(IntegrityError) as caught, vault.unit_of_work() as uow:
            uow.session.add(Tag(name="Secretname", name_key="secretname"))
    assert "UNIQUE" in str(caught.value)
    assert "secretname" not in str(caught.value).lower()
