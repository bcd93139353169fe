"""Property: whatever the order in which bundles travel, are lost, repeated or arrive late,
every case file ends with the same content, and no committed change is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from consuldesk.services import keys, nationals
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile
from consuldesk.store.db import LOCAL_COLUMNS
from consuldesk.store.models import SYNCED_TABLES, National, table_of
from tests.factories import person

PASSPHRASE = "Ұзын құпия сөз 2026"
POSTS = ("IR-THR", "AZ-BAK", "QA-DOH")
CITIES = ("Tehran", "Tabriz", "Baku", "Doha", "Shiraz", "Astara")


def content(desk) -> dict:
    """Every synced record's values, without what a case file keeps for itself."""
    out = {}
    with desk.casefile.read() as session:
        for model in SYNCED_TABLES:
            table = table_of(model)
            columns = [c.name for c in table.columns if c.name not in LOCAL_COLUMNS]
            for row in session.execute(select(*[table.c[c] for c in columns])).mappings():
                out[(table.name, row["id"])] = dict(row)
    return out


class World:
    def __init__(self, root: Path):
        self.root = root
        self.usb = root / "usb"
        self.usb.mkdir()
        self.desks = {}
        for code in ("KZ-HQ", *POSTS):
            desk = create_casefile(
                root / f"{code}.consuldesk",
                post_code=code,
                post_name=code,
                host_country=None if code == "KZ-HQ" else code[:2],
                officer=f"officer {code}",
                headquarters=code == "KZ-HQ",
            )
            keys.create_keys(desk, PASSPHRASE)
            self.desks[code] = desk
        files = {c: keys.export_public_key(d, self.usb) for c, d in self.desks.items()}
        hq = self.desks["KZ-HQ"]
        for code in POSTS:  # a star: every post trusts headquarters, headquarters every post
            keys.enrol_peer(hq, files[code], keys.read_key_file(files[code]).fingerprint)
            keys.enrol_peer(
                self.desks[code], files["KZ-HQ"], keys.read_key_file(files["KZ-HQ"]).fingerprint
            )
        self.files: list[tuple[str, Path]] = []  # (recipient, bundle)
        self.people: list[str] = []
        self.edits: dict[str, list[tuple[str, str]]] = {}  # record -> (version, city) made
        self.serial = 0

    def close(self):
        for desk in self.desks.values():
            desk.close()

    def register(self, post: str):
        self.serial += 1
        letters = "".join("ABCDEFGHIJ"[int(d)] for d in str(self.serial))
        fields = person(
            surname_lat=f"PERSON {letters}", passport_no=f"N{self.serial:07d}", host_country=None
        )
        self.people.append(nationals.register_national(self.desks[post], fields).row.id)

    def edit(self, post: str, which: int, city: str):
        desk = self.desks[post]
        known = [p for p in self.people if _has(desk, p)]
        if not known:
            return
        row = nationals.get_national(desk, known[which % len(known)])
        nationals.update_national(desk, row.id, nationals.fields_of_row(row).replace(city=city))
        with desk.casefile.read() as session:
            stored = session.get(National, row.id)
            version = (stored.field_versions or {}).get("city", [None])[0]
        if version is not None and stored.city == city:
            self.edits.setdefault(row.id, []).append((version, city))

    def export(self, src: str, dst: str):
        path = s.export_bundle(self.desks[src], PASSPHRASE, dst, self.usb).path
        self.files.append((dst, path))

    def deliver(self, which: int):
        if self.files:
            dst, path = self.files[which % len(self.files)]  # any bundle, again and again
            s.import_bundle(self.desks[dst], PASSPHRASE, path)

    def settle(self):
        """Sticks travel until nothing new moves: posts to headquarters and back, twice."""
        for _ in range(2):
            for post in POSTS:
                s.import_bundle(self.desks["KZ-HQ"], PASSPHRASE, self._send(post, "KZ-HQ"))
            for post in POSTS:
                s.import_bundle(self.desks[post], PASSPHRASE, self._send("KZ-HQ", post))

    def _send(self, src: str, dst: str) -> Path:
        return s.export_bundle(self.desks[src], PASSPHRASE, dst, self.usb).path


def _has(desk, record_id: str) -> bool:
    try:
        nationals.get_national(desk, record_id)
    except Exception:
        return False
    return True


step = st.one_of(
    st.tuples(st.just("register"), st.sampled_from(POSTS)),
    st.tuples(
        st.just("edit"),
        st.sampled_from((*POSTS, "KZ-HQ")),
        st.integers(0, 9),
        st.sampled_from(CITIES),
    ),
    st.tuples(st.just("export"), st.sampled_from(POSTS), st.booleans()),
    st.tuples(st.just("deliver"), st.integers(0, 50)),
)


@pytest.mark.usefixtures("fast_seal")
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(step, min_size=3, max_size=14))
def test_any_order_of_bundles_converges_and_loses_nothing(tmp_path_factory, steps):
    world = World(tmp_path_factory.mktemp("world"))
    try:
        for action, *args in steps:
            if action == "register":
                world.register(args[0])
            elif action == "edit":
                world.edit(*args)
            elif action == "export":
                post, to_hq = args
                world.export(post, "KZ-HQ") if to_hq else world.export("KZ-HQ", post)
            else:
                world.deliver(args[0])
        world.settle()
        contents = [content(d) for d in world.desks.values()]
        assert all(c == contents[0] for c in contents[1:])
        assert {k for k in contents[0] if k[0] == "national"} == {
            ("national", p) for p in world.people
        }
        for desk in world.desks.values():
            assert s.held_bundles(desk) == []
        # No committed change is lost: each city is the one of the newest edit, everywhere.
        for record_id, made in world.edits.items():
            newest = max(made)[1]
            assert contents[0][("national", record_id)]["city"] == newest
    finally:
        world.close()
