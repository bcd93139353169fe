"""The audit trail: every change, export and print, browsed newest first a page at a time,
narrowed by person, officer, day and kind; and nothing can change or delete an event."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from consuldesk import i18n
from consuldesk.services import audit, audit_text, documents, nationals
from consuldesk.services.audit import AuditFilter, find_events
from consuldesk.services.audit_text import summarise
from consuldesk.services.lists import export_list, import_list
from tests.factories import person


def _all(desk, flt: AuditFilter, limit: int = 100):
    rows, after, total = [], None, None
    while True:
        page = find_events(desk, flt, limit=limit, after=after, total=total)
        rows += page.rows
        total = page.total
        after = page.after
        if after is None:
            return rows, total


@pytest.fixture
def trail(desk):
    """Two officers: one registers and edits Қасымова, the other registers someone else."""
    a = nationals.register_national(desk, person(city="Dubai")).row
    nationals.update_national(desk, a.id, nationals.fields_of_row(a).replace(city="Abu Dhabi"))
    other = replace(desk, officer="Бауыржан Тоқтаров")
    b = nationals.register_national(
        other,
        person(
            surname_cyr="Өмірзақов",
            given_names_cyr="Нұрсұлтан",
            surname_lat="OMIRZAKOV",
            given_names_lat="NURSULTAN",
            passport_no="N7777777",
            iin=None,
        ),
    ).row
    return desk, a, b


def test_the_trail_reads_newest_first_with_names_and_what_changed(trail):
    desk, a, b = trail
    rows, total = _all(desk, AuditFilter())
    assert total == len(rows) >= 3
    newest = rows[0]
    assert (newest.subject, newest.action, newest.kind) == (b.name, "create", "changes")
    assert newest.officer == "Бауыржан Тоқтаров" and newest.national_id == b.id
    edit = next(r for r in rows if r.action == "update")
    assert edit.subject == a.name and edit.national_id == a.id
    assert edit.summary == "Edited — City: Dubai → Abu Dhabi"
    assert ("City", "Dubai → Abu Dhabi") in audit_text.details(edit.changes)
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_pages_follow_each_other_without_gaps_or_repeats(desk):
    for i in range(7):
        nationals.register_national(
            desk, person(passport_no=f"N100000{i}", iin=None, surname_lat=f"TEST{'A' * i}")
        )
    whole, total = _all(desk, AuditFilter(), limit=100)
    paged, paged_total = _all(desk, AuditFilter(), limit=2)
    assert [r.id for r in paged] == [r.id for r in whole]
    assert paged_total == total == len(whole) >= 7


def test_filters_by_person_officer_day_and_kind(trail, tmp_path):
    desk, a, b = trail
    by_name, _ = _all(desk, AuditFilter(person="Қасымова"))
    assert {r.national_id for r in by_name} == {a.id} and len(by_name) == 2
    by_id, _ = _all(desk, AuditFilter(person=b.id))
    assert [r.action for r in by_id] == ["create"]
    nobody = find_events(desk, AuditFilter(person="Zzyzx"))
    assert (nobody.rows, nobody.total, nobody.people) == ([], 0, 0)
    assert not nobody.similar and not find_events(desk, AuditFilter(person="Қасымова")).similar
    near = find_events(desk, AuditFilter(person="Касымва"))  # a letter dropped: near, said so
    assert near.similar and {r.national_id for r in near.rows} == {a.id}

    mine, _ = _all(desk, AuditFilter(officer="Бауыржан Тоқтаров"))
    assert [r.national_id for r in mine] == [b.id]
    assert audit.officers(desk) == sorted({desk.officer, "Бауыржан Тоқтаров"}, key=str.casefold)

    everything, total = _all(desk, AuditFilter())
    rows_day = everything[0].at.astimezone().date()
    assert len(_all(desk, AuditFilter(since=rows_day, until=rows_day))[0]) == total
    assert _all(desk, AuditFilter(until=rows_day - timedelta(days=1)))[0] == []
    assert _all(desk, AuditFilter(since=rows_day + timedelta(days=1)))[0] == []

    export_list(desk, tmp_path / "all.csv")
    nationals.delete_national(desk, b.id)
    exports, _ = _all(desk, AuditFilter(kind="exports"))
    assert [(r.table, r.action) for r in exports] == [("national", "export")]
    deletes, _ = _all(desk, AuditFilter(kind="deletes"))
    assert [(r.action, r.national_id) for r in deletes] == [("delete", b.id)]
    changes, _ = _all(desk, AuditFilter(kind="changes"))
    assert {r.action for r in changes} == {"create", "update"}
    assert _all(desk, AuditFilter(kind="logins"))[0] == []
    with pytest.raises(ValueError):
        find_events(desk, AuditFilter(kind="nonsense"))


def test_a_list_export_names_its_file_its_sha256_and_how_many(trail, tmp_path):
    desk, a, _b = trail
    path = tmp_path / "for-hq.xlsx"
    written = export_list(desk, path, lang="ru", ids=[a.id])
    (row,) = _all(desk, AuditFilter(kind="exports"))[0]
    assert row.changes["file"] == "for-hq.xlsx" and row.changes["records"] == written == 1
    assert row.changes["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row.changes["bytes"] == path.stat().st_size and row.changes["chosen"] is True
    assert row.summary == "List exported: 1 person, for-hq.xlsx"
    assert row.subject == "for-hq.xlsx"


def test_a_list_import_is_one_event_found_by_each_person_it_brought(desk, tmp_path):
    source = tmp_path / "one.csv"
    source.write_text(
        "Surname;Given names;Passport\nҚасымова;Әйгерім;N1234567\nОмаров;Ерлан;N7654321\n",
        encoding="utf-8",
    )
    import_list(desk, source)
    (event,) = _all(desk, AuditFilter(kind="imports"))[0]
    assert event.summary == "List imported: 2 people, one.csv" and event.national_id is None
    found, _ = _all(desk, AuditFilter(person="Омаров"))
    assert [r.id for r in found] == [event.id]


def test_printed_reports_are_in_the_trail_with_their_file(desk, tmp_path):
    nationals.register_national(desk, person())
    out = documents.print_sitrep(desk, tmp_path / "sitrep.pdf")
    (row,) = _all(desk, AuditFilter(kind="prints"))[0]
    assert (row.table, row.action, row.changes["document"]) == ("report", "printed", "sitrep")
    assert row.changes["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert row.summary == "Situation report printed: sitrep.pdf"


def test_the_trail_is_append_only(trail):
    desk, a, _ = trail
    before = _all(desk, AuditFilter())[1]
    with desk.casefile.engine.connect() as conn:
        for statement in (
            "UPDATE audit_event SET officer = 'someone else'",
            "DELETE FROM audit_event",
            "DELETE FROM audit_event WHERE record_id = :r",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(statement), {"r": a.id})
            conn.rollback()
    rows, total = _all(desk, AuditFilter())
    assert total == before and "someone else" not in {r.officer for r in rows}


def test_merging_and_deleting_people_keeps_their_events(trail):
    desk, a, b = trail
    before = _all(desk, AuditFilter())[1]
    nationals.delete_national(desk, b.id)
    after_rows, after = _all(desk, AuditFilter())
    assert after == before + 1
    assert {r.national_id for r in after_rows if r.national_id} == {a.id, b.id}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Edited — Status: In hotel → In country; Relation: Spouse → Head"),
        ("kk", "Қонақүйде → Болу елінде; Туыстығы: Жұбайы → Басшысы"),
        ("ru", "В гостинице → В стране"),
    ],
)
def test_stored_codes_read_as_words_in_every_language(language, expected):
    """A presence status or a relation showed as 'in_hotel → in_country' in every language."""
    i18n.install(language)
    try:
        line = summarise(
            "national",
            "update",
            {"presence_status": ["in_hotel", "in_country"], "relation": ["spouse", "head"]},
        )
        assert expected in line, line
        assert "in_hotel" not in line and "spouse" not in line
        assert (
            summarise("household", "update", {"head_id": ["a", "b"]}).split(" — ")[1].split(":")[0]
            != "head_id"
        )
    finally:
        i18n.install("en")


def test_a_passenger_s_reason_and_a_request_s_priority_read_as_sentences():
    reason = '{"code": "waitlisted.no_show", "params": {"trip": "IR 11 Б 222"}}'
    line = summarise(
        "manifest_entry",
        "update",
        {"reason": [None, reason], "position": [47, 10]},
    )
    assert "Did not turn up for IR 11 Б 222" in line and '{"code"' not in line, line
    assert "Place in the waiting list: 47 → 10" in line
    request = summarise("assistance_request", "update", {"priority": ["urgent", "normal"]})
    assert request.endswith("Priority: Urgent → Normal"), request


def test_an_export_the_trail_cannot_record_for_a_lock_leaves_no_file(trail, tmp_path, monkeypatch):
    """Another program held the case file's lock: the export said "locked, try again" and the
    list of people stayed on disk, in no event of the trail."""
    import consuldesk.store.db as db
    from consuldesk.store import cipher
    from consuldesk.store.errors import CaseFileError

    desk, _a, _b = trail
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    desk.casefile.check_pages()  # (read once a session: not under the lock below)
    blocker = cipher.connect(desk.path, desk.casefile.key)
    blocker.isolation_level = None
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CaseFileError) as info:
            export_list(desk, tmp_path / "all.csv")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert info.value.code == "casefile.locked"
    assert not (tmp_path / "all.csv").exists()
    assert _all(desk, AuditFilter(kind="exports"))[0] == []


def test_a_file_name_in_no_encoding_is_recorded_not_a_crash(trail, tmp_path):
    """A name of bytes that are no UTF-8 (kept by a stick's file system): "Unexpected error"
    after the list was written, and no event."""
    desk, _a, _b = trail
    path = tmp_path / "list-\udcff.csv"  # the byte 0xFF, as Python names it
    export_list(desk, path)
    (row,) = _all(desk, AuditFilter(kind="exports"))[0]
    assert row.changes["file"] == "list-\ufffd.csv" and path.exists()


def test_a_deleted_person_is_found_in_the_trail_by_name_and_document(trail):
    """ "Who deleted this person?" is what the trail is for: asked by name or IIN, it said
    "Nobody found" (the search index holds the living only)."""
    desk, a, b = trail
    nationals.delete_national(desk, b.id)
    for asked in ("Өмірзақов", "omirzakov nurs", "N7777777", "7777"):
        rows, _ = _all(desk, AuditFilter(person=asked))
        assert {r.national_id for r in rows} == {b.id}, asked
        assert "delete" in {r.action for r in rows}, asked
    assert {r.national_id for r in _all(desk, AuditFilter(person="Қасымова"))[0]} == {a.id}


def test_a_deletion_or_merge_received_in_a_bundle_reads_as_one():
    """It read "Received in a bundle — Record: — → 07.12.2026 01:49"."""
    gone = {"deleted_at": [None, "2026-12-07T01:49:00+00:00"]}
    assert audit_text.summarise("national", "sync", gone) == "Deleted (received in a bundle)"
    merged = {**gone, "merged_into_id": [None, "01a24e2c-0000-7000-8000-000000000001"]}
    assert (
        audit_text.summarise("national", "sync", merged)
        == "Merged into another record (received in a bundle)"
    )
    edited = {"city": ["Dubai", "Abu Dhabi"]}
    assert audit_text.summarise("national", "sync", edited).startswith("Received in a bundle")


def test_a_pair_of_duplicates_reads_in_words_in_the_trail():
    """ "Possible duplicate — Edited — Status: open → merged" showed the stored codes."""
    text = audit_text.summarise("duplicate_candidate", "update", {"status": ["open", "merged"]})
    assert text.endswith("to review → merged"), text
    dismissed = audit_text.summarise(
        "duplicate_candidate", "update", {"status": ["open", "dismissed"]}
    )
    assert dismissed.endswith("two different people"), dismissed


def test_settings_restores_and_received_bundles_read_in_words(desk, tmp_path):
    """The trail said "meta", "retention_months: 18 → 20", "backup" and "Restored", and a
    bundle's people were about "Person"."""
    from consuldesk.services.retention import set_retention_months

    set_retention_months(desk, 20)
    [row] = [r for r in _all(desk, AuditFilter())[0] if r.table == "meta"]
    assert (row.subject, row.summary) == ("Settings", "Edited — Records kept (months): 18 → 20")
    restored = {"backup": "20261207-121940-before-IR-THR-n000006.consuldesk", "kept": "x"}
    assert audit_text.summarise("backup", "restore", restored) == (
        "Restored from the backup 20261207-121940-before-IR-THR-n000006.consuldesk"
    )
    assert ("The file as it was, kept as", "x") in audit_text.details(restored)
    with desk.casefile.write("test") as tx:
        tx.audit_bulk(
            [
                {
                    "table_name": "national",
                    "record_id": "01a24e2c-0000-7000-8000-000000000009",
                    "action": "sync",
                    "changes": {"created": ["a", "b"], "sender": "IR-THR"},
                    "version": "",
                }
            ]
        )
    bundle = next(r for r in _all(desk, AuditFilter())[0] if r.action == "sync")
    assert (bundle.subject, bundle.summary) == (
        "Bundle from IR-THR",
        "2 records received in a bundle from IR-THR",
    )


def test_a_value_of_several_lines_keeps_its_lines_apart_on_one_summary_line():
    changes = {"notes": ["ЦА: звонила мать", "ЦА: звонила мать\nпост: нужна помощь"]}
    assert audit_text.summarise("national", "update", changes) == (
        "Edited — Notes: ЦА: звонила мать → ЦА: звонила мать / пост: нужна помощь"
    )
