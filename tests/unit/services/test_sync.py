"""Bundles between posts and headquarters: round trips, refusals, conflicts, gaps."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import text

from consuldesk.domain.enums import PresenceStatus, Sex
from consuldesk.services import households, keys, nationals
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.stats import situation
from consuldesk.store.models import National
from consuldesk.sync import bundle as b
from consuldesk.sync import exchange
from consuldesk.sync.errors import SyncError
from tests.factories import person, valid_iin
from tests.unit.services.test_sync_convergence import _has

pytestmark = pytest.mark.usefixtures("fast_seal")

PASS = {
    "AE-DXB": "Дубай 2026 автобус",
    "KZ-HQ": "Астана штабы 2026",
    "IR-THR": "Тегеран — Астара 2026",
    "AZ-BAK": "Баку 2026 шекара",
}


def make(tmp_path: Path, code: str, country: str | None, *, hq: bool = False):
    folder = tmp_path / code
    folder.mkdir()
    desk = create_casefile(
        folder / f"{code}.consuldesk",
        post_code=code,
        post_name=f"Post {code}",
        host_country=country,
        officer=f"officer {code}",
        headquarters=hq,
    )
    keys.create_keys(desk, PASS[code])
    return desk


def enrol(a, b_, tmp_path):
    usb = tmp_path / "keys"
    usb.mkdir(exist_ok=True)
    fa, fb = keys.export_public_key(a, usb), keys.export_public_key(b_, usb)
    keys.enrol_peer(b_, fa, keys.read_key_file(fa).fingerprint)
    keys.enrol_peer(a, fb, keys.read_key_file(fb).fingerprint)


def code(desk):
    return desk.casefile.local_post().code


def send(src, dst, usb: Path) -> Path:
    return s.export_bundle(src, PASS[code(src)], code(dst), usb).path


def receive(dst, path: Path, **kw):
    return s.import_bundle(dst, PASS[code(dst)], path, **kw)


def fingerprint(desk) -> str:
    """The case file's bytes, main file and write-ahead log."""
    path = desk.casefile.path
    parts = [path, path.with_name(path.name + "-wal")]
    return hashlib.sha256(b"".join(p.read_bytes() for p in parts if p.exists())).hexdigest()


