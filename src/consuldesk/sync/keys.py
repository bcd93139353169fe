"""A post's keys: who signs its bundles and who can open the bundles sent to it.

Each case file's post has a **signing key** (Ed25519) and an **encryption identity** (X25519 in
the age format). Their public halves travel in a *public key file*; the private halves are
*sealed*: encrypted under the officer's passphrase in the age passphrase format (scrypt), so
they never touch the disk in the clear.

Two case files trust each other's keys after the officers compare the key's *fingerprint*
over the phone: 25 digits in five groups, the same on both screens when nobody swapped the
file on its way. Later changes travel as *statements* signed by a key the receiver already
trusts: a rotation (the old key vouches for the new one), a revocation (by the post itself or by
headquarters), an escrow recipient (by headquarters).

The formats are JSON (UTF-8), signed over their canonical form (keys sorted, no spaces): see
``docs/BUNDLE-FORMAT.md``. Nothing here touches the case file; :mod:`consuldesk.services.keys`
stores keys and peers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import pyrage
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from consuldesk.sync.errors import SyncError

PUBLIC_FORMAT = "consuldesk-public-key"
SECRET_FORMAT = "consuldesk-secret-keys"
STATEMENT_FORMAT = "consuldesk-key-statement"
VERSION = 1
#: File name suffix of public key files.
PUBLIC_SUFFIX = ".consuldesk-key"
#: The shortest passphrase accepted for sealing keys.
MIN_PASSPHRASE = 10

Role = Literal["post", "headquarters", "escrow"]
ROLES: tuple[Role, ...] = ("post", "headquarters", "escrow")
_FINGERPRINT_CONTEXT = b"consuldesk fingerprint v1\x00"


def canonical(value: Any) -> bytes:
    """The bytes a signature covers: JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(signing_key: bytes, recipient: str) -> bytes:
    return hashlib.sha256(
        _FINGERPRINT_CONTEXT + signing_key + b"\x00" + recipient.encode("ascii")
    ).digest()


def fingerprint_of(signing_key: bytes, recipient: str) -> str:
    """25 digits in five groups, for reading aloud: ``"40718 22953 61084 07736 59120"``.

    The digits are the first 96 bits of a SHA-256 of both public keys, reduced to 25 decimal
    digits (83 bits): finding another pair of keys with the same digits is out of reach.
    """
    number = int.from_bytes(_digest(signing_key, recipient)[:12], "big") % 10**25
    digits = f"{number:025d}"
    return " ".join(digits[i : i + 5] for i in range(0, 25, 5))


def same_fingerprint(typed: str, fingerprint: str) -> bool:
    """Whether what an officer typed (spaces, dashes or none) is ``fingerprint``."""
    only = "".join(ch for ch in typed if ch.isdigit())
    return only == fingerprint.replace(" ", "")


def key_id_of(signing_key: bytes, recipient: str) -> str:
    """A key's id in files and statements: 16 hex digits of the same digest."""
    return _digest(signing_key, recipient)[:8].hex()


# -- public keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKeys:
    """What a post publishes: its name and both public keys (escrow: the recipient only)."""

    post: str
    name: str
    role: Role
    signing_key: bytes  # raw Ed25519 public key, 32 bytes (empty for an escrow recipient)
    recipient: str  # "age1…"
    created: str  # ISO 8601, UTC
    country: str | None = None  # the post's host country (ISO 3166-1 alpha-2), if any

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.signing_key, self.recipient)

    @property
    def key_id(self) -> str:
        return key_id_of(self.signing_key, self.recipient)

    def body(self) -> dict[str, Any]:
        """The signed fields of the public key file."""
        return {
            "format": PUBLIC_FORMAT,
            "version": VERSION,
            "post": self.post,
            "name": self.name,
            "role": self.role,
            "signing_key": _b64(self.signing_key),
            "recipient": self.recipient,
            "created": self.created,
            # Only when there is one: files written before the country was published verify.
            **({"country": self.country} if self.country else {}),
        }

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        if len(self.signing_key) != 32:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.signing_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def age_recipient(self) -> pyrage.x25519.Recipient:
        return pyrage.x25519.Recipient.from_str(self.recipient)


