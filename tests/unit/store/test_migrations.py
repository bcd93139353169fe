"""Case files made by older versions open, upgrade and keep every record."""

from __future__ import annotations

import shutil
from pathlib import Path

from consuldesk.domain.enums import Vulnerability
from consuldesk.services import nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.store import migrate
from consuldesk.store.db import CaseFile, make_engine

FIRST_SCHEMA = Path(__file__).parents[2] / "data" / "casefile-0001.consuldesk"


def test_a_case_file_made_by_the_first_schema_opens_with_its_data(tmp_path):
    path = tmp_path / "IR-THR.consuldesk"
    shutil.copy(FIRST_SCHEMA, path)
    desk = open_casefile(path, "Officer Today")
    try:
        assert migrate.inspect_revision(desk.casefile.engine).current == migrate.head_revision()
        assert desk.casefile.local_post().code == "IR-THR"
        found = nationals.search(desk, "гүлнұр").rows
        assert [r.name for r in found] == ["Жүсіпова Гүлнұр"]
        assert Vulnerability.WOMAN_WITH_MINORS in found[0].vulnerabilities
        assert [r.name for r in nationals.search(desk, "alikhan").rows] == ["Жүсіпов Әлихан"]
        saved = nationals.register_national(
            desk,
            nationals.fields_of_row(found[0]).replace(
                iin=None, passport_no=None, given_names_cyr="Айгүл"
            ),
        )
        assert saved.row.version.endswith(".IR-THR")
        if migrate.head_revision() != "0001":  # an upgrade keeps the old file beside the new
            (kept,) = (tmp_path / "IR-THR.consuldesk.backups").glob("*-before-upgrade-0001.*")
            assert kept.is_file()
    finally:
        desk.close()


def test_every_revision_upgrades_from_empty_and_downgrades_cleanly(tmp_path):
    path = tmp_path / "walk.consuldesk"
    engine = make_engine(path)
    migrate.upgrade(engine, "head")
    from alembic import command

    command.downgrade(migrate.alembic_config(engine), "base")
    assert migrate.inspect_revision(engine).current is None
    with engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").all()
    assert [name for (name,) in left] == ["alembic_version"]
    migrate.upgrade(engine, "head")  # and back up
    assert migrate.inspect_revision(engine).current == migrate.head_revision()
    engine.dispose()


def test_upgrade_of_an_older_file_keeps_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "old.consuldesk"
    shutil.copy(FIRST_SCHEMA, path)
    import consuldesk.store.migrate as m

    real = m.inspect_revision

    def pretend_newer_head(engine):
        state = real(engine)
        return m.RevisionState(state.current, "0002_pretend", True, state.has_tables)

    monkeypatch.setattr(m, "inspect_revision", pretend_newer_head)
    CaseFile.open(path).close()
    # In the backups folder, listed and restorable like the others, named by the revision.
    (backup,) = (tmp_path / "old.consuldesk.backups").glob("*.consuldesk")
    assert backup.name.endswith("-before-upgrade-0001.consuldesk")
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    from consuldesk.services import backups

    (row,) = backups.list_backups(path)
    assert row.sound and (row.kind, row.detail) == ("upgrade", "0001")


def test_the_models_and_the_migrations_describe_the_same_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    engine = make_engine(tmp_path / "head.consuldesk")
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _parents: (
                    not (
                        type_ == "table"
                        and name.startswith(("national_fts", "national_ids", "derived_paused"))
                    )
                ),
            },
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_manifest_entries_of_the_first_schema_take_their_operation_and_leg_from_the_trip(
    tmp_path,
):
    engine = make_engine(tmp_path / "old.consuldesk")
    migrate.upgrade(engine, "0001")
    stamp = "'2026-03-01 00:00:00', '2026-03-01 00:00:00', 'IR-THR', '1.IR-THR'"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO national (id, created_at, updated_at, origin_post, version, seq, "
            "nationality, phones, presence_status, pregnant, source, sort_name, search_keys) "
            f"VALUES ('n1', {stamp}, 1, 'KAZ', '[]', 'unknown', 0, 'walk_in', '', '')"
        )
        conn.exec_driver_sql(
            "INSERT INTO evacuation_operation (id, created_at, updated_at, origin_post, version, "
            f"name, status) VALUES ('op1', {stamp}, 'Tehran → Astara', 'planned')"
        )
        conn.exec_driver_sql(
            "INSERT INTO trip (id, created_at, updated_at, origin_post, version, operation_id, "
            "leg_no, mode, origin, destination, capacity, status) "
            f"VALUES ('t1', {stamp}, 'op1', 2, 'bus', 'Astara', 'Baku', 45, 'planned')"
        )
        conn.exec_driver_sql(
            "INSERT INTO manifest_entry (id, created_at, updated_at, origin_post, version, "
            f"trip_id, national_id, status) VALUES ('e1', {stamp}, 't1', 'n1', 'allocated')"
        )
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT operation_id, leg_no, trip_id FROM manifest_entry WHERE id = 'e1'"
        ).one()
        index_sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'uq_manifest_entry_live'"
        ).scalar_one()
        allow_split = conn.exec_driver_sql(
            "SELECT allow_split_groups FROM evacuation_operation"
        ).scalar_one()
    assert tuple(row) == ("op1", 2, "t1")
    assert "WHERE deleted_at IS NULL" in index_sql
    assert allow_split == 0
    engine.dispose()
