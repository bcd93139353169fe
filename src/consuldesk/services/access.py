"""Who may open a case file: encryption at rest, officer accounts and their roles, the login.

An encrypted case file opens only through an officer's account: the name finds their slot in
the keyring beside the file, the passphrase unwraps the file's data key (Argon2id), and the
account in the file gives the role (:data:`consuldesk.services.desk.ROLE_POWERS`). Every login,
recovery, account change and passphrase change is in the audit trail, under the real officer.

A plain case file (made before encryption, or by tests) opens as before, with every power; the
window and the CLI offer to encrypt it (:func:`encrypt_casefile`), which writes an encrypted
copy beside it, checks it row for row, and only then puts it in the plain file's place.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from consuldesk.services.desk import ROLES, Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import discard
from consuldesk.store import cipher
from consuldesk.store import keyring as kr
from consuldesk.store.db import CaseFile, Tx, backups_folder, translate_sqlite_error
from consuldesk.store.errors import CaseFileError
from consuldesk.store.models import OfficerAccount, utcnow
from consuldesk.store.private import make_private, private_dir

log = logging.getLogger(__name__)

#: Shortest passphrase an account takes (a sentence is better than a word).
MIN_PASSPHRASE = 10

#: ``progress(done, total, label)`` while a file is encrypted.
Progress = Callable[[int, int, str], object]


@dataclass(frozen=True)
class OfficerRow:
    """An officer account as the accounts list shows it."""

    name: str
    role: str
    created_at: datetime
    created_by: str
    disabled_at: datetime | None
    last_login_at: datetime | None
    has_passphrase: bool  # a slot in the keyring (False: disabled, or lost with the keyring)


def is_encrypted(path: Path) -> bool:
    """Whether the case file at ``path`` is encrypted (it exists and is not plain SQLite).

    Raises:
        CaseFileError: ``casefile.not_found``, ``casefile.empty`` (a file of 0 bytes),
            ``casefile.no_access`` (no permission to read it), ``casefile.io_error``.
    """
    if not path.exists():
        raise CaseFileError("casefile.not_found", path)
    if path.is_file() and path.stat().st_size == 0:
        raise CaseFileError("casefile.empty", path)
    try:
        return not cipher.has_plain_header(path)
    except PermissionError as exc:
        raise CaseFileError("casefile.no_access", path, detail=str(exc)) from exc
    except OSError as exc:
        raise CaseFileError("casefile.io_error", path, detail=str(exc)) from exc


def login_hint(path: Path) -> str | None:
    """The demo case file's login, printed on the login screen (``None`` for a real one)."""
    try:
        ring = kr.read_keyring(kr.keyring_path(path))
    except kr.KeyringError:
        return None
    return DEMO_OFFICER if ring.demo else None


