"""Hybrid logical clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consuldesk.domain.hlc import HybridLogicalClock, Timestamp


def test_strings_sort_like_timestamps():
    a, b = Timestamp(5, 3, "AE-ABU"), Timestamp(10, 0, "AE-ABU")
    assert str(a) < str(b) and a < b
    assert Timestamp.parse(str(a)) == a


def test_clock_moves_forward_when_the_wall_clock_goes_back():
    wall = iter([1000, 1000, 900, 900])
    clock = HybridLogicalClock("QA", wall=lambda: next(wall))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_receiving_a_remote_timestamp_orders_after_it():
    clock = HybridLogicalClock("QA", wall=lambda: 100)
    remote = Timestamp(5000, 7, "HQ")
    assert clock.receive(remote) > remote
    assert clock.now() > remote


def test_node_names_cannot_contain_dots():
    with pytest.raises(ValueError):
        HybridLogicalClock("A.B")


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_issued_timestamps_strictly_increase(walls):
    it = iter(walls)
    clock = HybridLogicalClock("N", wall=lambda: next(it))
    stamps = [str(clock.now()) for _ in walls]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