def escrow_recipient(recipient: str, *, post: str, created: datetime) -> PublicKeys:
    """An escrow recipient (an age public key kept by headquarters): bundles are encrypted to
    it too, so that a post's lost keys do not lose its data.

    Raises:
        SyncError: ``keys.not_recipient`` when ``recipient`` is not an age X25519 recipient.
    """
    text = recipient.strip()
    try:
        pyrage.x25519.Recipient.from_str(text)
    except pyrage.RecipientError as exc:
        raise SyncError("keys.not_recipient") from exc  # never echo it: it may be a secret
    return PublicKeys(post, "escrow", "escrow", b"", text, _stamp(created))


def read_public_keys(data: bytes, *, path: str = "") -> tuple[PublicKeys, bytes]:
    """A public key file's keys, checked: its format, and its signature by its own key (which
    proves the file was not altered since it was written, not whose it is: the fingerprint
    read aloud proves that).

    Returns:
        The keys and the file's signature.

    Raises:
        SyncError: ``keys.not_key_file``, ``keys.format_unsupported``, ``keys.signature_bad``.
    """
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != PUBLIC_FORMAT:
            raise ValueError("not a public key file")
    except (UnicodeDecodeError, ValueError) as exc:
        raise SyncError("keys.not_key_file", path=path) from exc
    if doc.get("version") != VERSION:
        raise SyncError("keys.format_unsupported", path=path, version=str(doc.get("version")))
    return _public_from(doc, path=path)


def _public_from(doc: dict[str, Any], *, path: str) -> tuple[PublicKeys, bytes]:
    try:
        keys = PublicKeys(
            post=_text(doc["post"]),
            name=_text(doc["name"]),
            role=_role(doc["role"]),
            signing_key=_unb64(doc["signing_key"]),
            recipient=_text(doc["recipient"]),
            created=_text(doc["created"]),
            country=_country(doc.get("country")),
        )
        signature = _unb64(doc.get("signature", ""))
        pyrage.x25519.Recipient.from_str(keys.recipient)
    except Exception as exc:  # a field missing, of the wrong type, or not a key
        raise SyncError("keys.not_key_file", path=path) from exc
    if keys.role == "escrow" or not keys.verify(canonical(keys.body()), signature):
        raise SyncError("keys.signature_bad", path=path)
    return keys, signature


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty")
    return value


def _country(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ValueError(f"not a country code: {value!r}")
    return value.upper()


def _role(value: Any) -> Role:
    if value not in ROLES:
        raise ValueError(f"unknown role {value!r}")
    return value  # type: ignore[no-any-return]


# -- secret keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretKeys:
    """A post's keys, unsealed: in memory only, for as long as they are needed."""

    public: PublicKeys
    signing: Ed25519PrivateKey
    identity: pyrage.x25519.Identity

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)

    def public_file(self) -> bytes:
        """The public key file: the keys' body and its signature, as JSON."""
        body = self.public.body()
        signature = self.sign(canonical(body))
        return (
            json.dumps({**body, "signature": _b64(signature)}, indent=2, ensure_ascii=False) + "\n"
        ).encode()


def generate(
    post: str, name: str, role: Role, now: datetime, country: str | None = None
) -> SecretKeys:
    """New keys for a post (in ``country``, the post's host country, published with them)."""
    signing = Ed25519PrivateKey.generate()
    identity = pyrage.x25519.Identity.generate()
    raw = signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    public = PublicKeys(
        post, name, role, raw, str(identity.to_public()), _stamp(now), _country(country)
    )
    return SecretKeys(public, signing, identity)


def renamed(keys: SecretKeys, name: str) -> SecretKeys:
    """The same keys published under another post name."""
    return replace(keys, public=replace(keys.public, name=name))


