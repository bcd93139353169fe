"""Import a 100,000-row registration list and compare with the floor, in one run.

The list is a realistic tour-operator CSV (UTF-8 with BOM, semicolons, Russian headers, Kazakh
names, IIN, passport, dates as 31.12.1990, one or two phones) made from the demo generator.

What is measured, each on a fresh case file:

- ``import``: :func:`consuldesk.services.lists.import_list` — read, map columns, validate every
  row (IIN check digit and agreement, phones, dates, countries), match duplicates, insert with
  audit events and search keys, index, commit.
- ``floor``: the same rows, already prepared, written with one raw ``executemany`` into the
  national table, then the search index rebuilt with one ``INSERT … SELECT`` and committed: what
  SQLite itself costs for these rows and indexes, with no validation, no audit and no Python work,
  through the same SQLite build the case file uses (SQLCipher's, plain files included).
  The table's secondary indexes are dropped for the load and built again after it, as the import
  does for a load this large; the floor with the indexes kept during the load (``naive``, the
  floor of earlier runs) is printed too.

The same rows are also written as an XLSX workbook (openpyxl, write-only; dates as date cells,
numbers as text) and imported. Targets (issue 2): the CSV import takes ≤ 6 s and the XLSX import
≤ 8 s; each is printed beside the floor (the same SQLite work for both) with the ratio.

Every measurement runs in a fresh process, so the peak memory printed is the import's own: the
process's peak resident set (``ru_maxrss``) and how much it grew during the import. On a shared
machine the CPU time other processes used during a measurement is printed too (Linux): a run
that shared its two cores is not comparable with one that did not.

    .venv/bin/python bench/bench_import.py [--n 100000] [--formats csv,xlsx] [--repeat 2]
        [--profile] [--rewrite-xlsx]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import os
import pstats
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_TODAY, OUT, machine_block
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import generate_nationals

try:
    import resource
except ImportError:  # Windows: no peak memory
    resource = None  # type: ignore[assignment]

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
TARGET_S = {"csv": 6.0, "xlsx": 8.0}


def list_cells(people: list[dict]) -> Iterator[list[Any]]:
    """The list's rows below the header: text, numbers as text, dates as ``date``."""
    for i, p in enumerate(people, 1):
        yield [
            i,
            p.get("surname_cyr") or "",
            p.get("given_names_cyr") or "",
            p.get("patronymic_cyr") or "",
            p.get("surname_lat") or "",
            p.get("given_names_lat") or "",
            p.get("iin") or "",
            p.get("passport_no") or "",
            p.get("passport_expiry"),
            p.get("birth_date"),
            {"M": "М", "F": "Ж"}.get(p.get("sex") or "", ""),
            ", ".join(p.get("phones") or []),
            COUNTRY_RU.get(p.get("host_country") or "", ""),
            p.get("city") or "",
            p.get("address") or "",
        ]


def write_list(path: Path, n: int) -> list[dict]:
    """A tour-operator CSV of ``n`` demo people; returns the generator's rows."""
    people = generate_nationals(n, seed=11, today=BENCH_TODAY)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(HEADERS)
        for cells in list_cells(people):
            out.writerow([f"{c:%d.%m.%Y}" if isinstance(c, date) else c or "" for c in cells])
    return people


