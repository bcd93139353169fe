"""Values set aside for an officer to review.

Nobody is dropped because one value is doubtful. An IIN that fails its check digit, an
impossible date, a phone that is not a number: the person is kept without that value, and the
value, as it was given, is kept beside the record with the reason. A record with anything set
aside *needs review*. An item goes away when the field gets a valid value (from a corrected list
or the person card) or when an officer dismisses it.

Stored on a national as JSON: a list of :meth:`ReviewItem.to_json` objects, or nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consuldesk.domain.errors import ValidationError

__all__ = [
    "ReviewItem",
    "done_key",
    "done_keys",
    "merge_review",
    "review_from_json",
    "review_to_json",
    "settled_by_edit",
]


def _plain(value: Any) -> Any:
    """A parameter as JSON holds it (dates as ISO text, enums as their values)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def value_text(value: object) -> str:
    """A set-aside value as text (dates as dd.mm.yyyy, enums by their value)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@dataclass(frozen=True)
class ReviewItem:
    """One value set aside from a record.

    Attributes:
        field: the field it was meant for (a ``NationalFields`` name, or ``household`` /
            ``relation`` for a family column).
        code: why, as a message code (``iin.checksum``, ``phone.invalid``...).
        value: the value as it was given, as text.
        params: the message's parameters (JSON values).
        source: where it came from (a list's file name), if known.
        line: the line of that list, if known.
    """

    field: str
    code: str
    value: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: str | None = None
    line: int | None = None

    @classmethod
    def from_error(
        cls, error: ValidationError, value: object, *, field: str | None = None, **where: Any
    ) -> ReviewItem:
        """The item for a value an error set aside (``where``: ``source``, ``line``)."""
        params = {k: _plain(v) for k, v in error.params.items()}
        return cls(field or error.field, error.code, value_text(value), params, **where)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two items the same: field, reason and value."""
        return (self.field, self.code, self.value)

    def to_json(self) -> dict[str, Any]:
        """The item as a JSON object (empty members left out)."""
        data: dict[str, Any] = {"field": self.field, "code": self.code, "value": self.value}
        if self.params:
            data["params"] = self.params
        if self.source:
            data["source"] = self.source
        if self.line is not None:
            data["line"] = self.line
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewItem:
        """An item from :meth:`to_json` (unknown members are ignored)."""
        return cls(
            str(data.get("field", "")),
            str(data.get("code", "")),
            str(data.get("value", "")),
            dict(data.get("params") or {}),
            data.get("source"),
            data.get("line"),
        )


def review_from_json(data: Any) -> list[ReviewItem]:
    """The items stored on a record (``None`` or ``[]``: nothing to review)."""
    if not data:
        return []
    return [ReviewItem.from_json(d) for d in data if isinstance(d, dict)]


def review_to_json(items: Iterable[ReviewItem]) -> list[dict[str, Any]] | None:
    """What to store on a record: the items, or ``None`` when nothing needs review."""
    stored = [item.to_json() for item in items]
    return stored or None


def merge_review(
    current: Iterable[ReviewItem], added: Iterable[ReviewItem], settled: Iterable[str] = ()
) -> list[ReviewItem]:
    """A record's items after a change.

    Args:
        current: the items on the record.
        added: new items; one with the field, reason and value of an item already there is
            not added twice (a list imported again).
        settled: fields that now hold a valid value: their items go.
    """
    gone = set(settled)
    result = [item for item in current if item.field not in gone]
    seen = {item.key for item in result}
    for item in added:
        if item.key not in seen:
            result.append(item)
            seen.add(item.key)
    return result


#: How many settled items a record remembers (the latest): a list's doubtful values come back
#: a few at a time, never by the hundred.
_DONE_KEPT = 200


def done_key(item: ReviewItem) -> str:
    """A short hash of an item's field, reason and value: what a record remembers of an item
    an officer settled, without keeping the value itself."""
    text = "\x1f".join(item.key)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def done_keys(
    done: Any, before: Iterable[ReviewItem], after: Iterable[ReviewItem]
) -> list[str] | None:
    """A record's ``review_done`` once its review went from ``before`` to ``after``: the items
    that left it were settled and are added to what it held (``done``: the stored JSON list,
    or ``None``); ``None`` when there is still nothing."""
    keys = [k for k in (done or ()) if isinstance(k, str)]
    staying = list(after)  # items hold their params as a dict: no hash
    for item in before:
        if item in staying:
            continue
        key = done_key(item)
        if key not in keys:
            keys.append(key)
    return keys[-_DONE_KEPT:] or None


def _holds_value(value: object) -> bool:
    """Whether a field holds something (``False`` and ``0`` are values; empty text is not)."""
    if value is None:
        return False
    if isinstance(value, (str, tuple, list)):
        return bool(value)
    return True


def settled_by_edit(items: Iterable[ReviewItem], before: object, after: object) -> set[str]:
    """The fields whose items an edit settles.

    An officer who puts a new value into a field under review has dealt with what was set
    aside for it: the field now holds a value, and not the one it held. Emptying a field, or
    saving it unchanged, settles nothing. Items about the whole row or a family
    (``record``, ``household``, ``relation``) are never settled by an edit.

    Args:
        items: the record's review items.
        before: the record's fields as stored (valid values; any object with the fields as
            attributes, such as ``NationalFields``).
        after: the fields as the edit leaves them, already cleaned (valid).
    """
    settled: set[str] = set()
    for field in {item.field for item in items}:
        if not hasattr(before, field) or not hasattr(after, field):
            continue
        new = getattr(after, field)
        if _holds_value(new) and new != getattr(before, field):
            settled.add(field)
    return settled