@pytest.fixture
def world(tmp_path):
    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    enrol(hq, thr, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    yield hq, thr, usb
    hq.close()
    thr.close()


def names(desk) -> set[str]:
    return {r.name for r in nationals.search(desk, "Қ").rows} | {
        r.name for r in nationals.search(desk, "Ө").rows
    }


def test_a_posts_people_reach_headquarters_and_acknowledgements_come_back(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(host_country="IR", city="Tehran")).row
    nationals.register_national(
        thr,
        person(
            surname_cyr="Өмірзақов",
            given_names_cyr="Нұрсұлтан",
            surname_lat="OMIRZAKOV",
            given_names_lat="NURSULTAN",
            passport_no="N7777777",
            host_country="IR",
        ),
    )

    path = send(thr, hq, usb)
    assert path.name.startswith("IR-THR-to-KZ-HQ-") and path.name.endswith(
        "-n000001.consuldesk-bundle"
    )
    assert "Қасымова".encode() not in path.read_bytes()  # encrypted
    result = receive(hq, path)

    assert result.created == {"post": 1, "national": 2}
    assert names(hq) == {"Қасымова Әйгерім", "Өмірзақов Нұрсұлтан"}  # found by search at HQ
    at_hq = nationals.get_national(hq, a.id)
    assert (at_hq.city, at_hq.host_country, at_hq.birth_date) == ("Tehran", "IR", a.birth_date)
    assert result.backup is not None and result.backup.exists()

    # Headquarters' bundle back carries its acknowledgement; Tehran then sends only what is new.
    back = receive(thr, send(hq, thr, usb))
    assert back.created == {"post": 1}  # headquarters' own post record
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz"))
    again = s.export_bundle(thr, PASS["IR-THR"], "KZ-HQ", usb)
    assert again.records == 1 and again.manifest.counts == {"national": 1}
    result = receive(hq, again.path)
    assert result.updated == {"national": 1}
    assert nationals.get_national(hq, a.id).city == "Tabriz"
    history = nationals.history(hq, a.id)
    # Tehran's own trail travelled with the records: who registered and edited her there...
    made = [(h.post_code, h.action) for h in history if h.post_code == "IR-THR"]
    assert made == [("IR-THR", "create"), ("IR-THR", "update")]
    assert history[0].changes["city"] == [None, "Tehran"]
    # ...and headquarters' own: what it received, and when.
    received = [h for h in history if h.post_code == "KZ-HQ"]
    assert received[0].action == "sync" and received[0].changes["origin_post"] == [None, "IR-THR"]
    assert received[0].changes["city"] == [None, "Tehran"]  # as it was first received
    assert (received[-1].action, received[-1].changes) == (
        "sync",
        {"city": ["Tehran", "Tabriz"]},
    )
    status = {p.post: p for p in s.sync_status(hq)}
    assert status["IR-THR"].received_sequence == 2 and status["IR-THR"].last_received_at
    up_to = status["IR-THR"].changes_up_to  # Tehran's freshness: its newest change received
    assert up_to is not None and up_to <= status["IR-THR"].last_received_at + timedelta(seconds=1)


def test_field_versions_travel_exactly_with_fields_as_created_written_short(world):
    from consuldesk.store.models import National

    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz"))
    path = send(thr, hq, usb)
    (record,) = [r for r in b.open_bundle(path.read_bytes(), keys.unlock_all(hq, PASS["KZ-HQ"]))
                 .records() if r.id == a.id]  # fmt: skip
    assert len(record.fields["surname_cyr"]) == 1  # as created: [value]
    assert record.fields["city"][0] == "Tabriz" and len(record.fields["city"]) == 3
    receive(hq, path)
    versions = {}
    for desk in (thr, hq):
        with desk.casefile.read() as session:
            row = session.get(National, a.id)
            versions[code(desk)] = (row.field_versions, row.created_at, row.birth_date)
    assert versions["KZ-HQ"] == versions["IR-THR"]


def test_the_same_bundle_twice_and_an_older_one_after_a_newer_change_nothing(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person()).row
    first = send(thr, hq, usb)
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Shiraz"))
    second = send(thr, hq, usb)  # carries everything again: nothing was acknowledged

    receive(hq, second)
    before = fingerprint(hq)
    again = receive(hq, second)
    assert (again.created, again.updated, again.conflicts) == ({}, {}, 0)
    older = receive(hq, first)
    assert (older.created, older.updated, older.conflicts) == ({}, {}, 0)
    assert nationals.get_national(hq, a.id).city == "Shiraz"
    assert before  # the case file was not damaged by the repeats
    assert s.conflicts(hq) == []


def test_refused_bundles_leave_the_case_file_byte_for_byte_unchanged(world, tmp_path):
    hq, thr, usb = world
    nationals.register_national(thr, person())
    good = send(thr, hq, usb)
    data = good.read_bytes()
    baku = make(tmp_path, "AZ-BAK", "AZ")
    enrol(baku, thr, tmp_path)
    for_baku = send(thr, baku, usb)

    cases = {
        "truncated": (data[: len(data) // 2], "bundle.cut_or_altered"),
        "altered": (data[:-200] + bytes([data[-200] ^ 1]) + data[-199:], "bundle.cut_or_altered"),
        "not for us": (for_baku.read_bytes(), "bundle.not_for_us"),
        "not a bundle": (b"PK\x03\x04 a zip file", "bundle.not_bundle"),
        "empty": (b"", "bundle.empty"),
        # A letter changed in the header's recipient line (still base64, so the header still
        # reads): no key opens it, and the message says it may have been damaged on the way.
        "recipient altered": (
            data[:40] + (b"B" if data[40:41] == b"A" else b"A") + data[41:],
            "bundle.not_for_us",
        ),
    }
    # Baku re-encrypts Tehran's bundle to headquarters: the signed manifest still names Baku.
    opened = b.open_bundle(for_baku.read_bytes(), [keys.unlock(baku, PASS["AZ-BAK"])])
    hq_recipient = pyrage.x25519.Recipient.from_str(keys.recipients(thr, "KZ-HQ")[0].recipient)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(b.MANIFEST, opened.head)
        z.writestr(b.SIGNATURE, base64.b64encode(opened.signature))
        z.writestr(b.CHANGES, opened.changes)
        z.writestr(b.STATEMENTS, opened.statements)
        z.writestr(b.AUTHORS, opened.authors)
    cases["passed on"] = (
        bytes(pyrage.encrypt(archive.getvalue(), [hq_recipient])),
        "bundle.wrong_recipient",
    )
    # Whoever can encrypt to headquarters rewrites who made the changes: the hash says no.
    mine = b.open_bundle(data, [keys.unlock(hq, PASS["KZ-HQ"])])
    assert b"officer IR-THR" in mine.authors
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name, content in (
            (b.MANIFEST, mine.head),
            (b.SIGNATURE, base64.b64encode(mine.signature)),
            (b.CHANGES, mine.changes),
            (b.STATEMENTS, mine.statements),
            (b.AUTHORS, mine.authors.replace(b"officer IR-THR", b"someone else!!")),
        ):
            z.writestr(name, content)
    cases["authors rewritten"] = (
        bytes(pyrage.encrypt(archive.getvalue(), [hq_recipient])),
        "bundle.damaged",
    )

    before = fingerprint(hq)
    for label, (content, expected) in cases.items():
        path = tmp_path / f"{label}.consuldesk-bundle"
        path.write_bytes(content)
        with pytest.raises(SyncError) as caught:
            receive(hq, path)
        assert caught.value.code == expected, label
        assert fingerprint(hq) == before, label
    assert not (hq.casefile.path.parent / "KZ-HQ.consuldesk.backups").exists()
    baku.close()


def test_an_unknown_or_revoked_sender_is_refused(world, tmp_path):
    hq, thr, usb = world
    nationals.register_national(thr, person())
    path = send(thr, hq, usb)
    peer = next(p for p in keys.peers(hq) if p.post == "IR-THR")
    keys.revoke_peer(hq, PASS["KZ-HQ"], peer.key_id, "ноутбук тәркіленді")
    before = fingerprint(hq)
    with pytest.raises(SyncError) as caught:
        receive(hq, path)
    assert caught.value.code == "bundle.sender_revoked"
    assert fingerprint(hq) == before


def test_edits_of_different_fields_merge_quietly_and_of_one_field_are_queued(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran", notes=None)).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))

    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(
        hq, a.id, nationals.fields_of_row(at_hq).replace(notes="HQ: call back", city="Qom")
    )
    nationals.update_national(
        thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz", address="Azadi 5")
    )
    to_hq, to_thr = send(thr, hq, usb), send(hq, thr, usb)
    receive(hq, to_hq)
    receive(thr, to_thr)

    x, y = nationals.get_national(hq, a.id), nationals.get_national(thr, a.id)
    assert (x.city, x.notes, x.address) == (y.city, y.notes, y.address)  # converged
    assert (x.notes, x.address) == ("HQ: call back", "Azadi 5")  # different fields: both kept
    for desk in (hq, thr):
        (conflict,) = s.conflicts(desk)
        assert conflict.field == "city" and conflict.record_id == a.id
        assert {conflict.kept_value, conflict.other_value} == {"Qom", "Tabriz"}
        assert conflict.kept_value == x.city
        # Who made each side, and what both changed from.
        made = {conflict.kept_value: conflict.kept_by, conflict.other_value: conflict.other_by}
        assert made == {"Qom": "officer KZ-HQ", "Tabriz": "officer IR-THR"}
        assert (conflict.before_known, conflict.before_value) == (True, "Tehran")

    # Resolved at headquarters, taking the other value: it travels and settles Tehran's too.
    (conflict,) = s.conflicts(hq)
    s.resolve_conflict(hq, conflict.id, keep_other=True)
    receive(thr, send(hq, thr, usb))
    assert nationals.get_national(thr, a.id).city == conflict.other_value
    assert s.conflicts(thr) == [] and s.conflicts(hq) == []


def test_the_same_person_registered_at_two_posts_is_flagged_not_counted_twice_silently(world):
    hq, thr, usb = world
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE)
    nationals.register_national(hq, person(iin=iin, city="Astana"))
    nationals.register_national(thr, person(iin=iin, city="Tehran"))
    result = receive(hq, send(thr, hq, usb))
    assert result.created == {"post": 1, "national": 1} and result.flagged == 1
    (pair,) = nationals.list_duplicates(hq)
    assert pair.score == 1.0
    counts = situation(hq)
    assert counts.by_post == {"KZ-HQ": 1, "IR-THR": 1}
    assert (counts.nationals, counts.counted_twice) == (2, 1)  # and it says so


def test_the_same_name_and_birth_date_at_two_posts_is_flagged_without_a_document_in_common(
    world, tmp_path
):
    """Registered at two posts with two passport numbers (one renewed), he was counted twice
    at headquarters without a word; only his card said "possibly the same person"."""
    hq, thr, usb = world
    dxb = make(tmp_path, "AE-DXB", "AE")
    enrol(hq, dxb, tmp_path)
    born = date(1979, 1, 1)
    common = dict(iin=None, birth_date=born, sex=Sex.MALE, given_names_cyr="Ерлан")
    nationals.register_national(
        thr,
        person(surname_cyr="Ахметов", surname_lat="AKHMETOV", passport_no="N55667788", **common),
    )
    nationals.register_national(
        dxb,
        person(surname_cyr="Ахметов", surname_lat="AKHMETOV", passport_no="N55667789",
               host_country="AE", **common),
    )  # fmt: skip
    nationals.register_national(  # another man born that day: not him
        dxb,
        person(surname_cyr="Сейітов", surname_lat="SEIITOV", passport_no="N11112222",
               host_country="AE", **common),
    )  # fmt: skip
    receive(hq, send(thr, hq, usb))
    result = receive(hq, send(dxb, hq, usb))
    assert result.flagged == 1
    (pair,) = nationals.list_duplicates(hq)
    assert {pair.a.passport_no, pair.b.passport_no} == {"N55667788", "N55667789"}
    assert situation(hq).counted_twice == 1
    dxb.close()


def test_a_person_headquarters_merged_from_two_posts_reaches_each_post_merged(world, tmp_path):
    hq, thr, usb = world
    dxb = make(tmp_path, "AE-DXB", "AE")
    enrol(hq, dxb, tmp_path)
    iin = valid_iin(date(1978, 11, 1), Sex.FEMALE)
    kept = nationals.register_national(
        thr, person(iin=iin, passport_no="N32345678", birth_date=date(1978, 11, 1))
    ).row
    dropped = nationals.register_national(
        dxb,
        person(
            surname_cyr="Касымова",
            given_names_cyr="Айгуль",
            surname_lat="KASYMOVA",
            passport_no="N32345679",
            birth_date=date(1978, 11, 1),
            host_country="AE",
        ),
    ).row
    receive(hq, send(thr, hq, usb))
    receive(hq, send(dxb, hq, usb))
    nationals.merge_nationals(hq, kept.id, dropped.id, ["host_country"])

    # Dubai has the record merged away, and not the one kept: both come in one bundle.
    result = receive(dxb, send(hq, dxb, usb))
    assert result.created.get("national") == 1
    assert result.merged == {"national": 1} and not result.deleted
    with dxb.casefile.read() as session:
        gone = session.get(National, dropped.id)
        assert gone.deleted_at is not None and gone.merged_into_id == kept.id
    assert nationals.get_national(dxb, kept.id).host_country == "AE"
    assert situation(dxb).nationals == 1
    receive(thr, send(hq, thr, usb))  # Tehran has the one kept, with what the merge took
    assert nationals.get_national(thr, kept.id).host_country == "AE"
    assert situation(thr).nationals == 1
    dxb.close()


def test_an_edit_of_a_person_headquarters_merged_meanwhile_goes_to_the_person_kept(world, tmp_path):
    hq, thr, usb = world
    dxb = make(tmp_path, "AE-DXB", "AE")
    enrol(hq, dxb, tmp_path)
    kept = nationals.register_national(thr, person(passport_no="N32345678")).row
    dropped = nationals.register_national(
        dxb, person(surname_cyr="Касымова", passport_no="N32345679", host_country="AE")
    ).row
    receive(hq, send(thr, hq, usb))
    receive(hq, send(dxb, hq, usb))
    nationals.merge_nationals(hq, kept.id, dropped.id, ["host_country"])
    # Dubai, not knowing yet, records her new phone and that she is in a hotel.
    mine = nationals.get_national(dxb, dropped.id)
    nationals.update_national(
        dxb, dropped.id, nationals.fields_of_row(mine).replace(phones=("+971509990000",))
    )
    nationals.set_presence(dxb, [dropped.id], PresenceStatus.IN_HOTEL)

    result = receive(hq, send(dxb, hq, usb))
    assert result.conflicts == 0  # a merge is not a deletion to choose against
    at_hq = nationals.get_national(hq, kept.id)
    assert (at_hq.phones, at_hq.presence_status) == (("+971509990000",), "in_hotel")
    assert situation(hq).counted_twice == 0 and situation(hq).nationals == 1
    receive(dxb, send(hq, dxb, usb))  # the merge reaches Dubai, and her phone on the one kept
    at_dxb = nationals.get_national(dxb, kept.id)
    assert (at_dxb.phones, at_dxb.presence_status) == (("+971509990000",), "in_hotel")
    assert s.conflicts(dxb) == [] and situation(dxb).nationals == 1
    dxb.close()


def test_what_a_post_lost_by_restoring_a_backup_comes_back_from_headquarters(world):
    from consuldesk.services import backups

    hq, thr, usb = world
    a = nationals.register_national(thr, person(phones=("+77011234567",))).row
    receive(hq, send(thr, hq, usb))
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(city="Astara"))
    before_hq = receive(thr, send(hq, thr, usb)).backup  # taken before HQ's bundle
    mine = nationals.get_national(thr, a.id)
    nationals.update_national(thr, a.id, nationals.fields_of_row(mine).replace(notes="E1"))
    receive(hq, send(thr, hq, usb))  # thr's bundle 2: HQ holds E1

    path, officer = thr.casefile.path, thr.officer
    thr.close()
    backups.restore_backup(path, before_hq)  # back to before HQ's bundle, and before E1
    thr = open_casefile(path, officer, PASS["IR-THR"])
    try:
        lost = nationals.get_national(thr, a.id)
        assert (lost.city, lost.notes) != ("Astara", "E1")
        nationals.update_national(thr, a.id, nationals.fields_of_row(lost).replace(email="a@b.kz"))
        third = send(thr, hq, usb)
        assert third.name.endswith("-n000003.consuldesk-bundle")  # never a second bundle 2
        receive(hq, third)  # says what thr holds now: less than before
        back = receive(thr, send(hq, thr, usb))
        assert not back.held
        row = nationals.get_national(thr, a.id)
        assert (row.city, row.notes, row.email) == ("Astara", "E1", "a@b.kz")
        assert nationals.get_national(hq, a.id).email == "a@b.kz"
        with thr.casefile.read() as session:  # all back: it again says it holds its own
            assert exchange.own_gap(session) is None
    finally:
        thr.close()


def test_a_gap_holds_the_bundle_until_it_is_filled(world, tmp_path):
    hq, thr, usb = world
    a = nationals.register_national(thr, person()).row
    first = send(thr, hq, usb)
    receive(hq, first)
    receive(thr, send(hq, thr, usb))  # Tehran learns headquarters holds its first change
    # Headquarters' laptop is restored from the backup taken before that import.
    backup = sorted((hq.casefile.path.parent / "KZ-HQ.consuldesk.backups").glob("*.consuldesk"))[0]
    path = hq.casefile.path
    hq.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(backup.read_bytes())
    restored = open_casefile(path, "x")
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Shiraz"))
    later = send(thr, restored, usb)  # carries only the change: the creation was acknowledged

    held = receive(restored, later)
    assert held.held and set(held.missing) == {"IR-THR"}
    assert len(s.held_bundles(restored)) == 1
    assert nationals.count_nationals(restored) == 0

    filled = receive(restored, first)  # the missing bundle arrives: the held one follows
    assert filled.also_applied == [held.manifest.bundle_id]
    assert nationals.get_national(restored, a.id).city == "Shiraz"
    assert s.held_bundles(restored) == []
    restored.close()


def test_the_first_bundle_after_a_rotation_is_trusted_through_the_old_key(world):
    hq, thr, usb = world
    nationals.register_national(thr, person())
    receive(hq, send(thr, hq, usb))
    new = keys.rotate_keys(thr, PASS["IR-THR"])
    nationals.register_national(thr, person(passport_no="N5555555", surname_cyr="Ұлықбеков"))
    result = receive(hq, send(thr, hq, usb))  # signed by the new keys
    assert result.keys_changed == 1 and result.created["national"] == 1
    assert [p.key_id for p in keys.trusted_keys(hq, "IR-THR")] == [new.key_id]


def test_a_resolution_at_either_side_settles_the_conflict_everywhere(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(city="Qom"))
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz"))
    to_hq, to_thr = send(thr, hq, usb), send(hq, thr, usb)  # the sticks cross
    receive(hq, to_hq)
    receive(thr, to_thr)
    (at_thr,) = s.conflicts(thr)
    assert {p.post: p.open_conflicts for p in s.sync_status(hq)} == {"IR-THR": 1}

    s.resolve_conflict(thr, at_thr.id, keep_other=True)  # at the post this time
    receive(hq, send(thr, hq, usb))
    assert s.conflicts(hq) == [] and s.conflicts(thr) == []
    assert nationals.get_national(hq, a.id).city == nationals.get_national(thr, a.id).city
    assert {p.post: p.open_conflicts for p in s.sync_status(hq)} == {"IR-THR": 0}
    chosen = at_thr.other_value
    (settled,) = s.conflict_rows(hq, open_only=False)  # settled there: which value, by whom
    assert (settled.resolved_value, settled.resolved_by) == (chosen, "officer IR-THR (IR-THR)")
    (mine,) = s.conflict_rows(thr, open_only=False)
    assert (mine.resolved_value, mine.resolved_by) == (chosen, "officer IR-THR")


def test_headquarters_choosing_the_posts_own_value_queues_nothing_at_the_post(world):
    """Headquarters settled a conflict with the post's own value; the post then got a
    conflict whose two sides were the same value."""
    hq, thr, usb = world
    a = nationals.register_national(thr, person(phones=("+989121234567",))).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    at_hq = nationals.get_national(hq, a.id)
    mine = ("+989121234567", "+971557654321")
    nationals.update_national(
        hq, a.id, nationals.fields_of_row(at_hq).replace(phones=("+989121234567", "+971501234568"))
    )
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(phones=mine))
    receive(hq, send(thr, hq, usb))
    (conflict,) = s.conflicts(hq)
    posts_kept = nationals.get_national(hq, a.id).phones == mine
    s.resolve_conflict(hq, conflict.id, keep_other=not posts_kept)  # the post's value
    assert nationals.get_national(hq, a.id).phones == mine
    receive(thr, send(hq, thr, usb))
    assert s.conflicts(thr) == [] and s.conflicts(hq) == []
    assert nationals.get_national(thr, a.id).phones == mine


def test_an_old_bundle_brought_back_queues_no_conflict_and_keeps_no_backup(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    first = send(thr, hq, usb)
    receive(hq, first)
    receive(thr, send(hq, thr, usb))
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(city="Qom"))
    receive(thr, send(hq, thr, usb))
    nationals.update_national(
        thr, a.id, nationals.fields_of_row(nationals.get_national(thr, a.id)).replace(city="Rasht")
    )
    receive(hq, send(thr, hq, usb))
    backups = hq.casefile.path.with_name(hq.casefile.path.name + ".backups")
    before = sorted(backups.iterdir())

    again = receive(hq, first)

    assert again.nothing_new and again.backup is None
    assert sorted(backups.iterdir()) == before
    assert s.conflicts(hq) == [] and nationals.get_national(hq, a.id).city == "Rasht"


def test_an_edit_against_a_deletion_is_a_conflict_not_a_silent_loss(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    nationals.delete_national(thr, a.id)  # a duplicate, thinks Tehran
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(city="Qom"))
    to_hq, to_thr = send(thr, hq, usb), send(hq, thr, usb)  # the sticks cross
    receive(hq, to_hq)
    receive(thr, to_thr)

    for desk in (hq, thr):
        (conflict,) = s.conflicts(desk)
        assert (conflict.field, conflict.other_value) == ("deleted_at", None)
        assert (conflict.kept_by, conflict.other_by) == ("officer IR-THR", "officer KZ-HQ")
        assert not nationals.search(desk, "Қасымова").rows  # deleted everywhere, for now

    # Headquarters restores it: the edit was real. It travels and settles Tehran's conflict.
    (conflict,) = s.conflicts(hq)
    s.resolve_conflict(hq, conflict.id, keep_other=True)
    receive(thr, send(hq, thr, usb))
    for desk in (hq, thr):
        (found,) = nationals.search(desk, "Қасымова").rows
        assert found.city == "Qom"
        assert s.conflicts(desk) == []


def test_the_post_that_deleted_is_told_of_the_edit_whichever_way_the_sticks_went(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    nationals.delete_national(thr, a.id)
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(notes="Звонил"))
    receive(hq, send(thr, hq, usb))  # first to headquarters, which now holds the deletion
    receive(thr, send(hq, thr, usb))  # then back: the edit was still made without it
    for desk in (hq, thr):
        (conflict,) = s.conflicts(desk)
        assert (conflict.field, conflict.other_value) == ("deleted_at", None)
    receive(thr, send(hq, thr, usb))  # the same again: queued once
    assert len(s.conflicts(thr)) == 1

    # Resolved at headquarters (kept deleted, with the edit in view): nothing queued anew.
    (at_hq_conflict,) = s.conflicts(hq)
    s.resolve_conflict(hq, at_hq_conflict.id, keep_other=False)
    receive(thr, send(hq, thr, usb))
    assert s.conflicts(thr) == [] and s.conflicts(hq) == []


def test_a_conflict_relayed_by_headquarters_names_the_officer_at_the_first_post(world, tmp_path):
    hq, thr, usb = world
    bak = make(tmp_path, "AZ-BAK", "AZ")
    enrol(hq, bak, tmp_path)
    # Registered in Tehran on the way to the border: their host country is Azerbaijan.
    a = nationals.register_national(thr, person(city="Tehran", host_country="AZ")).row
    receive(hq, send(thr, hq, usb))
    receive(bak, send(hq, bak, usb))  # handed over: Baku has the person through headquarters
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz"))
    at_bak = nationals.get_national(bak, a.id)
    nationals.update_national(bak, a.id, nationals.fields_of_row(at_bak).replace(city="Astara"))
    receive(hq, send(thr, hq, usb))
    receive(bak, send(hq, bak, usb))

    (row,) = s.conflict_rows(bak)
    assert (row.record, row.field) == ("Қасымова Әйгерім", "city")
    made = {
        row.kept_value: (row.kept_by, row.kept_where),
        row.other_value: (row.other_by, row.other_where),
    }
    assert made == {"Tabriz": ("officer IR-THR", "IR-THR"), "Astara": ("officer AZ-BAK", "AZ-BAK")}
    assert (row.before_known, row.before_value) == (True, "Tehran")
    bak.close()


def _in_bundle(desk, path: Path) -> set[str]:
    opened = b.open_bundle(path.read_bytes(), [keys.unlock(desk, PASS[code(desk)])])
    return {r.id for r in opened.records()}


def test_a_post_receives_what_concerns_its_country_and_people_handed_over_to_it(world, tmp_path):
    hq, thr, usb = world
    bak = make(tmp_path, "AZ-BAK", "AZ")
    enrol(hq, bak, tmp_path)

    def register(desk, surname, passport, country):
        fields = person(
            surname_cyr=surname, surname_lat="X", passport_no=passport, host_country=country
        )
        return nationals.register_national(desk, fields).row

    mother = register(thr, "Әбенова", "N1000001", "IR")
    son = register(thr, "Әбенов", "N1000002", "IR")
    family = households.create_household(
        thr, "Әбеновтер", "family", head_id=mother.id, member_ids=[son.id]
    ).row
    at_baku = register(thr, "Ғалымов", "N1000003", "AZ")  # already across the border
    in_doha = register(thr, "Қайратов", "N1000004", "QA")
    receive(hq, send(thr, hq, usb))
    receive(bak, send(hq, bak, usb))
    receive(hq, send(bak, hq, usb))  # Baku's acknowledgements: it holds Tehran's changes so far
    # Baku holds its country's people only: a seized laptop in Baku does not reveal the others.
    assert _has(bak, at_baku.id) and not _has(bak, mother.id) and not _has(bak, in_doha.id)

    # Headquarters registers a list centrally for Azerbaijan; Tehran hands the mother over.
    central = register(hq, "Нұрланова", "N1000005", "AZ")
    moved = nationals.get_national(thr, mother.id)
    nationals.update_national(
        thr, mother.id, nationals.fields_of_row(moved).replace(host_country="AZ", city="Astara")
    )
    receive(hq, send(thr, hq, usb))
    path = send(hq, bak, usb)
    assert in_doha.id not in _in_bundle(bak, path)
    receive(bak, path)
    for record in (central, mother, son):  # the son comes with his mother's family
        assert _has(bak, record.id), record.surname_cyr
    assert nationals.get_national(bak, mother.id).city == "Astara"  # whole, as it is now
    assert households.get_household(bak, family.id).name == "Әбеновтер"
    assert not _has(bak, in_doha.id)

    # What Baku changes reaches Tehran, which registered her; the same bundle again is nothing.
    again = nationals.get_national(bak, mother.id)
    nationals.update_national(bak, mother.id, nationals.fields_of_row(again).replace(city="Baku"))
    receive(hq, send(bak, hq, usb))
    receive(thr, send(hq, thr, usb))
    assert nationals.get_national(thr, mother.id).city == "Baku"
    assert s.export_bundle(hq, PASS["KZ-HQ"], "AZ-BAK", usb).records == 0
    bak.close()


def test_a_deletion_made_after_seeing_the_edit_is_no_conflict(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    receive(hq, send(thr, hq, usb))
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(city="Qom"))
    receive(thr, send(hq, thr, usb))  # Tehran sees the edit
    nationals.delete_national(thr, a.id)  # and still deletes
    result = receive(hq, send(thr, hq, usb))
    assert s.conflicts(hq) == []
    assert not nationals.search(hq, "Қасымова").rows
    # Said as a deletion ("updated: people 1" read as an edit while the person was gone).
    assert result.deleted == {"national": 1} and "national" not in result.updated


def test_a_cancelled_import_changes_nothing_and_leaves_no_backup(world):
    from consuldesk.services.desk import CancelFlag, Cancelled

    hq, thr, usb = world
    for n in range(3):
        nationals.register_national(
            thr, person(passport_no=f"N900000{n}", surname_lat=f"KASSYMOVA {'ABC'[n]}")
        )
    path = send(thr, hq, usb)
    before = fingerprint(hq)
    cancel = CancelFlag()
    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append((done, total, label))
        cancel.cancel()  # the officer presses Cancel at the first report

    with pytest.raises(Cancelled):
        receive(hq, path, progress=progress, cancel=cancel)
    assert seen and seen[0][2] == "sync.apply"
    assert nationals.count_nationals(hq) == 0
    backups = hq.casefile.path.with_name(hq.casefile.path.name + ".backups")
    assert not list(backups.glob("*.consuldesk"))
    assert before  # and a real import afterwards works
    assert receive(hq, path).created["national"] == 3


@pytest.mark.parametrize(
    "line", [b"{not json", b'{"t": "national"}', b"[1, 2]", b'{"t": "x", "id": "y", "f": 3}']
)
def test_a_changes_line_that_is_not_a_record_is_named_damaged(line):
    opened = b.Opened(manifest=None, head=b"", signature=b"", changes=line + b"\n", statements=b"")  # type: ignore[arg-type]
    with pytest.raises(SyncError) as caught:
        list(opened.records())
    assert caught.value.code == "bundle.damaged" and caught.value.params["detail"] == b.CHANGES


def test_a_stick_that_is_not_there_is_named_and_no_file_takes_its_name(world, tmp_path):
    from consuldesk.services.errors import ServiceError

    _hq, thr, _usb = world
    missing = tmp_path / "media" / "usb-missing"
    (tmp_path / "media").mkdir()
    for write in (
        lambda: s.export_bundle(thr, PASS["IR-THR"], "KZ-HQ", missing),
        lambda: keys.export_public_key(thr, missing),
    ):
        with pytest.raises(ServiceError) as caught:
            write()
        assert caught.value.code == "file.no_folder"
        assert caught.value.params["folder"] == str(missing)
        assert not missing.exists()
    named = tmp_path / "media" / "for-hq.consuldesk-bundle"  # a file name is a file
    assert s.export_bundle(thr, PASS["IR-THR"], "KZ-HQ", named).path == named and named.is_file()


def test_a_bundle_or_another_file_named_as_the_target_is_never_written_over(world, tmp_path):
    from consuldesk.services.errors import ServiceError

    hq, thr, usb = world
    first = send(thr, hq, usb)  # bundle 1, named n000001
    kept = first.read_bytes()
    notes = usb / "notes.txt"
    notes.write_text("Әлиев: 3 чемодана", encoding="utf-8")
    for target, code_ in ((first, "file.taken"), (notes, "file.not_folder")):
        with pytest.raises(ServiceError) as caught:
            s.export_bundle(thr, PASS["IR-THR"], "KZ-HQ", target)
        assert caught.value.code == code_ and caught.value.params["path"] == str(target)
    assert first.read_bytes() == kept and notes.read_text(encoding="utf-8") == "Әлиев: 3 чемодана"
    second = send(thr, hq, usb)  # nothing was used up: this is bundle 2, beside the first
    assert second.name.endswith("-n000002.consuldesk-bundle") and first.exists()
    assert receive(hq, first).manifest.sequence == 1


def test_the_wrong_bundle_picked_says_whose_it_is(world, tmp_path):
    hq, thr, usb = world
    bak = make(tmp_path, "AZ-BAK", "AZ")
    enrol(bak, thr, tmp_path)
    nationals.register_national(thr, person())
    for_baku = send(thr, bak, usb)
    for_hq = send(thr, hq, usb)
    before = fingerprint(hq)
    with pytest.raises(SyncError) as caught:
        receive(hq, for_baku)  # the officer picked the file next to the right one
    assert caught.value.code == "bundle.for_other"
    assert caught.value.params == {"post": "AZ-BAK", "sender": "IR-THR", "own": "KZ-HQ"}
    with pytest.raises(SyncError) as caught:
        receive(thr, for_hq)  # its own outgoing bundle
    assert (caught.value.code, caught.value.params) == ("bundle.own", {"post": "KZ-HQ"})
    assert fingerprint(hq) == before
    bak.close()


def test_what_an_officer_settled_at_a_post_stays_settled_at_headquarters(world, tmp_path):
    """The post marks a doubtful phone as reviewed; headquarters, given the same operator's
    list later, does not set it aside again: what was settled travels with the record."""
    from consuldesk.services.lists import import_list
    from consuldesk.services.review import dismiss_review

    hq, thr, usb = world
    listing = tmp_path / "operator.csv"
    listing.write_text(
        "Фамилия;Имя;Паспорт;Телефон\nІскаков;Серік;N4444444;+7 (769) 956-13-89\n",
        encoding="utf-8",
    )
    assert import_list(thr, listing).needs_review == 1
    (row,) = nationals.search(thr, "Іскаков").rows
    dismiss_review(thr, row.id)
    receive(hq, send(thr, hq, usb))
    at_hq = nationals.get_national(hq, row.id)
    assert at_hq.review == ()
    again = import_list(hq, listing)
    assert (again.created, again.needs_review) == (0, 0)
    assert nationals.get_national(hq, row.id).review == ()
    assert s.conflicts(hq) == []


def test_a_key_file_picked_instead_of_a_bundle_is_named_as_one(world, tmp_path):
    hq, thr, _usb = world
    key_file = keys.export_public_key(thr, tmp_path / "keys")  # enrol() wrote it there
    with pytest.raises(SyncError) as caught:
        receive(hq, key_file)
    assert caught.value.code == "bundle.key_file"
    assert caught.value.params == {"path": str(key_file), "post": "IR-THR"}


def test_headquarters_knows_how_old_each_posts_figures_are(world, monkeypatch):
    """Tehran's figures at headquarters are as of when its bundle was made, however long the
    USB stick took: the situation says so for each post (not for its own: current)."""
    from datetime import UTC, datetime

    hq, thr, usb = world
    nationals.register_national(thr, person(iin=None, host_country="IR"))
    nationals.register_national(hq, person(iin=None, passport_no="N90000001"))
    assert situation(hq).post_as_of == {}  # only its own people yet
    made = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    monkeypatch.setattr(s, "utcnow", lambda: made)  # made ten minutes after the change
    path = send(thr, hq, usb)
    monkeypatch.setattr(s, "utcnow", lambda: made + timedelta(days=2))  # two days on the road
    receive(hq, path)
    counts = situation(hq)
    assert set(counts.by_post) == {"KZ-HQ", "IR-THR"}
    assert counts.post_as_of == {"IR-THR": made}  # not when it arrived, not the change
    assert counts.to_dict()["post_as_of"] == {"IR-THR": made.strftime("%Y-%m-%dT%H:%M:%SZ")}

    # A sender's clock ahead of headquarters' cannot make its figures newer than their arrival.
    nationals.register_national(thr, person(iin=None, passport_no="N90000002", host_country="IR"))
    monkeypatch.setattr(s, "utcnow", lambda: made + timedelta(days=30))
    path = send(thr, hq, usb)
    monkeypatch.setattr(s, "utcnow", lambda: made + timedelta(days=3))
    receive(hq, path)
    assert situation(hq).post_as_of == {"IR-THR": made + timedelta(days=3)}


def test_two_phone_numbers_added_at_two_posts_can_both_be_kept(world):
    """Tehran and headquarters each added a number for the same person: the conflict offered
    one or the other, and the number dropped was the one the family answers at. Both are kept,
    the same at both ends; notes too; a city is one value or the other."""
    hq, thr, usb = world
    a = nationals.register_national(thr, person(phones=("+77012345678",), notes="Tehran: ok")).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(hq, a.id, nationals.fields_of_row(at_hq).replace(
        phones=("+77012345678", "+77770001122"), notes="Tehran: ok\nHQ: sister called",
        city="Qom"))  # fmt: skip
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(
        phones=("+77012345678", "+989121234567"), notes="Hotel Azadi, room 12",
        city="Tabriz"))  # fmt: skip
    to_hq, to_thr = send(thr, hq, usb), send(hq, thr, usb)
    receive(hq, to_hq)
    receive(thr, to_thr)
    by_field = {c.field: c for c in s.conflicts(hq)}
    assert set(by_field) == {"phones", "notes", "city"}

    with pytest.raises(SyncError) as refused:
        s.resolve_conflict(hq, by_field["city"].id, keep_both=True)
    assert refused.value.code == "sync.conflict_not_both"
    assert s.conflicts(hq)[0].status == "open"  # nothing settled by the refusal

    phones = s.resolve_conflict(hq, by_field["phones"].id, keep_both=True)
    notes = s.resolve_conflict(hq, by_field["notes"].id, keep_both=True)
    kept = by_field["phones"].kept_value
    assert phones.resolved_value == kept + [p for p in by_field["phones"].other_value
                                            if p not in kept]  # fmt: skip
    assert set(phones.resolved_value) == {"+77012345678", "+77770001122", "+989121234567"}
    x = nationals.get_national(hq, a.id)
    assert "HQ: sister called" in x.notes and "Hotel Azadi, room 12" in x.notes
    assert notes.resolved_value == x.notes

    receive(thr, send(hq, thr, usb))  # the choice travels and settles Tehran's conflicts too
    y = nationals.get_national(thr, a.id)
    assert (y.phones, y.notes) == (x.phones, x.notes)
    assert {c.field for c in s.conflicts(thr)} == {"city"}