def write_xlsx(path: Path, people: list[dict]) -> None:
    """The same list as an XLSX workbook, as a spreadsheet user keeps it: dates are date cells,
    IINs, passports and phones text (openpyxl write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Список")
    sheet.append(HEADERS)
    for cells in list_cells(people):
        row: list[Any] = []
        for c in cells:
            if isinstance(c, date):
                cell = WriteOnlyCell(sheet, value=c)
                cell.number_format = "DD.MM.YYYY"
                row.append(cell)
            else:
                row.append(c if c != "" else None)
        sheet.append(row)
    tmp = path.with_suffix(".tmp")
    workbook.save(tmp)
    os.replace(tmp, path)


def fresh_casefile(name: str):
    path = OUT / f"{name}.consuldesk"
    for leftover in OUT.glob(f"{name}.consuldesk*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Bench", host_country="AE", officer="bench"
    )
    desk.today = lambda: BENCH_TODAY
    return desk


# -- measuring, each in a fresh process -----------------------------------------------------


@dataclass
class Measured:
    """One timed run: seconds, memory and how busy the machine was meanwhile."""

    seconds: float
    peak_mb: float  # peak resident set of the process (and of its largest worker, if any)
    grew_mb: float  # peak minus the resident set just before the timed work
    others_cpu_s: float | None  # CPU seconds other processes used meanwhile (Linux)
    detail: str = ""


def _busy_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux), else ``None``."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    if resource is None:
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _peak_mb()


def _peak_mb() -> float:
    if resource is None:
        return float("nan")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 2**20 if sys.platform == "darwin" else 2**10  # bytes on macOS, KiB elsewhere
    return max(own, worker) / scale


def _timed(work: Callable[[], str], after: Callable[[], object] = lambda: None) -> Measured:
    """Run ``work`` with the collector settled; wall time, memory and the machine's load.

    ``after`` runs once the clock has stopped and before the CPU is counted: it ends the
    work's helper processes, so that their CPU time counts as the work's own, not as other
    processes' (a child's time is counted once it has ended)."""
    gc.collect()
    before_mb = _rss_mb()
    busy, own = _busy_seconds(), _own_cpu()
    started = time.perf_counter()
    detail = work()
    seconds = time.perf_counter() - started
    after()
    total = _busy_seconds()
    others = None if busy is None or total is None else max(0.0, total - busy - (_own_cpu() - own))
    peak = _peak_mb()
    return Measured(seconds, peak, peak - before_mb, others, detail)


def _import_in_child(list_path: Path, profile: bool) -> Measured:
    from consuldesk.services.lists import import_list, parallel

    desk = fresh_casefile("import")
    profiler = cProfile.Profile() if profile else None
    reports = []

    def work() -> str:
        if profiler:
            profiler.enable()
        reports.append(import_list(desk, list_path))
        if profiler:
            profiler.disable()
        report = reports[0]
        return f"{report.created:,} created, {report.invalid:,} rejected"

    measured = _timed(work, after=parallel.shutdown)  # the helper checked rows too
    desk.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return measured


def _prepared_rows(people: list[dict]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The floor's rows: every column as the national table stores it, keys computed."""
    from consuldesk.store.models import National, new_ids, table_of
    from consuldesk.store.search import national_id_keys, national_search_keys, national_sort_name

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
            id_keys=national_id_keys(p),
            sort_name=national_sort_name(p),
        )
        r["phones"] = json.dumps(p.get("phones") or [])
        for key in ("birth_date", "passport_expiry", "consent_date"):
            r[key] = r[key].isoformat() if r.get(key) else None
        r.setdefault("nationality", "KAZ")
        r.setdefault("household_kinds", 0)
        r.setdefault("presence_status", "unknown")
        r.setdefault("source", "list_import")
        r["pregnant"] = int(bool(r.get("pregnant")))
        rows.append(tuple(r.get(c) for c in columns))
    return columns, rows


def _floor_in_child(n: int, rebuild: bool) -> Measured:
    """Raw executemany of the prepared rows + one FTS rebuild + commit, on a fresh case file.

    With ``rebuild``, the secondary indexes are dropped for the load and built again after it,
    as the import does for a load this large (``consuldesk.store.bulk.indexes_set_aside``);
    without, the rows go into the indexes as they are inserted.
    """
    from consuldesk.store import cipher
    from consuldesk.store.bulk import indexes_set_aside

    people = generate_nationals(n, seed=11, today=BENCH_TODAY)
    desk = fresh_casefile("floor")
    path = desk.path
    desk.close()
    columns, rows = _prepared_rows(people)
    del people
    # The SQLite the case file is opened with (SQLCipher's build, for plain files too): the
    # floor of the same library the import writes through.
    con = cipher.connect(path, None)
    con.isolation_level = None
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA cache_size=-65536")

    def work() -> str:
        con.execute("BEGIN IMMEDIATE")
        with indexes_set_aside(con, "national", adding=len(rows) if rebuild else 0, holding=0):
            con.executemany(
                f"INSERT INTO national ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                rows,
            )
        con.execute("INSERT INTO national_fts(rowid, keys) SELECT seq, search_keys FROM national")
        con.execute(
            "INSERT INTO national_ids(rowid, ids) SELECT seq, id_keys FROM national "
            "WHERE id_keys != ''"
        )
        con.execute("COMMIT")
        return f"{len(rows):,} rows"

    measured = _timed(work)
    con.close()
    return measured


