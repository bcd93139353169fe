"""Property: whatever the order in which bundles travel, are lost, repeated or arrive late,
headquarters ends with everything, each post with what concerns it (its own people, the people
in its country, those handed over to it) in the same state as headquarters, and no committed
change is lost."""

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
COUNTRIES = (None, "IR", "AZ", "QA")


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
        self.ever: dict[str, set[str]] = {p: set() for p in POSTS}  # people it may ever hold
        self.serial = 0

    def close(self):
        for desk in self.desks.values():
            desk.close()

    def register(self, post: str, country: str | None):
        self.serial += 1
        letters = "".join("ABCDEFGHIJ"[int(d)] for d in str(self.serial))
        fields = person(
            surname_lat=f"PERSON {letters}", passport_no=f"N{self.serial:07d}", host_country=country
        )
        record_id = nationals.register_national(self.desks[post], fields).row.id
        self.people.append(record_id)
        self.ever[post].add(record_id)
        self._may_concern(record_id, country)

    def _may_concern(self, record_id: str, country: str | None):
        for post in POSTS:
            if country == post[:2]:
                self.ever[post].add(record_id)

    def move(self, post: str, which: int, country: str | None):
        """Hand a person over: their host country changes."""
        desk = self.desks[post]
        known = [p for p in self.people if _has(desk, p)]
        if not known:
            return
        row = nationals.get_national(desk, known[which % len(known)])
        nationals.update_national(
            desk, row.id, nationals.fields_of_row(row).replace(host_country=country)
        )
        self._may_concern(row.id, country)

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
    st.tuples(st.just("register"), st.sampled_from(POSTS), st.sampled_from(COUNTRIES)),
    st.tuples(
        st.just("move"),
        st.sampled_from((*POSTS, "KZ-HQ")),
        st.integers(0, 9),
        st.sampled_from(COUNTRIES),
    ),
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
                world.register(*args)
            elif action == "move":
                world.move(*args)
            elif action == "edit":
                world.edit(*args)
            elif action == "export":
                post, to_hq = args
                world.export(post, "KZ-HQ") if to_hq else world.export("KZ-HQ", post)
            else:
                world.deliver(args[0])
        world.settle()
        hq = content(world.desks["KZ-HQ"])
        assert {k[1] for k in hq if k[0] == "national"} == set(world.people)  # all of them
        for post in POSTS:
            here = content(world.desks[post])
            for key, values in here.items():  # what a post holds is as headquarters has it
                assert hq[key] == values, (post, key)
            held = {k[1] for k in here if k[0] == "national"}
            concerns = {
                k[1]
                for k, v in hq.items()
                if k[0] == "national"
                and (v["origin_post"] == post or v["host_country"] == post[:2])
            }
            assert concerns <= held, post  # everything that concerns it
            assert held <= world.ever[post], post  # and nothing that never did
        for desk in world.desks.values():
            assert s.held_bundles(desk) == []
        # No committed change is lost: each city is the one of the newest edit, everywhere.
        for record_id, made in world.edits.items():
            newest = max(made)[1]
            assert hq[("national", record_id)]["city"] == newest
    finally:
        world.close()
