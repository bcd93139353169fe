"""Tests for consuldesk.services.retention: the review list, keeping, anonymising, and the
anonymisation travelling to headquarters."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from consuldesk.domain.enums import (
    HouseholdKind,
    PresenceStatus,
    RequestKind,
    Sex,
    TimelineKind,
)
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.retention import REMOVED, Basis, add_months
from consuldesk.services import households, nationals, requests
from consuldesk.services import retention as r
from consuldesk.services.demo import seed_demo
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.documents import sitrep_data
from consuldesk.services.errors import ServiceError
from consuldesk.services.stats import situation
from consuldesk.store.errors import NotFound
from tests.factories import person, valid_iin

TODAY = date(2026, 3, 10)
# The status is dated by the wall clock of the change (its version), not by the desk's today.
LATER = add_months(date.today(), 18) + timedelta(days=1)


def _register(desk, **overrides):
    return nationals.register_national(desk, person(**overrides)).row


def _gone(desk, **overrides):
    row = _register(desk, **overrides)
    nationals.set_presence(desk, [row.id], PresenceStatus.EVACUATED)
    return row


def _casefile_text(desk) -> str:
    """Every value the case file's tables hold, as text (what `strings` would find)."""
    out = []
    with desk.casefile.engine.connect() as conn:
        tables = [
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'national_%'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            for row in conn.exec_driver_sql(f"SELECT * FROM {table}"):
                out.extend(str(v) for v in row)
    return "\n".join(out)


def test_the_review_lists_who_left_when_and_why_and_nobody_still_in_the_country(desk):
    gone = _gone(desk)
    stays = _register(desk, surname_cyr="Нұрланов", passport_no="N1234567")
    review = r.review(desk, within_days=30)
    assert review.months == 18 and review.rows == ()  # left today: expires in 18 months

    desk.today = lambda: LATER
    review = r.review(desk, within_days=0)
    assert [row.id for row in review.rows] == [gone.id]
    row = review.rows[0]
    # The status was set "today" by the wall clock; the case file's today is fixed at TODAY.
    assert row.basis is Basis.STATUS and row.due and review.expired == 1
    assert row.name == "Қасымова Әйгерім" and row.presence_status == "evacuated"
    assert row.expires_on <= LATER
    assert stays.id not in {x.id for x in r.review(desk, within_days=10_000).rows}


def test_a_deleted_record_expires_too_and_one_merged_away_goes_with_its_survivor(desk):
    deleted = _register(desk, surname_cyr="Өтегенов", passport_no="N7654321")
    nationals.delete_national(desk, deleted.id)
    keep = _gone(desk, surname_cyr="Сейіт", passport_no="N1111111")
    drop = _register(desk, surname_cyr="Сейіт", given_names_cyr="Ерлан", passport_no="N2222222")
    older = _register(desk, surname_cyr="Сейітов", passport_no="N3333333")
    nationals.merge_nationals(desk, drop.id, older.id)  # a chain: older -> drop -> keep
    nationals.merge_nationals(desk, keep.id, drop.id)
    desk.today = lambda: LATER
    rows = {row.id: row for row in r.review(desk, within_days=0).rows}
    assert rows[deleted.id].basis is Basis.DELETED and rows[deleted.id].deleted
    assert drop.id not in rows and keep.id in rows

    r.anonymise(desk, [keep.id])
    with desk.casefile.read() as session:
        surnames = session.execute(
            text("SELECT surname_cyr, passport_no, anonymised_at FROM national WHERE id = :i"),
            {"i": drop.id},
        ).one()
    assert surnames[0] is None and surnames[1] is None and surnames[2] is not None
    assert "Сейітов" not in _casefile_text(desk) and "N3333333" not in _casefile_text(desk)


def test_keep_pushes_the_expiry_with_a_reason_that_is_audited(desk):
    gone = _gone(desk)
    desk.today = lambda: LATER
    until = LATER + timedelta(days=400)
    r.keep(desk, [gone.id], until, "  Court case   pending ")
    rows = r.review(desk, within_days=0).rows
    assert rows == ()  # kept: not due
    row = r.review(desk, within_days=2000).rows[0]
    assert (row.expires_on, row.keep_until, row.keep_reason) == (
        until,
        until,
        "Court case pending",
    )
    last = nationals.history(desk, gone.id)[-1]
    assert last.action == "keep"
    assert last.changes["keep_reason"] == [None, "Court case pending"]
    assert last.officer == "Officer Test"


def test_keep_refuses_a_past_date_no_reason_an_unknown_or_anonymised_record(desk):
    gone = _gone(desk)
    with pytest.raises(ValidationError) as caught:
        r.keep(desk, [gone.id], TODAY, "x")
    assert caught.value.code == "retention.keep_past"
    with pytest.raises(ValidationError) as caught:
        r.keep(desk, [gone.id], TODAY + timedelta(days=1), " ")
    assert caught.value.code == "retention.keep_reason"
    with pytest.raises(NotFound):
        r.keep(desk, ["no-such-id"], TODAY + timedelta(days=1), "x")
    r.anonymise(desk, [gone.id])
    with pytest.raises(ServiceError) as refused:
        r.keep(desk, [gone.id], TODAY + timedelta(days=1), "x")
    assert refused.value.code == "retention.anonymised"


def test_the_period_is_the_case_files_and_changing_it_is_audited(desk):
    assert r.retention_months(desk) == 18
    r.set_retention_months(desk, 6)
    assert r.retention_months(desk) == 6
    gone = _gone(desk)
    desk.today = lambda: date.today() + timedelta(days=190)
    assert [row.id for row in r.review(desk, within_days=0).rows] == [gone.id]
    with pytest.raises(ValidationError):
        r.set_retention_months(desk, 0)
    with desk.casefile.read() as session:
        changes = session.execute(
            text("SELECT changes FROM audit_event WHERE table_name = 'meta'")
        ).scalar_one()
    assert json.loads(changes) == {"retention_months": [18, 6]}


def _family_with_a_story(desk):
    """A mother (gone) and her son (gone) in a family, a request with a timeline, and a
    cousin still in the country in a tour group with the mother."""
    mother = _gone(
        desk,
        iin=valid_iin(date(1985, 3, 4), Sex.FEMALE),
        passport_no="N9876543",
        passport_expiry=date(2030, 1, 1),
        email="aigerim@example.kz",
        messenger="Telegram @aigerim",
        address="Al Barsha 12, Dubai",
        medical_condition="эпилепсия",
        notes="Husband in Almaty",
    )
    son = _gone(
        desk,
        given_names_cyr="Нұрлан",
        given_names_lat="NURLAN",
        sex=Sex.MALE,
        birth_date=date(2015, 11, 5),
        phones=(),
    )
    cousin = _register(
        desk,
        surname_cyr="Қасымов",
        given_names_cyr="Бекзат",
        surname_lat="KASSYMOV",
        given_names_lat="BEKZAT",
        sex=Sex.MALE,
        phones=("+77017654321",),
    )
    family = households.create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    ).row
    group = households.create_household(
        desk,
        "Tour Kassymov",
        HouseholdKind.TOUR_GROUP,
        tour_operator="Kompas",
        member_ids=[mother.id, cousin.id],
    ).row
    request = requests.open_request(
        desk,
        RequestKind.MEDICAL,
        "Needs epilepsy medication for Әйгерім",
        national_id=mother.id,
        details="Carbamazepine 200 mg",
    ).row
    requests.add_note(desk, request.id, TimelineKind.CALL_IN, "Әйгерім called from Al Barsha")
    return mother, son, cousin, family, group, request


