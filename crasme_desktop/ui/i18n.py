"""The window's language: Qt's translators loaded once at start, before any window.

The language is the one chosen in Settings (`AppSettings.language`), or with "" the
system's (`QLocale.system()`), English when that is not shipped (see domain/i18n.py
for the whole design and how to mark a text). `apply_language` installs:

- our catalog, `resources/translations/crasme_<lang>.qm` (compiled from the .ts by
  scripts/translations, run by scripts/setup), into a QTranslator, so `self.tr` and
  `QCoreApplication.translate` answer in that language;
- Qt's own `qtbase_<lang>.qm` from the Qt installation, for the standard buttons and
  dialogs (QDialogButtonBox's "Cancel", QFileDialog, the context menus of text fields);
- `QCoreApplication.translate` as `domain.i18n`'s lookup, so sentences from services
  and formats come from the same catalog, and the .qm reader for texts written in a
  given language (`domain.i18n.language`, e.g. a customer's document);
- the default QLocale: the system's when it speaks the chosen language (de_AT stays
  Austrian), else the chosen language's main country (de_DE, fr_FR), so dates and
  numbers in lists and forms match the words around them.

A change in Settings shows at the next start: the pages build their texts once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from crasme_desktop import resource_path
from crasme_desktop.domain import i18n
from crasme_desktop.formats import qm_catalog

log = logging.getLogger(__name__)

#: The QLocale of each shipped language when the system speaks another one.
LOCALES = i18n.LOCALES

_installed: list[QTranslator] = []


def catalog_folder() -> str:
    return str(resource_path("translations"))


def apply_language(setting: str, system: QLocale | None = None) -> str:
    """Install the translators for `setting` ("" = the system's language); returns the
    language now in use ("en", "de" or "fr")."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("apply_language needs the QApplication first")
    system = system or QLocale.system()
    lang = i18n.chosen_language(setting, system.name())
    for old in _installed:
        QCoreApplication.removeTranslator(old)
    _installed.clear()
    folder = resource_path("translations")
    i18n.set_catalog_loader(lambda code: qm_catalog.load(folder, code))
    if lang != "en":
        ours = QTranslator(app)
        if ours.load(str(qm_catalog.catalog_path(folder, lang))):
            QCoreApplication.installTranslator(ours)
            _installed.append(ours)
        else:
            log.warning("No compiled %s translations in %s (run scripts/translations build)",
                        lang, folder)
        qt_own = QTranslator(app)
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_own.load(QLocale(LOCALES[lang]), "qtbase", "_", qt_folder):
            QCoreApplication.installTranslator(qt_own)
            _installed.append(qt_own)
    speaks = i18n.language_of(system.name()) == lang and system.language() != QLocale.Language.C
    QLocale.setDefault(system if speaks else QLocale(LOCALES[lang]))
    i18n.install(lang, QCoreApplication.translate if lang != "en" else None)
    log.info("Language %s (setting %r, system %s)", lang, setting, system.name())
    return lang
