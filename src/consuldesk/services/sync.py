"""Sync by bundles: export what a peer lacks to a file, import a peer's file, and keep count.

A bundle carries every change the recipient has not acknowledged yet (so a lost USB stick
costs nothing: the next bundle carries it again), the key statements, and the sender's
acknowledgements (the newest change it holds from each post). It is signed by the sender,
encrypted to the recipient's keys and headquarters' escrow keys, and names both (see
:mod:`consuldesk.sync.bundle` and ``docs/BUNDLE-FORMAT.md``).

Importing checks everything before it writes anything: a bundle that is not for this case file,
from a sender not enrolled or revoked, altered, cut short, of a newer schema, is refused and the
case file stays as it was. A bundle that needs changes this case file does not hold yet (a gap)
is held and says which; it applies by itself when a later import fills the gap, or when the
officer forces it. Otherwise a backup is taken and the bundle applies in one transaction:
fields merge one by one, conflicts are queued for an officer (:func:`conflicts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from consuldesk.messages import describe
from consuldesk.services import audited
from consuldesk.services import keys as key_service
from consuldesk.services.audited import note_file
from consuldesk.services.backups import take_backup
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import (
    discard,
    file_in,
    os_reason,
    write_bytes_atomically,
    written_to,
)
from consuldesk.store import retention as store_retention
from consuldesk.store.db import META_HLC, Tx, gc_paused, read_meta
from consuldesk.store.errors import CaseFileError
from consuldesk.store.migrate import head_revision
from consuldesk.store.models import (
    HeldBundle,
    KeyStatement,
    SyncConflict,
    SyncPeer,
    new_id,
    utcnow,
)
from consuldesk.sync import audit as sync_audit
from consuldesk.sync import bundle as b
from consuldesk.sync import exchange, scope
from consuldesk.sync import keys as k
from consuldesk.sync.errors import SyncError

# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    """A bundle written: where, its manifest, and how much it holds."""

    path: Path
    manifest: b.Manifest
    records: int
    size: int


@dataclass
class Imported:
    """What importing a bundle did (or, for a preview, would do)."""

    manifest: b.Manifest
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    deleted: dict[str, int] = field(default_factory=dict)  # table -> records deleted here
    merged: dict[str, int] = field(default_factory=dict)  # table -> records merged into others
    conflicts: int = 0
    flagged: int = 0
    keys_changed: int = 0
    held: bool = False
    missing: dict[str, list[str]] = field(default_factory=dict)  # node -> [have, need]
    last_received: int = 0  # the sender's last bundle applied here before this one
    backup: Path | None = None
    also_applied: list[str] = field(default_factory=list)  # held bundles applied after it
    preview: bool = False
    audit_events: int = 0  # audit events of other posts' trails new here
    # People the sender anonymised whose details were changed here meanwhile: the fields
    # changed here, gone with the anonymisation (by record id).
    edits_anonymised: dict[str, list[str]] = field(default_factory=dict)

    @property
    def nothing_new(self) -> bool:
        """Everything in the bundle was here already (the same bundle again, an older one)."""
        return not (
            self.held
            or self.created
            or self.updated
            or self.deleted
            or self.merged
            or self.conflicts
            or self.keys_changed
            or self.edits_anonymised
        )


@dataclass(frozen=True)
class PeerStatus:
    """One peer as the Sync page and ``sync status`` show it."""

    post: str
    name: str
    role: str
    sent_sequence: int
    received_sequence: int
    last_sent_at: datetime | None
    last_received_at: datetime | None
    last_change: str | None  # the newest change of its own it sent (an HLC version)
    held: int
    open_conflicts: int  # open conflicts one side of which that post made
    key_status: str = "active"  # of its newest key: active, retired, revoked (none: "none")

    @property
    def changes_up_to(self) -> datetime | None:
        """When the newest change of its own that it sent was made (its freshness)."""
        return _made(self.last_change)[1] if self.last_change else None


# -- helpers -------------------------------------------------------------------------------


def _own(desk: Desk) -> tuple[str, str]:
    """This case file's post code and the newest version it has issued."""
    with desk.casefile.read() as session:
        return desk.casefile.post_code_in(session), read_meta(session, META_HLC) or ""


