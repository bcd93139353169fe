"""Registering, editing, duplicates and merging nationals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from consuldesk.domain.enums import DuplicateStatus, PresenceStatus, Sex, Vulnerability
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


def _twins(desk, **drop_overrides):
    """Two records of one woman: the one kept, and one registered again (no documents)."""
    keep = nationals.register_national(desk, person(passport_no="N10000001")).row
    values = dict(iin=None, passport_no=None, phones=(), city="Abu Dhabi") | drop_overrides
    drop = nationals.register_national(desk, person(**values)).row
    return keep, drop


def test_two_records_in_two_families_are_not_merged_until_one_family_is_theirs(desk):
    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import households as hh

    keep, drop = _twins(desk)
    child = nationals.register_national(
        desk, person(given_names_cyr="Айлин", given_names_lat="AILIN", birth_date=date(2019, 5, 1))
    ).row
    first = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=keep.id).row
    second = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=drop.id, member_ids=[child.id]
    ).row
    with pytest.raises(ServiceError) as err:
        nationals.merge_nationals(desk, keep.id, drop.id)
    assert err.value.code == "national.merge_two_families"
    assert describe(err.value) == (
        "The two records are in two different families, Қасымовтар (head: Қасымова Әйгерім) "
        "and Қасымовтар (head: Қасымова Әйгерім); a person is in one. Remove them from the "
        "family that is not theirs (Households), then merge"
    )
    assert nationals.get_national(desk, drop.id).id == drop.id  # nothing was merged

    # The officer takes the kept record out of its family: the merge then keeps the other.
    hh.remove_member(desk, first.id, keep.id)
    nationals.merge_nationals(desk, keep.id, drop.id)
    family = hh.get_household(desk, second.id)
    assert family.head_id == keep.id  # the head's place went to the record kept
    assert set(family.member_ids) == {keep.id, child.id}
    assert nationals.get_national(desk, child.id).vulnerabilities == {Vulnerability.MINOR}
    assert Vulnerability.WOMAN_WITH_MINORS in nationals.get_national(desk, keep.id).vulnerabilities
    # A refusal to add someone to a family names the family they are in, with its head.
    with pytest.raises(ServiceError) as err:
        hh.add_member(desk, first.id, keep.id)
    assert err.value.params["household"] == "Қасымовтар (head: Қасымова Әйгерім)"


def test_a_merge_within_one_family_keeps_one_member_and_its_head(desk):
    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import households as hh

    keep, drop = _twins(desk)
    tour = hh.create_household(
        desk, "Kompas №12", HouseholdKind.TOUR_GROUP, head_id=drop.id, member_ids=[keep.id]
    ).row
    nationals.merge_nationals(desk, keep.id, drop.id)
    group = hh.get_household(desk, tour.id)
    assert (group.head_id, list(group.member_ids)) == (keep.id, [keep.id])
    assert [m.relation for m in group.members] == ["head"]


def test_a_merge_never_takes_an_empty_value_and_a_passport_brings_its_expiry(desk):
    keep, drop = _twins(desk, passport_no="N20000002", passport_expiry=date(2031, 1, 1))
    nationals.update_national(
        desk, keep.id, nationals.fields_of_row(keep).replace(passport_expiry=date(2027, 6, 1))
    )
    with pytest.raises(ServiceError) as err:
        nationals.merge_nationals(desk, keep.id, drop.id, take_from_drop=["iin"])
    assert err.value.code == "national.merge_take_empty" and err.value.field == "iin"
    assert describe(err.value).startswith("The record merged in has no IIN: taking it would")
    merged = nationals.merge_nationals(desk, keep.id, drop.id, take_from_drop=["passport_no"]).row
    assert (merged.passport_no, merged.passport_expiry) == ("N20000002", date(2031, 1, 1))
    assert "N10000001" in merged.notes  # the other passport is kept aside


def _pairs(desk, status=DuplicateStatus.OPEN):
    return sorted(sorted((p.a.id, p.b.id)) for p in nationals.list_duplicates(desk, status))


@pytest.mark.parametrize("kept_pair", ["none", "open", "dismissed"])
def test_the_record_merged_ins_other_pairs_move_to_the_record_kept(desk, kept_pair):
    """A third record probably the same person as the record merged in is still to look at
    beside the record kept (it was dismissed, as if said to be another person), once."""
    from consuldesk.store.models import DuplicateCandidate

    keep, drop = _twins(desk)
    third = nationals.register_national(
        desk, person(passport_no=None, phones=(), city="Sharjah", iin=None)
    ).row
    assert _pairs(desk) == sorted(
        sorted(p) for p in ((keep.id, drop.id), (keep.id, third.id), (drop.id, third.id))
    )
    [with_kept] = [
        p for p in nationals.list_duplicates(desk) if {p.a.id, p.b.id} == {keep.id, third.id}
    ]
    if kept_pair == "none":  # flagged with the record merged in only
        with desk.casefile.write("x") as tx:
            tx.delete(tx.session.get(DuplicateCandidate, with_kept.id))
    elif kept_pair == "dismissed":
        nationals.dismiss_duplicate(desk, with_kept.id)
    nationals.merge_nationals(desk, keep.id, drop.id)
    if kept_pair == "dismissed":  # said to be two people: so are the record merged in and it
        assert _pairs(desk) == []
        assert _pairs(desk, DuplicateStatus.DISMISSED) == [
            sorted((keep.id, third.id)),
            sorted((drop.id, third.id)),
        ]
    else:
        assert _pairs(desk) == [sorted((keep.id, third.id))]


def test_a_passport_of_a_record_merged_away_finds_the_record_kept(desk):
    keep, drop = _twins(desk, passport_no="N20000002")
    nationals.merge_nationals(desk, keep.id, drop.id)
    assert [r.id for r in nationals.search(desk, "N20000002").rows] == [keep.id]
    assert [r.id for r in nationals.search(desk, "n20000002").rows] == [keep.id]
    assert nationals.search(desk, "N2000").rows == []  # a piece of it: no


def test_a_merge_keeps_the_waiting_lists_of_two_operations(desk):
    """Waiting (no vehicle yet) in two operations: both places are the person's; only a
    second place on the same leg of one operation is one too many."""
    from consuldesk.store.models import EvacuationOperation, ManifestEntry

    keep, drop = _twins(desk)
    with desk.casefile.write("x") as tx:
        ops = [EvacuationOperation(name=n) for n in ("Iran → Azerbaijan", "Iran → Armenia")]  # type: ignore[call-arg]
        for op in ops:
            tx.add(op)
        tx.add(ManifestEntry(operation_id=ops[0].id, national_id=keep.id, status="waitlisted"))  # type: ignore[call-arg]
        tx.add(ManifestEntry(operation_id=ops[1].id, national_id=drop.id, status="waitlisted"))  # type: ignore[call-arg]
        tx.add(ManifestEntry(operation_id=ops[0].id, national_id=drop.id, status="waitlisted"))  # type: ignore[call-arg]
    nationals.merge_nationals(desk, keep.id, drop.id)
    places = count(
        desk,
        f"SELECT group_concat(operation_id) FROM manifest_entry "
        f"WHERE national_id = '{keep.id}' AND deleted_at IS NULL",
    )
    assert sorted(places.split(",")) == sorted(op.id for op in ops)


def test_a_pregnancy_at_an_impossible_age_is_asked_about_and_a_list_sets_it_aside(desk, tmp_path):
    """A girl born 2021 and a woman born 1950 were saved pregnant: a tick on the wrong line
    moves a person up for evacuation."""
    from consuldesk.services.lists import import_list
    from tests.unit.services.test_lists import write_csv

    with pytest.raises(ValidationErrors) as info:
        nationals.register_national(
            desk, person(given_names_cyr="Айлин", birth_date=date(2021, 1, 1), pregnant=True)
        )
    [error] = info.value.errors
    assert (error.code, error.field, error.params) == ("pregnant.age", "pregnant", {"age": 5})
    assert describe(error).startswith("Pregnant at 5? Check the date of birth, or untick")
    adult = nationals.register_national(desk, person(birth_date=date(1995, 1, 1), pregnant=True))
    assert Vulnerability.PREGNANT in adult.row.vulnerabilities
    listed = write_csv(
        tmp_path / "list.csv",
        [
            ["Фамилия", "Имя", "Дата рождения", "Беременность"],
            ["Омарова", "Бибі", "01.01.1950", "да"],
        ],
    )
    report = import_list(desk, listed)
    assert (report.created, report.needs_review) == (1, 1)  # kept, the tick set aside
    assert [(w.field, w.code) for w in report.warnings] == [("pregnant", "pregnant.age")]
