"""The national search index: keys computed in Python, mirrored into FTS5 by triggers.

``national.search_keys`` holds every key a person can be found by: folded Cyrillic and loose Latin
keys of each name word (both scripts), the IIN, the passport number and phone digits in the forms
people type. It is copied into the contentless FTS5 table ``national_fts`` (rowid
``national.seq``): on insert by :func:`_index_inserted` / :func:`index_new_rows`, on update and
delete by triggers (migration 0001).

A query is split into words; each word becomes an OR of its keys as prefixes, and words are ANDed.
Matches come back in rowid order with a LIMIT, without ranking: ranking every match of a one-letter
prefix (tens of thousands of rows) is what makes a naive FTS query slow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlmodel import Session

from consuldesk.domain.dates import birth_in_query
from consuldesk.domain.names import (
    NEAR_FROM,
    is_cyrillic,
    name_search_keys,
    near_keys,
    sort_key,
    word_keys,
    words,
)
from consuldesk.domain.phone import phone_search_tokens
from consuldesk.store import cipher
from consuldesk.store.models import National

#: Bump when the keys a national is indexed under change (names.py, phone tokens): case files
#: indexed with an older version are re-indexed when opened.
SEARCH_KEYS_VERSION = "4"  # 4: identifiers in national_ids (trigram)

_PHONE_LIKE = re.compile(r"^[\d\s+()\-.]+$")
_NON_ALNUM = re.compile(r"[^0-9a-z]")


_NAME_COLUMNS = (
    "surname_cyr",
    "given_names_cyr",
    "patronymic_cyr",
    "surname_lat",
    "given_names_lat",
)


def national_search_keys(values: Mapping[str, Any]) -> str:
    """Every search key of one national (given its column values), space separated."""
    keys: set[str] = set()
    for column in _NAME_COLUMNS:
        if name := values.get(column):
            keys |= _name_keys(name)
    if iin := values.get("iin"):
        keys.add(iin)
    if passport := values.get("passport_no"):
        keys.add(_NON_ALNUM.sub("", passport.casefold()))
    for phone in values.get("phones") or ():
        keys.update(phone_search_tokens(phone))
    return " ".join(sorted(keys))


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset[str]:
    """The search keys of one name (cached: a list repeats surnames and given names)."""
    return frozenset(name_search_keys((name,)))


def national_id_keys(values: Mapping[str, Any]) -> str:
    """The IIN, the passport number (letters and digits) and each phone's digits, space
    separated: what the trigram index finds by any part of three characters or more."""
    keys: list[str] = []
    if iin := values.get("iin"):
        keys.append(iin)
    if passport := values.get("passport_no"):
        keys.append(_NON_ALNUM.sub("", passport.casefold()))
    for phone in values.get("phones") or ():
        digits = re.sub(r"\D", "", phone)
        if digits:
            keys.append(digits)
    return " ".join(keys)


def national_sort_name(values: Mapping[str, Any]) -> str:
    """The key lists sort a national by."""
    return sort_key(
        values.get("surname_cyr") or values.get("surname_lat"),
        values.get("given_names_cyr") or values.get("given_names_lat"),
    )


def refresh_derived(n: National) -> None:
    """Recompute the derived columns of a national (search keys, sort name)."""
    values = {c: getattr(n, c) for c in (*_NAME_COLUMNS, "iin", "passport_no", "phones")}
    n.search_keys = national_search_keys(values)
    n.id_keys = national_id_keys(values)
    n.sort_name = national_sort_name(values)


def index_new_rows(connection: cipher.Connection, first_seq: int) -> None:
    """Add live nationals with ``seq >= first_seq`` to the search index after a bulk insert, in
    one statement (FTS5 writes out what each statement added when it ends)."""
    connection.execute(
        "INSERT INTO national_fts(rowid, keys) SELECT seq, search_keys FROM national "
        "WHERE seq >= ? AND deleted_at IS NULL",
        (first_seq,),
    )
    connection.execute(
        "INSERT INTO national_ids(rowid, ids) SELECT seq, id_keys FROM national "
        "WHERE seq >= ? AND deleted_at IS NULL AND id_keys != ''",
        (first_seq,),
    )


@event.listens_for(National, "after_insert")
def _index_inserted(_mapper: Any, connection: Connection, target: National) -> None:
    if target.deleted_at is None:
        connection.exec_driver_sql(
            "INSERT INTO national_fts(rowid, keys) VALUES (?, ?)", (target.seq, target.search_keys)
        )
        if target.id_keys:
            connection.exec_driver_sql(
                "INSERT INTO national_ids(rowid, ids) VALUES (?, ?)", (target.seq, target.id_keys)
            )


def build_match(query: str) -> str | None:
    """The FTS5 MATCH expression for what a person typed, or None when there is nothing to find.

    >>> build_match("Нұр ali")
    '("nur"* OR "нур"*) AND ("ali"*)'
    """
    tokens = _query_tokens(query)
    if not tokens:
        return None
    groups = ["(" + " OR ".join(f'"{k}"*' for k in sorted(keys)) + ")" for keys in tokens]
    return " AND ".join(groups)


def _query_tokens(query: str) -> list[set[str]]:
    """The keys of each word typed (one of which must begin a key of the person), or the
    digits of a phone-like query."""
    query = query.strip()
    if not query:
        return []
    if _PHONE_LIKE.match(query) and sum(ch.isdigit() for ch in query) >= 3:
        return [{re.sub(r"\D", "", query)}]
    return [keys for word in words(query) if (keys := word_keys(word))]


def id_fragment(query: str) -> str | None:
    """The part of an IIN, passport or phone number ``query`` is, when it is one (one word of
    at least three letters and digits, with a digit): the trigram index finds it anywhere."""
    text_ = query.strip()
    if not _PHONE_LIKE.match(text_) and (" " in text_ or not any(ch.isdigit() for ch in text_)):
        return None
    fragment = _NON_ALNUM.sub("", text_.casefold())
    return fragment if len(fragment) >= 3 else None


def search_seqs(session: Session, query: str, limit: int) -> list[int]:
    """``national.seq`` values of live nationals matching ``query`` (at most ``limit``): by
    the start of any key, and, for a piece of an IIN, passport or phone, by any part of it;
    a birth year or date beside a name ("Ахметова 1990") keeps those born then."""
    named, born = birth_in_query(query)
    match = build_match(named)
    if match is None:
        return []
    found = _matching(session, match, born, limit)
    fragment = id_fragment(query) if born is None else None
    if fragment is not None and len(found) < limit:
        seen = set(found)
        more = session.execute(
            text("SELECT rowid FROM national_ids WHERE national_ids MATCH :m LIMIT :n"),
            {"m": f'"{fragment}"', "n": limit},
        )
        found += [r[0] for r in more if r[0] not in seen][: limit - len(found)]
    return found


def merged_away_seqs(session: Session, query: str) -> list[int]:
    """``national.seq`` of the live records that records known by the IIN or passport number
    ``query`` (whole) were merged into, following merges: a merge keeps one number, and the
    other (a renewed passport, another post's record) still names the person at a checkpoint."""
    fragment = id_fragment(query)
    if fragment is None or len(fragment) < 6:  # a whole number, not a piece of one
        return []
    conn = session.connection()
    wanted = [
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT merged_into_id FROM national WHERE deleted_at IS NOT NULL "
            "AND merged_into_id IS NOT NULL AND anonymised_at IS NULL "
            "AND (passport_no = ? OR iin = ?)",
            (fragment.upper(), fragment),
        )
    ]
    found: list[int] = []
    seen: set[str] = set()
    while wanted:
        rid = wanted.pop()
        if rid in seen:
            continue
        seen.add(rid)
        row = conn.exec_driver_sql(
            "SELECT seq, deleted_at, merged_into_id FROM national WHERE id = ?", (rid,)
        ).first()
        if row is None:
            continue
        if row[1] is None:
            found.append(row[0])
        elif row[2]:
            wanted.append(row[2])  # merged on since
    return sorted(found)


