"""Import a 100,000-row registration list and compare with the floor, in one run.

    .venv/bin/python bench/bench_import.py [--n 100000] [--profile]

The list is a realistic tour-operator CSV (UTF-8 with BOM, semicolons, Russian headers, Kazakh
names, IIN, passport, dates as 31.12.1990, one or two phones) made from the demo generator.

What is measured, each on a fresh case file:

- ``import``: :func:`consuldesk.services.lists.import_list` — read, map columns, validate every
  row (IIN check digit and agreement, phones, dates, countries), match duplicates, insert with
  audit events and search keys, index, commit.
- ``floor``: the same rows, already prepared, written with one raw ``executemany`` into the
  national table, then the search index rebuilt with one ``INSERT … SELECT`` and committed: what
  SQLite itself costs for these rows and indexes, with no validation, no audit and no Python work.

The target (issue 2): the import takes ≤ 6 s; the ratio import/floor is printed beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import pstats
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_TODAY, OUT, machine_block
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import generate_nationals

HEADERS = [
    "№",
    "Фамилия",
    "Имя",
    "Отчество",
    "Фамилия (лат.)",
    "Имя (лат.)",
    "ИИН",
    "Номер паспорта",
    "Срок действия паспорта",
    "Дата рождения",
    "Пол",
    "Телефон",
    "Страна",
    "Город",
    "Адрес",
]
COUNTRY_RU = {"AE": "ОАЭ", "SA": "Саудовская Аравия", "QA": "Катар", "IR": "Иран", "IL": "Израиль"}


def write_list(path: Path, n: int) -> list[dict]:
    """A tour-operator list of ``n`` demo people; returns the generator's rows."""
    people = generate_nationals(n, seed=11, today=BENCH_TODAY)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(HEADERS)
        for i, p in enumerate(people, 1):
            dmy = lambda d: d.strftime("%d.%m.%Y") if d else ""  # noqa: E731
            out.writerow(
                [
                    i,
                    p.get("surname_cyr") or "",
                    p.get("given_names_cyr") or "",
                    p.get("patronymic_cyr") or "",
                    p.get("surname_lat") or "",
                    p.get("given_names_lat") or "",
                    p.get("iin") or "",
                    p.get("passport_no") or "",
                    dmy(p.get("passport_expiry")),
                    dmy(p.get("birth_date")),
                    {"M": "М", "F": "Ж"}.get(p.get("sex") or "", ""),
                    ", ".join(p.get("phones") or []),
                    COUNTRY_RU.get(p.get("host_country") or "", ""),
                    p.get("city") or "",
                    p.get("address") or "",
                ]
            )
    return people


def fresh_casefile(name: str):
    path = OUT / f"{name}.consuldesk"
    for leftover in OUT.glob(f"{name}.consuldesk*"):
        leftover.unlink()
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Bench", host_country="AE", officer="bench"
    )
    desk.today = lambda: BENCH_TODAY
    return desk


def measure_import(list_path: Path, profile: bool) -> tuple[float, object]:
    from consuldesk.services.lists import import_list

    desk = fresh_casefile("import")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_list(desk, list_path)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    desk.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return elapsed, report


def measure_floor(people: list[dict]) -> float:
    """Raw executemany of the prepared rows + one FTS rebuild + commit, on a fresh case file."""
    from consuldesk.store.models import National, new_ids, table_of
    from consuldesk.store.search import national_search_keys, national_sort_name

    desk = fresh_casefile("floor")
    path = desk.path
    desk.close()
    columns = [c.name for c in table_of(National).columns]
    ids = new_ids(len(people))
    rows = []
    for seq, (p, rid) in enumerate(zip(people, ids, strict=True), 1):
        r = dict(
            p,
            id=rid,
            seq=seq,
            created_at="2026-03-10 00:00:00.000000",
            updated_at="2026-03-10 00:00:00.000000",
            origin_post="AE-ABU",
            version=f"{seq:015d}.00000.AE-ABU",
            search_keys=national_search_keys(p),
            sort_name=national_sort_name(p),
        )
        r["phones"] = json.dumps(p.get("phones") or [])
        for key in ("birth_date", "passport_expiry", "consent_date"):
            r[key] = r[key].isoformat() if r.get(key) else None
        r.setdefault("nationality", "KAZ")
        r.setdefault("presence_status", "unknown")
        r.setdefault("source", "list_import")
        r["pregnant"] = int(bool(r.get("pregnant")))
        rows.append(tuple(r.get(c) for c in columns))
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA cache_size=-65536")
    gc.collect()
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        f"INSERT INTO national ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        rows,
    )
    con.execute("INSERT INTO national_fts(rowid, keys) SELECT seq, search_keys FROM national")
    con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows in the list")
    parser.add_argument("--profile", action="store_true", help="print where the import spends")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    list_path = OUT / f"list{args.n}.csv"
    people = write_list(list_path, args.n)
    print(f"list: {list_path} ({list_path.stat().st_size / 1e6:.1f} MB, {args.n:,} rows)")

    floor = measure_floor(people)
    seconds, report = measure_import(list_path, args.profile)
    print(f"\nimport: {seconds:.2f} s  ({report.created:,} created, {report.invalid:,} rejected)")
    print(f"floor:  {floor:.2f} s  (raw executemany + FTS rebuild, no validation or audit)")
    print(f"ratio:  {seconds / floor:.2f}×")
    print(f"target ≤ 6 s: {'met' if seconds <= 6 else 'NOT met'}")
    print("\n" + machine_block())
    shutil.rmtree(OUT / "unused", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
