"""The recovery kit: one printable page holding a vault's recovery key.

The kit is what stands between a lost keychain (or a forgotten passphrase) and lost
data, so it says in plain words what the key is for, how to use it and where to keep
it. It is rendered to bytes here (no disk, no database); the caller decides where the
file goes. reportlab is imported only when a kit is made, because it costs start-up
time that the rest of the app does not need.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crasme_desktop import APP_NAME, RESOURCES, __version__
from crasme_desktop.domain.i18n import current_language, locale_of, translate

#: Fonts shipped with the app, so that any name or path prints the same everywhere.
FONTS_DIR = RESOURCES / "fonts"
_FONT_FILES = {
    "CrasmeSans": "DejaVuSans.ttf",
    "CrasmeSans-Bold": "DejaVuSans-Bold.ttf",
    "CrasmeMono": "DejaVuSansMono.ttf",
}
#: Groups of the key per printed line; four 5-letter groups fit the mono size below.
GROUPS_PER_LINE = 4

_INK = "#1f2a37"
_MUTED = "#5b6675"
_ACCENT = "#2f6f8f"
_BOX = "#f2f5f8"
_RULE = "#d5dbe2"


@dataclass(frozen=True)
class RecoveryKit:
    """What the printed kit shows."""

    vault_path: Path
    vault_id: str
    recovery_key: str
    created: datetime


def key_lines(recovery_key: str, per_line: int = GROUPS_PER_LINE) -> list[str]:
    """Split a key like ``ABCDE-FGHIJ-...`` into printed lines of whole groups.

    Lines carry no trailing dash: text extraction (and some readers) would take a dash
    at the end of a line for hyphenation and glue two groups into one.
    """
    groups = [g for g in recovery_key.strip().split("-") if g]
    return ["-".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]


def render_recovery_kit(kit: RecoveryKit) -> bytes:
    """Render the kit as a one-page A4 PDF and return its bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=translate("RecoveryKit", "{app} recovery kit").format(app=APP_NAME),
        author=APP_NAME,
        subject=translate("RecoveryKit", "Recovery key for vault {id}").format(id=kit.vault_id),
        creator=f"{APP_NAME} {__version__}",
        # Otherwise the canvas starts in Helvetica, which is referenced but not embedded.
        initialFontName="CrasmeSans",
    )
    doc.build(_story(kit, doc.width), onFirstPage=_footer)
    return buffer.getvalue()


def _story(kit: RecoveryKit, width: float) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    s = _styles()
    story: list[Any] = [
        Paragraph(APP_NAME, s["brand"]),
        Paragraph(translate("RecoveryKit", "Recovery kit"), s["title"]),
        Paragraph(
            translate(
                "RecoveryKit",
                "This page holds the recovery key of your vault. With it you can open the "
                "vault even if this computer's keychain is gone or the passphrase is "
                "forgotten. Without it, nobody can help you get the data back."),
            s["body"],
        ),
        Spacer(1, 4 * mm),
        _details_table(kit, width, s),
        Spacer(1, 7 * mm),
        Paragraph(translate("RecoveryKit", "Your recovery key"), s["heading"]),
        _key_box(kit.recovery_key, width, s),
        Spacer(1, 7 * mm),
        Paragraph(translate("RecoveryKit", "How to use it"), s["heading"]),
    ]
    story += _numbered(
        [
            translate("RecoveryKit", "Open {app} and choose this vault file.").format(
                app=APP_NAME),
            translate("RecoveryKit",
                      "On the unlock screen, choose <b>Use recovery key instead</b>."),
            translate("RecoveryKit", "Type the key exactly as printed above, group by group."),
            translate("RecoveryKit",
                      "If you used the key because the passphrase was forgotten, set a new "
                      "passphrase once the vault is open, and keep the new recovery key that "
                      "comes with it in place of this one."),
        ],
        s,
    )
    story += [
        Spacer(1, 5 * mm),
        Paragraph(translate("RecoveryKit", "Where to keep it"), s["heading"]),
    ]
    story += _bullets(
        [
            translate("RecoveryKit",
                      "Print this page and keep it with your important papers, such as in a "
                      "locked drawer or a safe."),
            translate("RecoveryKit",
                      "Do not keep it on the same computer as the vault, and do not email it "
                      "or put it in a shared folder."),
            translate("RecoveryKit",
                      "Anyone who has this key and a copy of the vault file can read "
                      "everything in it. If the page is lost or seen by someone else, make a "
                      "new key in Settings."),
        ],
        s,
    )
    return story


