"""Planning an import against the case file: new, filled, unchanged and conflicting rows,
tour groups."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from consuldesk.domain.duplicates import NameFacts, probable_duplicate
from consuldesk.domain.enums import HouseholdKind, PresenceStatus, Sex, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.names import full_name_key
from consuldesk.domain.national import NAME_FIELDS, NationalFields, clean_national
from consuldesk.services.desk import CancelFlag
from consuldesk.services.lists.base import _CHUNK, _EVERY
from consuldesk.services.lists.checking import _Checked, _Row
from consuldesk.store.models import Household, HouseholdMember, National, new_id
from consuldesk.store.search import national_sort_name

# -- matching against the case file --------------------------------------------------------

# Fields a list may fill on a record that has them empty (provenance and nationality stay).
_FILLABLE_TEXT = tuple(
    f.name
    for f in dataclasses.fields(NationalFields)
    if f.name
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
_NATIONAL_COLUMNS = ("id", *(f.name for f in dataclasses.fields(NationalFields)))
_BIRTH_COLUMNS = ("id", "birth_date", "sort_name", "iin", *NAME_FIELDS[:2], *NAME_FIELDS[3:])


@dataclass
class _Plan:
    new: list[_Row] = field(default_factory=list)  # the n-th is known as _new_key(n)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> column values
    updated_rows: int = 0
    unchanged: int = 0
    errors: dict[int, list[ValidationError]] = field(default_factory=dict)
    flags: list[tuple[str, str, float]] = field(default_factory=list)
    new_groups: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> name, op
    members: list[tuple[str, str]] = field(default_factory=list)  # household id, national id


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


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
    if name == "phones":
        return not value or value == "[]"
    if name == "presence_status":
        return value in (None, PresenceStatus.UNKNOWN.value)
    if name == "pregnant":
        return not value
    return value is None or value == ""


_SPECIAL_EMPTY = {"phones", "presence_status", "pregnant"}
_DATE_FIELDS = ("birth_date", "passport_expiry", "consent_date")


def _fields_from(values: dict[str, Any]) -> NationalFields:
    """A stored national's fields from column values (typed, or as the driver returns them)."""
    v = {k: values[k] for k in _NATIONAL_COLUMNS if k != "id"}
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


@functools.lru_cache(maxsize=65536)
def _name_keys(
    surname_cyr: str | None, given_cyr: str | None, surname_lat: str | None, given_lat: str | None
) -> tuple[str, ...]:
    """Full-name keys for duplicate detection, as :func:`nationals.name_facts` builds them
    (cached: names repeat in lists)."""
    keys = (full_name_key(surname_cyr, given_cyr), full_name_key(surname_lat, given_lat))
    return tuple(k for k in keys if k)


def _keys_of(r: Any) -> tuple[str, ...]:
    return _name_keys(r.surname_cyr, r.given_names_cyr, r.surname_lat, r.given_names_lat)


_SOME_DAY = date(2000, 1, 1)


