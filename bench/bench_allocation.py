"""Allocating 5,000 people to 100 trips: the rules alone, and the whole use case on a case file.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/bench_allocation.py [--people 5000] [--trips 100] [--repeat 7]

Measures

- ``rules``: :func:`consuldesk.domain.allocation.allocate` on 5,000 candidates (a third of them in
  families or tour groups of 2–6, a mix of priority classes, some expired passports) and 100
  trips of 49 seats (4,900 seats: some people wait), median of ``--repeat`` runs;
- ``use case``: :func:`consuldesk.services.evacuation.allocate_leg` on a case file holding the
  same numbers (5,000 demo nationals all in the leg's pool, 100 buses): reads the pool and the
  households, computes vulnerability, allocates, numbers seats and writes every entry with its
  reason and audit event in one transaction. A fresh run (``fresh=True``) repeats it.

The target (the issue): allocating 5,000 people to 100 trips ≤ 1 s.
Prints a block ready to paste into docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from common import OUT, machine_block, markdown_table
from consuldesk.domain.allocation import Candidate, TripSlot, allocate
from consuldesk.domain.enums import Vulnerability

TARGET_S = 1.0
_FLAGS = [
    frozenset(),
    frozenset(),
    frozenset(),
    frozenset({Vulnerability.OVER_60}),
    frozenset({Vulnerability.MINOR}),
    frozenset({Vulnerability.WOMAN_WITH_MINORS}),
    frozenset({Vulnerability.MEDICAL}),
]


def candidates(n: int, rng: random.Random) -> list[Candidate]:
    people: list[Candidate] = []
    group = 0
    while len(people) < n:
        size = rng.choice([1, 1, 1, 1, 2, 3, 4, 6])
        gid = f"g{group}" if size > 1 else None
        group += 1
        for _ in range(min(size, n - len(people))):
            people.append(
                Candidate(
                    id=f"p{len(people):06d}",
                    name_key=f"{rng.random():.8f}",
                    group_id=gid,
                    flags=rng.choice(_FLAGS),
                    passport_expired=rng.random() < 0.03,
                    consent=rng.random() > 0.05,
                )
            )
    return people


def bench_rules(people: int, trips: int, repeat: int) -> float:
    rng = random.Random(1)
    cands = candidates(people, rng)
    slots = [TripSlot(f"t{i:03d}", 49, i) for i in range(trips)]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        allocate(cands, slots)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_use_case(people: int, trips: int) -> tuple[float, float, int, int]:
    from consuldesk.domain.enums import TripMode
    from consuldesk.services import evacuation as ev
    from consuldesk.services.casefile import create_casefile
    from consuldesk.services.demo import seed_demo

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"allocation-{people}.consuldesk"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    desk = create_casefile(path, post_code="BENCH", post_name="Bench", host_country="AE",
                           officer="bench")  # fmt: skip
    try:
        seed_demo(desk, count=people, seed=1)
        op = ev.add_operation(desk, ev.OperationFields(name="Bench", host_country="AE")).row
        start = datetime(2026, 3, 11, 6, tzinfo=UTC)
        for i in range(trips):
            ev.add_trip(desk, op.id, ev.TripFields(
                leg_no=1, origin="Dubai", destination="Muscat", capacity=49, mode=TripMode.BUS,
                departure_at=start + timedelta(minutes=10 * i), vehicle=f"Dubai P {10000 + i}",
            ))  # fmt: skip
        everyone = ev.CandidateCriteria(open_evacuation_request=False)
        ev.add_to_pool(desk, op.id, 1, everyone)
        started = time.perf_counter()
        first = ev.allocate_leg(desk, op.id, 1).row
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        ev.allocate_leg(desk, op.id, 1, fresh=True)
        fresh_s = time.perf_counter() - started
        return first_s, fresh_s, first.placed, first.waitlisted
    finally:
        desk.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--trips", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rules = bench_rules(args.people, args.trips, args.repeat)
    first, fresh, placed, waiting = bench_use_case(args.people, args.trips)
    met = "yes" if rules <= TARGET_S else "NO"
    rows = [
        ["rules (domain.allocate)", f"{rules * 1000:.0f} ms", "≤ 1 s", met],
        ["use case (allocate_leg), first", f"{first * 1000:.0f} ms", "", ""],
        ["use case (allocate_leg), fresh", f"{fresh * 1000:.0f} ms", "", ""],
    ]  # fmt: skip
    print(f"### Allocation: {args.people:,} people, {args.trips} trips of 49 seats\n")
    print(machine_block())
    print()
    print(markdown_table(["what", "time", "target", "met"], rows))
    print(f"\n{placed:,} seated, {waiting:,} waiting.")


if __name__ == "__main__":
    main()
