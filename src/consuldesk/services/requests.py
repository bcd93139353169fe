"""Use cases about assistance requests: open, move through the workflow, assign, log calls.

Every change to a request that an officer should see later (status, assignment, notes, calls)
also becomes an entry of the request's timeline. Times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from consuldesk.domain.enums import (
    RequestKind,
    RequestPriority,
    RequestStatus,
    TimelineKind,
)
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.phone import normalize_phone
from consuldesk.domain.requests import OPEN_STATUSES, check_transition
from consuldesk.i18n import _
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import live_household, national_name
from consuldesk.services.nationals import live_national
from consuldesk.services.views import RequestRow, TimelineRow, Written
from consuldesk.store.db import Tx, get_live
from consuldesk.store.models import (
    AssistanceRequest,
    Household,
    National,
    OfficerAccount,
    RequestEvent,
    utcnow,
)
from consuldesk.store.search import search_seqs

__all__ = [
    "CONTACT_KINDS",
    "NOTE_KINDS",
    "add_note",
    "assign",
    "change_status",
    "get_request",
    "link_person",
    "list_requests",
    "log_hotline_call",
    "open_request",
    "set_priority",
]

#: Statuses in which a request is finished: ``closed_at`` is set.
DONE_STATUSES = frozenset({RequestStatus.RESOLVED, RequestStatus.CLOSED, RequestStatus.CANCELLED})
#: Statuses in which a request takes no more notes or assignments (reopen it first).
FROZEN_STATUSES = frozenset({RequestStatus.CLOSED, RequestStatus.CANCELLED})
#: What a person's contact with the post can be: on the phone either way, or at its door.
CONTACT_KINDS = (TimelineKind.CALL_IN, TimelineKind.CALL_OUT, TimelineKind.VISIT)
#: Timeline kinds an officer writes by hand.
NOTE_KINDS = frozenset({TimelineKind.NOTE, *CONTACT_KINDS})
_PRIORITY_RANK = {p.value: i for i, p in enumerate(RequestPriority)}  # urgent first
_NOBODY = "—"


# -- helpers -------------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime (a naive one is taken to be UTC already)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _is_overdue(r: AssistanceRequest, now: datetime) -> bool:
    due = _utc(r.due_at)
    return due is not None and due < now and RequestStatus(r.status) in OPEN_STATUSES


def live_request(session: Session, request_id: str) -> AssistanceRequest:
    """A request that exists and is not deleted.

    Raises:
        NotFound: no such live request.
    """
    return get_live(session, AssistanceRequest, request_id)


def _names(
    session: Session, requests: Iterable[AssistanceRequest]
) -> tuple[dict[str, str], dict[str, str]]:
    """Names of the nationals and households the requests concern, by id."""
    requests = list(requests)
    national_ids = sorted({r.national_id for r in requests if r.national_id})
    household_ids = sorted({r.household_id for r in requests if r.household_id})
    people: dict[str, str] = {}
    for start in range(0, len(national_ids), 900):
        chunk = national_ids[start : start + 900]
        for n in session.exec(select(National).where(col(National.id).in_(chunk))).all():
            people[n.id] = national_name(n)
    households: dict[str, str] = {}
    for start in range(0, len(household_ids), 900):
        chunk = household_ids[start : start + 900]
        for h in session.exec(select(Household).where(col(Household.id).in_(chunk))).all():
            households[h.id] = h.name
    return people, households


def _people_found(session: Session, text: str) -> set[str]:
    """The ids of the nationals the search finds by ``text``."""
    seqs = search_seqs(session, text, 2000)
    if not seqs:
        return set()
    return set(session.exec(select(National.id).where(col(National.seq).in_(seqs))).all())


def _holds(row: RequestRow, words: list[str]) -> bool:
    """Whether every word is in the request's summary, details or names."""
    haystack = " ".join(
        part or ""
        for part in (row.summary, row.details, row.national_name, row.household_name, row.kind)
    ).casefold()
    return all(word in haystack for word in words)


def _row(
    r: AssistanceRequest,
    people: dict[str, str],
    households: dict[str, str],
    now: datetime,
    timeline: tuple[TimelineRow, ...] = (),
) -> RequestRow:
    return RequestRow(
        id=r.id,
        kind=r.kind,
        priority=r.priority,
        status=r.status,
        summary=r.summary,
        details=r.details,
        national_id=r.national_id,
        national_name=people.get(r.national_id) if r.national_id else None,
        household_id=r.household_id,
        household_name=households.get(r.household_id) if r.household_id else None,
        assignee=r.assignee,
        due_at=_utc(r.due_at),
        closed_at=_utc(r.closed_at),
        created_at=r.created_at,
        updated_at=r.updated_at,
        overdue=_is_overdue(r, now),
        timeline=timeline,
    )


