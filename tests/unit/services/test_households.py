"""Tests for consuldesk.services.households."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.domain.enums import HouseholdKind, Relation, Sex, Vulnerability
from consuldesk.messages import describe
from consuldesk.services import households as hh
from consuldesk.services.errors import ServiceError
from consuldesk.services.nationals import delete_national, history, register_national
from consuldesk.store.errors import NotFound
from tests.factories import person


def _audit_count(desk) -> int:
    with desk.casefile.read() as session:
        return session.connection().exec_driver_sql("SELECT count(*) FROM audit_event").scalar()


@pytest.fixture
def family(desk):
    """The Қасымов family: a mother, a father, a 7-year-old son."""
    mother = register_national(desk, person()).row
    father = register_national(
        desk,
        person(
            surname_cyr="Қасымов",
            given_names_cyr="Ерлан",
            surname_lat="KASSYMOV",
            given_names_lat="YERLAN",
            sex=Sex.MALE,
            birth_date=date(1982, 6, 1),
        ),
    ).row
    son = register_national(
        desk,
        person(
            surname_cyr="Қасымов",
            given_names_cyr="Нұрлан",
            surname_lat="KASSYMOV",
            given_names_lat="NURLAN",
            sex=Sex.MALE,
            birth_date=date(2019, 1, 15),
        ),
    ).row
    return mother, father, son


def _aigul(desk):
    return register_national(
        desk,
        person(
            surname_cyr="Сейітова",
            given_names_cyr="Айгүл",
            surname_lat="SEIITOVA",
            given_names_lat="AIGUL",
            birth_date=date(1990, 9, 9),
        ),
    ).row


def test_create_household_with_members_and_head(desk, family):
    mother, father, son = family
    written = hh.create_household(
        desk,
        "  Қасымовтар  отбасы ",
        HouseholdKind.FAMILY,
        head_id=father.id,
        member_ids=[mother.id, son.id, mother.id],
        notes="Дубай, Deira",
    )
    row = written.row
    assert row.name == "Қасымовтар отбасы"
    assert row.kind == "family"
    assert row.head_id == father.id
    assert row.members[0].national.id == father.id and row.members[0].is_head
    assert set(row.member_ids) == {mother.id, father.id, son.id}
    assert sum(m.is_head for m in row.members) == 1
    # the mother travels with a minor; the son is a minor
    assert row.vulnerabilities == {Vulnerability.WOMAN_WITH_MINORS: 1, Vulnerability.MINOR: 1}
    assert written.changes.created.keys() == {"household", "household_member"}
    assert len(written.changes.created["household_member"]) == 3
    created = history(desk, row.id)
    assert [e.action for e in created] == ["create"]
    assert created[0].changes["name"] == [None, "Қасымовтар отбасы"]


def test_create_household_refuses_empty_name_and_writes_nothing(desk, family):
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        hh.create_household(desk, "   ", HouseholdKind.FAMILY, member_ids=[family[0].id])
    assert err.value.code == "household.name"
    assert _audit_count(desk) == before
    assert hh.list_households(desk) == []


def test_create_household_unknown_member_rolls_back(desk, family):
    with pytest.raises(NotFound):
        hh.create_household(
            desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[family[0].id, "x"]
        )
    assert hh.list_households(desk) == []


def test_add_member_twice_is_refused(desk, family):
    mother, father, _ = family
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id]).row
    written = hh.add_member(desk, row.id, father.id, relation="spouse")
    assert {m.national.id: m.relation for m in written.row.members}[father.id] == "spouse"
    assert written.changes.created.keys() == {"household_member"}
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        hh.add_member(desk, row.id, father.id)
    assert err.value.code == "household.member_twice"
    assert _audit_count(desk) == before


def test_one_family_at_a_time_but_tour_groups_too(desk, family):
    mother, _, son = family
    first = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id])
    second = hh.create_household(desk, "Сейітовтер", HouseholdKind.FAMILY).row
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        hh.add_member(desk, second.id, mother.id)
    assert err.value.code == "household.already_in_family"
    assert err.value.params["household"] == "Қасымовтар"
    assert err.value.params["household_id"] == first.row.id
    assert _audit_count(desk) == before

    # a tour group is fine alongside the family
    tour = hh.create_household(
        desk, "Алматы турлары №12", HouseholdKind.TOUR_GROUP, tour_operator="Kompas Tour"
    )
    hh.add_member(desk, tour.row.id, mother.id)

    # moving to the other family: remove first
    hh.remove_member(desk, first.row.id, mother.id)
    moved = hh.add_member(desk, second.id, mother.id, relation="other")
    assert mother.id in moved.row.member_ids

    # creating a family with someone already in one is refused as well
    hh.add_member(desk, first.row.id, son.id)
    with pytest.raises(ServiceError) as err:
        hh.create_household(desk, "Үшінші", HouseholdKind.FAMILY, member_ids=[son.id])
    assert err.value.code == "household.already_in_family"
    # sorted with Kazakh letters beside their Russian neighbours (Қ with К, before С)
    assert [r.name for r in hh.list_households(desk)] == [
        "Алматы турлары №12",
        "Қасымовтар",
        "Сейітовтер",
    ]


def test_turning_a_tour_group_into_a_family_checks_members(desk, family):
    mother, _, _ = family
    hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id])
    tour = hh.create_household(desk, "Тур", HouseholdKind.TOUR_GROUP, member_ids=[mother.id]).row
    with pytest.raises(ServiceError) as err:
        hh.update_household(desk, tour.id, name="Тур", kind=HouseholdKind.FAMILY)
    assert err.value.code == "household.already_in_family"
    assert hh.get_household(desk, tour.id).kind == "tour_group"


def test_remove_head_leaves_no_head(desk, family):
    mother, father, son = family
    row = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id, son.id]
    ).row
    written = hh.remove_member(desk, row.id, father.id)
    assert written.row.head_id is None
    assert father.id not in written.row.member_ids
    assert written.changes.deleted.keys() == {"household_member"}
    assert written.changes.updated.keys() == {"household"}
    events = history(desk, row.id)
    assert events[-1].action == "update"
    assert events[-1].changes == {"head_id": [father.id, None]}
    with pytest.raises(ServiceError) as err:
        hh.remove_member(desk, row.id, father.id)
    assert err.value.code == "household.not_member"


def test_set_head_must_be_member(desk, family):
    mother, father, _ = family
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id]).row
    with pytest.raises(ServiceError) as err:
        hh.set_head(desk, row.id, father.id)
    assert err.value.code == "household.not_member"
    written = hh.set_head(desk, row.id, mother.id)
    assert written.row.head_id == mother.id
    assert written.row.head is not None and written.row.head.national.id == mother.id
    assert history(desk, row.id)[-1].changes == {"head_id": [None, mother.id]}
    again = hh.set_head(desk, row.id, mother.id)
    assert not again.changes  # nothing changed, nothing audited
    assert len(history(desk, row.id)) == 2


def test_update_and_rename(desk, family):
    row = hh.create_household(desk, "Тур", HouseholdKind.TOUR_GROUP).row
    written = hh.update_household(
        desk, row.id, name="Тур 7", kind=HouseholdKind.TOUR_GROUP, tour_operator=" Anex  Tour "
    )
    assert written.row.tour_operator == "Anex Tour"
    assert history(desk, row.id)[-1].changes == {
        "name": ["Тур", "Тур 7"],
        "tour_operator": [None, "Anex Tour"],
    }
    renamed = hh.rename_household(desk, row.id, "Тур №7")
    assert renamed.row.name == "Тур №7"
    assert renamed.changes.updated == {"household": {row.id}}
    with pytest.raises(ServiceError) as err:
        hh.rename_household(desk, row.id, "")
    assert err.value.code == "household.name"


def test_delete_household_tombstones_memberships(desk, family):
    mother, father, son = family
    row = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id, father.id, son.id]
    ).row
    changes = hh.delete_household(desk, row.id)
    assert changes.deleted["household"] == {row.id}
    assert len(changes.deleted["household_member"]) == 3
    assert history(desk, row.id)[-1].action == "delete"
    with pytest.raises(NotFound):
        hh.get_household(desk, row.id)
    assert hh.list_households(desk) == []
    # the members are free to join another family now
    other = hh.create_household(desk, "Жаңа", HouseholdKind.FAMILY, member_ids=[mother.id]).row
    assert other.member_ids == (mother.id,)


def test_deleted_national_drops_out_of_household(desk, family):
    mother, father, _ = family
    row = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id, father.id]
    ).row
    delete_national(desk, father.id)
    assert hh.get_household(desk, row.id).member_ids == (mother.id,)
    assert hh.list_households(desk)[0].member_count == 1


def test_list_households_filters(desk, family):
    mother, father, son = family
    aigul = _aigul(desk)
    hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id, son.id]
    )
    hh.create_household(
        desk,
        "Группа 12",
        HouseholdKind.TOUR_GROUP,
        tour_operator="Kompas Tour",
        member_ids=[aigul.id, mother.id],
    )
    rows = hh.list_households(desk)
    assert [(r.name, r.member_count) for r in rows] == [("Группа 12", 2), ("Қасымовтар", 3)]
    family_row = rows[1]
    assert family_row.head_name == "Қасымов Ерлан"
    assert [r.name for r in hh.list_households(desk, kind=HouseholdKind.FAMILY)] == ["Қасымовтар"]
    # either script, Kazakh letters typed on a Russian keyboard, prefixes
    assert [r.name for r in hh.list_households(desk, query="Касым")] == ["Қасымовтар"]
    assert [r.name for r in hh.list_households(desk, query="kassym")] == ["Қасымовтар"]
    assert [r.name for r in hh.list_households(desk, query="ерлан")] == ["Қасымовтар"]
    assert [r.name for r in hh.list_households(desk, query="kompas")] == ["Группа 12"]
    assert hh.list_households(desk, query="Бекмұрат") == []


def _relations(row) -> dict[str, str | None]:
    return {m.national.id: m.relation for m in row.members}


def test_relations_change_one_call_each_audited_nobody_lost(desk, family):
    mother, father, son = family
    row = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id, son.id]
    ).row
    assert _relations(row) == {father.id: "head", mother.id: None, son.id: None}

    written = hh.set_relation(desk, row.id, son.id, Relation.CHILD)
    assert _relations(written.row)[son.id] == "child"
    assert written.changes.updated == {"household_member": {_member_id(desk, row.id, son.id)}}
    [event] = history(desk, _member_id(desk, row.id, son.id))[-1:]
    assert (event.action, event.changes) == ("update", {"relation": [None, "child"]})
    hh.set_relation(desk, row.id, mother.id, "spouse")

    # The wife made head: her husband stays, as her spouse; one head, nobody lost.
    swapped = hh.set_relation(desk, row.id, mother.id, Relation.HEAD)
    assert swapped.row.head_id == mother.id
    assert _relations(swapped.row) == {mother.id: "head", father.id: "spouse", son.id: "child"}
    assert sum(m.is_head for m in swapped.row.members) == 1
    assert set(swapped.row.member_ids) == {mother.id, father.id, son.id}
    assert swapped.changes.updated.keys() == {"household", "household_member"}
    assert history(desk, row.id)[-1].changes == {"head_id": [father.id, mother.id]}
    # vulnerability is computed afresh and does not depend on who heads the family
    assert swapped.row.vulnerabilities == {
        Vulnerability.WOMAN_WITH_MINORS: 1,
        Vulnerability.MINOR: 1,
    }

    # The same relation again changes nothing and audits nothing.
    before = _audit_count(desk)
    assert not hh.set_relation(desk, row.id, mother.id, "head").changes
    assert not hh.set_relation(desk, row.id, son.id, "child").changes
    assert _audit_count(desk) == before


def test_an_adult_child_made_head_makes_the_former_head_a_parent(desk, family):
    mother, _father, son = family
    grown = register_national(
        desk,
        person(surname_cyr="Қасымов", given_names_cyr="Әлихан", sex=Sex.MALE,
               birth_date=date(2005, 2, 2), iin=None),
    ).row  # fmt: skip
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id).row
    hh.add_member(desk, row.id, grown.id, "child")
    hh.add_member(desk, row.id, son.id, "other")
    written = hh.set_relation(desk, row.id, grown.id, "head")
    assert _relations(written.row) == {grown.id: "head", mother.id: "parent", son.id: "other"}
    # "other" has no inverse: the former head's relation is left for the officer to say, and
    # so is the grandmother's ("parent" was said of the grown son, not of this one)
    again = hh.set_relation(desk, row.id, son.id, "head")
    assert _relations(again.row) == {son.id: "head", grown.id: None, mother.id: None}


def test_a_new_head_has_the_others_relations_said_again_relative_to_them(desk, family):
    mother, father, son = family
    daughter = register_national(
        desk, person(given_names_cyr="Айгүл", birth_date=date(2013, 4, 4), iin=None)
    ).row
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id).row
    hh.add_member(desk, row.id, mother.id, "spouse")
    hh.add_member(desk, row.id, son.id, "child")
    hh.add_member(desk, row.id, daughter.id, "child")
    # the wife made head: the husband is her spouse, the children stay her children
    written = hh.set_relation(desk, row.id, mother.id, "head")
    assert _relations(written.row) == {
        mother.id: "head",
        father.id: "spouse",
        son.id: "child",
        daughter.id: "child",
    }
    # a daughter made head: her mother is her parent, her brother "other" (a sibling)
    written = hh.set_relation(desk, row.id, daughter.id, "head")
    assert _relations(written.row) == {
        daughter.id: "head",
        mother.id: "parent",
        son.id: "other",
        father.id: "parent",  # the former head's spouse
    }
    # nobody left the household
    assert len(written.row.members) == 4


def test_relation_refusals_write_nothing(desk, family):
    mother, father, son = family
    row = hh.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id]
    ).row
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        hh.set_relation(desk, row.id, father.id, Relation.SPOUSE)
    assert err.value.code == "household.head_needed"
    assert err.value.params == {"name": "Қасымов Ерлан", "household": "Қасымовтар"}
    with pytest.raises(ServiceError) as err:
        hh.set_relation(desk, row.id, father.id, None)
    assert err.value.code == "household.head_needed"
    with pytest.raises(ServiceError) as err:
        hh.set_relation(desk, row.id, mother.id, "wife")
    assert err.value.code == "household.relation" and err.value.params == {"value": "wife"}
    with pytest.raises(ServiceError) as err:
        hh.set_relation(desk, row.id, son.id, "child")
    assert err.value.code == "household.not_member"
    with pytest.raises(ServiceError) as err:
        hh.add_member(desk, row.id, son.id, "head")
    assert err.value.code == "household.second_head"
    assert err.value.params["head"] == "Қасымов Ерлан"
    with pytest.raises(NotFound):
        hh.set_relation(desk, "no-such-household", mother.id, "spouse")
    assert _audit_count(desk) == before
    assert _relations(hh.get_household(desk, row.id)) == {father.id: "head", mother.id: None}


def test_a_headless_household_gets_a_head_by_relation_or_on_adding(desk, family):
    mother, father, son = family
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY).row
    written = hh.add_member(desk, row.id, mother.id, "head")
    assert written.row.head_id == mother.id
    assert hh.add_member(desk, row.id, son.id, "child").row.head_id == mother.id
    hh.set_head(desk, row.id, None)
    assert _relations(hh.get_household(desk, row.id)) == {mother.id: None, son.id: "child"}
    assert hh.set_relation(desk, row.id, son.id, "other").row.head_id is None
    hh.add_member(desk, row.id, father.id, "spouse")
    made = hh.set_relation(desk, row.id, father.id, "head")
    assert made.row.head_id == father.id
    assert _relations(made.row) == {father.id: "head", mother.id: None, son.id: "other"}


def test_rename_is_audited_and_refuses_a_blank_name(desk, family):
    row = hh.create_household(desk, "Семья Қасымовых", HouseholdKind.FAMILY).row
    written = hh.rename_household(desk, row.id, "  Қасымовтар (Deira) ")
    assert written.row.name == "Қасымовтар (Deira)"
    assert history(desk, row.id)[-1].changes == {"name": ["Семья Қасымовых", "Қасымовтар (Deira)"]}
    assert not hh.rename_household(desk, row.id, "Қасымовтар (Deira)").changes
    with pytest.raises(ServiceError) as err:
        hh.rename_household(desk, row.id, " \t ")
    assert err.value.code == "household.name"
    assert hh.get_household(desk, row.id).name == "Қасымовтар (Deira)"


def test_list_rows_tell_apart_households_of_one_name(desk, family):
    mother, father, son = family
    aigul = _aigul(desk)
    sister = register_national(
        desk, person(given_names_cyr="Сәуле", given_names_lat="SAULE", city="Sharjah",
                     birth_date=date(1988, 2, 2), phones=())
    ).row  # fmt: skip
    hh.create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=father.id, member_ids=[son.id]
    )
    hh.create_household(
        desk,
        "Семья Қасымовых",
        HouseholdKind.FAMILY,
        head_id=mother.id,
        member_ids=[aigul.id, sister.id],
    )
    update = hh.list_households(desk)
    rows = sorted(update, key=lambda r: r.member_count)
    assert [(r.head_name, r.member_count, r.city) for r in rows] == [
        ("Қасымов Ерлан", 2, "Dubai"),
        ("Қасымова Әйгерім", 3, "Dubai"),  # two of three in Dubai, one in Sharjah
    ]


def _member_id(desk, household_id: str, national_id: str) -> str:
    with desk.casefile.read() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT id FROM household_member WHERE household_id = ? AND national_id = ?"
                " AND deleted_at IS NULL",
                (household_id, national_id),
            )
            .scalar_one()
        )


@pytest.mark.usefixtures("fast_seal")
def test_a_rename_and_a_new_head_reach_headquarters_by_bundle(tmp_path):
    from tests.unit.services.test_sync import enrol, make, receive, send

    hq = make(tmp_path, "KZ-HQ", None, hq=True)
    thr = make(tmp_path, "IR-THR", "IR")
    try:
        enrol(hq, thr, tmp_path)
        usb = tmp_path / "usb"
        usb.mkdir()
        mother = register_national(thr, person(host_country="IR", city="Tehran")).row
        father = register_national(
            thr,
            person(
                surname_cyr="Қасымов", given_names_cyr="Ерлан", surname_lat="KASSYMOV",
                given_names_lat="YERLAN", sex=Sex.MALE, birth_date=date(1982, 6, 1),
                passport_no="N5550001", host_country="IR", city="Tehran",
            ),
        ).row  # fmt: skip
        row = hh.create_household(
            thr, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id]
        ).row
        hh.set_relation(thr, row.id, mother.id, "spouse")
        receive(hq, send(thr, hq, usb))
        assert hh.get_household(hq, row.id).head_id == father.id

        hh.rename_household(thr, row.id, "Қасымовтар")
        hh.set_relation(thr, row.id, mother.id, Relation.HEAD)
        result = receive(hq, send(thr, hq, usb))
        assert result.updated == {"household": 1, "household_member": 2}
        at_hq = hh.get_household(hq, row.id)
        assert (at_hq.name, at_hq.head_id) == ("Қасымовтар", mother.id)
        assert _relations(at_hq) == {mother.id: "head", father.id: "spouse"}
    finally:
        hq.close()
        thr.close()


def test_two_households_of_one_name_are_listed_by_their_heads(desk):
    """Their order was their internal ids: two "Семья Қасымовых" swapped between refreshes of
    nothing, and an officer reading down the page took one for the other."""
    heads = [
        register_national(desk, person(given_names_cyr=g, passport_no=p)).row
        for g, p in (("Ерлан", "N1000001"), ("Әйгерім", "N1000002"), ("Бекзат", "N1000003"))
    ]
    for head in heads:
        hh.create_household(desk, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=head.id)
    listed = [r.head_name for r in hh.list_households(desk)]
    assert listed == ["Қасымова Әйгерім", "Қасымова Бекзат", "Қасымова Ерлан"]


def test_numbers_in_household_names_sort_as_numbers(desk):
    """Families named from a list's codes ("Қасымов (3)", "Қасымов (12)") and numbered tour
    groups came in text order: group 12 before group 2."""
    for name in ("Группа 12", "Группа 2", "Қасымов (12)", "Қасымов (3)", "Группа 2б", "Группа"):
        hh.create_household(desk, name, HouseholdKind.TOUR_GROUP)
    assert [r.name for r in hh.list_households(desk)] == [
        "Группа",
        "Группа 2",
        "Группа 2б",
        "Группа 12",
        "Қасымов (3)",
        "Қасымов (12)",
    ]


def test_a_child_older_than_the_head_or_a_parent_younger_is_asked_about(desk, family):
    """A man born 1952 was made the child of a head born 1985 without a word."""
    mother, _, son = family
    elder = register_national(
        desk,
        person(surname_cyr="Өмаров", given_names_cyr="Серік", sex=Sex.MALE,
               surname_lat="OMAROV", given_names_lat="SERIK", birth_date=date(1952, 1, 1)),
    ).row  # fmt: skip
    row = hh.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id).row
    with pytest.raises(ServiceError) as err:
        hh.add_member(desk, row.id, elder.id, relation="child")
    assert err.value.code == "household.relation_age"
    assert describe(err.value) == (
        "Өмаров Серік (born 01.01.1952) is not younger than the head, Қасымова Әйгерім (born "
        "04.03.1985), so cannot be their child: check the relation or the dates of birth"
    )
    hh.add_member(desk, row.id, elder.id, relation="parent")  # as it is
    hh.add_member(desk, row.id, son.id, relation="child")
    with pytest.raises(ServiceError) as err:
        hh.set_relation(desk, row.id, son.id, "parent")
    assert describe(err.value).endswith(
        "so cannot be their parent: check the relation or the dates of birth"
    )
    relations = {m.national.id: m.relation for m in hh.get_household(desk, row.id).members}
    assert relations[son.id] == "child"
