"""Connections to case files, encrypted at rest with SQLCipher.

Every connection ConsulDesk makes to a case file goes through :func:`connect`: ``sqlcipher3`` is
SQLite with SQLCipher (4.19 on SQLite 3.53, FTS5 and the trigram tokenizer), so one driver reads
both an encrypted case file (keyed with its 256-bit data key) and a plain one (not yet converted;
no key). The data key is random, never derived from a passphrase here: officers' passphrases
unwrap it from the keyring beside the file (:mod:`consuldesk.store.keyring`).

An encrypted file has no "SQLite format 3" header: its first 16 bytes are SQLCipher's salt, and
every page (the WAL's too) is encrypted and authenticated (HMAC-SHA512), so a damaged or tampered
page reads as an error, never as other data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as dbapi

from consuldesk.store.private import discard_database, make_private

#: The DB-API module of every case-file connection (its exceptions are not ``sqlite3``'s).
Error = dbapi.Error
DatabaseError = dbapi.DatabaseError
OperationalError = dbapi.OperationalError
Connection = dbapi.Connection
sqlite_version: str = dbapi.sqlite_version

# sqlcipher3 binds a parameter that is not exactly an int, float, str or bytes only after asking
# it for ``__adapt__`` and ``__conform__``, each failed lookup formatting an AttributeError: about
# 1.4 us for every None and every bool, against 0.17 us for a str (the standard library's sqlite3
# skips that). Adapters registered for their types are found first, in a dict: None stays NULL
# (``{}.get(None)`` is None, without a Python frame) and a bool is bound as the int it is, as
# sqlite3 binds it. A 100,000-row list import binds about two million of them.
dbapi.register_adapter(type(None), {}.get)
dbapi.register_adapter(bool, int)

#: Bytes of a data key (SQLCipher's raw key: AES-256).
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"


def connect(
    path: Path | str,
    key: bytes | None,
    *,
    readonly: bool = False,
    timeout: float = 5.0,
    check_same_thread: bool = True,
) -> Any:
    """A DB-API connection to ``path``, keyed with ``key`` (``None``: a plain file).

    ``readonly`` opens it with ``mode=ro``: nothing is written, not even the WAL switch.
    Keying costs nothing measurable: a raw key skips SQLCipher's own key derivation.
    """
    target = Path(path)
    if readonly:
        conn = dbapi.connect(
            f"{target.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=timeout,
            check_same_thread=check_same_thread,
        )
    else:
        conn = dbapi.connect(str(target), timeout=timeout, check_same_thread=check_same_thread)
    # A wrong key is our error to name; SQLCipher's own log would print to the terminal.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f'PRAGMA key = "{_raw(key)}"')
    return conn


def _raw(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("a data key is 32 bytes")
    return f"x'{key.hex()}'"


def has_plain_header(path: Path) -> bool:
    """Whether the file starts like a plain SQLite database (not encrypted)."""
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_HEADER


def readable_with(path: Path, key: bytes | None) -> bool:
    """Whether ``key`` opens ``path`` (read-only; SQLCipher checks the first page's HMAC).

    Only SQLite's "file is not a database" (a wrong key, or not SQLite at all) is a no: a
    lock held by another program, a full disk or damaged pages raise the driver's error, for
    the caller to name (a lock is no reason to doubt the key, or to restore a backup).
    """
    try:
        conn = connect(path, key, readonly=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except dbapi.DatabaseError as exc:
        if "not a database" in str(exc).lower():
            return False
        raise
    return True


def export_copy(
    source: Path, source_key: bytes | None, target: Path, target_key: bytes | None
) -> None:
    """Write a copy of ``source`` to ``target`` under another key (``None``: plain), with
    SQLCipher's ``sqlcipher_export`` (schema, rows, triggers, FTS tables, user_version).

    ``target`` is written beside itself and moved into place only when complete.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.export")
    tmp.unlink(missing_ok=True)
    try:
        conn = connect(source, source_key, readonly=True)
        try:
            key_sql = f'"{_raw(target_key)}"' if target_key is not None else "''"
            conn.execute(f"ATTACH DATABASE ? AS target KEY {key_sql}", (str(tmp),))
            conn.execute("SELECT sqlcipher_export('target')")
            conn.execute("DETACH DATABASE target")
        finally:
            conn.close()
        make_private(tmp)
        _fsync(tmp)
        shutil.move(tmp, target)
    finally:
        discard_database(tmp)


@contextmanager
def attached(
    target: Path, target_key: bytes | None, source: Path, source_key: bytes | None
) -> Iterator[Any]:
    """A connection to ``target`` with ``source`` attached as ``source`` (each under its own
    key): one case file's rows read beside another's, as a restore does."""
    conn = connect(target, target_key)
    try:
        key_sql = f'"{_raw(source_key)}"' if source_key is not None else "''"
        conn.execute(f"ATTACH DATABASE ? AS source KEY {key_sql}", (str(source),))
        try:
            yield conn
        finally:
            conn.execute("DETACH DATABASE source")
    finally:
        conn.close()


def add_missing_rows(
    target: Path, target_key: bytes | None, source: Path, source_key: bytes | None, table: str
) -> int:
    """Insert into ``target``'s ``table`` the rows of ``source``'s that it lacks (by primary
    key), in the columns both have (the source may be of a newer schema); one transaction.
    Returns how many were added."""
    with attached(target, target_key, source, source_key) as conn:
        mine = conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
        theirs = {r[1] for r in conn.execute(f'PRAGMA source.table_info("{table}")')}
        columns = [r[1] for r in mine if r[1] in theirs]
        keys = [r[1] for r in sorted(mine, key=lambda r: r[5]) if r[5] and r[1] in theirs]
        if not columns or not keys:
            return 0
        listed = ", ".join(f'"{c}"' for c in columns)
        match = " AND ".join(f'm."{k}" = s."{k}"' for k in keys)
        with conn:
            done = conn.execute(
                f'INSERT INTO main."{table}" ({listed}) SELECT {listed} FROM source."{table}" '
                f'AS s WHERE NOT EXISTS (SELECT 1 FROM main."{table}" AS m WHERE {match})'
            )
            return int(done.rowcount or 0)


def carry_highest(
    target: Path,
    target_key: bytes | None,
    source: Path,
    source_key: bytes | None,
    table: str,
    key_column: str,
    column: str,
) -> None:
    """Raise ``target``'s ``table.column`` to ``source``'s where the source's is higher, row
    by row (matched on ``key_column``); one transaction. A counter that must never go back
    (the number of the last bundle made for each peer) stays as high as it was."""
    with attached(target, target_key, source, source_key) as conn, conn:
        conn.execute(
            f'UPDATE main."{table}" AS m SET "{column}" = s."{column}" '
            f'FROM source."{table}" AS s WHERE s."{key_column}" = m."{key_column}" '
            f'AND s."{column}" > m."{column}"'
        )


def backup_copy(source: Path, target: Path, key: bytes | None) -> None:
    """A consistent copy of ``source`` (SQLite's online backup, so a writer elsewhere is no
    problem) under the same key, written beside ``target`` and moved into place when complete.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        src = connect(source, key)
        try:
            dst = connect(tmp, key)
            try:
                src.backup(dst)
                # A copy keeps the source's WAL mode, and then even a read-only look at it
                # leaves -wal and -shm files beside it; a copy is one file. Opened as a case
                # file again (a restore), it is switched back to WAL.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        make_private(tmp)
        _fsync(tmp)
        shutil.move(tmp, target)
    finally:
        discard_database(tmp)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def table_counts(path: Path, key: bytes | None) -> dict[str, int]:
    """Rows in every table of the file (read-only): how a copy is checked against its source."""
    conn = connect(path, key, readonly=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def integrity_ok(path: Path, key: bytes | None, *, quick: bool = False) -> tuple[bool, str]:
    """Whether the file passes ``integrity_check`` (or ``quick_check``), with SQLite's first
    complaint when it does not."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        conn = connect(path, key, readonly=True)
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except dbapi.DatabaseError as exc:
        return False, str(exc)
    return rows == ["ok"], "" if rows == ["ok"] else "; ".join(rows[:3])
