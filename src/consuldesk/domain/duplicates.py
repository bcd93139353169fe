"""Probable-duplicate detection: similar names across scripts plus the same birth date.

Two records that both carry an IIN, and different ones, are two people (twins with similar
names, namesakes born the same day) and are never flagged: an IIN belongs to one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from consuldesk.domain.names import full_name_key

#: Names at or above this similarity (0–100), with the same birth date, are flagged for review.
THRESHOLD = 85.0


@dataclass(frozen=True)
class NameFacts:
    """What duplicate detection compares: Latin name keys of both scripts, and the birth date."""

    keys: tuple[str, ...]  # full-name keys from names.full_name_key, one per script present
    birth_date: date | None
    iin: str | None = None


def facts_of(
    surname_cyr: str | None,
    given_names_cyr: str | None,
    surname_lat: str | None,
    given_names_lat: str | None,
    birth_date: date | None,
    iin: str | None,
) -> NameFacts:
    """What detection compares of one record: its full-name key in each script it has."""
    keys = tuple(
        k
        for k in (
            full_name_key(surname_cyr, given_names_cyr),
            full_name_key(surname_lat, given_names_lat),
        )
        if k
    )
    return NameFacts(keys, birth_date, iin)


def similarity(a: NameFacts, b: NameFacts) -> float:
    """Best token-set similarity between any name key of ``a`` and any of ``b`` (0–100)."""
    best = 0.0
    for ka in a.keys:
        for kb in b.keys:
            if ka and kb:
                best = max(best, fuzz.token_sort_ratio(ka, kb))
    return best


def probable_duplicate(a: NameFacts, b: NameFacts) -> float | None:
    """The similarity score when ``a`` and ``b`` are probably one person, else ``None``."""
    if a.birth_date is None or a.birth_date != b.birth_date:
        return None
    if a.iin and b.iin and a.iin != b.iin:
        return None
    score = similarity(a, b)
    return score if score >= THRESHOLD else None


def same_person(a: NameFacts, b: NameFacts) -> bool:
    """Whether two records that share an IIN or a passport number can be one person.

    They cannot when both birth dates are known and differ, or when their names have nothing in
    common: not one word (a married woman's new surname still comes with her given name), and
    not as similar as a probable duplicate. A passport number copied onto the next person's row
    is the usual cause, and must not merge two people.
    """
    if a.birth_date and b.birth_date and a.birth_date != b.birth_date:
        return False
    words_a = {w for key in a.keys for w in key.split()}
    words_b = {w for key in b.keys for w in key.split()}
    if not words_a or not words_b or words_a & words_b:
        return True
    return similarity(a, b) >= THRESHOLD
