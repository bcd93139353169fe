"""Registering, editing, duplicates and merging nationals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from consuldesk.domain.enums import PresenceStatus, Sex, Vulnerability
from consuldesk.domain.errors import ValidationErrors
from consuldesk.messages import describe
from consuldesk.services import nationals
from consuldesk.services.errors import ServiceError
from consuldesk.store.errors import NotFound
from tests.factories import person, valid_iin


def count(desk, sql):
    with desk.casefile.read() as session:
        return session.execute(text(sql)).scalar()


def test_register_normalises_and_fills_from_the_iin(desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 77)
    saved = nationals.register_national(
        desk,
        person(
            birth_date=None,
            sex=None,
            iin=f" {iin[:6]} {iin[6:]} ",
            passport_no="n 1234 5678",
            phones=("8 (701) 234-56-78", "+971 50 123 4567", "87012345678"),
            surname_lat="Kassymova",
            host_country="ОАЭ",
        ),
    )
    row = saved.row
    assert row.birth_date == date(1985, 3, 4) and row.sex == "F"
    assert row.iin == iin and row.passport_no == "N12345678"
    assert row.phones == ("+77012345678", "+971501234567")  # duplicates folded
    assert row.surname_lat == "KASSYMOVA" and row.host_country == "AE"
    assert saved.changes.created == {"national": {row.id}}


def test_invalid_fields_are_all_reported_and_nothing_is_written(desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 5)
    bad_iin = iin[:-1] + str((int(iin[-1]) + 1) % 10)
    with pytest.raises(ValidationErrors) as info:
        nationals.register_national(
            desk,
            person(
                iin=bad_iin,
                phones=("12",),
                surname_lat="Қасымова",
                email="nope",
                birth_date=date(2030, 1, 1),
            ),
        )
    codes = {(e.code, e.field) for e in info.value.errors}
    assert codes >= {
        ("iin.checksum", "iin"),
        ("phone.invalid", "phone"),
        ("name.latin_expected", "surname_lat"),
        ("email.invalid", "email"),
        ("birth_date.future", "birth_date"),
    }
    assert "IIN fails its check digit" in describe(info.value)
    assert count(desk, "SELECT count(*) FROM national") == 0


def test_iin_must_agree_with_stated_birth_date_and_sex(desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 9)
    with pytest.raises(ValidationErrors) as info:
        nationals.register_national(
            desk, person(iin=iin, birth_date=date(1985, 3, 5), sex=Sex.MALE)
        )
    assert {e.code for e in info.value.errors} == {"iin.birth_date_mismatch", "iin.sex_mismatch"}


def test_same_iin_or_passport_is_refused_naming_the_existing_record(desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 11)
    first = nationals.register_national(desk, person(iin=iin, passport_no="N11112222")).row
    with pytest.raises(ServiceError) as info:
        nationals.register_national(desk, person(surname_cyr="Басқа", iin=iin))
    assert info.value.code == "national.duplicate" and info.value.field == "iin"
    assert info.value.params["existing_id"] == first.id
    assert "Қасымова Әйгерім" in describe(info.value)
    with pytest.raises(ServiceError) as info:
        nationals.register_national(desk, person(surname_cyr="Басқа", passport_no="n11112222"))
    assert info.value.field == "passport_no"
    assert count(desk, "SELECT count(*) FROM national") == 1


def test_a_deleted_record_frees_its_iin(desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 13)
    first = nationals.register_national(desk, person(iin=iin)).row
    nationals.delete_national(desk, first.id)
    again = nationals.register_national(desk, person(iin=iin)).row
    assert again.id != first.id
    with pytest.raises(NotFound):
        nationals.get_national(desk, first.id)


def test_probable_duplicates_across_scripts_are_flagged_not_refused(desk):
    a = nationals.register_national(desk, person(surname_lat=None, given_names_lat=None)).row
    saved = nationals.register_national(
        desk,
        person(
            surname_cyr=None,
            given_names_cyr=None,
            surname_lat="KASYMOVA",
            given_names_lat="AYGERIM",
            phones=(),
        ),
    )
    assert saved.flagged_duplicates == 1
    pairs = nationals.list_duplicates(desk)
    assert len(pairs) == 1 and {pairs[0].a.id, pairs[0].b.id} == {a.id, saved.row.id}
    check = nationals.check_duplicates(
        desk, person(surname_cyr="Касымова", given_names_cyr="Айгерим")
    )
    assert check.exact is None and {r.id for r, _ in check.probable} == {a.id, saved.row.id}
    nationals.dismiss_duplicate(desk, pairs[0].id)
    assert nationals.list_duplicates(desk) == []


def test_different_birth_dates_are_not_duplicates(desk):
    nationals.register_national(desk, person())
    saved = nationals.register_national(desk, person(birth_date=date(1990, 1, 1)))
    assert saved.flagged_duplicates == 0


def test_merge_keeps_one_record_with_the_best_of_both(desk):
    from consuldesk.store.models import AssistanceRequest

    keep = nationals.register_national(desk, person(phones=("+77012345678",), city=None)).row
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE, 21)
    drop = nationals.register_national(
        desk,
        person(
            surname_cyr=None,
            given_names_cyr=None,
            surname_lat="KASYMOVA",
            given_names_lat="AYGERIM",
            iin=iin,
            phones=("+971501234567",),
            city="Sharjah",
            medical_condition="астма",
        ),
    ).row
    with desk.casefile.write("x") as tx:
        tx.add(AssistanceRequest(national_id=drop.id, kind="evacuation", summary="Help"))  # type: ignore[call-arg]
    merged = nationals.merge_nationals(desk, keep.id, drop.id, take_from_drop=["surname_lat"]).row
    assert merged.id == keep.id
    assert merged.iin == iin  # was empty in the kept record
    assert merged.city == "Sharjah" and merged.surname_lat == "KASYMOVA"
    assert merged.given_names_lat == "AIGERIM"  # kept record's value wins unless chosen
    assert merged.phones == ("+77012345678", "+971501234567")
    assert Vulnerability.MEDICAL in merged.vulnerabilities
    with pytest.raises(NotFound):
        nationals.get_national(desk, drop.id)
    assert count(desk, f"SELECT merged_into_id FROM national WHERE id='{drop.id}'") == keep.id
    assert count(desk, "SELECT national_id FROM assistance_request") == keep.id
    assert [e.action for e in nationals.history(desk, drop.id)][-1] == "merge"
    assert nationals.list_duplicates(desk) == []
    with pytest.raises(ServiceError):
        nationals.merge_nationals(desk, keep.id, keep.id)


def test_vulnerability_is_computed(desk):
    from consuldesk.store.models import Household, HouseholdMember

    mother = nationals.register_national(desk, person()).row
    child = nationals.register_national(
        desk, person(given_names_cyr="Айлин", given_names_lat="AILIN", birth_date=date(2019, 5, 1))
    ).row
    elder = nationals.register_national(
        desk,
        person(
            surname_cyr="Өмаров",
            given_names_cyr="Серік",
            sex=Sex.MALE,
            surname_lat="OMAROV",
            given_names_lat="SERIK",
            birth_date=date(1950, 1, 1),
            mobility_needs="wheelchair",
        ),
    ).row
    with desk.casefile.write("x") as tx:
        family = Household(name="Қасымовтар", kind="family", head_id=mother.id)  # type: ignore[call-arg]
        tx.add(family)
        for member in (mother, child):
            tx.add(HouseholdMember(household_id=family.id, national_id=member.id))  # type: ignore[call-arg]
    assert nationals.get_national(desk, mother.id).vulnerabilities == {
        Vulnerability.WOMAN_WITH_MINORS
    }
    assert nationals.get_national(desk, child.id).vulnerabilities == {Vulnerability.MINOR}
    assert nationals.get_national(desk, elder.id).vulnerabilities == {
        Vulnerability.OVER_60,
        Vulnerability.MOBILITY,
    }


def test_update_with_no_change_writes_nothing(desk):
    row = nationals.register_national(desk, person()).row
    before = count(desk, "SELECT count(*) FROM audit_event")
    saved = nationals.update_national(desk, row.id, nationals.fields_of_row(row))
    assert not saved.changes and saved.row.version == row.version
    assert count(desk, "SELECT count(*) FROM audit_event") == before


def test_set_presence_for_many(desk):
    a = nationals.register_national(desk, person()).row
    b = nationals.register_national(
        desk, person(surname_cyr="Бекова", birth_date=date(1990, 1, 1))
    ).row
    changes = nationals.set_presence(desk, [a.id, b.id], PresenceStatus.EVACUATED)
    assert changes.updated["national"] == {a.id, b.id}
    assert nationals.get_national(desk, b.id).presence_status == "evacuated"


def test_twins_with_different_iins_are_not_flagged(desk):
    born = date(2010, 5, 5)
    nationals.register_national(
        desk,
        person(
            surname_cyr="Сейтқали",
            given_names_cyr="Асан",
            sex=Sex.MALE,
            birth_date=born,
            iin=valid_iin(born, Sex.MALE, 100),
            surname_lat=None,
            given_names_lat=None,
        ),
    )
    twin = nationals.register_national(
        desk,
        person(
            surname_cyr="Сейтқали",
            given_names_cyr="Асан",
            sex=Sex.MALE,
            birth_date=born,
            iin=valid_iin(born, Sex.MALE, 200),
            surname_lat=None,
            given_names_lat=None,
        ),
    )
    assert twin.flagged_duplicates == 0
    no_iin = nationals.register_national(
        desk,
        person(
            surname_cyr="Сейтқали",
            given_names_cyr="Асан",
            sex=Sex.MALE,
            birth_date=born,
            surname_lat=None,
            given_names_lat=None,
        ),
    )
    assert no_iin.flagged_duplicates == 2  # without an IIN it may be either of them


def test_a_person_without_a_cyrillic_surname_is_shown_by_the_passport_name(desk):
    """A Cyrillic surname set aside for review ("?асымов" from a Windows-1251 list) left the
    person shown as just "Нұрлан"."""
    from consuldesk.services.nationals import get_national, register_national

    fields = person(surname_cyr=None, given_names_cyr="Нұрлан", given_names_lat="NURLAN")
    row = get_national(desk, register_national(desk, fields).row.id)
    assert row.name == "KASSYMOVA NURLAN"
    both = get_national(desk, register_national(desk, person(passport_no="N7654321")).row.id)
    assert both.name == "Қасымова Әйгерім"


def test_a_merge_keeps_the_other_passport_in_the_notes_of_the_record_kept(desk):
    """Registered at two posts with two passports (one renewed): after the merge, the number
    the other post knew him by was gone from the record kept."""
    common = dict(iin=None, birth_date=date(1979, 1, 1), sex=Sex.MALE)
    keep = nationals.register_national(
        desk, person(surname_cyr="Ахметов", passport_no="N55667788", notes="Аллергия", **common)
    ).row
    drop = nationals.register_national(
        desk, person(surname_cyr="Ахметов", passport_no="N55667789", **common)
    ).row
    merged = nationals.merge_nationals(desk, keep.id, drop.id).row
    assert merged.passport_no == "N55667788"
    assert merged.notes.startswith("Аллергия\n") and "N55667789" in merged.notes
    # Taken instead, the number kept is the one set aside.
    again = nationals.register_national(
        desk, person(surname_cyr="Ахметов", passport_no="N55667790", **common)
    ).row
    merged = nationals.merge_nationals(desk, keep.id, again.id, ["passport_no"]).row
    assert merged.passport_no == "N55667790" and "N55667788" in merged.notes
