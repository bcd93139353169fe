"""Keys and peers between case files: enrolling by fingerprint, rotation, revocation, escrow."""

from __future__ import annotations

import json

import pyrage
import pytest

from consuldesk.services import keys
from consuldesk.services.casefile import create_casefile
from consuldesk.services.errors import ServiceError
from consuldesk.sync.errors import SyncError

pytestmark = pytest.mark.usefixtures("fast_seal")  # tests/unit/sync seals with scrypt

PASS_HQ = "Астана штабы 2026"
PASS_THR = "Тегеран — Астара 2026"
PASS_BAK = "Баку шекарасы 2026"


def make(tmp_path, code, name, country, *, hq=False):
    return create_casefile(
        tmp_path / f"{code}.consuldesk",
        post_code=code,
        post_name=name,
        host_country=country,
        officer="Әлия Сейітова",
        headquarters=hq,
    )


@pytest.fixture
def hq(tmp_path):
    desk = make(tmp_path, "KZ-HQ", "Сыртқы істер министрлігі", None, hq=True)
    keys.create_keys(desk, PASS_HQ)
    yield desk
    desk.close()


@pytest.fixture
def tehran(tmp_path):
    desk = make(tmp_path, "IR-THR", "Қазақстан елшілігі, Тегеран", "IR")
    keys.create_keys(desk, PASS_THR)
    yield desk
    desk.close()


@pytest.fixture
def usb(tmp_path):
    stick = tmp_path / "usb"
    stick.mkdir()
    return stick


def exchange(a, b, usb):
    """Both sides export their public key file and enrol the other's after the phone call."""
    a_file = keys.export_public_key(a, usb)
    b_file = keys.export_public_key(b, usb)
    keys.enrol_peer(b, a_file, keys.read_key_file(a_file).fingerprint)
    keys.enrol_peer(a, b_file, keys.read_key_file(b_file).fingerprint)


def snapshot(desk):
    """What the keys tables hold."""
    return (keys.own_keys(desk), keys.peers(desk), keys.statements(desk))


def test_a_post_and_headquarters_enrol_each_other_by_fingerprint(hq, tehran, usb):
    path = keys.export_public_key(tehran, usb)
    assert path.parent == usb and path.name.startswith("IR-THR-")
    assert path.suffix == ".consuldesk-key"
    assert not [p for p in usb.iterdir() if p.name.startswith(".")]  # no temporary left
    own = keys.own_keys(tehran)[0]
    seen = keys.read_key_file(path)
    assert (seen.post, seen.name, seen.fingerprint) == (
        "IR-THR",
        "Қазақстан елшілігі, Тегеран",
        own.fingerprint,
    )

    read_aloud = own.fingerprint.replace(" ", "-")
    row = keys.enrol_peer(hq, path, read_aloud)

    assert (row.post, row.role, row.status, row.trusted_by) == (
        "IR-THR",
        "post",
        "active",
        "fingerprint",
    )
    assert keys.peers(hq) == [row]
    assert [p.post for p in keys.trusted_keys(hq, "IR-THR")] == ["IR-THR"]
    assert keys.enrol_peer(hq, path, read_aloud) == row  # again: nothing changes
    assert len(keys.peers(hq)) == 1


def test_a_wrong_fingerprint_or_ones_own_file_enrols_nothing(hq, tehran, usb):
    path = keys.export_public_key(tehran, usb)
    digits = keys.own_keys(tehran)[0].fingerprint.replace(" ", "")
    wrong = digits[:-1] + ("0" if digits[-1] != "0" else "1")
    before = snapshot(hq)

    with pytest.raises(SyncError) as caught:
        keys.enrol_peer(hq, path, wrong)
    assert caught.value.code == "keys.fingerprint_mismatch"
    own_file = keys.export_public_key(tehran, usb / "own.consuldesk-key")
    with pytest.raises(SyncError) as caught:
        keys.enrol_peer(tehran, own_file, digits)
    assert caught.value.code == "keys.own_post"
    assert snapshot(hq) == before


def test_other_keys_for_an_enrolled_post_need_replace(hq, tehran, tmp_path, usb):
    exchange(hq, tehran, usb)
    (tmp_path / "other").mkdir()
    impostor = make(tmp_path / "other", "IR-THR", "Қазақстан елшілігі, Тегеран", "IR")
    keys.create_keys(impostor, "басқа құпия сөз 1")
    other = keys.export_public_key(impostor, usb / "other.consuldesk-key")
    fingerprint = keys.read_key_file(other).fingerprint

    with pytest.raises(SyncError) as caught:
        keys.enrol_peer(hq, other, fingerprint)
    assert caught.value.code == "keys.peer_changed"
    assert caught.value.params["new"] == fingerprint

    row = keys.enrol_peer(hq, other, fingerprint, replace=True)
    statuses = {(p.fingerprint, p.status) for p in keys.peers(hq) if p.post == "IR-THR"}
    old = keys.own_keys(tehran)[0].fingerprint
    assert statuses == {(old, "retired"), (row.fingerprint, "active")}
    impostor.close()


