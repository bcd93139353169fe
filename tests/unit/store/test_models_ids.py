"""Record ids: UUIDv7, unique, and in the order they were made within a process."""

from __future__ import annotations

import uuid

from consuldesk.store import models

MS = 1_765_000_000_000


def test_ids_made_in_one_millisecond_sort_in_the_order_they_were_made(monkeypatch):
    monkeypatch.setattr(models, "_last_id", 0)  # ids made before in this process were later
    monkeypatch.setattr(models.time, "time_ns", lambda: MS * 1_000_000)
    single = [models.new_id() for _ in range(1000)]
    batch = models.new_ids(1000)
    after = models.new_id()
    made = [*single, *batch, after]
    assert made == sorted(made) and len(set(made)) == len(made)
    for text in made:
        value = uuid.UUID(text)
        assert (value.version, value.variant) == (7, uuid.RFC_4122)
        assert value.int >> 80 == MS  # the millisecond stays the clock's


def test_a_clock_that_steps_back_never_repeats_or_reorders_ids(monkeypatch):
    now = [MS * 1_000_000]
    monkeypatch.setattr(models, "_last_id", 0)
    monkeypatch.setattr(models.time, "time_ns", lambda: now[0])
    first = models.new_ids(10)
    now[0] -= 5_000_000_000  # NTP stepped the clock back five seconds
    second = models.new_ids(10)
    assert second[0] > first[-1]


def test_the_count_never_spills_into_the_variant_bits(monkeypatch):
    full = MS << 80 | 0x7 << 76 | 0xFFF << 64 | 0b10 << 62 | models._RAND_B
    monkeypatch.setattr(models.time, "time_ns", lambda: MS * 1_000_000)
    for last, count in ((full, 1), (full, 10), (full - 3, 10)):
        monkeypatch.setattr(models, "_last_id", last)
        ids = models.new_ids(count)
        assert ids == sorted(ids) and ids[0] > str(uuid.UUID(int=last))
        assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)
        assert uuid.UUID(ids[0]).int >> 80 == MS + 1  # moved on to the next millisecond
