"""The bundle file: what one case file sends another, signed by the sender and encrypted to the
recipient (and to headquarters' escrow keys). ``docs/BUNDLE-FORMAT.md`` describes it for other
tools; this module writes and reads it, and checks everything that can be checked without the
case file (format, signature, hashes). Whose keys are trusted, and what the changes do, is the
concern of :mod:`consuldesk.services.sync`.

Inside the age encryption is a ZIP archive (stored uncompressed or deflated) with:

- ``manifest.json``: canonical JSON (see :func:`consuldesk.sync.keys.canonical`);
- ``manifest.sig``: the sender's Ed25519 signature of those bytes, base64;
- ``changes.jsonl``: one record a line, ``{"t": table, "id": id, "f": {field: [value,
  version, seen]}}``; in a record sent whole, a field as created is ``[value]``;
- ``statements.jsonl``: key statements (rotations, revocations, escrow keys), one a line;
- ``authors.jsonl``: who made the changes, ``[post, after, through, officer]`` a line: the
  officer of every write transaction whose versions (``after < version <= through``) the
  changes may hold;
- ``audit.jsonl`` (bundles for headquarters): audit events, one object a line
  (:data:`AUDIT_KEYS`), appended at the receiver as they are, never merged.

The manifest names the sender and the recipient with their key ids, and holds the SHA-256 and
size of the other files: a signature over it covers everything.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyrage

from consuldesk.sync import keys as k
from consuldesk.sync.errors import SyncError

FORMAT = "consuldesk-bundle"
VERSION = 1
SUFFIX = ".consuldesk-bundle"
CHANGES, STATEMENTS, AUTHORS, AUDIT, MANIFEST, SIGNATURE = (
    "changes.jsonl",
    "statements.jsonl",
    "authors.jsonl",
    "audit.jsonl",
    "manifest.json",
    "manifest.sig",
)
#: The keys of an audit event in ``audit.jsonl``: text, except ``changes`` (an object).
AUDIT_KEYS = ("id", "at", "officer", "post", "table", "record", "action", "changes", "version")
#: Where a case file's audit events stand: ``[local sequence, event id]`` of the newest event
#: sent (``audit.through``) or held (``audit_acks``); the id tells a sequence reused after a
#: restore from a backup.
AuditMark = list[Any]
#: A field change in a bundle: value, version, the version it replaced.
FieldChange = list[Any]


@dataclass(frozen=True)
class Record:
    """One record's changes: its table, id, and the changed fields. A record sent whole has
    every field and ``"*"`` (its creation); its fields as created are ``[value]``."""

    table: str
    id: str
    fields: dict[str, FieldChange]


@dataclass
class Manifest:
    """What a bundle says about itself; signed by the sender."""

    bundle_id: str
    sequence: int  # the n-th bundle from this sender to this recipient
    created: str
    schema: str
    sender: str
    sender_key: str
    recipient: str
    recipient_keys: list[str]
    escrow_keys: list[str]
    covers: dict[str, list[str]]  # origin post -> [after, through] of the changes inside
    requires: dict[str, str]  # origin post -> what the recipient must hold already
    acks: dict[str, str]  # origin post -> the newest change the sender holds from it
    counts: dict[str, int]  # table -> records
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> sha256, bytes
    # The sender's audit events inside: through which of its own (None: none inside).
    audit_through: AuditMark | None = None
    # Per post, the newest of its audit events the sender holds (the recipient's, echoed back).
    audit_acks: dict[str, AuditMark] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body = {
            "format": FORMAT,
            "version": VERSION,
            "bundle_id": self.bundle_id,
            "sequence": self.sequence,
            "created": self.created,
            "schema": self.schema,
            "sender": {"post": self.sender, "key_id": self.sender_key},
            "recipient": {"post": self.recipient, "key_ids": self.recipient_keys},
            "escrow": self.escrow_keys,
            "covers": self.covers,
            "requires": self.requires,
            "acks": self.acks,
            "counts": self.counts,
            "files": self.files,
        }
        # Only when there is something to say: a bundle without them reads as before.
        if self.audit_through is not None:
            body["audit"] = {"through": self.audit_through}
        if self.audit_acks:
            body["audit_acks"] = self.audit_acks
        return body

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Manifest:
        return cls(
            bundle_id=str(body["bundle_id"]),
            sequence=int(body["sequence"]),
            created=str(body["created"]),
            schema=str(body["schema"]),
            sender=str(body["sender"]["post"]),
            sender_key=str(body["sender"]["key_id"]),
            recipient=str(body["recipient"]["post"]),
            recipient_keys=[str(x) for x in body["recipient"]["key_ids"]],
            escrow_keys=[str(x) for x in body.get("escrow", [])],
            covers={str(n): [str(a), str(b)] for n, (a, b) in body["covers"].items()},
            requires={str(n): str(v) for n, v in body["requires"].items()},
            acks={str(n): str(v) for n, v in body["acks"].items()},
            counts={str(t): int(c) for t, c in body["counts"].items()},
            files={str(n): dict(v) for n, v in body["files"].items()},
            audit_through=_mark((body.get("audit") or {}).get("through")),
            audit_acks={
                str(n): m
                for n, v in (body.get("audit_acks") or {}).items()
                if (m := _mark(v)) is not None
            },
        )


def _is_time(text: str) -> bool:
    """Whether ``text`` is an ISO 8601 time (an audit event's ``at``)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _mark(value: Any) -> AuditMark | None:
    """An :data:`AuditMark` as a manifest holds it (``None``: absent)."""
    if value is None:
        return None
    sequence, event_id = value  # ValueError, TypeError: a damaged manifest
    return [int(sequence), str(event_id)]


def _lines(items: Iterable[Any]) -> bytes:
    """One compact UTF-8 JSON value a line."""
    return b"".join(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE) for item in items)


