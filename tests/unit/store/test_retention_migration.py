"""Migration 0011: a case file of schema 0010 takes the retention columns, its index and the
redaction list, and keeps its people as they were."""

from __future__ import annotations

from consuldesk.store import migrate
from consuldesk.store.db import make_engine


def test_a_0010_case_file_upgrades_with_nothing_anonymised_or_kept(tmp_path):
    engine = make_engine(tmp_path / "old.consuldesk")
    migrate.upgrade(engine, "0010")
    stamp = "'2026-03-01 00:00:00', '2026-03-01 00:00:00', 'IR-THR', '1.IR-THR'"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO national (id, created_at, updated_at, origin_post, version, seq, "
            "surname_cyr, nationality, phones, presence_status, pregnant, source, sort_name, "
            f"search_keys) VALUES ('n1', {stamp}, 1, 'Қасымова', 'KAZ', '[]', 'evacuated', 0, "
            "'walk_in', '', '')"
        )
    migrate.upgrade(engine, "0011")
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT surname_cyr, keep_until, keep_reason, anonymised_at FROM national"
        ).one()
        index = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_national_retention'"
        ).scalar_one()
        plan = " ".join(
            str(r[-1])
            for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM national WHERE anonymised_at IS NULL "
                "AND presence_status IN ('evacuated', 'left_on_own')"
            )
        )
        redactions = conn.exec_driver_sql("SELECT count(*) FROM audit_redaction").scalar_one()
    assert tuple(row) == ("Қасымова", None, None, None)
    assert "WHERE anonymised_at IS NULL" in index
    assert "ix_national_retention" in plan
    assert redactions == 0
    engine.dispose()