def _timeline(session: Session, request_id: str) -> tuple[TimelineRow, ...]:
    query = (
        select(RequestEvent)
        .where(col(RequestEvent.request_id) == request_id, col(RequestEvent.deleted_at).is_(None))
        .order_by(col(RequestEvent.at), col(RequestEvent.version))
    )
    return tuple(
        TimelineRow(e.id, _utc(e.at) or e.at, e.kind, e.author, e.text)
        for e in session.exec(query).all()
    )


def request_row(session: Session, r: AssistanceRequest, now: datetime | None = None) -> RequestRow:
    """The frozen row of one request, with its timeline."""
    people, households = _names(session, [r])
    return _row(r, people, households, now or utcnow(), _timeline(session, r.id))


def _event(tx: Tx, request_id: str, kind: TimelineKind, text: str) -> RequestEvent:
    event = RequestEvent(  # type: ignore[call-arg]
        request_id=request_id, at=tx.now, kind=kind.value, author=tx.officer, text=text
    )
    tx.add(event)
    return event


def _refuse_if_frozen(r: AssistanceRequest) -> None:
    if RequestStatus(r.status) in FROZEN_STATUSES:
        raise ServiceError("request.closed", "status", status=r.status)


def _new_request(
    tx: Tx,
    *,
    kind: RequestKind,
    summary: str,
    national_id: str | None,
    household_id: str | None,
    priority: RequestPriority,
    details: str | None,
    assignee: str | None,
    due_at: datetime | None,
) -> AssistanceRequest:
    cleaned = _clean(summary)
    if cleaned is None:
        raise ServiceError("request.summary", "summary")
    if national_id:
        live_national(tx.session, national_id)
    if household_id:
        live_household(tx.session, household_id)
    r = AssistanceRequest(  # type: ignore[call-arg]
        national_id=national_id or None,
        household_id=household_id or None,
        kind=RequestKind(kind).value,
        priority=RequestPriority(priority).value,
        status=RequestStatus.NEW.value,
        summary=cleaned,
        details=_clean(details),
        assignee=_clean(assignee),
        due_at=_utc(due_at),
    )
    tx.add(r)
    tx.session.flush()
    return r


# -- writing -------------------------------------------------------------------------------


