"""Keys of a post: public key files, fingerprints, sealing under a passphrase, statements."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyrage
import pytest

from consuldesk.sync import keys as k
from consuldesk.sync.errors import SyncError

NOW = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
PASSPHRASE = "Қазақстан-2026 ұшақ"


@pytest.fixture(scope="module")
def tehran() -> k.SecretKeys:
    return k.generate("IR-THR", "Қазақстан елшілігі, Тегеран", "post", NOW, "IR")


@pytest.fixture(scope="module")
def hq() -> k.SecretKeys:
    return k.generate("KZ-HQ", "Сыртқы істер министрлігі", "headquarters", NOW)


@pytest.fixture(scope="module")
def sealed(tehran) -> bytes:
    return k.seal(tehran, PASSPHRASE)  # scrypt: about 2 s, once for the module


def test_a_public_key_file_reads_back_with_its_kazakh_name_and_fingerprint(tehran):
    data = tehran.public_file()
    public, _signature = k.read_public_keys(data, path="IR-THR.consuldesk-key")

    assert public == tehran.public
    assert public.name == "Қазақстан елшілігі, Тегеран"
    assert public.country == "IR"  # what concerns the post, known before its first bundle
    assert "Қазақстан" in data.decode("utf-8")  # readable, not escaped
    assert public.recipient.startswith("age1")
    groups = public.fingerprint.split(" ")
    assert [len(g) for g in groups] == [5] * 5 and all(g.isdigit() for g in groups)
    assert len(public.key_id) == 16


def test_fingerprints_differ_between_keys_and_are_typed_loosely(tehran, hq):
    assert tehran.public.fingerprint != hq.public.fingerprint
    digits = tehran.public.fingerprint.replace(" ", "")
    dashed = "-".join(digits[i : i + 5] for i in range(0, 25, 5))
    assert k.same_fingerprint(dashed, tehran.public.fingerprint)
    assert k.same_fingerprint(digits, tehran.public.fingerprint)
    assert not k.same_fingerprint(
        digits[:-1] + str((int(digits[-1]) + 1) % 10), tehran.public.fingerprint
    )
    assert not k.same_fingerprint(digits[:20], tehran.public.fingerprint)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: {**d, "name": "Посольство в Баку"}, "keys.signature_bad"),
        (lambda d: {**d, "country": "QA"}, "keys.signature_bad"),
        (lambda d: {k_: v for k_, v in d.items() if k_ != "country"}, "keys.signature_bad"),
        (lambda d: {**d, "country": "Iran"}, "keys.not_key_file"),
        (
            lambda d: {**d, "recipient": str(pyrage.x25519.Identity.generate().to_public())},
            "keys.signature_bad",
        ),
        (lambda d: {**d, "version": 2}, "keys.format_unsupported"),
        (lambda d: {**d, "format": "something-else"}, "keys.not_key_file"),
        (lambda d: {k_: v for k_, v in d.items() if k_ != "signing_key"}, "keys.not_key_file"),
        (lambda d: {**d, "role": "king"}, "keys.not_key_file"),
        (lambda d: {**d, "recipient": "age1notakey"}, "keys.not_key_file"),
    ],
)
def test_an_altered_or_foreign_key_file_is_refused_by_name(tehran, change, code):
    doc = json.loads(tehran.public_file())
    with pytest.raises(SyncError) as caught:
        k.read_public_keys(
            json.dumps(change(doc)).encode(), path="/media/usb/IR-THR.consuldesk-key"
        )
    assert caught.value.code == code
    assert caught.value.params["path"] == "/media/usb/IR-THR.consuldesk-key"


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xfe\x00garbage", b'{"format": "consuldesk-public-key"', b"[]"]
)
def test_a_truncated_or_binary_file_is_not_a_key_file(tehran, data):
    with pytest.raises(SyncError) as caught:
        k.read_public_keys(data, path="x")
    assert caught.value.code == "keys.not_key_file"
    truncated = tehran.public_file()[:-40]
    with pytest.raises(SyncError):
        k.read_public_keys(truncated, path="x")


def test_sealed_keys_open_with_the_passphrase_only(tehran, sealed):
    assert tehran.public.recipient.encode() not in sealed  # nothing readable inside
    assert b"AGE-SECRET-KEY" not in sealed
    assert sealed.startswith(b"age-encryption.org/v1")  # the age format: `age -d` opens it

    opened = k.unseal(sealed, PASSPHRASE)
    assert opened.public == tehran.public
    assert opened.sign(b"x") == tehran.sign(b"x")  # Ed25519 signatures are deterministic
    message = pyrage.encrypt(b"bundle", [tehran.public.age_recipient()])
    assert pyrage.decrypt(message, [opened.identity]) == b"bundle"

    with pytest.raises(SyncError) as caught:
        k.unseal(sealed, PASSPHRASE + " ")
    assert caught.value.code == "keys.passphrase_wrong"
    with pytest.raises(SyncError) as caught:
        k.unseal(sealed[:-10], PASSPHRASE)
    assert caught.value.code == "keys.passphrase_wrong"


def test_a_short_passphrase_is_refused_before_anything_is_sealed(tehran):
    with pytest.raises(SyncError) as caught:
        k.seal(tehran, "123456789")
    assert (caught.value.code, caught.value.params) == ("keys.passphrase_short", {"minimum": 10})


def test_a_rotation_is_vouched_for_by_the_old_key_and_cannot_be_altered(tehran, hq):
    new = k.generate("IR-THR", "Қазақстан елшілігі, Тегеран", "post", NOW)
    data = k.rotation(tehran, new, NOW)

    statement, body, signature = k.read_statement(data)
    assert (statement.kind, statement.subject, statement.key) == (
        "rotate",
        "IR-THR",
        tehran.public.key_id,
    )
    assert statement.new == new.public
    assert k.verify_statement(body, signature, tehran.public)
    assert not k.verify_statement(body, signature, hq.public)  # not the signer

    forged = json.loads(data)
    forged["new"]["recipient"] = str(pyrage.x25519.Identity.generate().to_public())
    with pytest.raises(SyncError):  # the new keys' own signature no longer holds
        k.read_statement(json.dumps(forged).encode())
    swapped = json.loads(data)
    swapped["subject"] = "AZ-BAK"
    statement, body, signature = k.read_statement(json.dumps(swapped).encode())
    assert not k.verify_statement(body, signature, tehran.public)


def test_revocation_and_escrow_statements(tehran, hq):
    data = k.revocation(hq, "IR-THR", tehran.public.key_id, "ноутбук тәркіленді", NOW)
    statement, body, signature = k.read_statement(data)
    assert (statement.kind, statement.reason, statement.signed_by) == (
        "revoke",
        "ноутбук тәркіленді",
        hq.public.key_id,
    )
    assert k.verify_statement(body, signature, hq.public)

    identity = pyrage.x25519.Identity.generate()
    escrow = k.escrow_recipient(f" {identity.to_public()}\n", post="KZ-HQ", created=NOW)
    statement, body, signature = k.read_statement(k.escrow_statement(hq, escrow, NOW))
    assert statement.kind == "escrow" and statement.new == escrow
    assert k.verify_statement(body, signature, hq.public)

    with pytest.raises(SyncError) as caught:
        k.escrow_recipient("AGE-SECRET-KEY-1QQQ", post="KZ-HQ", created=NOW)
    assert caught.value.code == "keys.not_recipient"