def test_a_post_whose_clock_runs_ahead_never_dates_its_figures_after_they_arrived(world):
    """Tehran's laptop two days ahead stamped its changes 09.12 on the 7th: headquarters said
    its figures were of the 9th, "just now". They are no newer than their bundle's arrival;
    and a post's people relayed by another post, with no bundle of its own here, no newer
    than now."""
    from datetime import UTC, datetime

    from consuldesk.domain.hlc import Timestamp
    from consuldesk.store.models import National, SyncKnowledge, SyncPeer

    hq, thr, usb = world
    nationals.register_national(thr, person(iin=None, host_country="IR"))
    receive(hq, send(thr, hq, usb))
    relayed = nationals.register_national(hq, person(iin=None, passport_no="N90000004")).row
    ahead = int((datetime.now(UTC) + timedelta(days=2)).timestamp() * 1000)
    with hq.write() as tx:
        for post in ("IR-THR", "AE-DXB"):
            tx.session.merge(SyncKnowledge(node=post, version=str(Timestamp(ahead, 0, post))))
        record = tx.session.get(National, relayed.id)
        record.origin_post = "AE-DXB"  # as Dubai's person brought by another post's bundle
        tx.session.add(record)
        arrived = tx.session.get(SyncPeer, "IR-THR").last_received_at
    as_of = situation(hq).post_as_of
    arrived = arrived if arrived.tzinfo else arrived.replace(tzinfo=UTC)
    assert as_of["IR-THR"] == arrived
    assert as_of["AE-DXB"] <= datetime.now(UTC)


