"""Countries: ISO 3166-1 codes from names or codes in English, Russian or Kazakh.

Names come from pycountry's data and its bundled gettext catalogs (``ru``, ``kk``); a
small alias table adds the short forms people actually write ("UAE", "ОАЭ", "БАӘ",
"Эмираты", "Турция"...) and MRZ-only codes (``D<<`` for Germany, ``GBD`` etc. for the
United Kingdom). Matching ignores case, accents and stress marks, ``ё``/``е``, ``й``/``и``,
punctuation and extra spaces.

Error codes:
    ``country.unknown``: no country matches. Params: ``value`` (the text as given,
        stripped).
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections.abc import Callable

import pycountry
from pycountry.db import Country

from consuldesk.domain.errors import ValidationError

__all__ = ["alpha3", "country_code", "country_name"]

LANGUAGES = ("en", "ru", "kk")
_PUNCTUATION = re.compile(r"[\s,()'’`\"\-‐–—_/&<]+")

# Short forms missing from pycountry and its catalogs. Keys are folded by _fold().
_ALIASES: dict[str, str] = {
    # English
    "uae": "AE",
    "emirates": "AE",
    "the emirates": "AE",
    "ksa": "SA",
    "saudi": "SA",
    "america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "russia": "RU",
    "turkey": "TR",
    "kirghizia": "KG",
    "palestine": "PS",
    "vatican": "VA",
    "macedonia": "MK",
    "holland": "NL",
    "ivory coast": "CI",
    # Russian
    "оаэ": "AE",
    "эмираты": "AE",
    "арабские эмираты": "AE",
    "сша": "US",
    "америка": "US",
    "англия": "GB",
    "британия": "GB",
    "великобритания": "GB",
    "россия": "RU",
    "рф": "RU",
    "кндр": "KP",
    "кыргызстан": "KG",
    "киргизстан": "KG",
    "белоруссия": "BY",
    "туркмения": "TM",
    "македония": "MK",
    "голландия": "NL",
    "саудия": "SA",
    # Kazakh
    "баә": "AE",
    "әмірліктер": "AE",
    # MRZ codes that are not ISO alpha-3 (ICAO 9303 part 3)
    "d": "DE",
    "gbd": "GB",
    "gbn": "GB",
    "gbo": "GB",
    "gbp": "GB",
    "gbs": "GB",
}


def _fold(text: str) -> str:
    """Matching key: case, accents, stress marks, ё/й and punctuation folded away."""
    s = text.casefold().replace("ё", "е")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return _PUNCTUATION.sub(" ", s.replace(".", "")).strip()  # "U.A.E." -> "uae"


@functools.cache
def _translator(lang: str) -> Callable[[str], str]:
    """The gettext lookup for ISO 3166-1 names in ``lang`` (identity for English)."""
    if lang == "en":
        return lambda s: s
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    ).gettext


def _names(country: Country, *, primary: bool) -> list[str]:
    """English names of a country: primary (name, common name) or secondary.

    Secondary names are the official name and "B A" for every "A, B" name.
    """
    primary_names = [n for n in (country.name, getattr(country, "common_name", None)) if n]
    if primary:
        return [str(n) for n in primary_names]
    official = getattr(country, "official_name", None)
    result = [str(official)] if official else []
    for name in [*primary_names, *result]:
        head, sep, tail = str(name).partition(", ")
        if sep:
            result.append(f"{tail} {head}")
    return result


@functools.cache
def _index() -> dict[str, str]:
    """Folded name or code -> alpha-2, built once.

    Earlier entries win on a clash: codes, aliases, usual names in English, Russian and
    Kazakh, then official and inverted names (the catalogs have a few mistranslated
    official names that would otherwise shadow a usual name).
    """
    index: dict[str, str] = {}
    for country in pycountry.countries:
        index.setdefault(_fold(country.alpha_2), country.alpha_2)
        index.setdefault(_fold(country.alpha_3), country.alpha_2)
    for key, code in _ALIASES.items():
        index.setdefault(_fold(key), code)
    for primary in (True, False):
        for lang in LANGUAGES:
            translate = _translator(lang)
            for country in pycountry.countries:
                for name in _names(country, primary=primary):
                    index.setdefault(_fold(translate(name)), country.alpha_2)
    return index


def country_code(value: str, field: str = "country") -> str:
    """Find the ISO 3166-1 alpha-2 code for a country name or code.

    Args:
        value: a name in English, Russian or Kazakh (full, official or common short
            form), an alpha-2 or alpha-3 code, or an MRZ code such as ``D<<``; any case.
        field: field name reported in errors.

    Returns:
        The alpha-2 code, e.g. ``"AE"``.

    Raises:
        ValidationError: ``country.unknown`` with ``value``.
    """
    code = _code_of(value)
    if code is None:
        raise ValidationError("country.unknown", field, value=value.strip())
    return code


@functools.lru_cache(maxsize=4096)
def _code_of(value: str) -> str | None:
    """The alpha-2 code a name or code stands for (cached: lists repeat a few countries)."""
    return _index().get(_fold(value))


def _country(alpha2: str, field: str) -> Country:
    country = pycountry.countries.get(alpha_2=alpha2.strip().upper())
    if country is None:
        raise ValidationError("country.unknown", field, value=alpha2)
    return country


def country_name(alpha2: str, lang: str = "en") -> str:
    """The country's usual short name in the officer's language.

    Args:
        alpha2: ISO 3166-1 alpha-2 code.
        lang: ``"en"``, ``"ru"`` or ``"kk"`` (``"ru_RU"`` style accepted); anything else,
            or a missing translation, gives English.

    Returns:
        E.g. ``"Iran"``, ``"Иран"``; ``"United Arab Emirates"``, ``"Біріккен Араб Әмірліктері"``.

    Raises:
        ValidationError: ``country.unknown`` (field ``country``) for an unknown code.
    """
    country = _country(alpha2, "country")
    name = str(country.name)
    lang = lang.replace("-", "_").split("_")[0].lower()
    if lang in LANGUAGES and lang != "en":
        translated = _translator(lang)(name)
        if translated != name:
            return translated
    return str(getattr(country, "common_name", None) or name)


def alpha3(alpha2: str) -> str:
    """ISO 3166-1 alpha-3 code (as used for MRZ nationality and manifests).

    Args:
        alpha2: ISO 3166-1 alpha-2 code, any case.

    Returns:
        E.g. ``"KAZ"`` for ``"KZ"``.

    Raises:
        ValidationError: ``country.unknown`` (field ``country``) for an unknown code.
    """
    return str(_country(alpha2, "country").alpha_3)