def test_anonymising_removes_what_identifies_and_keeps_what_counts(desk):
    mother, son, _cousin, family, group, request = _family_with_a_story(desk)
    before = nationals.get_national(desk, mother.id)

    done = r.anonymise(desk, [mother.id, son.id])

    assert (done.people, done.skipped) == (2, 0) and done.audit_events > 0
    after = nationals.get_national(desk, mother.id)
    for name in (
        "surname_cyr",
        "given_names_cyr",
        "surname_lat",
        "given_names_lat",
        "iin",
        "passport_no",
        "passport_expiry",
        "email",
        "messenger",
        "address",
        "notes",
    ):
        assert getattr(after, name) in (None, ""), name
    assert after.phones == ()
    assert after.medical_condition == REMOVED  # still a medical need; not which
    kept = ("sex", "host_country", "city", "presence_status", "nationality", "pregnant")
    assert [getattr(after, k) for k in kept] == [getattr(before, k) for k in kept]
    assert after.birth_date == date(1985, 1, 1)  # her birthday had come on the day
    son_after = nationals.get_national(desk, son.id)
    assert son_after.birth_date == date(2015, 12, 31)  # his had not: still 10

    assert r.is_anonymised(desk, mother.id)
    req = requests.get_request(desk, request.id)
    assert req.summary == REMOVED and req.details is None
    assert req.timeline and all(e.text in ("", REMOVED) for e in req.timeline)
    # The family had nobody else: its name goes. The tour group has the cousin: it stays.
    assert households.get_household(desk, family.id).name == REMOVED
    assert households.get_household(desk, group.id).name == "Tour Kassymov"
    assert len(households.get_household(desk, family.id).members) == 2

    # Nothing of hers is left anywhere in the file: rows, audit trail, conflicts.
    everything = _casefile_text(desk)
    for secret in (
        "Әйгерім",
        "KASSYMOVA",
        "N9876543",
        valid_iin(date(1985, 3, 4), Sex.FEMALE),
        "+77012345678",
        "aigerim@example.kz",
        "Al Barsha",
        "эпилепсия",
        "Carbamazepine",
        "Husband in Almaty",
        "Семья Қасымовых",
    ):
        assert secret not in everything, secret
    assert "Бекзат" in everything  # the cousin is untouched
    # Nor in the file's pages: old row versions and search index segments are overwritten.
    desk.casefile.close()
    raw = desk.casefile.path.read_bytes()
    for secret in ("Әйгерім".casefold(), "kassymova", "aigerim", "N9876543", "эпилепсия"):
        assert secret.encode() not in raw, secret
    assert "бекзат".encode() in raw or "Бекзат".encode() in raw
    # The search index forgot her.
    assert not nationals.search(desk, "Әйгерім").rows
    assert not nationals.search(desk, "8765").rows
    # Her history still says who did what when, with the values marked.
    history = nationals.history(desk, mother.id)
    assert history[0].action == "create" and history[0].changes["surname_cyr"] == [None, REMOVED]
    assert history[-1].action == "anonymise"
    with desk.casefile.read() as session:
        listed = session.execute(
            text("SELECT count(*) FROM audit_redaction WHERE national_id = :i"), {"i": mother.id}
        ).scalar_one()
    assert listed >= len(history)


