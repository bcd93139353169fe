"""Keys and peers: this case file's keys, and the keys of the case files it exchanges bundles with.

A post creates its keys once (:func:`create_keys`), sealed under a passphrase, and hands its
public key file to headquarters (:func:`export_public_key`). Each side enrols the other's file
(:func:`enrol_peer`) only once the officers have read the fingerprint to each other over the
phone and it matched. Later changes need no phone call: a rotation is vouched for by the old key,
a revocation is signed by the post or by headquarters, an escrow recipient by headquarters
(:func:`receive_statement`); the statements made here are kept for the bundles to carry.

Every change is one transaction and leaves an audit event (``own_key`` or ``peer_key``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from consuldesk.services.audited import EXPORT, bytes_facts, note_file
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import file_in, os_reason, write_bytes_atomically, written_to
from consuldesk.store.db import Tx
from consuldesk.store.models import KeyStatement, OwnKey, PeerKey, Post, utcnow
from consuldesk.sync import keys as k
from consuldesk.sync.errors import SyncError

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"
BY_FINGERPRINT = "fingerprint"
#: The largest public key file read (they are under 1 KB).
_MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class KeyRow:
    """A key as the officer sees it: whose, which, since when, and whether it is in use."""

    post: str
    name: str
    role: str
    key_id: str
    fingerprint: str
    status: str
    own: bool
    since: datetime
    trusted_by: str  # "fingerprint", "own", or the key id of the statement's signer
    ended_at: datetime | None = None
    reason: str | None = None


def _post(session: Session, desk: Desk) -> Post:
    code = desk.casefile.post_code_in(session)
    post = session.exec(select(Post).where(Post.code == code)).first()
    if post is None:  # every opened case file has its post (open_casefile checks)
        raise SyncError("keys.unknown_post", post=code, enrolled="—")
    return post


def _own_row(key: OwnKey, post: Post) -> KeyRow:
    return KeyRow(
        post.code,
        post.name,
        "headquarters" if post.is_headquarters else "post",
        key.key_id,
        key.fingerprint,
        key.status,
        True,
        key.created_at,
        "own",
        key.ended_at,
        key.reason,
    )


def _peer_row(peer: PeerKey) -> KeyRow:
    return KeyRow(
        peer.post_code,
        peer.post_name,
        peer.role,
        peer.key_id,
        peer.fingerprint,
        peer.status,
        False,
        peer.enrolled_at,
        peer.trusted_by,
        peer.ended_at,
        peer.reason,
    )


def _audit(tx: Tx, table: str, record_id: str, action: str, changes: dict[str, Any]) -> None:
    tx.audit_bulk(
        [
            {
                "table_name": table,
                "record_id": record_id,
                "action": action,
                "changes": changes,
                "version": str(tx.clock.now()),
            }
        ]
    )


def _active_own(session: Session) -> OwnKey | None:
    return session.exec(select(OwnKey).where(OwnKey.status == ACTIVE)).first()


def _known_statement(session: Session, data: bytes) -> bool:
    digest = hashlib.sha256(data).hexdigest()
    return (
        session.exec(select(KeyStatement).where(KeyStatement.digest == digest)).first() is not None
    )


def _keep_statement(tx: Tx, data: bytes, statement: k.Statement, *, made_here: bool) -> bool:
    """Keep a statement for the bundles to carry; ``False`` when it was already kept."""
    if _known_statement(tx.session, data):
        return False
    digest = hashlib.sha256(data).hexdigest()
    tx.session.add(
        KeyStatement(
            kind=statement.kind,
            subject=statement.subject,
            key_id=statement.key,
            body=data,
            digest=digest,
            made_here=made_here,
        )
    )
    return True


# -- this case file's keys ---------------------------------------------------------------------


def create_keys(desk: Desk, passphrase: str) -> KeyRow:
    """Create this post's keys, sealed under ``passphrase``.

    Raises:
        SyncError: ``keys.exist`` (this case file has keys: rotate them instead),
            ``keys.passphrase_short``.
    """
    if desk.casefile.key is None:  # an encrypted case file seals them under its own key
        k.check_passphrase(passphrase)
    with desk.write("keys") as tx:
        existing = _active_own(tx.session)
        if existing is not None:
            raise SyncError("keys.exist", fingerprint=existing.fingerprint)
        post = _post(tx.session, desk)
        role: k.Role = "headquarters" if post.is_headquarters else "post"
        secret = k.generate(post.code, post.name, role, utcnow(), post.host_country)
        row = _store_own(tx, secret, passphrase, desk.casefile.key)
        return _own_row(row, post)


def _seal(secret: k.SecretKeys, passphrase: str, data_key: bytes | None) -> bytes:
    """Sealed under the case file's data key when it is encrypted (one login opens the file
    and the keys), else under the keys' own passphrase."""
    if data_key is not None:
        return k.seal_with_file_key(secret, data_key)
    return k.seal(secret, passphrase)