def _peer(session: Any, post: str) -> SyncPeer:
    return session.get(SyncPeer, post) or SyncPeer(post_code=post, acked={})


def _merge_max(a: dict[str, str], b_: dict[str, str]) -> dict[str, str]:
    out = dict(a)
    for node, version in b_.items():
        if version > out.get(node, ""):
            out[node] = version
    return out


# -- export --------------------------------------------------------------------------------


def export_bundle(
    desk: Desk,
    passphrase: str | None,
    peer: str,
    target: Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> Exported:
    """Write a bundle for ``peer`` into the folder ``target`` (or to the file ``target``).

    The file is written under a temporary name, flushed, read back and compared, then renamed:
    a half-written bundle never looks complete, and a full USB stick leaves nothing behind.

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``, ``keys.unknown_post`` (the peer
            has no enrolled keys here).
        ServiceError: ``file.no_folder``, ``file.write`` (a full or pulled-out stick).
    """
    desk.require("bundle")
    cancel = cancel or CancelFlag()
    return _export(desk, key_service.unlock(desk, passphrase), peer, target, progress, cancel)


def export_to_all(desk: Desk, passphrase: str | None, target: Path) -> list[Exported]:
    """A bundle for every enrolled peer into the folder ``target`` (the keys unsealed once):
    headquarters' morning round.

    Raises:
        ServiceError: ``sync.partly_written`` when a bundle after the first could not be
            written (a stick full after two of five): the ones written are on the stick and
            counted as sent, and the message names them, the one that failed and why, and
            those not tried. A failure at the first bundle is raised as it is.
    """
    desk.require("bundle")
    sender = key_service.unlock(desk, passphrase)
    peers = sorted(
        {r.post for r in key_service.peers(desk) if r.role != "escrow" and r.status == "active"}
    )
    done: list[Exported] = []
    for at, peer in enumerate(peers):
        try:
            done.append(_export(desk, sender, peer, target, no_progress, CancelFlag()))
        except (ServiceError, CaseFileError, SyncError) as exc:
            if not done:
                raise
            raise ServiceError(
                "sync.partly_written",
                "target",
                written=", ".join(d.manifest.recipient for d in done),
                files=", ".join(d.path.name for d in done),
                failed=peer,
                reason=describe(exc),
                left=", ".join(peers[at + 1 :]),
            ) from exc
    return done


def _export(
    desk: Desk,
    sender: k.SecretKeys,
    peer: str,
    target: Path,
    progress: Progress,
    cancel: CancelFlag,
) -> Exported:
    recipients = key_service.recipients(desk, peer)
    file_in(target, b.SUFFIX, b.SUFFIX, replace=False)  # said before the work
    own, own_last = _own(desk)
    progress(0, 3, "sync.collect")
    everything = any(r.role == "headquarters" for r in recipients if r.post == peer)
    audit_events: list[dict[str, Any]] | None = None
    audit_through: b.AuditMark | None = None
    with gc_paused(), desk.casefile.read() as session:
        if everything:  # the trail travels to headquarters (and to no post)
            audit_events, audit_through = sync_audit.events_after(
                session, sync_audit.acked_by(session, peer)
            )
        audit_acks = sync_audit.acks_for(session, peer)
        state = _peer(session, peer)
        held = exchange.knowledge(session, own, own_last)
        if everything:  # headquarters holds everything
            collected = exchange.collect(session, state.acked, held.keys())
        else:  # a post holds what concerns its country, and what it already has
            has = scope.held_by(session, peer)
            collected = exchange.collect(
                session,
                state.acked,
                held.keys(),
                scope=scope.concerning(session, peer, scope.country_of(session, peer), has),
                held=has,
                peer=peer,
                holding=held,
            )
        statements = [
            s.body for s in session.exec(select(KeyStatement).order_by(col(KeyStatement.at)))
        ]
    cancel.check()
    progress(1, 3, "sync.write")
    peer_keys = [r.key_id for r in recipients if r.role != "escrow"]
    escrow = [r.key_id for r in recipients if r.role == "escrow"]
    manifest = b.Manifest(
        bundle_id=new_id(),
        sequence=state.sent_sequence + 1,
        created=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        schema=head_revision(),
        sender=own,
        sender_key=sender.public.key_id,
        recipient=peer,
        recipient_keys=peer_keys,
        escrow_keys=escrow,
        covers=collected.covers,
        requires={n: v for n, v in state.acked.items() if v},
        acks=held,
        counts=collected.counts,
        audit_through=audit_through,
        audit_acks=audit_acks,
    )
    data = b.write(
        manifest,
        collected.records,
        statements,
        sender,
        recipients,
        collected.authors,
        audit=audit_events,
    )
    cancel.check()
    path = file_in(target, b.file_name(manifest), b.SUFFIX, replace=False)
    written_to(path, lambda: write_bytes_atomically(path, data, verify=True))
    try:
        with desk.write("bundle") as tx:
            row = _peer(tx.session, peer)
            scope.note_held(tx.session, peer, collected.whole)
            row.sent_sequence = manifest.sequence
            row.last_sent_at = utcnow()
            tx.session.add(row)
            note_file(
                tx,
                audited.BUNDLE,
                audited.EXPORT,
                audited.bytes_facts(path.name, data),
                record_id=manifest.bundle_id,
                recipient=peer,
                sequence=manifest.sequence,
                records=len(collected.records),
                audit_events=len(audit_events or ()),
            )
    except BaseException:
        discard(path)  # not counted as sent: not left behind either
        raise
    progress(3, 3, "sync.write")
    return Exported(path, manifest, len(collected.records), len(data))


# -- import --------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ServiceError("file.read", "path", path=str(path), reason=os_reason(exc)) from exc


def _named(desk: Desk, error: SyncError, path: Path, data: bytes = b"") -> SyncError:
    """A bundle not encrypted to this case file, said with whose it is by its file name: one
    this case file made itself, or one for another post. A post's key file picked instead of
    a bundle is named as one."""
    if error.code == "bundle.not_bundle" and data:
        try:
            public, _signature = k.read_public_keys(data, path=str(path))
        except SyncError:
            return error
        return SyncError("bundle.key_file", path=str(path), post=public.post)
    names = b.names_in(path.name)
    if error.code != "bundle.not_for_us" or names is None:
        return error
    own, _ = _own(desk)
    sender, recipient = names
    if sender == own:
        return SyncError("bundle.own", post=recipient)
    if recipient != own:
        return SyncError("bundle.for_other", post=recipient, sender=sender, own=own)
    return error


def _open_checked(desk: Desk, identities: list[k.SecretKeys], data: bytes) -> b.Opened:
    """Decrypt and check a bundle against this case file; raise before anything is written."""
    opened = b.open_bundle(data, identities)
    m = opened.manifest
    own, _ = _own(desk)
    mine = {i.public.key_id for i in identities}
    if m.recipient != own or not mine & set(m.recipient_keys):
        raise SyncError("bundle.wrong_recipient", post=m.recipient, sender=m.sender)
    if m.schema > head_revision():
        raise SyncError("bundle.schema_newer", schema=m.schema, sender=m.sender)
    sender = _sender_key(desk, m.sender, m.sender_key, opened.key_statements())
    opened.verify(sender)
    return opened


def _sender_key(
    desk: Desk, post: str, key_id: str, statements: list[bytes] | None = None
) -> k.PublicKeys:
    """The key that signed a bundle: an enrolled one (active, or retired by a rotation: bundles
    made before it), never a revoked one; or new keys the sender rotated to, vouched for by a
    rotation statement in the bundle itself, signed by its enrolled key (the first bundle after
    a rotation). The statement is applied with the bundle."""
    from consuldesk.store.models import PeerKey

    with desk.casefile.read() as session:
        row = session.exec(select(PeerKey).where(PeerKey.key_id == key_id)).first()
    trusted = {p.key_id: p for p in key_service.trusted_keys(desk, post)}
    if row is not None and row.post_code == post and row.role != "escrow":
        if row.status == key_service.REVOKED:
            raise SyncError("bundle.sender_revoked", post=post, reason=row.reason or "—")
        return key_service._public_of(row)
    # Follow the bundle's rotations from an enrolled key to the signer (several in a row).
    for _ in range(len(statements or [])):
        moved = False
        for data in statements or []:
            try:
                statement, body, signature = k.read_statement(data)
            except SyncError:
                continue
            signer = trusted.get(statement.signed_by)
            if (
                statement.kind == "rotate"
                and statement.subject == post
                and statement.new is not None
                and signer is not None
                and statement.key == signer.key_id
                and statement.new.key_id not in trusted
                and k.verify_statement(body, signature, signer)
            ):
                trusted[statement.new.key_id] = statement.new
                moved = True
        if key_id in trusted:
            return trusted[key_id]
        if not moved:
            break
    raise SyncError("bundle.sender_unknown", post=post)


def _missing(desk: Desk, m: b.Manifest) -> dict[str, list[str]]:
    own, own_last = _own(desk)
    with desk.casefile.read() as session:
        held = exchange.knowledge(session, own, own_last)
    return {
        node: [held.get(node, ""), need]
        for node, need in m.requires.items()
        if node != own and need > held.get(node, "")
    }


def import_bundle(
    desk: Desk,
    passphrase: str | None,
    path: Path,
    *,
    force: bool = False,
    preview: bool = False,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> Imported:
    """Check a bundle and apply it (see the module's description).

    Args:
        force: apply a bundle with a gap anyway (the changes it lacks arrive later, and merge
            then as they would have).
        preview: do everything but keep it: the result says what would change.
        progress, cancel: reports while applying; cancelling rolls everything back.

    Raises:
        SyncError: ``bundle.*`` refusals, and the errors of unlocking the keys.
        ServiceError: ``file.read``.
        CaseFileError: the case file is locked or full; nothing was written.
    """
    data = _read(path)
    desk.require("bundle")
    identities = key_service.unlock_all(desk, passphrase)
    try:
        opened = _open_checked(desk, identities, data)
    except SyncError as exc:
        raise _named(desk, exc, path, data) from exc.__cause__
    m = opened.manifest
    missing = _missing(desk, m)
    facts = audited.bytes_facts(path.name, data)
    if missing and not force and not preview:
        _hold(desk, m, data, missing, facts)
        with desk.casefile.read() as session:
            last = _peer(session, m.sender).received_sequence
        return Imported(m, held=True, missing=missing, last_received=last)
    result = _apply(desk, opened, preview=preview, progress=progress, cancel=cancel, facts=facts)
    result.missing = missing
    if not preview:
        result.also_applied = _apply_held(desk, identities)
        desk.casefile.refresh_statistics()  # a big bundle changes what the planner should know
    return result


class _Preview(Exception):
    """Raised to roll a preview back."""


def _apply(
    desk: Desk,
    opened: b.Opened,
    *,
    preview: bool,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
    facts: dict[str, Any] | None = None,
) -> Imported:
    m = opened.manifest
    result = Imported(m, preview=preview)
    if not preview:
        result.backup = _backup(desk, f"before-{m.sender}-n{m.sequence:06d}")
    try:
        _apply_in_transaction(desk, opened, result, preview, progress, cancel, facts or {})
    except BaseException:
        if result.backup is not None:
            result.backup.unlink(missing_ok=True)  # nothing changed: nothing to go back to
        raise
    if result.nothing_new and result.backup is not None:
        result.backup.unlink(missing_ok=True)  # nothing to go back to
        result.backup = None
    return result


def _apply_in_transaction(
    desk: Desk,
    opened: b.Opened,
    result: Imported,
    preview: bool,
    progress: Progress,
    cancel: CancelFlag | None,
    facts: dict[str, Any],
) -> None:
    m = opened.manifest
    events = opened.audit_events()  # a damaged line refuses the bundle before any write
    try:
        # A large bundle is millions of small objects: collector passes over them cost more
        # than the merge itself.
        with gc_paused(), desk.write("bundle") as tx:
            own = desk.casefile.post_code_in(tx.session)
            changed = key_service.receive_statements_in(
                tx, own, opened.key_statements(), strict=False
            )
            before = exchange.knowledge(tx.session, own, "")
            applied = exchange.apply(
                tx,
                opened.records(),
                m.bundle_id,
                m.sender,
                before,
                sender_knows=m.acks,
                progress=progress,
                check=cancel.check if cancel is not None else None,
                authors=opened.author_rows(),
            )
            result.created = dict(applied.created)
            result.updated = dict(applied.updated)
            result.deleted = dict(applied.deleted)
            result.merged = dict(applied.merged)
            result.unchanged = applied.unchanged
            result.conflicts = len(applied.conflicts)
            result.flagged = applied.flagged
            result.edits_anonymised = dict(applied.edits_anonymised)
            scope.note_held(tx.session, m.sender, applied.foreign)
            result.keys_changed = len(changed)
            through = {node: span[1] for node, span in m.covers.items()}
            exchange.learn(tx.session, _merge_max(applied.newest, through))
            # Restored from a backup: our own changes it holds have come back with it.
            exchange.close_own_gap(tx.session, own, m.acks.get(own, ""), through.get(own))
            result.audit_events = sync_audit.keep(tx, events)
            if result.audit_events:
                # Events about a person anonymised here lose their personal values on arrival.
                about: dict[str, set[str]] = {}
                for event in events:
                    about.setdefault(event["table"], set()).add(event["record"])
                store_retention.redact_anonymised(tx, about)
            _note_received(tx, m, own)
            note_file(
                tx,
                audited.BUNDLE,
                audited.IMPORT,
                facts,
                record_id=m.bundle_id,
                sender=m.sender,
                sequence=m.sequence,
                new=result.created,
                changed=result.updated,
                deleted=result.deleted,
                merged=result.merged,
                conflicts=result.conflicts,
                audit_events=result.audit_events,
            )
            held = tx.session.get(HeldBundle, m.bundle_id)
            if held is not None:
                tx.session.delete(held)
            if preview:
                raise _Preview
    except _Preview:
        pass


def _note_received(tx: Tx, m: b.Manifest, own: str) -> None:
    peer = _peer(tx.session, m.sender)
    if m.sequence > peer.received_sequence:
        # What it holds now, said by its newest bundle: less than before when it restored a
        # backup. Then what it lost (its own changes too) is sent to it again.
        peer.acked = dict(m.acks)
    else:  # an older bundle brought back tells nothing it did not hold already
        peer.acked = _merge_max(peer.acked or {}, m.acks)
    if m.sequence >= peer.received_sequence:  # an old bundle brought back is not news
        peer.last_received_at = utcnow()
        peer.last_bundle_made = _made_at(m.created, peer.last_received_at)
        # A mark without the events it marks (never written so) acknowledges nothing.
        through = m.audit_through if b.AUDIT in m.files else None
        sync_audit.note_received(tx.session, m.sender, own, through, m.audit_acks)
    peer.received_sequence = max(peer.received_sequence, m.sequence)
    own_span = m.covers.get(m.sender)
    if own_span and own_span[1] > (peer.last_change or ""):
        peer.last_change = own_span[1]
    tx.session.add(peer)


def _made_at(created: str, received: datetime) -> datetime | None:
    """When a bundle says it was made (UTC); a sender's clock ahead of ours is read as made
    when it arrived, never in the future; unreadable: unknown."""
    try:
        made = datetime.fromisoformat(created)
    except ValueError:
        return None
    made = made.replace(tzinfo=UTC) if made.tzinfo is None else made.astimezone(UTC)
    return min(made, received)


def _hold(
    desk: Desk,
    m: b.Manifest,
    data: bytes,
    missing: dict[str, list[str]],
    facts: dict[str, Any],
) -> None:
    with desk.write("bundle") as tx:
        if tx.session.get(HeldBundle, m.bundle_id) is None:
            note_file(
                tx,
                audited.BUNDLE,
                audited.HELD,
                facts,
                record_id=m.bundle_id,
                sender=m.sender,
                sequence=m.sequence,
                missing={n: need for n, (_, need) in missing.items()},
            )
            tx.session.add(
                HeldBundle(
                    bundle_id=m.bundle_id,
                    sender=m.sender,
                    sequence=m.sequence,
                    missing={n: need for n, (_, need) in missing.items()},
                    content=data,
                )
            )


def _apply_held(desk: Desk, identities: list[k.SecretKeys]) -> list[str]:
    """Apply the held bundles whose gaps are filled now, oldest first, until none is.

    The bundle just imported is written by then: one held that cannot be applied now (its
    backup finds the disk full) stays held for the next import, and the import is not
    reported failed."""
    applied: list[str] = []
    progress = True
    while progress:
        progress = False
        with desk.casefile.read() as session:
            held = list(session.exec(select(HeldBundle).order_by(col(HeldBundle.sequence))))
        for row in held:
            try:
                opened = _open_checked(desk, identities, row.content)
            except SyncError:
                continue  # its sender was revoked meanwhile: it stays held, for an officer
            if _missing(desk, opened.manifest):
                continue
            facts = audited.bytes_facts(b.file_name(opened.manifest), row.content)
            try:
                _apply(desk, opened, preview=False, facts=facts)
            except (CaseFileError, ServiceError):
                return applied  # nothing of it was written; it waits, held, as it did
            applied.append(row.bundle_id)
            progress = True
    return applied


def held_bundles(desk: Desk) -> list[HeldBundle]:
    """Bundles waiting for the ones before them."""
    with desk.casefile.read() as session:
        return list(session.exec(select(HeldBundle).order_by(col(HeldBundle.received_at))))


def inspect_bundle(desk: Desk, passphrase: str | None, path: Path) -> Imported:
    """What a bundle holds and would change here, without keeping anything."""
    return import_bundle(desk, passphrase, path, preview=True)


# -- backups -------------------------------------------------------------------------------


def _backup(desk: Desk, label: str) -> Path:
    """A consistent copy of the case file in its backups folder, before an import (not while
    another program holds the case file: the import would be refused after the copy)."""
    desk.casefile.wait_for_write_lock()
    return take_backup(desk, label)


# -- status and conflicts ------------------------------------------------------------------


def sync_status(desk: Desk) -> list[PeerStatus]:
    """Every enrolled peer with its freshness: sequences, when, the newest change received."""
    peers: dict[str, Any] = {}
    for r in key_service.peers(desk):  # by post, the active key first, else the newest
        if r.role != "escrow":
            peers.setdefault(r.post, r)
    with desk.casefile.read() as session:
        states = {p.post_code: p for p in session.exec(select(SyncPeer))}
        held = [h.sender for h in session.exec(select(HeldBundle))]
        open_conflicts = session.exec(
            select(SyncConflict).where(SyncConflict.status == "open")
        ).all()
    out = []
    for post in sorted(set(peers) | set(states)):
        state = states.get(post) or SyncPeer(post_code=post, acked={})
        key = peers.get(post)
        out.append(
            PeerStatus(
                post=post,
                name=key.name if key else post,
                role=key.role if key else "post",
                sent_sequence=state.sent_sequence,
                received_sequence=state.received_sequence,
                last_sent_at=state.last_sent_at,
                last_received_at=state.last_received_at,
                last_change=state.last_change,
                held=held.count(post),
                open_conflicts=sum(
                    post in (_made(c.kept_version)[0], _made(c.other_version)[0])
                    for c in open_conflicts
                ),
                key_status=key.status if key else "none",
            )
        )
    return out


def conflicts(desk: Desk, *, open_only: bool = True) -> list[SyncConflict]:
    """The conflicts queued by imports, newest first."""
    with desk.casefile.read() as session:
        query = select(SyncConflict).order_by(col(SyncConflict.detected_at).desc())
        if open_only:
            query = query.where(SyncConflict.status == "open")
        return list(session.exec(query))


@dataclass(frozen=True)
class ConflictRow:
    """A conflict as an officer reads it: whose record, which field, both values, who made
    each, where and when, and the value before them."""

    id: str
    table: str
    record_id: str
    record: str  # the person's name, the household's or hotel's name, else the table
    field: str
    kept_value: Any
    kept_where: str  # the post that made it
    kept_when: datetime | None
    other_value: Any
    other_where: str
    other_when: datetime | None
    detected_at: datetime
    status: str
    kept_by: str | None = None  # the officer, where known
    other_by: str | None = None
    before_value: Any = None
    before_known: bool = False  # whether this case file knows the value before
    resolved_by: str | None = None  # the officer, or "officer (post)" when settled elsewhere
    resolved_value: Any = None  # the value chosen


def _made(version: str) -> tuple[str, datetime | None]:
    from consuldesk.domain import versions as fv
    from consuldesk.domain.hlc import Timestamp

    try:
        stamp = Timestamp.parse(version)
    except ValueError:
        return fv.node_of(version) if version.count(".") >= 2 else "", None
    return stamp.node, datetime.fromtimestamp(stamp.wall_ms / 1000, UTC)


def conflict_rows(desk: Desk, *, open_only: bool = True) -> list[ConflictRow]:
    """:func:`conflicts`, with the name of each record and where and when each value was
    made."""
    from consuldesk.domain.names import display_name
    from consuldesk.store.models import Hotel, Household, National

    found = conflicts(desk, open_only=open_only)
    names: dict[str, str] = {}
    with desk.casefile.read() as session:
        for c in found:
            if c.record_id in names:
                continue
            row: Any = None
            if c.table_name == "national":
                row = session.get(National, c.record_id)
                if row is not None:
                    names[c.record_id] = display_name(
                        row.surname_cyr or row.surname_lat,
                        row.given_names_cyr or row.given_names_lat,
                    )
            elif c.table_name in ("household", "hotel"):
                row = session.get(Household if c.table_name == "household" else Hotel, c.record_id)
                if row is not None:
                    names[c.record_id] = row.name
    out = []
    for c in found:
        kept_where, kept_when = _made(c.kept_version)
        other_where, other_when = _made(c.other_version)
        out.append(
            ConflictRow(
                id=c.id,
                table=c.table_name,
                record_id=c.record_id,
                record=names.get(c.record_id, f"{c.table_name} {c.record_id[:8]}"),
                field=c.field,
                kept_value=c.kept_value,
                kept_where=kept_where,
                kept_when=kept_when,
                other_value=c.other_value,
                other_where=other_where,
                other_when=other_when,
                detected_at=c.detected_at,
                status=c.status,
                kept_by=c.kept_by,
                other_by=c.other_by,
                before_value=c.before_value,
                before_known=c.before_known,
                resolved_by=c.resolved_by,
                resolved_value=c.resolved_value,
            )
        )
    return out


def resolve_conflict(
    desk: Desk, conflict_id: str, *, keep_other: bool = False, keep_both: bool = False
) -> SyncConflict:
    """Settle a conflict: keep the value the case file holds, take the other one, or (phones
    and notes, :func:`~consuldesk.domain.edits.both_values`) keep both. Each way it is an
    ordinary change of the field, which travels in the next bundles and settles the same
    conflict at every case file that queued it.

    Raises:
        SyncError: ``sync.conflict_unknown``, ``sync.conflict_resolved``,
            ``sync.conflict_not_both`` (a field whose values cannot be kept together).
    """
    from consuldesk.domain.edits import BOTH_KEEPABLE, both_values
    from consuldesk.sync.exchange import MODELS, _from_wire

    with desk.write("bundle") as tx:
        conflict = tx.session.get(SyncConflict, conflict_id)
        if conflict is None:
            raise SyncError("sync.conflict_unknown", id=conflict_id)
        if conflict.status != "open":
            raise SyncError("sync.conflict_resolved", id=conflict_id)
        model = MODELS[conflict.table_name]
        row = tx.session.get(model, conflict.record_id)
        if row is None:
            raise SyncError("sync.conflict_unknown", id=conflict_id)
        column = next(c for c in exchange._columns(model) if c.name == conflict.field)
        if keep_both and conflict.field not in BOTH_KEEPABLE:
            raise SyncError("sync.conflict_not_both", target=conflict.field)
        if keep_both:
            value = both_values(conflict.field, conflict.kept_value, conflict.other_value)
        else:
            value = conflict.other_value if keep_other else conflict.kept_value
        current = getattr(row, conflict.field)
        new = _from_wire(column, value)
        # Written even when unchanged: a new version that saw both settles it everywhere.
        if current != new:
            tx.update(row, {conflict.field: new}, action="resolve")
        else:
            _touch(tx, row, conflict.field)
        conflict.status = "resolved"
        conflict.resolved_at = utcnow()
        conflict.resolved_by = desk.officer
        conflict.resolved_value = value
        tx.session.add(conflict)
        tx.changes.note("updated", "sync_conflict", conflict.id)
        return conflict


def _touch(tx: Tx, row: Any, name: str) -> None:
    """Give a field a new version with its value unchanged (a resolution keeping it)."""
    from consuldesk.domain import versions as fv

    version = tx.stamp(row)
    row.field_versions = fv.bump(row.field_versions, [name], version)
    tx.session.add(row)
    value = exchange._to_wire(getattr(row, name))
    tx.audit(row, "resolve", {name: [value, value]}, version)