#: The demo case file's officer and passphrase (fictional people; shown at its login).
DEMO_OFFICER, DEMO_PASSPHRASE = "Demo", "demo-passphrase"


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect a case file.

    Raises:
        ServiceError: ``account.passphrase_short`` (param ``minimum``).
    """
    if len(passphrase.strip()) < MIN_PASSPHRASE:
        raise ServiceError("account.passphrase_short", "passphrase", minimum=MIN_PASSPHRASE)


def _check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("account.name", "name")
    return cleaned


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ServiceError("account.role", "role", value=role)
    return role


# -- opening ---------------------------------------------------------------------------------


def login(path: Path, officer: str, passphrase: str, *, record_now: bool = True) -> Desk:
    """Open an encrypted case file as ``officer``. The login goes into the audit trail at
    once, or with ``record_now=False`` in the session's first change (a command-line command
    that only reads, or is refused, leaves the file as it was, byte for byte).

    Raises:
        KeyringError: ``keyring.missing``, ``keyring.damaged``, ``keyring.no_officer``,
            ``keyring.wrong_passphrase``.
        ServiceError: ``account.disabled`` (param ``name``).
        CaseFileError: see :meth:`CaseFile.open`.
    """
    ring = _keyring_of(path)
    key = kr.unwrap(ring, officer, passphrase, path)
    casefile = CaseFile.open(path, key=key)
    try:
        account = _account(casefile, officer)
        if account is None or account.disabled_at is not None:
            raise ServiceError("account.disabled", "name", name=officer)
        desk = Desk(casefile, account.name, role=account.role)
        if record_now:
            _record(desk, account.name, "login", {})
        else:
            name = account.name
            desk.pending_login = lambda tx: _write_event(tx, name, "login", {})
    except BaseException:
        casefile.close()
        raise
    return desk


def data_key(path: Path, officer: str, passphrase: str) -> bytes:
    """The data key of an encrypted case file, unwrapped with ``officer``'s passphrase,
    without opening the file: for its backups, and to restore a file too damaged to open.

    Raises:
        KeyringError: ``keyring.missing``, ``keyring.damaged``, ``keyring.no_officer``,
            ``keyring.wrong_passphrase``.
    """
    return kr.unwrap(_keyring_of(path), officer, passphrase, path)


def reopen(path: Path, officer: str, role: str, key: bytes | None) -> Desk:
    """Open again a case file this session had open (after a restore put a backup in its
    place): with the key and role of the login, which a restore does not change (backups are
    encrypted under the same key). A plain file opens as before.

    Raises:
        CaseFileError: see :meth:`CaseFile.open`.
    """
    if key is None:
        from consuldesk.services.casefile import open_casefile

        return open_casefile(path, officer)
    return Desk(CaseFile.open(path, key=key), officer, role=role)


def _keyring_of(path: Path) -> kr.Keyring:
    """The keyring beside the case file; when it is missing, the message names the copy kept
    in the backups folder (every backup writes one), to be put back.

    Raises:
        KeyringError: ``keyring.missing_copy`` (params ``copy``, ``target``) or
            ``keyring.missing``, ``keyring.damaged``.
    """
    try:
        return kr.read_keyring(kr.keyring_path(path))
    except kr.KeyringError as exc:
        copy = _kept_keyring(path)
        if exc.code == "keyring.missing" and copy is not None:
            raise kr.KeyringError(
                "keyring.missing_copy",
                path,
                copy=str(copy),
                target=str(kr.keyring_path(path)),
            ) from None
        raise


def _kept_keyring(path: Path) -> Path | None:
    from consuldesk.services.backups import backup_folder

    copy = kr.keyring_path(backup_folder(path) / "case")
    return copy if copy.is_file() else None


def open_with_recovery(path: Path, recovery: str, officer: str) -> Desk:
    """Open an encrypted case file with its printed recovery key, as ``officer`` with every
    power (headquarters approved it): the way back when every passphrase is lost, or the
    keyring with them. Set a passphrase next (:func:`reset_passphrase`).

    Raises:
        KeyringError: ``keyring.recovery_malformed``, ``keyring.recovery_wrong``.
        CaseFileError: see :meth:`CaseFile.open`.
    """
    key = kr.data_key_from_recovery(recovery, path)
    ring_path = kr.keyring_path(path)
    copy = _kept_keyring(path)
    if not ring_path.exists() and copy is not None:
        try:
            kept = kr.read_keyring(copy)
        except kr.KeyringError:
            kept = None
        if kept is not None and kr.key_matches(kept, key):
            # Every officer's slot comes back with it: only the one who recovers sets anew.
            kr.copy_keyring(copy, ring_path)
    if ring_path.exists():
        try:
            ring = kr.read_keyring(ring_path)
        except kr.KeyringError:
            ring = None  # a damaged keyring is what recovery is for
        if ring is not None and not kr.key_matches(ring, key):
            raise kr.KeyringError("keyring.recovery_wrong", path)
    try:
        readable = cipher.readable_with(path, key)
    except cipher.Error as exc:  # locked, a full disk, damaged pages: not the key
        raise translate_sqlite_error(exc, path) from exc
    if not readable:
        raise kr.KeyringError("keyring.recovery_wrong", path)
    casefile = CaseFile.open(path, key=key)
    desk = Desk(casefile, _check_name(officer), role="head")
    try:
        _record(desk, desk.officer, "recovery", {})
    except BaseException:
        casefile.close()
        raise
    return desk


def _account(casefile: CaseFile, name: str) -> OfficerAccount | None:
    with casefile.read() as session:
        return _named(session, name)


def _named(session: Session, name: str) -> OfficerAccount | None:
    """The account called ``name`` (any case, any spacing), closed or not."""
    return session.exec(
        select(OfficerAccount).where(OfficerAccount.name_key == kr.name_key(name))
    ).first()


def _record(desk: Desk, name: str, action: str, changes: dict[str, object]) -> None:
    """A login or recovery in the audit trail (written whatever the role: a viewer's login is
    recorded too); a read-only file opens without the record."""
    try:
        # Not into a file known to be damaged (then it is logged in to, to be read). Every
        # page is not read first: at 100,000 people that is 3 s of decryption per login, and
        # the one row written only touches the trail's last pages, which SQLite checks.
        if desk.casefile.damage is not None or desk.casefile.refused:
            return
        with desk.casefile.write(desk.officer) as tx:
            _write_event(tx, name, action, changes)
    except CaseFileError as exc:
        if exc.code not in _NOT_RECORDED:
            raise


def _write_event(tx: Tx, name: str, action: str, changes: dict[str, object]) -> None:
    """A login (the account's last login too) or another event about ``name``'s account."""
    account = _named(tx.session, name)
    if account is not None and action == "login":
        account.last_login_at = utcnow()
        tx.session.add(account)
    _audit(tx, account.id if account else name, action, changes)


#: A login is not refused for want of a record of it: the file is only read (read-only, full,
#: or damaged — then the window says so, and offers a backup).
_NOT_RECORDED = frozenset(
    {
        "casefile.readonly",
        "casefile.readonly_folder",
        "casefile.write_refused",
        "casefile.disk_full",
        "casefile.corrupt",
    }
)


def _audit(tx: Tx, record_id: str, action: str, changes: dict[str, object]) -> None:
    from consuldesk.store.models import AuditEvent

    tx.session.add(
        AuditEvent(  # type: ignore[call-arg]
            officer=tx.officer,
            post_code=tx.post_code,
            table_name="officer_account",
            record_id=record_id,
            action=action,
            changes=changes,
            version="",
        )
    )


# -- creating and converting -----------------------------------------------------------------


def new_encrypted(path: Path, officer: str, passphrase: str, *, demo: bool = False) -> bytes:
    """Write the keyring of a case file about to be made at ``path`` with one slot, for its
    first officer; returns the data key to create it with (:meth:`CaseFile.open` ``create``).
    """
    check_passphrase(passphrase)
    name = _check_name(officer)
    key = kr.new_data_key()
    ring = kr.with_slot(kr.new_keyring(key, demo=demo), key, name, passphrase)
    try:
        private_dir(path.parent)
        kr.write_keyring(kr.keyring_path(path), ring)
    except OSError as exc:
        raise _os_fault(exc, path) from exc
    return key


def _os_fault(exc: OSError, path: Path) -> CaseFileError:
    """What a failure to write beside the case file means, in the case file's words."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return CaseFileError("casefile.disk_full", path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return CaseFileError(
            "casefile.readonly_folder", path, folder=str(path.parent), detail=str(exc)
        )
    return CaseFileError("casefile.io_error", path, detail=str(exc))