def test_keys_are_created_once_and_sealed(tehran):
    with pytest.raises(SyncError) as caught:
        keys.create_keys(tehran, PASS_THR)
    assert caught.value.code == "keys.exist"
    with pytest.raises(SyncError) as caught:
        keys.unlock(tehran, "not the passphrase")
    assert caught.value.code == "keys.passphrase_wrong"
    secret = keys.unlock(tehran, PASS_THR)
    assert secret.public.fingerprint == keys.own_keys(tehran)[0].fingerprint
    raw = tehran.casefile.path.read_bytes()
    assert str(secret.identity).encode() not in raw  # the private key is nowhere in the clear


def test_the_passphrase_changes_for_all_keys_or_none(tehran):
    keys.change_passphrase(tehran, PASS_THR, "жаңа құпия сөз 2026")
    assert keys.unlock(tehran, "жаңа құпия сөз 2026").public.post == "IR-THR"
    with pytest.raises(SyncError):
        keys.unlock(tehran, PASS_THR)
    with pytest.raises(SyncError) as caught:
        keys.change_passphrase(tehran, "жаңа құпия сөз 2026", "short")
    assert caught.value.code == "keys.passphrase_short"


def test_a_rotation_travels_and_is_trusted_through_the_old_key(hq, tehran, usb):
    exchange(hq, tehran, usb)
    old = keys.own_keys(tehran)[0]

    new = keys.rotate_keys(tehran, PASS_THR)

    own = keys.own_keys(tehran)
    assert [(r.fingerprint, r.status) for r in own] == [
        (new.fingerprint, "active"),
        (old.fingerprint, "retired"),
    ]
    assert len(keys.unlock_all(tehran, PASS_THR)) == 2  # the old key still opens old bundles
    sent = keys.statements(tehran)
    assert len(sent) == 1

    changed = keys.receive_statements(hq, sent)

    assert [(r.fingerprint, r.status, r.trusted_by) for r in changed] == [
        (new.fingerprint, "active", old.key_id)
    ]
    assert [p.key_id for p in keys.trusted_keys(hq, "IR-THR")] == [new.key_id]
    before = snapshot(hq)
    assert keys.receive_statements(hq, sent) == []  # the same bundle twice
    assert snapshot(hq) == before


def test_a_statement_from_an_untrusted_or_altered_source_changes_nothing(hq, tehran, usb):
    keys.rotate_keys(tehran, PASS_THR)  # before headquarters knows Tehran at all
    sent = keys.statements(tehran)
    before = snapshot(hq)
    with pytest.raises(SyncError) as caught:
        keys.receive_statements(hq, sent)
    assert caught.value.code == "keys.statement_signer"
    assert snapshot(hq) == before

    exchange(hq, tehran, usb)
    doc = json.loads(sent[0])
    doc["reason"] = "forged"
    with pytest.raises(SyncError):
        keys.receive_statements(hq, [json.dumps(doc).encode()])


def test_headquarters_revokes_a_seized_key_and_every_post_learns_it(hq, tehran, tmp_path, usb):
    baku = make(tmp_path, "AZ-BAK", "Қазақстан елшілігі, Баку", "AZ")
    keys.create_keys(baku, PASS_BAK)
    exchange(hq, tehran, usb)
    exchange(hq, baku, usb)
    exchange(baku, tehran, usb)  # Tehran hands its buses to Baku across the border
    tehran_key = keys.own_keys(tehran)[0]

    revoked = keys.revoke_peer(hq, PASS_HQ, tehran_key.fingerprint[:11], "ноутбук тәркіленді")
    assert (revoked.status, revoked.reason) == ("revoked", "ноутбук тәркіленді")
    assert keys.trusted_keys(hq, "IR-THR") == []

    changed = keys.receive_statements(baku, keys.statements(hq))

    assert [(r.post, r.status) for r in changed] == [("IR-THR", "revoked")]
    assert keys.trusted_keys(baku, "IR-THR") == []
    path = keys.export_public_key(tehran, usb)
    with pytest.raises(SyncError) as caught:  # the seized key cannot come back by hand
        keys.enrol_peer(baku, path, tehran_key.fingerprint)
    assert caught.value.code == "keys.revoked"
    baku.close()


def test_a_post_revokes_its_own_keys_and_gets_new_ones(hq, tehran, usb):
    exchange(hq, tehran, usb)
    old = keys.own_keys(tehran)[0]

    new = keys.revoke_own_key(tehran, PASS_THR, "құпия сөз белгілі болды")

    assert new.fingerprint != old.fingerprint and new.status == "active"
    keys.receive_statements(hq, keys.statements(tehran))
    assert keys.trusted_keys(hq, "IR-THR") == []  # the new keys need a phone call
    path = keys.export_public_key(tehran, usb)
    keys.enrol_peer(hq, path, new.fingerprint)
    assert [p.key_id for p in keys.trusted_keys(hq, "IR-THR")] == [new.key_id]