def open_request(
    desk: Desk,
    kind: RequestKind,
    summary: str,
    national_id: str | None = None,
    household_id: str | None = None,
    priority: RequestPriority = RequestPriority.NORMAL,
    details: str | None = None,
    assignee: str | None = None,
    due_at: datetime | None = None,
) -> Written[RequestRow]:
    """Open a new request for a national or a household (status ``new``).

    Raises:
        NotFound: the national or household does not exist.
        ServiceError: ``request.no_subject`` (neither a national nor a household),
            ``request.summary`` (empty summary).
    """
    if not national_id and not household_id:
        raise ServiceError("request.no_subject", "national_id")
    with desk.write() as tx:
        r = _new_request(
            tx,
            kind=kind,
            summary=summary,
            national_id=national_id,
            household_id=household_id,
            priority=priority,
            details=details,
            assignee=assignee,
            due_at=due_at,
        )
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def change_status(
    desk: Desk, request_id: str, new_status: RequestStatus, note: str | None = None
) -> Written[RequestRow]:
    """Move a request through its workflow and add a ``status`` entry to its timeline.

    ``closed_at`` is set when the request becomes resolved, closed or cancelled (kept when it
    already was, e.g. resolved → closed) and cleared when it is reopened. Setting the status it
    already has changes nothing.

    Raises:
        NotFound: no such live request.
        ValidationError: ``request.transition`` (params ``current``, ``new``).
    """
    new = RequestStatus(new_status)
    with desk.write() as tx:
        r = live_request(tx.session, request_id)
        current = RequestStatus(r.status)
        check_transition(current, new)
        if new != current:
            closed_at = (r.closed_at or tx.now) if new in DONE_STATUSES else None
            tx.update(r, {"status": new.value, "closed_at": closed_at})
            text = f"{current.value} → {new.value}"
            if note := _clean(note):
                text += f"\n{note}"
            _event(tx, r.id, TimelineKind.STATUS, text)
            tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def assign(desk: Desk, request_id: str, assignee: str | None) -> Written[RequestRow]:
    """Give a request to an officer (``None``: nobody) with an ``assignment`` timeline entry.

    Raises:
        NotFound: no such live request.
        ServiceError: ``request.closed`` when the request is closed or cancelled.
    """
    who = _clean(assignee)
    with desk.write() as tx:
        r = live_request(tx.session, request_id)
        _refuse_if_frozen(r)
        old = r.assignee
        if tx.update(r, {"assignee": who}):
            _event(tx, r.id, TimelineKind.ASSIGNMENT, f"{old or _NOBODY} → {who or _NOBODY}")
            tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def link_person(desk: Desk, request_id: str, national_id: str) -> Written[RequestRow]:
    """Link the person a request is about, once they are on file: a caller or visitor not on
    file when the request was opened (their name and phone stay in the details), registered
    since. A ``note`` on the timeline says who was linked.

    Raises:
        NotFound: no such live request or national.
        ServiceError: ``request.closed``; ``request.linked`` (params ``person``) when the
            request is about someone already (it is not moved to another person silently).
    """
    with desk.write() as tx:
        r = live_request(tx.session, request_id)
        _refuse_if_frozen(r)
        person = live_national(tx.session, national_id)
        if r.national_id is not None and r.national_id != person.id:
            linked = tx.session.get(National, r.national_id)
            raise ServiceError(
                "request.linked", "national_id", person=national_name(linked) if linked else "?"
            )
        if tx.update(r, {"national_id": person.id}):
            linked_to = _("Linked to {name}").format(name=national_name(person))
            _event(tx, r.id, TimelineKind.NOTE, linked_to)
            tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def set_priority(
    desk: Desk, request_id: str, priority: RequestPriority, due_at: datetime | None
) -> Written[RequestRow]:
    """Change how pressing a request is: its priority and the time it is due (``None``: no
    due time), with a ``priority`` entry on its timeline ("normal → urgent" and, on a second
    line, the due time as ISO UTC or "—"). Changing nothing adds nothing.

    Raises:
        NotFound: no such live request.
        ServiceError: ``request.closed`` when the request is closed or cancelled.
    """
    new, due = RequestPriority(priority).value, _utc(due_at)
    with desk.write() as tx:
        r = live_request(tx.session, request_id)
        _refuse_if_frozen(r)
        old = r.priority
        values: dict[str, object] = {}
        if old != new:
            values["priority"] = new
        if _utc(r.due_at) != due:  # stored naive, meant as UTC
            values["due_at"] = due
        if values and tx.update(r, values):
            when = due.isoformat() if due is not None else _NOBODY
            _event(tx, r.id, TimelineKind.PRIORITY, f"{old} → {new}\n{when}")
            tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def add_note(desk: Desk, request_id: str, kind: TimelineKind, text: str) -> Written[RequestRow]:
    """Add a note, or log an incoming or outgoing call or a visit, on a request's timeline.

    Raises:
        NotFound: no such live request.
        ServiceError: ``request.event_kind`` (``kind`` is not note, call_in, call_out or visit),
            ``request.note_empty``, ``request.closed`` (closed or cancelled request).
    """
    kind = TimelineKind(kind)
    if kind not in NOTE_KINDS:
        raise ServiceError("request.event_kind", "kind", kind=kind.value)
    cleaned = _clean(text)
    if cleaned is None:
        raise ServiceError("request.note_empty", "text")
    with desk.write() as tx:
        r = live_request(tx.session, request_id)
        _refuse_if_frozen(r)
        _event(tx, r.id, kind, cleaned)
        tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


def _phone(raw: str | None) -> str | None:
    """E.164 when the number is valid, else the text as given (a call is never refused)."""
    raw = _clean(raw)
    if raw is None:
        return None
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw


def log_hotline_call(
    desk: Desk,
    *,
    summary: str,
    kind: RequestKind,
    national_id: str | None = None,
    household_id: str | None = None,
    caller: str | None = None,
    phone: str | None = None,
    direction: TimelineKind = TimelineKind.CALL_IN,
    priority: RequestPriority = RequestPriority.NORMAL,
    details: str | None = None,
    assignee: str | None = None,
    due_at: datetime | None = None,
) -> Written[RequestRow]:
    """Log a hotline call (or a visit to the post, ``direction`` ``visit``): a new request and
    its first timeline entry, in one transaction.

    The caller may be unknown to the post (no ``national_id``): the caller's name and phone
    then go into the request's details, so nobody who called is lost. The timeline entry reads
    ``"<caller> · <phone>"`` then the summary on the next line.

    Raises:
        NotFound: the national or household does not exist.
        ServiceError: ``request.event_kind`` (``direction`` is not call_in, call_out or visit),
            ``request.summary``, ``request.no_subject`` (no national, household, caller or
            phone).
    """
    direction = TimelineKind(direction)
    if direction not in CONTACT_KINDS:
        raise ServiceError("request.event_kind", "direction", kind=direction.value)
    who = " · ".join(p for p in (_clean(caller), _phone(phone)) if p)
    if not (national_id or household_id or who):
        raise ServiceError("request.no_subject", "caller")
    if not national_id and who:
        details = "\n".join(p for p in (who, _clean(details)) if p)
    with desk.write() as tx:
        r = _new_request(
            tx,
            kind=kind,
            summary=summary,
            national_id=national_id,
            household_id=household_id,
            priority=priority,
            details=details,
            assignee=assignee,
            due_at=due_at,
        )
        _event(tx, r.id, direction, "\n".join(p for p in (who, r.summary) if p))
        tx.session.flush()
        row = request_row(tx.session, r)
    return Written(row, tx.changes)