@functools.lru_cache(maxsize=65536)
def _same_day_score(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """:func:`probable_duplicate` for two people born the same day (cached by name keys)."""
    return probable_duplicate(NameFacts(a, _SOME_DAY), NameFacts(b, _SOME_DAY))


def _new_key(n: int) -> str:
    """Placeholder id of the n-th new record until the store gives it its id."""
    return f"new:{n}"


def _plan_import(session: Session, checked: _Checked, today: date, cancel: CancelFlag) -> _Plan:
    """Decide, for each valid row, whether it is new, fills a record on file, or changes nothing.

    New records are known by placeholder ids (:func:`_new_key`) until they are inserted.
    """
    plan = _Plan()
    rows = checked.rows
    live = _live_count(session)
    # Records on file named by the list's IINs (with all their values), passports and IDs.
    state: dict[str, dict[str, Any]] = {}  # current values of the records matched
    by_iin: dict[str, str] = {}
    iins = [x.fields.iin for x in rows if x.fields.iin]
    for r in _select_where_in(session, _NATIONAL_COLUMNS, "iin", iins, live):
        state[r.id] = dict(r._mapping)
        by_iin[r.iin] = r.id
    passports = [x.fields.passport_no for x in rows if x.fields.passport_no]
    by_passport = {
        r.passport_no: r.id
        for r in _select_where_in(session, ("id", "passport_no"), "passport_no", passports, live)
    }
    record_ids = [x.record_id for x in rows if x.record_id]
    by_id = {r.id for r in _select_where_in(session, ("id",), "id", record_ids, live)}
    cancel.check()

    # Rows that name a record on file (ConsulDesk ID, IIN or passport number).
    pending: list[_Row] = []
    matched: list[tuple[_Row, dict[str, str]]] = []
    for row in rows:
        f = row.fields
        matches: dict[str, str] = {}  # id -> the field that matched it
        if row.record_id and row.record_id in by_id:
            matches[row.record_id] = "record_id"
        if f.iin and (hit := by_iin.get(f.iin)):
            matches.setdefault(hit, "iin")
        if f.passport_no and (hit := by_passport.get(f.passport_no)):
            matches.setdefault(hit, "passport_no")
        if matches:
            matched.append((row, matches))
        else:
            pending.append(row)
    missing = {i for _, m in matched for i in m if i not in state}
    for r in _select_where_in(session, _NATIONAL_COLUMNS, "id", missing, live):
        state[r.id] = dict(r._mapping)
    targets: dict[int, str] = {}  # row index -> national id (for group membership)
    for done, (row, matches) in enumerate(matched):
        if done % _EVERY == 0:
            cancel.check()
        error = _fill(plan, state, row, matches, today)
        if error:
            plan.errors[row.index] = error
        else:
            targets[row.index] = next(iter(matches))

    # The others: new records, unless one without IIN and passport has the exact name and birth
    # date of a record (on file or earlier in the list). New ones born the same day as another
    # with a similar name are flagged as probable duplicates.
    by_birth: dict[date, list[tuple[tuple[str, ...], str, str | None]]] = defaultdict(list)
    name_birth: dict[tuple[str, date | None], str] = {}
    births = [x.fields.birth_date for x in pending if x.fields.birth_date]
    for r in _select_where_in(session, _BIRTH_COLUMNS, "birth_date", births, live):
        born = date.fromisoformat(r.birth_date)
        by_birth[born].append((_keys_of(r), r.id, r.iin))
        name_birth.setdefault((r.sort_name, born), r.id)
    by_name = any(not x.fields.iin and not x.fields.passport_no for x in pending)
    if by_name:  # people without any date: the same name and no birth date on file either
        undated = [
            national_sort_name(x.fields.__dict__)
            for x in pending
            if not (x.fields.iin or x.fields.passport_no or x.fields.birth_date)
        ]
        for r in _select_where_in(session, ("id", "birth_date"), "sort_name", undated, live):
            if r.birth_date is None:
                name_birth.setdefault((r[0], None), r.id)
    cancel.check()
    for row in pending:
        f = row.fields
        sort_name = national_sort_name(f.__dict__) if by_name else ""
        if by_name and not f.iin and not f.passport_no:
            same = name_birth.get((sort_name, f.birth_date))
            if same is not None:
                plan.unchanged += 1
                targets[row.index] = same
                continue
        national_id = _new_key(len(plan.new))
        plan.new.append(row)
        targets[row.index] = national_id
        if by_name:
            name_birth.setdefault((sort_name, f.birth_date), national_id)
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
    grouped = [(row, targets[row.index]) for row in rows if row.group and row.index in targets]
    if grouped:
        _plan_groups(session, plan, grouped)
    return plan


def _fill(
    plan: _Plan,
    state: dict[str, dict[str, Any]],
    row: _Row,
    matches: dict[str, str],
    today: date,
) -> list[ValidationError] | None:
    """Plan filling the empty fields of the one record a row matched; the row's errors if any."""
    f = row.fields
    if len(matches) > 1:  # e.g. the IIN is one record's, the passport another's
        (first, _), (second, key) = list(matches.items())[:2]
        value = row.record_id if key == "record_id" else getattr(f, key)
        return [
            ValidationError(
                "list.match_conflict", key, value=value, existing_id=second, matched_id=first
            )
        ]
    record_id = next(iter(matches))
    current = state[record_id]
    if f.iin and current["iin"] and current["iin"] != f.iin:
        return [ValidationError("list.match_conflict", "iin", value=f.iin, existing_id=record_id)]
    fills = {}
    for k, v in _offered(f).items():
        c = current[k]
        if c is None or c == "" or (k in _SPECIAL_EMPTY and _is_empty(k, c)):
            fills[k] = v
    if not fills:
        plan.unchanged += 1
        return None
    merged = {**current, **{k: _column_value(v) for k, v in fills.items()}}
    try:
        cleaned = clean_national(_fields_from(merged), today)
    except ValidationErrors as exc:
        return exc.errors
    values = {k: _column_value(getattr(cleaned, k)) for k in fills}
    current.update(values)
    plan.updates.setdefault(record_id, {}).update(values)
    plan.updated_rows += 1
    return None


def _group_key(name: str, operator: str | None) -> tuple[str, str]:
    fold = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return fold(name), fold(operator)


def _plan_groups(session: Session, plan: _Plan, target_of: list[tuple[_Row, str]]) -> None:
    ht = Household.__table__  # type: ignore[attr-defined]
    mt = HouseholdMember.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, str], str] = {}
    for gid, name, operator in session.execute(
        select(ht.c.id, ht.c.name, ht.c.tour_operator)
        .where(ht.c.kind == HouseholdKind.TOUR_GROUP.value, ht.c.deleted_at.is_(None))
        .order_by(ht.c.created_at)
    ):
        groups.setdefault(_group_key(name, operator), gid)
    members: set[tuple[str, str]] = set()
    existing = sorted(set(groups.values()))
    for chunk in _chunks(existing):
        members.update(
            (h, n)
            for h, n in session.execute(
                select(mt.c.household_id, mt.c.national_id).where(
                    mt.c.household_id.in_(chunk), mt.c.deleted_at.is_(None)
                )
            )
        )
    for row, national_id in target_of:
        if not row.group:
            continue
        name = " ".join(row.group.split())
        operator = " ".join(row.operator.split()) if row.operator else None
        key = _group_key(name, operator)
        gid = groups.get(key)
        if gid is None:
            gid = groups[key] = new_id()
            plan.new_groups[gid] = (name, operator)
        if (gid, national_id) not in members:
            members.add((gid, national_id))
            plan.members.append((gid, national_id))
