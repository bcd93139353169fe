"""Assistance request workflow: which status may follow which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consuldesk.domain.enums import RequestPriority, RequestStatus
from consuldesk.domain.errors import ValidationError

_S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    _S.NEW: frozenset({_S.IN_PROGRESS, _S.WAITING, _S.RESOLVED, _S.CANCELLED}),
    _S.IN_PROGRESS: frozenset({_S.WAITING, _S.RESOLVED, _S.CANCELLED}),
    _S.WAITING: frozenset({_S.IN_PROGRESS, _S.RESOLVED, _S.CANCELLED}),
    _S.RESOLVED: frozenset({_S.CLOSED, _S.IN_PROGRESS}),  # reopened when the fix did not hold
    _S.CLOSED: frozenset({_S.IN_PROGRESS}),
    _S.CANCELLED: frozenset({_S.NEW}),
}
OPEN_STATUSES = frozenset({_S.NEW, _S.IN_PROGRESS, _S.WAITING})


def check_transition(current: RequestStatus, new: RequestStatus) -> None:
    """Raise unless a request in ``current`` may move to ``new``.

    Raises:
        ValidationError: code ``request.transition`` with params ``current``, ``new`` and
            ``allowed`` (the statuses it can become, in workflow order: the officer was told
            only what it could not).
    """
    if new != current and new not in TRANSITIONS[current]:
        allowed = [s.value for s in RequestStatus if s in TRANSITIONS[current]]
        raise ValidationError(
            "request.transition", "status", current=current, new=new, allowed=allowed
        )


#: How soon a pressing request is due when the officer gives no time: an urgent one within
#: two hours, a high one within the working day. Without a due time nothing becomes overdue.
DUE_WITHIN: dict[RequestPriority, timedelta] = {
    RequestPriority.URGENT: timedelta(hours=2),
    RequestPriority.HIGH: timedelta(hours=8),
}


#: The due time offered (not set) for the priorities without a rule: a day, later than any
#: rule's, so that raising a call's priority never moves its time later.
DUE_OFFERED = timedelta(hours=24)


def default_due(priority: RequestPriority, now: datetime | None = None) -> datetime:
    """The due time proposed for ``priority`` from ``now`` (aware UTC, whole minutes); a day
    for the priorities without a rule of their own."""
    start = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    return start + DUE_WITHIN.get(priority, DUE_OFFERED)
