"""Translations for code that must not import Qt: services, formats and the CLI.

The rules, for everyone who writes a sentence a person will read:

- In `ui/` use Qt's own markers: `self.tr("text")` on a QObject subclass (the context is
  the class name) or `QCoreApplication.translate("Context", "text")`.
- Everywhere else (UserError sentences, PDFs, e-mails, the privacy notice) use
  `translate("Context", "text")` from this module, or `language(code).translate(...)` for
  a text written in a given language rather than the app's (a document for a customer).
  A constant that is translated later is marked where it is written with
  `QT_TRANSLATE_NOOP("Context", "text")` (it returns the text unchanged) and passed
  through `translate` with the same context where it is shown.
- The context is a literal string naming the module or class (`"SalesPdf"`), the text a
  plain string literal: never an f-string or a concatenation built at run time, since
  `pyside6-lupdate` reads the source, not the running program. Values go in afterwards:
  `translate("SalesPdf", "Page {page} of {pages}").format(page=1, pages=3)`. Named
  placeholders let a translation change the word order.

`pyside6-lupdate` (scripts/translations) recognises exactly these names in Python: a
call of a function or method named `translate` with a literal context and text, `tr` as a
method, and `QT_TRANSLATE_NOOP`/`QT_TR_NOOP`; so the names here are chosen to match, and
`tests/unit/test_translations.py` checks that the marker really is extracted.

How a text is looked up: one process-wide *current language*, set once at start.
- The window (`ui/i18n.py`) loads the compiled catalogs into Qt's QTranslator and
  installs `QCoreApplication.translate` here, so a service's sentence and a widget's
  label come from the same catalog.
- The CLI (and the window, for `language(code)`) reads the same compiled `.qm` files
  without Qt through `formats/qm_catalog.py`, installed with `set_catalog_loader`.
- Until anything is installed (tests, library use) every text is its English source.

Catalogs for other languages are loaded on first use and kept; lookups are plain dict
reads, safe from worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: The languages shipped with a complete catalog; English is the source language.
SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr")
#: How each shipped language names itself (for the language choice in Settings).
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français"}

#: The locale of each shipped language where nothing says which country's (babel and
#: QLocale names).
LOCALES: Mapping[str, str] = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}

Lookup = Callable[[str, str], str]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate knows
    """Mark `text` for extraction under `context` without translating it now."""
    return text


@dataclass(frozen=True)
class Catalog:
    """One language's translations: (context, source text) -> translated text."""

    language: str
    messages: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def translate(self, context: str, text: str) -> str:
        """`text` in this catalog's language; the source text when it has none."""
        return self.messages.get((context, text)) or text


ENGLISH = Catalog("en")

_lock = threading.Lock()
_current_lookup: Lookup | None = None
_current_language = "en"
_loader: Callable[[str], Catalog | None] | None = None
_loaded: dict[str, Catalog] = {"en": ENGLISH}


def translate(context: str, text: str) -> str:
    """`text` (marked under `context`) in the app's current language."""
    lookup = _current_lookup
    if lookup is None:
        return text
    return lookup(context, text) or text


def current_language() -> str:
    """The app's current language code ("en", "de", "fr")."""
    return _current_language


def language(code: str) -> Catalog:
    """The catalog of `code` ("de", "de_DE" and "de-AT" all mean German); English for a
    language that is not shipped or whose compiled catalog cannot be found."""
    lang = language_of(code)
    with _lock:
        found = _loaded.get(lang)
        if found is None and _loader is not None:
            found = _loader(lang) or ENGLISH
            _loaded[lang] = found
    return found or ENGLISH


def language_of(locale_name: str) -> str:
    """The shipped language a locale name ("de_DE", "fr-CH", "de") is written in, else
    "en"."""
    lang = locale_name.replace("-", "_").split("_", 1)[0].split(".", 1)[0].lower()
    return lang if lang in SHIPPED_LANGUAGES else "en"


def set_catalog_loader(loader: Callable[[str], Catalog | None] | None) -> None:
    """How `language(code)` finds a compiled catalog (None forgets; tests)."""
    global _loader
    with _lock:
        _loader = loader
        _loaded.clear()
        _loaded["en"] = ENGLISH


def install(lang: str, lookup: Lookup | None = None) -> None:
    """Make `lang` the current language. `lookup(context, text)` answers `translate`
    (the window passes QCoreApplication.translate); without it the catalog from the
    loader is used. English with no lookup restores the untranslated start."""
    global _current_lookup, _current_language
    lang = language_of(lang)
    if lookup is None and lang != "en":
        lookup = language(lang).translate
    _current_language = lang
    _current_lookup = lookup


def chosen_language(setting: str, system_locale: str) -> str:
    """The language to run in: the one chosen in Settings (`AppSettings.language`), or
    with "" the system's (`system_locale` such as "de_DE.UTF-8"), English when the
    system's language is not shipped."""
    return language_of(setting) if setting else language_of(system_locale or "en")


def locale_of(lang: str) -> str:
    """The locale name to format dates and numbers for a text in `lang` ("de" -> "de_DE")."""
    return LOCALES[language_of(lang)]
