"""One gettext catalog for the window, the CLI and printed documents (kk, ru, en).

Catalogs live in ``consuldesk/locale/<lang>/LC_MESSAGES/consuldesk.mo``. Until :func:`install`
is called, text is English.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "consuldesk"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("kk", "ru", "en")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def install(language: str) -> str:
    """Use ``language`` for all later messages; returns the language actually in use."""
    global _translations, _language
    lang = language.split("_")[0].split("-")[0].lower()
    if lang not in LANGUAGES:
        lang = "en"
    _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _language = lang
    return lang


def language() -> str:
    """The language in use."""
    return _language


def _(message: str) -> str:
    """Translate a message."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count (Russian and Kazakh plural rules differ)."""
    return _translations.ngettext(singular, plural, n)


def plural_forms(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural pair for the catalogs, to be given to :func:`ngettext` once
    the number is known (a caption made before its count)."""
    return singular, plural


def number(n: int) -> str:
    """A whole number grouped as the language writes it: 8,185 in English, 8 185 (with a
    no-break space) in Kazakh and Russian."""
    grouped = f"{n:,}"
    return grouped if _language == "en" else grouped.replace(",", "\u00a0")