def _store_own(
    tx: Tx, secret: k.SecretKeys, passphrase: str, data_key: bytes | None = None
) -> OwnKey:
    row = OwnKey(
        key_id=secret.public.key_id,
        fingerprint=secret.public.fingerprint,
        public_file=secret.public_file(),
        sealed=_seal(secret, passphrase, data_key),
        created_by=tx.officer,
    )
    tx.session.add(row)
    _audit(tx, "own_key", row.id, "create", {"key_id": [None, row.key_id]})
    return row


def own_keys(desk: Desk) -> list[KeyRow]:
    """This case file's keys, the active one first, then retired and revoked ones, newest first."""
    with desk.casefile.read() as session:
        post = _post(session, desk)
        rows = session.exec(select(OwnKey).order_by(col(OwnKey.created_at).desc())).all()
        return sorted((_own_row(r, post) for r in rows), key=lambda r: r.status != ACTIVE)


def unlock(desk: Desk, passphrase: str | None) -> k.SecretKeys:
    """This post's active keys, unsealed (``passphrase`` ``None``: as unsealed earlier in this
    session, see :func:`unlock_all`).

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``, ``keys.sealed_damaged``,
            ``keys.locked``.
    """
    with desk.casefile.read() as session:
        if _active_own(session) is None:
            raise SyncError("keys.none")
    return unlock_all(desk, passphrase)[0]  # the active key comes first


#: Tags the passphrase that unsealed a session's keys, so a later call can check it without
#: scrypt (a random key for this process only: the tag reveals nothing of the passphrase).
_SESSION_SECRET = os.urandom(32)


@dataclass(frozen=True)
class _Unlocked:
    sealed: tuple[bytes, ...]
    tag: bytes
    keys: list[k.SecretKeys]


def unlock_all(desk: Desk, passphrase: str | None) -> list[k.SecretKeys]:
    """The active keys first, then the retired ones (which open bundles sent before a
    rotation), unsealed.

    Unsealing costs about 2 s (scrypt, on purpose): the keys stay unsealed for the rest of the
    session (until the case file is closed or :func:`forget_unlocked`), and a later call with
    the same passphrase (or ``None``) and the same sealed keys returns them at once. A wrong
    passphrase is still refused.

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``, ``keys.sealed_damaged``;
            ``keys.locked`` when ``passphrase`` is ``None`` and the keys are not unsealed.
    """
    with desk.casefile.read() as session:
        sealed = tuple(
            r.sealed
            for r in session.exec(
                select(OwnKey)
                .where(col(OwnKey.status).in_((ACTIVE, RETIRED)))
                .order_by(col(OwnKey.status), col(OwnKey.created_at).desc())
            )
        )
    if not sealed:
        raise SyncError("keys.none")
    held = desk.unlocked if isinstance(desk.unlocked, _Unlocked) else None
    if held is not None and held.sealed != sealed:
        held = None  # rotated, revoked or sealed anew since: unseal again
    data_key = desk.casefile.key
    if data_key is not None:
        return _unlock_with_file_key(desk, sealed, data_key, passphrase)
    if passphrase is None:
        if held is None:
            raise SyncError("keys.locked")
        return list(held.keys)
    tag = hmac.new(_SESSION_SECRET, passphrase.encode("utf-8"), hashlib.sha256).digest()
    if held is not None and hmac.compare_digest(held.tag, tag):
        return list(held.keys)
    keys = [k.unseal(s, passphrase) for s in sealed]
    desk.unlocked = _Unlocked(sealed, tag, keys)
    return list(keys)


