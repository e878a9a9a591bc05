"""Text for printed documents: shipped fonts, a fallback font per run, and Arabic shaping.

reportlab draws a string with one font and in the order given. Names on invoices come
in any script, so before drawing, a string is

1. shaped, when it holds Arabic letters: each letter takes its joining form (isolated,
   initial, medial, final) and lam + alef become one ligature, using the presentation
   forms of Unicode (DejaVu Sans has them); the forms are read from `unicodedata`;
2. put in visual order, when it holds right-to-left letters: a small subset of the
   Unicode bidirectional algorithm (paragraph direction from the first strong letter,
   numbers kept left-to-right, neutrals take the direction around them, brackets
   mirrored). It handles names and single lines, not nested embeddings;
3. cut into runs by font: DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew, ...),
   else Droid Sans Fallback (Chinese, Japanese, Korean), whichever has the glyph in its
   character map. The CJK face (4 MB) is loaded only when a document needs it.

Fonts are registered with reportlab once per process and the parsed faces reused.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import Any
from xml.sax.saxutils import escape  # nosec B406  # escapes text for a PDF; parses no XML

from crasme_desktop import RESOURCES

#: Fonts shipped with the app (the same folder the recovery kit uses).
FONTS_DIR = RESOURCES / "fonts"

REGULAR = "CrasmeDoc"
BOLD = "CrasmeDoc-Bold"
CJK = "CrasmeDoc-CJK"
_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
}

_lock = threading.Lock()
_cmaps: dict[str, Any] = {}


def register_fonts() -> None:
    """Register the two DejaVu faces (and their family, for <b> in paragraphs) once."""
    if REGULAR in _cmaps:
        return
    with _lock:
        if REGULAR in _cmaps:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics

        for name in (REGULAR, BOLD):
            font = _load(name)
            pdfmetrics.registerFont(font)
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(REGULAR, bold, italic, BOLD if bold else REGULAR)
        _cmaps[BOLD] = pdfmetrics.getFont(BOLD).face.charToGlyph
        _cmaps[REGULAR] = pdfmetrics.getFont(REGULAR).face.charToGlyph


def _load(name: str) -> Any:
    from reportlab.pdfbase.ttfonts import TTFont

    return TTFont(name, str(FONTS_DIR / _FILES[name]))


def _cjk_cmap() -> Any:
    if CJK not in _cmaps:
        with _lock:
            if CJK not in _cmaps:
                from reportlab.pdfbase import pdfmetrics

                pdfmetrics.registerFont(_load(CJK))
                _cmaps[CJK] = pdfmetrics.getFont(CJK).face.charToGlyph
    return _cmaps[CJK]


# ------------------------------------------------------------------------- fallback


#: Characters every primary face has: a string of only these needs no look-up.
_PLAIN = re.compile(r"[\x20-\x7e\u00a0-\u024f\u2010-\u2027\u202f\u2030-\u205e\u20a0-\u20bf]*")
_FALLBACK_NEEDED: dict[tuple[str, str], bool] = {}
#: Direction marks (babel puts them in Arabic and Hebrew amounts): the order is ours.
#: Control characters have no glyph either.
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F,
     *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFFFE, 0xFFFF])


def _needs_fallback(char: str, primary: str) -> bool:
    key = (char, primary)
    found = _FALLBACK_NEEDED.get(key)
    if found is None:
        code = ord(char)
        found = code not in _cmaps[primary] and code in _cjk_cmap()
        _FALLBACK_NEEDED[key] = found
    return found


def font_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """`text` as (font name, piece) runs in visual order, each piece drawable by its font."""
    register_fonts()
    primary = BOLD if bold else REGULAR
    if _PLAIN.fullmatch(text):
        return [(primary, text)] if text else []
    text = visual_order(shape_arabic(text.translate(_BIDI_CONTROLS)))
    runs: list[tuple[str, str]] = []
    current, start = primary, 0
    for i, char in enumerate(text):
        font = CJK if _needs_fallback(char, primary) else primary
        if font != current:
            if i > start:
                runs.append((current, text[start:i]))
            current, start = font, i
    if start < len(text):
        runs.append((current, text[start:]))
    return runs


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` drawn with `draw_text` at `size`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(piece, font, size) for font, piece in font_runs(text, bold))


def draw_text(canvas: Any, x: float, y: float, text: str, size: float, *,
              bold: bool = False, align: str = "left") -> float:
    """Draw one line at baseline `y`, left/right/center aligned on `x`; returns its width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = font_runs(text, bold)
    widths = [stringWidth(piece, font, size) for font, piece in runs]
    total = sum(widths)
    if align == "right":
        x -= total
    elif align == "center":
        x -= total / 2
    for (font, piece), width in zip(runs, widths, strict=True):
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += width
    return total


