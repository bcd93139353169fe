"""Use cases about nationals: register, edit, delete, search, duplicates, merge, history."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Integer, column, false, func, literal, or_, text, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain import versions as field_versions
from consuldesk.domain.dates import birth_in_query
from consuldesk.domain.duplicates import NameFacts, facts_of, probable_duplicate
from consuldesk.domain.edits import three_way
from consuldesk.domain.enums import (
    DuplicateStatus,
    HouseholdKind,
    PlacementStatus,
    PresenceStatus,
    Relation,
    RequestStatus,
    Sex,
    Source,
    TimelineKind,
    Vulnerability,
)
from consuldesk.domain.errors import ValidationErrors
from consuldesk.domain.hlc import Timestamp
from consuldesk.domain.names import name_closeness
from consuldesk.domain.national import NationalFields, clean_national
from consuldesk.domain.requests import OPEN_STATUSES
from consuldesk.domain.retention import REMOVED
from consuldesk.domain.review import (
    done_keys,
    merge_review,
    review_from_json,
    review_to_json,
    settled_by_edit,
)
from consuldesk.domain.vulnerability import PersonFacts, is_minor, vulnerabilities
from consuldesk.i18n import _
from consuldesk.messages import field_label
from consuldesk.services.desk import Desk
from consuldesk.services.errors import EditConflict, FieldChange, ServiceError
from consuldesk.services.rows import AuditRow, DuplicateRow, NationalRow
from consuldesk.services.stats import vulnerability_condition
from consuldesk.services.views import HotelRow
from consuldesk.store.db import ChangeSet, Tx, created_together, get_live
from consuldesk.store.errors import NotFound
from consuldesk.store.models import (
    AssistanceRequest,
    AuditEvent,
    DuplicateCandidate,
    Household,
    HouseholdMember,
    ManifestEntry,
    National,
    Placement,
    RequestEvent,
    table_of,
)
from consuldesk.store.retention import PERSONAL
from consuldesk.store.search import (
    build_match,
    id_fragment,
    merged_away_seqs,
    search_seqs,
    similar_matches,
    similar_seqs,
)
from consuldesk.sync.exchange import author_of

FIELD_NAMES = tuple(f.name for f in dataclasses.fields(NationalFields))


# -- conversions ---------------------------------------------------------------------------


def fields_of(n: National) -> NationalFields:
    """The editable fields of a stored national."""
    values = {name: getattr(n, name) for name in FIELD_NAMES}
    values["phones"] = tuple(n.phones or ())
    values["sex"] = Sex(n.sex) if n.sex else None
    values["presence_status"] = PresenceStatus(n.presence_status)
    values["source"] = Source(n.source)
    return NationalFields(**values)


def fields_of_row(row: NationalRow) -> NationalFields:
    """The editable fields of a row as shown (to edit it in a form)."""
    values = {name: getattr(row, name) for name in FIELD_NAMES}
    values["phones"] = tuple(row.phones)
    values["sex"] = Sex(row.sex) if row.sex else None
    values["presence_status"] = PresenceStatus(row.presence_status)
    values["source"] = Source(row.source)
    return NationalFields(**values)


def _column_values(fields: NationalFields) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(fields, name) for name in FIELD_NAMES}
    values["phones"] = list(fields.phones)
    values["sex"] = fields.sex.value if fields.sex else None
    values["presence_status"] = fields.presence_status.value
    values["source"] = fields.source.value
    return values


@dataclass(frozen=True)
class Membership:
    """A national's place in a live household."""

    national_id: str
    household_id: str
    name: str
    kind: str


def memberships_of(session: Session, national_ids: Sequence[str]) -> list[Membership]:
    """Live memberships of these nationals in live households: families before tour groups,
    then by household name (so a person's first entry is their family, if they have one)."""
    hm, hh = table_of(HouseholdMember), table_of(Household)
    found: list[Membership] = []
    for start in range(0, len(national_ids), 900):
        found += (
            Membership(*row)
            for row in session.execute(
                sa_select(hm.c.national_id, hh.c.id, hh.c.name, hh.c.kind)
                .join(hh, hh.c.id == hm.c.household_id)
                .where(
                    hm.c.national_id.in_(national_ids[start : start + 900]),
                    hm.c.deleted_at.is_(None),
                    hh.c.deleted_at.is_(None),
                )
                .order_by(hh.c.kind, hh.c.name, hh.c.id)
            )
        )
    return found


def household_context(
    session: Session, national_ids: Sequence[str], need_births: Collection[str] | None = None
) -> tuple[dict[str, list[str]], dict[str, list[date | None]]]:
    """For each national: its live household ids, and the birth dates of its fellow members.

    Fellow members' birth dates are only looked up for ``need_births`` (default: everyone);
    only "woman with minor children" depends on them.
    """
    households: dict[str, list[str]] = defaultdict(list)
    others: dict[str, list[date | None]] = defaultdict(list)
    if not national_ids:
        return households, others
    hm, nt = table_of(HouseholdMember), table_of(National)
    members = [(m.household_id, m.national_id) for m in memberships_of(session, national_ids)]
    for household_id, national_id in members:
        households[national_id].append(household_id)
    wanted = set(national_ids) if need_births is None else set(need_births)
    hh_ids = sorted({h for h, n in members if n in wanted})
    if not hh_ids:
        return households, others
    births: dict[str, list[tuple[str, date | None]]] = defaultdict(list)
    for household_id, member_id, birth in session.execute(
        sa_select(hm.c.household_id, hm.c.national_id, nt.c.birth_date)
        .join(nt, nt.c.id == hm.c.national_id)
        .where(hm.c.household_id.in_(hh_ids), hm.c.deleted_at.is_(None), nt.c.deleted_at.is_(None))
    ):
        births[household_id].append((member_id, birth))
    for national_id in wanted:
        for household_id in households.get(national_id, ()):
            others[national_id].extend(b for m, b in births[household_id] if m != national_id)
    return households, others


_ROW_COLUMNS = ("id", "seq", "created_at", "updated_at", "version", *FIELD_NAMES, "review")


