"""The case file: one SQLite database per post, opened, migrated and written in one place.

Engine settings (every connection): WAL journal, ``foreign_keys=ON``, ``synchronous=FULL`` (case
data must survive a power cut), a busy timeout, and explicit ``BEGIN`` / ``BEGIN IMMEDIATE``
(Python 3.11's sqlite3 cannot be trusted to open transactions itself; see the SQLAlchemy sqlite
dialect docs). Writers take the write lock up front so two windows never deadlock on an upgrade.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, Engine, bindparam, create_engine, event, func, select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from consuldesk.domain import versions
from consuldesk.domain.hlc import HybridLogicalClock, Timestamp
from consuldesk.store import bulk, cipher, derived
from consuldesk.store.errors import CaseFileError, NotFound
from consuldesk.store.models import (
    AuditEvent,
    ChangeAuthor,
    Meta,
    National,
    Post,
    Synced,
    new_id,
    new_ids,
    table_of,
    utcnow,
)
from consuldesk.store.private import discard_database, make_private, private_dir
from consuldesk.store.search import (
    index_new_rows,
    national_id_keys,
    national_search_keys,
    national_sort_name,
    refresh_derived,
)

BUSY_TIMEOUT_S = 5.0
META_LOCAL_POST = "local_post_id"
META_HLC = "hlc_last"
#: How many write transactions the case file has committed, whoever committed them: a window
#: tells another process's writes (the CLI's) from its own by it (CaseFile.written_elsewhere).
META_WRITES = "writes"
#: After a restore: the range of this case file's own versions it may have lost (issued after
#: the backup, before the restore), as JSON ``[after, through]``; other case files may hold them.
META_OWN_GAP = "own_gap"
META_SEARCH_VERSION = "search_keys_version"
#: How many nationals there were when the query planner's statistics were last gathered.
META_STATS_ROWS = "planner_stats_rows"
#: The tables whose statistics steer the list's filters to the right index.
_ANALYZED = ("national", "household", "household_member")


def sqlite_has_fts5() -> bool:
    """Whether this Python's SQLite was built with FTS5 (some freezers ship it without)."""
    con = cipher.connect(":memory:", None)
    try:
        options = {row[0] for row in con.execute("PRAGMA compile_options")}
    finally:
        con.close()
    return "ENABLE_FTS5" in options


def make_engine(path: Path, key: bytes | None = None, *, read_only: bool = False) -> Engine:
    """An engine for the case file at ``path`` (encrypted under ``key``; ``None``: a plain
    file) with the pragmas every connection needs; ``read_only`` opens it so that SQLite
    itself cannot write to it."""

    def creator() -> Any:
        return cipher.connect(
            path, key, readonly=read_only, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )

    engine = create_engine(f"sqlite:///{path}", creator=creator, module=cipher.dbapi)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA cache_size=-8192")  # 8 MiB per pooled connection; bulk work raises it
        cur.execute("PRAGMA temp_store=MEMORY")
        # Space SQLite frees is zeroed when that costs no extra write (a page rewritten as an
        # interior page keeps no old rows in its unused part): an anonymised person's values
        # do not linger in pages written before the anonymisation (store/retention.py).
        cur.execute("PRAGMA secure_delete=FAST")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


SyncedT = TypeVar("SyncedT", bound=Synced)


