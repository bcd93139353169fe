"""What goes into a bundle, and what a bundle's changes do to a case file.

:func:`collect` reads the field changes another case file does not hold yet (by what it
acknowledged: the newest change it holds from each post). :func:`apply` merges received changes
field by field (:func:`consuldesk.domain.versions.merge_field`) inside the caller's transaction:
records new here are created, fields changed since are updated, the others are kept; two changes
that did not see each other leave the later one everywhere and a conflict for an officer.

Values travel as JSON: dates and times in ISO 8601, JSON columns as they are. Columns a case file
derives or keeps for itself (search keys, sort names, its search index number) never travel.
Everything here is SQLAlchemy Core or ORM that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain import versions as fv
from consuldesk.domain.hlc import Timestamp
from consuldesk.store.db import LOCAL_COLUMNS, Tx
from consuldesk.store.models import (
    SYNCED_TABLES,
    DuplicateCandidate,
    National,
    SyncConflict,
    Synced,
    SyncKnowledge,
    table_of,
)
from consuldesk.store.search import refresh_derived
from consuldesk.sync.bundle import Record

MODELS: dict[str, type[Synced]] = {str(m.__tablename__): m for m in SYNCED_TABLES}
#: Records are applied table by table in this order (a household after its people).
ORDER: list[str] = [str(m.__tablename__) for m in SYNCED_TABLES]
_CHUNK = 500


def _columns(model: type[Synced]) -> list[Any]:
    return [c for c in table_of(model).columns if c.name not in LOCAL_COLUMNS and c.name != "id"]


def _to_wire(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _from_wire(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = _python_type(column)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is bool:
        return bool(value)
    return value


def _python_type(column: Any) -> type | None:
    kind = getattr(column.type, "impl", column.type)  # a TypeDecorator: what it stores
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:  # JSON
        return None


# -- knowledge -----------------------------------------------------------------------------


def knowledge(session: Session, own: str, own_last: str) -> dict[str, str]:
    """The newest change this case file holds from each post, its own included."""
    held = {k.node: k.version for k in session.exec(select(SyncKnowledge))}
    held[own] = max(held.get(own, ""), own_last)
    return held


def learn(session: Session, versions: dict[str, str]) -> None:
    """Raise the knowledge of each post to ``versions`` where that is newer."""
    for node, version in versions.items():
        row = session.get(SyncKnowledge, node)
        if row is None:
            session.add(SyncKnowledge(node=node, version=version))
        elif version > row.version:
            row.version = version
            session.add(row)


# -- collecting ----------------------------------------------------------------------------


@dataclass
class Collected:
    records: list[Record] = field(default_factory=list)
    covers: dict[str, list[str]] = field(default_factory=dict)  # node -> [after, through]
    counts: dict[str, int] = field(default_factory=dict)


def collect(session: Session, known: dict[str, str], nodes: Iterable[str]) -> Collected:
    """Every field change that the holder of ``known`` lacks, by record.

    A record it lacks altogether (its creation is newer than what it holds from the creating
    post) comes whole; otherwise only the fields changed since.
    """
    out = Collected()
    floor = min((known.get(n, "") for n in nodes), default="")
    for name in ORDER:
        model = MODELS[name]
        columns = _columns(model)
        table = table_of(model)
        query = sa_select(table).where(table.c.version > floor).order_by(table.c.version)
        for row in session.execute(query).mappings():
            versions = row["field_versions"] or fv.created(row["version"])
            fresh = fv.changed_since(versions, known)
            if not fresh:
                continue
            names = [c.name for c in columns] if fv.CREATED in fresh else fresh
            fields: dict[str, list[Any]] = {}
            for column_name in names:
                version, seen = fv.version_of(versions, column_name)
                if version is None or column_name not in row:
                    continue
                fields[column_name] = [_to_wire(row[column_name]), version, seen]
                node = fv.node_of(version)
                span = out.covers.setdefault(node, [known.get(node, ""), version])
                span[1] = max(span[1], version)
            if fv.CREATED in fresh:
                created, _ = fv.version_of(versions, fv.CREATED)
                assert created is not None
                fields[fv.CREATED] = [None, created, None]
            out.records.append(Record(name, row["id"], fields))
            out.counts[name] = out.counts.get(name, 0) + 1
    return out


# -- applying ------------------------------------------------------------------------------


@dataclass
class Applied:
    """What a bundle did here."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: int = 0
    conflicts: list[SyncConflict] = field(default_factory=list)
    flagged: int = 0  # the same person registered at two posts, flagged for merging
    newest: dict[str, str] = field(default_factory=dict)  # node -> newest change received