def test_anonymising_twice_skips_and_an_unknown_id_is_refused(desk):
    gone = _gone(desk)
    assert r.anonymise(desk, [gone.id]).people == 1
    again = r.anonymise(desk, [gone.id])
    assert (again.people, again.skipped, again.audit_events) == (0, 1, 0)
    with pytest.raises(NotFound):
        r.anonymise(desk, [gone.id, "missing"])


def test_an_anonymised_record_takes_no_name_again_but_its_status_may_change(desk):
    gone = _gone(desk)
    r.anonymise(desk, [gone.id])
    row = nationals.get_national(desk, gone.id)
    fields = nationals.fields_of_row(row)
    with pytest.raises(ServiceError) as refused:
        nationals.update_national(desk, gone.id, fields.replace(surname_cyr="Қасымова"))
    assert refused.value.code == "national.anonymised"
    assert refused.value.field == "surname_cyr"
    assert nationals.get_national(desk, gone.id).surname_cyr in (None, "", REMOVED)
    nationals.set_presence(desk, [gone.id], PresenceStatus.IN_COUNTRY)  # came back: counted
    assert nationals.get_national(desk, gone.id).presence_status == "in_country"


def test_only_a_head_of_section_anonymises(desk):
    gone = _gone(desk)
    desk.role = "officer"
    with pytest.raises(ServiceError) as refused:
        r.anonymise(desk, [gone.id])
    assert refused.value.code == "role.denied"
    desk.role = "head"
    assert r.anonymise(desk, [gone.id]).people == 1