def _details_table(kit: RecoveryKit, width: float, s: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [
        (translate("RecoveryKit", "Vault file"), kit.vault_path.name),
        (translate("RecoveryKit", "Folder"), str(kit.vault_path.parent)),
        (translate("RecoveryKit", "Vault ID"), kit.vault_id),
        (translate("RecoveryKit", "Created"), _format_date(kit.created)),
    ]
    data = [
        [Paragraph(label, s["label"]), Paragraph(_escape(value), s["value"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(
        TableStyle(
            [
                # Tables set their own cell font (Helvetica) even around paragraphs.
                ("FONTNAME", (0, 0), (-1, -1), "CrasmeSans"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.HexColor(_RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _key_box(recovery_key: str, width: float, s: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    lines = [[Paragraph(line, s["key"])] for line in key_lines(recovery_key)]
    table = Table(lines, colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "CrasmeSans"),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(_BOX)),
                ("BOX", (0, 0), (-1, -1), 1, colors.HexColor(_ACCENT)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8 * mm),
                ("TOPPADDING", (0, 0), (-1, 0), 6 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6 * mm),
            ]
        )
    )
    return table


def _numbered(items: Sequence[str], s: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import ListFlowable, ListItem, Paragraph

    return [
        ListFlowable(
            [ListItem(Paragraph(text, s["body"])) for text in items],
            bulletType="1",
            bulletFormat="%s.",
            bulletFontName="CrasmeSans",
            bulletFontSize=10.5,
            leftIndent=16,
        )
    ]


def _bullets(items: Sequence[str], s: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import ListFlowable, ListItem, Paragraph

    return [
        ListFlowable(
            [ListItem(Paragraph(text, s["body"])) for text in items],
            bulletType="bullet",
            start="•",
            bulletFontName="CrasmeSans",
            leftIndent=16,
        )
    ]


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    ink = colors.HexColor(_INK)
    return {
        "brand": ParagraphStyle(
            "brand", fontName="CrasmeSans-Bold", fontSize=12, textColor=colors.HexColor(_ACCENT)
        ),
        "title": ParagraphStyle(
            "title", fontName="CrasmeSans-Bold", fontSize=24, leading=32, textColor=ink,
            spaceAfter=6,
        ),
        "heading": ParagraphStyle(
            "heading", fontName="CrasmeSans-Bold", fontSize=13, leading=17, textColor=ink,
            spaceAfter=5,
        ),
        "body": ParagraphStyle(
            "body", fontName="CrasmeSans", fontSize=10.5, leading=15, textColor=ink,
            spaceAfter=3,
        ),
        "label": ParagraphStyle(
            "label", fontName="CrasmeSans", fontSize=9.5, leading=13,
            textColor=colors.HexColor(_MUTED),
        ),
        # CJK word wrap lets a long folder path break anywhere instead of overflowing.
        "value": ParagraphStyle(
            "value", fontName="CrasmeSans", fontSize=10, leading=13, textColor=ink,
            wordWrap="CJK",
        ),
        "key": ParagraphStyle(
            "key", fontName="CrasmeMono", fontSize=20, leading=30, textColor=ink,
        ),
    }


def _footer(canvas: Any, doc: Any) -> None:
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont("CrasmeSans", 8)
    canvas.setFillColor(colors.HexColor(_MUTED))
    canvas.drawString(
        doc.leftMargin,
        10 * mm,
        translate("RecoveryKit", "Made by {app} {version}. Keep this page private.").format(
            app=APP_NAME, version=__version__),
    )
    canvas.restoreState()


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
    # Lets <b> inside a paragraph pick the bold face instead of failing over.
    pdfmetrics.registerFontFamily(
        "CrasmeSans", normal="CrasmeSans", bold="CrasmeSans-Bold",
        italic="CrasmeSans", boldItalic="CrasmeSans-Bold",
    )


def _format_date(moment: datetime) -> str:
    """In the kit's language. Spelled-out month: "05/01/2026" reads differently on each
    side of the Atlantic."""
    from babel.dates import format_date, format_time

    local = moment.astimezone() if moment.tzinfo else moment
    lang = current_language()
    # English as before ("5 January 2026", read the same on both sides of the Atlantic);
    # other languages in their own long form ("5. März 2026", "5 mars 2026").
    day = "d MMMM y" if lang == "en" else "long"
    locale = locale_of(lang)
    return f"{format_date(local.date(), day, locale=locale)}, " \
           f"{format_time(local, 'HH:mm', locale=locale)}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