def to_rows(session: Session, records: Sequence[Any], today: date) -> list[NationalRow]:
    """Frozen rows for nationals (ORM objects or column rows), vulnerability computed."""
    women = [
        r.id
        for r in records
        if r.sex == Sex.FEMALE.value and (r.birth_date is None or not is_minor(r.birth_date, today))
    ]
    households, others = household_context(session, [r.id for r in records], women)
    rows = []
    for r in records:
        values = {name: getattr(r, name) for name in _ROW_COLUMNS}
        values["phones"] = tuple(r.phones or ())
        facts = PersonFacts(
            birth_date=r.birth_date,
            sex=Sex(r.sex) if r.sex else None,
            medical_condition=r.medical_condition,
            mobility_needs=r.mobility_needs,
            pregnant=bool(r.pregnant),
        )
        values["vulnerabilities"] = vulnerabilities(facts, today, others.get(r.id, ()))
        values["household_ids"] = tuple(households.get(r.id, ()))
        values["review"] = tuple(review_from_json(r.review))
        rows.append(NationalRow(**values))
    return rows


def _select_rows(table: Any = None) -> Any:
    """A Core select of the columns a :class:`NationalRow` needs (cheaper than ORM objects)."""
    table = table_of(National) if table is None else table
    return sa_select(*(table.c[name] for name in _ROW_COLUMNS), table.c.sort_name)


def rows_by_id(
    session: Session, national_ids: Sequence[str], today: date
) -> dict[str, NationalRow]:
    """Frozen rows of the live nationals among ``national_ids``, by id (any number of ids)."""
    table = table_of(National)
    found: list[Any] = []
    for start in range(0, len(national_ids), 900):
        chunk = national_ids[start : start + 900]
        found += session.execute(
            _select_rows().where(table.c.id.in_(chunk), table.c.deleted_at.is_(None))
        ).all()
    return {r.id: r for r in to_rows(session, found, today)}


def live_national(session: Session, national_id: str) -> National:
    """A national that exists and is not deleted."""
    return get_live(session, National, national_id)


# -- reading -------------------------------------------------------------------------------


def get_national(desk: Desk, national_id: str) -> NationalRow:
    """One national by id.

    Raises:
        NotFound: no such live national.
    """
    with desk.casefile.read() as session:
        return to_rows(session, [live_national(session, national_id)], desk.today())[0]


@dataclass(frozen=True)
class SearchResult:
    """Search hits sorted by name; ``more`` when the limit cut the list; ``similar`` when
    nobody matched the name as typed and these are the people with a name near it."""

    rows: list[NationalRow]
    more: bool
    similar: bool = False


def similar_names_note(query: str) -> str:
    """What a list of the people with a name near the one typed is headed with."""
    return _("Nobody is named “{query}”. People with a similar name:").format(query=query)


def search(desk: Desk, query: str, limit: int = 50) -> SearchResult:
    """Find nationals by name in either script, IIN, passport number or phone, as typed; when
    nobody has the name as typed, the people whose name is a letter or two from it
    (:func:`~consuldesk.store.search.similar_matches`: a caller's Russian spelling of a Kazakh
    name, a typo), said by ``similar``. A whole IIN or passport number of a record merged
    into another finds the record kept."""
    with desk.casefile.read() as session:
        table = table_of(National)
        seqs = search_seqs(session, query, limit + 1) or merged_away_seqs(session, query)
        similar = not seqs
        if similar:
            # The closest of the people found first, not the first the index gives.
            seqs = _closest(session, query, similar_seqs(session, query, _SIMILAR_RANKED))
        more = len(seqs) > limit
        seqs = seqs[:limit]
        if not seqs:
            return SearchResult([], False)
        found = session.execute(_select_rows().where(table.c.seq.in_(seqs))).all()
        if similar:
            order = {seq: i for i, seq in enumerate(seqs)}
            found = sorted(found, key=lambda n: order[n.seq])
        else:
            found = sorted(found, key=lambda n: (n.sort_name, n.seq))
        return SearchResult(to_rows(session, found, desk.today()), more, similar)


#: How many people found by names near the one typed are ranked by how near they are.
_SIMILAR_RANKED = 150


def _closest(session: Session, query: str, seqs: list[int]) -> list[int]:
    """``seqs`` ordered by how close each person's names are to ``query``, closest first."""
    if not seqs:
        return []
    marks = ", ".join("?" * len(seqs))
    rows = (
        session.connection()
        .exec_driver_sql(
            "SELECT seq, sort_name, surname_cyr, surname_lat, given_names_cyr, given_names_lat, "
            f"patronymic_cyr FROM national WHERE seq IN ({marks})",
            tuple(seqs),
        )
        .all()
    )
    ranked = sorted(
        rows,
        key=lambda r: (
            -name_closeness(
                query,
                (r.surname_cyr, r.surname_lat),
                (r.given_names_cyr, r.given_names_lat, r.patronymic_cyr),
            ),
            r.sort_name,
            r.seq,
        ),
    )
    return [r.seq for r in ranked]


def list_nationals(desk: Desk, limit: int = 200, offset: int = 0) -> SearchResult:
    """Live nationals in name order, one page at a time (the list before anything is typed)."""
    with desk.casefile.read() as session:
        table = table_of(National)
        page = session.execute(
            _select_rows()
            .where(table.c.deleted_at.is_(None))
            .order_by(table.c.sort_name, table.c.seq)
            .offset(offset)
            .limit(limit + 1)
        ).all()
        more = len(page) > limit
        return SearchResult(to_rows(session, page[:limit], desk.today()), more)


def count_nationals(desk: Desk) -> int:
    """How many live nationals the case file holds."""
    with desk.casefile.read() as session:
        table = table_of(National)
        query = sa_select(func.count()).select_from(table).where(table.c.deleted_at.is_(None))
        return int(session.execute(query).scalar_one())


@dataclass(frozen=True)
class NationalFilter:
    """What a list of nationals is narrowed to; every set field must hold (AND).

    ``hotel_id`` keeps the people placed in that hotel tonight: a live placement, booked or
    checked in, with ``check_in <= today < check_out`` (or no check-out yet).
    ``needs_review`` keeps the people with values set aside for an officer to review.
    ``membership`` is one of :data:`MEMBERSHIPS`: in a family, in no family, in a tour group,
    or in no household at all (live households only).
    """

    query: str = ""
    host_country: str | None = None
    city: str | None = None
    presence_status: str | None = None
    vulnerability: Vulnerability | None = None
    household_id: str | None = None
    hotel_id: str | None = None
    needs_review: bool = False
    membership: str | None = None

    @property
    def narrows(self) -> bool:
        """Whether anything besides the query is set."""
        return self.needs_review or any(
            v is not None
            for v in (
                self.host_country,
                self.city,
                self.presence_status,
                self.vulnerability,
                self.household_id,
                self.hotel_id,
                self.membership,
            )
        )


