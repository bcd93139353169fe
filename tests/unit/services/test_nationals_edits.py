"""No lost edits: a save checked against what changed since the card was opened.

Two desks (two windows, two officers) on one case file; a bundle from another post changes a
record while a card on it is open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from consuldesk.domain.edits import three_way
from consuldesk.domain.enums import PresenceStatus, Sex
from consuldesk.domain.errors import ValidationErrors
from consuldesk.messages import describe
from consuldesk.services import nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.services.errors import EditConflict, ServiceError
from tests.factories import person, valid_iin
from tests.unit.services.test_sync import enrol, make, receive, send


@pytest.fixture
def other(desk):
    """A second desk on the same case file: another officer at another window."""
    d = open_casefile(desk.casefile.path, "Officer Two")
    d.today = desk.today
    yield d
    d.close()


def audit(desk, record_id):
    with desk.casefile.read() as session:
        return session.execute(
            text(
                "SELECT action, officer, changes FROM audit_event WHERE record_id = :r"
                " ORDER BY at, version"
            ),
            {"r": record_id},
        ).all()


def test_three_way_keeps_each_sides_fields_and_names_the_conflicts():
    names = ("a", "b", "c", "d", "e")
    opened = dict(a=1, b=1, c=1, d=1, e=1)
    theirs = dict(a=2, b=1, c=2, d=2, e=1)
    mine = dict(a=1, b=3, c=2, d=4, e=1)
    outcome = three_way(names, opened, theirs, mine)
    assert outcome.merged == dict(a=2, b=3, c=2, d=4, e=1)
    assert (outcome.theirs, outcome.mine, outcome.conflicts) == (("a",), ("b",), ("d",))


def test_fields_changed_by_someone_else_are_kept_and_mine_are_saved(desk, other):
    row = nationals.register_national(desk, person(address="Marina 1")).row
    opened = nationals.fields_of_row(row)  # my card opens
    # Meanwhile the other window changes the city and the status.
    nationals.update_national(
        other, row.id, opened.replace(city="Abu Dhabi", presence_status=PresenceStatus.IN_HOTEL)
    )
    # I change the address only; my card still shows Dubai and the old status.
    saved = nationals.update_national(
        desk, row.id, opened.replace(address="Corniche 5"), opened=opened
    )
    now = nationals.get_national(desk, row.id)
    assert (now.city, now.presence_status, now.address) == ("Abu Dhabi", "in_hotel", "Corniche 5")
    assert {c.field for c in saved.theirs_kept} == {"city", "presence_status"}
    city = next(c for c in saved.theirs_kept if c.field == "city")
    assert (city.opened, city.theirs, city.mine, city.by) == (
        "Dubai",
        "Abu Dhabi",
        "Dubai",
        "Officer Two",
    )
    # The audit trail shows my save changed only the address.
    action, officer, changes = audit(desk, row.id)[-1]
    assert (action, officer) == ("update", "Officer Test")
    assert '"address"' in changes and '"city"' not in changes


def test_the_same_field_changed_differently_is_a_conflict_and_nothing_is_written(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(
        other, row.id, opened.replace(city="Sharjah", phones=("+77019998877",))
    )
    before = audit(desk, row.id)
    with pytest.raises(EditConflict) as info:
        nationals.update_national(
            desk, row.id, opened.replace(city="Al Ain", notes="moved"), opened=opened
        )
    error = info.value
    assert [c.field for c in error.conflicts] == ["city"]
    (city,) = error.conflicts
    assert (city.opened, city.theirs, city.mine) == ("Dubai", "Sharjah", "Al Ain")
    assert (city.by, city.post, city.action) == ("Officer Two", "AE-ABU", "update")
    assert city.at is not None and abs((datetime.now(UTC) - city.at).total_seconds()) < 60
    assert [c.field for c in error.kept] == ["phones"]
    assert error.current.city == "Sharjah"
    assert error.merged.notes == "moved" and error.merged.phones == ("+77019998877",)
    assert describe(error) == (
        "Someone else changed this record while it was open: City. Choose which values to keep"
    )
    # Nothing written: no notes, the other's city, no new audit event.
    now = nationals.get_national(desk, row.id)
    assert (now.city, now.notes) == ("Sharjah", None)
    assert audit(desk, row.id) == before


def test_both_making_the_same_change_is_no_conflict(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(city="Sharjah"))
    saved = nationals.update_national(desk, row.id, opened.replace(city="Sharjah"), opened=opened)
    assert not saved.changes and saved.row.city == "Sharjah"


def test_resolving_saves_the_choices_and_the_audit_trail_records_them(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(city="Sharjah", address="Tower 7"))
    mine = opened.replace(city="Al Ain", address="Villa 3", email="a@example.kz")
    with pytest.raises(EditConflict) as info:
        nationals.update_national(desk, row.id, mine, opened=opened)
    error = info.value
    assert {c.field for c in error.conflicts} == {"city", "address"}
    # Keep my city, take their address.
    chosen = error.merged.replace(address=error.current.address)
    saved = nationals.update_national(
        desk,
        row.id,
        chosen,
        opened=error.current,
        resolved={c.field: c.mine for c in error.conflicts},
    )
    now = saved.row
    assert (now.city, now.address, now.email) == ("Al Ain", "Tower 7", "a@example.kz")
    events = audit(desk, row.id)
    (resolve,) = [e for e in events if e.action == "resolve"]
    assert '"city": ["Sharjah", "Al Ain"]' in resolve.changes and "address" not in resolve.changes
    (declined,) = [e for e in events if e.action == "declined"]
    assert declined.officer == "Officer Test"
    assert declined.changes == '{"address": ["Villa 3", "Tower 7"]}'
    # The card's History shows both, in words.
    history = nationals.history(desk, row.id)
    assert [h.action for h in history][-2:] == ["resolve", "declined"]


def test_a_third_change_after_the_conflict_is_caught_again(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(city="Sharjah"))
    with pytest.raises(EditConflict) as first:
        nationals.update_national(desk, row.id, opened.replace(city="Al Ain"), opened=opened)
    # While I choose, the other officer changes the city once more.
    nationals.update_national(other, row.id, first.value.current.replace(city="Fujairah"))
    with pytest.raises(EditConflict) as second:
        nationals.update_national(
            desk,
            row.id,
            first.value.merged,
            opened=first.value.current,
            resolved={"city": "Al Ain"},
        )
    (city,) = second.value.conflicts
    assert (city.opened, city.theirs, city.mine) == ("Sharjah", "Fujairah", "Al Ain")
    assert nationals.get_national(desk, row.id).city == "Fujairah"


def test_without_what_was_opened_the_save_writes_as_before(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(city="Sharjah"))
    nationals.update_national(desk, row.id, opened.replace(notes="x"))
    assert nationals.get_national(desk, row.id).city == "Dubai"  # last writer wins


def test_a_merge_that_does_not_validate_offers_the_others_field(desk, other):
    row = nationals.register_national(desk, person()).row  # born 04.03.1985, no IIN
    opened = nationals.fields_of_row(row)
    # The other officer corrects the date of birth; I enter the IIN, which says 04.03.1985.
    nationals.update_national(other, row.id, opened.replace(birth_date=date(1990, 5, 5)))
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 3)
    with pytest.raises(EditConflict) as info:
        nationals.update_national(desk, row.id, opened.replace(iin=iin), opened=opened)
    (birth,) = info.value.conflicts  # each alone is valid, together they are not
    assert (birth.field, birth.theirs, birth.mine) == (
        "birth_date",
        date(1990, 5, 5),
        date(1985, 3, 4),
    )
    # Taking theirs is refused as invalid; keeping mine saves.
    with pytest.raises(ValidationErrors) as invalid:
        nationals.update_national(
            desk,
            row.id,
            info.value.merged.replace(birth_date=date(1990, 5, 5)),
            opened=info.value.current,
            resolved={"birth_date": birth.mine},
        )
    assert {e.code for e in invalid.value.errors} == {"iin.birth_date_mismatch"}
    saved = nationals.update_national(
        desk,
        row.id,
        info.value.merged.replace(birth_date=birth.mine),
        opened=info.value.current,
        resolved={"birth_date": birth.mine},
    )
    assert (saved.row.iin, saved.row.birth_date) == (iin, date(1985, 3, 4))


def test_an_iin_filling_the_date_the_other_changed_is_a_conflict(desk, other):
    row = nationals.register_national(desk, person(birth_date=None, sex=None)).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(birth_date=date(1990, 5, 5)))
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 3)
    with pytest.raises(EditConflict) as info:
        nationals.update_national(desk, row.id, opened.replace(iin=iin), opened=opened)
    (birth,) = info.value.conflicts
    assert (birth.opened, birth.theirs, birth.mine) == (None, date(1990, 5, 5), date(1985, 3, 4))


@pytest.mark.usefixtures("fast_seal")
def test_a_change_received_in_a_bundle_names_the_officer_and_post_that_made_it(tmp_path):
    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    try:
        enrol(hq, thr, tmp_path)
        usb = tmp_path / "usb"
        usb.mkdir()
        row = nationals.register_national(thr, person(host_country="IR", city="Tehran")).row
        receive(hq, send(thr, hq, usb))
        receive(thr, send(hq, thr, usb))
        # An officer at Tehran opens the card; headquarters' change arrives in a bundle.
        opened = nationals.fields_of_row(nationals.get_national(thr, row.id))
        at_hq = nationals.fields_of_row(nationals.get_national(hq, row.id))
        nationals.update_national(hq, row.id, at_hq.replace(city="Tabriz"))
        receive(thr, send(hq, thr, usb))
        with pytest.raises(EditConflict) as info:
            nationals.update_national(thr, row.id, opened.replace(city="Astara"), opened=opened)
        (city,) = info.value.conflicts
        assert (city.theirs, city.mine, city.action) == ("Tabriz", "Astara", "sync")
        assert (city.by, city.post) == ("officer KZ-HQ", "KZ-HQ")
        assert city.at is not None and city.at.tzinfo is not None
    finally:
        hq.close()
        thr.close()


@pytest.mark.usefixtures("fast_seal")
def test_an_edit_given_up_is_not_taken_for_the_fields_earlier_value_by_sync(tmp_path):
    from consuldesk.services import sync

    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    window = open_casefile(thr.casefile.path, "officer two")
    try:
        enrol(hq, thr, tmp_path)
        usb = tmp_path / "usb"
        usb.mkdir()
        row = nationals.register_national(thr, person(host_country="IR", city="Tehran")).row
        receive(hq, send(thr, hq, usb))
        # At Tehran: the other window writes Tabriz; this officer's Astara gives way to it.
        opened = nationals.fields_of_row(row)
        nationals.update_national(window, row.id, opened.replace(city="Tabriz"))
        with pytest.raises(EditConflict) as info:
            nationals.update_national(thr, row.id, opened.replace(city="Astara"), opened=opened)
        nationals.update_national(
            thr, row.id, info.value.merged.replace(city="Tabriz"),
            opened=info.value.current, resolved={"city": "Astara"},
        )  # fmt: skip
        # Headquarters meanwhile wrote Qom: the bundle's conflict says the city was Tehran.
        at_hq = nationals.fields_of_row(nationals.get_national(hq, row.id))
        nationals.update_national(hq, row.id, at_hq.replace(city="Qom"))
        receive(thr, send(hq, thr, usb))
        (conflict,) = sync.conflicts(thr)
        assert (conflict.field, conflict.before_value) == ("city", "Tehran")
    finally:
        window.close()
        hq.close()
        thr.close()


def test_a_record_deleted_while_open_says_who_and_saves_nothing(desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.delete_national(other, row.id)
    with pytest.raises(ServiceError) as info:
        nationals.update_national(desk, row.id, opened.replace(city="Al Ain"), opened=opened)
    assert info.value.code == "national.deleted_meanwhile"
    assert info.value.params["officer"] == "Officer Two"
    assert describe(info.value).startswith("Officer Two deleted this person on ")
    assert describe(info.value).endswith(", while this card was open. Nothing was saved")


def test_a_record_merged_while_open_names_the_record_it_went_into(desk, other):
    row = nationals.register_national(desk, person()).row
    keep = nationals.register_national(
        desk, person(surname_cyr="Жұмабаева", passport_no="N1234567")
    ).row
    opened = nationals.fields_of_row(row)
    nationals.merge_nationals(other, keep.id, row.id)
    with pytest.raises(ServiceError) as info:
        nationals.update_national(desk, row.id, opened.replace(city="Al Ain"), opened=opened)
    assert info.value.code == "national.merged_meanwhile"
    assert info.value.params["other_id"] == keep.id
    assert "Officer Two merged this person into the record of Жұмабаева Әйгерім" in describe(
        info.value
    )
