"""Helpers shared by the hand-run benchmarks: machine facts, percentiles, the 100k demo case file.

Benchmarks are run by hand (``.venv/bin/python bench/bench_<what>.py``), never by the test suite.
Their case files live under ``bench/out/`` (git-ignored) and are reused between runs.
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from consuldesk.services.desk import Desk

OUT = Path(__file__).resolve().parent / "out"

#: The day the benchmark case files are built for and searched on (ages, expiry, overdue).
BENCH_TODAY = date(2026, 3, 10)


# -- machine facts -------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU model as the kernel names it (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, str]:
    """Facts that make a timing comparable: CPU, cores, OS, Python, SQLite, date."""
    return {
        "Date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "CPU": cpu_model(),
        "Cores": f"{os.cpu_count()} logical",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": _sqlite(),
    }


def _sqlite() -> str:
    """The SQLite case files run on (SQLCipher's, through ``sqlcipher3``)."""
    from consuldesk.store import cipher

    conn = cipher.connect(":memory:", None)
    try:
        version = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    return f"{cipher.sqlite_version} (SQLCipher {version})"


def machine_block() -> str:
    """Machine facts as Markdown lines, ready to paste into docs/PERFORMANCE.md."""
    return "\n".join(f"- {key}: {value}" for key, value in machine_info().items())


# -- statistics ----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed_ms(fn: Callable[[], object]) -> float:
    """Wall time of one call of ``fn``, in milliseconds."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def summary_ms(values: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, max) of timings in milliseconds."""
    return percentile(values, 50), percentile(values, 95), max(values)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with right-aligned numbers."""

    def cell(value: object) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    numeric = [all(isinstance(row[i], (int, float)) for row in rows) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    rules = [
        "-" * (w + 1) + ":" if num else "-" * (w + 2)
        for w, num in zip(widths, numeric, strict=True)
    ]
    rule = "|" + "|".join(rules) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in cells)])


# -- the demo case file --------------------------------------------------------------------


def demo_casefile(n: int = 100_000, seed: int = 1, *, rebuild: bool = False) -> Path:
    """A case file with ``n`` demo nationals under ``bench/out/``, built once and then reused.

    A file left half-built (interrupted run) or built from another ``n`` is rebuilt.
    """
    from consuldesk.services.casefile import create_casefile
    from consuldesk.services.demo import seed_demo

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"demo-{n}-seed{seed}.consuldesk"
    if not rebuild and path.exists() and _national_count(path) == n:
        return path
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"building {path.name} ({n:,} nationals)...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    desk = create_casefile(
        path, post_code="BENCH", post_name="Benchmark", host_country="AE", officer="bench"
    )
    desk.today = lambda: BENCH_TODAY
    try:
        summary = seed_demo(desk, count=n, seed=seed)
    finally:
        desk.close()
    print(f"built in {time.perf_counter() - started:.1f} s: {summary}", file=sys.stderr, flush=True)
    return path


def open_demo(path: Path) -> Desk:
    """Open a benchmark case file with the benchmark's fixed today."""
    from consuldesk.services.casefile import open_casefile

    desk = open_casefile(path, "bench")
    desk.today = lambda: BENCH_TODAY
    return desk


def _national_count(path: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM national").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1