def _unlock_with_file_key(
    desk: Desk, sealed: tuple[bytes, ...], data_key: bytes, passphrase: str | None
) -> list[k.SecretKeys]:
    """The keys of an encrypted case file: the login opened them. Keys sealed under a
    passphrase before the file was encrypted need it once; they are then sealed under the
    file's key, so the next login opens them too."""
    if all(k.sealed_with_file_key(s) for s in sealed):
        keys = [k.unseal_with_file_key(s, data_key) for s in sealed]
        desk.unlocked = _Unlocked(sealed, b"", keys)
        return list(keys)
    if passphrase is None:
        raise SyncError("keys.locked")
    with desk.write("keys") as tx:
        for row in tx.session.exec(select(OwnKey)).all():
            if not k.sealed_with_file_key(row.sealed):
                row.sealed = k.seal_with_file_key(k.unseal(row.sealed, passphrase), data_key)
                tx.session.add(row)
        _audit(tx, "own_key", "all", "sealed_by_login", {})
    return unlock_all(desk, None)


def is_unlocked(desk: Desk) -> bool:
    """Whether this session holds the keys unsealed (a ``None`` passphrase will do)."""
    try:
        unlock_all(desk, None)
    except SyncError:
        return False
    return True


def forget_unlocked(desk: Desk) -> None:
    """Forget the keys unsealed in this session: the next use asks for the passphrase's
    scrypt again (a locked window)."""
    desk.unlocked = None


def public_key_file(desk: Desk) -> tuple[str, bytes]:
    """A suggested file name and the bytes of this post's public key file.

    Raises:
        SyncError: ``keys.none``.
    """
    with desk.casefile.read() as session:
        row = _active_own(session)
        if row is None:
            raise SyncError("keys.none")
        post = _post(session, desk)
        return f"{post.code}-{row.key_id[:8]}{k.PUBLIC_SUFFIX}", row.public_file


def export_public_key(desk: Desk, target: Path) -> Path:
    """Write this post's public key file to ``target``: a file, or a folder (a USB stick) to
    write it into under its suggested name. Written whole or not at all.

    Raises:
        SyncError: ``keys.none``.
        ServiceError: ``file.no_folder``, ``file.write``.
    """
    name, data = public_key_file(desk)
    path = file_in(target, name, k.PUBLIC_SUFFIX)
    written = written_to(path, lambda: write_bytes_atomically(path, data))
    with desk.casefile.write(desk.officer) as tx:
        own = _active_own(tx.session)
        note_file(
            tx,
            "own_key",
            EXPORT,
            bytes_facts(path.name, data),
            record_id=own.id if own is not None else None,
            key_id=own.key_id if own is not None else "",
        )
    return written


def change_passphrase(desk: Desk, old: str, new: str) -> None:
    """Seal every key of this case file under a new passphrase (all or none).

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``, ``keys.passphrase_short``.
    """
    if desk.casefile.key is not None:
        unlock_all(desk, old)  # seals any older keys under the file's key
        raise SyncError("keys.sealed_by_login")
    k.check_passphrase(new)
    with desk.write("keys") as tx:
        rows = tx.session.exec(select(OwnKey)).all()
        if not rows:
            raise SyncError("keys.none")
        for row in rows:
            row.sealed = k.seal(k.unseal(row.sealed, old), new)
            tx.session.add(row)
        _audit(tx, "own_key", rows[0].id, "passphrase", {})


