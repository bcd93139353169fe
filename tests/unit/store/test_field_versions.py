"""Every write keeps the version of each field it wrote: the ground sync merges on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from consuldesk.domain.versions import CREATED, version_of
from consuldesk.services import nationals
from consuldesk.store import migrate
from consuldesk.store.db import make_engine
from consuldesk.store.models import Hotel, National
from tests.factories import person


def stored(desk, model, record_id):
    with desk.casefile.read() as session:
        return session.exec(select(model).where(model.id == record_id)).one()


def test_a_new_record_is_created_by_its_version(desk):
    row = nationals.register_national(desk, person()).row
    n = stored(desk, National, row.id)
    assert n.field_versions == {CREATED: [n.version, None]}
    assert version_of(n.field_versions, "city") == (n.version, None)


def test_an_edit_versions_the_fields_it_changed_and_only_those(desk):
    row = nationals.register_national(desk, person()).row
    created = stored(desk, National, row.id).version
    nationals.update_national(desk, row.id, nationals.fields_of_row(row).replace(city="Sharjah"))
    first = stored(desk, National, row.id)
    assert set(first.field_versions) == {CREATED, "city"}
    assert first.field_versions["city"] == [first.version, None]  # this post made it all
    assert first.field_versions[CREATED] == [created, None]
    assert "search_keys" not in first.field_versions  # derived here, never merged

    again = nationals.fields_of_row(nationals.get_national(desk, row.id)).replace(
        city="Al Ain", notes="көшті"
    )
    nationals.update_national(desk, row.id, again)
    second = stored(desk, National, row.id)
    assert second.field_versions["city"][0] == second.version > first.version
    assert second.field_versions["notes"][0] == second.version


def test_a_field_last_written_elsewhere_is_what_the_edit_saw(desk):
    row = nationals.register_national(desk, person()).row
    foreign = "000000000000042.00000.KZ-HQ"
    with desk.casefile.write("x") as tx:
        n = tx.session.get(National, row.id)
        n.field_versions = {**n.field_versions, "city": [foreign, None]}
        tx.session.add(n)
    nationals.update_national(desk, row.id, nationals.fields_of_row(row).replace(city="Sharjah"))
    n = stored(desk, National, row.id)
    assert n.field_versions["city"] == [n.version, foreign]


def test_a_deletion_versions_the_tombstone(desk):
    row = nationals.register_national(desk, person()).row
    nationals.delete_national(desk, row.id)
    n = stored(desk, National, row.id)
    assert n.field_versions["deleted_at"][0] == n.version


def test_bulk_paths_keep_field_versions_too(desk, tmp_path):
    from consuldesk.services.lists import import_list

    path = tmp_path / "list.csv"
    path.write_text("Фамилия;Имя\nҚасымова;Әйгерім\nӨмірзақов;Нұрсұлтан\n", encoding="utf-8")
    import_list(desk, path)
    with desk.casefile.read() as session:
        rows = session.exec(select(National)).all()
    assert [r.field_versions == {CREATED: [r.version, None]} for r in rows] == [True, True]

    with desk.casefile.write("x") as tx:
        hotels = [Hotel(name=f"Hotel {i}", beds=10) for i in range(2)]
        for h in hotels:
            tx.add(h)
    with desk.casefile.write("x") as tx:
        loaded = tx.session.exec(select(Hotel).order_by(Hotel.name)).all()
        tx.update_many([(loaded[0], {"beds": 12}), (loaded[1], {"beds": 10})])
    changed, unchanged = (stored(desk, Hotel, h.id) for h in hotels)
    assert changed.field_versions["beds"] == [changed.version, None]
    assert set(unchanged.field_versions) == {CREATED}


def test_the_migration_gives_older_rows_their_last_version_as_creation(tmp_path):
    engine = make_engine(Path(tmp_path / "old.consuldesk"))
    migrate.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO post (id, created_at, updated_at, origin_post, version, code, name,"
                " is_headquarters) VALUES ('p1', '2026-03-01 00:00:00', '2026-03-01 00:00:00',"
                " 'AE-ABU', '000000000000007.00003.AE-ABU', 'AE-ABU', 'Абу-Даби', 0)"
            )
        )
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        value = conn.execute(text("SELECT field_versions FROM post")).scalar_one()
    assert value == '{"*":["000000000000007.00003.AE-ABU",null]}'
    engine.dispose()


def test_every_row_of_the_demo_has_its_creation(desk):
    """The demo writes through its own bulk path: its rows must sync like any other."""
    from consuldesk.services.demo import seed_demo
    from consuldesk.store.models import SYNCED_TABLES

    seed_demo(desk, count=60, seed=3)
    with desk.casefile.read() as session:
        for model in SYNCED_TABLES:
            for row in session.exec(select(model)):
                assert CREATED in (row.field_versions or {}), (model.__tablename__, row.id)
