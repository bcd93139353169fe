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

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import String, and_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain import versions as fv
from consuldesk.domain.duplicates import NameFacts, facts_of, probable_duplicate
from consuldesk.domain.hlc import Timestamp
from consuldesk.store import retention
from consuldesk.store.db import (
    LOCAL_COLUMNS,
    META_OWN_GAP,
    Tx,
    python_type,
    read_meta,
    write_meta,
)
from consuldesk.store.models import (
    SYNCED_TABLES,
    AuditEvent,
    ChangeAuthor,
    DuplicateCandidate,
    National,
    SyncConflict,
    Synced,
    SyncKnowledge,
    table_of,
)
from consuldesk.store.search import (
    national_id_keys,
    national_search_keys,
    national_sort_name,
    refresh_derived,
)
from consuldesk.sync.bundle import Record
from consuldesk.sync.scope import Scope

MODELS: dict[str, type[Synced]] = {str(m.__tablename__): m for m in SYNCED_TABLES}
#: Records are applied table by table in this order (a household after its people).
ORDER: list[str] = [str(m.__tablename__) for m in SYNCED_TABLES]
_CHUNK = 500
T = TypeVar("T")


def _columns(model: type[Synced]) -> list[Any]:
    return [c for c in table_of(model).columns if c.name not in LOCAL_COLUMNS and c.name != "id"]


def _wire_time(value: Any) -> str:
    """A date or time read from the database as the wire writes it: ``YYYY-MM-DD`` or
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`` (UTC). SQLite hands back its stored text (read
    as text: parsing it into a ``datetime`` only to print it again is most of an export)."""
    if isinstance(value, str):
        if len(value) == 10:
            return value
        text = value.replace(" ", "T", 1)
        tail = text[19:]  # fractions of a second, and an offset where one was stored
        if "+" in tail or "-" in tail or tail.endswith("Z"):
            return text
        return text + "+00:00"
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return str(value.isoformat())


def change_of(record: Record, name: str) -> tuple[Any, str, str | None]:
    """``(value, version, seen)`` of one field of a received record. A record sent whole
    writes a field made by its creation as ``[value]`` (the version is the creation's)."""
    change = record.fields[name]
    if len(change) == 1:
        return change[0], record.fields[fv.CREATED][1], None
    return change[0], change[1], change[2]


