"""Nothing in plain text: a scripted session writes 1000 known random strings
through the services (names, emails, notes, timeline texts, invoice lines,
attachments, an import), makes backups, and then not one of them may be found, as
UTF-8 or UTF-16-LE, in any file under the vault's folder, the backup folders, the
temp folder, the log folder or the app's settings and data folders. The logs also
hold no passphrase, data key or recovery key.

The import reads a CSV from a folder of the user's own files, which is not scanned:
that file is theirs, in the clear by their choice.
"""

from __future__ import annotations

import logging
import random
import string
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.services import (
    attachments,
    backups,
    business,
    contacts,
    importing,
    invoices,
    timeline,
)
from crasme_desktop.services.contacts import EmailDraft, OrganizationDraft, PersonDraft
from crasme_desktop.services.invoices import InvoiceDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import create_vault, open_vault, save_app_settings
from crasme_desktop.vault.paths import backup_dir, log_dir

PASSPHRASE = "plaintext scan passphrase"
STRINGS = 1000
ENCODINGS = ("utf-8", "utf-16-le")


def known_strings(count: int, seed: int = 5) -> list[str]:
    """Random words no file would hold by chance (16 letters: 26^16 possibilities)."""
    rng = random.Random(seed)
    return ["zq" + "".join(rng.choices(string.ascii_lowercase, k=14)) for _ in range(count)]


def files_under(*folders: Path) -> Iterable[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
        elif folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


def found_in(paths: Iterable[Path], secrets: Iterable[str]) -> dict[str, list[str]]:
    """{secret: [files holding it]} for every secret found in any encoding."""
    needles = [(s, s.encode(e)) for s in secrets for e in ENCODINGS]
    hits: dict[str, list[str]] = {}
    for path in paths:
        data = path.read_bytes()
        for secret, needle in needles:
            if needle in data:
                hits.setdefault(secret, []).append(str(path))
    return hits


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's temp folder ($TMPDIR and tempfile's, in this process)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def app_log() -> Iterable[Path]:
    """The app's log file in the (isolated) log folder, taking everything at DEBUG."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / "crasme.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield folder / "crasme.log"
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def test_a_session_leaves_none_of_1000_known_strings_on_disk(
    tmp_path: Path, isolated_env, temp_folder: Path, app_log: Path
) -> None:
    words = known_strings(STRINGS)
    pool = iter(words)

    def take(n: int = 1) -> list[str]:
        return [next(pool) for _ in range(n)]

    office = tmp_path / "office"
    vault_path = office / "office.crasme"
    other_backups = tmp_path / "external-drive" / "backups"
    other_backups.parent.mkdir()
    own_files = tmp_path / "my-files"  # the user's own, plain files: not scanned
    own_files.mkdir()
    created = create_vault(vault_path, passphrase=PASSPHRASE, use_keychain=False)
    save_app_settings_for(vault_path)

    with open_vault(vault_path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        key_hex = bytes(vault._key).hex()
        business.save_business(vault, business.BusinessSettings(
            name="Scan Test Seller", address_lines=("Kantstraße 3", "10623 Berlin"),
            country_code="DE"))
        customer = contacts.create_organization(vault, OrganizationDraft("Scan Customer"))
        people = []
        for _ in range(150):  # 600 strings
            given, family, mail, note = take(4)
            people.append(contacts.create_person(vault, PersonDraft(
                given_name=given, family_name=family,
                emails=(EmailDraft(f"{mail}@example.org"),), notes=note)).id)
        rows = [take(3) for _ in range(50)]  # 150 strings
        csv = own_files / "contacts.csv"
        csv.write_text("First Name,Last Name,Email\n" + "".join(
            f"{g},{f},{m}@example.net\n" for g, f, m in rows), encoding="utf-8")
        outcome = importing.commit_import(vault, importing.plan_import(vault, csv))
        assert outcome.people_created == 50
        for n in range(50):  # 100 strings
            subject, body = take(2)
            timeline.add_call(vault, subject=subject, body=body, person_id=people[n])
        for n in range(10):  # 100 strings
            draft = invoices.save_invoice_draft(vault, InvoiceDraft(
                customer_organization_id=customer.id,
                lines=tuple(LineDraft(text, Decimal(1), "h", Decimal("90.00"))
                            for text in take(10))))
            if n % 2:
                invoices.issue_invoice(vault, draft.id, today=date(2026, 3, 2))
        for n in range(50):  # 50 strings
            (secret,) = take()
            attachments.add_attachment(
                vault, filename=f"scan-{n}.txt", person_id=people[n],
                data=f"The attachment says {secret} in the middle.\n".encode())
        assert next(pool, None) is None  # all 1000 written
        # Edits and an erasure leave the old values behind in freed pages, unless
        # secure_delete overwrites them.
        contacts.delete_person(vault, people[-1])
        backups.make_backup(vault)
        backups.make_backup(vault, folder=other_backups)
        # While the vault is open its -wal and -shm files exist: scanned too.
        scanned = [office, other_backups, backup_dir(vault_path), temp_folder,
                   isolated_env.data_home, isolated_env.config_home,
                   isolated_env.state_home, isolated_env.cache_home]
        open_files = list(files_under(*scanned))
        assert any(p.name.endswith("-wal") for p in open_files)
        assert found_in(open_files, words) == {}
        vault.rekey(PASSPHRASE)  # the whole file written again, with a new key
        new_key_hex = bytes(vault._key).hex()

    closed_files = list(files_under(*scanned))
    assert len([p for p in closed_files if p.name.endswith(".crasme")]) >= 3  # vault, 2 backups
    hits = found_in(closed_files, words)
    assert len(hits) == 0, f"{len(hits)} of {STRINGS} strings found: {list(hits.items())[:5]}"

    assert app_log in closed_files  # the log folder was among the scanned ones
    logs = list(files_under(log_dir()))
    assert app_log in logs and app_log.stat().st_size > 0  # the session did log
    secrets = [PASSPHRASE, key_hex, new_key_hex, key_hex.upper(), created.recovery_key]
    assert found_in(logs, secrets) == {}

    # The scan can find what is there: the user's own CSV holds 150 of the strings.
    assert len(found_in(files_under(own_files), words)) == 150


def save_app_settings_for(vault_path: Path) -> None:
    """The app remembers the last vault in its settings file, as the window does."""
    save_app_settings(AppSettings(last_vault=str(vault_path)))