def add_first_account(tx: Tx, officer: str) -> None:
    """The first officer of a new encrypted case file: head of the consular section."""
    name = _check_name(officer)
    account = OfficerAccount(  # type: ignore[call-arg]
        name=name, name_key=kr.name_key(name), role="head", created_by=name
    )
    tx.session.add(account)
    _audit(tx, account.id, "create", {"name": name, "role": "head"})


def encrypt_casefile(path: Path, officer: str, passphrase: str) -> str:
    """Encrypt a plain case file in place; returns the recovery key to print.

    An encrypted copy is written beside the file, the first officer's account added to it,
    and every table's row count compared with the plain file's and the copy's integrity
    checked; only then is the keyring written and the copy moved over the plain file (one
    rename: a power cut leaves one or the other). The plain file's backups are encrypted too.
    The file must not be open elsewhere (the window holds it).

    Raises:
        ServiceError: ``account.passphrase_short``, ``account.name``;
            ``casefile.encrypt_check`` (param ``detail``) when the copy does not match (the
            plain file is left as it was).
        CaseFileError: the file is not a plain case file, or cannot be read or written.
    """
    check_passphrase(passphrase)
    name = _check_name(officer)
    plain = CaseFile.open(path)  # checks it is a case file; upgrades an old one first
    if plain.key is not None:
        plain.close()
        raise CaseFileError("casefile.not_encrypted", path)
    plain.close()  # checkpoints the WAL into the file
    key = kr.new_data_key()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.encrypting")
    try:
        try:
            before = cipher.table_counts(path, None)
            cipher.export_copy(path, None, tmp, key)
            copy = CaseFile.open(tmp, key=key, backup=False)
            try:
                with copy.write(name) as tx:
                    add_first_account(tx, name)
            finally:
                copy.close()
            after = cipher.table_counts(tmp, key)
            ok, problem = cipher.integrity_ok(tmp, key)
        except cipher.Error as exc:
            raise _translate(exc, path) from exc
        # Opening and writing the copy adds the account, its audit event and facts in meta.
        added = {"meta", "officer_account", "audit_event", "change_author"}
        same = all(after.get(t) == n for t, n in before.items() if t not in added)
        if not ok or not same or after.get("audit_event", 0) <= before.get("audit_event", 0):
            raise ServiceError("casefile.encrypt_check", "", detail=problem or "row counts")
        ring = kr.with_slot(kr.new_keyring(key), key, name, passphrase)
        kr.write_keyring(kr.keyring_path(path), ring)
        for part in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            part.unlink(missing_ok=True)
        os.replace(tmp, path)
        make_private(path)
    except OSError as exc:
        raise _os_fault(exc, path) from exc
    finally:
        # The copy was closed with its WAL checkpointed: what is left beside it is empty.
        for part in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            discard(part)
    _encrypt_backups(path, key)
    return kr.recovery_text(key)


