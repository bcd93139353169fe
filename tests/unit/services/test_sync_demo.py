"""A whole demo case file (every table, every kind of value the app writes) travels to
headquarters and arrives as it is."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from consuldesk.services import keys
from consuldesk.services import stats as s_stats
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import seed_demo
from consuldesk.store import bulk
from tests.unit.services.test_sync_convergence import content

pytestmark = pytest.mark.usefixtures("fast_seal")
PASSPHRASE = "Ұзын құпия сөз 2026"


def _derived(desk) -> dict[str, tuple[object, int]]:
    """Each national's columns derived from households (kept by triggers, or by a bulk load)."""
    with desk.casefile.read() as session:
        rows = session.execute(
            text("SELECT id, household_youngest, household_kinds FROM national")
        ).all()
    return {i: (y, k) for i, y, k in rows}


@pytest.mark.parametrize("bulk_from", [None, 1], ids=["row by row", "as a bulk load"])
def test_a_demo_case_file_arrives_at_headquarters_as_it_is(tmp_path, monkeypatch, bulk_from):
    if bulk_from is not None:  # every table's new records as a bulk load: triggers paused
        monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", bulk_from)
    desks = {}
    for code, country in (("KZ-HQ", None), ("AE-DXB", "AE")):
        desks[code] = create_casefile(
            tmp_path / f"{code}.consuldesk",
            post_code=code,
            post_name=code,
            host_country=country,
            officer=f"officer {code}",
            headquarters=country is None,
        )
        keys.create_keys(desks[code], PASSPHRASE)
    hq, post = desks["KZ-HQ"], desks["AE-DXB"]
    files = {c: keys.export_public_key(d, tmp_path) for c, d in desks.items()}
    keys.enrol_peer(hq, files["AE-DXB"], keys.read_key_file(files["AE-DXB"]).fingerprint)
    keys.enrol_peer(post, files["KZ-HQ"], keys.read_key_file(files["KZ-HQ"]).fingerprint)
    seed_demo(post, count=80, seed=3)
    try:
        result = s.import_bundle(
            hq, PASSPHRASE, s.export_bundle(post, PASSPHRASE, "KZ-HQ", tmp_path).path
        )
        mine, theirs = content(post), content(hq)
        tables = {t for t, _ in mine}
        assert {"national", "household", "placement", "trip", "manifest_entry"} <= tables
        assert sum(result.created.values()) == len(mine)
        for key, values in mine.items():
            assert theirs[key] == values, key
        # what each case file derives for itself comes out the same
        assert _derived(hq) == _derived(post)
        assert any(k for _y, k in _derived(hq).values())
        assert s_stats.situation(hq).by_vulnerability == s_stats.situation(post).by_vulnerability
        with hq.casefile.read() as session:
            assert session.execute(text("SELECT count(*) FROM derived_paused")).scalar() == 0
        # And back: headquarters' bundle to the post brings its post record and changes nothing.
        back = s.import_bundle(
            post, PASSPHRASE, s.export_bundle(hq, PASSPHRASE, "AE-DXB", tmp_path).path
        )
        assert not back.updated and back.created == {"post": 1}
        now = content(post)
        assert {k: v for k, v in now.items() if k in mine} == mine
    finally:
        hq.close()
        post.close()
