"""A post's audit trail travels to headquarters in its bundles: appended there as it was made
(ids, officers, posts kept), never twice, and sent again until headquarters says it holds it."""

from __future__ import annotations

import io
import json
import zipfile

import pyrage
import pytest
from sqlalchemy import text

from consuldesk.services import audit, keys, nationals
from consuldesk.services.audit import AuditFilter
from consuldesk.services.lists import export_list
from consuldesk.sync import bundle as b
from consuldesk.sync.errors import SyncError
from tests.factories import person
from tests.unit.services.test_sync import PASS, code, enrol, make, receive, send

pytestmark = pytest.mark.usefixtures("fast_seal")


@pytest.fixture
def world(tmp_path):
    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    baku = make(tmp_path, "AZ-BAK", "AZ")
    enrol(hq, thr, tmp_path)
    enrol(thr, baku, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    yield hq, thr, baku, usb
    for desk in (hq, thr, baku):
        desk.close()


def events_of(desk, post: str | None = None) -> dict[str, tuple]:
    with desk.casefile.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, at, officer, post_code, table_name, record_id, action, changes,"
                " version FROM audit_event"
            )
        ).all()
    # The changes as values (their JSON text is spaced differently by each writer).
    return {r[0]: (*r[:7], json.loads(r[7]), r[8]) for r in rows if post is None or r[3] == post}


