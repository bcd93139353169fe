"""Three-way merge of one record's fields: an edit made on a copy opened earlier, against what
the record holds now.

An officer opens a card, someone else (another window, another officer, a bundle from another
post) changes the record, then the officer saves. Each field is compared with the value it had
when the card was opened (``opened``):

- changed only by the others: their value stays (the card's stale copy does not undo it);
- changed only by the officer: the officer's value is saved;
- changed by both to the same value: nothing to choose;
- changed by both to different values: a conflict, for the officer to decide.

This is the merge ODK Central and most sync engines apply per field; it is pure and
deterministic, so a service can run it inside its write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ThreeWay:
    """The outcome of :func:`three_way`.

    Attributes:
        merged: every field's value after the merge; a conflicting field holds the officer's.
        mine: fields only the officer changed.
        theirs: fields only the others changed (their value is kept in ``merged``).
        conflicts: fields both changed to different values.
    """

    merged: dict[str, Any]
    mine: tuple[str, ...]
    theirs: tuple[str, ...]
    conflicts: tuple[str, ...]


def three_way(
    fields: Iterable[str],
    opened: Mapping[str, Any],
    theirs: Mapping[str, Any],
    mine: Mapping[str, Any],
) -> ThreeWay:
    """Merge ``mine`` (the officer's values) and ``theirs`` (the record now), both descended
    from ``opened`` (the record when the officer's copy was made), field by field."""
    merged: dict[str, Any] = {}
    only_mine: list[str] = []
    only_theirs: list[str] = []
    conflicts: list[str] = []
    for name in fields:
        base, now, typed = opened[name], theirs[name], mine[name]
        they_changed, i_changed = now != base, typed != base
        if they_changed and not i_changed:
            merged[name] = now
            only_theirs.append(name)
            continue
        merged[name] = typed
        if i_changed and not they_changed:
            only_mine.append(name)
        elif i_changed and they_changed and typed != now:
            conflicts.append(name)
    return ThreeWay(merged, tuple(only_mine), tuple(only_theirs), tuple(conflicts))


__all__ = ["ThreeWay", "three_way"]


#: Fields whose two conflicting values can both be kept: the phone list and free-text notes.
BOTH_KEEPABLE = frozenset({"phones", "notes"})


def both_values(name: str, kept: Any, other: Any) -> Any:
    """One value holding both sides of a conflict on field ``name`` (of :data:`BOTH_KEEPABLE`).

    Two posts (or two officers) each added a phone number, or a line to the notes, without
    seeing the other's: choosing one dropped the other. Phones: the kept list, then the other's
    numbers it lacks, in their order. Notes, line by line: the kept text, then the other's lines
    it lacks (a line both added to the same text is kept once). ``kept`` comes first: the value
    kept everywhere for a bundle's conflict, the saved one for two officers' edits, so the
    result does not depend on who resolves. Phones come back as the type ``kept`` or
    ``other`` had (a list from a bundle, a tuple from a card).

    Raises:
        ValueError: ``name`` is not a field whose values can be kept together.
    """
    if name not in BOTH_KEEPABLE:
        raise ValueError(f"{name!r}: one value or the other, not both")
    if name == "phones":
        first = list(kept or [])
        merged = first + [p for p in other or [] if p not in first]
        return tuple(merged) if isinstance(kept or other, tuple) else merged
    lines: list[str] = []
    for text in (kept, other):
        for line in (text or "").splitlines():
            if line.strip() and line.strip() not in (seen.strip() for seen in lines):
                lines.append(line.rstrip())
    return "\n".join(lines) or None