#: Where a page of :func:`find_nationals` ends, for the next to start after it (keyset paging):
#: ``(known, key, sort_name, seq)`` of its last row and how the pages were found (0: as
#: typed, n: by the n-th of the names near it, :attr:`Page.similar`); opaque to callers.
Cursor = tuple[bool, Any, str, int, int]


@dataclass(frozen=True)
class Page:
    """One page of a filtered list, and how many match in all.

    ``after`` is where the next page starts (pass it back to :func:`find_nationals`), or None
    when nothing follows this page. ``similar``: nobody matched the name typed, and these are
    the people whose name is near it.
    """

    rows: list[NationalRow]
    total: int
    after: Cursor | None = None
    similar: bool = False


#: What :attr:`NationalFilter.membership` can ask for.
MEMBERSHIPS = ("family", "no_family", "tour_group", "none")


#: The values of ``national.household_kinds`` (kept by triggers, migration 0010) each
#: membership filter keeps: 1 in a family, 2 in a tour group, 3 both, 0 neither.
_KINDS_OF = {"family": (1, 3), "no_family": (0, 2), "tour_group": (2, 3), "none": (0,)}


def _membership_condition(n: Any, membership: str) -> Any:
    """People in (or not in) a live family, tour group or any household: one comparison with
    the kinds of households the case file keeps for each person, read from an index."""
    if membership not in MEMBERSHIPS:
        raise ValueError(f"unknown membership {membership!r}")
    return n.c.household_kinds.in_(_KINDS_OF[membership])


#: The orders :func:`find_nationals` can sort by.
SORTS = ("name", "born", "city", "status")


def _filter_conditions(
    n: Any, flt: NationalFilter, today: date, similar: str | None = None
) -> list[Any]:
    """SQL conditions over ``national AS n`` for a filter (live records only); ``similar``
    is the MATCH of names near the query (:func:`similar_matches`), used instead of it."""
    conditions: list[Any] = [n.c.deleted_at.is_(None)]
    named, born = birth_in_query(flt.query)  # "Ахметова 1990": her, born that year
    if born is not None:
        conditions.append(n.c.birth_date.between(born[0], born[1]))
    match = similar or build_match(named)
    if match is not None:
        fts = text("SELECT rowid FROM national_fts WHERE national_fts MATCH :m").bindparams(m=match)
        found = n.c.seq.in_(fts.columns(column("rowid", Integer)))
        fragment = None if similar or born else id_fragment(flt.query)
        if fragment is not None:
            # The last digits of a passport, IIN or phone, as read out on the phone: any part
            # of three characters or more, from the trigram index.
            ids = text("SELECT rowid FROM national_ids WHERE national_ids MATCH :f").bindparams(
                f=f'"{fragment}"'
            )
            found = or_(found, n.c.seq.in_(ids.columns(column("rowid", Integer))))
        conditions.append(found)
    elif flt.query.strip():
        conditions.append(false())  # typed, but nothing searchable (only punctuation)
    if flt.host_country is not None:
        conditions.append(n.c.host_country == flt.host_country)
    if flt.city is not None:
        conditions.append(n.c.city == flt.city)
    if flt.presence_status is not None:
        conditions.append(n.c.presence_status == flt.presence_status)
    if flt.needs_review:
        # The very terms of the partial index ix_national_needs_review, so SQLite reads only
        # the few records that need review.
        conditions.append(n.c.review.is_not(None))
    if flt.vulnerability is not None:
        conditions.append(vulnerability_condition(Vulnerability(flt.vulnerability), today))
    if flt.household_id is not None:
        hm = table_of(HouseholdMember)
        conditions.append(
            n.c.id.in_(
                sa_select(hm.c.national_id).where(
                    hm.c.household_id == flt.household_id, hm.c.deleted_at.is_(None)
                )
            )
        )
    if flt.membership is not None:
        conditions.append(_membership_condition(n, flt.membership))
    if flt.hotel_id is not None:
        pl = table_of(Placement)
        conditions.append(
            n.c.id.in_(
                sa_select(pl.c.national_id).where(
                    pl.c.hotel_id == flt.hotel_id,
                    pl.c.deleted_at.is_(None),
                    pl.c.status.in_(
                        [PlacementStatus.BOOKED.value, PlacementStatus.CHECKED_IN.value]
                    ),
                    pl.c.check_in <= today,
                    or_(pl.c.check_out.is_(None), pl.c.check_out > today),
                )
            )
        )
    return conditions


_SORT_KEYS = {"born": "birth_date", "city": "city", "status": "presence_status"}