def audit_lines(path, desk) -> list[bytes]:
    identity = keys.unlock(desk, PASS[code(desk)]).identity
    plain = pyrage.decrypt(path.read_bytes(), [identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        return z.read(b.AUDIT).splitlines() if b.AUDIT in z.namelist() else []


def test_the_posts_trail_reaches_headquarters_whole_and_only_once(world, tmp_path):
    hq, thr, _baku, usb = world
    a = nationals.register_national(thr, person(host_country="IR", city="Tehran")).row
    nationals.update_national(thr, a.id, nationals.fields_of_row(a).replace(city="Tabriz"))
    export_list(thr, tmp_path / "tehran.csv")
    at_post = events_of(thr)

    path = send(thr, hq, usb)
    result = receive(hq, path)
    assert result.audit_events == len(at_post)
    # Exactly as made: ids, times, officers, posts, values.
    assert {i: e for i, e in events_of(hq, "IR-THR").items() if i in at_post} == at_post

    # Headquarters reads them as its own, with the post they came from.
    rows = audit.find_events(hq, AuditFilter(person=a.id)).rows
    from_post = [(r.post_code, r.officer, r.action) for r in rows if r.post_code == "IR-THR"]
    assert from_post == [
        ("IR-THR", "officer IR-THR", "update"),
        ("IR-THR", "officer IR-THR", "create"),
    ]
    exported = audit.find_events(hq, AuditFilter(kind="exports")).rows
    assert {(r.post_code, r.table, r.action) for r in exported} == {
        ("IR-THR", "national", "export"),  # the post's list export
        ("KZ-HQ", "bundle", "import"),  # and headquarters' receipt of the bundle
    }
    receipt = next(r for r in exported if r.action == "import")
    assert receipt.record_id == result.manifest.bundle_id
    assert receipt.changes["file"] == path.name and receipt.changes["sender"] == "IR-THR"
    assert receipt.changes["audit_events"] == len(at_post)
    sent = next(
        r for r in audit.find_events(thr, AuditFilter(kind="exports")).rows if r.table == "bundle"
    )
    assert sent.record_id == result.manifest.bundle_id
    assert sent.changes["sha256"] == receipt.changes["sha256"]

    # The same bundle again adds nothing to the trail but the officer's second import.
    before = events_of(hq)
    again = receive(hq, path)
    assert again.audit_events == 0
    added = set(events_of(hq)) - set(before)
    assert [events_of(hq)[i][6] for i in added] == ["import"]


def test_a_lost_bundle_costs_no_event_and_an_acknowledged_one_is_not_sent_again(world):
    hq, thr, _baku, usb = world
    nationals.register_national(thr, person(host_country="IR"))
    first = send(thr, hq, usb)  # lost on the way: never imported
    first_lines = audit_lines(first, hq)
    assert first_lines
    nationals.register_national(
        thr, person(host_country="IR", passport_no="N5555555", iin=None, surname_lat="X")
    )
    made = set(events_of(thr))
    second = send(thr, hq, usb)
    second_lines = audit_lines(second, hq)
    # Nothing acknowledged yet: the lost bundle's events come again, with the new ones.
    assert set(first_lines) < set(second_lines)
    receive(hq, second)
    assert made <= set(events_of(hq))

    # Headquarters' bundle back says how far it holds Tehran's trail...
    receive(thr, send(hq, thr, usb))
    nationals.register_national(
        thr, person(host_country="IR", passport_no="N6666666", iin=None, surname_lat="Y")
    )
    made = set(events_of(thr))
    third = send(thr, hq, usb)
    lines = audit_lines(third, hq)
    # ...so the next carries only what came after it (the second bundle's own export first).
    assert lines and not set(lines) & set(second_lines)
    assert receive(hq, third).audit_events == len(lines)
    assert made <= set(events_of(hq))


def test_a_bundle_for_another_post_carries_no_trail(world):
    _hq, thr, baku, usb = world
    nationals.register_national(thr, person(host_country="AZ"))
    path = send(thr, baku, usb)
    assert audit_lines(path, baku) == []
    result = receive(baku, path)
    assert result.audit_events == 0 and events_of(baku, "IR-THR") == {}


def test_a_damaged_audit_line_refuses_the_bundle_before_anything_is_written(world, monkeypatch):
    hq, thr, _baku, usb = world
    nationals.register_national(thr, person(host_country="IR"))
    real = b.write

    def with_a_bad_line(*args, audit=None, **kw):
        return real(*args, audit=[*(audit or []), {"id": "", "changes": []}], **kw)

    monkeypatch.setattr(b, "write", with_a_bad_line)
    path = send(thr, hq, usb)
    before = events_of(hq)
    with pytest.raises(SyncError) as caught:
        receive(hq, path)
    assert caught.value.code == "bundle.damaged"
    assert events_of(hq) == before


def test_a_bundle_of_an_older_version_without_a_trail_still_imports(world, monkeypatch):
    hq, thr, _baku, usb = world
    nationals.register_national(thr, person(host_country="IR"))
    real = b.write

    def as_before(manifest, *args, audit=None, **kw):  # no audit.jsonl, no marks
        manifest.audit_through, manifest.audit_acks = None, {}
        return real(manifest, *args, **kw)

    monkeypatch.setattr(b, "write", as_before)
    old = send(thr, hq, usb)
    result = receive(hq, old)
    assert result.created.get("national") == 1 and result.audit_events == 0
    assert "audit" not in result.manifest.body() and "audit_acks" not in result.manifest.body()
    # Headquarters, of an older version too, acknowledges nothing of the trail: the next bundle
    # of a newer Tehran carries all of it.
    receive(thr, send(hq, thr, usb))
    monkeypatch.setattr(b, "write", real)
    made = set(events_of(thr))
    assert receive(hq, send(thr, hq, usb)).audit_events == len(made)
    assert made <= set(events_of(hq))


def test_a_trail_put_back_from_a_backup_is_sent_again_from_its_start(world):
    from consuldesk.store.db import write_meta
    from consuldesk.sync import audit as sync_audit

    hq, thr, _baku, usb = world
    nationals.register_national(thr, person(host_country="IR"))
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    with thr.casefile.read() as session:
        mark = sync_audit.acked_by(session, "KZ-HQ")
        assert mark is not None
        # Only what came after the bundle headquarters acknowledged is still to send.
        pending = sync_audit.events_after(session, mark)[0]
        assert 0 < len(pending) < len(events_of(thr))
    # The sequence headquarters acknowledged names another event now (a restore, and the
    # trail went on from an older point): everything is sent again, and skipped there.
    with thr.casefile.write("x") as tx:
        write_meta(tx.session, sync_audit.ACKED + "KZ-HQ", f"{mark[0]} not-that-event")
    with thr.casefile.read() as session:
        assert sync_audit.acked_by(session, "KZ-HQ") is None
    made = len(events_of(thr))
    path = send(thr, hq, usb)
    assert len(audit_lines(path, hq)) == made
    assert receive(hq, path).audit_events == len(pending)  # the others are there already


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"[1, 2]",
        b'{"id": "x"}',
        b'{"id": "x", "at": "yesterday", "officer": "o", "post": "p", "table": "t",'
        b' "record": "r", "action": "a", "changes": {}, "version": "v"}',
        b'{"id": "x", "at": "2026-12-06T10:00:00+00:00", "officer": "o", "post": "p",'
        b' "table": "t", "record": "r", "action": "a", "changes": [], "version": "v"}',
    ],
)
def test_audit_lines_of_the_wrong_shape_are_named_as_damage(line):
    opened = b.Opened(manifest=None, head=b"", signature=b"", changes=b"", statements=b"")  # type: ignore[arg-type]
    opened.audit = line
    with pytest.raises(SyncError) as caught:
        opened.audit_events()
    assert (caught.value.code, caught.value.params.get("detail")) == ("bundle.damaged", b.AUDIT)
