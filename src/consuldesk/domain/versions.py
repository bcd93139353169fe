"""Field versions: which change last wrote each field of a record, and what its writer had seen.

Every synced record keeps, beside its values, a small map from field name to ``[version, seen]``:
``version`` is the HLC of the change that last wrote the field (see :mod:`.hlc`), ``seen`` the
field's version in the case file where that change was made, just before it. The key ``"*"``
holds the record's creation: a field without an entry of its own still has the value it was
created with. Merging two case files compares these per field (:func:`merge_field`), so changes
to different fields of one record never collide, and two changes to one field that did not see
each other are a conflict with a deterministic winner.

``seen`` is the version the *other* case files knew: when a case file writes a field again that
it wrote itself last (an officer correcting a typo twice before a sync), the new change keeps the
``seen`` of the first. Otherwise a second local edit would look, to the receiver, like an edit of
something it never had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

#: The entry for the record's creation.
CREATED = "*"

FieldVersions = dict[str, list[str | None]]


def node_of(version: str) -> str:
    """The post that made a version (``"<wall>.<counter>.<node>"``)."""
    return version.split(".", 2)[2]


def created(version: str) -> FieldVersions:
    """The field versions of a record created by ``version``."""
    return {CREATED: [version, None]}


def version_of(versions: FieldVersions | None, field: str) -> tuple[str | None, str | None]:
    """``(version, seen)`` of a field; the creation's when the field has no entry of its own."""
    if not versions:
        return None, None
    entry = versions.get(field) or versions.get(CREATED) or [None, None]
    return entry[0], entry[1]


def bump(versions: FieldVersions | None, fields: Iterable[str], version: str) -> FieldVersions:
    """The field versions after a local change of ``fields`` by ``version`` (a new dict).

    Each field records what the case file held before: its current version, or, when that was
    made by this same post (the node of ``version``), the ``seen`` of that earlier change.
    """
    result: FieldVersions = dict(versions or {})
    node = node_of(version)
    for field in fields:
        current, seen = version_of(result, field)
        mine = current is not None and node_of(current) == node
        result[field] = [version, seen if mine else current]
    return result


Outcome = Literal["apply", "keep", "same"]


@dataclass(frozen=True)
class Merged:
    """What to do with an incoming field change: ``apply`` it, ``keep`` the local value, or
    nothing (``same``: this very change is already here); ``conflict`` when both sides changed
    the field since the version they last shared (the outcome is still deterministic)."""

    outcome: Outcome
    conflict: bool


def merge_field(local: tuple[str | None, str | None], incoming: tuple[str, str | None]) -> Merged:
    """Merge one field: the local ``(version, seen)`` against an incoming one.

    - The same version: nothing to do.
    - The incoming change saw the local version (or there is none): it is newer, apply it.
    - The local change saw the incoming version: the incoming one is older, keep the local.
    - Otherwise both changed the field from a shared past: a conflict. The greater version
      wins everywhere (every case file reaches the same value), and the officer is told.
    """
    local_version, local_seen = local
    version, seen = incoming
    if local_version == version:
        return Merged("same", False)
    if local_version is None or seen == local_version:
        return Merged("apply", False)
    if local_seen == version:
        return Merged("keep", False)
    if version > local_version:
        # Newer, but it did not see the local version: concurrent unless the local version is
        # one it descends from through the same post (a post's own changes are in order).
        conflict = not _descends(version, seen, local_version)
        return Merged("apply", conflict)
    conflict = not _descends(local_version, local_seen, version)
    return Merged("keep", conflict)


def _descends(later: str, later_seen: str | None, earlier: str) -> bool:
    """Whether the change ``later`` was made knowing ``earlier``: it saw it, or both were made
    by one post in order with the same ``seen`` (a post that wrote the field twice)."""
    if later_seen == earlier:
        return True
    return node_of(later) == node_of(earlier) and later > earlier


def changed_since(versions: FieldVersions | None, known: dict[str, str]) -> list[str]:
    """The fields (``"*"`` for the creation) whose version the holder of ``known`` (the highest
    version it has from each post) does not have yet."""
    out = []
    for field, entry in (versions or {}).items():
        version = entry[0]
        if version is None:
            continue
        if version > known.get(node_of(version), ""):
            out.append(field)
    return out


def as_json(versions: FieldVersions | None) -> Any:
    """The field versions as stored (JSON), ``None`` when there are none."""
    return versions or None