def markup(text: str, bold: bool = False) -> str:
    """`text` as reportlab paragraph markup (escaped), with font tags for fallback runs."""
    runs = font_runs(text, bold)
    if len(runs) == 1 and runs[0][0] != CJK:
        return escape(runs[0][1])
    return "".join(
        f'<font face="{font}">{escape(piece)}</font>' if font == CJK else escape(piece)
        for font, piece in runs
    )


# -------------------------------------------------------------------------- shaping


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_TAGS = {"<isolated>": 0, "<final>": 1, "<initial>": 2, "<medial>": 3}
_ALEFS = "\u0622\u0623\u0625\u0627"
_LAM = "\u0644"
_TATWEEL = "\u0640"


@functools.cache
def _arabic_tables() -> tuple[dict[str, list[str | None]], dict[str, list[str | None]]]:
    """Presentation forms by base letter, and lam-alef ligatures by alef."""
    forms: dict[str, list[str | None]] = {}
    lam_alef: dict[str, list[str | None]] = {}
    for code in (*range(0xFB50, 0xFC00), *range(0xFE70, 0xFEFD)):
        decomposition = unicodedata.decomposition(chr(code)).split()
        if not decomposition or decomposition[0] not in _TAGS:
            continue
        index = _TAGS[decomposition[0]]
        base = "".join(chr(int(c, 16)) for c in decomposition[1:])
        if len(base) == 1:
            forms.setdefault(base, [None] * 4)[index] = chr(code)
        elif len(base) == 2 and base[0] == _LAM and base[1] in _ALEFS:
            lam_alef.setdefault(base[1], [None] * 4)[index] = chr(code)
    return forms, lam_alef


def _dual(char: str, forms: dict[str, list[str | None]]) -> bool:
    return char == _TATWEEL or (char in forms and forms[char][2] is not None)


def shape_arabic(text: str) -> str:
    """Arabic letters in `text` replaced by their contextual presentation forms."""
    if not _RTL.search(text):
        return text
    forms, lam_alef = _arabic_tables()

    def joining(char: str) -> bool:
        return char in forms or char == _TATWEEL

    def neighbour(i: int, step: int) -> str:
        i += step
        while 0 <= i < len(text) and unicodedata.category(text[i]) == "Mn":
            i += step
        return text[i] if 0 <= i < len(text) else ""

    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char not in forms:
            out.append(char)
            i += 1
            continue
        before = neighbour(i, -1)
        joins_before = bool(before) and _dual(before, forms)
        after = neighbour(i, 1)
        if char == _LAM and after in lam_alef and text[i + 1] == after:
            ligature = lam_alef[after]
            out.append((ligature[1] if joins_before else None) or ligature[0] or char + after)
            i += 2
            continue
        joins_after = _dual(char, forms) and bool(after) and joining(after)
        index = 3 if joins_before and joins_after else 2 if joins_after else (
            1 if joins_before else 0)
        variants = forms[char]
        out.append(variants[index] or variants[0] or char)
        i += 1
    return "".join(out)


_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def _direction(char: str) -> str:
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "#"  # a digit: left to right inside, placed by the letters before it
    return ""


def visual_order(text: str) -> str:
    """`text` reordered for left-to-right drawing when it holds right-to-left letters."""
    if not _RTL.search(text):
        return text
    kinds = [_direction(c) for c in text]
    # Separators inside a number and signs next to one belong to the number (W4, W5).
    for i, char in enumerate(text):
        kind = unicodedata.bidirectional(char)
        before = i > 0 and kinds[i - 1] == "#"
        after = i + 1 < len(text) and kinds[i + 1] == "#"
        if (kind in ("CS", "ES") and before and after) or (kind == "ET" and (before or after)):
            kinds[i] = "#"
    base = next(("R" if k == "R" else "L" for k in kinds if k in ("L", "R")), "L")
    ltr_level = 2 if base == "R" else 0
    # Digits count as the letters before them (as right-to-left, they keep level 2).
    sides: list[str] = []
    levels: list[int | None] = []
    last = base
    for kind in kinds:
        if kind in ("L", "R"):
            last = kind
            sides.append(kind)
            levels.append(1 if kind == "R" else ltr_level)
        elif kind == "#":
            sides.append(last)
            levels.append(2 if last == "R" else ltr_level)
        else:
            sides.append("")
            levels.append(None)
    # Neutrals between two sides alike take that side, else the paragraph's direction.
    resolved: list[int] = []
    for i, level in enumerate(levels):
        if level is None:
            before = next((sides[j] for j in range(i - 1, -1, -1) if sides[j]), base)
            after = next((s for s in sides[i + 1:] if s), base)
            side = before if before == after else base
            level = 1 if side == "R" else ltr_level
        resolved.append(level)
    chars = [c.translate(_MIRROR) if level % 2 else c
             for c, level in zip(text, resolved, strict=True)]
    order = list(range(len(chars)))
    for level in range(max(resolved), 0, -1):
        i = 0
        while i < len(order):
            if resolved[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and resolved[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return "".join(chars[k] for k in order)