def _translate(exc: Exception, path: Path) -> CaseFileError:
    from consuldesk.store.db import translate_sqlite_error

    return translate_sqlite_error(exc, path)


def _encrypt_backups(path: Path, key: bytes) -> None:
    """Encrypt the plain copies kept of a case file just encrypted: its backups, and the
    copies kept before upgrades. One that cannot be read is left (it was damaged before)."""
    from consuldesk.services.backups import backup_folder

    folder = backup_folder(path)
    copies = list(folder.glob("*.consuldesk")) if folder.is_dir() else []
    copies += list(path.parent.glob(f"{path.name}.before-*"))
    for copy in copies:
        try:
            if not cipher.has_plain_header(copy):
                continue
            cipher.export_copy(copy, None, copy, key)
        except (OSError, cipher.Error):
            continue
    if folder.is_dir():
        kr.copy_keyring(kr.keyring_path(path), kr.keyring_path(folder / "case"))


# -- accounts --------------------------------------------------------------------------------


def list_officers(desk: Desk) -> list[OfficerRow]:
    """The officers of this case file, active ones first, by name."""
    ring = _ring(desk)
    with desk.casefile.read() as session:
        accounts = session.exec(select(OfficerAccount)).all()
    rows = [
        OfficerRow(
            a.name,
            a.role,
            a.created_at,
            a.created_by,
            a.disabled_at,
            a.last_login_at,
            ring is not None and ring.slot_for(a.name) is not None,
        )
        for a in accounts
    ]
    return sorted(rows, key=lambda r: (r.disabled_at is not None, kr.name_key(r.name)))


def add_officer(desk: Desk, name: str, role: str, passphrase: str) -> OfficerRow:
    """Give another officer an account (head only) with a first passphrase they change.

    Raises:
        ServiceError: ``role.denied``; ``account.name``, ``account.role``,
            ``account.passphrase_short``; ``account.exists`` (param ``name``).
    """
    desk.require("accounts")
    name, role = _check_name(name), _check_role(role)
    check_passphrase(passphrase)
    key, ring = _key_and_ring(desk)
    with _keyring_change(desk, ring) as write_ring, desk.write("accounts") as tx:
        existing = _named(tx.session, name)
        if existing is not None and existing.disabled_at is None:
            raise ServiceError("account.exists", "name", name=existing.name)
        if existing is not None:  # a disabled account comes back
            existing.disabled_at, existing.role = None, role
            account = existing
        else:
            account = OfficerAccount(  # type: ignore[call-arg]
                name=name, name_key=kr.name_key(name), role=role, created_by=desk.officer
            )
        tx.session.add(account)
        _audit(tx, account.id, "create", {"name": name, "role": role})
        # The slot is written last, inside the transaction: if it cannot be written, the
        # account is not made either.
        write_ring(kr.with_slot(ring, key, name, passphrase))
    return _row(desk, name)