def rotate_keys(desk: Desk, passphrase: str) -> KeyRow:
    """New keys for this post; the old ones vouch for them in a statement the next bundles
    carry, and stay (retired) to open bundles sent to them before.

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``.
    """
    old = unlock(desk, passphrase)
    with desk.write("keys") as tx:
        post = _post(tx.session, desk)
        new = k.generate(post.code, post.name, old.public.role, utcnow(), post.host_country)
        _end_own(tx, old, k.rotation(old, new, utcnow()), RETIRED, "rotated")
        return _own_row(_store_own(tx, new, passphrase, desk.casefile.key), post)


def _end_own(tx: Tx, old: k.SecretKeys, statement: bytes, status: str, reason: str) -> None:
    """Retire or revoke this post's active keys ``old``, keeping the statement that says so."""
    current = _active_own(tx.session)
    if current is None or current.key_id != old.public.key_id:
        raise SyncError("keys.none")  # changed meanwhile by another window
    current.status, current.ended_at, current.reason = status, utcnow(), reason
    tx.session.add(current)
    action = {RETIRED: "retire", REVOKED: "revoke"}[status]
    _audit(tx, "own_key", current.id, action, {"status": [ACTIVE, status]})
    _keep_statement(tx, statement, k.read_statement(statement)[0], made_here=True)


def revoke_own_key(desk: Desk, passphrase: str, reason: str) -> KeyRow:
    """Revoke this post's keys (a laptop or a passphrase that may be known to others) and make
    new ones at once: the revocation, signed by the old keys, travels in the next bundles, and
    peers take no bundle signed by the old keys after it.

    Returns:
        The new keys: peers enrol them by fingerprint (a revoked key vouches for nothing).

    Raises:
        SyncError: ``keys.none``, ``keys.passphrase_wrong``.
    """
    old = unlock(desk, passphrase)
    with desk.write("keys") as tx:
        post = _post(tx.session, desk)
        why = reason.strip()
        revocation = k.revocation(old, post.code, old.public.key_id, why, utcnow())
        _end_own(tx, old, revocation, REVOKED, why)
        new = k.generate(post.code, post.name, old.public.role, utcnow(), post.host_country)
        return _own_row(_store_own(tx, new, passphrase, desk.casefile.key), post)


# -- peers -------------------------------------------------------------------------------------


def read_key_file(path: Path) -> k.PublicKeys:
    """The keys in a public key file, checked, to show their fingerprint before enrolling.

    Raises:
        SyncError: ``keys.not_key_file``, ``keys.format_unsupported``, ``keys.signature_bad``.
        ServiceError: ``file.read`` (no such file, no permission).
    """
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise ServiceError("file.read", "path", path=str(path), reason=os_reason(exc)) from exc
    if len(data) > _MAX_KEY_FILE:
        raise SyncError("keys.not_key_file", path=str(path))
    return k.read_public_keys(data, path=str(path))[0]


def enrolment_of(desk: Desk, public: k.PublicKeys) -> str:
    """What enrolling these keys would do, said before anyone reads a fingerprint out:
    ``"new"``, or ``"known"`` (enrolled already: nothing to do).

    Raises:
        SyncError: ``keys.own_post`` (this case file's own key file), ``keys.revoked``.
    """
    with desk.casefile.read() as session:
        own = _post(session, desk)
        if public.post == own.code:
            raise SyncError("keys.own_post", post=public.post)
        known = session.exec(select(PeerKey).where(PeerKey.key_id == public.key_id)).first()
        if known is not None:
            if known.status == REVOKED:
                raise SyncError("keys.revoked", post=known.post_code, fingerprint=known.fingerprint)
            return "known"
    return "new"


