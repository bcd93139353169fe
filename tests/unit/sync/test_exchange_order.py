"""The order received records are written in: nobody refers to a person not written yet."""

from __future__ import annotations

from consuldesk.sync.bundle import Record
from consuldesk.sync.exchange import _passes


def _person(record_id: str, into: str | None = None) -> Record:
    fields = {"surname_cyr": ["Әлиев", "v1", None]}
    if into is not None:
        fields["merged_into_id"] = [into, "v2", None]
    return Record("national", record_id, fields)


def test_a_person_merged_into_another_comes_after_them_down_a_chain():
    a, b, c, d = _person("a", into="b"), _person("b", into="c"), _person("c"), _person("d", "x")
    passes = _passes("national", [a, b, c, d])
    order = [[r.id for r in p] for p in passes]
    assert order == [["c", "d"], ["b"], ["a"]]  # "x" is on file: "d" needs no wait


def test_a_loop_of_merges_still_writes_every_record_once():
    a, b = _person("a", into="b"), _person("b", into="a")
    passes = _passes("national", [a, b])
    assert sorted(r.id for p in passes for r in p) == ["a", "b"]


def test_other_tables_are_written_in_one_pass_as_received():
    rows = [Record("household", str(i), {}) for i in range(3)]
    assert _passes("household", rows) == [rows]