def set_role(desk: Desk, name: str, role: str) -> OfficerRow:
    """Change an officer's role (head only); the last head cannot step down.

    Raises:
        ServiceError: ``role.denied``, ``account.role``, ``account.unknown`` (param ``name``),
            ``account.last_head``.
    """
    desk.require("accounts")
    role = _check_role(role)
    with desk.write("accounts") as tx:
        account = _live_account(tx, name)
        if account.role == "head" and role != "head":
            _keep_a_head(tx, account)
        old = account.role
        account.role = role
        tx.session.add(account)
        _audit(tx, account.id, "role", {"role": [old, role]})
    if kr.name_key(name) == kr.name_key(desk.officer):
        desk.role = role
    return _row(desk, name)


def disable_officer(desk: Desk, name: str) -> OfficerRow:
    """Close an officer's account (head only): their slot is removed from the keyring, so
    their passphrase opens nothing any more; their name stays in the audit trail.

    Raises:
        ServiceError: ``role.denied``, ``account.unknown``, ``account.last_head``,
            ``account.self`` (an officer does not disable their own account).
    """
    desk.require("accounts")
    if kr.name_key(name) == kr.name_key(desk.officer):
        raise ServiceError("account.self", "name", name=name)
    _key, ring = _key_and_ring(desk)
    with _keyring_change(desk, ring) as write_ring, desk.write("accounts") as tx:
        account = _live_account(tx, name)
        if account.role == "head":
            _keep_a_head(tx, account)
        account.disabled_at = utcnow()
        tx.session.add(account)
        _audit(tx, account.id, "disable", {})
        write_ring(kr.without_slot(ring, name))
    return _row(desk, name)


def change_passphrase(desk: Desk, old: str, new: str) -> None:
    """Change the officer's own passphrase (the old one proves it is them).

    Raises:
        KeyringError: ``keyring.wrong_passphrase``.
        ServiceError: ``account.passphrase_short``, ``account.passphrase_same``.
    """
    check_passphrase(new)
    if old == new:
        raise ServiceError("account.passphrase_same", "passphrase")
    key, ring = _key_and_ring(desk)
    kr.unwrap(ring, desk.officer, old, desk.path)  # raises on a wrong old passphrase
    # (any role changes their own passphrase)
    with _keyring_change(desk, ring) as write_ring, desk.casefile.write(desk.officer) as tx:
        account = _live_account(tx, desk.officer)
        _audit(tx, account.id, "passphrase", {})
        write_ring(kr.with_slot(ring, key, desk.officer, new))


def reset_passphrase(desk: Desk, name: str, new: str) -> None:
    """Set another officer's passphrase (head only: they forgot it), or one's own after a
    recovery.

    Raises:
        ServiceError: ``role.denied``, ``account.unknown``, ``account.passphrase_short``.
    """
    desk.require("accounts")
    check_passphrase(new)
    key, ring = _key_and_ring(desk)
    with _keyring_change(desk, ring) as write_ring, desk.write("accounts") as tx:
        account = _named(tx.session, name)
        if account is None and kr.name_key(name) == kr.name_key(desk.officer):
            add_first_account(tx, name)  # recovered with no account: the officer gets one
            account_id = "recovered"
        elif account is None or account.disabled_at is not None:
            raise ServiceError("account.unknown", "name", name=name)
        else:
            account_id = account.id
        _audit(tx, account_id, "passphrase_reset", {"name": name})
        write_ring(kr.with_slot(ring, key, name, new))


def verify_passphrase(desk: Desk, passphrase: str) -> bool:
    """Whether ``passphrase`` is the logged-in officer's (to unlock a locked window)."""
    ring = _ring(desk)
    if ring is None:
        return False
    return kr.passphrase_opens(ring, desk.officer, passphrase, desk.path)