def enrol_peer(desk: Desk, path: Path, fingerprint: str, *, replace: bool = False) -> KeyRow:
    """Trust the keys in a public key file, once the officers compared their fingerprint.

    ``fingerprint`` is what the officer typed as the other side read it out: it must be the
    file's. Enrolling the same keys again changes nothing. A post that already has other active
    keys here keeps them unless ``replace`` (its keys were lost; otherwise their rotation
    arrives by itself, vouched for by the old keys).

    Raises:
        SyncError: ``keys.fingerprint_mismatch``, ``keys.own_post``, ``keys.peer_changed``,
            ``keys.revoked`` and the errors of :func:`read_key_file`.
    """
    public = read_key_file(path)
    digits = sum(ch.isdigit() for ch in fingerprint)
    if digits != 25:
        raise SyncError("keys.fingerprint_length", digits=digits)
    if not k.same_fingerprint(fingerprint, public.fingerprint):
        raise SyncError("keys.fingerprint_mismatch", post=public.post, fingerprint=fingerprint)
    with desk.write("keys") as tx:
        own = _post(tx.session, desk)
        if public.post == own.code:
            raise SyncError("keys.own_post", post=public.post)
        known = tx.session.exec(select(PeerKey).where(PeerKey.key_id == public.key_id)).first()
        if known is not None:
            if known.status == REVOKED:
                raise SyncError("keys.revoked", post=known.post_code, fingerprint=known.fingerprint)
            return _peer_row(known)
        active = _active_peers(tx.session, public.post)
        if active and not replace:
            raise SyncError(
                "keys.peer_changed",
                post=public.post,
                old=active[0].fingerprint,
                new=public.fingerprint,
            )
        for old in active:
            _end_peer(tx, old, RETIRED, "replaced by hand")
        return _peer_row(_add_peer(tx, public, BY_FINGERPRINT))


def _active_peers(session: Session, post: str) -> list[PeerKey]:
    return list(
        session.exec(
            select(PeerKey).where(
                PeerKey.post_code == post, PeerKey.status == ACTIVE, PeerKey.role != "escrow"
            )
        ).all()
    )


def _add_peer(tx: Tx, public: k.PublicKeys, trusted_by: str) -> PeerKey:
    row = PeerKey(
        post_code=public.post,
        post_name=public.name,
        role=public.role,
        host_country=public.country,
        key_id=public.key_id,
        fingerprint=public.fingerprint,
        signing_key=public.signing_key,
        recipient=public.recipient,
        trusted_by=trusted_by,
        enrolled_by=tx.officer,
    )
    tx.session.add(row)
    _audit(
        tx,
        "peer_key",
        row.id,
        "create",
        {
            "post_code": [None, row.post_code],
            "key_id": [None, row.key_id],
            "trusted_by": [None, trusted_by],
        },
    )
    return row


def _end_peer(tx: Tx, peer: PeerKey, status: str, reason: str) -> None:
    old = peer.status
    peer.status, peer.ended_at, peer.reason = status, utcnow(), reason
    tx.session.add(peer)
    action = {RETIRED: "retire", REVOKED: "revoke"}[status]
    _audit(tx, "peer_key", peer.id, action, {"status": [old, status], "reason": [None, reason]})


def peers(desk: Desk) -> list[KeyRow]:
    """The keys this case file trusts or trusted, by post, active ones first."""
    with desk.casefile.read() as session:
        rows = session.exec(select(PeerKey)).all()
    return sorted(
        (_peer_row(r) for r in rows),
        key=lambda r: (r.post, r.status != ACTIVE, -r.since.timestamp()),
    )


def trusted_keys(desk: Desk, post: str) -> list[k.PublicKeys]:
    """The active keys of ``post`` that may sign what it sends (for checking a bundle)."""
    with desk.casefile.read() as session:
        return [_public_of(p) for p in _active_peers(session, post)]