def _page_rows(
    session: Session,
    n: Any,
    conditions: list[Any],
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
    after: Cursor | None,
) -> list[Any]:
    """The rows of one page, each with its cursor values, read from an index (migration 0010).

    People are ordered by the sort key, then by name, then by ``seq``, all in the one direction,
    so SQLite walks an index forwards or backwards; people whose key is unknown come last
    either way. Without ``after``, ``offset`` rows are skipped (slow deep down: the window
    pages with ``after``).
    """

    def ordered(*columns: Any) -> list[Any]:
        return [c.desc() for c in columns] if descending else list(columns)

    def beyond(columns: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
        left, right = tuple_(*columns), tuple_(*(literal(v) for v in values))
        return left < right if descending else left > right

    name = (n.c.sort_name, n.c.seq)
    if sort == "name":
        query = _select_rows(n).add_columns(literal(True).label("known"), n.c.seq.label("key"))
        where = list(conditions)
        if after is not None:
            where.append(beyond(name, (after[2], after[3])))
        return list(
            session.execute(
                query.where(*where).order_by(*ordered(*name)).offset(offset).limit(limit)
            ).all()
        )
    key = n.c[_SORT_KEYS[sort]]
    found: list[Any] = []
    if after is None or after[0]:
        where = [*conditions, key.is_not(None)]
        if after is not None:
            where.append(beyond((key, *name), (after[1], after[2], after[3])))
        found = list(
            session.execute(
                _select_rows(n)
                .add_columns(literal(True).label("known"), key.label("key"))
                .where(*where)
                .order_by(*ordered(key, *name))
                .offset(offset)
                .limit(limit)
            ).all()
        )
        if len(found) == limit:
            return found
        offset = 0 if found or after is not None else offset
    if offset and after is None:
        # Skipping into the unknowns: as many rows were skipped among the known ones as exist.
        known = session.execute(
            sa_select(func.count()).select_from(n).where(*conditions, key.is_not(None))
        ).scalar_one()
        offset = max(0, offset - int(known))
    where = [*conditions, key.is_(None)]
    if after is not None and not after[0]:
        where.append(beyond(name, (after[2], after[3])))
    found += session.execute(
        _select_rows(n)
        .add_columns(literal(False).label("known"), literal(None).label("key"))
        .where(*where)
        .order_by(*ordered(*name))
        .offset(offset)
        .limit(limit - len(found))
    ).all()
    return found


def find_nationals(
    desk: Desk,
    flt: NationalFilter = NationalFilter(),
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int = 100,
    offset: int = 0,
    after: Cursor | None = None,
    total: int | None = None,
) -> Page:
    """One page of the live nationals matching a filter (query text and fields), sorted.

    Everything is filtered, counted and sorted in SQLite, from the indexes of migration 0010:
    any filter, and any page reached with ``after``, costs about what the first page does.
    ``total`` is the exact number of matches, for "1,234 of 100,000".

    Args:
        desk: the services' context.
        flt: what to narrow to (default: everyone).
        sort: one of :data:`SORTS`; ties in name order, in the same direction.
        descending: reverse the order.
        limit: rows per page.
        offset: rows to skip (for a first look deep down; the window pages with ``after``).
        after: the ``after`` of the previous page: this page starts where it ended.
        total: the count the first page gave, not counted again for the pages after it.

    Raises:
        ValueError: an unknown ``sort``.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    today = desk.today()
    with desk.casefile.read() as session:
        n = table_of(National).alias("n")
        # 0: the query as typed; n: the n-th of the names near it (similar_matches).
        how = after[4] if after is not None else 0
        matches = similar_matches(session, flt.query) if how else []
        near = matches[how - 1] if 0 < how <= len(matches) else None
        conditions = _filter_conditions(n, flt, today, near)

        def count() -> int:
            query = sa_select(func.count()).select_from(n).where(*conditions)
            return int(session.execute(query).scalar_one())

        if total is None:
            total = count()
            if total == 0 and after is None and flt.query.strip():
                # Nobody by the name as typed: the people with a name near it, if any.
                for tried, near in enumerate(similar_matches(session, flt.query), 1):
                    conditions = _filter_conditions(n, flt, today, near)
                    total = count()
                    if total:
                        how = tried
                        break
        if total == 0 or (after is None and offset >= total):
            return Page([], total)
        found = _page_rows(session, n, conditions, sort, descending, limit, offset, after)
        following: Cursor | None = None
        if len(found) == limit:
            last = found[-1]
            following = (bool(last.known), last.key, last.sort_name, last.seq, how)
        return Page(to_rows(session, found, today), total, following, how > 0)


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filter boxes offer: values in use with how many live nationals have each.

    Countries and cities are sorted by count (most first), then by value. ``needs_review``
    counts the people with values set aside for review.
    """

    countries: list[tuple[str, int]]
    cities: list[tuple[str, int]]
    hotels: list[HotelRow]
    needs_review: int = 0


def filter_choices(desk: Desk, country: str | None = None) -> FilterChoices:
    """Host countries, cities and hotels to filter the list of nationals by; with a
    ``country``, only the cities where people in that country are."""
    from consuldesk.services.hotels import list_hotels  # hotels imports this module

    with desk.casefile.read() as session:
        table = table_of(National)

        def grouped(column: Any, *where: Any) -> list[tuple[str, int]]:
            rows = session.execute(
                sa_select(column, func.count())
                .where(table.c.deleted_at.is_(None), column.is_not(None), column != "", *where)
                .group_by(column)
            ).all()
            return sorted(((str(v), int(k)) for v, k in rows), key=lambda p: (-p[1], p[0]))

        in_country = (table.c.host_country == country,) if country else ()
        countries, cities = grouped(table.c.host_country), grouped(table.c.city, *in_country)
        needs_review = count_needs_review(session)
    return FilterChoices(countries, cities, list_hotels(desk), needs_review)


def count_needs_review(session: Session) -> int:
    """How many live nationals need review (read from the partial index over them)."""
    table = table_of(National)
    query = (
        sa_select(func.count())
        .select_from(table)
        .where(table.c.review.is_not(None), table.c.deleted_at.is_(None))
    )
    return int(session.execute(query).scalar_one())


def history(desk: Desk, record_id: str) -> list[AuditRow]:
    """The audit trail of a record, oldest first.

    A record created by a list import has no event of its own: the import's one event (see
    :meth:`~consuldesk.store.db.Tx.audit_created`) comes first, as the record's registration
    with the values it was created with and the list's SHA-256.
    """
    with desk.casefile.read() as session:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.record_id) == record_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.version))
        ).all()
        rows = [
            (e.at, e.version, AuditRow(e.at, e.officer, e.post_code, e.action, dict(e.changes)))
            for e in events
        ]
        created = created_together(session, National, record_id)
        if created is not None:
            at, officer, post, version, details, first = created
            changes: dict[str, list[object]] = {k: [None, v] for k, v in first.items()}
            if details.get("sha256"):
                changes["list_sha256"] = [None, details["sha256"]]
            action = "sync" if details.get("action") == "sync" else "create"
            if details.get("sender"):
                changes["origin_post"] = [None, details["sender"]]
            rows.append((at, version, AuditRow(at, officer, post, action, changes)))
        rows.sort(key=lambda r: (r[0], r[1]))
        return [row for _, _, row in rows]


# -- duplicates ----------------------------------------------------------------------------