# -- reading -------------------------------------------------------------------------------


def assignee_names(desk: Desk) -> list[str]:
    """Whom a request can be given to, as the field offers them: the officers of the case
    file who may still log in, and everyone a request was given to already, by name. ("нурлан"
    typed by hand made a second officer the queue could not filter on.)"""
    with desk.casefile.read() as session:
        officers = session.exec(
            select(OfficerAccount.name).where(col(OfficerAccount.disabled_at).is_(None))
        ).all()
        given = session.exec(
            select(AssistanceRequest.assignee)
            .where(
                col(AssistanceRequest.deleted_at).is_(None),
                col(AssistanceRequest.assignee).is_not(None),
            )
            .distinct()
        ).all()
    names = {" ".join(n.split()): n for n in (*officers, *given) if n and n.strip()}
    return sorted(names, key=str.casefold)


def get_request(desk: Desk, request_id: str, now: datetime | None = None) -> RequestRow:
    """One request with its timeline (oldest entry first).

    Raises:
        NotFound: no such live request.
    """
    with desk.casefile.read() as session:
        return request_row(session, live_request(session, request_id), _utc(now))


def list_requests(
    desk: Desk,
    statuses: Collection[RequestStatus] | None = OPEN_STATUSES,
    kinds: Collection[RequestKind] | None = None,
    assignee: str | None = None,
    overdue_only: bool = False,
    now: datetime | None = None,
    national_id: str | None = None,
    household_id: str | None = None,
    text: str | None = None,
) -> list[RequestRow]:
    """Requests, most pressing first: by priority (urgent first), due time, then age.

    Args:
        desk: the services' context.
        statuses: only these statuses (``None``: all); open ones by default.
        kinds: only these kinds (``None``: all).
        assignee: only those given to this officer.
        overdue_only: only open requests whose due time has passed.
        now: the time ``overdue`` is judged at (default: now).
        national_id: only those about this national.
        household_id: only those about this household.
        text: only those whose person is found by it as the nationals search finds people
            (name in either script, any part of an IIN, passport or phone), or whose summary,
            details, person's or household's name hold all its words.

    Returns:
        Rows without timelines (see :func:`get_request`).
    """
    moment = _utc(now) or utcnow()
    query = select(AssistanceRequest).where(col(AssistanceRequest.deleted_at).is_(None))
    if statuses is not None:
        query = query.where(col(AssistanceRequest.status).in_([str(s) for s in statuses]))
    if kinds is not None:
        query = query.where(col(AssistanceRequest.kind).in_([str(k) for k in kinds]))
    if assignee is not None:
        query = query.where(col(AssistanceRequest.assignee) == assignee)
    if national_id is not None:
        query = query.where(col(AssistanceRequest.national_id) == national_id)
    if household_id is not None:
        query = query.where(col(AssistanceRequest.household_id) == household_id)
    if overdue_only:
        query = query.where(
            col(AssistanceRequest.due_at) < moment,
            col(AssistanceRequest.status).in_([s.value for s in OPEN_STATUSES]),
        )
    with desk.casefile.read() as session:
        found = list(session.exec(query).all())
        people, households = _names(session, found)
        whose = _people_found(session, text) if text and text.strip() else set()
    rows = [_row(r, people, households, moment) for r in found]
    if text and text.strip():
        words = text.casefold().split()
        rows = [r for r in rows if r.national_id in whose or _holds(r, words)]
    far = datetime.max.replace(tzinfo=UTC)
    rows.sort(
        key=lambda r: (
            _PRIORITY_RANK.get(r.priority, len(_PRIORITY_RANK)),
            r.due_at or far,
            r.created_at,
            r.id,
        )
    )
    return rows