def recipients(desk: Desk, post: str) -> list[k.PublicKeys]:
    """Whom a bundle for ``post`` is encrypted to: its active keys and every escrow recipient.

    Raises:
        SyncError: ``keys.unknown_post`` (params ``post``, ``enrolled``) when ``post`` has no
            active keys here; ``bundle.to_own_post`` when it is this case file's own post.
    """
    with desk.casefile.read() as session:
        keys = [_public_of(p) for p in _active_peers(session, post)]
        if not keys:
            if post.upper() == desk.casefile.post_code_in(session).upper():
                raise SyncError("bundle.to_own_post", post=post)
            enrolled = sorted(
                {
                    p.post_code
                    for p in session.exec(select(PeerKey).where(PeerKey.status == ACTIVE))
                    if p.role != "escrow"
                }
            )
            raise SyncError("keys.unknown_post", post=post, enrolled=", ".join(enrolled) or "—")
        escrow = session.exec(
            select(PeerKey).where(PeerKey.role == "escrow", PeerKey.status == ACTIVE)
        ).all()
        return keys + [_public_of(p) for p in escrow]


def _public_of(peer: PeerKey) -> k.PublicKeys:
    return k.PublicKeys(
        peer.post_code,
        peer.post_name,
        peer.role,  # type: ignore[arg-type]
        peer.signing_key,
        peer.recipient,
        k._stamp(peer.enrolled_at),
    )


def revoke_peer(desk: Desk, passphrase: str | None, key: str, reason: str) -> KeyRow:
    """Stop trusting a peer's key (its laptop was seized). At headquarters the revocation is
    signed and travels to every post in the next bundles.

    ``key`` is the key id, or the start of its fingerprint (digits, at least 5).

    Raises:
        SyncError: ``keys.unknown`` and the errors of :func:`unlock` (headquarters only).
    """
    with desk.casefile.read() as session:
        peer = _find_peer(session, key)
        hq = _post(session, desk).is_headquarters
    signer = unlock(desk, passphrase) if hq else None
    with desk.write("keys") as tx:
        row = tx.session.get(PeerKey, peer.id)
        if row is None:
            raise SyncError("keys.unknown", key=key)
        if row.status != REVOKED:
            _end_peer(tx, row, REVOKED, reason.strip())
            if signer is not None:
                data = k.revocation(signer, row.post_code, row.key_id, reason.strip(), utcnow())
                statement, _, _ = k.read_statement(data)
                _keep_statement(tx, data, statement, made_here=True)
        return _peer_row(row)


def _find_peer(session: Session, key: str) -> PeerKey:
    wanted = key.strip().lower()
    digits = "".join(ch for ch in key if ch.isdigit())
    rows = session.exec(select(PeerKey)).all()
    found = [r for r in rows if r.key_id == wanted] or (
        # The start of the key id, as key file names show it (at least 8 hex digits).
        [r for r in rows if r.key_id.startswith(wanted)]
        if len(wanted) >= 8 and all(ch in "0123456789abcdef" for ch in wanted)
        else []
    )
    if not found and len(digits) >= 5:
        found = [r for r in rows if r.fingerprint.replace(" ", "").startswith(digits)]
    if len(found) != 1:
        raise SyncError("keys.unknown", key=key)
    return found[0]


def add_escrow(desk: Desk, passphrase: str | None, recipient: str) -> KeyRow:
    """Headquarters adds an escrow recipient (an age public key whose identity it keeps
    offline): every bundle is then encrypted to it too, and the posts learn it from the signed
    statement the next bundles carry.

    Raises:
        SyncError: ``keys.escrow_not_hq``, ``keys.not_recipient`` and those of :func:`unlock`.
    """
    with desk.casefile.read() as session:
        post = _post(session, desk)
    if not post.is_headquarters:
        raise SyncError("keys.escrow_not_hq")
    escrow = k.escrow_recipient(recipient, post=post.code, created=utcnow())
    signer = unlock(desk, passphrase)
    with desk.write("keys") as tx:
        known = tx.session.exec(select(PeerKey).where(PeerKey.key_id == escrow.key_id)).first()
        if known is not None:
            return _peer_row(known)
        data = k.escrow_statement(signer, escrow, utcnow())
        statement, _, _ = k.read_statement(data)
        _keep_statement(tx, data, statement, made_here=True)
        return _peer_row(_add_peer(tx, escrow, signer.public.key_id))


