"""Name handling for search: folding, transliteration variants and query parsing.

The Latin name as printed in the passport is never generated from the Cyrillic one: everything here
produces *search keys* only. Two keys per word meet in the middle:

- ``cyr_key``: case-folded Cyrillic with ё→е, й→и and the Kazakh letters folded to their nearest
  Russian ones (Ә→а, Ғ→г, Қ→к, Ң→н, Ө→о, Ұ→у, Ү→у, Һ→х, І→и), so "Нурсултан" typed on a Russian
  keyboard finds "Нұрсұлтан";
- ``latin_key``: a loose Latin spelling in which the usual variants coincide (Kh/H, Zh/J/Dzh, Y/I,
  Ye/E, doubled letters), applied both to passport spellings and to transliterated Cyrillic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

_CYR_FOLD = str.maketrans(
    {
        "ё": "е",
        "й": "и",
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ъ": "",
        "ь": "",
    }
)

# Russian BGN/PCGN-like, plus the Kazakh letters as Kazakh passports print them.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip

# Applied in order to a lower-case ASCII word; each maps a family of spellings onto one.
_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"shch|sch", "sh"),
        (r"dzh|zh|dj", "j"),
        (r"kh", "h"),
        (r"q", "k"),
        (r"w", "v"),
        (r"ye", "e"),  # Yerlan/Erlan, Serikbayev/Серікбаев (-аев), Yevgeniy
        (r"y", "i"),
        (r"([a-z])\1", r"\1"),  # doubled letters (Kassymov/Kasymov); runs stay runs
    )
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGITS = re.compile(r"(\d+)")


def folded(text: str | None) -> str:
    """Text as it is compared when typed: runs of spaces as one, ends trimmed, either case
    ("Almaz  inn " is "almaz inn"; a plate "dubai p 48213")."""
    return " ".join((text or "").split()).casefold()


def words(text: str | None) -> list[str]:
    """Split text into words (letters and digits), dropping punctuation such as ``-`` and ``'``."""
    return _WORD.findall(text or "")


def is_cyrillic(text: str) -> bool:
    """True when the text contains Cyrillic letters."""
    return bool(_CYRILLIC.search(text))


def is_latin(text: str) -> bool:
    """True when the text contains Latin letters and no Cyrillic."""
    return bool(_LATIN.search(text)) and not is_cyrillic(text)


def cyr_key(word: str) -> str:
    """Fold a Cyrillic word for matching (case, ё/е, й/и, Kazakh letters to Russian ones)."""
    return word.casefold().translate(_CYR_FOLD)


def numbered_key(text: str) -> tuple[str | int, ...]:
    """:func:`cyr_key` of a name, its numbers compared as numbers ("Группа 2" before
    "Группа 12", "Қасымов (3)" before "Қасымов (12)")."""
    parts = _DIGITS.split(text)
    return tuple(int(p) if i % 2 else cyr_key(p) for i, p in enumerate(parts))


def transliterate(text: str) -> str:
    """Romanise Cyrillic (Russian and Kazakh) text; other characters pass through unchanged."""
    return "".join(_TRANSLIT.get(ch, ch) if ch in _TRANSLIT else ch for ch in text.casefold())


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


@lru_cache(maxsize=65536)
def latin_key(word: str) -> str:
    """Loose Latin key of one word, Cyrillic or Latin, so that spelling variants coincide.

    Cached: names repeat (lists, duplicate checks, search keys).

    >>> latin_key("Zhanibek") == latin_key("Жәнібек") == latin_key("Janibek")
    True
    """
    text = _ascii_fold(transliterate(word)) if is_cyrillic(word) else _ascii_fold(word)
    for pattern, repl in _LATIN_RULES:
        text = pattern.sub(repl, text)
    return text


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> frozenset[str]:
    keys = {latin_key(word)}
    if is_cyrillic(word):
        keys.add(cyr_key(word))
        if "ё" in word.casefold():  # passports print Ё as E (ELKIN), people also write YO
            keys.add(latin_key(word.casefold().replace("ё", "е")))
    else:
        keys.add(_ascii_fold(word))
    keys.discard("")
    return frozenset(keys)


def word_keys(word: str) -> set[str]:
    """Every key under which one word is indexed and searched (cached: names repeat)."""
    return set(_word_keys(word))


def name_search_keys(names: Iterable[str | None]) -> set[str]:
    """Search keys for all words of the given names (both scripts)."""
    keys: set[str] = set()
    for name in names:
        for word in words(name):
            keys |= _word_keys(word)
    return keys


#: Keys shorter than this have no near keys: too many names are a letter away from them.
NEAR_FROM = 4


def near_keys(key: str, vocabulary: Sequence[str], most: int = 12) -> list[str]:
    """The keys of ``vocabulary`` someone typing ``key`` may have meant instead: the closest
    ones that are not ``key`` itself or a name beginning with it (those it finds as typed).

    A key is near when it is a letter away (a letter missing, extra or wrong, or two letters
    swapped; two such for keys of nine letters or more), whole or in its beginning, as a
    search finds names by their beginning: the Russian spelling "Абдрахманова" of
    "Әбдірахманова" (key "абдирахманова"), "Ахмедова" for "Ахметова". Only the closest are
    kept, so a typo of a full name does not also bring every name two letters from it.
    Spellings that only fold differently (Нурсултан, Нұрсұлтан) already share a key.

    >>> near_keys("абдрахманова", ["абдирахманова", "абдиров", "ахметова"])
    ['абдирахманова']
    """
    n = len(key)
    if n < NEAR_FROM:
        return []
    apart = 1 if n < 9 else 2
    best: dict[int, int] = {}  # index in the vocabulary: the distance
    for cut in (n - 1, n, n + 1):
        heads = [term[:cut] for term in vocabulary]
        for _head, distance, index in process.extract_iter(
            key, heads, scorer=OSA.distance, score_cutoff=apart
        ):
            best[index] = min(distance, best.get(index, distance))
    near = {i: d for i, d in best.items() if d > 0 and not vocabulary[i].startswith(key)}
    if not near:
        return []
    closest = min(near.values())
    return sorted(vocabulary[i] for i, distance in near.items() if distance == closest)[:most]