def exact_duplicate(
    session: Session, fields: NationalFields, exclude_id: str | None = None
) -> tuple[National, str] | None:
    """A live national with the same IIN or passport number, and which field matched."""
    conditions = []
    if fields.iin:
        conditions.append(col(National.iin) == fields.iin)
    if fields.passport_no:
        conditions.append(col(National.passport_no) == fields.passport_no)
    if not conditions:
        return None
    query = select(National).where(or_(*conditions), col(National.deleted_at).is_(None))
    if exclude_id:
        query = query.where(col(National.id) != exclude_id)
    for n in session.exec(query):
        if fields.iin and n.iin == fields.iin:
            return n, "iin"
        return n, "passport_no"
    return None


def name_facts(fields: NationalFields | National) -> NameFacts:
    """What duplicate detection compares for one record."""
    f = fields
    return facts_of(
        f.surname_cyr, f.given_names_cyr, f.surname_lat, f.given_names_lat, f.birth_date, f.iin
    )


def probable_duplicates_in(
    session: Session, fields: NationalFields, exclude_ids: Iterable[str] = ()
) -> list[tuple[National, float]]:
    """Live nationals with the same birth date and a similar name (either script)."""
    if fields.birth_date is None:
        return []
    excluded = set(exclude_ids)
    mine = name_facts(fields)
    found = []
    candidates = session.exec(
        select(National).where(
            col(National.birth_date) == fields.birth_date, col(National.deleted_at).is_(None)
        )
    )
    for other in candidates:
        if other.id in excluded:
            continue
        score = probable_duplicate(mine, name_facts(other))
        if score is not None:
            found.append((other, score))
    return sorted(found, key=lambda pair: -pair[1])


@dataclass(frozen=True)
class DuplicateCheck:
    """What the person card shows while an officer types."""

    exact: NationalRow | None
    exact_field: str | None
    probable: list[tuple[NationalRow, float]]


def check_duplicates(
    desk: Desk, fields: NationalFields, exclude_id: str | None = None
) -> DuplicateCheck:
    """Exact and probable duplicates of a record being entered (nothing is written)."""
    with desk.casefile.read() as session:
        exact = exact_duplicate(session, fields, exclude_id)
        probable = probable_duplicates_in(session, fields, [exclude_id] if exclude_id else [])
        rows = to_rows(session, [n for n, _ in probable], desk.today())
        return DuplicateCheck(
            exact=to_rows(session, [exact[0]], desk.today())[0] if exact else None,
            exact_field=exact[1] if exact else None,
            probable=[(row, score) for row, (_, score) in zip(rows, probable, strict=True)],
        )


def flag_probable_duplicates(tx: Tx, n: National, fields: NationalFields) -> int:
    """Record review pairs for ``n`` and similar existing records; returns how many."""
    count = 0
    for other, score in probable_duplicates_in(tx.session, fields, [n.id]):
        a, b = sorted((n.id, other.id))
        existing = tx.session.exec(
            select(DuplicateCandidate).where(
                col(DuplicateCandidate.national_a_id) == a,
                col(DuplicateCandidate.national_b_id) == b,
            )
        ).first()
        if existing is None:
            tx.add(DuplicateCandidate(national_a_id=a, national_b_id=b, score=score))  # type: ignore[call-arg]
            count += 1
    return count


def _raise_if_exact(
    session: Session, fields: NationalFields, exclude_id: str | None = None
) -> None:
    found = exact_duplicate(session, fields, exclude_id)
    if found:
        other, field = found
        name = " ".join(
            p
            for p in (
                other.surname_cyr or other.surname_lat,
                other.given_names_cyr or other.given_names_lat,
            )
            if p
        )
        raise ServiceError(
            "national.duplicate",
            field,
            existing_id=other.id,
            existing_name=name,
            value=getattr(fields, field),
        )


