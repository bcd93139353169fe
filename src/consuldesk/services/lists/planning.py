"""Planning an import against the case file: which rows are new people, which complete a
record on file (and clear what it had set aside), which change nothing, which contradict the
case file (households: :mod:`~consuldesk.services.lists.households`)."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from consuldesk.domain.duplicates import probable_duplicate, same_person
from consuldesk.domain.enums import PresenceStatus, Sex, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.names import cyr_key, display_name, words
from consuldesk.domain.national import NationalFields, clean_national, set_aside_field
from consuldesk.domain.review import (
    ReviewItem,
    done_key,
    done_keys,
    merge_review,
    review_from_json,
    review_to_json,
    value_text,
)
from consuldesk.services.desk import CancelFlag
from consuldesk.services.lists.base import _EVERY, NOTE, REFUSED
from consuldesk.services.lists.checking import (
    Problem,
    _Checked,
    _name_keys,
    _read_into,
    _Row,
    name_facts,
)
from consuldesk.services.lists.households import _plan_families, _plan_groups
from consuldesk.services.lists.plan import _chunks, _json, _new_key, _Plan, _set_aside
from consuldesk.store.models import National
from consuldesk.store.search import national_sort_name

# -- matching against the case file --------------------------------------------------------

_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(NationalFields))
# Fields a list may fill on a record that has them empty (provenance and nationality stay).
_FILLABLE_TEXT = tuple(
    name
    for name in _FIELD_NAMES
    if name
    not in (
        "nationality",
        "source",
        "source_ref",
        "consent_date",
        "phones",
        "pregnant",
        "presence_status",
    )
)
#: A national's id and fields, as export reads them.
_NATIONAL_COLUMNS = ("id", *_FIELD_NAMES)
# What matching reads of a record on file.
_STATE_COLUMNS = (*_NATIONAL_COLUMNS, "review", "review_done", "sort_name")


def _live_count(session: Session) -> int:
    nt = National.__table__  # type: ignore[attr-defined]
    query = select(func.count()).select_from(nt).where(nt.c.deleted_at.is_(None))
    return int(session.execute(query).scalar_one())


def _select_where_in(
    session: Session, names: Sequence[str], key: str, values: Iterable[Any], live: int
) -> list[Any]:
    """Columns ``names`` of live nationals whose ``key`` is one of ``values``.

    Runs IN queries of up to 900 values, or one scan when the case file holds fewer records
    than that, straight through the driver: values come back as SQLite stores them (dates as
    ISO text, ``phones`` as JSON text, booleans as 0/1), which is all matching needs and
    several times faster than typed rows for 100,000 records.
    """
    if not live:
        return []
    wanted = sorted({v.isoformat() if isinstance(v, date) else v for v in values})
    if not wanted:
        return []
    conn = session.connection()
    select_from = f"SELECT {key} AS _key, {', '.join(names)} FROM national WHERE deleted_at IS NULL"
    if len(wanted) > live:
        found = set(wanted)
        return [
            r for r in conn.exec_driver_sql(f"{select_from} AND {key} IS NOT NULL") if r[0] in found
        ]
    result: list[Any] = []
    for chunk in _chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        result.extend(conn.exec_driver_sql(f"{select_from} AND {key} IN ({marks})", tuple(chunk)))
    return result


def _offered(f: NationalFields) -> dict[str, Any]:
    """The fields a row has a value for (the ones it could fill on a record)."""
    values = f.__dict__
    offered = {k: values[k] for k in _FILLABLE_TEXT if values[k] is not None}
    if f.phones:
        offered["phones"] = f.phones
    if f.pregnant:
        offered["pregnant"] = True
    if f.presence_status is not PresenceStatus.UNKNOWN:
        offered["presence_status"] = f.presence_status
    return offered


def _is_empty(name: str, value: Any) -> bool:
    """Whether a stored value (as the driver returns it) counts as not filled in."""
    if value is None or value == "":
        return True
    if name not in _SPECIAL_EMPTY:
        return False
    if name == "phones":
        return not value or value == "[]"
    if name == "presence_status":
        return value in (None, PresenceStatus.UNKNOWN.value)
    if name == "pregnant":
        return not value
    return value is None or value == ""


_SPECIAL_EMPTY = {"phones", "presence_status", "pregnant"}
# Review items of these fields are not about the one value a record holds there.
_MANY_VALUED = {"phones", "notes", "record", "household", "relation"}
_DATE_FIELDS = ("birth_date", "passport_expiry", "consent_date")


def _fields_from(values: dict[str, Any]) -> NationalFields:
    """A stored national's fields from column values (typed, or as the driver returns them)."""
    v = {k: values[k] for k in _FIELD_NAMES}
    phones = v["phones"]
    v["phones"] = tuple(json.loads(phones) if isinstance(phones, str) else phones or ())
    v["sex"] = Sex(v["sex"]) if v["sex"] else None
    v["presence_status"] = PresenceStatus(v["presence_status"])
    v["source"] = Source(v["source"])
    v["pregnant"] = bool(v["pregnant"])
    for name in _DATE_FIELDS:
        if isinstance(v[name], str):
            v[name] = date.fromisoformat(v[name])
    return NationalFields(**v)


