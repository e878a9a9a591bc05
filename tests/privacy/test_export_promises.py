"""The notice's promises about export: a person's whole record in one ZIP, in open
formats, encrypted when asked (and said plainly when not), with other people's data
left out. Each test reads the real ZIP back with ordinary tools."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
import pyzipper
import vobject
from crasme_desktop.services import privacy_export, privacy_requests
from tests.support.cli_runner import Crasme
from tests.support.export_data import build_office
from tests.support.required import unavailable

PASSWORD = "a long zip password"


@pytest.fixture
def office(vault):
    return build_office(vault)


def read_all(path: Path, password: str | None = None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as zf:
        if password:
            zf.setpassword(password.encode())
        return {name: zf.read(name) for name in zf.namelist()}


def pdf_text(data: bytes, folder: Path) -> str:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is not installed")
    path = folder / "page.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True)
    return " ".join(done.stdout.split())


def readable_text(files: dict[str, bytes], folder: Path) -> str:
    """Everything a reader of the ZIP can see, PDFs as their text."""
    return "\n".join(pdf_text(data, folder) if name.endswith(".pdf")
                     else data.decode("utf-8", "replace") for name, data in files.items())


@pytest.mark.promise("export-person")
def test_one_zip_holds_everything_on_the_person(vault, office, tmp_path):
    summary = privacy_export.export_person(vault, office.alice, tmp_path / "alice.zip")
    files = read_all(summary.path)
    everything = readable_text(files, tmp_path)
    for wanted in office.alice_strings:
        assert wanted in everything, wanted
    report = pdf_text(files["report.pdf"], tmp_path)
    assert "Personal data held on Alice Wondergem" in report
    assert "Why" in report and "Since" in report and "Until" in report
    assert f"invoices/{office.alice_invoice_number}.pdf" in files
    assert files[next(n for n in files if n.startswith("attachments/")
                      and files[n] == office.attachment_bytes)]
    done = privacy_requests.list_requests(vault, status="done")
    assert [(r.kind, r.person_id) for r in done] == [("access", office.alice)]


@pytest.mark.promise("export-open-formats")
def test_every_file_opens_with_ordinary_tools(vault, office, tmp_path):
    files = read_all(privacy_export.export_person(vault, office.alice,
                                                  tmp_path / "alice.zip").path)
    schema = json.loads(files[f"schemas/{privacy_export.DATA_SCHEMA}"])
    kinds = set()
    for name, data in files.items():
        suffix = Path(name).suffix
        if name.startswith("attachments/"):
            continue
        kinds.add(suffix)
        if suffix == ".json":
            document = json.loads(data)
            if name.startswith("data/"):
                jsonschema.validate(document, schema)
        elif suffix == ".csv":
            assert next(csv.reader(io.StringIO(data.decode("utf-8"))))
        elif suffix in (".vcf", ".ics"):
            assert list(vobject.readComponents(data.decode("utf-8")))
        elif suffix == ".pdf":
            assert pdf_text(data, tmp_path)
        else:
            pytest.fail(f"{name} is in no open format this test knows")
    assert kinds == {".json", ".csv", ".vcf", ".ics", ".pdf"}


@pytest.mark.promise("export-encrypted-option")
def test_encrypted_when_asked_and_said_plainly_when_not(vault, office, tmp_path, created):
    secret = privacy_export.export_person(vault, office.alice, tmp_path / "secret.zip",
                                          password=PASSWORD)
    raw = secret.path.read_bytes()
    assert not any(s.encode() in raw for s in office.alice_strings)
    with zipfile.ZipFile(secret.path) as zf, pytest.raises(RuntimeError):
        zf.read("report.pdf")
    assert read_all(secret.path, PASSWORD)["report.pdf"].startswith(b"%PDF")
    plain = privacy_export.export_person(vault, office.alice, tmp_path / "plain.zip")
    assert "not encrypted" in plain.message and b"Wondergem" in read_all(
        plain.path)["data/person.json"]
    vault.close()
    said = Crasme(tmp_path).ok("export", "--vault", created.path, "--out",
                               tmp_path / "cli.zip", env={"CRASME_PASSPHRASE":
                                                          "correct horse battery"})
    assert "not encrypted" in said.stderr


@pytest.mark.promise("export-encrypted-option")
@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_the_dialog_encrypts_by_default_and_warns_when_off(qtbot, vault):
    from crasme_desktop.ui.privacy_export_dialog import ExportDialog
    from crasme_desktop.ui.tasks import TaskRunner

    runner = TaskRunner(report_crash=pytest.fail)
    dialog = ExportDialog(runner, vault)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.encrypt.isChecked() and not dialog.warning.isVisible()
    dialog.encrypt.setChecked(False)
    assert dialog.warning.isVisible() and "not be encrypted" in dialog.warning.text()
    runner.wait(10_000)


@pytest.mark.promise("export-others-left-out")
def test_other_peoples_data_is_left_out(vault, office, tmp_path):
    whole = readable_text(read_all(privacy_export.export_vault(
        vault, tmp_path / "all.zip").path), tmp_path)
    for theirs in office.others_strings:
        assert theirs in whole, f"the test's data lacks {theirs!r}"
    alice = read_all(privacy_export.export_person(vault, office.alice,
                                                  tmp_path / "alice.zip").path)
    assert f"invoices/{office.carla_invoice_number}.pdf" not in alice
    seen = readable_text(alice, tmp_path)
    for theirs in office.others_strings:
        assert theirs not in seen, theirs
    assert "[another person]" in seen