def _in_fresh_process(fn: Callable[..., Measured], *args: Any) -> Measured:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# -- report ----------------------------------------------------------------------------------


def _python_speed() -> float:
    """Seconds a fixed pure-Python loop takes (best of 3): how fast the machine is right now.
    This VM's speed changes by half from hour to hour; the floor says it for SQLite, this for
    Python, so that runs of different hours can be compared."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def _load(m: Measured) -> str:
    return "" if m.others_cpu_s is None else f", others used {m.others_cpu_s:.1f} CPU-s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows in the list")
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or both")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement")
    parser.add_argument("--profile", action="store_true", help="print where the import spends")
    parser.add_argument(
        "--rewrite-xlsx", action="store_true", help="write the XLSX list even if it exists"
    )
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    OUT.mkdir(parents=True, exist_ok=True)
    lists = {"csv": OUT / f"list{args.n}.csv", "xlsx": OUT / f"list{args.n}.xlsx"}
    people = write_list(lists["csv"], args.n)
    if "xlsx" in formats and (args.rewrite_xlsx or not lists["xlsx"].exists()):
        print(f"writing {lists['xlsx'].name}...", flush=True)
        write_xlsx(lists["xlsx"], people)
    del people
    for fmt in formats:
        size = lists[fmt].stat().st_size / 1e6
        print(f"list: {lists[fmt]} ({size:.1f} MB, {args.n:,} rows)")

    speed_before = _python_speed()
    floors: list[Measured] = []
    naive: list[Measured] = []
    imports: dict[str, list[Measured]] = {fmt: [] for fmt in formats}
    for run in range(1, args.repeat + 1):
        floors.append(_in_fresh_process(_floor_in_child, args.n, True))
        print(f"run {run} floor:  {floors[-1].seconds:5.2f} s{_load(floors[-1])}", flush=True)
        naive.append(_in_fresh_process(_floor_in_child, args.n, False))
        print(f"run {run} naive:  {naive[-1].seconds:5.2f} s{_load(naive[-1])}", flush=True)
        for fmt in formats:
            m = _in_fresh_process(_import_in_child, lists[fmt], args.profile)
            imports[fmt].append(m)
            print(
                f"run {run} {fmt:5s}:  {m.seconds:5.2f} s, peak {m.peak_mb:.0f} MB "
                f"(+{m.grew_mb:.0f} MB){_load(m)}  ({m.detail})",
                flush=True,
            )

    floor = min(floors, key=lambda m: m.seconds)
    print(
        f"\nbest of {args.repeat} runs; floor = raw executemany + FTS rebuild + commit, no "
        "validation or audit (the same SQLite work for both formats), with the secondary "
        "indexes built after the load as the import builds them; with the indexes kept during "
        f"the load (the floor before): {min(m.seconds for m in naive):.2f} s\n"
    )
    print("| list | import s | floor s | ratio | target | verdict | peak MB (grew) |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for fmt in formats:
        best = min(imports[fmt], key=lambda m: m.seconds)
        verdict = "met" if best.seconds <= TARGET_S[fmt] else "NOT met"
        print(
            f"| {fmt.upper()} | {best.seconds:.2f} | {floor.seconds:.2f} | "
            f"{best.seconds / floor.seconds:.2f}× | ≤ {TARGET_S[fmt]:g} s | {verdict} | "
            f"{best.peak_mb:.0f} (+{best.grew_mb:.0f}) |"
        )
    print(
        f"\nPython speed reference (a 5,000,000-step loop, best of 3): {speed_before:.2f} s "
        f"before the runs, {_python_speed():.2f} s after"
    )
    print("\n" + machine_block())
    shutil.rmtree(OUT / "unused", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
