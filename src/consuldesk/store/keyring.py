"""The keyring beside an encrypted case file: the data key, wrapped once per officer.

A case file is encrypted with one random 256-bit *data key* (:mod:`consuldesk.store.cipher`).
The keyring (``<case file>.keyring``, JSON, mode 600) holds that key wrapped in *slots*, like a
LUKS header: each officer's slot wraps it under a key derived from their passphrase with
Argon2id (memory-hard: 64 MiB, 3 passes, about 0.25 s), sealed with AES-256-GCM whose
associated data binds the slot to this keyring and to its officer. Changing a passphrase
rewrites one slot; the file itself is not touched.

Officers' names are not written in the clear: a slot carries a hash of the name under the
keyring's own salt, so the login finds the one slot to try, and a stolen laptop's keyring does
not list the consulate's staff.

The *recovery key* is the data key itself, printed once in groups of letters with a checksum,
for headquarters' safe: it opens the file (and every backup made with the same key) when every
officer's passphrase is lost or the keyring is destroyed. It never lives on the laptop.

Everything here is written atomically (temporary file, fsync, rename): a power cut leaves the
old keyring or the new one, never half of one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from consuldesk.store.cipher import KEY_BYTES
from consuldesk.store.private import discard, make_private

FORMAT = "consuldesk-keyring"
VERSION = 1
SUFFIX = ".keyring"

#: Argon2id cost of new slots (RFC 9106's second recommendation, with 64 MiB). Existing slots
#: keep the cost they were made with: it is written in each slot.
MEMORY_KIB, ITERATIONS, LANES = 64 * 1024, 3, 4
#: ``CONSULDESK_KDF_MEMORY_KIB`` lowers the memory of new slots on a small machine (and in the
#: test suite); never below this.
MIN_MEMORY_KIB = 8 * 1024
KDF_MEMORY_ENV = "CONSULDESK_KDF_MEMORY_KIB"


class KeyringError(Exception):
    """The keyring cannot be used.

    Codes: ``keyring.missing`` (no keyring beside an encrypted file), ``keyring.damaged``
    (``detail``), ``keyring.no_officer`` (``name``: no slot for this name),
    ``keyring.wrong_passphrase`` (``name``), ``keyring.recovery_malformed`` (``detail``),
    ``keyring.recovery_wrong``, ``keyring.exists`` (``name``), ``keyring.last_slot``.
    """

    def __init__(self, code: str, path: Path | str, /, **params: Any) -> None:
        self.code = code
        self.path = Path(path)
        self.params = params
        super().__init__(f"{code}: {path} {params}" if params else f"{code}: {path}")


def keyring_path(casefile: Path) -> Path:
    """Where the keyring of ``casefile`` lives."""
    return casefile.with_name(casefile.name + SUFFIX)


def name_key(name: str) -> str:
    """How an officer's name is compared: NFC, case-folded, spaces squeezed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True)
class Slot:
    """The data key wrapped under one officer's passphrase."""

    id: str
    who: str  # hash of the officer's name under the keyring's salt (base64)
    salt: str
    memory_kib: int
    iterations: int
    lanes: int
    nonce: str
    wrapped: str


@dataclass(frozen=True)
class Keyring:
    """A case file's keyring: its id, the salt of the names, the key check and the slots."""

    id: str
    salt: str
    check: str  # HMAC of a fixed text under the data key: checks a recovery key offline
    slots: tuple[Slot, ...] = field(default=())
    demo: bool = False  # the demo case file: its login is printed on the login screen

    def slot_for(self, name: str) -> Slot | None:
        """The slot of the officer called ``name`` (any case, spacing), if there is one."""
        who = _who(self.salt, name)
        return next((s for s in self.slots if hmac.compare_digest(s.who, who)), None)


def new_data_key() -> bytes:
    """A fresh random data key."""
    return secrets.token_bytes(KEY_BYTES)