def test_imports_rotate_backups_as_every_backup_and_never_push_out_ones_taken_by_hand(world):
    """Imports pruned the folder to their own five newest copies: the copy an officer took by
    hand and the work a restore set aside went after five bundles."""
    from consuldesk.services.backups import take_backup

    hq, thr, usb = world
    by_hand = take_backup(hq, "by-hand")
    for n in range(6):
        nationals.register_national(thr, person(given_names_cyr=f"Әйгерім{'і' * n}", iin=None))
        assert receive(hq, send(thr, hq, usb)).backup is not None
    backups = sorted(p.name for p in by_hand.parent.glob("*.consuldesk"))
    assert by_hand.name in backups and len(backups) == 7


def test_an_import_written_is_not_reported_failed_when_the_disk_fills_after_it(world, monkeypatch):
    """The planner's statistics, gathered after a big bundle committed, found the disk full:
    the officer was told the import failed, and the people were in."""
    import sqlite3

    from consuldesk.store import db

    hq, thr, usb = world
    for n in range(3):
        nationals.register_national(thr, person(given_names_cyr=f"Әйгерім{'і' * n}", iin=None))
    bundle = send(thr, hq, usb)

    set_meta = db._set_meta

    def full(session, key, value):
        if key != db.META_STATS_ROWS:
            return set_meta(session, key, value)
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(db, "_set_meta", full)
    with hq.casefile.write("test") as tx:  # no statistics yet: an import gathers them
        tx.session.execute(text("DELETE FROM meta WHERE key = :k"), {"k": db.META_STATS_ROWS})
    result = receive(hq, bundle)
    assert not result.nothing_new and len(names(hq)) == 3