def check_passphrase(passphrase: str) -> None:
    """Raises ``keys.passphrase_short`` for a passphrase too short to seal keys under."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise SyncError("keys.passphrase_short", minimum=MIN_PASSPHRASE)


def _inner(keys: SecretKeys) -> bytes:
    secret = keys.signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return canonical(
        {
            "format": SECRET_FORMAT,
            "version": VERSION,
            "public": keys.public.body(),
            "signing_secret": _b64(secret),
            "identity": str(keys.identity),
        }
    )


def seal(keys: SecretKeys, passphrase: str) -> bytes:
    """The keys encrypted under ``passphrase`` (age passphrase format: scrypt, then
    ChaCha20-Poly1305); ``age -d`` opens it with the passphrase too."""
    check_passphrase(passphrase)
    return bytes(pyrage.passphrase.encrypt(_inner(keys), passphrase))


#: Keys sealed under an encrypted case file's data key start with this line.
_BY_FILE_KEY = b"consuldesk-sealed-by-case-file-key/1\n"


def seal_with_file_key(keys: SecretKeys, data_key: bytes) -> bytes:
    """The keys sealed under the data key of the encrypted case file that holds them
    (AES-256-GCM under a key derived with HKDF): whoever logged in to the file can use them,
    with no second passphrase, and nobody else."""
    nonce = os.urandom(12)
    return (
        _BY_FILE_KEY
        + nonce
        + AESGCM(_file_seal_key(data_key)).encrypt(nonce, _inner(keys), _BY_FILE_KEY)
    )


def sealed_with_file_key(sealed: bytes) -> bool:
    """Whether ``sealed`` was sealed by :func:`seal_with_file_key` (else under a passphrase)."""
    return sealed.startswith(_BY_FILE_KEY)


def unseal_with_file_key(sealed: bytes, data_key: bytes) -> SecretKeys:
    """The keys sealed by :func:`seal_with_file_key`.

    Raises:
        SyncError: ``keys.sealed_damaged`` (another file's key, or damaged).
    """
    body = sealed[len(_BY_FILE_KEY) :]
    try:
        inner = AESGCM(_file_seal_key(data_key)).decrypt(body[:12], body[12:], _BY_FILE_KEY)
    except (InvalidTag, ValueError) as exc:
        raise SyncError("keys.sealed_damaged") from exc
    return _parse_inner(inner)


def _file_seal_key(data_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"consuldesk sync keys"
    ).derive(data_key)


def unseal(sealed: bytes, passphrase: str) -> SecretKeys:
    """The keys sealed by :func:`seal`.

    Raises:
        SyncError: ``keys.passphrase_wrong``; ``keys.sealed_damaged`` when the passphrase
            opens it but what is inside is not ConsulDesk keys.
    """
    try:
        inner = bytes(pyrage.passphrase.decrypt(sealed, passphrase))
    except pyrage.DecryptError as exc:  # a wrong passphrase, or a damaged seal
        raise SyncError("keys.passphrase_wrong") from exc
    return _parse_inner(inner)


def _parse_inner(inner: bytes) -> SecretKeys:
    try:
        doc = json.loads(inner.decode("utf-8"))
        if doc.get("format") != SECRET_FORMAT:
            raise ValueError("not ConsulDesk keys")
        body = doc["public"]
        public = PublicKeys(
            body["post"],
            body["name"],
            _role(body["role"]),
            _unb64(body["signing_key"]),
            body["recipient"],
            body["created"],
            _country(body.get("country")),
        )
        signing = Ed25519PrivateKey.from_private_bytes(_unb64(doc["signing_secret"]))
        identity = pyrage.x25519.Identity.from_str(doc["identity"])
    except Exception as exc:
        raise SyncError("keys.sealed_damaged") from exc
    raw = signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if raw != public.signing_key or str(identity.to_public()) != public.recipient:
        raise SyncError("keys.sealed_damaged")
    return SecretKeys(public, signing, identity)


# -- statements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A signed change to the keys a peer trusts.

    ``kind`` is ``rotate`` (``subject`` is the post; ``key`` the old key's id; ``new`` the new
    public keys, signed by the old key), ``revoke`` (``key`` revoked, ``reason``; signed by the
    post itself or by headquarters) or ``escrow`` (``new`` the escrow recipient; signed by
    headquarters).
    """

    kind: Literal["rotate", "revoke", "escrow"]
    subject: str  # the post whose keys change (escrow: headquarters' post)
    key: str  # the key id the statement is about (escrow: the recipient's id)
    at: str
    signed_by: str  # key id of the signer
    reason: str = ""
    new: PublicKeys | None = None
    new_signature: bytes = b""  # the new public keys' own signature (rotate)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": STATEMENT_FORMAT,
            "version": VERSION,
            "kind": self.kind,
            "subject": self.subject,
            "key": self.key,
            "at": self.at,
            "signed_by": self.signed_by,
            "reason": self.reason,
        }
        if self.new is not None:
            body["new"] = {**self.new.body(), "signature": _b64(self.new_signature)}
        return body