def get_live(session: Session, model: type[SyncedT], record_id: str) -> SyncedT:
    """The row of ``model`` with this id, unless it does not exist or was deleted.

    Raises:
        NotFound: no such live row (``table`` is the model's table name).
    """
    row = session.get(model, record_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(table_of(model).name, record_id)
    return row


#: Below this many free bytes, an I/O error writing the case file means the disk is full
#: (at 0 bytes SQLite cannot even size its shared-memory file and says "disk I/O error").
LOW_SPACE_BYTES = 1 << 20


#: Faults after which the planner's statistics wait for the next import (see
#: :meth:`CaseFile.refresh_statistics`).
_STATISTICS_LATER = frozenset({"casefile.readonly", "casefile.locked", "casefile.disk_full"})


def is_sqlite_fault(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite failing at the file (space, lock, permission, damage, I/O),
    raw from the driver or wrapped by SQLAlchemy, as opposed to a constraint or programming
    error. By class name, so any DB-API build of SQLite (SQLCipher too) is recognised."""
    orig = getattr(exc, "orig", None) or exc
    return type(orig).__name__ in ("OperationalError", "DatabaseError")


def _free_bytes(path: Path) -> int | None:
    for folder in (path.parent, *path.parent.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None


def _unwritable(path: Path, detail: str) -> CaseFileError:
    """A refusal to write: the folder its journal goes into (without which SQLite cannot
    even read a WAL file), else the file itself."""
    folder = path.parent
    if folder.exists() and not os.access(folder, os.W_OK):
        return CaseFileError("casefile.readonly_folder", path, folder=str(folder), detail=detail)
    return CaseFileError("casefile.readonly", path, detail=detail)


def translate_sqlite_error(exc: BaseException, path: Path) -> CaseFileError:
    """Turn a SQLite error into a :class:`CaseFileError` that names the file and the cause.

    By SQLite's extended error name where the driver gives it, else by its message: a full
    disk (also at 0 bytes free, where SQLite reports only an I/O error), a lock held by
    another writer, a read-only file or folder, damaged pages (``casefile.corrupt``, the only
    code that means the file itself is broken), other I/O errors (``casefile.io_error``).
    """
    orig = getattr(exc, "orig", None) or exc
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    message = str(orig).lower()
    detail = str(orig)
    if name.startswith("SQLITE_FULL") or "disk is full" in message:
        return CaseFileError("casefile.disk_full", path)
    if (
        name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
        or "locked" in message
        or "busy" in message
    ):
        return CaseFileError("casefile.locked", path)
    if (
        name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
        or "readonly" in message
        or "read-only" in message
        or "unable to open" in message
    ):
        return _unwritable(path, detail)
    if (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in message
        or "not a database" in message
    ):
        return CaseFileError("casefile.corrupt", path, detail=detail)
    if name.startswith("SQLITE_IOERR") or "i/o error" in message:
        free = _free_bytes(path)
        if free is not None and free < LOW_SPACE_BYTES:
            return CaseFileError("casefile.disk_full", path)
        if path.parent.exists() and not os.access(path.parent, os.W_OK):
            return _unwritable(path, detail)
    return CaseFileError("casefile.io_error", path, detail=detail)


def damaged_tables(connection: Any) -> list[str]:
    """The tables (with their indexes) in which SQLite finds damaged pages, each checked on
    its own (``quick_check(table)``), through a DB-API connection (SQLCipher's, plain files
    included); empty when the schema itself cannot be read."""
    try:
        names = [
            str(r[0])
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0"
            )
        ]
    except cipher.Error:
        return []  # the schema itself is damaged: nothing to name
    damaged = []
    for name in names:
        quoted = name.replace('"', '""')
        try:
            report = [r[0] for r in connection.execute(f'PRAGMA quick_check("{quoted}")')]
        except cipher.Error:
            report = ["damaged"]
        if report != ["ok"]:
            damaged.append(name)
    return damaged


def _named(error: CaseFileError, engine: Engine) -> CaseFileError:
    """Damage reported by a query, with the damaged tables found by reading every page."""
    if error.code != "casefile.corrupt" or "tables" in error.params:
        return error
    try:
        found = check_pages(engine, error.path)
    except CaseFileError:
        return error
    return found if found is not None and "tables" in found.params else error


def check_pages(engine: Engine, path: Path, *, full: bool = False) -> CaseFileError | None:
    """Read every page of the case file (SQLite's ``quick_check``, or ``integrity_check``
    with ``full``); the damage found, naming the tables it touches, or None when sound."""
    pragma = "integrity_check(100)" if full else "quick_check(100)"
    try:
        with engine.connect() as connection:
            try:
                report = [str(r[0]) for r in connection.exec_driver_sql(f"PRAGMA {pragma}")]
            except (OperationalError, DatabaseError) as exc:
                error = translate_sqlite_error(exc, path)
                if error.code != "casefile.corrupt":
                    raise error from exc
                report = [str(error.params.get("detail", ""))]
            if report == ["ok"]:
                return None
            tables = damaged_tables(connection.connection.dbapi_connection)
    except (OperationalError, DatabaseError) as exc:
        error = translate_sqlite_error(exc, path)
        if error.code != "casefile.corrupt":
            raise error from exc
        return error
    lines = [line for text in report for line in text.splitlines() if not line.startswith("***")]
    detail = (lines or [""])[0][:200]
    if tables:
        return CaseFileError("casefile.corrupt", path, detail=detail, tables=", ".join(tables))
    return CaseFileError("casefile.corrupt", path, detail=detail)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class ChangeSet:
    """What one transaction changed, by table: tells windows what to refresh."""

    created: dict[str, set[str]] = field(default_factory=dict)
    updated: dict[str, set[str]] = field(default_factory=dict)
    deleted: dict[str, set[str]] = field(default_factory=dict)

    def note(self, kind: str, table: str, record_id: str) -> None:
        """Record that ``record_id`` of ``table`` was created, updated or deleted."""
        getattr(self, kind).setdefault(table, set()).add(record_id)

    @property
    def tables(self) -> set[str]:
        """Every table touched."""
        return set(self.created) | set(self.updated) | set(self.deleted)

    def __bool__(self) -> bool:
        return bool(self.tables)


class Tx:
    """One write transaction: stamps versions, records audit events and the change set.

    Obtained from :meth:`CaseFile.write`; never kept after the ``with`` block.
    """

    def __init__(self, session: Session, clock: HybridLogicalClock, officer: str, post: str):
        self.session = session
        self.clock = clock
        self.officer = officer
        self.post_code = post
        self.changes = ChangeSet()
        self.now = utcnow()
        self._next_seq: int | None = None
        self._audit: list[tuple[Any, ...]] = []

    def next_seq(self) -> int:
        """A fresh ``national.seq`` value (the search index row id)."""
        if self._next_seq is None:
            top = self.session.exec(select(func.max(National.seq))).one()[0]  # type: ignore[call-overload]
            self._next_seq = (top or 0) + 1
        value = self._next_seq
        self._next_seq += 1
        return value

    def stamp(self, row: Synced, *, new: bool = False) -> str:
        """Give ``row`` a new HLC version and update time; for new rows also the origin post."""
        version = str(self.clock.now())
        row.version = version
        row.updated_at = self.now
        if new:
            row.created_at = self.now
            row.origin_post = self.post_code
            row.field_versions = versions.created(version)
        return version

    def add(self, row: Synced) -> Synced:
        """Insert a new row, stamped and audited with all its values."""
        version = self.stamp(row, new=True)
        if isinstance(row, National):
            if not row.seq:
                row.seq = self.next_seq()
            refresh_derived(row)
        self.session.add(row)
        values = {
            k: _jsonable(v)
            for k, v in row.model_dump().items()
            if v not in (None, "", []) and k not in _AUDIT_SKIP
        }
        self.audit(row, "create", {k: [None, v] for k, v in values.items()}, version)
        self.changes.note("created", row.__tablename__, row.id)  # type: ignore[arg-type]
        return row

    def update(self, row: Synced, values: dict[str, Any], action: str = "update") -> bool:
        """Set ``values`` on ``row``; stamp and audit only what really changed.

        Returns:
            Whether anything changed.
        """
        diff: dict[str, list[Any]] = {}
        for key, new in values.items():
            old = getattr(row, key)
            if old != new:
                diff[key] = [_jsonable(old), _jsonable(new)]
                setattr(row, key, new)
        if not diff:
            return False
        if isinstance(row, National):
            refresh_derived(row)
        before = _field_versions(row)
        version = self.stamp(row)
        row.field_versions = versions.bump(before, _synced_fields(diff), version)
        self.session.add(row)
        shown = {k: v for k, v in diff.items() if k not in _AUDIT_SKIP}
        self.audit(row, action, shown, version)
        self.changes.note("updated", row.__tablename__, row.id)  # type: ignore[arg-type]
        return True

    def update_many(
        self, changes: Sequence[tuple[Synced, dict[str, Any]]], action: str = "update"
    ) -> int:
        """:meth:`update` for many rows of one table (an allocation, a departure).

        Each row's diff, version, timestamp and audit event are as :meth:`update` makes them,
        but the rows are written with one ``executemany`` per set of changed columns instead of
        through the ORM's unit of work, and the loaded objects take the new values as committed
        state. Not for nationals (their search keys are derived in Python).

        Returns:
            How many rows changed.
        """
        if not changes:
            return 0
        table = table_of(type(changes[0][0]))
        if table.name == National.__tablename__:
            raise ValueError("update_many does not derive nationals' search keys")
        self.session.flush()  # pending ORM writes first, in order
        batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        changed = 0
        for row, values in changes:
            diff = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
            if not diff:
                continue
            version = str(self.clock.now())
            new = {k: v for k, (_, v) in diff.items()}
            new.update(
                version=version,
                updated_at=self.now,
                field_versions=versions.bump(_field_versions(row), _synced_fields(diff), version),
            )
            for key, value in new.items():
                set_committed_value(row, key, value)
            batches.setdefault(tuple(sorted(new)), []).append({"_id": row.id, **new})
            shown = {
                k: [_jsonable(old), _jsonable(v)]
                for k, (old, v) in diff.items()
                if k not in _AUDIT_SKIP
            }
            self.audit(row, action, shown, version)
            self.changes.note("updated", table.name, row.id)
            changed += 1
        for columns, params in batches.items():
            statement = (
                table.update()
                .where(table.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns})
            )
            self.session.connection().execute(statement, params)
        return changed

    def delete(self, row: Synced, action: str = "delete", **extra: Any) -> None:
        """Tombstone ``row`` (rows are never physically deleted, so deletion can sync)."""
        if row.deleted_at is not None:
            return
        row.deleted_at = self.now
        for key, value in extra.items():
            setattr(row, key, value)
        before = _field_versions(row)
        version = self.stamp(row)
        row.field_versions = versions.bump(before, ["deleted_at", *extra], version)
        self.session.add(row)
        changes = {"deleted_at": [None, self.now.isoformat()]}
        changes.update({k: [None, _jsonable(v)] for k, v in extra.items()})
        self.audit(row, action, changes, version)
        self.changes.note("deleted", row.__tablename__, row.id)  # type: ignore[arg-type]

    def insert_rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows of full column values (Python values as the ORM holds them; dates and
        times may also be ISO 8601 text) into ``table`` with one statement: through SQLite's
        driver, converted as SQLAlchemy would store them (its per-row parameter handling costs
        more than the insert), with the table's indexes built once after a large load; through
        SQLAlchemy Core on other engines. A column a row lacks gets its scalar default."""
        if not rows:
            return
        if self.session.get_bind().dialect.name != "sqlite":
            self.session.execute(table.insert(), [_parsed(table, row) for row in rows])
            return
        columns = list(table.columns)
        getters = [(c.name, _default(c)) for c in columns]
        conversions = [(i, f) for i, c in enumerate(columns) if (f := _stored(c))]
        records = []
        for row in rows:
            record = [row.get(name, default) for name, default in getters]
            for index, convert in conversions:
                if record[index] is not None:
                    record[index] = convert(record[index])
            records.append(record)
        names = ", ".join(c.name for c in columns)
        marks = ", ".join("?" * len(columns))
        self.session.flush()
        connection = cast(cipher.Connection, self.session.connection().connection.dbapi_connection)
        holding = 0
        if len(records) >= bulk.REBUILD_INDEXES_FROM:
            holding = connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        # The derived columns are computed after the indexes are built again: they read them.
        with (
            derived.paused(connection, table.name, rows)
            if len(records) >= bulk.REBUILD_INDEXES_FROM
            else nullcontext(),
            bulk.indexes_set_aside(connection, table.name, adding=len(records), holding=holding),
        ):
            connection.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", records)

    def insert_nationals(
        self,
        values: Iterable[dict[str, Any]],
        action: str = "create",
        *,
        count: int | None = None,
        audited: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> list[str]:
        """Insert many nationals at once, straight through the driver (bulk import, demo data).

        Each dict holds column values (``phones`` a list); ids, seq, versions, timestamps, search
        keys and audit events are filled in here exactly as :meth:`add` would (a caller that
        computed ``search_keys``, ``id_keys`` and ``sort_name`` from the same values with
        :mod:`consuldesk.store.search`, as a list import does while checking, passes all
        three and they are kept), and the new rows
        are indexed for search with one statement instead of a trigger per row. A large load
        builds the table's indexes once after it instead of inserting into them row by row
        (:func:`consuldesk.store.bulk.indexes_set_aside`).

        Args:
            values: the rows, as a list or, with ``count``, any iterable (read once).
            count: how many rows ``values`` yields, when it is not a list.
            audited: one audit event per record, with its values. ``False`` for records the
                caller audits together with :meth:`audit_created` (a list import).
            progress: called with the number of rows inserted so far, every 5,000 rows; it may
                raise (a cancelled import), which rolls the transaction back.

        Returns:
            The new ids, in input order.
        """
        if count is None:
            values = list(values)
            count = len(values)
        if not count:
            return []
        conn = self.session.connection()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # bulk inserts touch many index pages
        try:
            with gc_paused():
                return self._insert_nationals(values, count, action, audited, progress)
        finally:
            conn.exec_driver_sql("PRAGMA cache_size=-8192")

    def index_nationals_from(self, first_seq: int) -> None:
        """Index for search the nationals inserted without the ORM, ``seq >= first_seq`` (a
        bundle's new records): one statement, as a bulk insert does."""
        self.session.flush()
        connection = cast(cipher.Connection, self.session.connection().connection.dbapi_connection)
        index_new_rows(connection, first_seq)

    def audit_created(
        self, table: str, record_ids: Sequence[str], action: str, **details: Any
    ) -> None:
        """Queue one audit event for many records created together (a list import).

        The records hold their first values, so the event says where they came from
        (``details``, such as the file's name and SHA-256) and lists their ids under
        ``created``, instead of one event per record with all its values. Later changes to
        the records are audited field by field as usual. :func:`created_together` finds the
        event of a record.
        """
        if not record_ids:
            return
        event_id = new_id()
        self._audit.append(
            (
                event_id,
                _sql_value(self.now),
                self.officer,
                self.post_code,
                table,
                event_id,  # the event is about the batch; its records are under "created"
                action,
                _dumps({**details, "created": list(record_ids)}),
                str(self.clock.now()),
            )
        )

    def _insert_nationals(
        self,
        values: Iterable[dict[str, Any]],
        count: int,
        action: str,
        audited: bool,
        progress: Callable[[int], None] | None,
    ) -> list[str]:
        table = table_of(National)
        columns = tuple(c.name for c in table.columns)
        getters = [(c.name, _default(c)) for c in table.columns]
        conversions = [
            (i, f)
            for i, c in enumerate(table.columns)
            if (f := _converter(c)) and c.name != "field_versions"  # written as JSON below
        ]
        now = _sql_value(self.now)
        first_seq = self.next_seq()
        self._next_seq = first_seq + count
        fresh_ids = new_ids((2 if audited else 1) * count)  # ids, then audit event ids
        audit_ids = fresh_ids[count:]
        # Audited columns, read back from the converted record: plain str/int values encode
        # with json's C fast path (dates would call back into Python for every value).
        shown = [(i, c) for i, c in enumerate(columns) if c not in _AUDIT_SKIP | _BULK_SKIP]
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        connection = cast(cipher.Connection, self.session.connection().connection.dbapi_connection)
        marks = ", ".join("?" * len(columns))
        insert = f"INSERT INTO national ({', '.join(columns)}) VALUES ({marks})"
        ids: list[str] = []
        records: list[list[Any]] = []  # prepared, not inserted yet
        offset = -1
        # The derived columns are computed after the indexes are built again: they read them.
        with (
            derived.paused_for_new_nationals(connection, first_seq),
            bulk.indexes_set_aside(connection, "national", adding=count, holding=first_seq - 1),
        ):
            for offset, row in enumerate(values):
                version = str(self.clock.now())
                record_id = row.setdefault("id", fresh_ids[offset])
                row["seq"] = first_seq + offset
                if "search_keys" not in row:  # else computed by the caller from these values
                    row["search_keys"] = national_search_keys(row)
                    row["id_keys"] = national_id_keys(row)
                    row["sort_name"] = national_sort_name(row)
                row["created_at"] = row["updated_at"] = now
                row["origin_post"] = self.post_code
                row["version"] = version
                row["field_versions"] = f'{{"*": ["{version}", null]}}'  # versions.created
                record = [row.get(name, default) for name, default in getters]
                for index, convert in conversions:
                    if record[index] is not None:
                        record[index] = convert(record[index])
                records.append(record)
                ids.append(record_id)
                if len(records) == _INSERT_CHUNK:
                    connection.executemany(insert, records)
                    records = []
                    if progress is not None:
                        progress(offset + 1)
                if not audited:
                    continue
                changes = {c: [None, record[i]] for i, c in shown if record[i]}
                if row.get("phones"):
                    changes["phones"] = [None, list(row["phones"])]
                else:
                    changes.pop("phones", None)
                self._audit.append(
                    (
                        audit_ids[offset],
                        now,
                        self.officer,
                        self.post_code,
                        "national",
                        record_id,
                        action,
                        dumps(changes),
                        version,
                    )
                )
            if offset + 1 != count:
                raise ValueError(f"expected {count} rows, got {offset + 1}")
            if records:
                connection.executemany(insert, records)
        index_new_rows(connection, first_seq)
        if progress is not None:
            progress(count)
        self.changes.created.setdefault("national", set()).update(ids)
        return ids

    def audit(self, row: Synced, action: str, changes: dict[str, Any], version: str) -> None:
        """Queue an audit event; all of a transaction's events are inserted together."""
        self._audit.append(
            (
                new_id(),
                _sql_value(self.now),
                self.officer,
                self.post_code,
                row.__tablename__,
                row.id,
                action,
                _dumps(changes),
                version,
            )
        )

    def audit_about(
        self, table: str, action: str, details: dict[str, Any], record_id: str | None = None
    ) -> str:
        """Queue one event that changes no field: a file exported, printed, sent or received,
        a key file handed out. ``record_id`` names the record it is about (a trip, a bundle);
        without one the event is about many records or none, and names itself (as
        :meth:`audit_created`'s event does). Returns the event's id."""
        event_id = new_id()
        self._audit.append(
            (
                event_id,
                _sql_value(self.now),
                self.officer,
                self.post_code,
                table,
                record_id or event_id,
                action,
                _dumps(details),
                str(self.clock.now()),
            )
        )
        return event_id

    def audit_bulk(self, rows: list[dict[str, Any]]) -> None:
        """Queue prepared audit events (bulk paths that bypass the ORM); dict keys as columns."""
        for r in rows:
            self._audit.append(
                (
                    r.get("id") or new_id(),
                    _sql_value(r.get("at", self.now)),
                    r.get("officer", self.officer),
                    r.get("post_code", self.post_code),
                    r["table_name"],
                    r["record_id"],
                    r["action"],
                    _dumps(r.get("changes", {})),
                    r["version"],
                )
            )

    def keep_audit_events(self, rows: Sequence[Sequence[Any]]) -> int:
        """Append audit events made elsewhere exactly as they were made (ids, times, officers
        and posts kept), columns in the table's order; an event already here is left as it
        is (the same bundle twice, an event relayed by two posts). Returns how many were new.
        """
        if not rows:
            return 0
        self.session.flush()
        cursor = self.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(
                "INSERT OR IGNORE INTO audit_event (id, at, officer, post_code, table_name,"
                " record_id, action, changes, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return max(int(cursor.rowcount), 0)
        finally:
            cursor.close()

    def flush_audit(self) -> None:
        """Write queued audit events (called before commit)."""
        if self._audit:
            self.session.flush()
            _executemany(
                self.session.connection(),
                "INSERT INTO audit_event (id, at, officer, post_code, table_name, record_id,"
                " action, changes, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._audit,
            )
            self._audit = []


def _sql_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


_TO_SQL: dict[type, Any] = {
    datetime: _sql_datetime,
    date: date.isoformat,
    list: json.dumps,
    tuple: lambda v: json.dumps(list(v)),
    dict: json.dumps,
}


def _sql_value(value: Any) -> Any:
    """A Python value as SQLAlchemy/SQLModel would store it in SQLite (for driver-level inserts)."""
    convert = _TO_SQL.get(type(value))
    return convert(value) if convert else value


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: bulk work allocates millions of acyclic objects and
    each collection pass walks all of them (halves bulk insert time at 100,000 rows)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _executemany(connection: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """executemany on the driver's cursor, inside the session's transaction (bulk paths only).

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself here.
    """
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _dumps(value: Any) -> str:
    """JSON for audit changes (dates as ISO text, Cyrillic kept readable)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


_PLAIN = re.compile(r'^[^"\\\x00-\x1f]*$')


def _json_strings(values: Any) -> str:
    """JSON of a list of strings; the common plain case (phones) without the json module."""
    items = list(values)
    if all(isinstance(v, str) and _PLAIN.match(v) and v.isascii() for v in items):
        return "[" + ", ".join(f'"{v}"' for v in items) + "]"
    return json.dumps(items)


def _converter(column: Any) -> Any:
    """How a column's Python value becomes what SQLite stores (None: as it is)."""
    if isinstance(column.type, JSON):
        return _json_strings if column.name == "phones" else json.dumps
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return None
    if kind in (list, dict):
        return json.dumps
    if kind is datetime:
        return _sql_datetime
    if kind is date:
        return date.isoformat
    if kind is bool:
        return int
    return None


def python_type(column: Any) -> type | None:
    """The Python type a column holds, through a type decorator (SQLModel's time columns) to
    what it stores; ``None`` where the type does not say."""
    kind = getattr(column.type, "impl", column.type)
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def _parsed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with dates and times given as ISO 8601 text parsed (SQLAlchemy Core wants
    Python values)."""
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(value, str):
            kind = python_type(column)
            if kind is datetime:
                out[column.name] = datetime.fromisoformat(value)
            elif kind is date:
                out[column.name] = date.fromisoformat(value)
    return out


def _stored(column: Any) -> Any:
    """:func:`_converter` for :meth:`Tx.insert_rows`: also for the time columns SQLModel wraps
    in a type decorator, and dates and times given as ISO 8601 text."""
    kind = python_type(column)
    if kind is datetime:
        return _sql_datetime_or_text
    if kind is date:
        return _sql_date_or_text
    return _converter(column)


def _sql_datetime_or_text(value: Any) -> str:
    """A time, or its ISO 8601 text, as SQLite stores it (UTC, no offset). The common text,
    ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, is rewritten without parsing it."""
    if isinstance(value, str):
        if len(value) == 32 and value[10] == "T" and value.endswith("+00:00"):
            return f"{value[:10]} {value[11:26]}"
        value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
    return _sql_datetime(value)


#: A time, or its ISO 8601 text, as SQLite stores it (UTC, no offset).
sql_time = _sql_datetime_or_text


def _sql_date_or_text(value: Any) -> str:
    if isinstance(value, str):
        return date.fromisoformat(value).isoformat() if len(value) != 10 else value
    return value.isoformat()  # type: ignore[no-any-return]


def _default(column: Any) -> Any:
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    if column.name == "phones":
        return []
    return None


_BULK_SKIP = {"origin_post", "deleted_at", "merged_into_id"}
# Rows prepared, then inserted with one executemany, in bulk inserts (memory stays flat).
_INSERT_CHUNK = 5_000
_AUDIT_SKIP = {
    "id",
    "search_keys",
    "id_keys",
    "sort_name",
    "version",
    "updated_at",
    "created_at",
    "seq",
    "field_versions",
    "household_youngest",
    "household_kinds",
    "review_done",  # follows from the review change beside it, which is audited
}
#: Columns a case file derives or keeps for itself: never merged from another case file.
LOCAL_COLUMNS = frozenset(
    {
        "search_keys",
        "id_keys",
        "sort_name",
        "household_youngest",
        "household_kinds",
        "seq",
        "version",
        "updated_at",
        "field_versions",
    }
)


def _field_versions(row: Synced) -> versions.FieldVersions:
    """A row's field versions; a row written without them is taken as created by its version."""
    return row.field_versions or versions.created(row.version)


def _synced_fields(diff: dict[str, Any]) -> list[str]:
    return [k for k in diff if k not in LOCAL_COLUMNS]


class CaseFile:
    """An open case file. Thread-safe for reads; writes are serialised by SQLite's write lock."""

    def __init__(self, path: Path, engine: Engine, key: bytes | None = None) -> None:
        self.path = path
        self.engine = engine
        #: The data key the file is encrypted with (``None``: a plain file, not yet converted).
        self.key = key
        self._write_engine = engine.execution_options(sqlite_immediate=True)
        self._post_code: str | None = None
        self._clock: HybridLogicalClock | None = None
        #: Why nothing may be written into this file (it failed its integrity check), or "".
        self.refused = ""
        #: The damage SQLite reported in this file, once it has: nothing is written after it.
        self.damage: CaseFileError | None = None
        #: Every page was read and found sound in this session (:meth:`check_pages`).
        self.pages_ok = False
        # What this process knows of the write counter (META_WRITES), and whether a write of
        # another process was seen since written_elsewhere() last said so.
        self._writes_known: int | None = None
        self._elsewhere = False
        self._writes_lock = threading.Lock()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        key: bytes | None = None,
        create: bool = False,
        backup: bool = True,
    ) -> CaseFile:
        """Open (or with ``create`` make) a case file, upgrading its schema when it is older.
        ``key`` is the data key of an encrypted file (made encrypted when ``create``);
        ``None`` opens (or makes) a plain one.

        Before an existing file is upgraded a copy is kept in its backups folder
        (``<name>.backups/<stamp>-before-upgrade-<rev>.consuldesk``).

        Raises:
            CaseFileError: the file is missing, locked, read-only, not a case file, made by a
                newer ConsulDesk, or this SQLite lacks FTS5; ``casefile.encrypted`` when it is
                encrypted and no key was given; ``casefile.wrong_key`` when the key does not
                open it.
        """
        from consuldesk.store import migrate

        path = Path(path)
        if not sqlite_has_fts5():
            raise CaseFileError("casefile.no_fts5", path, sqlite=cipher.sqlite_version)
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            if path.is_file():  # a copy cut short, a stick pulled out while writing
                raise CaseFileError("casefile.empty", path)
            raise CaseFileError("casefile.not_found", path)
        if exists:
            _check_sqlite_header(path, key)
            _check_is_casefile(path, key)  # before anything writes to it (WAL, the schema)
        elif not path.parent.exists():
            try:
                private_dir(path.parent)
            except OSError as exc:
                raise CaseFileError(
                    "casefile.readonly_folder", path, folder=str(path.parent), detail=str(exc)
                ) from exc
        engine = make_engine(path, key)
        try:
            state = migrate.inspect_revision(engine)
            if state.unknown:
                raise CaseFileError("casefile.too_new", path, revision=state.current)
            if exists and state.current is None and state.has_tables:
                raise CaseFileError("casefile.not_casefile", path)
            if state.needs_upgrade:
                if exists and (damage := check_pages(engine, path)) is not None:
                    raise damage  # an upgrade rewrites tables: never into damaged pages
                if exists and backup and state.current is not None:
                    _backup(path, state.current, key)
                migrate.upgrade(engine)
        except CaseFileError:
            engine.dispose()
            if not exists:
                discard_database(path)  # could not be created (a full disk)
            raise
        except Exception as exc:
            fault = _named(translate_sqlite_error(exc, path), engine)
            engine.dispose()
            if not exists:
                discard_database(path)
            if not is_sqlite_fault(exc):
                raise
            raise fault from exc
        casefile = cls(path, engine, key)
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            make_private(part)  # 600 whatever the umask; SQLite gives the WAL the file's mode
        try:
            casefile._refresh_search_index()
            casefile.refresh_statistics()
        except BaseException:
            casefile.close()
            raise
        return casefile

    def check_pages(self, *, full: bool = False) -> None:
        """Read every page (SQLite's ``quick_check``; ``integrity_check`` with ``full``).

        Raises:
            CaseFileError: ``casefile.corrupt`` naming the damaged tables; from then on this
                case file refuses to write.
        """
        if self.damage is not None:
            raise self.damage
        if self.pages_ok and not full:
            return  # read once this session: what it wrote since went through SQLite's checks
        damage = check_pages(self.engine, self.path, full=full)
        if damage is not None:
            self.damage = damage
            raise damage
        self.pages_ok = True

    def _fault(self, exc: BaseException) -> CaseFileError:
        """The :class:`CaseFileError` for a SQLite fault; damage is remembered (and its tables
        named), so that nothing more is written into the file."""
        if self.damage is not None:
            return self.damage
        error = translate_sqlite_error(exc, self.path)
        if error.code == "casefile.corrupt":
            error = _named(error, self.engine)
            self.damage = error
        return error

    def refresh_statistics(self) -> bool:
        """Gather the query planner's statistics (``ANALYZE``) when there are none, or when the
        number of nationals has halved or doubled since: they tell SQLite that few people need
        review or are pregnant, so such a filter reads its small index instead of walking the
        list in name order. Returns whether they were gathered.

        Called after an import has committed: a file that cannot take them now (read-only,
        busy, its disk full) keeps its old ones and works the same, and the import it follows
        is not reported failed (it was written).
        """
        try:
            with self.read() as session:
                count = session.execute(
                    text("SELECT count(*) FROM national WHERE deleted_at IS NULL")
                ).scalar_one()
                before = _get_meta(session, META_STATS_ROWS)
            if before is not None and int(before) // 2 <= count <= max(int(before), 50) * 2:
                return False
            with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
                # Every row of the tables the list's filters read (a sample misjudges how
                # many people share a country: 400 instead of 20,000), about 0.3 s at 100,000.
                for table in _ANALYZED:
                    session.execute(text(f"ANALYZE {table}"))
                _set_meta(session, META_STATS_ROWS, str(count))
        except CaseFileError as exc:
            if exc.code in _STATISTICS_LATER:
                return False
            raise
        except Exception as exc:
            if not is_sqlite_fault(exc):
                raise
            error = self._fault(exc)
            if error.code in _STATISTICS_LATER:
                return False
            raise error from exc
        return True

    def _refresh_search_index(self) -> None:
        """Re-index every national when the index was built with older search keys."""
        from consuldesk.store.search import SEARCH_KEYS_VERSION, rebuild_index

        with self.read() as session:
            if _get_meta(session, META_SEARCH_VERSION) == SEARCH_KEYS_VERSION:
                return
        try:
            with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
                rebuild_index(session)
                _set_meta(session, META_SEARCH_VERSION, SEARCH_KEYS_VERSION)
        except Exception as exc:
            if not is_sqlite_fault(exc):
                raise
            error = self._fault(exc)
            if error.code == "casefile.readonly":
                return  # a read-only copy keeps its index; search still works, a bit looser
            raise error from exc

    def refuse_writes(self, detail: str) -> None:
        """From now on refuse every write (:meth:`write` raises ``casefile.write_refused``)
        and leave the write-ahead log out of the file on close: it failed its integrity
        check (``detail``), and writing into a damaged file can only damage it further."""
        self.refused = detail or "?"
        # Connections that cannot write replace the others: a read-write connection closing
        # last would checkpoint the write-ahead log into the file. The new one is opened
        # first, so the old ones do not close last.
        old = self.engine
        self.engine = make_engine(self.path, self.key, read_only=True)
        self._write_engine = self.engine.execution_options()  # write() refuses first
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        old.dispose()

    def check_writable(self) -> None:
        """Raise ``casefile.write_refused`` (param ``detail``) when writes are refused."""
        if self.refused:
            raise CaseFileError("casefile.write_refused", self.path, detail=self.refused)

    def wait_for_write_lock(self) -> None:
        """Wait, as a write would, until no other program holds the case file's write lock,
        and let it go again: before work that only leads to a write (the backup taken before
        an import), which a locked file would waste, and which would push a sound backup out
        of the rotation for nothing. Raises as :meth:`write` does (``casefile.locked``)."""
        self.check_writable()
        try:
            with self._write_engine.connect() as conn, conn.begin():
                pass
        except Exception as exc:
            if not is_sqlite_fault(exc):
                raise
            raise translate_sqlite_error(exc, self.path) from exc

    def close(self) -> None:
        """Release every connection (checkpointing the WAL into the main file, unless writes
        are refused)."""
        if self.refused:
            self.engine.dispose()
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except (OperationalError, DatabaseError):
            pass  # another process holds it; SQLite checkpoints later
        self.engine.dispose()

    def __enter__(self) -> CaseFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session on a consistent snapshot."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except Exception as exc:
            if not is_sqlite_fault(exc):
                raise
            raise self._fault(exc) from exc

    @contextmanager
    def write(self, officer: str) -> Iterator[Tx]:
        """One write transaction: commits when the block ends, rolls back on any exception.

        Raises:
            CaseFileError: the file cannot be written (full, locked, read-only), or SQLite has
                found damaged pages in it (then nothing is written, now or later);
                ``casefile.write_refused`` after :meth:`refuse_writes`.
        """
        if self.damage is not None:
            raise self.damage
        self.check_writable()
        committing = False
        try:
            with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
                clock = self._clock_for(session)
                start = clock.last
                tx = Tx(session, clock, officer, self.post_code_in(session))
                yield tx
                tx.flush_audit()
                if clock.last != start and tx.post_code:
                    # Who made the versions this transaction issued (one row, not one a change).
                    session.add(
                        ChangeAuthor(
                            node=clock.node,
                            after=str(start),
                            through=str(clock.last),
                            officer=officer,
                        )
                    )
                _set_meta(session, META_HLC, str(clock.last))
                before = int(_get_meta(session, META_WRITES) or 0)
                _set_meta(session, META_WRITES, str(before + 1))
                # Held until the count is noted: written_elsewhere() must not read our commit
                # as another process's.
                self._writes_lock.acquire()
                committing = True
            self._note_writes(before, before + 1)
        except Exception as exc:
            if not is_sqlite_fault(exc):
                raise
            raise self._fault(exc) from exc
        finally:
            if committing:
                self._writes_lock.release()

    def _note_writes(self, before: int, after: int) -> None:
        """Our transaction found the counter at ``before`` and committed ``after``."""
        if self._writes_known is not None and before != self._writes_known:
            self._elsewhere = True  # another process wrote since we last looked
        self._writes_known = after

    def written_elsewhere(self) -> bool:
        """Whether another process (the CLI, another window) committed to this case file
        since the last call; the first call only learns where the count stands. Costs one
        small read; ``False`` while the file cannot be read or a write of ours is committing.
        """
        if not self._writes_lock.acquire(blocking=False):
            return False
        try:
            try:
                with self.read() as session:
                    count = int(_get_meta(session, META_WRITES) or 0)
            except (CaseFileError, OperationalError, DatabaseError, ValueError):
                return False
            if self._writes_known is not None and count != self._writes_known:
                self._elsewhere = True
            self._writes_known = count
            elsewhere, self._elsewhere = self._elsewhere, False
            return elsewhere
        finally:
            self._writes_lock.release()

    # -- facts -----------------------------------------------------------------------------

    def post_code_in(self, session: Session) -> str:
        """Code of the post that owns this case file ("" before the post is set up)."""
        if self._post_code is None:
            post_id = _get_meta(session, META_LOCAL_POST)
            post = session.get(Post, post_id) if post_id else None
            if post is None:
                return ""
            self._post_code = post.code
        return self._post_code

    def local_post(self) -> Post | None:
        """The post that owns this case file."""
        with self.read() as session:
            post_id = _get_meta(session, META_LOCAL_POST)
            return session.get(Post, post_id) if post_id else None

    def set_local_post(self, session: Session, post: Post) -> None:
        """Mark ``post`` as the owner of this case file (once, at creation)."""
        _set_meta(session, META_LOCAL_POST, post.id)
        self._post_code = post.code
        self._clock = None

    def _clock_for(self, session: Session) -> HybridLogicalClock:
        node = self.post_code_in(session) or "new"
        stored = _get_meta(session, META_HLC)
        last = Timestamp.parse(stored) if stored else None
        if self._clock is None or self._clock.node != node:
            self._clock = HybridLogicalClock(node, last)
        elif last is not None and last > self._clock.last:
            self._clock = HybridLogicalClock(node, last)  # another process wrote since
        return self._clock


def created_together(
    session: Session, model: type[Synced], record_id: str
) -> tuple[datetime, str, str, str, dict[str, Any], dict[str, Any]] | None:
    """The event that audited a record created together with others (:meth:`Tx.audit_created`),
    with the values the record was created with.

    The event itself holds no values: the record's current values are its first values, except
    where a later event changed a field, whose old value (in the earliest such event) was the
    first one. They are given as :meth:`Tx.add` would have audited them.

    Returns:
        ``(at, officer, post_code, version, details, first_values)``, or ``None``: the details
        as recorded, without the list of ids, and the event's ``action``; the first values by
        column, none empty.
    """
    events = table_of(AuditEvent)
    table = table_of(model)
    ids = func.json_each(events.c.changes, "$.created").table_valued("value")
    query = (
        select(
            events.c.at,
            events.c.officer,
            events.c.post_code,
            events.c.version,
            func.json_remove(events.c.changes, "$.created"),
            events.c.action,
        )
        .where(
            events.c.table_name == table.name,
            events.c.record_id == events.c.id,  # an event for many records
            select(ids.c.value).where(ids.c.value == record_id).exists(),
        )
        .order_by(events.c.at)
    )
    found = session.execute(query).first()
    if found is None:
        return None
    current = session.execute(select(table).where(table.c.id == record_id)).one()._mapping
    first = {k: v for k, v in current.items() if k not in _AUDIT_SKIP | _BULK_SKIP}
    later = session.execute(
        select(events.c.changes)
        .where(
            events.c.table_name == table.name,
            events.c.record_id == record_id,
            # Changes made where the records were created together, not those of another
            # post's trail (received in bundles: its values are not this case file's).
            events.c.post_code == found[2],
        )
        .order_by(events.c.at.desc(), events.c.version.desc())
    )
    for (changes,) in later:  # newest first: the earliest event's old value is set last
        for name, pair in (json.loads(changes) if isinstance(changes, str) else changes).items():
            if name in first and isinstance(pair, list) and pair:
                first[name] = pair[0]
    values = {k: _jsonable(v) for k, v in first.items() if v not in (None, "", [])}
    return (*found[:4], {**json.loads(found[4]), "action": found[5]}, values)


def note_own_gap(
    target: Path, target_key: bytes | None, source: Path, source_key: bytes | None
) -> None:
    """``target`` (a backup about to replace ``source``) may lack changes ``source`` made
    after the backup: note the range of its own versions it lacks (:data:`META_OWN_GAP`,
    widened with a gap it had), so that it does not tell other case files it holds them."""
    with cipher.attached(target, target_key, source, source_key) as conn:
        meta = "SELECT value FROM {}.meta WHERE key = ?"
        after = (conn.execute(meta.format("main"), (META_HLC,)).fetchone() or [""])[0]
        through = (conn.execute(meta.format("source"), (META_HLC,)).fetchone() or [""])[0]
        for schema in ("main", "source"):
            row = conn.execute(meta.format(schema), (META_OWN_GAP,)).fetchone()
            if row:  # a gap not closed yet: the new one covers it too
                old_after, old_through = json.loads(row[0])
                after, through = min(after, old_after), max(through, old_through)
        if through > after:
            with conn:
                conn.execute(
                    "INSERT INTO main.meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (META_OWN_GAP, json.dumps([after, through])),
                )


def read_meta(session: Session, key: str) -> str | None:
    """A fact kept in this case file only (never synced), or ``None``."""
    return _get_meta(session, key)


def write_meta(session: Session, key: str, value: str | None) -> None:
    """Keep a fact in this case file only (``None`` forgets it); in the caller's transaction."""
    if value is None:
        session.execute(text("DELETE FROM meta WHERE key = :k"), {"k": key})
    else:
        _set_meta(session, key, value)


def _get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def _set_meta(session: Session, key: str, value: str) -> None:
    session.execute(
        text(
            "INSERT INTO meta(key, value) VALUES (:k, :v) ON CONFLICT(key) DO UPDATE SET value=:v"
        ),
        {"k": key, "v": value},
    )


def _check_sqlite_header(path: Path, key: bytes | None) -> None:
    """A plain file must start as SQLite does; an encrypted one needs its key (and one that is
    neither is "not a database" whatever key is tried)."""
    from consuldesk.store.keyring import keyring_path

    try:
        plain = cipher.has_plain_header(path)
    except PermissionError as exc:
        raise CaseFileError("casefile.no_access", path, detail=str(exc)) from exc
    except OSError as exc:
        raise CaseFileError("casefile.io_error", path, detail=str(exc)) from exc
    if plain and key is not None:
        raise CaseFileError("casefile.not_encrypted", path)
    if plain:
        return
    if key is None:
        if keyring_path(path).exists():
            raise CaseFileError("casefile.encrypted", path)
        raise CaseFileError("casefile.not_sqlite", path)
    try:
        readable = cipher.readable_with(path, key)
    except cipher.Error as exc:  # locked, a full disk, damaged pages: not the key
        raise translate_sqlite_error(exc, path) from exc
    if not readable:
        if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists():
            # SQLite could not even start to read it: a case file keeps its journal beside
            # it (WAL), and this folder (a write-protected stick) takes none. Nothing says
            # the key is wrong.
            raise _unwritable(path, "the journal cannot be made beside it")
        raise CaseFileError("casefile.wrong_key", path)


def _check_is_casefile(path: Path, key: bytes | None) -> None:
    """Refuse an SQLite file that is not a case file (no Alembic revision: someone else's
    database, or an empty one) without changing a byte of it: read-only, so it is not switched
    to WAL, and it gets no schema."""
    try:
        conn = connect_read_only(path, key)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except cipher.DatabaseError as exc:
        raise translate_sqlite_error(exc, path) from exc
    if "alembic_version" not in tables:
        raise CaseFileError("casefile.not_casefile", path)


#: How many copies taken before upgrades are kept; they are rotated apart from the other
#: backups, so ten imports after an upgrade never push out the file as it was before it.
UPGRADE_KEEP = 3
UPGRADE_REASON = "before-upgrade"


def backups_folder(path: Path) -> Path:
    """The folder of a case file's backups, beside it: ``<name>.backups``."""
    return path.with_name(path.name + ".backups")


def _backup(path: Path, revision: str, key: bytes | None = None) -> Path:
    """Copy a case file into its backups folder before upgrading it from ``revision``
    (``<stamp>-before-upgrade-<revision>.consuldesk``), keeping the newest
    :data:`UPGRADE_KEEP` such copies."""
    folder = private_dir(backups_folder(path))
    target = folder / f"{utcnow():%Y%m%d-%H%M%S}-{UPGRADE_REASON}-{revision}{path.suffix}"
    copy_database(path, target, key)
    earlier = sorted(folder.glob(f"*-{UPGRADE_REASON}-*{path.suffix}"), reverse=True)
    for old in earlier[UPGRADE_KEEP:]:
        if old != target:
            old.unlink(missing_ok=True)
    return target


def connect_read_only(path: Path, key: bytes | None = None) -> Any:
    """A connection that cannot write to the case file or backup at ``path`` (checks and
    previews: not even the journal mode changes), keyed with ``key`` when it is encrypted."""
    return cipher.connect(path, key, readonly=True)


def copy_database(source: Path, target: Path, key: bytes | None = None) -> Path:
    """A consistent copy of a case file (SQLite's backup API, so a writer elsewhere is no
    problem) under the same key, written beside ``target`` and moved into place only when
    complete; one file (rollback journal mode, so looking at it leaves nothing beside it)."""
    cipher.backup_copy(source, target, key)
    return target
