"""The situation at a glance: how many nationals, where, how vulnerable, what is open, who is
in a hotel tonight.

Everything is counted in SQLite with a handful of aggregate queries, so the dashboard stays
fast with 100,000 nationals: age rules become birth-date comparisons
(:func:`~consuldesk.domain.vulnerability.birth_date_cutoff`) and "woman with minors" a comparison
with the youngest member of her households, which the case file keeps (migration 0010). The rules
are those of :mod:`consuldesk.domain.vulnerability`; a test checks both agree row by row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import TextClause, case, func, or_, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from consuldesk.domain.enums import (
    PlacementStatus,
    PresenceStatus,
    RequestKind,
    RequestPriority,
    Sex,
    Vulnerability,
)
from consuldesk.domain.hlc import Timestamp
from consuldesk.domain.requests import OPEN_STATUSES
from consuldesk.domain.vulnerability import ADULT_AGE, SENIOR_AGE, birth_date_cutoff
from consuldesk.services.desk import Desk
from consuldesk.services.views import Situation
from consuldesk.store.models import (
    AssistanceRequest,
    DuplicateCandidate,
    Hotel,
    National,
    Placement,
    SyncConflict,
    SyncKnowledge,
    SyncPeer,
    utcnow,
)

__all__ = [
    "TOP_CITIES",
    "Situation",
    "open_conflicts",
    "situation",
    "vulnerability_condition",
    "vulnerability_counts",
]

#: How many cities ``situation`` names; the rest are added up as "other".
TOP_CITIES = 10

# What Python's str.strip() removes: a medical condition of only these is no condition.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Per-person flags as SQL over ``national AS n``. Text of only whitespace is no condition. The
# first terms of each are those of a partial index (migration 0010): a filter on a flag reads
# only the people who have it.
_MEDICAL = (
    "(n.medical_condition IS NOT NULL AND n.medical_condition <> ''"
    " AND trim(n.medical_condition, :ws) <> '')"
)
_MOBILITY = (
    "(n.mobility_needs IS NOT NULL AND n.mobility_needs <> ''"
    " AND trim(n.mobility_needs, :ws) <> '')"
)
_PREGNANT = "(n.pregnant = 1)"
_OVER_60 = "(n.birth_date IS NOT NULL AND n.birth_date <= :senior_cutoff)"
_MINOR = "(n.birth_date IS NOT NULL AND n.birth_date > :adult_cutoff)"
# An adult (or age unknown) woman sharing a live household with a live minor: the youngest
# member of her households (kept by triggers) is a minor today. The sex is written out, not
# bound, so that SQLite can use the partial index over women.
_WOMAN_WITH_MINORS = (
    f"(n.sex = '{Sex.FEMALE.value}' AND n.household_youngest > :adult_cutoff"
    " AND (n.birth_date IS NULL OR n.birth_date <= :adult_cutoff))"
)

# One scan of the nationals for the flags that depend on the person alone.
_PERSONAL_SQL = f"""
SELECT
    count(*),
    coalesce(sum({_MEDICAL}), 0),
    coalesce(sum({_MOBILITY}), 0),
    coalesce(sum({_PREGNANT}), 0),
    coalesce(sum({_OVER_60}), 0),
    coalesce(sum({_MINOR}), 0),
    coalesce(sum({_MEDICAL} OR {_MOBILITY} OR {_PREGNANT} OR {_OVER_60} OR {_MINOR}), 0)