def similar_matches(session: Session, query: str) -> list[str]:
    """MATCH expressions for names like the ones typed, to try in turn when nobody has them
    as typed (empty when the query is no name, a number, or nothing is near it).

    First every word as typed or as the indexed names nearest it (:func:`near_keys`: a
    letter missing, extra or wrong), as the hotline hears a name and the list spelled it:
    "Ахмедов Канат" finds Ахметов Қанат even when an Ахмедов Руслан is on file. Then, for a
    full name of three words or more, the same without its last word: a patronymic said in
    its other form (Нұрлановна for Нұрланқызы, Жасуланович for Жасұланұлы) is no letter away.
    """
    query = birth_in_query(query.strip())[0]  # a birth year or date is no name
    if not query or id_fragment(query) is not None:
        return []
    vocabulary: tuple[list[str], list[str]] | None = None
    groups: list[tuple[set[str], set[str]]] = []
    for word in words(query):
        keys = word_keys(word)
        if not keys:
            continue
        near: set[str] = set()
        if all(len(k) >= NEAR_FROM and k.isalpha() for k in keys):
            vocabulary = vocabulary or _name_vocabulary(session)
            for key in keys:
                near.update(near_keys(key, vocabulary[0] if is_cyrillic(key) else vocabulary[1]))
        groups.append((keys, near - keys))
    found: list[str] = []
    if any(near for _keys, near in groups):
        found.append(_all_of(groups))
    if len(groups) >= 3:
        found.append(_all_of(groups[:-1]))
    return found


def _all_of(groups: list[tuple[set[str], set[str]]]) -> str:
    """Each word's keys as beginnings or its near keys whole, every word (AND)."""
    return " AND ".join(
        "("
        + " OR ".join([f'"{k}"*' for k in sorted(keys)] + [f'"{k}"' for k in sorted(near)])
        + ")"
        for keys, near in groups
    )