# -- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """A national written: the row as stored, what changed, and new probable duplicates.

    ``theirs_kept``: fields someone else changed while the card was open and the officer had
    left alone; their values were kept (see :func:`update_national`).
    """

    row: NationalRow
    changes: ChangeSet
    flagged_duplicates: int = 0
    theirs_kept: tuple[FieldChange, ...] = ()


#: Of an anonymised record, what may not be entered again (the birth date and the needs were
#: coarsened, not removed: they count).
_GONE_FOR_GOOD = PERSONAL["national"] - {
    "birth_date",
    "medical_condition",
    "mobility_needs",
    "review",
}


def _refuse_personal_values(n: National, values: dict[str, Any]) -> None:
    """An anonymised record stays anonymous: a name, document or contact typed into it
    again is refused (status, place and needs may still change: they count).

    Raises:
        ServiceError: ``national.anonymised`` (field: the first such value).
    """
    for name in sorted(_GONE_FOR_GOOD):
        new = values.get(name)
        if new not in (None, "", [], (), REMOVED) and new != getattr(n, name):
            raise ServiceError("national.anonymised", name)


def register_national(desk: Desk, fields: NationalFields) -> Saved:
    """Register a new national in one transaction.

    Raises:
        ValidationErrors: the fields are invalid.
        ServiceError: ``national.duplicate`` when the IIN or passport number is already on file.
    """
    today = desk.today()
    fields = clean_national(fields, today)
    with desk.write() as tx:
        _raise_if_exact(tx.session, fields)
        n = National(**_column_values(fields))
        tx.add(n)
        tx.session.flush()
        flagged = flag_probable_duplicates(tx, n, fields)
        row = to_rows(tx.session, [n], today)[0]
    return Saved(row, tx.changes, flagged)


def update_national(
    desk: Desk,
    national_id: str,
    fields: NationalFields,
    *,
    opened: NationalFields | None = None,
    resolved: Mapping[str, Any] | None = None,
) -> Saved:
    """Save edits to a national; only changed fields are stamped and audited.

    With ``opened`` (the values the officer's copy was opened with) the save is checked
    against what the record holds now, in the same transaction (:func:`three_way`): fields
    someone else changed meanwhile keep their value, unless the officer changed them too,
    to something else: then nothing is written and :class:`EditConflict` says which fields,
    with the three values and who made the other change. To save the officer's choices, pass
    the conflict's ``current`` as ``opened`` (a change made after it is caught again) and
    ``resolved``: for each conflicting field, the officer's own value. The save is audited as
    ``resolve``; each own value given up for the other is audited as ``declined``.

    Without ``opened`` the fields are written as given (last writer wins).

    A field under review that the edit gives a new value settles its review items, in the
    same transaction (see :func:`consuldesk.domain.review.settled_by_edit`).

    Raises:
        NotFound, ValidationErrors, ServiceError (``national.duplicate``; with ``opened``,
        ``national.deleted_meanwhile`` or ``national.merged_meanwhile``: the record was
        deleted, or merged into another, while the card was open), EditConflict.
    """
    today = desk.today()
    fields = clean_national(fields, today)
    with desk.write() as tx:
        if opened is not None:
            _raise_if_gone(tx.session, national_id)
        n = live_national(tx.session, national_id)
        kept: tuple[FieldChange, ...] = ()
        if opened is not None:
            fields, kept = _merge_edit(tx.session, n, opened, fields, today)
        _raise_if_exact(tx.session, fields, exclude_id=national_id)
        values = _column_values(fields)
        if n.anonymised_at is not None:
            _refuse_personal_values(n, values)
        review = review_from_json(n.review)
        settled = settled_by_edit(review, fields_of(n), fields)
        if settled:
            after = merge_review(review, (), settled)
            values["review"] = review_to_json(after)
            values["review_done"] = done_keys(n.review_done, review, after)
        tx.update(n, values, action="resolve" if resolved else "update")
        declined = {
            name: [_plain(mine), _plain(getattr(fields, name))]
            for name, mine in (resolved or {}).items()
            if mine != getattr(fields, name)
        }
        if declined:
            tx.audit(n, "declined", declined, n.version)
        tx.session.flush()
        flagged = flag_probable_duplicates(tx, n, fields) if tx.changes else 0
        row = to_rows(tx.session, [n], today)[0]
    return Saved(row, tx.changes, flagged, kept)


def _merge_edit(
    session: Session, n: National, opened: NationalFields, mine: NationalFields, today: date
) -> tuple[NationalFields, tuple[FieldChange, ...]]:
    """The officer's fields merged with what changed on ``n`` since ``opened``, and the fields
    only the others changed (kept as they are now).

    Raises:
        EditConflict: both changed a field to different values; or the merge does not validate
            (another's new birth date beside the officer's new IIN): the others' fields named
            by the errors are offered as conflicts.
        ValidationErrors: the officer's own values do not validate together with the rest.
    """
    current = fields_of(n)
    outcome = three_way(FIELD_NAMES, vars(opened), vars(current), vars(mine))
    if not outcome.theirs and not outcome.conflicts:
        return mine, ()
    changes = {
        name: FieldChange(
            name,
            getattr(opened, name),
            getattr(current, name),
            getattr(mine, name),
            *_other_change(session, n, name),
        )
        for name in (*outcome.theirs, *outcome.conflicts)
    }
    conflicts = [changes[name] for name in outcome.conflicts]
    merged = NationalFields(**outcome.merged)
    if not conflicts:
        try:
            merged = clean_national(merged, today)
        except ValidationErrors as exc:
            named = {error.field for error in exc.errors}
            conflicts = [changes[name] for name in outcome.theirs if name in named]
            if not conflicts:
                raise
    kept = tuple(changes[name] for name in outcome.theirs if changes[name] not in conflicts)
    if conflicts:
        raise EditConflict(n.id, tuple(conflicts), kept, current, merged)
    return merged, kept


def _raise_if_gone(session: Session, national_id: str) -> None:
    """Say who deleted a record (or merged it into which other) since a card opened it."""
    n = session.get(National, national_id)
    if n is None or n.deleted_at is None:
        return
    by, post, at, _action = _other_change(session, n, "deleted_at")
    officer = by or post or "?"
    when = (at or _aware(n.deleted_at)).astimezone()
    other = session.get(National, n.merged_into_id) if n.merged_into_id else None
    if other is not None:
        raise ServiceError(
            "national.merged_meanwhile",
            officer=officer,
            when=when,
            other=_display_name(other),
            other_id=other.id,
        )
    raise ServiceError("national.deleted_meanwhile", officer=officer, when=when)


def _display_name(n: National) -> str:
    parts = (n.surname_cyr or n.surname_lat, n.given_names_cyr or n.given_names_lat)
    return " ".join(p for p in parts if p)


def _other_change(
    session: Session, n: National, name: str
) -> tuple[str | None, str | None, datetime | None, str | None]:
    """Who last changed field ``name`` of ``n``, at which post, when and how, as far as the
    audit trail and the change authors say (a change received in a bundle names the officer
    and post that made it, not the one who imported it)."""
    found: AuditEvent | None = None
    events = session.exec(
        select(AuditEvent)
        .where(
            col(AuditEvent.record_id) == n.id,
            col(AuditEvent.table_name) == National.__tablename__,
            col(AuditEvent.action) != "declined",
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.version).desc())
        .limit(500)
    )
    for event in events:
        if name in event.changes:
            found = event
            break
    if found is not None and found.action != "sync":
        return found.officer, found.post_code, _aware(found.at), found.action
    version, _seen = field_versions.version_of(n.field_versions, name)
    if version is None:
        return None, None, None, found.action if found else None
    try:
        stamp = Timestamp.parse(version)
    except ValueError:
        return None, None, None, "sync"
    at = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC)
    return author_of(session, version), stamp.node, at, "sync"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    """A field's value as the audit trail stores it (JSON)."""
    if isinstance(value, (Sex, PresenceStatus, Source)):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def set_presence(desk: Desk, national_ids: Sequence[str], status: PresenceStatus) -> ChangeSet:
    """Set the presence status of several nationals at once."""
    with desk.write() as tx:
        for national_id in national_ids:
            tx.update(live_national(tx.session, national_id), {"presence_status": status.value})
    return tx.changes


def delete_national(desk: Desk, national_id: str) -> ChangeSet:
    """Delete a national (a tombstone: the deletion syncs and stays in the audit trail).

    What they held goes with them, each change in the trail: their families and groups, a
    seat or a place on a waiting list not boarded yet (a boarded passenger stays on the trip's
    record), tonight's bed (a booking cancelled, a stay checked out today) and their open
    requests (cancelled, with a line on the timeline). A seat, a bed or a request of nobody
    counted nowhere.
    """
    with desk.write("delete") as tx:
        n = live_national(tx.session, national_id)
        tx.delete(n)
        for member in tx.session.exec(
            select(HouseholdMember).where(
                col(HouseholdMember.national_id) == national_id,
                col(HouseholdMember.deleted_at).is_(None),
            )
        ):
            tx.delete(member)
        _release(tx, national_id, desk.today())
    return tx.changes


#: A passenger entry a deletion takes away: a seat or a waiting place, not yet boarded.
_NOT_TRAVELLED = ("allocated", "waitlisted")


def _release(tx: Tx, national_id: str, today: date) -> None:
    """What a deleted national held: seats, beds, open requests (see :func:`delete_national`)."""
    s = tx.session
    for entry in s.exec(
        select(ManifestEntry).where(
            col(ManifestEntry.national_id) == national_id,
            col(ManifestEntry.deleted_at).is_(None),
            col(ManifestEntry.status).in_(_NOT_TRAVELLED),
        )
    ):
        tx.delete(entry)
    for stay in s.exec(
        select(Placement).where(
            col(Placement.national_id) == national_id,
            col(Placement.deleted_at).is_(None),
            col(Placement.status).in_(
                [PlacementStatus.BOOKED.value, PlacementStatus.CHECKED_IN.value]
            ),
        )
    ):
        if stay.status == PlacementStatus.BOOKED.value:
            tx.update(stay, {"status": PlacementStatus.CANCELLED.value})
        else:
            check_out = today if stay.check_out is None or stay.check_out > today else None
            tx.update(
                stay,
                {"status": PlacementStatus.CHECKED_OUT.value}
                | ({"check_out": check_out} if check_out else {}),
            )
    for request in s.exec(
        select(AssistanceRequest).where(
            col(AssistanceRequest.national_id) == national_id,
            col(AssistanceRequest.deleted_at).is_(None),
            col(AssistanceRequest.status).in_([st.value for st in OPEN_STATUSES]),
        )
    ):
        text = (
            f"{request.status} → {RequestStatus.CANCELLED.value}\nthe person's record was deleted"
        )
        tx.update(request, {"status": RequestStatus.CANCELLED.value, "closed_at": tx.now})
        tx.add(
            RequestEvent(  # type: ignore[call-arg]
                request_id=request.id,
                at=tx.now,
                kind=TimelineKind.STATUS.value,
                author=tx.officer,
                text=text,
            )
        )


def merge_nationals(
    desk: Desk, keep_id: str, drop_id: str, take_from_drop: Iterable[str] = ()
) -> Saved:
    """Merge two records of one person into ``keep_id``.

    Each field keeps the kept record's value unless it is empty there or named in
    ``take_from_drop``; phones are united. A passport number taken brings its expiry with it.
    Households (and the head's place in them), requests, placements, manifest entries and the
    dropped record's open duplicate pairs move to the kept record; the dropped record becomes
    a tombstone pointing at it.

    Raises:
        NotFound, ValidationErrors, ServiceError (``national.merge_self``;
        ``national.merge_take_empty``: a field to take is empty in the record merged in, so
        taking it would erase the kept value; ``national.merge_two_families``: the records are
        in two different families, and a person is in one).
    """
    if keep_id == drop_id:
        raise ServiceError("national.merge_self")
    today = desk.today()
    chosen = set(take_from_drop)
    with desk.write("delete") as tx:
        keep = live_national(tx.session, keep_id)
        drop = live_national(tx.session, drop_id)
        kept_fields, dropped_fields = fields_of(keep), fields_of(drop)
        for name in sorted(chosen - {"phones"}):  # phones are united, whichever is taken
            if getattr(dropped_fields, name) in (None, ""):
                raise ServiceError("national.merge_take_empty", name)
        if "passport_no" in chosen:  # the expiry is the passport's: the other one's is wrong
            chosen.add("passport_expiry")
        _refuse_two_families(tx.session, keep.id, drop.id)
        values: dict[str, object] = {}
        for name in FIELD_NAMES:
            mine, theirs = getattr(kept_fields, name), getattr(dropped_fields, name)
            if name == "phones":
                values[name] = tuple(dict.fromkeys((*mine, *theirs)))
            elif name in chosen or (mine in (None, "", False) and theirs not in (None, "", False)):
                values[name] = theirs
        # A document either record had that the merged record does not keep stays in its
        # notes (the other passport of a person registered twice, renewed since).
        aside = [
            f"{field_label(name)}: {value}"
            for name in _DOCUMENTS
            for value in dict.fromkeys((getattr(kept_fields, name), getattr(dropped_fields, name)))
            if value and value != values.get(name, getattr(kept_fields, name))
        ]
        if aside:
            line = _("Merged with a record of {post}; not kept here: {values}").format(
                post=drop.origin_post, values="; ".join(aside)
            )
            notes = values.get("notes", kept_fields.notes)
            values["notes"] = f"{notes}\n{line}" if notes else line
        merged = clean_national(kept_fields.replace(**values), today)
        tx.delete(drop, action="merge", merged_into_id=keep.id)
        tx.session.flush()  # frees the dropped IIN/passport for the kept record
        tx.update(keep, _column_values(merged), action="merge")
        _move_references(tx, drop.id, keep.id)
        row = to_rows(tx.session, [keep], today)[0]
    return Saved(row, tx.changes)


#: Documents a merge keeps in the notes when the record kept has another one.
_DOCUMENTS = ("passport_no", "iin")


def _refuse_two_families(session: Session, keep_id: str, drop_id: str) -> None:
    """A person is in one family: two records in two families are not merged until an
    officer has said which family is theirs (``national.merge_two_families``)."""
    query = (
        select(HouseholdMember.national_id, Household)
        .join(Household, col(Household.id) == col(HouseholdMember.household_id))
        .where(
            col(HouseholdMember.national_id).in_([keep_id, drop_id]),
            col(HouseholdMember.deleted_at).is_(None),
            col(Household.deleted_at).is_(None),
            col(Household.kind) == HouseholdKind.FAMILY.value,
        )
    )
    families: dict[str, Household] = {}
    for national_id, household in session.exec(query).all():
        families.setdefault(national_id, household)
    kept, dropped = families.get(keep_id), families.get(drop_id)
    if kept is not None and dropped is not None and kept.id != dropped.id:
        raise ServiceError(
            "national.merge_two_families",
            kept_family=family_label(session, kept),
            dropped_family=family_label(session, dropped),
        )


def family_label(session: Session, household: Household) -> str:
    """A family as an officer tells it from another of the same name: "Семья Ахметовых
    (head: Ахметов Ерлан)"; families of one surname are common."""
    head = session.get(National, household.head_id) if household.head_id else None
    if head is None:
        return household.name
    return _("{family} (head: {head})").format(family=household.name, head=_display_name(head))


def _move_references(tx: Tx, old_id: str, new_id: str) -> None:
    s = tx.session
    live = lambda model: col(model.deleted_at).is_(None)  # noqa: E731
    for member in s.exec(
        select(HouseholdMember).where(
            col(HouseholdMember.national_id) == old_id, live(HouseholdMember)
        )
    ):
        twin = s.exec(
            select(HouseholdMember).where(
                col(HouseholdMember.household_id) == member.household_id,
                col(HouseholdMember.national_id) == new_id,
                live(HouseholdMember),
            )
        ).first()
        if twin:
            if member.relation == Relation.HEAD.value:  # the head's place goes to the one kept
                tx.update(twin, {"relation": Relation.HEAD.value}, action="merge")
            tx.delete(member)
        else:
            tx.update(member, {"national_id": new_id}, action="merge")
    for household in s.exec(
        select(Household).where(col(Household.head_id) == old_id, live(Household))
    ):
        tx.update(household, {"head_id": new_id}, action="merge")
    for request in s.exec(
        select(AssistanceRequest).where(col(AssistanceRequest.national_id) == old_id)
    ):
        tx.update(request, {"national_id": new_id}, action="merge")
    for placement in s.exec(select(Placement).where(col(Placement.national_id) == old_id)):
        tx.update(placement, {"national_id": new_id}, action="merge")
    for entry in s.exec(
        select(ManifestEntry).where(col(ManifestEntry.national_id) == old_id, live(ManifestEntry))
    ):
        # One entry a person on a leg of an operation (seated or waiting): the kept one's.
        entry_twin = s.exec(
            select(ManifestEntry).where(
                col(ManifestEntry.operation_id) == entry.operation_id,
                col(ManifestEntry.leg_no) == entry.leg_no,
                col(ManifestEntry.national_id) == new_id,
                live(ManifestEntry),
            )
        ).first()
        if entry_twin:
            tx.delete(entry)
        else:
            tx.update(entry, {"national_id": new_id}, action="merge")
    pairs = s.exec(
        select(DuplicateCandidate).where(
            or_(
                col(DuplicateCandidate.national_a_id) == old_id,
                col(DuplicateCandidate.national_b_id) == old_id,
            ),
            col(DuplicateCandidate.status) == DuplicateStatus.OPEN.value,
        )
    )
    for pair in pairs.all():
        other = pair.national_b_id if pair.national_a_id == old_id else pair.national_a_id
        if other == new_id:
            tx.update(pair, {"status": DuplicateStatus.MERGED.value})
            continue
        # Probably one person with the record merged in, so with the record kept: the pair
        # moves to it, unless the kept record is paired with that one already: still to look
        # at (then once is enough), or said to be two people (then so are these two).
        already = s.exec(
            select(DuplicateCandidate.status).where(
                or_(
                    (col(DuplicateCandidate.national_a_id) == new_id)
                    & (col(DuplicateCandidate.national_b_id) == other),
                    (col(DuplicateCandidate.national_a_id) == other)
                    & (col(DuplicateCandidate.national_b_id) == new_id),
                ),
                live(DuplicateCandidate),
            )
        ).all()
        if DuplicateStatus.DISMISSED.value in already:
            tx.update(pair, {"status": DuplicateStatus.DISMISSED.value})
        elif already:
            tx.delete(pair)
        else:
            side = "national_a_id" if pair.national_a_id == old_id else "national_b_id"
            tx.update(pair, {side: new_id}, action="merge")


def list_duplicates(
    desk: Desk, status: DuplicateStatus = DuplicateStatus.OPEN
) -> list[DuplicateRow]:
    """Pairs flagged as probably one person, best match first."""
    with desk.casefile.read() as session:
        pairs = session.exec(
            select(DuplicateCandidate).where(
                col(DuplicateCandidate.status) == status.value,
                col(DuplicateCandidate.deleted_at).is_(None),
            )
        ).all()
        ids = sorted({p.national_a_id for p in pairs} | {p.national_b_id for p in pairs})
        people = (
            session.exec(select(National).where(col(National.id).in_(ids))).all() if ids else []
        )
        by_id = {r.id: r for r in to_rows(session, people, desk.today())}
        post = {n.id: n.origin_post for n in people}
        result = [
            DuplicateRow(
                p.id,
                by_id[p.national_a_id],
                by_id[p.national_b_id],
                p.score,
                p.status,
                (post[p.national_a_id], post[p.national_b_id]),
            )
            for p in pairs
            if p.national_a_id in by_id and p.national_b_id in by_id
        ]
        return sorted(result, key=lambda r: (-r.score, r.a.name))


def dismiss_duplicate(desk: Desk, pair_id: str) -> ChangeSet:
    """Mark a flagged pair as two different people."""
    with desk.write() as tx:
        pair = tx.session.get(DuplicateCandidate, pair_id)
        if pair is None:
            raise NotFound("duplicate_candidate", pair_id)
        tx.update(pair, {"status": DuplicateStatus.DISMISSED.value})
    return tx.changes


__all__ = [
    "MEMBERSHIPS",
    "SORTS",
    "DuplicateCheck",
    "EditConflict",
    "FieldChange",
    "FilterChoices",
    "NationalFilter",
    "Page",
    "Saved",
    "SearchResult",
    "check_duplicates",
    "count_nationals",
    "count_needs_review",
    "delete_national",
    "dismiss_duplicate",
    "family_label",
    "fields_of",
    "fields_of_row",
    "filter_choices",
    "find_nationals",
    "get_national",
    "history",
    "list_duplicates",
    "list_nationals",
    "merge_nationals",
    "register_national",
    "search",
    "set_presence",
    "similar_names_note",
    "to_rows",
    "update_national",
]