def _to_wire(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _from_wire(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = python_type(column)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is bool:
        return bool(value)
    return value


# -- knowledge -----------------------------------------------------------------------------


def knowledge(session: Session, own: str, own_last: str) -> dict[str, str]:
    """The newest change this case file holds from each post, its own included: after a
    restore, its own only up to the backup's (:data:`META_OWN_GAP`) until they come back."""
    held = {k.node: k.version for k in session.exec(select(SyncKnowledge))}
    held[own] = max(held.get(own, ""), own_last)
    gap = own_gap(session)
    if gap is not None:
        held[own] = min(held[own], gap[0])
    return held


def own_gap(session: Session) -> tuple[str, str] | None:
    """The range ``(after, through)`` of its own versions a restored case file may lack."""
    stored = read_meta(session, META_OWN_GAP)
    if not stored:
        return None
    after, through = json.loads(stored)
    return str(after), str(through)


def close_own_gap(session: Session, own: str, sender_holds: str, through: str | None) -> bool:
    """After a bundle from a case file that holds our own changes up to ``sender_holds`` and
    sent them ``through`` that version: the gap is closed when it had nothing more of ours
    than the backup held, or sent all it had. Returns whether it was closed."""
    gap = own_gap(session)
    if gap is None:
        return False
    if sender_holds <= gap[0] or (through is not None and through >= sender_holds):
        write_meta(session, META_OWN_GAP, None)
        return True
    return False


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
    authors: list[list[str]] = field(default_factory=list)  # [node, after, through, officer]
    whole: list[tuple[str, str]] = field(default_factory=list)  # (table, id) sent whole


def collect(
    session: Session,
    known: dict[str, str],
    nodes: Iterable[str],
    *,
    scope: Scope | None = None,
    held: Scope | None = None,
    peer: str = "",
    holding: dict[str, str] | None = None,
) -> Collected:
    """Every field change that the holder of ``known`` lacks, by record.

    A record it lacks altogether (its creation is newer than what it holds from the creating
    post) comes whole; otherwise only the fields changed since. With a ``scope`` (the records
    that concern ``peer``, :func:`consuldesk.sync.scope.concerning`) only those come, and the
    ones ``peer`` is known to hold (``held``, and its own): a record in scope that it does not
    hold comes whole, however old. ``holding`` (what this case file holds from each post) then
    widens ``covers`` to everything looked at, so the peer does not wait for records that do
    not concern it.
    """
    out = Collected()
    nodes = list(nodes)
    floor = min((known.get(n, "") for n in nodes), default="")
    spans: dict[str, list[str]] = {}  # node -> [lowest, highest] version inside
    for name in ORDER:
        model = MODELS[name]
        columns = _columns(model)
        table = table_of(model)
        names = ["id", "version", "field_versions", *(c.name for c in columns)]
        position = {n: i for i, n in enumerate(names)}
        origin_at = position["origin_post"]
        temporal = {c.name for c in columns if python_type(c) in (date, datetime)}
        layout = [(n, position[n], n in temporal) for n in names[3:]]
        allowed = None if scope is None else scope.get(name, set())
        has = set() if held is None else held.get(name, set())
        selected = [_raw(table.c[n]) if n in temporal else table.c[n] for n in names]
        query = sa_select(*selected).where(table.c.version > floor).order_by(table.c.version)
        looked: set[str] = set()
        rows: Iterable[Any] = session.execute(query)
        if allowed is not None:
            unseen = allowed - has
            rows = _chain_missing(session, table, selected, rows, unseen, looked)
        for row in rows:
            whole = False
            if allowed is not None:
                looked.add(row[0])
                mine = row[origin_at] == peer
                if row[0] not in allowed and row[0] not in has and not mine:
                    continue  # does not concern the peer, which never had it
                whole = not mine and row[0] in allowed and row[0] not in has
            versions = row[2] or fv.created(row[1])
            fresh = [fv.CREATED] if whole else fv.changed_since(versions, known)
            if not fresh:
                continue
            created, _ = fv.version_of(versions, fv.CREATED)
            fields: dict[str, list[Any]] = {}
            made = {created}
            if fv.CREATED in fresh and created is not None:
                # Whole: a field as created is written [value]; others [value, version, seen].
                for column_name, at, is_time in layout:
                    value = row[at]
                    if is_time and value is not None:
                        value = _wire_time(value)
                    entry = versions.get(column_name)
                    if entry is None or (entry[0] == created and entry[1] is None):
                        fields[column_name] = [value]
                    elif entry[0] is not None:
                        fields[column_name] = [value, entry[0], entry[1]]
                        made.add(entry[0])
                fields[fv.CREATED] = [None, created, None]
            else:
                for column_name in fresh:
                    place = position.get(column_name)
                    if place is None:
                        continue
                    version, seen = versions[column_name][0], versions[column_name][1]
                    value = row[place]
                    if column_name in temporal and value is not None:
                        value = _wire_time(value)
                    fields[column_name] = [value, version, seen]
                made = {change[1] for change in fields.values()}
            for version in made:
                if version is None:
                    continue
                node = fv.node_of(version)
                span = spans.setdefault(node, [version, version])
                span[0], span[1] = min(span[0], version), max(span[1], version)
                if version > known.get(node, ""):
                    cover = out.covers.setdefault(node, [known.get(node, ""), version])
                    cover[1] = max(cover[1], version)
            out.records.append(Record(name, row[0], fields))
            out.counts[name] = out.counts.get(name, 0) + 1
            if whole:
                out.whole.append((name, row[0]))
    if holding is not None and scope is not None:
        for node, newest in holding.items():
            if newest > known.get(node, ""):
                cover = out.covers.setdefault(node, [known.get(node, ""), newest])
                cover[1] = max(cover[1], newest)
    out.authors = _authors_within(session, spans)
    return out


def _raw(column: Any) -> Any:
    """A date or time column read as the database gives it (see :func:`_wire_time`)."""
    return type_coerce(column, String).label(column.name)


def _chain_missing(
    session: Session,
    table: Any,
    selected: list[Any],
    rows: Iterable[Any],
    unseen: set[str],
    looked: set[str],
) -> Iterator[Any]:
    """``rows``, then the records of ``unseen`` they did not include (older ones, to be sent
    whole), read with the same ``selected`` columns."""
    yield from rows
    for chunk in _chunks(sorted(unseen - looked)):
        yield from session.execute(sa_select(*selected).where(table.c.id.in_(chunk)))


def _authors_within(session: Session, spans: dict[str, list[str]]) -> list[list[str]]:
    """Who made the changes of ``spans`` (node -> [lowest, highest] version): the author rows
    whose range meets it."""
    out: list[list[str]] = []
    for node, (lowest, highest) in sorted(spans.items()):
        for row in session.exec(
            select(ChangeAuthor)
            .where(
                ChangeAuthor.node == node,
                col(ChangeAuthor.through) >= lowest,
                col(ChangeAuthor.after) < highest,
            )
            .order_by(col(ChangeAuthor.through))
        ):
            out.append([row.node, row.after, row.through, row.officer])
    return out


def learn_authors(session: Session, rows: Iterable[list[str]]) -> None:
    """Keep the author rows of a bundle that this case file lacks."""
    wanted: dict[tuple[str, str], list[str]] = {(r[0], r[2]): r for r in rows}
    for node in {n for n, _ in wanted}:
        for chunk in _chunks([t for n, t in wanted if n == node]):
            for held in session.exec(
                select(ChangeAuthor.through).where(
                    ChangeAuthor.node == node, col(ChangeAuthor.through).in_(chunk)
                )
            ):
                wanted.pop((node, held), None)
    for node, after, through, officer in wanted.values():
        session.add(ChangeAuthor(node=node, after=after, through=through, officer=officer))
    session.flush()


def author_of(session: Session, version: str | None) -> str | None:
    """The officer who made ``version``, where this case file knows it."""
    if not version or version.count(".") < 2:
        return None
    row = session.exec(
        select(ChangeAuthor)
        .where(ChangeAuthor.node == fv.node_of(version), col(ChangeAuthor.through) >= version)
        .order_by(col(ChangeAuthor.through))
        .limit(1)
    ).first()
    return row.officer if row is not None and row.after < version else None


def _value_before(session: Session, row: Synced, name: str, own: str) -> tuple[bool, Any]:
    """The value ``name`` had here before its current value was written, from this case
    file's own audit trail (post ``own``; other posts' trails received in bundles say what
    the field held there) — ``(False, None)`` when it does not say: the record came with its
    current value."""
    events = session.exec(
        select(AuditEvent.changes)
        # A "declined" event records an officer's value that was never stored (an edit given
        # up for another's, see services.nationals.update_national): not a value the field had.
        .where(
            AuditEvent.record_id == row.id,
            AuditEvent.action != "declined",
            AuditEvent.post_code == own,
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    for changes in events:
        if name in changes:
            return True, changes[name][0]
    return False, None


# -- applying ------------------------------------------------------------------------------


@dataclass
class Applied:
    """What a bundle did here."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Records the bundle deleted here (a deletion is no update to tell in passing), and the
    # people it merged into another record.
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    merged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: int = 0
    conflicts: list[SyncConflict] = field(default_factory=list)
    flagged: int = 0  # the same person registered at two posts, flagged for merging
    newest: dict[str, str] = field(default_factory=dict)  # node -> newest change received
    # Records received that another post than the sender made: the sender holds them.
    foreign: list[tuple[str, str]] = field(default_factory=list)
    # (record, field) of the conflicts open before the bundle: a change may settle them.
    open_conflicts: set[tuple[str, str]] = field(default_factory=set)
    # Nationals the bundle brought anonymised (or changed while anonymised here): gone over
    # again here, with what belongs to them and the audit trail.
    anonymised: set[str] = field(default_factory=set)
    # Personal fields changed here that the sender did not hold when it anonymised the
    # person: gone with the anonymisation (never a conflict), so the officer is told which.
    edits_anonymised: dict[str, list[str]] = field(default_factory=dict)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices small enough for one ``IN (…)`` each."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def apply(
    tx: Tx,
    records: Iterable[Record],
    bundle_id: str,
    sender: str = "",
    known: dict[str, str] | None = None,
    sender_knows: dict[str, str] | None = None,
    progress: Callable[[int, int, str], object] | None = None,
    check: Callable[[], None] | None = None,
    authors: Iterable[list[str]] = (),
) -> Applied:
    """Merge received records into the case file, in the open transaction ``tx``.

    Records new here are inserted in bulk, table by table (a record's references come first),
    and audited by one event per table for the bundle (the records hold their first values);
    records on file merge field by field, each change audited with its old and new value.
    """
    result = Applied()
    learn_authors(tx.session, authors)  # first: a conflict names who made each side
    result.open_conflicts = {
        (r, f)
        for r, f in tx.session.exec(
            select(SyncConflict.record_id, SyncConflict.field).where(SyncConflict.status == "open")
        )
    }
    by_table: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.table not in MODELS:
            continue  # a table of a newer schema: the schema check refuses such bundles
        by_table[record.table].append(record)
    first_seq: int | None = None
    total = sum(len(v) for v in by_table.values())
    done = 0
    made: set[str] = set()  # every version received
    for name in ORDER:
        model = MODELS[name]
        table = table_of(model)
        columns = {c.name: c for c in _columns(model)}
        # New records go to Tx.insert_rows, which takes dates and times as ISO 8601 text.
        readers: dict[str, Callable[[Any], Any] | None] = {
            n: bool if python_type(c) is bool else None for n, c in columns.items()
        }
        defaults = [
            (n, c.default.arg)
            for n, c in columns.items()
            if c.default is not None and c.default.is_scalar
        ]
        created_ids: list[str] = []
        for pending in _passes(name, by_table.get(name, [])):
            inserts: list[dict[str, Any]] = []
            for chunk in _chunks(pending):
                if check is not None:
                    check()  # raises to cancel: the caller's transaction rolls back
                if progress is not None:
                    progress(done, total, "sync.apply")
                done += len(chunk)
                ids = [r.id for r in chunk]
                found = {
                    row.id: row
                    for row in tx.session.exec(select(model).where(col(model.id).in_(ids)))
                }
                for record in chunk:
                    for change in record.fields.values():
                        if len(change) == 3:
                            made.add(change[1])
                    row = found.get(record.id)
                    origin = row.origin_post if row is not None else _origin(record)
                    if origin != sender:
                        result.foreign.append((name, record.id))
                    if row is None:
                        values = _new_values(tx, model, readers, defaults, record)
                        if values is None:
                            continue
                        if model is National:
                            first_seq = values["seq"] if first_seq is None else first_seq
                            if values.get("anonymised_at") is not None:
                                result.anonymised.add(record.id)
                        inserts.append(values)
                        continue
                    live = getattr(row, "deleted_at", None) is None
                    if _merge(
                        tx, row, columns, record, bundle_id, result, known or {}, sender_knows or {}
                    ):
                        if live and getattr(row, "deleted_at", None) is not None:
                            merged = getattr(row, "merged_into_id", None)
                            (result.merged if merged else result.deleted)[name] += 1
                        else:
                            result.updated[name] += 1
                    else:
                        result.unchanged += 1
            if inserts:  # the pass's new records in one statement
                tx.session.flush()  # merged rows first: inserts may refer to them
                tx.insert_rows(table, inserts)
                created_ids.extend(v["id"] for v in inserts)
        if created_ids:
            result.created[name] += len(created_ids)
            tx.changes.created.setdefault(name, set()).update(created_ids)
            tx.audit_created(name, created_ids, "sync", bundle=bundle_id, sender=sender)
    tx.session.flush()
    if result.anonymised:
        # What the sender anonymised is anonymised here too: this case file's own requests
        # and households of the person, and the personal values its audit trail holds.
        with retention.forgetting(tx):
            touched = retention.anonymise(tx, sorted(result.anonymised), tx.now.date())
            retention.redact_trail(tx, touched)
    for version in made:
        node = fv.node_of(version)
        if version > result.newest.get(node, ""):
            result.newest[node] = version
    if first_seq is not None:
        tx.index_nationals_from(first_seq)
        result.flagged = _flag_people_at_two_posts(tx, first_seq)
    newest = max(result.newest.values(), default=None)
    if newest is not None:
        tx.clock.receive(Timestamp.parse(newest))
    return result


def _passes(name: str, pending: list[Record]) -> list[list[Record]]:
    """The records of table ``name`` in the order they can be written: a person merged into
    another comes in a pass after the one they were merged into, whether either is new here
    or on file (HQ merged two records of two posts: the post has the one merged away, and
    the one kept arrives in the same bundle). Other tables: one pass."""
    if name != "national":
        return [pending]
    by_id = {r.id: r for r in pending}

    def target(record: Record) -> str | None:
        change = record.fields.get("merged_into_id")
        return change[0] if change else None

    depth: dict[str, int] = {}

    def depth_of(record: Record) -> int:
        seen: list[str] = []
        here: Record | None = record
        while here is not None and here.id not in depth and here.id not in seen:
            seen.append(here.id)
            into = target(here)
            here = by_id.get(into) if into else None
        below = depth[here.id] if here is not None and here.id in depth else -1
        for record_id in reversed(seen):  # from the end of the chain back
            below = depth[record_id] = below + 1
        return depth[record.id]

    passes: dict[int, list[Record]] = defaultdict(list)
    for record in pending:
        passes[depth_of(record)].append(record)
    return [passes[d] for d in sorted(passes)]


def _origin(record: Record) -> str | None:
    change = record.fields.get("origin_post")
    return None if change is None else change[0]


def _new_values(
    tx: Tx,
    model: type[Synced],
    readers: dict[str, Callable[[Any], Any] | None],
    defaults: list[tuple[str, Any]],
    record: Record,
) -> dict[str, Any] | None:
    """The column values of a record new here, or ``None`` when the bundle lacks its creation
    (a change to a record this case file never had: its creation comes in an earlier bundle)."""
    created = record.fields.get(fv.CREATED)
    if created is None:
        return None
    creation = created[1]
    values: dict[str, Any] = {}
    versions: fv.FieldVersions = fv.created(creation)
    for name, change in record.fields.items():
        if name not in readers:
            continue  # "*", or a column this schema does not have
        value = change[0]
        reader = readers[name]
        values[name] = value if value is None or reader is None else reader(value)
        if len(change) == 3 and change[1] != creation:
            versions[name] = [change[1], change[2]]
    for name, default in defaults:  # a column the sender's schema had no value for
        if name not in values:
            values[name] = default
    if model is National and values.get("anonymised_at") is not None:
        # Never a name on a record that says it was anonymised, whatever the sender held.
        for name in retention.PERSONAL["national"]:
            if name in values and not retention.is_removed(name, record.fields[name][0]):
                values[name] = [] if name == "phones" else None
    values["id"] = record.id
    values["field_versions"] = versions
    values["version"] = max(v[0] or "" for v in versions.values())
    values["updated_at"] = tx.now
    if model is National:
        values["seq"] = tx.next_seq()
        values["search_keys"] = national_search_keys(values)
        values["id_keys"] = national_id_keys(values)
        values["sort_name"] = national_sort_name(values)
    return values


def _merge(
    tx: Tx,
    row: Synced,
    columns: dict[str, Any],
    record: Record,
    bundle_id: str,
    result: Applied,
    known: dict[str, str],
    sender_knows: dict[str, str],
) -> bool:
    versions: fv.FieldVersions = dict(row.field_versions or fv.created(row.version))
    before = dict(versions)
    was_deleted = getattr(row, "deleted_at", None) is not None
    changes: dict[str, list[Any]] = {}
    # An anonymised person's details (here, or by this very record) never come back: a change
    # made before the anonymisation, or one that crossed it, is not applied, and is no conflict.
    protected = retention.protected_fields(tx.session, row)
    if (
        isinstance(row, National)
        and "anonymised_at" in record.fields
        and change_of(record, "anonymised_at")[0] is not None
    ):
        protected = retention.PERSONAL["national"]
        if row.anonymised_at is None:
            lost = [
                name
                for name in protected
                if (mine := fv.version_of(versions, name)[0]) is not None
                and mine > sender_knows.get(fv.node_of(mine), "")
                and getattr(row, name, None) not in (None, "", [], ())
            ]
            if lost:
                result.edits_anonymised[row.id] = sorted(lost)
    for name in record.fields:
        if name not in columns:
            continue
        value, version, seen = change_of(record, name)
        if name in protected and not retention.is_removed(name, value):
            continue
        local = fv.version_of(versions, name)
        merged = fv.merge_field(local, (version, seen))
        if merged.conflict and name in protected:
            # The person is anonymised: whatever either side held goes (anonymise, below,
            # clears what is left), so there is nothing for an officer to choose.
            merged = fv.Merged(merged.outcome, False)
        if merged.conflict and version <= known.get(fv.node_of(version), ""):
            # A change this case file received before (an old bundle brought back): it was
            # merged then, and queued then if it was a conflict.
            merged = fv.Merged(merged.outcome, False)
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
        if local[0] is not None and not merged.conflict and (row.id, name) in result.open_conflicts:
            _settle(tx, row.id, name, local[0], version, value)
    if isinstance(row, National) and was_deleted and row.merged_into_id and changes:
        _carry_to_kept(tx, row, columns, record, changes, bundle_id, result)
    both = _edited_and_deleted(
        tx, row, before, versions, was_deleted, changes, record, sender_knows, bundle_id
    )
    if both is not None:
        result.conflicts.append(both)
    if versions == (row.field_versions or {}) and not changes:
        return False
    row.field_versions = versions
    row.version = max(row.version, *(v[0] or "" for v in versions.values()))
    row.updated_at = tx.now
    if isinstance(row, National):
        refresh_derived(row)
        # Anonymised by this record, or a personal field changed: go over it again below.
        if row.anonymised_at is not None and (
            "anonymised_at" in changes or changes.keys() & retention.PERSONAL["national"]
        ):
            result.anonymised.add(row.id)
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
    change, does not queue it again), and never between two equal values: both officers
    wrote the same thing (or resolved a conflict the same way), and there is nothing to
    choose."""
    if _to_wire(getattr(row, name)) == value:
        return
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
    before_known, before = _value_before(tx.session, row, name, tx.post_code)
    conflict = SyncConflict(
        table_name=row.__tablename__,  # type: ignore[arg-type]
        record_id=row.id,
        field=name,
        kept_value=kept[0],
        kept_version=kept[1],
        kept_by=author_of(tx.session, kept[1]),
        other_value=other[0],
        other_version=other[1],
        other_by=author_of(tx.session, other[1]),
        base_version=seen if seen == local[1] else None,
        before_value=before,
        before_known=before_known,
        bundle_id=bundle_id,
    )
    tx.session.add(conflict)
    tx.changes.note("created", "sync_conflict", conflict.id)  # the window counts them
    result.conflicts.append(conflict)


# What an edit of a person merged away does not carry to the person kept: the record's own
# bookkeeping, and what an officer decides for the kept person alone.
_NOT_CARRIED = frozenset(
    {"deleted_at", "merged_into_id", "origin_post", "created_at", "anonymised_at", "keep_until",
     "keep_reason", "review"}
)  # fmt: skip


def _carry_to_kept(
    tx: Tx,
    row: National,
    columns: dict[str, Any],
    record: Record,
    changes: dict[str, list[Any]],
    bundle_id: str,
    result: Applied,
) -> None:
    """Edits made elsewhere to a person who was merged into another here (the other case
    file had not received the merge yet) go to the person kept: a new change of this case
    file, which reaches every other one, the editor's too. A field the kept person changed
    after the edit is a conflict on the kept person; the merge itself is never undone."""
    kept = tx.session.get(National, row.merged_into_id)
    followed = {row.id}
    while kept is not None and kept.merged_into_id and kept.id not in followed:
        followed.add(kept.id)  # merged again since: the last one kept
        kept = tx.session.get(National, kept.merged_into_id)
    if kept is None or kept.deleted_at is not None:
        return
    protected = retention.protected_fields(tx.session, kept)
    kept_versions: fv.FieldVersions = dict(kept.field_versions or fv.created(kept.version))
    values: dict[str, Any] = {}
    for name in changes:
        if name in _NOT_CARRIED or name in protected or name not in columns:
            continue
        value, version, seen = change_of(record, name)
        new = _from_wire(columns[name], value)
        if getattr(kept, name) == new:
            continue
        theirs = fv.version_of(kept_versions, name)
        if (theirs[0] or "") > version:  # changed on the kept person after this edit
            _conflict(tx, kept, name, theirs, value, version, seen, "keep", bundle_id, result)
            continue
        values[name] = new
    if values:
        tx.update(kept, values, action="merge")


def _edited_and_deleted(
    tx: Tx,
    row: Synced,
    before: fv.FieldVersions,
    after: fv.FieldVersions,
    was_deleted: bool,
    changes: dict[str, list[Any]],
    record: Record,
    sender_knows: dict[str, str],
    bundle_id: str,
) -> SyncConflict | None:
    """An edit against a deletion is a conflict, not a silent loss.

    The record stays deleted (everywhere the same), the edits are kept in it, and an officer is
    told when one side deleted the record without knowing of the other's edit: the sender
    deleted it and this case file holds edits newer than what the sender held from their post
    (its acknowledgements, ``sender_knows``), or this case file deleted it and the sender
    edited it without holding the deletion. Restoring it is resolving the conflict the other
    way.
    """
    if row.deleted_at is None:
        return None
    if isinstance(row, National) and row.merged_into_id:
        return None  # merged, not gone: the edits go to the person kept (_carry_to_kept)
    deletion = fv.version_of(after, "deleted_at")[0]
    edit: str | None = None
    if not was_deleted and "deleted_at" in changes:
        unseen = [
            entry[0]
            for name, entry in before.items()
            if name not in ("deleted_at", fv.CREATED)
            and entry[0]
            and entry[0] > sender_knows.get(fv.node_of(entry[0]), "")
        ]
        edit = max(unseen, default=None)
    elif was_deleted and changes.keys() - {"deleted_at"} and "deleted_at" not in changes:
        # An edit of a record deleted here: made where the deletion was not held (nobody
        # edits a deleted record), whatever the sender holds now: a bundle relayed through a
        # case file that received the deletion meanwhile tells the deleting side too. A
        # sender that decided the deletion again (deleted_at changed) had the edit in view.
        mine = fv.version_of(before, "deleted_at")[0]
        if mine:
            edit = max(change_of(record, name)[1] for name in changes if name != "deleted_at")
    if edit is None or deletion is None:
        return None
    known = tx.session.exec(
        select(SyncConflict).where(
            SyncConflict.record_id == row.id,
            SyncConflict.field == "deleted_at",
            SyncConflict.kept_version == deletion,
        )
    ).first()
    if known is not None:
        return None
    conflict = SyncConflict(
        table_name=row.__tablename__,  # type: ignore[arg-type]
        record_id=row.id,
        field="deleted_at",
        kept_value=_to_wire(row.deleted_at),
        kept_version=deletion,
        kept_by=author_of(tx.session, deletion),
        other_value=None,  # kept, with the edits: resolving this way restores it
        other_version=edit,
        other_by=author_of(tx.session, edit),
        before_value=None,  # the record was there
        before_known=True,
        bundle_id=bundle_id,
    )
    tx.session.add(conflict)
    return conflict


def _settle(tx: Tx, record_id: str, name: str, replaced: str, version: str, value: Any) -> None:
    """A change that replaced a conflict's winner without conflicting with it was made by
    someone who had it: it settles the conflict here too (an officer resolved it at another
    case file, or simply edited the field again)."""
    for conflict in tx.session.exec(
        select(SyncConflict).where(
            SyncConflict.record_id == record_id,
            SyncConflict.field == name,
            SyncConflict.status == "open",
            SyncConflict.kept_version == replaced,
        )
    ):
        conflict.status = "resolved"
        conflict.resolved_at = tx.now
        post = fv.node_of(version)
        officer = author_of(tx.session, version)
        conflict.resolved_by = f"{officer} ({post})" if officer else post
        conflict.resolved_value = value
        tx.session.add(conflict)


def _flag_people_at_two_posts(tx: Tx, first_seq: int) -> int:
    """A national new here (``seq >= first_seq``) whose live IIN or passport another record
    has: one person registered at two posts (in transit), flagged as a probable duplicate for
    the merge flow. One join per key, in the database."""
    new = table_of(National).alias("new")
    other = table_of(National).alias("other")
    pairs: set[tuple[str, str]] = set()
    for key in ("iin", "passport_no"):
        query = sa_select(new.c.id, other.c.id).select_from(
            new.join(
                other,
                and_(
                    other.c[key] == new.c[key],
                    other.c.id != new.c.id,
                    other.c[key].is_not(None),
                    other.c.deleted_at.is_(None),
                ),
            )
        )
        query = query.where(
            new.c.seq >= first_seq, new.c[key].is_not(None), new.c.deleted_at.is_(None)
        )
        for a, b_ in tx.session.execute(query):
            pairs.add((a, b_) if a < b_ else (b_, a))
    scores = dict.fromkeys(pairs, 1.0)
    # The same birth date and a similar name, registered at another post (no document in
    # common: a passport renewed, one list without it): as the person card and a list flag.
    query = sa_select(*(new.c[c] for c in _FACTS), *(other.c[c] for c in _FACTS)).select_from(
        new.join(
            other,
            and_(
                other.c.birth_date == new.c.birth_date,
                other.c.origin_post != new.c.origin_post,
                other.c.id != new.c.id,
                other.c.deleted_at.is_(None),
            ),
        )
    )
    query = query.where(
        new.c.seq >= first_seq, new.c.birth_date.is_not(None), new.c.deleted_at.is_(None)
    )
    for row in tx.session.execute(query):
        mine, theirs = row[: len(_FACTS)], row[len(_FACTS) :]
        score = probable_duplicate(_facts(mine), _facts(theirs))
        if score is not None:
            a, b_ = sorted((mine[0], theirs[0]))
            scores.setdefault((a, b_), score)
    if not scores:
        return 0
    known = set(
        tx.session.exec(select(DuplicateCandidate.national_a_id, DuplicateCandidate.national_b_id))
    )
    flagged = 0
    for (a, b_), score in sorted(scores.items()):
        if (a, b_) in known:
            continue
        tx.add(DuplicateCandidate(national_a_id=a, national_b_id=b_, score=score))  # type: ignore[call-arg]
        flagged += 1
    return flagged


# What probable-duplicate detection compares of a record (id first).
_FACTS = (
    "id", "surname_cyr", "given_names_cyr", "surname_lat", "given_names_lat", "birth_date", "iin"
)  # fmt: skip


def _facts(values: Sequence[Any]) -> NameFacts:
    _rid, surname_cyr, given_cyr, surname_lat, given_lat, born, iin = values
    if isinstance(born, str):
        born = date.fromisoformat(born[:10])
    return facts_of(surname_cyr, given_cyr, surname_lat, given_lat, born, iin)