def name_closeness(
    query: str, surnames: Sequence[str | None], others: Sequence[str | None]
) -> float:
    """How close a person's names are to a name typed, for ranking the people found by names
    near it: for each word typed, its best likeness (0–100, by search keys, whole or, less, as
    the beginning of a name) with a word of the person's names, a surname's counting more:
    for "Ахметова Дина", Ахметова Дана before Құдайбергенова Динара Аһметовна."""
    total = 0.0
    for word in words(query):
        best = 0.0
        for names, weight in ((surnames, 1.0), (others, 0.8)):
            for name in names:
                for part in _words_of(name):
                    best = max(best, _likeness(word, part) * weight)
        total += best
    return total


@lru_cache(maxsize=65536)
def _words_of(name: str | None) -> tuple[str, ...]:
    return tuple(words(name))


@lru_cache(maxsize=65536)
def _likeness(typed: str, word: str) -> float:
    """How like ``word`` a word typed is (0–100) by their keys: whole, or less as its beginning
    (cached: the people found by near names share their names)."""
    return max(
        (
            max(fuzz.ratio(a, b), fuzz.ratio(a, b[: len(a)]) - 10)
            for a in _word_keys(typed)
            for b in _word_keys(word)
        ),
        default=0.0,
    )


# The Kazakh Cyrillic alphabet (a superset of the Russian one, in the same relative order).
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_ALPHABET_ORDER = str.maketrans(
    {letter: chr(0xE000 + index) for index, letter in enumerate(KAZAKH_ALPHABET)}
)


@lru_cache(maxsize=65536)
def sort_key(surname: str | None, given: str | None) -> str:
    """Key to order people by name the way a Kazakh or Russian reader expects.

    Code-point order puts Ә Ғ Қ Ң Ө Ұ Ү Һ І after Я; the key maps Cyrillic letters to private
    code points in alphabet order (А Ә Б … Ы І Ь Э Ю Я), so a plain byte comparison in SQLite
    sorts correctly. Latin-only names sort after Cyrillic ones. The key is not for display.
    Cached: surnames and given names repeat.
    """
    text = f"{(surname or '').casefold()} {(given or '').casefold()}".strip()
    return text.translate(_ALPHABET_ORDER) if is_cyrillic(text) else "\uf8ff" + text


def display_name(*parts: str | None) -> str:
    """Join name parts that are present with single spaces."""
    return " ".join(p.strip() for p in parts if p and p.strip())


def full_name_key(*parts: str | None) -> str:
    """One Latin key for a whole name, for fuzzy comparison across scripts."""
    return " ".join(latin_key(w) for p in parts for w in words(p))


# Latin and Cyrillic letters that look the same. A name typed on a mixed keyboard ("Ивaнов" with a
# Latin "a") looks right and is found by nobody; swapping the look-alikes fixes it without
# changing what a reader sees.
_LATIN_LOOKALIKES = "AaBCcEeHKMOoPpTXxyiI"
_CYRILLIC_LOOKALIKES = "АаВСсЕеНКМОоРрТХхуіІ"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)


def repair_lookalikes(text: str, cyrillic: bool) -> str:
    """Replace letters of the other script that look like letters of this one.

    Only a word that is mostly of the wanted script changes (``cyrillic`` says which), so a
    name written wholly in the other script is never rewritten: that is not a typing slip.

    >>> repair_lookalikes("Ивaнов", cyrillic=True) == "Иванов"
    True
    """
    table = _TO_CYRILLIC if cyrillic else _TO_LATIN

    def fix(match: re.Match[str]) -> str:
        word = match[0]
        cyr = len(_CYRILLIC.findall(word))
        lat = len(_LATIN.findall(word))
        mine, other = (cyr, lat) if cyrillic else (lat, cyr)
        return word.translate(table) if other and mine > other else word

    return _WORD.sub(fix, text)


_PASSPORT_TYPED = re.compile(r"[A-Za-z]{1,2}\d{7,8}")
_PHONE_TYPED = re.compile(r"\+?\d{7,15}")


def fields_of_search(text: str) -> dict[str, str]:
    """What a search that found nobody most likely was, as the fields of a new record: an
    IIN (12 digits), a passport number, a phone, or a name (surname first, Cyrillic or as in
    the passport); nothing for what is none of these. The officer who searched for a caller
    and found nobody does not type it twice."""
    typed = " ".join(text.split())
    compact = re.sub(r"[\s\-().]", "", typed)
    if compact.isdigit() and len(compact) == 12:
        return {"iin": compact}
    if _PASSPORT_TYPED.fullmatch(compact):
        return {"passport_no": compact.upper()}
    if _PHONE_TYPED.fullmatch(compact):
        return {"phones": typed}
    if not typed or any(ch.isdigit() for ch in typed):
        return {}
    surname, _, given = typed.partition(" ")
    if is_cyrillic(typed):
        return {k: v for k, v in (("surname_cyr", surname), ("given_names_cyr", given)) if v}
    if is_latin(typed):
        pairs = (("surname_lat", surname.upper()), ("given_names_lat", given.upper()))
        return {k: v for k, v in pairs if v}
    return {}
