"""The privacy export on real vaults: the ZIP reopened and every part read back (manifest
hashes, JSON against its schema, CSV, vCard, iCalendar, PDFs through pdftotext), the
AES-256 option, a full disk, a folder that disappears, Cancel, the access request it
records, and the import of a whole-vault export compared table by table, row by row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
import pyzipper
import vobject
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.models import Base
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats.vcard import read_vcards
from crasme_desktop.services import attachments, privacy_export, privacy_requests, search
from crasme_desktop.vault import create_vault, open_vault
from sqlalchemy import text
from tests.support.cli_runner import Crasme, one_sentence
from tests.support.export_data import START, build_office
from tests.support.required import unavailable
from tests.support.sentences import assert_one_sentence

PASSWORD = "zip password 42"


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(START)) as opened:
        yield opened


@pytest.fixture
def office(vault):
    return build_office(vault)


@pytest.fixture
def empty_vault(tmp_path, keychain):
    made = create_vault(tmp_path / "new" / "new.crasme", passphrase="another passphrase",
                        keychain=keychain)
    with open_vault(made.path, keychain=keychain, clock=FakeClock(START)) as opened:
        yield opened


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is not installed")
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return " ".join(done.stdout.split())


def dump(vault) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as stored."""
    out = {}
    with vault.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(
                text(f'SELECT {names} FROM "{table.name}" ORDER BY {order}'))]
    return out


