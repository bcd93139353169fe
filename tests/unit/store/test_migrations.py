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
            assert (tmp_path / "IR-THR.consuldesk.before-0001").exists()
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
    monkeypatch.setattr(m, "upgrade", lambda engine, revision="head": None)
    CaseFile.open(path).close()
    backup = tmp_path / "old.consuldesk.before-0001"
    assert backup.exists() and backup.read_bytes()[:16] == b"SQLite format 3\x00"
