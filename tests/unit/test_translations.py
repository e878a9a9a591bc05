"""Translations (issue 11): every visible text of a converted file is marked, and every
marked text has a finished German and French translation.

The AST scan reads the converted files (CONVERTED) and fails on a string literal a person
would see that does not go through a translation marker: a literal given to a Qt text
setter or constructor (setText, QLabel(...), addRow, UserError(...), ...), or any other
literal that reads like a sentence or a label (two words or more starting with a capital,
or ending in a full stop), unless its line says `# untranslated: <why>` (a file name, a
technical word). It also fails on a marker whose text is built at run time (an f-string
a concatenation or a call): pyside6-lupdate reads the source and would not find it.

The catalog checks read the shipped .ts files as XML, and check with pyside6-lupdate that
the marker of domain/i18n.py is really extracted and that the .ts files hold every text
marked in the converted files (run `scripts/translations update` after marking new ones).
"""

from __future__ import annotations

import ast
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "crasme_desktop"
TS_FOLDER = ROOT / "resources" / "translations"
SHIPPED = ("de", "fr")
LUPDATE = ROOT / ".venv" / "bin" / "pyside6-lupdate"

#: Files whose every visible text is marked. It grows until it is all of ui/, services/
#: and formats/ (issue 11); a file is added once it is converted and translated.
CONVERTED = (
    "ui/about.py",
    "ui/crash.py",
    "ui/file_open.py",
    "ui/first_run.py",
    "ui/i18n.py",
    "ui/idle.py",
    "ui/key_dialogs.py",
    "ui/language_settings.py",
    "ui/passphrase.py",
    "ui/privacy_notice.py",
    "ui/recovery_key.py",
    "formats/qm_catalog.py",
    "formats/recovery_kit.py",
    "domain/i18n.py",
)