def write(
    manifest: Manifest,
    records: Iterable[Record],
    statements: Iterable[bytes],
    sender: k.SecretKeys,
    recipients: list[k.PublicKeys],
    authors: Iterable[list[str]] = (),
    audit: Iterable[dict[str, Any]] | None = None,
) -> bytes:
    """The bundle's bytes: the archive, signed by ``sender``, encrypted to ``recipients``.
    ``audit``: the audit events it carries (``None``: no ``audit.jsonl`` at all)."""
    changes = _lines({"t": r.table, "id": r.id, "f": r.fields} for r in records)
    signed = _lines(base64.b64encode(s).decode("ascii") for s in statements)
    who = _lines(authors)
    members = [(CHANGES, changes), (STATEMENTS, signed), (AUTHORS, who)]
    if audit is not None:
        members.append((AUDIT, _lines(audit)))
    manifest.files = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in members
    }
    head = k.canonical(manifest.body())
    signature = base64.b64encode(sender.sign(head))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(MANIFEST, head)
        z.writestr(SIGNATURE, signature)
        for name, data in members:
            z.writestr(name, data)
    return bytes(pyrage.encrypt(archive.getvalue(), [r.age_recipient() for r in recipients]))


@dataclass
class Opened:
    """A bundle decrypted and read; its signature is checked by :meth:`verify`."""

    manifest: Manifest
    head: bytes  # manifest.json as signed
    signature: bytes
    changes: bytes
    statements: bytes
    authors: bytes = b""
    audit: bytes = b""

    def verify(self, sender: k.PublicKeys) -> None:
        """Check the sender's signature and the files' hashes.

        Raises:
            SyncError: ``bundle.signature_bad``, ``bundle.damaged``.
        """
        if not sender.verify(self.head, self.signature):
            raise SyncError("bundle.signature_bad", post=self.manifest.sender)
        files = [(CHANGES, self.changes), (STATEMENTS, self.statements)]
        if AUTHORS in self.manifest.files or self.authors:
            files.append((AUTHORS, self.authors))
        if AUDIT in self.manifest.files or self.audit:
            files.append((AUDIT, self.audit))
        for name, data in files:
            expected = self.manifest.files.get(name, {})
            if expected.get("sha256") != hashlib.sha256(data).hexdigest() or expected.get(
                "bytes"
            ) != len(data):
                raise SyncError("bundle.damaged", detail=name)

    def records(self) -> Iterator[Record]:
        for line in self.changes.splitlines():
            try:
                item = orjson.loads(line)
                record = Record(str(item["t"]), str(item["id"]), dict(item["f"]))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError) as exc:
                raise SyncError("bundle.damaged", detail=CHANGES) from exc
            yield record

    def author_rows(self) -> list[list[str]]:
        """``[post, after, through, officer]`` rows (see the module's description)."""
        try:
            rows = [orjson.loads(line) for line in self.authors.splitlines() if line]
        except orjson.JSONDecodeError as exc:
            raise SyncError("bundle.damaged", detail=AUTHORS) from exc
        if not all(isinstance(r, list) and len(r) == 4 for r in rows):
            raise SyncError("bundle.damaged", detail=AUTHORS)
        return [[str(x) for x in r] for r in rows]

    def audit_events(self) -> list[dict[str, Any]]:
        """The audit events inside (:data:`AUDIT_KEYS`), each checked for shape.

        Raises:
            SyncError: ``bundle.damaged`` (detail ``audit.jsonl``).
        """
        events = []
        for line in self.audit.splitlines():
            if not line:
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise SyncError("bundle.damaged", detail=AUDIT) from exc
            if (
                not isinstance(item, dict)
                or not all(isinstance(item.get(k), str) for k in AUDIT_KEYS if k != "changes")
                or not isinstance(item.get("changes"), dict)
                or not item["id"]
                or not _is_time(item["at"])
            ):
                raise SyncError("bundle.damaged", detail=AUDIT)
            events.append(item)
        return events

    def key_statements(self) -> list[bytes]:
        """The key statements carried (each still to be checked against its signer).

        Raises:
            SyncError: ``bundle.damaged``: a line is not a JSON string of base64.
        """
        statements = []
        for line in self.statements.splitlines():
            if not line:
                continue
            try:
                text = orjson.loads(line)
                if not isinstance(text, str):
                    raise TypeError(type(text).__name__)
                statements.append(base64.b64decode(text, validate=True))
            except (orjson.JSONDecodeError, TypeError, ValueError) as exc:  # binascii.Error too
                raise SyncError("bundle.damaged", detail=STATEMENTS) from exc
        return statements