def test_cancelled_anonymisation_changes_nothing(desk):
    gone = _gone(desk)
    flag = CancelFlag()
    flag.cancel()
    with pytest.raises(Cancelled):
        r.anonymise(desk, [gone.id], cancel=flag)
    assert nationals.get_national(desk, gone.id).surname_cyr == "Қасымова"
    assert not r.is_anonymised(desk, gone.id)


def _counts(desk, today):
    desk.today = lambda: today
    s = dataclasses.asdict(situation(desk))
    s.pop("needs_review")  # a to-do count: an anonymised record has nothing left to review
    sitrep = dataclasses.asdict(sitrep_data(desk))
    sitrep.pop("generated_at")
    sitrep.pop("needs_review")
    return s, sitrep


def test_counts_in_overview_sitrep_and_stats_are_the_same_after_anonymising(tmp_path, monkeypatch):
    from consuldesk.services import stats
    from consuldesk.services.casefile import create_casefile

    # Overdue requests are judged at one moment for both counts: a request falling due
    # between them made this test fail now and then (the demo's due times follow the clock).
    moment = stats.utcnow()
    monkeypatch.setattr(stats, "utcnow", lambda: moment)

    d = create_casefile(
        tmp_path / "demo.consuldesk",
        post_code="AE-ABU",
        post_name="Embassy",
        host_country="AE",
        officer="Officer Test",
    )
    try:
        seed_demo(d, count=600, seed=3)
        today = date.today()
        before = _counts(d, today)
        d.today = lambda: today + timedelta(days=800)
        expired = r.expired_ids(d)
        assert len(expired) > 20
        # Everyone, including people still in the country: the counts hold for any record.
        with d.casefile.read() as session:
            everyone = [row[0] for row in session.execute(text("SELECT id FROM national"))]
        d.today = lambda: today
        done = r.anonymise(d, everyone)
        assert done.people == len(everyone)
        assert _counts(d, today) == before
    finally:
        d.close()


# -- travelling to headquarters ---------------------------------------------------------------


@pytest.fixture
def world(tmp_path, fast_seal):
    from tests.unit.services.test_sync import enrol, make

    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    enrol(hq, thr, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    yield hq, thr, usb
    hq.close()
    thr.close()


def test_an_anonymisation_reaches_headquarters_with_what_hq_added_itself(world):
    from tests.unit.services.test_sync import receive, send

    hq, thr, usb = world
    a = _gone(thr, host_country="IR", city="Tehran", passport_no="N5550001", notes="Уехала")
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))  # acknowledgements
    # Headquarters opens a request of its own about her, and edits her phone.
    own = requests.open_request(
        hq, RequestKind.DOCUMENTS, "Lost passport of Қасымова", national_id=a.id
    ).row
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(
        hq, a.id, nationals.fields_of_row(at_hq).replace(phones=("+989121234567",))
    )

    r.anonymise(thr, [a.id])
    result = receive(hq, send(thr, hq, usb))

    # HQ's phone is gone with her name, never silently: the import says what was not kept.
    assert result.edits_anonymised == {a.id: ["phones"]}
    from consuldesk.messages import anonymised_over_edits

    assert anonymised_over_edits("IR-THR", result.edits_anonymised) == (
        "1 person was anonymised at IR-THR: what was changed here since (phone) is not kept."
    )
    assert r.is_anonymised(hq, a.id)
    row = nationals.get_national(hq, a.id)
    assert (row.surname_cyr, row.passport_no, row.phones, row.notes) == (None, None, (), None)
    assert (row.host_country, row.city, row.presence_status) == ("IR", "Tehran", "evacuated")
    assert requests.get_request(hq, own.id).summary == REMOVED
    assert not nationals.search(hq, "Қасымова").rows
    everything = _casefile_text(hq)
    for secret in ("Қасымова", "KASSYMOVA", "N5550001", "+989121234567", "Уехала"):
        assert secret not in everything, secret

    # Headquarters' own changes travel back; the post stays anonymised, with no conflict.
    receive(thr, send(hq, thr, usb))
    back = nationals.get_national(thr, a.id)
    assert (back.surname_cyr, back.phones) == (None, ())
    assert requests.get_request(thr, own.id).summary == REMOVED
    for secret in ("Қасымова", "+989121234567", "Lost passport"):
        assert secret not in _casefile_text(thr), secret


