"""Events of the audit trail that change no record: what left the case file, and how.

Every list exported, report printed, manifest written, bundle sent or received and key file
handed out is one event (:meth:`consuldesk.store.db.Tx.audit_about`) that says which file, its
SHA-256 and size, and what it held. The trail (:mod:`consuldesk.services.audit`) reads them
back; nothing here reads them.

The tables and actions these events use:

=============  ==========  ===========================================================
table          action      about
=============  ==========  ===========================================================
``national``   ``export``  a list of nationals written (CSV or XLSX)
``report``     ``printed`` the situation report or a hotel roster (PDF)
``trip``       ``export``  a trip's manifest as CSV (the PDF is ``printed``, with seats)
``bundle``     ``export``  a bundle written for a peer (record: the bundle's id)
``bundle``     ``import``  a bundle applied here (record: the bundle's id)
``bundle``     ``held``    a bundle kept until the ones before it arrive
``own_key``    ``export``  this post's public key file written
=============  ==========  ===========================================================
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from consuldesk.services.desk import Desk
from consuldesk.store.db import Tx
from consuldesk.store.errors import CaseFileError
from consuldesk.store.private import discard

BUNDLE = "bundle"
REPORT = "report"
EXPORT = "export"
IMPORT = "import"
HELD = "held"
PRINTED = "printed"

_READ_CHUNK = 1 << 20


def file_facts(path: Path) -> dict[str, Any]:
    """``{"file", "sha256", "bytes"}`` of a file just written (its name only: folders differ
    from one laptop to the next, and can say more than the trail needs)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with Path(path).open("rb") as fh:
            while chunk := fh.read(_READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return {"file": _shown_name(path)}
    return {"file": _shown_name(path), "sha256": digest.hexdigest(), "bytes": size}


def _shown_name(path: Path) -> str:
    """A file's name as text the trail can hold: a name in no encoding (bytes a USB stick's
    file system kept) has its undecodable bytes replaced, not a crash after the file is
    written."""
    return Path(path).name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def bytes_facts(name: str, data: bytes) -> dict[str, Any]:
    """:func:`file_facts` of bytes in hand (a bundle read or written whole)."""
    return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def record_file(
    desk: Desk,
    table: str,
    action: str,
    path: Path,
    *,
    record_id: str | None = None,
    **details: Any,
) -> None:
    """One event, in a transaction of its own, for a file just written from the case file.

    A case file that cannot be written (read-only, or refused after damage was found) still
    lets its people be exported or printed — the way to rescue them — without the event; the
    file is added to ``desk.unrecorded`` for the caller to say so. Any other failure to
    record it (another program holds the case file's lock) takes the file back: the caller
    is told to try again, and no file is left that the trail does not know of.
    """
    try:
        desk.casefile.check_pages()  # never a write into a damaged file (once a session)
        with desk.casefile.write(desk.officer) as tx:
            note_file(tx, table, action, file_facts(path), record_id=record_id, **details)
    except CaseFileError as exc:
        if exc.code not in CANNOT_RECORD:
            discard(Path(path))
            raise
        desk.unrecorded.append((str(path), exc.code))


#: Why a file written from the case file may go unrecorded: the case file takes no writes.
CANNOT_RECORD = frozenset(
    {
        "casefile.readonly",
        "casefile.readonly_folder",
        "casefile.write_refused",
        "casefile.corrupt",
        "casefile.disk_full",
    }
)


def note_file(
    tx: Tx,
    table: str,
    action: str,
    facts: dict[str, Any],
    *,
    record_id: str | None = None,
    **details: Any,
) -> str:
    """The event of :func:`record_file`, inside the caller's transaction; returns its id."""
    return tx.audit_about(table, action, {**facts, **details}, record_id)