def new_keyring(data_key: bytes, *, demo: bool = False) -> Keyring:
    """An empty keyring for ``data_key`` (add slots with :func:`with_slot`)."""
    return Keyring(
        id=secrets.token_hex(8),
        salt=_b64(secrets.token_bytes(16)),
        check=_check(data_key),
        demo=demo,
    )


def with_slot(keyring: Keyring, data_key: bytes, name: str, passphrase: str) -> Keyring:
    """``keyring`` with a slot for ``name`` wrapping ``data_key`` under ``passphrase``
    (replacing the officer's slot if there is one). About 0.25 s (Argon2id)."""
    if not hmac.compare_digest(_check(data_key), keyring.check):
        raise ValueError("the data key is not this keyring's")
    who = _who(keyring.salt, name)
    memory = _memory_kib()
    salt = secrets.token_bytes(16)
    slot_id = secrets.token_hex(8)
    kek = _derive(passphrase, salt, memory, ITERATIONS, LANES)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(kek).encrypt(nonce, data_key, _aad(keyring, slot_id, who))
    slot = Slot(
        id=slot_id,
        who=who,
        salt=_b64(salt),
        memory_kib=memory,
        iterations=ITERATIONS,
        lanes=LANES,
        nonce=_b64(nonce),
        wrapped=_b64(wrapped),
    )
    others = tuple(s for s in keyring.slots if s.who != who)
    return replace(keyring, slots=(*others, slot))


def without_slot(keyring: Keyring, name: str) -> Keyring:
    """``keyring`` without the slot of ``name`` (nothing changes when there is none)."""
    who = _who(keyring.salt, name)
    return replace(keyring, slots=tuple(s for s in keyring.slots if s.who != who))


def unwrap(keyring: Keyring, name: str, passphrase: str, path: Path) -> bytes:
    """The data key, unwrapped with ``name``'s passphrase.

    Raises:
        KeyringError: ``keyring.no_officer`` or ``keyring.wrong_passphrase``; the two are told
            apart because the officer must know which to fix (the slots are no secret to
            someone holding the file: the names are hashed, not hidden from guessing).
    """
    slot = keyring.slot_for(name)
    if slot is None:
        raise KeyringError("keyring.no_officer", path, name=name)
    kek = _derive(passphrase, _unb64(slot.salt), slot.memory_kib, slot.iterations, slot.lanes)
    try:
        key = AESGCM(kek).decrypt(
            _unb64(slot.nonce), _unb64(slot.wrapped), _aad(keyring, slot.id, slot.who)
        )
    except InvalidTag:
        raise KeyringError("keyring.wrong_passphrase", path, name=name) from None
    if not hmac.compare_digest(_check(key), keyring.check):
        raise KeyringError("keyring.damaged", path, detail="slot does not match the key check")
    return key


def passphrase_opens(keyring: Keyring, name: str, passphrase: str, path: Path) -> bool:
    """Whether ``passphrase`` is ``name``'s (for unlocking a locked window)."""
    try:
        unwrap(keyring, name, passphrase, path)
    except KeyringError as exc:
        if exc.code in ("keyring.wrong_passphrase", "keyring.no_officer"):
            return False
        raise
    return True


def key_matches(keyring: Keyring, data_key: bytes) -> bool:
    """Whether ``data_key`` is the key this keyring wraps."""
    return hmac.compare_digest(_check(data_key), keyring.check)


# -- the recovery key ------------------------------------------------------------------------

_RECOVERY_GROUP = 5


def recovery_text(data_key: bytes) -> str:
    """The data key as a recovery key to print: base32 in groups of five, with a 2-byte
    checksum so a mistyped group is caught before anything is tried."""
    raw = data_key + hashlib.sha256(data_key).digest()[:2]
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + _RECOVERY_GROUP] for i in range(0, len(text), _RECOVERY_GROUP))


