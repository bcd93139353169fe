"""What an import will do, decided before anything is written: the plan that
:mod:`~consuldesk.services.lists.planning` and :mod:`~consuldesk.services.lists.households` fill
and :mod:`~consuldesk.services.lists.writing` carries out in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from consuldesk.domain.review import (
    ReviewItem,
    done_key,
    merge_review,
    review_from_json,
    review_to_json,
)
from consuldesk.services.lists.base import _CHUNK
from consuldesk.services.lists.checking import Problem, _Row


@dataclass
class _Family:
    """A family the import creates."""

    name: str
    list_key: str
    head: str | None = None  # national id or placeholder


@dataclass
class _Plan:
    new: list[_Row] = field(default_factory=list)  # the n-th is known as _new_key(n)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> column values
    updated_rows: int = 0
    unchanged: int = 0
    refused: dict[int, list[Problem]] = field(default_factory=dict)
    notes: dict[int, list[Problem]] = field(default_factory=dict)  # rows imported, to tell
    flags: list[tuple[str, str, float]] = field(default_factory=list)
    targets: dict[int, str] = field(default_factory=dict)  # row index -> national id (or key)
    review_rows: dict[int, list[ReviewItem]] = field(default_factory=dict)  # set aside, by row
    new_groups: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> name, op
    new_families: dict[str, _Family] = field(default_factory=dict)
    household_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # household id, national id (or key), relation
    members: list[tuple[str, str, str | None]] = field(default_factory=list)
    member_updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # membership id


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _new_key(n: int) -> str:
    """Placeholder id of the n-th new record until the store gives it its id."""
    return f"new:{n}"


def _is_new(key: str) -> bool:
    return key.startswith("new:")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _set_aside(
    plan: _Plan, state: dict[str, dict[str, Any]], row: _Row, national_id: str, item: ReviewItem
) -> None:
    """Put a review item on the record a row imports into (new or on file), unless an officer
    settled the same item on that record before (the same list, sent again every day: a role
    corrected in the review file does not come back for review)."""
    if not _is_new(national_id) and done_key(item) in (
        _json(state[national_id].get("review_done")) or ()
    ):
        return
    plan.review_rows.setdefault(row.index, []).append(item)
    if _is_new(national_id):
        plan.new[int(national_id[4:])].review.append(item)
        return
    current = state[national_id]
    review = review_from_json(_json(current["review"]))
    merged = merge_review(review, [item])
    if merged != review:
        if national_id not in plan.updates:  # the row was counted as changing nothing
            plan.unchanged -= 1
            plan.updated_rows += 1
        current["review"] = review_to_json(merged)
        plan.updates.setdefault(national_id, {})["review"] = current["review"]