#: Calls whose text arguments a person reads.
TEXT_CALLS = frozenset({
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip",
    "setWhatsThis", "setAccessibleName", "setAccessibleDescription", "setInformativeText",
    "setDetailedText", "setTitle", "setSubTitle", "setSuffix", "setPrefix",
    "setSpecialValueText", "setButtonText", "setLabelText", "addRow", "addItem", "addTab",
    "setTabText", "addAction", "addMenu", "showMessage", "QLabel", "QPushButton",
    "QCheckBox", "QRadioButton", "QAction", "QGroupBox", "QToolButton", "QMenu",
    "UserError", "information", "warning", "question", "critical", "getSaveFileName",
    "getOpenFileName", "getExistingDirectory", "label", "_label", "titled_card",
    "push_button", "_table", "setHorizontalHeaderLabels", "QTableWidgetItem", "QStandardItem",
})
#: Calls whose string arguments are names, not text.
NOT_TEXT_CALLS = frozenset({
    "setObjectName", "setProperty", "property", "objectName", "icon", "getLogger", "debug",
    "info", "warning_", "error", "exception", "findChild", "findChildren", "setStyleSheet",
    "resource_path", "getattr", "hasattr", "setattr", "startswith", "endswith", "split",
    "replace", "join", "encode", "decode", "strftime", "Path", "with_suffix", "with_name",
    "get", "setdefault", "pop", "field", "SettingsKey", "service", "connect", "setAttribute",
})
MARKERS = frozenset({"translate", "tr", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"})
LOGGERS = frozenset({"log", "logger", "logging", "_log"})
SENTENCE = re.compile(r"^[A-Z][a-z'’]*(?:[ ,:;—–-]+\S+)+|[a-z][.!?…]$")


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_logging(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in LOGGERS)


def _text_of(node: ast.AST) -> str | None:
    """The literal text of a str constant or an f-string's fixed parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text_of(body[0].value) is not None:
                found.add(id(body[0].value))
    return found


def unmarked_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each visible literal in `path` that no marker wraps, and of each
    marker whose text is not a plain literal."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    problems: list[tuple[int, str]] = []

    def exempt(node: ast.AST) -> bool:
        first, last = node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno
        return any("# untranslated:" in lines[n - 1] for n in range(first, last + 1))

    def enclosing_calls(node: ast.AST) -> list[ast.Call]:
        out = []
        while id(node) in parents:
            node = parents[id(node)]
            if isinstance(node, ast.Call):
                out.append(node)
        return out

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in MARKERS:
            for arg in node.args[:2]:
                # A name is a text marked elsewhere with QT_TRANSLATE_NOOP; an f-string,
                # a sum or a call is built at run time.
                if isinstance(arg, ast.JoinedStr | ast.BinOp | ast.Call):
                    problems.append((node.lineno, f"marker with a text built at run time: "
                                                  f"{ast.unparse(arg)[:60]}"))
        text = _text_of(node)
        if text is None or id(node) in docstrings:
            continue
        if isinstance(parents.get(id(node)), ast.JoinedStr):
            continue  # a part of an f-string: judged with the whole
        if not re.search(r"[A-Za-z]{2}", text) or exempt(node):
            continue
        calls = enclosing_calls(node)
        if any(_call_name(c) in MARKERS for c in calls):
            continue
        if any(_is_logging(c) or _call_name(c) in NOT_TEXT_CALLS for c in calls[:1]):
            continue
        direct = calls[0] if calls else None
        parent = parents.get(id(node))
        # An item of a list given to a call counts as its argument (table headers).
        arg = parent if isinstance(parent, ast.List | ast.Tuple) else node
        is_arg = direct is not None and (arg in direct.args
                                         or any(k.value is arg for k in direct.keywords))
        # A lower-case single word given to a text call is a role or an object name
        # (`label(text, "hint")`), not text.
        name_like = re.fullmatch(r"[a-z][A-Za-z0-9_.-]*", text) is not None
        text_arg = is_arg and _call_name(direct) in TEXT_CALLS and not name_like
        if text_arg or SENTENCE.search(text.strip()):
            problems.append((node.lineno, text.strip()[:70]))
    return sorted(problems)


@pytest.mark.parametrize("name", CONVERTED)
def test_every_visible_text_in_a_converted_file_is_marked(name: str) -> None:
    problems = unmarked_texts(PACKAGE / name)
    assert not problems, "\n".join(f"{name}:{line}: {text}" for line, text in problems)


def test_the_scan_finds_unmarked_texts(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'import logging\nlog = logging.getLogger(__name__)\n'
        'def build(self, name):\n'
        '    """A docstring is fine."""\n'
        '    self.title.setText("Save")\n'                       # 5: setter
        '    self.hint = "Type the passphrase first."\n'          # 6: sentence
        '    self.tr(f"Hello {name}")\n'                          # 7: marker, f-string
        '    self.ok.setText(self.tr("Save"))\n'
        '    self.setObjectName("saveButton")\n'
        '    log.info("Saved the vault to %s", name)\n'
        '    QLabel(f"Saved to {name}.")\n'                       # 11: f-string in QLabel
        '    name = "crasme.log"\n'
        '    path = "Read Me.txt"  # untranslated: a file name\n',
        encoding="utf-8",
    )
    assert [line for line, _text in unmarked_texts(sample)] == [5, 6, 7, 11]


# ----------------------------------------------------------------------- the catalogs


def _messages(lang: str) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(TS_FOLDER / f"crasme_{lang}.ts").getroot()
    out = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            out.append((name, message.findtext("source") or "", message))
    return out


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[a-z_]*\}", text))


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_shipped_language_translates_every_text(lang: str) -> None:
    root = ET.parse(TS_FOLDER / f"crasme_{lang}.ts").getroot()
    assert root.get("language") == lang
    missing, wrong = [], []
    messages = _messages(lang)
    assert len(messages) > 100
    for context, source, message in messages:
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not (
                translation.text or "").strip():
            missing.append(f"{context}: {source[:60]}")
        elif _placeholders(source) != _placeholders(translation.text or ""):
            wrong.append(f"{context}: {source[:60]} -> {translation.text[:60]}")
    assert not missing, f"{len(missing)} texts without a {lang} translation:\n" + "\n".join(
        missing[:40])
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def _lupdate(files: list[Path], target: Path) -> set[tuple[str, str]]:
    if not LUPDATE.exists():
        pytest.fail(f"{LUPDATE} is missing: run scripts/setup")
    subprocess.run([str(LUPDATE), *map(str, files), "-locations", "none", "-ts", str(target)],
                   check=True, capture_output=True)
    root = ET.parse(target).getroot()
    return {(c.findtext("name") or "", m.findtext("source") or "")
            for c in root.iter("context") for m in c.iter("message")}


def test_lupdate_extracts_the_markers_of_domain_i18n(tmp_path: Path) -> None:
    sample = tmp_path / "marked.py"
    sample.write_text(
        "from crasme_desktop.domain import i18n\n"
        "from crasme_desktop.domain.i18n import QT_TRANSLATE_NOOP, translate\n"
        "a = translate('SalesPdf', 'Invoice')\n"
        "b = i18n.translate('SalesPdf', 'Page {page} of {pages}')\n"
        "c = i18n.language('de').translate('SalesPdf', 'Due date')\n"
        "D = QT_TRANSLATE_NOOP('SalesPdf', 'Quote')\n", encoding="utf-8")
    found = _lupdate([sample], tmp_path / "out.ts")
    assert found == {("SalesPdf", "Invoice"), ("SalesPdf", "Page {page} of {pages}"),
                     ("SalesPdf", "Due date"), ("SalesPdf", "Quote")}


def test_the_catalogs_hold_every_text_marked_in_the_converted_files(tmp_path: Path) -> None:
    marked = _lupdate([PACKAGE / name for name in CONVERTED], tmp_path / "now.ts")
    assert len(marked) > 100
    for lang in SHIPPED:
        shipped = {(context, source) for context, source, _m in _messages(lang)}
        missing = sorted(marked - shipped)
        assert not missing, (f"crasme_{lang}.ts lacks {len(missing)} marked texts (run "
                             f"scripts/translations update): {missing[:10]}")


def test_the_compiled_catalog_reads_the_same_without_qt(tmp_path: Path) -> None:
    """formats/qm_catalog reads what lrelease writes: every finished message of the .ts."""
    from crasme_desktop.formats import qm_catalog

    lrelease = ROOT / ".venv" / "bin" / "pyside6-lrelease"
    target = tmp_path / "crasme_de.qm"
    subprocess.run([str(lrelease), "-silent", str(TS_FOLDER / "crasme_de.ts"), "-qm",
                    str(target)], check=True)
    catalog = qm_catalog.load(tmp_path, "de")
    assert catalog is not None
    expected = {(c, s): m.findtext("translation") for c, s, m in _messages("de")}
    assert {k: v for k, v in catalog.messages.items()} == {
        k: v for k, v in expected.items() if v}
    with pytest.raises(ValueError, match="not a Qt translation file"):
        qm_catalog.parse(b"not a catalog at all")
    assert qm_catalog.load(tmp_path / "nowhere", "de") is None