def open_bundle(data: bytes, identities: list[k.SecretKeys]) -> Opened:
    """Decrypt and read a bundle (not yet verified).

    Raises:
        SyncError: ``bundle.empty``, ``bundle.not_bundle`` (not an age file),
            ``bundle.not_for_us`` (not encrypted to these keys, or its header altered),
            ``bundle.cut_or_altered`` (age detects both),
            ``bundle.damaged``, ``bundle.format_unsupported``.
    """
    if not data:
        raise SyncError("bundle.empty")
    if not data.startswith(b"age-encryption.org/v1\n"):
        raise SyncError("bundle.not_bundle")
    try:
        plain = bytes(pyrage.decrypt(data, [i.identity for i in identities]))
    except pyrage.DecryptError as exc:
        # age tells "none of these keys" (the header names other recipients) from a payload
        # that does not decrypt to its end (cut short, or altered).
        if "no matching keys" in str(exc).lower():
            raise SyncError("bundle.not_for_us") from exc
        raise SyncError("bundle.cut_or_altered") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(plain)) as z:
            head = z.read(MANIFEST)
            signature = base64.b64decode(z.read(SIGNATURE), validate=True)
            changes = z.read(CHANGES)
            statements = z.read(STATEMENTS)
            names = z.namelist()
            authors = z.read(AUTHORS) if AUTHORS in names else b""
            audit = z.read(AUDIT) if AUDIT in names else b""
        body = json.loads(head.decode("utf-8"))
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,  # a member cut short
        NotImplementedError,  # a compression method zipfile does not read
        RuntimeError,  # a member encrypted with a zip password; JSON nested too deep
        KeyError,
        ValueError,
        UnicodeDecodeError,
        OverflowError,
    ) as exc:
        raise SyncError("bundle.damaged", detail=type(exc).__name__) from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise SyncError("bundle.not_bundle")
    if body.get("version") != VERSION:
        raise SyncError("bundle.format_unsupported", version=str(body.get("version")))
    try:
        manifest = Manifest.from_body(body)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise SyncError("bundle.damaged", detail=MANIFEST) from exc
    return Opened(manifest, head, signature, changes, statements, authors, audit)


def names_in(file_name: str) -> tuple[str, str] | None:
    """``(sender, recipient)`` as a bundle's file name says them (a hint only: a file can be
    renamed), or ``None``."""
    if not file_name.endswith(SUFFIX) or "-to-" not in file_name:
        return None
    sender, _, rest = file_name.partition("-to-")
    parts = rest[: -len(SUFFIX)].rsplit("-", 3)  # recipient, date, time, n…
    if len(parts) != 4 or not sender or not parts[0]:
        return None
    return sender, parts[0]


def file_name(manifest: Manifest) -> str:
    """``IR-THR-to-KZ-HQ-20261206-0512-n000004.consuldesk-bundle``: whose, for whom, when, which."""
    stamp = manifest.created.replace("-", "").replace(":", "")[:13].replace("T", "-")
    return f"{manifest.sender}-to-{manifest.recipient}-{stamp}-n{manifest.sequence:06d}{SUFFIX}"
