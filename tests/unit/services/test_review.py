"""Values set aside for review: on the row, in the list filter, corrected or dismissed."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as sa_select

from consuldesk.domain.enums import Sex
from consuldesk.services import nationals
from consuldesk.services.lists import import_list
from consuldesk.services.nationals import (
    NationalFilter,
    _filter_conditions,
    count_needs_review,
    fields_of_row,
    filter_choices,
    find_nationals,
    get_national,
    update_national,
)
from consuldesk.services.review import dismiss_review
from consuldesk.services.stats import situation
from consuldesk.store.errors import NotFound
from consuldesk.store.models import National, table_of
from tests.factories import person, valid_iin

ERLAN_IIN = valid_iin(date(1983, 5, 6), Sex.MALE)
#: One digit off: fails the check digit.
ERLAN_BAD_IIN = ERLAN_IIN[:11] + str((int(ERLAN_IIN[11]) + 1) % 10)
LIST_NAME = "туристы-10.03.csv"


def import_doubtful(desk, folder: Path) -> dict[str, str]:
    """Import a list in which two of three people have a value set aside.

    Жұмабаев: an IIN failing its check digit and the phone "12345" (line 2); Сәрсенбаева: the
    date 31.02.1990 (line 3); Нұрланов: nothing doubtful. Returns national ids by surname.
    """
    path = folder / LIST_NAME
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(
            [
                ["Фамилия", "Имя", "ИИН", "Дата рождения", "Телефон", "Страна", "Город"],
                ["Жұмабаев", "Ерлан", ERLAN_BAD_IIN, "06.05.1983", "12345", "ОАЭ", "Дубай"],
                ["Сәрсенбаева", "Әсел", "", "31.02.1990", "+7 701 555 12 34", "ОАЭ", "Дубай"],
                ["Нұрланов", "Бауыржан", "", "01.01.1991", "+971 50 765 4321", "ОАЭ", "Дубай"],
            ]
        )
    report = import_list(desk, path)
    assert (report.created, report.needs_review) == (3, 2)
    rows = find_nationals(desk, NationalFilter(query="")).rows
    return {row.surname_cyr or "": row.id for row in rows}


@pytest.fixture
def ids(desk, tmp_path):
    nationals.register_national(desk, person())  # on file before the list, nothing to review
    return import_doubtful(desk, tmp_path)


def stored_review(desk, national_id: str):
    with desk.casefile.read() as session:
        return session.execute(
            text("SELECT review FROM national WHERE id = :id"), {"id": national_id}
        ).scalar_one()


# -- the row -------------------------------------------------------------------------------


def test_the_row_carries_what_was_set_aside_and_where_from(desk, ids):
    erlan = get_national(desk, ids["Жұмабаев"])
    assert erlan.needs_review
    assert erlan.iin is None and erlan.phones == ()  # kept out of the record
    assert [(i.field, i.code, i.value) for i in erlan.review] == [
        ("iin", "iin.checksum", ERLAN_BAD_IIN),
        ("phones", "phone.invalid", "12345"),
    ]
    assert {(i.source, i.line) for i in erlan.review} == {(LIST_NAME, 2)}
    asel = get_national(desk, ids["Сәрсенбаева"])
    assert [(i.field, i.value, i.line) for i in asel.review] == [("birth_date", "31.02.1990", 3)]
    calm = get_national(desk, ids["Нұрланов"])
    assert calm.review == () and not calm.needs_review
    hash(erlan)  # rows stay hashable although items hold a dict of parameters


# -- the list filter -----------------------------------------------------------------------


def test_the_filter_keeps_those_who_need_review(desk, ids):
    flt = NationalFilter(needs_review=True)
    assert flt.narrows
    page = find_nationals(desk, flt)
    assert page.total == 2
    assert {row.id for row in page.rows} == {ids["Жұмабаев"], ids["Сәрсенбаева"]}
    assert all(row.review for row in page.rows)
    # Combined with the query and the other filters (AND).
    assert find_nationals(desk, NationalFilter(query="Әсел", needs_review=True)).total == 1
    assert find_nationals(desk, NationalFilter(query="Бауыржан", needs_review=True)).total == 0
    assert find_nationals(desk, NationalFilter(city="Dubai", needs_review=True)).total == 2
    assert find_nationals(desk, NationalFilter()).total == 4


def test_the_count_is_offered_with_the_filter_choices(desk, ids):
    assert filter_choices(desk).needs_review == 2
    assert situation(desk).needs_review == 2
    with desk.casefile.read() as session:
        assert count_needs_review(session) == 2


def test_a_deleted_record_no_longer_needs_review(desk, ids):
    nationals.delete_national(desk, ids["Сәрсенбаева"])
    assert find_nationals(desk, NationalFilter(needs_review=True)).total == 1
    assert filter_choices(desk).needs_review == 1


def test_the_filter_reads_the_partial_index(desk, ids):
    """At 100,000 people SQLite must read only the few that need review."""
    with desk.casefile.write(desk.officer) as tx:
        tx.insert_nationals(
            {"surname_cyr": f"Сейітов{i}", "given_names_cyr": "Ерлан"} for i in range(300)
        )
    assert desk.casefile.refresh_statistics()
    n = table_of(National).alias("n")
    conditions = _filter_conditions(n, NationalFilter(needs_review=True), date(2026, 3, 10))
    with desk.casefile.read() as session:
        for query in (
            sa_select(func.count()).select_from(n).where(*conditions),
            sa_select(n.c.id).where(*conditions).order_by(n.c.sort_name, n.c.seq).limit(100),
        ):
            sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = " ".join(
                str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            )
            assert "ix_national_needs_review" in plan, plan


# -- correcting on the card ----------------------------------------------------------------


def test_a_corrected_field_clears_its_items_in_the_same_change(desk, ids):
    erlan = get_national(desk, ids["Жұмабаев"])
    saved = update_national(desk, erlan.id, fields_of_row(erlan).replace(iin=ERLAN_IIN))
    assert saved.row.iin == ERLAN_IIN
    assert [i.field for i in saved.row.review] == ["phones"]  # the phone still waits
    assert saved.changes.updated == {"national": {erlan.id}}
    last = nationals.history(desk, erlan.id)[-1]
    assert last.action == "update"
    # One transaction, one audit event (the IIN also gave the sex the list left out).
    assert set(last.changes) == {"iin", "sex", "review"}
    assert [i["field"] for i in last.changes["review"][1]] == ["phones"]

    saved = update_national(
        desk, erlan.id, fields_of_row(saved.row).replace(phones=("+7 701 234 56 78",))
    )
    assert saved.row.review == ()
    assert stored_review(desk, erlan.id) is None  # SQL NULL: the partial index drops it
    assert find_nationals(desk, NationalFilter(needs_review=True)).total == 1


def test_saving_without_correcting_keeps_the_items(desk, ids):
    asel = get_national(desk, ids["Сәрсенбаева"])
    saved = update_national(desk, asel.id, fields_of_row(asel).replace(city="Abu Dhabi"))
    assert [i.field for i in saved.row.review] == ["birth_date"]
    assert "review" not in nationals.history(desk, asel.id)[-1].changes


# -- marking as reviewed -------------------------------------------------------------------


def test_dismissing_everything_is_one_audited_change(desk, ids):
    erlan_id = ids["Жұмабаев"]
    saved = dismiss_review(desk, erlan_id)
    assert saved.row.review == () and saved.row.iin is None  # the record keeps what it holds
    assert saved.changes.updated == {"national": {erlan_id}}
    assert stored_review(desk, erlan_id) is None
    last = nationals.history(desk, erlan_id)[-1]
    assert (last.action, last.officer) == ("review", "Officer Test")
    before, after = last.changes["review"]
    assert [i["value"] for i in before] == [ERLAN_BAD_IIN, "12345"] and after is None
    assert filter_choices(desk).needs_review == 1


def test_dismissing_some_fields_keeps_the_others(desk, ids):
    erlan_id = ids["Жұмабаев"]
    saved = dismiss_review(desk, erlan_id, ["phones"])
    assert [i.field for i in saved.row.review] == ["iin"]
    assert json.loads(stored_review(desk, erlan_id))[0]["value"] == ERLAN_BAD_IIN
    # Nothing left of those fields: nothing written, nothing audited.
    events = len(nationals.history(desk, erlan_id))
    again = dismiss_review(desk, erlan_id, ["phones", "household"])
    assert not again.changes and len(nationals.history(desk, erlan_id)) == events


def test_dismissing_needs_a_live_record(desk, ids):
    nationals.delete_national(desk, ids["Сәрсенбаева"])
    with pytest.raises(NotFound):
        dismiss_review(desk, ids["Сәрсенбаева"])
    with pytest.raises(NotFound):
        dismiss_review(desk, "no-such-id")