def similar_seqs(session: Session, query: str, limit: int) -> list[int]:
    """:func:`search_seqs` by the first of :func:`similar_matches` that finds anyone."""
    born = birth_in_query(query)[1]
    for match in similar_matches(session, query):
        if found := _matching(session, match, born, limit):
            return found
    return []


def _matching(
    session: Session, match: str, born: tuple[date, date] | None, limit: int
) -> list[int]:
    """The live nationals ``match`` finds, in ``seq`` order (``born``: born between those two
    days)."""
    if born is None:
        rows = session.execute(
            text("SELECT rowid FROM national_fts WHERE national_fts MATCH :m LIMIT :n"),
            {"m": match, "n": limit},
        )
        return [r[0] for r in rows]
    rows = session.execute(
        text(
            "SELECT seq FROM national WHERE seq IN "
            "(SELECT rowid FROM national_fts WHERE national_fts MATCH :m) "
            "AND birth_date BETWEEN :first AND :last AND deleted_at IS NULL ORDER BY seq LIMIT :n"
        ),
        {"m": match, "first": born[0].isoformat(), "last": born[1].isoformat(), "n": limit},
    )
    return [r[0] for r in rows]


#: The name keys last read from each case file's index, with the index's state then.
_VOCABULARIES: dict[str, tuple[Any, tuple[list[str], list[str]]]] = {}


def _name_vocabulary(session: Session) -> tuple[list[str], list[str]]:
    """Every name key of the index once: the Cyrillic keys, then the Latin ones (keys with a
    digit, the passport numbers, are skipped by reading only a letter followed by a letter).

    Kept until the index changes (FTS5 writes its structure and averages records, rows 10
    and 1 of ``national_fts_data``, whenever it is written): reading the keys out of an
    index of 100,000 people takes some 30 ms, comparing the two records nothing.
    """
    path = next((r[2] for r in session.execute(text("PRAGMA database_list")) if r[1] == "main"), "")
    stamp = tuple(
        session.execute(
            text("SELECT id, block FROM national_fts_data WHERE id IN (1, 10) ORDER BY id")
        )
    )
    kept = _VOCABULARIES.get(path) if path else None
    if kept is not None and kept[0] == stamp:
        return kept[1]
    vocabulary = _read_name_vocabulary(session)
    if path:
        _VOCABULARIES[path] = (stamp, vocabulary)
    return vocabulary


def _read_name_vocabulary(session: Session) -> tuple[list[str], list[str]]:
    session.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.national_vocab "
            "USING fts5vocab(main, 'national_fts', 'row')"
        )
    )
    terms = "SELECT term FROM temp.national_vocab WHERE term >= :low AND term < :high"
    cyrillic = [t for (t,) in session.execute(text(terms), {"low": "а", "high": "ѐ"})]
    latin: list[str] = []
    for first in "abcdefghijklmnopqrstuvwxyz":
        latin += [
            t
            for (t,) in session.execute(text(terms), {"low": first + "a", "high": first + "{"})
            if t.isalpha()
        ]
    return cyrillic, latin


def deleted_seqs(session: Session, query: str, limit: int) -> list[int]:
    """:func:`search_seqs` among deleted nationals (not in the index): "who deleted her?" is
    asked by her name. Their keys are read as the index would match them; a post deletes
    few people, so they are scanned."""
    tokens = _query_tokens(query)
    fragment = id_fragment(query)
    if limit <= 0 or (not tokens and fragment is None):
        return []
    found: list[int] = []
    rows = session.execute(
        text(
            "SELECT seq, search_keys, id_keys FROM national WHERE deleted_at IS NOT NULL "
            "ORDER BY seq"
        )
    )
    for seq, keys_text, ids in rows:
        keys = (keys_text or "").split()
        named = bool(tokens) and all(
            any(k.startswith(q) for q in group for k in keys) for group in tokens
        )
        if named or (fragment is not None and fragment in (ids or "")):
            found.append(seq)
            if len(found) >= limit:
                break
    return found


def rebuild_index(session: Session) -> int:
    """Recompute every national's keys and rebuild the FTS index; returns the rows indexed."""
    count = 0
    for n in session.execute(select(National)).scalars():
        refresh_derived(n)
        count += 1
    session.flush()
    session.execute(text("INSERT INTO national_fts(national_fts) VALUES ('delete-all')"))
    session.execute(
        text(
            "INSERT INTO national_fts(rowid, keys) "
            "SELECT seq, search_keys FROM national WHERE deleted_at IS NULL"
        )
    )
    session.execute(text("INSERT INTO national_ids(national_ids) VALUES ('delete-all')"))
    session.execute(
        text(
            "INSERT INTO national_ids(rowid, ids) "
            "SELECT seq, id_keys FROM national WHERE deleted_at IS NULL AND id_keys != ''"
        )
    )
    return count