def test_the_same_value_written_at_both_ends_is_no_conflict(world):
    hq, thr, usb = world
    a = nationals.register_national(thr, person(city="Tehran")).row
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    for desk in (hq, thr):
        now = nationals.get_national(desk, a.id)
        changed = nationals.fields_of_row(now).replace(city="Isfahan", address="Чахар-Баг 5")
        nationals.update_national(desk, a.id, changed)
    nationals.update_national(
        hq, a.id, nationals.fields_of_row(nationals.get_national(hq, a.id)).replace(notes="HQ")
    )
    to_hq, to_thr = send(thr, hq, usb), send(hq, thr, usb)
    receive(hq, to_hq)
    receive(thr, to_thr)
    assert s.conflicts(hq) == [] and s.conflicts(thr) == []
    x, y = nationals.get_national(hq, a.id), nationals.get_national(thr, a.id)
    assert (x.city, x.address, x.notes) == (y.city, y.address, y.notes) == (
        "Isfahan", "Чахар-Баг 5", "HQ"
    )  # fmt: skip


def test_export_to_all_on_a_stick_filled_halfway_names_what_it_wrote(world, tmp_path, monkeypatch):
    """Exit 3 and "the disk is full" only: the bundle written for the first post (counted as
    sent) was not mentioned."""
    from consuldesk.messages import describe
    from consuldesk.services.errors import ServiceError

    hq, _thr, usb = world
    abu = make(tmp_path, "AE-DXB", "AE")
    enrol(hq, abu, tmp_path)
    real = s._export

    def fills_up(desk, sender, peer, target, progress, cancel):
        if peer == "IR-THR":
            raise ServiceError("file.write", "path", path=str(target), reason="the disk is full")
        return real(desk, sender, peer, target, progress, cancel)

    monkeypatch.setattr(s, "_export", fills_up)
    with pytest.raises(ServiceError) as err:
        s.export_to_all(hq, PASS["KZ-HQ"], usb)
    assert err.value.code == "sync.partly_written"
    [written] = list(usb.glob("*.consuldesk-bundle"))
    assert describe(err.value) == (
        f"Bundles written for AE-DXB ({written.name}): they count as sent. The bundle for "
        f"IR-THR failed: {usb} cannot be written: the disk is full. Make room, then export "
        "again"
    )
    abu.close()