def record_lock(desk: Desk, reason: str) -> None:
    """The window was locked (``reason``: ``idle`` or ``asked``), in the audit trail."""
    _record(desk, desk.officer, "lock", {"reason": reason})


def unlock(desk: Desk, passphrase: str) -> bool:
    """Unlock a locked window: whether ``passphrase`` is the officer's. Both an unlock and a
    refused attempt are in the audit trail (someone tried this laptop's lock)."""
    ok = verify_passphrase(desk, passphrase)
    _record(desk, desk.officer, "unlock" if ok else "unlock_refused", {})
    return ok


def recovery_key(desk: Desk, passphrase: str) -> str:
    """The recovery key to print for headquarters (head only, the passphrase asked again).

    Raises:
        ServiceError: ``role.denied``, ``casefile.plain`` (nothing to recover: not encrypted).
        KeyringError: ``keyring.wrong_passphrase``.
    """
    desk.require("accounts")
    key, ring = _key_and_ring(desk)
    kr.unwrap(ring, desk.officer, passphrase, desk.path)
    with desk.write("accounts") as tx:
        _audit(tx, desk.officer, "recovery_key", {})
    return kr.recovery_text(key)


# -- inside ----------------------------------------------------------------------------------


def _ring_path(desk: Desk) -> Path:
    return kr.keyring_path(desk.path)


@contextlib.contextmanager
def _keyring_change(desk: Desk, ring: kr.Keyring) -> Iterator[Callable[[kr.Keyring], None]]:
    """A keyring change made inside a write transaction: the function given writes the
    changed keyring (if it cannot be written, the transaction fails with it), and ``ring``,
    the keyring as it was, is put back when the transaction then fails to commit (a locked
    or read-only case file, a full disk). A passphrase the officer is told was not changed is
    still the one that opens the case file; an account not made has no slot."""
    written = False

    def write(changed: kr.Keyring) -> None:
        nonlocal written
        written = True
        _write_ring(desk, changed)

    try:
        yield write
    except BaseException:
        if written:
            try:
                _write_ring(desk, ring)
            except OSError:
                log.exception("the keyring could not be put back after a failed change")
        raise


def _write_ring(desk: Desk, ring: kr.Keyring) -> None:
    """Write the case file's keyring, and its copy in the backups folder when there is one:
    that copy opens every backup, so a passphrase changed or an account closed must open
    nothing there either. A copy that cannot be written fails the change with the rest."""
    path = _ring_path(desk)
    kr.write_keyring(path, ring)
    copy = kr.keyring_path(backups_folder(desk.path) / "case")
    if copy.exists():
        kr.copy_keyring(path, copy)


def _ring(desk: Desk) -> kr.Keyring | None:
    if desk.casefile.key is None:
        return None
    return kr.read_keyring(_ring_path(desk))


def _key_and_ring(desk: Desk) -> tuple[bytes, kr.Keyring]:
    key = desk.casefile.key
    if key is None:
        raise ServiceError("casefile.plain", "", path=str(desk.path))
    ring_path = _ring_path(desk)
    try:
        ring = kr.read_keyring(ring_path)
    except kr.KeyringError as exc:
        if exc.code != "keyring.missing":
            raise
        ring = kr.new_keyring(key)  # lost with the file open (recovery): made anew
    if not kr.key_matches(ring, key):
        raise kr.KeyringError("keyring.damaged", ring_path, detail="another file's keyring")
    return key, ring


def _live_account(tx: Tx, name: str) -> OfficerAccount:
    account = _named(tx.session, name)
    if account is None or account.disabled_at is not None:
        raise ServiceError("account.unknown", "name", name=name)
    return account


def _keep_a_head(tx: Tx, leaving: OfficerAccount) -> None:
    heads = tx.session.exec(
        select(OfficerAccount).where(
            OfficerAccount.role == "head",
            OfficerAccount.disabled_at.is_(None),  # type: ignore[union-attr]
            OfficerAccount.id != leaving.id,
        )
    ).first()
    if heads is None:
        raise ServiceError("account.last_head", "role", name=leaving.name)


def _row(desk: Desk, name: str) -> OfficerRow:
    return next(r for r in list_officers(desk) if kr.name_key(r.name) == kr.name_key(name))