def _column_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (Sex, PresenceStatus, Source)):
        return value.value
    return value


_SOME_DAY = date(2000, 1, 1)


@functools.lru_cache(maxsize=65536)
def _same_day_score(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """:func:`probable_duplicate` for two people born the same day (cached by name keys)."""
    from consuldesk.domain.duplicates import NameFacts

    return probable_duplicate(NameFacts(a, _SOME_DAY), NameFacts(b, _SOME_DAY))


def _stored_name(values: dict[str, Any]) -> str:
    return display_name(values["surname_cyr"], values["given_names_cyr"]) or display_name(
        values["surname_lat"], values["given_names_lat"]
    )


def _plan_import(session: Session, checked: _Checked, today: date, cancel: CancelFlag) -> _Plan:
    """Decide, for each row, whether it is a new person, completes a record on file, changes
    nothing, or contradicts the case file (then it is refused).

    New records are known by placeholder ids (:func:`_new_key`) until they are inserted.
    """
    plan = _Plan()
    plan.notes.update(checked.repeats)
    plan.unchanged += len(checked.repeats)
    rows = checked.rows
    live = _live_count(session)
    # Records on file named by the list's IINs (with all their values), passports and IDs.
    state: dict[str, dict[str, Any]] = {}  # current values of the records matched
    by_iin: dict[str, str] = {}
    iins = [x.fields.iin for x in rows if x.fields.iin]
    for r in _select_where_in(session, _STATE_COLUMNS, "iin", iins, live):
        state[r.id] = dict(r._mapping)
        by_iin[r.iin] = r.id
    passports = [x.fields.passport_no for x in rows if x.fields.passport_no]
    by_passport = {
        r.passport_no: r.id
        for r in _select_where_in(session, ("id", "passport_no"), "passport_no", passports, live)
    }
    record_ids = [x.record_id for x in rows if x.record_id]
    by_id = {r.id for r in _select_where_in(session, ("id",), "id", record_ids, live)}
    gone = _gone(session, [i for i in record_ids if i not in by_id])
    merged = _merged_aliases(session)
    cancel.check()

    # Rows that name a record on file (ConsulDesk ID, IIN or passport number).
    pending: list[_Row] = []
    matched: list[tuple[_Row, dict[str, str]]] = []
    for row in rows:
        f = row.fields
        matches: dict[str, str] = {}  # id -> the field that matched it
        if row.record_id and row.record_id in gone:
            merged_into, when = gone[row.record_id]
            if merged_into is None:
                # Deleted (here, or at another post): a review file or an old export does not
                # bring the person back as someone new without a word.
                error = ValidationError(
                    "list.record_deleted", "record_id", value=row.record_id, date=when
                )
                plan.refused[row.index] = [Problem(error, row.record_id, REFUSED)]
                continue
            row.record_id = merged_into  # merged since: the record kept is the person
            by_id.add(merged_into)
        if row.record_id and row.record_id in by_id:
            matches[row.record_id] = "record_id"
        if f.iin and (hit := by_iin.get(f.iin)):
            matches.setdefault(hit, "iin")
        if f.passport_no and (hit := by_passport.get(f.passport_no)):
            matches.setdefault(hit, "passport_no")
        if not matches and (
            into := merged.by_iin.get(f.iin or "") or merged.by_passport.get(f.passport_no or "")
        ):
            # The document of a record merged since: the record kept is the person (the
            # document itself differs from the kept one's: set aside for the officer).
            row.record_id = into
            by_id.add(into)
            matches[into] = "record_id"
        if matches:
            matched.append((row, matches))
        else:
            pending.append(row)
    missing = {i for _, m in matched for i in m if i not in state}
    for r in _select_where_in(session, _STATE_COLUMNS, "id", missing, live):
        state[r.id] = dict(r._mapping)
    for done, (row, matches) in enumerate(matched):
        if done % _EVERY == 0:
            cancel.check()
        problems = _conflicts(row, matches, state)
        if problems:
            plan.refused[row.index] = problems
            continue
        record_id = next(iter(matches))
        differs = _differs(row, state[record_id])
        if differs:  # the record keeps its own values; the list's go to the officer
            row.fields = row.fields.replace(**{item.field: None for item in differs})
        corrected = checked.corrections and "record_id" in matches.values()
        _fill(plan, state, row, record_id, today, by_id=corrected)
        for item in differs:
            _set_aside(plan, state, row, record_id, item)

    # The others: a record with the same name and birth date, no IIN or passport of its own
    # that says otherwise (a person registered without documents, now on a list with them);
    # else new records. New ones born the same day as another with a similar name are flagged
    # as probable duplicates.
    name_birth: dict[tuple[str, date | None], str] = {}
    births = [x.fields.birth_date for x in pending if x.fields.birth_date]
    born_that_day: list[str] = []
    for r in _select_where_in(session, _STATE_COLUMNS, "birth_date", births, live):
        born_that_day.append(r.id)
        if r.id not in state:
            state[r.id] = dict(r._mapping)
        name_birth.setdefault((r.sort_name, date.fromisoformat(r.birth_date)), r.id)
    undocumented = [
        national_sort_name(x.fields.__dict__)
        for x in pending
        if not (x.fields.iin or x.fields.passport_no or x.fields.birth_date)
    ]
    # Records merged since: a name and birth date they had lead to the record kept.
    wanted = {into for into in merged.by_name_birth.values() if into not in state}
    for r in _select_where_in(session, _STATE_COLUMNS, "id", wanted, live):
        state[r.id] = dict(r._mapping)
    for key, into in merged.by_name_birth.items():
        if into in state:
            name_birth.setdefault(key, into)
    if undocumented:
        # People without IIN, passport or birth date: the same name and no birth date on file
        # either, or a record this same list created (its birth date may have been set aside
        # and corrected since).
        lists = {x.fields.source_ref for x in pending}
        for r in _select_where_in(session, _STATE_COLUMNS, "sort_name", undocumented, live):
            if r.birth_date is None or r.source_ref in lists:
                name_birth.setdefault((r.sort_name, None), r.id)
                state.setdefault(r.id, dict(r._mapping))
    cancel.check()
    unmatched: list[tuple[_Row, str]] = []
    for row in pending:
        if row.index in checked.contested:  # no record says whose number it is: the first row's
            plan.refused[row.index] = [checked.contested[row.index]]
            continue
        f = row.fields
        sort_name = national_sort_name(f.__dict__)
        on_file = name_birth.get((sort_name, f.birth_date))
        if on_file is not None and _documents_agree(f, state[on_file]):
            _fill(plan, state, row, on_file, today, by_id=False)
        else:
            unmatched.append((row, sort_name))
    # People born the same day, as they stand once the rows above completed them (an IIN
    # filled in says two people are two).
    by_birth: dict[date, list[tuple[tuple[str, ...], str, str | None]]] = defaultdict(list)
    for record_id in born_that_day:
        r = state[record_id]
        by_birth[date.fromisoformat(str(r["birth_date"]))].append(
            (
                _name_keys(
                    r["surname_cyr"], r["given_names_cyr"], r["surname_lat"], r["given_names_lat"]
                ),
                record_id,
                r["iin"],
            )
        )
    new_by_name: dict[tuple[str, date | None], _Row] = {}
    for row, sort_name in unmatched:
        f = row.fields
        earlier = new_by_name.get((sort_name, f.birth_date))
        if earlier is not None and not (f.iin or f.passport_no):
            _read_into(earlier, row)  # the same person twice in this list, without documents
            plan.targets[row.index] = plan.targets[earlier.index]
            plan.notes[row.index] = [
                Problem(ValidationError("list.repeat_row", "record", line=earlier.line), "", NOTE)
            ]
            plan.unchanged += 1
            continue
        national_id = _new_key(len(plan.new))
        plan.new.append(row)
        plan.targets[row.index] = national_id
        if row.review:
            plan.review_rows[row.index] = row.review
        new_by_name.setdefault((sort_name, f.birth_date), row)
        if f.birth_date:
            mine = _name_keys(f.surname_cyr, f.given_names_cyr, f.surname_lat, f.given_names_lat)
            same_day = by_birth[f.birth_date]
            for other_keys, other_id, other_iin in same_day:
                if f.iin and other_iin and f.iin != other_iin:
                    continue  # two valid, different IINs: two people (twins, namesakes)
                score = _same_day_score(mine, other_keys)
                if score is not None:
                    plan.flags.append((national_id, other_id, score))
            same_day.append((mine, national_id, f.iin))
        if len(plan.new) % _EVERY == 0:
            cancel.check()
    cancel.check()
    kept = [row for row in rows if row.index in plan.targets]
    if any(row.group for row in kept):
        _plan_groups(session, plan, [row for row in kept if row.group])
    if any(row.family for row in kept):
        _plan_families(session, plan, state, [row for row in kept if row.family])
    return plan


def _documents_agree(f: NationalFields, stored: dict[str, Any]) -> bool:
    """Whether a record found by name and birth date has no IIN or passport number that says
    it is someone else than the row."""
    return (not f.iin or not stored["iin"] or stored["iin"] == f.iin) and (
        not f.passport_no or not stored["passport_no"] or stored["passport_no"] == f.passport_no
    )


@dataclasses.dataclass
class _Merged:
    """What records merged into another were known by, each leading to the live record kept
    (following merges): a list made before the merge names the person as the record that
    went, and re-importing it made that record anew, flagged as a duplicate once more."""

    by_iin: dict[str, str] = dataclasses.field(default_factory=dict)
    by_passport: dict[str, str] = dataclasses.field(default_factory=dict)
    by_name_birth: dict[tuple[str, date], str] = dataclasses.field(default_factory=dict)


def _merged_aliases(session: Session) -> _Merged:
    """The IINs, passports, names and birth dates of the records merged into a live one (a
    post merges a few dozen: read in one pass)."""
    found = _Merged()
    rows = (
        session.connection()
        .exec_driver_sql(
            "SELECT id, iin, passport_no, sort_name, birth_date FROM national "
            "WHERE deleted_at IS NOT NULL AND merged_into_id IS NOT NULL AND anonymised_at IS NULL"
        )
        .all()
    )
    kept = _gone(session, [r[0] for r in rows])
    for rid, iin, passport, sort_name, born in rows:
        into = kept.get(rid, (None, None))[0]
        if into is None:
            continue  # merged into a record deleted since
        if iin:
            found.by_iin.setdefault(iin, into)
        if passport:
            found.by_passport.setdefault(passport, into)
        if sort_name and born:
            found.by_name_birth.setdefault((sort_name, date.fromisoformat(str(born))), into)
    return found


def _gone(session: Session, ids: Sequence[str]) -> dict[str, tuple[str | None, date]]:
    """Of the ids a list names that are no live record: the deleted ones, each with the live
    record it was merged into (following merges; ``None`` for a plain deletion, or a merge
    into a record deleted since) and the day it went."""
    conn = session.connection()
    known: dict[str, tuple[str | None, str | None]] = {}  # id -> (merged into, deleted at)
    wanted = sorted(set(ids))
    while wanted:
        for chunk in _chunks(wanted):
            marks = ", ".join("?" * len(chunk))
            for rid, into, deleted in conn.exec_driver_sql(
                f"SELECT id, merged_into_id, deleted_at FROM national WHERE id IN ({marks})",
                tuple(chunk),
            ):
                known[rid] = (into, deleted)
        wanted = sorted({into for into, _ in known.values() if into and into not in known})
    result: dict[str, tuple[str | None, date]] = {}
    for rid in ids:
        into, deleted = known.get(rid, (None, None))
        if deleted is None:
            continue  # live, or no such record here
        at, seen = rid, {rid}
        while (step := known.get(at, (None, None))[0]) and step not in seen:
            at = step
            seen.add(at)
        kept = at if at != rid and known.get(at, (None, "x"))[1] is None else None
        result[rid] = (kept, date.fromisoformat(str(deleted)[:10]))
    return result


def _conflicts(
    row: _Row, matches: dict[str, str], state: dict[str, dict[str, Any]]
) -> list[Problem]:
    """Why a row that names records on file contradicts them (empty when it does not)."""
    f = row.fields
    if len(matches) > 1:  # e.g. the IIN is one record's, the passport another's
        (first, _), (second, key) = list(matches.items())[:2]
        value = row.record_id if key == "record_id" else getattr(f, key)
        error = ValidationError(
            "list.match_conflict", key, value=value, existing_id=second, matched_id=first
        )
        return [Problem(error, str(value), REFUSED)]
    record_id, key = next(iter(matches.items()))
    current = state[record_id]
    mine, theirs = name_facts(f), _stored_facts(current)
    if key != "record_id" and not same_person(mine, theirs):
        if set(mine.keys) & set(theirs.keys):
            return []  # the same name and document: the birth date is the typo (set aside)
        value = getattr(f, key)
        error = ValidationError(
            "list.other_person",
            key,
            value=value,
            existing_id=record_id,
            name=_stored_name(current),
            row_name=_stored_name(f.__dict__),
        )
        return [Problem(error, str(value), REFUSED)]
    return []


# The fields a row may contradict a record on file with (the record holds one value): the
# list's value is set aside for the officer, never dropped and never written over the record.
_ONE_VALUE = (
    "iin",
    "passport_no",
    "passport_expiry",
    "birth_date",
    "sex",
    "surname_cyr",
    "given_names_cyr",
    "surname_lat",
    "given_names_lat",
)


def _differs(row: _Row, current: dict[str, Any]) -> list[ReviewItem]:
    """What a row that is a record on file (by its passport and name, IIN or ConsulDesk ID)
    gives otherwise than the record: a renewed passport, a new surname, a mistyped IIN or
    birth date. The record keeps its values; the row's are set aside for the officer to
    decide, never dropped without a word nor written over the record (an empty field takes
    the row's value: not here)."""
    f = row.fields
    items = []
    for name in _ONE_VALUE:
        value, kept = getattr(f, name), current[name]
        if value in (None, "") or kept in (None, ""):
            continue
        if _as_stored(value) == _as_stored(kept):
            continue
        if name in _CYRILLIC_NAMES and _name_key(value) == _name_key(str(kept)):
            continue  # "ҚАСЫМОВА", or "Касымова" from a list that lost its Kazakh letters
        if name in _DATE_FIELDS and isinstance(kept, str):
            kept = date.fromisoformat(kept)  # as the driver returns it
        shown, kept_shown = value_text(value), value_text(kept)
        code = "list.iin_differs" if name == "iin" else "list.value_differs"
        items.append(
            ReviewItem(
                name, code, shown, {"value": shown, "kept": kept_shown}, f.source_ref, row.line
            )
        )
    return items


_CYRILLIC_NAMES = frozenset({"surname_cyr", "given_names_cyr"})


def _name_key(value: str) -> str:
    """A Cyrillic name as compared: case, ё/е, Kazakh letters written with Russian ones and
    hyphens do not make another name (the passport's Latin name is compared exactly)."""
    return " ".join(cyr_key(w) for w in words(value))


def _stored_facts(values: dict[str, Any]) -> Any:
    class _Stored:
        surname_cyr = values["surname_cyr"]
        given_names_cyr = values["given_names_cyr"]
        surname_lat = values["surname_lat"]
        given_names_lat = values["given_names_lat"]
        birth_date = values["birth_date"]
        iin = values["iin"]

    return name_facts(_Stored)


def _fill(
    plan: _Plan,
    state: dict[str, dict[str, Any]],
    row: _Row,
    record_id: str,
    today: date,
    *,
    by_id: bool,
) -> None:
    """Plan what a row brings to the record it names.

    It fills the record's empty fields, adds phone numbers the record lacks, replaces the
    values of fields under review (a corrected list is what the review asked for) and settles
    their review items. Its own doubtful values are set aside onto the record. A value that
    contradicts the record (a filled-in IIN against the stored birth date) is set aside too.
    Nothing the record holds is overwritten otherwise.
    """
    plan.targets[row.index] = record_id
    current = state[record_id]
    review = review_from_json(_json(current["review"]))
    under_review = {item.field for item in review}
    fills: dict[str, Any] = {}
    offered = _offered(row.fields)
    if row.country_assumed and "host_country" in under_review:
        del offered["host_country"]  # the post's country is no answer to a country in doubt
    for k, v in offered.items():
        c = current[k]
        if k == "phones":
            stored = json.loads(c) if isinstance(c, str) else list(c or ())
            added = [p for p in v if p not in stored]
            if added:
                fills[k] = (*stored, *added)
        elif _is_empty(k, c) or (k in under_review and _as_stored(v) != _as_stored(c)):
            fills[k] = v
    # A valid value settles a field's review when it changes the field (a corrected list), or
    # when a row of a review file gives it (the officer's answer, even "as on file"); unless
    # the row doubts that field again (the same list again, the same wrong phone beside a good
    # one). The case file's own export, imported back, gives every value as it stands: it
    # settles nothing.
    answered = set(offered) if by_id else set(fills)
    if by_id and row.relation is not None:
        answered.add("relation")  # a role corrected in the review file's relation column
    settled = (answered & under_review) - {item.field for item in row.review}
    if by_id:
        settled.add("record")  # a corrected row of a review file, matched by its ID
    aside: list[ReviewItem] = []
    values: dict[str, Any] = {}
    if fills:
        values, aside = _settle(current, fills, today, row)
    # A doubtful value for a one-value field the record already holds adds nothing to review
    # (the list sent again after the officer corrected the record), nor does one an officer
    # already settled on this record (the same list, sent again every day).
    known = {item.key for item in review}
    done_before = _json(current.get("review_done"))
    done = set(done_before or ())
    incoming = [
        item
        for item in row.review
        if done_key(item) not in done
        and (
            item.key in known
            or item.field in _MANY_VALUED
            or _is_empty(item.field, current.get(item.field))
        )
    ]
    incoming += aside
    new_review = merge_review(review, incoming, settled - {i.field for i in aside})
    if new_review != review:
        values["review"] = review_to_json(new_review)
        done_after = done_keys(done_before, review, new_review)  # settled by valid values
        if done_after != done_before:
            values["review_done"] = done_after
    if incoming:
        plan.review_rows[row.index] = incoming
    if not values:
        plan.unchanged += 1
        return
    current.update(values)
    plan.updates.setdefault(record_id, {}).update(values)
    plan.updated_rows += 1


def _as_stored(value: Any) -> Any:
    """A value as the driver returns it from SQLite (to compare with one read that way)."""
    value = _column_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _settle(
    current: dict[str, Any], fills: dict[str, Any], today: date, row: _Row
) -> tuple[dict[str, Any], list[ReviewItem]]:
    """The column values of ``fills`` once the record they complete is valid; a fill that
    makes it invalid (an IIN against the stored birth date) is set aside instead."""
    fills = dict(fills)
    aside: list[ReviewItem] = []
    while fills:
        merged = {**current, **{k: _column_value(v) for k, v in fills.items()}}
        try:
            cleaned = clean_national(_fields_from(merged), today)
        except ValidationErrors as exc:
            blamed = [(name, e) for e in exc.errors if (name := _blamed(e, fills))]
            if not blamed:  # the record's own old problems: the fills are valid themselves
                return {k: _column_value(v) for k, v in fills.items()}, aside
            for name, error in blamed:
                if name in fills:
                    value = fills.pop(name)
                    aside.append(
                        ReviewItem.from_error(
                            error, value, field=name, source=row.fields.source_ref, line=row.line
                        )
                    )
            continue
        return {k: _column_value(getattr(cleaned, k)) for k in fills}, aside
    return {}, aside


# The fill to set aside for an error about how fields agree, when the field named is stored.
_AGREEMENT = {"birth_date": "iin", "sex": "iin", "passport_expiry": "birth_date"}


def _blamed(error: ValidationError, fills: dict[str, Any]) -> str | None:
    name = set_aside_field(error)
    if name in fills:
        return name
    other = _AGREEMENT.get(name)
    return other if other in fills else None
