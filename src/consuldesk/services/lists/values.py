"""Reading cell values: sex, yes/no, presence status, names in one column, nationality."""

from __future__ import annotations

import re
from typing import Any

from consuldesk.domain.countries import alpha3, country_code
from consuldesk.domain.enums import PresenceStatus, Sex
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.names import is_cyrillic

# -- value vocabularies --------------------------------------------------------------------


def _fold_value(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


_SEX_WORDS: dict[str, Sex] = {
    _fold_value(w): sex
    for sex, words in (
        (
            Sex.MALE,
            ("M", "М", "муж", "мужской", "мужчина", "male", "man", "Ер", "Ер адам", "еркек", "Е"),
        ),
        (
            Sex.FEMALE,
            (
                "F",
                "Ж",
                "жен",
                "женский",
                "женщина",
                "female",
                "woman",
                "W",
                "Әйел",
                "Әйел адам",
                "Ә",
            ),
        ),
    )
    for w in words
}
_YES = {
    _fold_value(w)
    for w in (
        "да",
        "д",
        "yes",
        "y",
        "true",
        "1",
        "иә",
        "ия",
        "иа",
        "v",
        "x",
        "истина",
        "беременна",
        "pregnant",
        "жүкті",
    )
}
_NO = {_fold_value(w) for w in ("нет", "н", "no", "n", "false", "0", "жоқ", "жок", "ложь")}
_YES_MARKS = {"+", "✓", "✔", "☑"}  # folded away by _fold_value, so looked up as they are
_NO_MARKS = {"-", "–", "—", "✗", "☐"}
_SEX_LABELS = {"en": ("M", "F"), "ru": ("М", "Ж"), "kk": ("Ер", "Әйел")}
_YES_LABEL = {"en": "yes", "ru": "да", "kk": "иә"}

# status -> (English, Russian, Kazakh) labels; the first of each is what export writes.
_STATUS_LABELS: dict[PresenceStatus, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    PresenceStatus.IN_COUNTRY: (
        ("In country", "In the country", "In-country", "Here"),
        ("В стране", "В стране пребывания", "На месте"),
        ("Елде", "Болатын елде", "Осында"),
    ),
    PresenceStatus.IN_TRANSIT: (
        ("In transit", "On the road"),
        ("В пути", "В транзите"),
        ("Жолда", "Транзитте"),
    ),
    PresenceStatus.IN_HOTEL: (
        ("In hotel", "In a hotel", "In the hotel", "Hotel"),
        ("В отеле", "В гостинице", "Отель", "Гостиница"),
        ("Қонақүйде", "Қонақүй"),
    ),
    PresenceStatus.EVACUATED: (
        ("Evacuated",),
        ("Эвакуирован", "Эвакуирована", "Эвакуированы"),
        ("Эвакуацияланды", "Эвакуацияланған"),
    ),
    PresenceStatus.LEFT_ON_OWN: (
        ("Left on own", "Left"),
        ("Выехал самостоятельно", "Выехала самостоятельно", "Выехал"),
        ("Өз бетімен кетті", "Кетті"),
    ),
    PresenceStatus.UNKNOWN: (("Unknown",), ("Неизвестно",), ("Белгісіз",)),
}
_STATUS_WORDS: dict[str, PresenceStatus] = {}
for _status, _langs in _STATUS_LABELS.items():
    _STATUS_WORDS[_fold_value(_status.value)] = _status
    for _labels in _langs:
        for _label in _labels:
            _STATUS_WORDS[_fold_value(_label)] = _status

_PATRONYMIC_END = re.compile(r"(ович|евич|ич|овна|евна|ична|ұлы|улы|қызы|кызы|оглы)$")


def _put_name(out: dict[str, Any], errs: list[ValidationError], key: str, value: str) -> None:
    old = out.get(key)
    if old is None:
        out[key] = value
    elif old.casefold() != value.casefold():
        errs.append(ValidationError("list.name_conflict", key, value=value, other=old))


def _split_full(value: str, latin: bool) -> dict[str, str]:
    parts = value.split()
    if not parts:
        return {}
    if latin or not is_cyrillic(value):
        names = {"surname_lat": parts[0]}
        if len(parts) > 1:
            names["given_names_lat"] = " ".join(parts[1:])
        return names
    names = {"surname_cyr": parts[0]}
    rest = parts[1:]
    if len(rest) >= 2 and _PATRONYMIC_END.search(rest[-1].casefold()):
        names["patronymic_cyr"] = rest.pop()
    if rest:
        names["given_names_cyr"] = " ".join(rest)
    return names


def _add_note(out: dict[str, Any], text: str) -> None:
    old = out.get("notes")
    out["notes"] = f"{old}; {text}" if old else text


def _parse_sex(s: str) -> Sex | None:
    key = _fold_value(s)
    if not key:
        return None
    found = _SEX_WORDS.get(key)
    if found is None:
        raise ValidationError("list.sex", "sex", value=s)
    return found


def _parse_yes_no(s: str) -> bool | None:
    if s in _YES_MARKS:
        return True
    if s in _NO_MARKS:
        return False
    key = _fold_value(s)
    first = _fold_value(s.split(maxsplit=1)[0]) if s.split() else ""
    if key in _YES or first in _YES:  # "да, 20 недель"
        return True
    if key in _NO or first in _NO:
        return False
    if key:
        raise ValidationError("list.yes_no", "pregnant", value=s)
    return None


def _parse_status(s: str) -> PresenceStatus | None:
    key = _fold_value(s)
    if not key:
        return None
    found = _STATUS_WORDS.get(key)
    if found is None:
        raise ValidationError("list.status", "presence_status", value=s)
    return found


def _parse_nationality(s: str) -> str | None:
    if not s:
        return None
    if re.fullmatch(r"[A-Za-z]{3}", s):
        return s.upper()
    try:
        return alpha3(country_code(s, field="nationality"))
    except ValidationError:
        raise ValidationError("country.unknown", "nationality", value=s) from None


# -- families ------------------------------------------------------------------------------

#: Roles in a family, as stored on a membership (``HouseholdMember.relation``).
RELATIONS = ("head", "spouse", "child", "parent", "other")

# role -> words in English, Russian and Kazakh; other kin are "other".
_RELATION_WORDS: dict[str, tuple[str, ...]] = {
    "head": (
        "head", "head of family", "head of household", "applicant",
        "глава", "глава семьи", "заявитель",
        "басшы", "отбасы басшысы", "отағасы", "өтініш беруші",
    ),
    "spouse": (
        "spouse", "wife", "husband", "partner",
        "супруг", "супруга", "жена", "муж",
        "жұбайы", "жұбай", "зайыбы", "әйелі", "күйеуі",
    ),
    "child": (
        "child", "son", "daughter", "kid",
        "ребенок", "сын", "дочь", "дочка", "дети",
        "бала", "баласы", "ұлы", "қызы", "перзенті",
    ),
    "parent": (
        "parent", "mother", "father", "mom", "dad",
        "родитель", "мать", "отец", "мама", "папа",
        "ата-ана", "ата-анасы", "анасы", "әкесі", "шешесі",
    ),
    "other": (
        "other", "relative", "brother", "sister", "grandmother", "grandfather", "grandson",
        "granddaughter", "grandchild", "nephew", "niece", "aunt", "uncle", "in-law",
        "другое", "другой", "родственник", "родственница", "брат", "сестра", "бабушка",
        "дедушка", "внук", "внучка", "племянник", "племянница", "тетя", "дядя", "свекровь",
        "теща", "зять", "невестка",
        "басқа", "туыс", "туысы", "ағасы", "інісі", "апасы", "әпкесі", "сіңлісі", "қарындасы",
        "әжесі", "атасы", "немересі", "жиені", "келіні", "күйеу баласы",
    ),
}  # fmt: skip
_RELATION_INDEX = {
    _fold_value(word): role for role, words in _RELATION_WORDS.items() for word in words
}


def _parse_relation(s: str) -> str | None:
    """A family role from a relation cell (``list.relation`` when the word is not known)."""
    key = _fold_value(s)
    if not key:
        return None
    found = _RELATION_INDEX.get(key)
    if found is None:
        raise ValidationError("list.relation", "relation", value=s)
    return found


_WORD_OF_FOUR = re.compile(r"[^\W\d_]{4,}")  # a name has a word of four letters or more


def family_key(value: str) -> str:
    """How a family value is matched between lists: case, ё/е and spacing folded."""
    return " ".join(value.casefold().replace("ё", "е").split())


def is_family_code(value: str) -> bool:
    """Whether a family value is a code ("12", "FAM-012") rather than a name ("Семья Қасымовых")."""
    return not _WORD_OF_FOUR.search(value)