def statements(desk: Desk) -> list[bytes]:
    """Every key statement this case file holds, oldest first (what bundles carry)."""
    with desk.casefile.read() as session:
        return [s.body for s in session.exec(select(KeyStatement).order_by(col(KeyStatement.at)))]


def receive_statements(desk: Desk, received: Iterable[bytes]) -> list[KeyRow]:
    """Apply key statements that came in a bundle, in one transaction.

    A statement counts only when signed by a key trusted here that may make it: a rotation by
    the post's own active key, a revocation by the post's key or headquarters', an escrow
    recipient by headquarters'. A statement seen before changes nothing. Statements about this
    case file's own keys are kept but change nothing (the post knows its own keys).

    Returns:
        The keys that changed.

    Raises:
        SyncError: ``keys.statement_signer`` (no trusted key may sign it),
            ``keys.not_key_file``, ``keys.format_unsupported``.
    """
    with desk.write("keys") as tx:
        return receive_statements_in(tx, _post(tx.session, desk).code, received)


def receive_statements_in(
    tx: Tx, own: str, received: Iterable[bytes], *, strict: bool = True
) -> list[KeyRow]:
    """:func:`receive_statements` inside an open transaction (a bundle's import).

    Not ``strict``, a statement no trusted key may make is passed over instead of refused: a
    bundle from headquarters relays the statements of every post, also of posts this case file
    does not know (the bundle itself is signed; each statement still needs its own signer).
    """
    changed: list[KeyRow] = []
    for data in received:
        statement, body, signature = k.read_statement(data)
        if _known_statement(tx.session, data):
            continue  # checked and applied when it first came (its signer may be retired)
        signer = _signer(tx.session, statement)
        if signer is None or not k.verify_statement(body, signature, _public_of(signer)):
            if not strict:
                continue
            raise SyncError(
                "keys.statement_signer", post=statement.subject, signer=statement.signed_by
            )
        if not _keep_statement(tx, data, statement, made_here=False):
            continue
        if statement.subject == own and statement.kind != "escrow":
            continue
        changed.extend(_apply_statement(tx, statement, signer))
    return changed


def _signer(session: Session, statement: k.Statement) -> PeerKey | None:
    """The trusted key that signed ``statement``, if it may make it."""
    signer = session.exec(select(PeerKey).where(PeerKey.key_id == statement.signed_by)).first()
    if signer is None or signer.role == "escrow":
        return None
    if statement.kind == "rotate":
        ok = signer.post_code == statement.subject and signer.key_id == statement.key
        return signer if ok and signer.status == ACTIVE else None
    if statement.kind == "revoke":
        ok = signer.post_code == statement.subject or signer.role == "headquarters"
        return signer if ok and signer.status != REVOKED else None
    return signer if signer.role == "headquarters" and signer.status == ACTIVE else None


def _apply_statement(tx: Tx, statement: k.Statement, signer: PeerKey) -> list[KeyRow]:
    session = tx.session
    if statement.kind == "revoke":
        row = session.exec(select(PeerKey).where(PeerKey.key_id == statement.key)).first()
        if row is None or row.status == REVOKED:
            return []
        _end_peer(tx, row, REVOKED, statement.reason)
        return [_peer_row(row)]
    assert statement.new is not None
    if session.exec(select(PeerKey).where(PeerKey.key_id == statement.new.key_id)).first():
        return []
    if statement.kind == "rotate":
        _end_peer(tx, signer, RETIRED, "rotated")
    return [_peer_row(_add_peer(tx, statement.new, signer.key_id))]