def members(path: Path, password: str | None = None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as zf:
        if password:
            zf.setpassword(password.encode())
        return {name: zf.read(name) for name in zf.namelist()}


# ------------------------------------------------------------------ the parts read back


def test_manifest_hashes_and_counts_verify(vault, office, tmp_path):
    summary = privacy_export.export_vault(vault, tmp_path / "all.zip")
    files = members(summary.path)
    manifest = json.loads(files["manifest.json"])
    jsonschema.validate(manifest, privacy_export.manifest_schema())
    assert manifest["format_version"] == privacy_export.FORMAT_VERSION
    assert manifest["scope"] == "vault" and manifest["encrypted"] is False
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    for name, facts in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == facts["sha256"], name
        assert len(files[name]) == facts["size"]
    with vault.engine.connect() as conn:
        for table, count in manifest["counts"].items():
            recorded = 1 if table == "audit_event" else 0  # the export's own event, after
            assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == \
                count + recorded
    assert manifest["counts"]["invoice"] == 2 and manifest["counts"]["consent"] == 1
    assert set(manifest["counts"]) == set(Base.metadata.tables)


def test_json_follows_the_shipped_schema(vault, office, tmp_path):
    shipped = json.loads((privacy_export.SCHEMAS_DIR / privacy_export.DATA_SCHEMA).read_text())
    assert shipped == privacy_export.data_schema(), "run write_schema_files() and commit"
    files = members(privacy_export.export_vault(vault, tmp_path / "all.zip").path)
    assert json.loads(files[f"schemas/{privacy_export.DATA_SCHEMA}"]) == shipped
    validator = jsonschema.Draft202012Validator(shipped)
    for name in (n for n in files if n.startswith("data/")):
        document = json.loads(files[name])
        assert list(validator.iter_errors(document)) == [], name
    # the schema does catch a wrong value
    person = json.loads(files["data/person.json"])
    person["rows"][0]["given_name"] = 42
    assert list(validator.iter_errors(person))


def test_csv_vcard_and_calendar_parse_back(vault, office, tmp_path):
    files = members(privacy_export.export_vault(vault, tmp_path / "all.zip").path)
    manifest = json.loads(files["manifest.json"])
    for table, count in manifest["counts"].items():
        rows = list(csv.DictReader(io.StringIO(files[f"csv/{table}.csv"].decode("utf-8"))))
        assert len(rows) == count, table
    people = {r["id"]: r for r in csv.DictReader(
        io.StringIO(files["csv/person.csv"].decode()))}
    assert people[office.alice]["family_name"] == "Wondergem"
    cards = read_vcards(files["contacts.vcf"])
    assert sorted(r.family_name for r in cards.records) == ["Builder", "Customer", "Wondergem"]
    calendar = vobject.readOne(files["calendar.ics"].decode("utf-8"))
    summaries = sorted(str(c.summary.value) for c in calendar.getChildren()
                       if c.name in ("VEVENT", "VTODO"))
    assert summaries == ["Contract review", "Follow-up call", "Send the price list"]
    todo = next(c for c in calendar.getChildren() if c.name == "VTODO")
    assert todo.due.value.isoformat() == "2026-03-09T09:00:00+00:00"
    assert files[privacy_export._attachment_path(
        next(r["attachment_id"] for r in json.loads(files["data/attachment_content.json"])
             ["rows"] if r["data"].endswith(_contract_id(vault))))] == office.attachment_bytes


def _contract_id(vault) -> str:
    with vault.engine.connect() as conn:
        return conn.execute(text("SELECT id FROM attachment WHERE filename = 'contract.pdf'")
                            ).scalar_one()


def test_invoice_pdfs_and_the_person_report(vault, office, tmp_path):
    everything = members(privacy_export.export_vault(vault, tmp_path / "all.zip").path)
    assert sorted(n for n in everything if n.startswith("invoices/")) == sorted(
        f"invoices/{n}.pdf" for n in (office.alice_invoice_number, office.carla_invoice_number))
    alice = members(privacy_export.export_person(vault, office.alice, tmp_path / "a.zip").path)
    assert [n for n in alice if n.startswith("invoices/")] == [
        f"invoices/{office.alice_invoice_number}.pdf"]
    invoice = pdf_text(alice[f"invoices/{office.alice_invoice_number}.pdf"], tmp_path)
    assert "Alice Wondergem" in invoice and "Carla" not in invoice
    report = pdf_text(alice["report.pdf"], tmp_path)
    assert "Personal data held on Alice Wondergem" in report
    for wanted in ("Wondergem", "alice.wondergem@acme.example", "Lindenallee 7",
                   "Contract review", "Keeping in touch with customers", "Kept until",
                   "2 March 2033"):  # the invoice of 2 March 2026, kept 7 years
        assert wanted in report, wanted
    for unwanted in ("Carla", "Bob Builder", "Olga Owner", "Rosenweg"):
        assert unwanted not in report, unwanted


def test_encrypted_export_needs_its_password(vault, office, tmp_path):
    summary = privacy_export.export_person(vault, office.alice, tmp_path / "a.zip",
                                           password=PASSWORD)
    assert summary.encrypted and "encrypted with AES-256" in summary.message
    raw = summary.path.read_bytes()
    assert b"Wondergem" not in raw and b"alice.wondergem" not in raw
    with zipfile.ZipFile(summary.path) as zf, pytest.raises(RuntimeError):
        zf.read("manifest.json")
    with pyzipper.AESZipFile(summary.path) as zf:
        assert all(i.compress_type == pyzipper.WZ_AES or i.flag_bits & 1
                   for i in zf.infolist())
        zf.setpassword(b"wrong password")
        with pytest.raises(RuntimeError):
            zf.read("manifest.json")
    assert b"Wondergem" in members(summary.path, PASSWORD)["data/person.json"]
    assert privacy_export.is_encrypted(summary.path)
    with pytest.raises(UserError) as short:
        privacy_export.export_vault(vault, tmp_path / "b.zip", password="short")
    assert_one_sentence(short.value.message)
    assert not (tmp_path / "b.zip").exists()


def test_person_export_records_a_done_access_request(vault, office, tmp_path):
    assert [r.kind for r in privacy_requests.list_requests(vault, status="received")] == [
        "access"]
    privacy_export.export_person(vault, office.alice, tmp_path / "a.zip")
    done = privacy_requests.list_requests(vault, status="done")
    assert [(r.kind, r.person_id) for r in done] == [("access", office.alice)]
    assert privacy_requests.list_requests(vault, status="received") == []


# ------------------------------------------------------------------------ bad places


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_full_disk_leaves_nothing(vault, office, small_disk):
    attachments.add_attachment(vault, filename="big.bin", data=os.urandom(3 << 20),
                               person_id=office.alice)
    with pytest.raises(UserError) as caught:
        privacy_export.export_vault(vault, small_disk / "all.zip")
    assert "disk is full" in caught.value.message and str(small_disk) in caught.value.message
    assert_one_sentence(caught.value.message)
    assert leftovers(small_disk) == []


def test_vanished_folder_leaves_nothing(vault, office, tmp_path):
    folder = tmp_path / "usb stick"
    folder.mkdir()

    def pull_the_stick(done: int, total: int, text: str) -> None:
        if "invoices" in text and folder.exists():
            shutil.rmtree(folder)

    with pytest.raises(UserError) as caught:
        privacy_export.export_vault(vault, folder / "all.zip",
                                    progress=Progress(pull_the_stick))
    assert "is not there any more" in caught.value.message
    assert_one_sentence(caught.value.message)
    assert not folder.exists() and leftovers(tmp_path) == ["office"]


def test_cancel_leaves_nothing_and_records_nothing(vault, office, tmp_path):
    progress = Progress()

    def listener(done: int, total: int, text: str) -> None:
        if done > 20:
            progress.cancel()

    progress._listener = listener
    with pytest.raises(Cancelled):
        privacy_export.export_person(vault, office.alice, tmp_path / "a.zip",
                                     progress=progress)
    assert leftovers(tmp_path) == ["office"]
    assert privacy_requests.list_requests(vault, status="done") == []


def test_an_erased_or_unknown_person_is_one_sentence(vault, office, tmp_path):
    with pytest.raises(UserError) as caught:
        privacy_export.export_person(vault, "no-such-id", tmp_path / "x.zip")
    assert_one_sentence(caught.value.message)
    assert leftovers(tmp_path) == ["office"]


# ---------------------------------------------------------------------------- import


def test_import_gives_back_every_row(vault, office, empty_vault, tmp_path):
    from crasme_desktop.services import deals, tickets

    deal = deals.create_deal(vault, deals.DealDraft(
        "Wondergem greenhouse", "2500", expected_close="2027-01-31", person_id=office.alice))
    ticket = tickets.create_ticket(vault, tickets.TicketDraft(
        "Wondergem heating fault", requester_id=office.alice), body="The boiler stops.")
    before = dump(vault)
    assert all(before[t] for t in ("invoice", "invoice_line", "payment", "quote", "consent",
                                   "privacy_request", "attachment_content", "audit_event"))
    zip_path = privacy_export.export_vault(vault, tmp_path / "all.zip", password=PASSWORD).path
    summary = privacy_export.import_export(empty_vault, zip_path, password=PASSWORD)
    after = dump(empty_vault)
    added = [r for r in after["audit_event"] if r not in before["audit_event"]]
    assert [r[3] for r in added] == ["vault.import_export"]
    after["audit_event"] = [r for r in after["audit_event"] if r not in added]
    for table in before:
        assert after[table] == before[table], table
    assert summary.counts["person"] == 3
    def found(where):
        return sorted(h.id for g in search.search(where, "Wondergem").groups for h in g.hits)

    assert office.alice in found(empty_vault) and found(empty_vault) == found(vault)
    assert deal.id in found(empty_vault)  # deals are indexed again too
    assert ticket.id in found(empty_vault)  # and tickets
    with empty_vault.engine.connect() as conn:
        triggers = conn.execute(text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar()
        assert triggers > 0 and conn.execute(text("PRAGMA foreign_key_check")).all() == []


def rewritten(source: Path, target: Path, change) -> Path:
    """A copy of a plain export with `change(files)` applied and its manifest redone."""
    files = members(source)
    change(files)
    extra = files.pop("__manifest__", {})
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in files.items() if n != "manifest.json"}
    for key, value in extra.items():
        manifest[key] = value
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return target


def test_newer_export_is_refused_and_nothing_imported(vault, office, empty_vault, tmp_path):
    source = privacy_export.export_vault(vault, tmp_path / "all.zip").path
    fresh = dump(empty_vault)  # what a new vault starts with (the default pipeline)
    newer = rewritten(source, tmp_path / "newer.zip",
                      lambda f: f.update({"__manifest__": {"format_version": 2}}))
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(empty_vault, newer)
    assert "newer version" in caught.value.message
    assert_one_sentence(caught.value.message)
    assert dump(empty_vault) == fresh


def test_a_failure_midway_imports_nothing(vault, office, empty_vault, tmp_path):
    source = privacy_export.export_vault(vault, tmp_path / "all.zip").path
    fresh = dump(empty_vault)

    def drop_a_payment(files):  # a late table: people and invoices are in by then
        lines = files["data/payment.json"].decode().splitlines()
        files["data/payment.json"] = "\n".join([lines[0], "]}", ""]).encode()

    damaged = rewritten(source, tmp_path / "damaged.zip", drop_a_payment)
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(empty_vault, damaged)
    assert "damaged" in caught.value.message
    assert dump(empty_vault) == fresh

    tampered = tmp_path / "tampered.zip"
    files = members(source)
    files["data/person.json"] = files["data/person.json"].replace(b"Wondergem", b"Wondergen")
    with zipfile.ZipFile(tampered, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(empty_vault, tampered)
    assert "does not match its checksum" in caught.value.message


def test_import_refuses_a_vault_in_use_a_person_export_and_a_wrong_password(
        vault, office, tmp_path):
    source = privacy_export.export_vault(vault, tmp_path / "all.zip", password=PASSWORD).path
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(vault, source, password=PASSWORD)
    assert "new, empty vault" in caught.value.message
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(vault, source, password="not the password")
    assert "password does not open" in caught.value.message
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(vault, source)
    assert "encrypted" in caught.value.message
    person = privacy_export.export_person(vault, office.alice, tmp_path / "a.zip").path
    with pytest.raises(UserError) as caught:
        privacy_export.import_export(vault, person)
    assert "one person" in caught.value.message


# ------------------------------------------------------------------------- command line


def test_cli_export_and_import(created, keychain, tmp_path):
    with open_vault(created.path, keychain=keychain) as opened:
        office = build_office(opened)
    crasme = Crasme(tmp_path)
    env = {"CRASME_PASSPHRASE": "correct horse battery"}
    plain = crasme.ok("export", "--vault", created.path, "--out", tmp_path / "all.zip",
                      "--json", env=env)
    report = json.loads(plain.stdout)
    assert report["encrypted"] is False and report["counts"]["person"] == 3
    assert "not encrypted" in plain.stderr
    secret = crasme.ok("export", "--vault", created.path, "--out", tmp_path / "alice.zip",
                       "--person", office.alice, "--encrypt",
                       env={**env, "CRASME_EXPORT_PASSWORD": PASSWORD})
    assert "encrypted with AES-256" in secret.stdout and "not encrypted" not in secret.stderr
    assert "report.pdf" in members(tmp_path / "alice.zip", PASSWORD)
    no_password = crasme("export", "--vault", created.path, "--out", tmp_path / "x.zip",
                         "--encrypt", env=env)
    assert no_password.returncode == 2 and "CRASME_EXPORT_PASSWORD" in one_sentence(
        no_password.stderr)
    assert not (tmp_path / "x.zip").exists()

    made = create_vault(tmp_path / "new" / "new.crasme", passphrase="another passphrase",
                        keychain=keychain)
    env2 = {"CRASME_PASSPHRASE": "another passphrase"}
    done = crasme.ok("import", "--vault", made.path, tmp_path / "all.zip", "--json", env=env2)
    assert json.loads(done.stdout)["counts"]["invoice"] == 2
    again = crasme("import", "--vault", made.path, tmp_path / "all.zip", env=env2)
    assert again.returncode == 3 and "new, empty vault" in one_sentence(again.stderr)
