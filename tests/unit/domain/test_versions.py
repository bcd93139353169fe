"""Field versions: merging one field from several case files converges, and conflicts are the
changes that did not see each other."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from consuldesk.domain.hlc import HybridLogicalClock, Timestamp
from consuldesk.domain.versions import (
    CREATED,
    bump,
    changed_since,
    created,
    merge_field,
    version_of,
)


def clock(node: str, start: int = 1_000):
    wall = itertools.count(start, 7)
    return HybridLogicalClock(node, wall=lambda: next(wall))


def test_a_field_without_an_entry_has_the_creation_version():
    v0 = str(clock("AE-ABU").now())
    versions = created(v0)
    assert version_of(versions, "city") == (v0, None)
    assert version_of(None, "city") == (None, None)


def test_writing_a_field_twice_keeps_what_the_others_had_seen():
    thr, hq = clock("IR-THR"), clock("KZ-HQ", 5_000)
    v0 = str(hq.now())  # registered centrally
    a1 = str(thr.receive(Timestamp.parse(v0)))
    versions = bump(created(v0), ["city"], a1)
    assert versions["city"] == [a1, v0]
    a2 = str(thr.now())
    versions = bump(versions, ["city", "phones"], a2)
    assert versions["city"] == [a2, v0]  # still v0: the officer's own typo fix
    assert versions["phones"] == [a2, v0]
    assert versions[CREATED] == [v0, None]


def test_merge_decisions():
    a, b = clock("A"), clock("B", 2_000)
    v0 = str(a.now())
    a1 = str(a.now())
    b1 = str(b.now())
    assert merge_field((v0, None), (v0, None)).outcome == "same"
    assert merge_field((v0, None), (a1, v0)) == merge_field((None, None), (a1, v0))
    assert merge_field((v0, None), (a1, v0)).outcome == "apply"
    assert merge_field((a1, v0), (v0, None)).outcome == "keep"  # an older bundle, later
    concurrent = merge_field((a1, v0), (b1, v0))
    assert concurrent.conflict and concurrent.outcome == ("apply" if b1 > a1 else "keep")
    a2 = str(a.now())
    assert merge_field((a1, v0), (a2, v0)) == merge_field((a1, v0), (a2, v0))
    assert not merge_field((a1, v0), (a2, v0)).conflict  # one post's own changes, in order


def test_changed_since_picks_what_the_receiver_lacks():
    versions = {
        CREATED: ["000000000001000.00000.A", None],
        "city": ["000000000002000.00000.B", "x"],
    }
    assert changed_since(versions, {}) == [CREATED, "city"]
    assert changed_since(versions, {"A": "000000000001000.00000.A"}) == ["city"]
    assert changed_since(versions, {"A": "9", "B": "000000000002000.00000.B"}) == []


# -- convergence ---------------------------------------------------------------------------

NODES = ("A", "B", "C")


@st.composite
def histories(draw):
    """Edits of one field at three posts, with syncs between them, as (kind, node[, other])."""
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("edit"), st.sampled_from(NODES)),
                st.tuples(st.just("sync"), st.sampled_from(NODES), st.sampled_from(NODES)),
            ),
            max_size=25,
        )
    )
    return steps


class Replica:
    def __init__(self, node: str, start: int):
        self.clock = clock(node, start)
        self.value: str | None = "v0"
        self.version, self.seen = "000000000000001.00000.Z", None  # created at headquarters
        self.log: list[tuple[str | None, str, str | None]] = []  # every state it held

    def edit(self) -> None:
        version = str(self.clock.now())
        fv = bump({"city": [self.version, self.seen]}, ["city"], version)
        self.value = f"{self.clock.node}@{version}"
        self.version, self.seen = fv["city"]
        self.log.append((self.value, self.version, self.seen))

    def receive(self, value, version, seen) -> bool:
        self.clock.receive(Timestamp.parse(version))
        merged = merge_field((self.version, self.seen), (version, seen))
        if merged.outcome == "apply":
            self.value, self.version, self.seen = value, version, seen
            self.log.append((value, version, seen))
        return merged.conflict


@settings(max_examples=300, deadline=None)
@given(histories(), st.permutations(range(3)))
def test_any_order_of_syncs_converges_to_the_newest_change(steps, order):
    replicas = {n: Replica(n, 1_000 + 100 * i) for i, n in zip(order, NODES, strict=True)}
    sent: list[tuple[str | None, str, str | None]] = []
    for step in steps:
        if step[0] == "edit":
            replicas[step[1]].edit()
            sent.append(replicas[step[1]].log[-1])
        else:
            source, target = replicas[step[1]], replicas[step[2]]
            if source is not target:
                target.receive(source.value, source.version, source.seen)
    # Finally everyone gets every change ever made, in an arbitrary order, twice.
    for replica in replicas.values():
        for change in [*sent, *reversed(sent)]:
            replica.receive(*change)
    finals = {(r.value, r.version) for r in replicas.values()}
    assert len(finals) == 1
    if sent:
        newest = max(sent, key=lambda c: c[1])
        assert finals == {(newest[0], newest[1])}


def test_two_edits_that_did_not_see_each_other_are_a_conflict_everywhere():
    a, b, hq = Replica("A", 1_000), Replica("B", 1_003), Replica("HQ", 990)
    a.edit()
    b.edit()
    from_a, from_b = a.log[-1], b.log[-1]
    assert hq.receive(*from_a) is False
    assert hq.receive(*from_b) is True
    assert a.receive(*from_b) is True
    assert b.receive(*from_a) is True
    assert a.value == b.value == hq.value


def test_an_edit_made_after_seeing_the_other_is_no_conflict():
    a, b = Replica("A", 1_000), Replica("B", 1_003)
    a.edit()
    assert b.receive(a.value, a.version, a.seen) is False
    b.edit()  # on top of A's
    assert a.receive(b.value, b.version, b.seen) is False
    assert a.value == b.value