def data_key_from_recovery(text: str, path: Path) -> bytes:
    """The data key from a typed recovery key (any case, spaces or dashes; 0/1/8 read as
    O/I/B, the letters they are mistaken for).

    Raises:
        KeyringError: ``keyring.recovery_malformed`` (``detail``) — wrong length, letters that
            are not base32, or a checksum that does not match.
    """
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("018", "OIB"))
    expected = len(recovery_text(bytes(KEY_BYTES)).replace("-", ""))
    if len(cleaned) != expected:
        raise KeyringError(
            "keyring.recovery_malformed", path, detail=f"{len(cleaned)} of {expected} characters"
        )
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as exc:
        raise KeyringError("keyring.recovery_malformed", path, detail=str(exc)) from None
    key, checksum = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if hashlib.sha256(key).digest()[:2] != checksum:
        raise KeyringError("keyring.recovery_malformed", path, detail="checksum")
    return key


# -- reading and writing ---------------------------------------------------------------------


def read_keyring(path: Path) -> Keyring:
    """The keyring stored at ``path``.

    Raises:
        KeyringError: ``keyring.missing`` or ``keyring.damaged`` (``detail``).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyringError("keyring.missing", path) from None
    except (OSError, ValueError) as exc:
        raise KeyringError("keyring.damaged", path, detail=str(exc)) from None
    try:
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(f"format {data.get('format')!r} version {data.get('version')!r}")
        keyring = Keyring(
            id=str(data["id"]),
            salt=str(data["salt"]),
            check=str(data["check"]),
            demo=bool(data.get("demo", False)),
            slots=tuple(
                Slot(
                    id=str(s["id"]),
                    who=str(s["who"]),
                    salt=str(s["salt"]),
                    memory_kib=int(s["memory_kib"]),
                    iterations=int(s["iterations"]),
                    lanes=int(s["lanes"]),
                    nonce=str(s["nonce"]),
                    wrapped=str(s["wrapped"]),
                )
                for s in data["slots"]
            ),
        )
        for slot in keyring.slots:  # a tampered cost must not make the login eat the memory
            if not (1 <= slot.lanes <= 64 and 1 <= slot.iterations <= 64):
                raise ValueError(f"slot {slot.id}: cost out of range")
            if not MIN_MEMORY_KIB <= slot.memory_kib <= MEMORY_KIB * 16:
                raise ValueError(f"slot {slot.id}: memory out of range")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise KeyringError("keyring.damaged", path, detail=str(exc)) from None
    return keyring


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Store ``keyring`` at ``path`` atomically, mode 600."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "id": keyring.id,
        "salt": keyring.salt,
        "check": keyring.check,
        "demo": keyring.demo,
        "slots": [s.__dict__ for s in keyring.slots],
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        make_private(tmp)
        os.replace(tmp, path)
    finally:
        discard(tmp)


def copy_keyring(source: Path, target: Path) -> None:
    """Copy a keyring file (beside a backup), privately and atomically."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        make_private(tmp)
        os.replace(tmp, target)
    finally:
        discard(tmp)


# -- inside ----------------------------------------------------------------------------------


def _memory_kib() -> int:
    try:
        wanted = int(os.environ.get(KDF_MEMORY_ENV, MEMORY_KIB))
    except ValueError:
        wanted = MEMORY_KIB
    return max(MIN_MEMORY_KIB, min(wanted, MEMORY_KIB * 16))


def _derive(passphrase: str, salt: bytes, memory_kib: int, iterations: int, lanes: int) -> bytes:
    kdf = Argon2id(salt=salt, length=32, iterations=iterations, lanes=lanes, memory_cost=memory_kib)
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def _who(salt: str, name: str) -> str:
    digest = hashlib.sha256(_unb64(salt) + name_key(name).encode("utf-8")).digest()
    return _b64(digest[:16])


def _aad(keyring: Keyring, slot_id: str, who: str) -> bytes:
    return f"{FORMAT}/{VERSION}/{keyring.id}/{slot_id}/{who}".encode("ascii")


def _check(data_key: bytes) -> str:
    return _b64(hmac.new(data_key, b"consuldesk keyring check", hashlib.sha256).digest()[:16])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
