"""Assistance request workflow: which status may follow which."""

from __future__ import annotations

from consuldesk.domain.enums import RequestStatus
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
        ValidationError: code ``request.transition`` with params ``current`` and ``new``.
    """
    if new != current and new not in TRANSITIONS[current]:
        raise ValidationError("request.transition", "status", current=current, new=new)
