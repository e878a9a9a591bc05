"""The recovery kit PDF: one page, and the key readable from its text."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crasme_desktop.formats.recovery_kit import RecoveryKit, key_lines, render_recovery_kit

KEY = "ABCDE-FGHIJ-KLMNP-QRSTU-VWXYZ-23456-789AB-CDEFG-HJKLM-NPQRS-TUVWX"

# pdftotext and pdffonts come together in poppler-utils; the fixture skips (or, under
# `make test`, fails) when they are missing.
needs_pdftotext = pytest.mark.usefixtures("pdftotext")


def _kit(path: str = "/home/maria/Documents/Plumbing Ünlü & Söhne.crasme") -> RecoveryKit:
    return RecoveryKit(
        vault_path=Path(path),
        vault_id="0190f5a2-7c3e-7d41-9a2b-5f6e7d8c9b0a",
        recovery_key=KEY,
        created=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
    )


def _pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _printed_key(text: str) -> str:
    """The key as a reader would copy it: the lines of groups, joined by dashes."""
    group_line = re.compile(r"^[A-Z0-9]{5}(?:-[A-Z0-9]{5})*$")
    return "-".join(line.strip() for line in text.splitlines() if group_line.match(line.strip()))


def _pages(pdf: bytes, tmp_path: Path) -> int:
    # pdfinfo cannot count pages of a PDF read from stdin, so it gets a file.
    path = tmp_path / "kit.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def test_key_lines_keep_whole_groups():
    lines = key_lines(KEY, per_line=4)
    assert lines == [
        "ABCDE-FGHIJ-KLMNP-QRSTU",
        "VWXYZ-23456-789AB-CDEFG",
        "HJKLM-NPQRS-TUVWX",
    ]
    assert "-".join(lines) == KEY


def test_key_lines_of_a_short_key_is_one_line():
    assert key_lines("ABCDE-FGHIJ") == ["ABCDE-FGHIJ"]


@needs_pdftotext
def test_pdf_is_one_page_and_holds_the_key_and_details(tmp_path):
    pdf = render_recovery_kit(_kit())
    assert pdf.startswith(b"%PDF-")
    assert _pages(pdf, tmp_path) == 1

    text = _pdf_text(pdf)
    assert _printed_key(text) == KEY
    assert "Crasme Desktop" in text
    assert "Recovery kit" in text
    assert "0190f5a2-7c3e-7d41-9a2b-5f6e7d8c9b0a" in text
    assert "Plumbing Ünlü & Söhne.crasme" in text  # non-ASCII survives: the font is embedded
    assert "5 January 2026" in text
    assert "Use recovery key instead" in text
    assert "Where to keep it" in text


@needs_pdftotext
def test_fonts_are_embedded():
    pdf = render_recovery_kit(_kit())
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    listed = fonts.stdout.decode()
    assert "DejaVuSansMono" in listed
    # Columns from the right: emb sub uni object-id generation; every font is embedded.
    rows = [line.split() for line in listed.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), listed


@needs_pdftotext
def test_a_very_long_folder_path_still_fits_on_one_page(tmp_path):
    deep = "/" + "/".join(["a-rather-long-folder-name"] * 12) + "/vault.crasme"
    pdf = render_recovery_kit(_kit(deep))
    assert _pages(pdf, tmp_path) == 1
    assert _printed_key(_pdf_text(pdf)) == KEY