def test_an_edit_that_crossed_the_anonymisation_never_brings_the_name_back(world):
    from tests.unit.services.test_sync import receive, send

    hq, thr, usb = world
    a = _gone(thr, host_country="IR", city="Tehran")
    receive(hq, send(thr, hq, usb))
    receive(thr, send(hq, thr, usb))
    r.anonymise(thr, [a.id])
    # Headquarters, not knowing yet, corrects her name (a later change than the post's).
    at_hq = nationals.get_national(hq, a.id)
    nationals.update_national(
        hq, a.id, nationals.fields_of_row(at_hq).replace(given_names_cyr="Әйгерімгүл")
    )
    old = send(hq, thr, usb)
    receive(thr, old)

    row = nationals.get_national(thr, a.id)
    assert row.given_names_cyr is None and r.is_anonymised(thr, a.id)
    assert "Әйгерімгүл" not in _casefile_text(thr)
    from consuldesk.services import sync as s

    assert s.conflicts(thr) == []  # nothing for an officer to choose between

    receive(hq, send(thr, hq, usb))
    assert nationals.get_national(hq, a.id).given_names_cyr is None
    assert "Әйгерімгүл" not in _casefile_text(hq)


def test_audit_events_arriving_after_the_anonymisation_are_redacted_too(desk):
    """What a bundle carrying another case file's trail would do: events about an anonymised
    person, inserted later, are redacted by redact_anonymised."""
    from consuldesk.store import retention as store

    gone = _gone(desk)
    r.anonymise(desk, [gone.id])
    with desk.casefile.write("Officer Test") as tx:
        tx.audit_bulk(
            [
                {
                    "table_name": "national",
                    "record_id": gone.id,
                    "action": "update",
                    "changes": {
                        "surname_cyr": ["Қасымова", "Қасымова-Ұлы"],
                        "city": [None, "Al Ain"],
                    },
                    "version": str(tx.clock.now()),
                }
            ]
        )
    assert "Қасымова-Ұлы" in _casefile_text(desk)
    with desk.casefile.write("Officer Test") as tx:
        assert store.redact_anonymised(tx, {"national": {gone.id}}) == 1
    assert "Қасымова" not in _casefile_text(desk)
    last = nationals.history(desk, gone.id)[-1]
    assert last.changes == {"surname_cyr": [REMOVED, REMOVED], "city": [None, "Al Ain"]}


def test_a_record_anonymised_before_it_ever_travelled_arrives_anonymised(world):
    from tests.unit.services.test_sync import receive, send

    hq, thr, usb = world
    a = _gone(thr, host_country="IR", city="Tehran", passport_no="N5550002")
    requests.open_request(thr, RequestKind.EVACUATION, "Evacuate Қасымова", national_id=a.id)
    r.anonymise(thr, [a.id])
    result = receive(hq, send(thr, hq, usb))
    assert result.created["national"] == 1
    row = nationals.get_national(hq, a.id)
    assert (row.surname_cyr, row.passport_no, row.city) == (None, None, "Tehran")
    assert r.is_anonymised(hq, a.id)
    assert situation(hq).nationals == 1
    for secret in ("Қасымова", "N5550002", "KASSYMOVA"):
        assert secret not in _casefile_text(hq), secret