def test_escrow_is_added_by_headquarters_and_reaches_the_posts(hq, tehran, usb):
    exchange(hq, tehran, usb)
    escrow = str(pyrage.x25519.Identity.generate().to_public())
    with pytest.raises(SyncError) as caught:
        keys.add_escrow(tehran, PASS_THR, escrow)
    assert caught.value.code == "keys.escrow_not_hq"

    keys.add_escrow(hq, PASS_HQ, escrow)

    assert [r.recipient for r in keys.recipients(hq, "IR-THR")][-1] == escrow
    keys.receive_statements(tehran, keys.statements(hq))
    assert [r.recipient for r in keys.recipients(tehran, "KZ-HQ")][-1] == escrow
    with pytest.raises(SyncError) as caught:
        keys.recipients(tehran, "AZ-BAK")  # a code mistyped, or a post not enrolled
    assert caught.value.code == "keys.unknown_post"
    assert caught.value.params["enrolled"] == "KZ-HQ"  # what can be typed instead
    with pytest.raises(SyncError) as caught:
        keys.recipients(tehran, "IR-THR")  # its own code: not "enrol its key file first"
    assert caught.value.code == "bundle.to_own_post"


def test_exporting_to_a_missing_drive_says_so(tehran, tmp_path):
    with pytest.raises(ServiceError) as caught:
        keys.export_public_key(tehran, tmp_path / "gone" / "key.consuldesk-key")
    assert caught.value.code == "file.no_folder"


def test_every_key_change_is_audited(hq, tehran, usb):
    from sqlmodel import select

    from consuldesk.store.models import AuditEvent

    exchange(hq, tehran, usb)
    keys.revoke_peer(hq, PASS_HQ, keys.peers(hq)[0].key_id, "тест")
    with hq.casefile.read() as session:
        events = session.exec(
            select(AuditEvent.table_name, AuditEvent.action, AuditEvent.officer)
        ).all()
    assert [e for e in events if e[0] in ("own_key", "peer_key")] == [
        ("own_key", "create", "Әлия Сейітова"),
        ("own_key", "export", "Әлия Сейітова"),  # the public key file handed to Tehran
        ("peer_key", "create", "Әлия Сейітова"),
        ("peer_key", "revoke", "Әлия Сейітова"),
    ]


def test_a_key_is_named_by_the_start_of_its_id_as_the_file_name_shows(hq, tehran, usb):
    exchange(hq, tehran, usb)
    peer = keys.peers(hq)[0]
    row = keys.revoke_peer(hq, PASS_HQ, peer.key_id[:8], "тест")
    assert row.status == "revoked"


def test_a_short_fingerprint_and_a_missing_file_say_what_is_wrong(hq, tehran, usb):
    path = keys.export_public_key(tehran, usb)
    with pytest.raises(SyncError) as caught:
        keys.enrol_peer(hq, path, "05996")
    assert (caught.value.code, caught.value.params) == ("keys.fingerprint_length", {"digits": 5})
    with pytest.raises(ServiceError) as missing:
        keys.read_key_file(usb / "gone.consuldesk-key")
    assert missing.value.code == "file.read"


def test_keys_are_unsealed_once_a_session_and_a_wrong_passphrase_is_still_refused(
    tehran, monkeypatch
):
    from consuldesk.sync import keys as sync_keys

    unsealed = []
    real = sync_keys.unseal
    monkeypatch.setattr(sync_keys, "unseal", lambda *a: unsealed.append(1) or real(*a))
    first = keys.unlock(tehran, PASS_THR)
    again = keys.unlock(tehran, PASS_THR)
    assert again.public.key_id == first.public.key_id and len(unsealed) == 1  # no scrypt again
    with pytest.raises(SyncError) as caught:
        keys.unlock(tehran, "not the passphrase at all")
    assert caught.value.code == "keys.passphrase_wrong"

    keys.change_passphrase(tehran, PASS_THR, "Жаңа құпия сөз 2026")  # new seals: unsealed anew
    with pytest.raises(SyncError):
        keys.unlock(tehran, PASS_THR)
    assert keys.unlock(tehran, "Жаңа құпия сөз 2026").public.key_id == first.public.key_id
    keys.forget_unlocked(tehran)  # a locked window
    count = len(unsealed)
    keys.unlock(tehran, "Жаңа құпия сөз 2026")
    assert len(unsealed) == count + 1


def test_without_a_passphrase_the_session_keys_serve_or_the_keys_are_locked(tehran):
    keys.forget_unlocked(tehran)
    assert not keys.is_unlocked(tehran)
    with pytest.raises(SyncError) as caught:
        keys.unlock(tehran, None)
    assert caught.value.code == "keys.locked"
    opened = keys.unlock(tehran, PASS_THR)
    assert keys.is_unlocked(tehran) and keys.unlock(tehran, None) == opened