FROM national AS n
WHERE n.deleted_at IS NULL
"""

# Women travelling with minors; and how many of them have no other flag (an adult has neither
# the minor flag, nor is she her own minor).
_WOMEN_WITH_MINORS_SQL = f"""
SELECT count(*), coalesce(sum(NOT ({_MEDICAL} OR {_MOBILITY} OR {_PREGNANT} OR {_OVER_60})), 0)
FROM national AS n
WHERE n.deleted_at IS NULL AND {_WOMAN_WITH_MINORS}
"""

# The same rules as one condition per flag, to filter ``national AS n`` by.
_FLAG_CONDITIONS = {
    Vulnerability.MEDICAL: _MEDICAL,
    Vulnerability.MOBILITY: _MOBILITY,
    Vulnerability.PREGNANT: _PREGNANT,
    Vulnerability.OVER_60: _OVER_60,
    Vulnerability.MINOR: _MINOR,
    Vulnerability.WOMAN_WITH_MINORS: _WOMAN_WITH_MINORS,
}


def _params(today: date) -> dict[str, Any]:
    return {
        "adult_cutoff": birth_date_cutoff(ADULT_AGE, today).isoformat(),
        "senior_cutoff": birth_date_cutoff(SENIOR_AGE, today).isoformat(),
        "ws": _WHITESPACE,
    }


def vulnerability_condition(flag: Vulnerability, today: date) -> TextClause:
    """A SQL condition over ``national AS n`` that holds for people with ``flag`` on ``today``.

    The rules of :func:`vulnerability_counts`, for filtering lists in SQLite.
    """
    sql = _FLAG_CONDITIONS[flag]
    params = {k: v for k, v in _params(today).items() if f":{k}" in sql}
    return text(sql).bindparams(**params)


def vulnerability_counts(session: Session, today: date) -> tuple[int, dict[str, int], int]:
    """Live nationals, how many have each vulnerability flag on ``today``, and how many have any.

    Two queries: one scan of the nationals for the personal flags, one over the index of women
    for women travelling with minors.

    Returns:
        ``(nationals, {flag value: count}, vulnerable)``.
    """
    params = _params(today)
    conn = session.connection()
    total, medical, mobility, pregnant, over_60, minor, personal_any = (
        int(v) for v in conn.execute(text(_PERSONAL_SQL), params).one()
    )
    women, women_only = (int(v) for v in conn.execute(text(_WOMEN_WITH_MINORS_SQL), params).one())
    counts = {
        Vulnerability.MEDICAL: medical,
        Vulnerability.MOBILITY: mobility,
        Vulnerability.PREGNANT: pregnant,
        Vulnerability.OVER_60: over_60,
        Vulnerability.WOMAN_WITH_MINORS: women,
        Vulnerability.MINOR: minor,
    }
    return total, {f.value: counts[f] for f in Vulnerability}, personal_any + women_only


def _grouped(session: Session, column: Any) -> dict[str | None, int]:
    rows = session.exec(
        select(column, func.count()).where(col(National.deleted_at).is_(None)).group_by(column)
    ).all()
    return {key: int(n) for key, n in rows}


def situation(
    desk: Desk, on: date | None = None, *, now: datetime | None = None, top_cities: int = TOP_CITIES
) -> Situation:
    """Count the post's situation.

    Args:
        desk: the services' context.
        on: the day ages and hotel nights are counted on (default today).
        now: the time overdue requests are judged at (default now).
        top_cities: how many cities to name.
    """
    day = on or desk.today()
    moment = (now or utcnow()).astimezone(UTC)
    with desk.casefile.read() as session:
        total, by_vulnerability, vulnerable = vulnerability_counts(session, day)

        presence = _grouped(session, col(National.presence_status))
        by_presence = {s.value: presence.pop(s.value, 0) for s in PresenceStatus}
        by_presence.update({k: n for k, n in presence.items() if k})  # values from newer posts

        countries = _grouped(session, col(National.host_country))
        country_unknown = countries.pop(None, 0) + countries.pop("", 0)
        by_country = dict(sorted(countries.items(), key=lambda kv: (-kv[1], str(kv[0]))))

        cities = _grouped(session, col(National.city))
        city_unknown = cities.pop(None, 0) + cities.pop("", 0)
        ranked = sorted(cities.items(), key=lambda kv: (-kv[1], str(kv[0])))
        by_city = {str(k): n for k, n in ranked[: max(0, top_cities)]}
        city_other = sum(n for _, n in ranked[max(0, top_cities) :])

        open_values = [s.value for s in OPEN_STATUSES]
        late = col(AssistanceRequest.due_at) < moment
        request_rows = session.exec(
            select(
                col(AssistanceRequest.kind),
                col(AssistanceRequest.priority),
                func.count(),
                func.coalesce(
                    func.sum(case((col(AssistanceRequest.due_at) < moment, 1), else_=0)), 0
                ),
            )
            .where(
                col(AssistanceRequest.deleted_at).is_(None),
                col(AssistanceRequest.status).in_(open_values),
            )
            .group_by(col(AssistanceRequest.kind), col(AssistanceRequest.priority))
        ).all()
        open_by_kind = {k.value: 0 for k in RequestKind}
        open_by_priority = {p.value: 0 for p in RequestPriority}
        overdue = 0
        for kind, priority, n, late in request_rows:
            open_by_kind[kind] = open_by_kind.get(kind, 0) + int(n)
            open_by_priority[priority] = open_by_priority.get(priority, 0) + int(n)
            overdue += int(late)

        hotels, beds = session.exec(
            select(func.count(), func.coalesce(func.sum(col(Hotel.beds)), 0)).where(
                col(Hotel.deleted_at).is_(None)
            )
        ).one()
        occupied, placed = session.exec(
            select(
                func.count(),
                func.count(
                    func.distinct(
                        case((col(National.deleted_at).is_(None), col(Placement.national_id)))
                    )
                ),
            )
            .join(Hotel, col(Hotel.id) == col(Placement.hotel_id))
            .join(National, col(National.id) == col(Placement.national_id))
            .where(
                col(Hotel.deleted_at).is_(None),
                col(Placement.deleted_at).is_(None),
                col(Placement.status) != PlacementStatus.CANCELLED.value,
                col(Placement.check_in) <= day,
                or_(col(Placement.check_out).is_(None), col(Placement.check_out) > day),
            )
        ).one()
        needs_review = session.exec(
            select(func.count()).where(
                col(National.review).is_not(None), col(National.deleted_at).is_(None)
            )
        ).one()
        posts = _grouped(session, col(National.origin_post))
        by_post = dict(sorted(posts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
        possible_duplicates, counted_twice = _open_pairs(session)
        own = desk.casefile.post_code_in(session)
        as_of = _posts_as_of(session, [str(k) for k in by_post if k is not None and k != own])

    return Situation(
        on=day,
        nationals=total,
        evacuated=by_presence[PresenceStatus.EVACUATED.value],
        by_presence=by_presence,
        by_country={str(k): n for k, n in by_country.items()},
        country_unknown=country_unknown,
        by_city=by_city,
        city_other=city_other,
        city_unknown=city_unknown,
        by_vulnerability=by_vulnerability,
        vulnerable=vulnerable,
        open_requests=sum(open_by_kind.values()),
        open_by_kind=open_by_kind,
        open_by_priority=open_by_priority,
        overdue_requests=overdue,
        hotels=int(hotels),
        hotel_beds=int(beds),
        hotel_occupied=int(occupied),
        placed_tonight=int(placed),
        needs_review=int(needs_review),
        by_post={str(k): n for k, n in by_post.items()},
        counted_twice=counted_twice,
        possible_duplicates=possible_duplicates,
        post_as_of=as_of,
    )


def _posts_as_of(session: Session, posts: list[str]) -> dict[str, datetime | None]:
    """When the figures of each of ``posts`` held here were taken: the later of when its
    newest bundle applied here was made and its newest change held here (which another
    post's bundle may have brought later)."""
    peers = {
        p.post_code: p
        for p in session.exec(select(SyncPeer).where(col(SyncPeer.post_code).in_(posts)))
    }
    changed: dict[str, datetime] = {}
    for k in session.exec(select(SyncKnowledge).where(col(SyncKnowledge.node).in_(posts))):
        try:
            stamp = Timestamp.parse(k.version)
        except ValueError:
            continue
        changed[k.node] = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC).replace(microsecond=0)
    now = utcnow()
    out: dict[str, datetime | None] = {}
    for post in posts:
        peer = peers.get(post)
        made = _utc(peer.last_bundle_made) if peer and peer.last_bundle_made else None
        # A change stamped by a clock ahead of ours is no newer than the bundle that brought
        # it here (or than now, relayed by another post): never figures from the future.
        arrived = _utc(peer.last_received_at) if peer and peer.last_received_at else now
        change = min(changed[post], arrived) if post in changed else None
        known = [at for at in (made, change) if at is not None]
        out[post] = max(known) if known else None
    return out


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _open_pairs(session: Session) -> tuple[int, int]:
    """Open duplicate pairs of two live records: all of them, and those whose two records
    come from different posts (the people the total counts twice)."""
    a, b = aliased(National), aliased(National)
    across = case((col(a.origin_post) != col(b.origin_post), 1), else_=0)
    row = session.exec(
        select(func.count(), func.coalesce(func.sum(across), 0))
        .select_from(DuplicateCandidate)
        .join(a, col(a.id) == col(DuplicateCandidate.national_a_id))
        .join(b, col(b.id) == col(DuplicateCandidate.national_b_id))
        .where(
            col(DuplicateCandidate.status) == "open",
            col(DuplicateCandidate.deleted_at).is_(None),
            col(a.deleted_at).is_(None),
            col(b.deleted_at).is_(None),
        )
    ).one()
    return int(row[0]), int(row[1])


def open_conflicts(desk: Desk) -> int:
    """How many sync conflicts wait for an officer's decision (one count: the window marks
    its Sync page by it without loading the sync machinery)."""
    with desk.casefile.read() as session:
        query = select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")
        return int(session.exec(query).one())