def _chunks(records: list[Record]) -> Iterator[list[Record]]:
    for start in range(0, len(records), _CHUNK):
        yield records[start : start + _CHUNK]


def apply(tx: Tx, records: Iterable[Record], bundle_id: str) -> Applied:
    """Merge received records into the case file, in the open transaction ``tx``."""
    result = Applied()
    by_table: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.table not in MODELS:
            continue  # a table of a newer schema: the schema check refuses such bundles
        by_table[record.table].append(record)
    new_nationals: list[National] = []
    for name in ORDER:
        model = MODELS[name]
        columns = {c.name: c for c in _columns(model)}
        for chunk in _chunks(by_table.get(name, [])):
            ids = [r.id for r in chunk]
            found = {
                row.id: row for row in tx.session.exec(select(model).where(col(model.id).in_(ids)))
            }
            for record in chunk:
                for _, version, _seen in record.fields.values():
                    node = fv.node_of(version)
                    result.newest[node] = max(result.newest.get(node, ""), version)
                row = found.get(record.id)
                if row is None:
                    row = _create(tx, model, columns, record)
                    if row is not None:
                        result.created[name] += 1
                        if isinstance(row, National):
                            new_nationals.append(row)
                    continue
                changed = _merge(tx, row, columns, record, bundle_id, result)
                if changed:
                    result.updated[name] += 1
                else:
                    result.unchanged += 1
    tx.session.flush()
    result.flagged = _flag_people_at_two_posts(tx, new_nationals)
    newest = max(result.newest.values(), default=None)
    if newest is not None:
        tx.clock.receive(Timestamp.parse(newest))
    return result


def _create(tx: Tx, model: type[Synced], columns: dict[str, Any], record: Record) -> Synced | None:
    created = record.fields.get(fv.CREATED)
    if created is None:
        return None  # changes to a record this case file never had: its creation comes first
    values = {
        name: _from_wire(columns[name], change[0])
        for name, change in record.fields.items()
        if name in columns
    }
    versions: fv.FieldVersions = fv.created(created[1])
    for name, (_, version, seen) in record.fields.items():
        if name in columns and version != created[1]:
            versions[name] = [version, seen]
    row = model(id=record.id, **values)
    row.field_versions = versions
    row.version = max(v[0] or "" for v in versions.values())
    row.updated_at = tx.now
    if isinstance(row, National):
        row.seq = tx.next_seq()
        refresh_derived(row)
    tx.session.add(row)
    tx.audit(
        row,
        "sync",
        {k: [None, _to_wire(v)] for k, v in values.items() if v not in (None, "", [])},
        row.version,
    )
    tx.changes.note("created", model.__tablename__, record.id)  # type: ignore[arg-type]
    return row