def make_statement(statement: Statement, signer: SecretKeys) -> bytes:
    """A statement as JSON with the signer's signature."""
    body = replace(statement, signed_by=signer.public.key_id).body()
    signature = signer.sign(canonical(body))
    return canonical({**body, "signature": _b64(signature)})


def rotation(old: SecretKeys, new: SecretKeys, now: datetime) -> bytes:
    """The old keys vouch for the new ones."""
    signature = new.sign(canonical(new.public.body()))
    statement = Statement(
        "rotate",
        old.public.post,
        old.public.key_id,
        _stamp(now),
        "",
        new=new.public,
        new_signature=signature,
    )
    return make_statement(statement, old)


def revocation(signer: SecretKeys, post: str, key_id: str, reason: str, now: datetime) -> bytes:
    """``signer`` revokes ``post``'s key ``key_id``."""
    return make_statement(Statement("revoke", post, key_id, _stamp(now), "", reason), signer)


def escrow_statement(signer: SecretKeys, escrow: PublicKeys, now: datetime) -> bytes:
    """Headquarters adds an escrow recipient."""
    statement = Statement("escrow", signer.public.post, escrow.key_id, _stamp(now), "", new=escrow)
    return make_statement(statement, signer)


def read_statement(data: bytes) -> tuple[Statement, dict[str, Any], bytes]:
    """A statement, not yet verified: who signed it is checked against the keys the receiver
    trusts (:func:`verify_statement`).

    Returns:
        The statement, its signed body and its signature.

    Raises:
        SyncError: ``keys.not_key_file`` (not a statement), ``keys.format_unsupported``.
    """
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != STATEMENT_FORMAT:
            raise ValueError("not a statement")
    except (UnicodeDecodeError, ValueError) as exc:
        raise SyncError("keys.not_key_file", path="") from exc
    if doc.get("version") != VERSION:
        raise SyncError("keys.format_unsupported", path="", version=str(doc.get("version")))
    try:
        signature = _unb64(doc.pop("signature"))
        new: PublicKeys | None = None
        new_signature = b""
        if "new" in doc:
            raw = dict(doc["new"])
            if doc["kind"] == "escrow":
                new = PublicKeys(
                    _text(raw["post"]),
                    _text(raw["name"]),
                    "escrow",
                    b"",
                    _text(raw["recipient"]),
                    _text(raw["created"]),
                )
                pyrage.x25519.Recipient.from_str(new.recipient)
            else:
                new, new_signature = _public_from(raw, path="")
        kind = doc["kind"]
        if kind not in ("rotate", "revoke", "escrow"):
            raise ValueError(kind)
        statement = Statement(
            kind,
            _text(doc["subject"]),
            _text(doc["key"]),
            _text(doc["at"]),
            _text(doc["signed_by"]),
            str(doc.get("reason", "")),
            new,
            new_signature,
        )
    except SyncError:
        raise
    except Exception as exc:
        raise SyncError("keys.not_key_file", path="") from exc
    if (statement.kind in ("rotate", "escrow")) != (new is not None):
        raise SyncError("keys.not_key_file", path="")
    return statement, doc, signature


def verify_statement(body: dict[str, Any], signature: bytes, signer: PublicKeys) -> bool:
    """Whether ``signer`` signed this statement body."""
    return body.get("signed_by") == signer.key_id and signer.verify(canonical(body), signature)