def _merge(
    tx: Tx,
    row: Synced,
    columns: dict[str, Any],
    record: Record,
    bundle_id: str,
    result: Applied,
) -> bool:
    versions: fv.FieldVersions = dict(row.field_versions or fv.created(row.version))
    changes: dict[str, list[Any]] = {}
    for name, (value, version, seen) in record.fields.items():
        if name not in columns:
            continue
        local = fv.version_of(versions, name)
        merged = fv.merge_field(local, (version, seen))
        if merged.conflict:
            _conflict(tx, row, name, local, value, version, seen, merged.outcome, bundle_id, result)
        if merged.outcome != "apply":
            continue
        new = _from_wire(columns[name], value)
        old = getattr(row, name)
        if old != new:
            changes[name] = [_to_wire(old), value]
            setattr(row, name, new)
        versions[name] = [version, seen]
        if seen is not None and not merged.conflict:
            _settle(tx, row.id, name, seen, version)
    if versions == (row.field_versions or {}) and not changes:
        return False
    row.field_versions = versions
    row.version = max(row.version, *(v[0] or "" for v in versions.values()))
    row.updated_at = tx.now
    if isinstance(row, National):
        refresh_derived(row)
    tx.session.add(row)
    if changes:
        tx.audit(row, "sync", changes, row.version)
        tx.changes.note("updated", row.__tablename__, row.id)  # type: ignore[arg-type]
    return bool(changes)


def _conflict(
    tx: Tx,
    row: Synced,
    name: str,
    local: tuple[str | None, str | None],
    value: Any,
    version: str,
    seen: str | None,
    outcome: str,
    bundle_id: str,
    result: Applied,
) -> None:
    """Queue a conflict once (the same bundle twice, or a later bundle carrying the same
    change, does not queue it again)."""
    local_version = local[0] or ""
    known = tx.session.exec(
        select(SyncConflict).where(
            SyncConflict.record_id == row.id,
            SyncConflict.field == name,
            col(SyncConflict.kept_version).in_((local_version, version)),
            col(SyncConflict.other_version).in_((local_version, version)),
        )
    ).first()
    if known is not None:
        return
    local_value = _to_wire(getattr(row, name))
    kept = (value, version) if outcome == "apply" else (local_value, local_version)
    other = (local_value, local_version) if outcome == "apply" else (value, version)
    conflict = SyncConflict(
        table_name=row.__tablename__,  # type: ignore[arg-type]
        record_id=row.id,
        field=name,
        kept_value=kept[0],
        kept_version=kept[1],
        other_value=other[0],
        other_version=other[1],
        base_version=seen if seen == local[1] else None,
        bundle_id=bundle_id,
    )
    tx.session.add(conflict)
    result.conflicts.append(conflict)


def _settle(tx: Tx, record_id: str, name: str, seen: str, version: str) -> None:
    """A change made by someone who saw a conflict's winner settles that conflict here too (an
    officer resolved it at another case file, or simply edited the field again)."""
    for conflict in tx.session.exec(
        select(SyncConflict).where(
            SyncConflict.record_id == record_id,
            SyncConflict.field == name,
            SyncConflict.status == "open",
            SyncConflict.kept_version == seen,
        )
    ):
        conflict.status = "resolved"
        conflict.resolved_at = tx.now
        conflict.resolved_by = f"{fv.node_of(version)}"
        tx.session.add(conflict)


def _flag_people_at_two_posts(tx: Tx, created: list[National]) -> int:
    """A national new here whose live IIN or passport another post's record has: one person
    registered twice (in transit), flagged as a probable duplicate for the merge flow."""
    flagged = 0
    for person in created:
        if person.deleted_at is not None:
            continue
        conditions = []
        if person.iin:
            conditions.append(col(National.iin) == person.iin)
        if person.passport_no:
            conditions.append(col(National.passport_no) == person.passport_no)
        if not conditions:
            continue
        others = tx.session.exec(
            select(National).where(
                or_(*conditions),
                col(National.id) != person.id,
                col(National.deleted_at).is_(None),
            )
        )
        for other in others:
            a, b = sorted((person.id, other.id))
            exists = tx.session.exec(
                select(DuplicateCandidate).where(
                    DuplicateCandidate.national_a_id == a, DuplicateCandidate.national_b_id == b
                )
            ).first()
            if exists is None:
                tx.add(DuplicateCandidate(national_a_id=a, national_b_id=b, score=1.0))  # type: ignore[call-arg]
                flagged += 1
    return flagged
