"""What encryption at rest costs: the same work on a plain and an encrypted 100k case file.

Run by hand: ``PYTHONPATH=src .venv/bin/python bench/bench_encryption.py [--n 100000]``.

The plain 100k demo case file (``bench/common.demo_casefile``) is copied and the copy encrypted
in place (timed: that is what converting an existing post costs). Then each measurement runs on
both files *interleaved* (plain, encrypted, plain, encrypted …) and keeps the best of each, so a
machine busy with something else slows both sides alike and the ratio stays fair:

- opening the case file (with the encrypted one, the login: Argon2id, then SQLCipher);
- search (name prefix, Latin name, passport digits, phone digits), the list's filters and a page
  deep in the list (the bench_ui cases);
- a 20,000-row CSV list imported into a fresh case file of each kind;
- a backup (SQLite's online backup) of the 100k file.

It prints Markdown for docs/PERFORMANCE.md with the machine's facts.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from common import BENCH_TODAY, OUT, demo_casefile, machine_block, markdown_table
from consuldesk.services import access
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.store.models import National

PASS = "bench passphrase 2026"
OFFICER = "Bench Officer"


def _best(call, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _clean(path: Path) -> None:
    for leftover in path.parent.glob(f"{path.name}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def prepare(n: int) -> tuple[Path, Path, float]:
    """The plain demo file, an encrypted copy of it, and the seconds the encryption took."""
    plain = demo_casefile(n)
    open_casefile(plain, "bench").close()  # upgrade the schema before copying
    encrypted = OUT / f"demo-{n}-encrypted.consuldesk"
    _clean(encrypted)
    shutil.copyfile(plain, encrypted)
    started = time.perf_counter()
    access.encrypt_casefile(encrypted, OFFICER, PASS)
    return plain, encrypted, time.perf_counter() - started


def opener(path: Path, encrypted: bool):
    def open_it():
        desk = open_casefile(path, OFFICER, PASS) if encrypted else open_casefile(path, "bench")
        desk.today = lambda: BENCH_TODAY
        return desk

    return open_it


def queries(desk) -> list[tuple[str, object]]:
    from consuldesk.domain.enums import Vulnerability
    from consuldesk.services import nationals as ns

    with desk.casefile.read() as session:
        row = session.exec(
            select(National).where(text("passport_no IS NOT NULL AND phones != '[]'")).limit(1)
        ).first()
    passport = (row.passport_no or "N0000000")[-5:]
    phone = (row.phones[0] if row.phones else "+77010000000")[-6:]
    choices = ns.filter_choices(desk)
    women = ns.NationalFilter(vulnerability=Vulnerability.WOMAN_WITH_MINORS)
    total = ns.find_nationals(desk, ns.NationalFilter()).total
    deep = ns.find_nationals(desk, ns.NationalFilter(), offset=max(0, total - 200)).after
    country = choices.countries[0][0]

    def find(**kw):
        return lambda: ns.find_nationals(desk, ns.NationalFilter(**kw))

    return [
        ("search: name prefix 'қасым'", find(query="қасым")),
        ("search: Latin 'ivanov'", find(query="ivanov")),
        ("search: passport digits", find(query=passport)),
        ("search: phone digits", find(query=phone)),
        (f"filter: country {country}", find(host_country=country)),
        ("filter: women with minors", lambda: ns.find_nationals(desk, women)),
        ("filter: needs review", find(needs_review=True)),
        (
            "page at 100%: everyone by name",
            lambda: ns.find_nationals(desk, ns.NationalFilter(), after=deep, total=total),
        ),
    ]


def write_list(path: Path, n: int) -> Path:
    """A list of ``n`` distinct people, as a tour operator would send it."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Фамилия", "Имя", "Surname", "Given names", "Паспорт", "Телефон", "Город"])
        for i in range(n):
            out.writerow(
                [
                    f"Қасымов{i}",
                    "Ерлан",
                    f"KASSYMOV{i}",
                    "ERLAN",
                    f"N{10_000_000 + i}",
                    f"+7701{1_000_000 + i}",
                    "Dubai",
                ]
            )
    return path


def import_into(encrypted: bool, listed: Path) -> float:
    from consuldesk.services.lists import import_list

    path = OUT / f"import-{'enc' if encrypted else 'plain'}.consuldesk"
    _clean(path)
    desk = create_casefile(
        path,
        post_code="AE-ABU",
        post_name="Bench",
        host_country="AE",
        officer=OFFICER,
        passphrase=PASS if encrypted else None,
    )
    desk.today = lambda: BENCH_TODAY
    try:
        started = time.perf_counter()
        import_list(desk, listed)
        return time.perf_counter() - started
    finally:
        desk.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the imported list")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    plain, encrypted, convert_s = prepare(args.n)
    print(f"encrypted a copy in {convert_s:.1f} s", file=sys.stderr)
    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, a: float, b: float, unit: str = "ms") -> None:
        scale = 1000 if unit == "ms" else 1
        rows.append((label, f"{a * scale:.1f} {unit}", f"{b * scale:.1f} {unit}", f"{b / a:.2f}×"))

    sides = ((plain, False), (encrypted, True))
    opened = [float("inf"), float("inf")]
    for _ in range(args.repeat):
        for side, (p, e) in enumerate(sides):
            opened[side] = min(opened[side], _best(lambda p=p, e=e: opener(p, e)().close(), 1))
    add("open (encrypted: login, Argon2id 64 MiB, then SQLCipher)", *opened)

    desks = [opener(p, e)() for p, e in sides]
    try:
        cases = [queries(d) for d in desks]
        for i, (label, _call) in enumerate(cases[0]):
            best = [float("inf"), float("inf")]
            for _ in range(args.repeat):
                for side in (0, 1):
                    best[side] = min(best[side], _best(cases[side][i][1], 1))
            add(label, *best)
        from consuldesk.services.backups import take_backup

        best = [float("inf"), float("inf")]
        for _ in range(2):
            for side in (0, 1):
                backup = lambda d=desks[side]: take_backup(d, "bench")  # noqa: E731
                best[side] = min(best[side], _best(backup, 1))
        add("backup of the whole file", *best, unit="s")
    finally:
        for d in desks:
            d.close()

    listed = write_list(OUT / f"list-{args.rows}.csv", args.rows)
    best = [float("inf"), float("inf")]
    for _ in range(2):
        for side, enc in ((0, False), (1, True)):
            best[side] = min(best[side], import_into(enc, listed))
    add(f"import a {args.rows:,}-row CSV list", *best, unit="s")

    size = (plain.stat().st_size, encrypted.stat().st_size)
    print(f"\n### Encryption at rest ({args.n:,} nationals)\n")
    print(machine_block())
    print(f"- Encrypting the plain file in place (`encrypt_casefile`): {convert_s:.1f} s")
    print(f"- File size: plain {size[0] / 2**20:.0f} MiB, encrypted {size[1] / 2**20:.0f} MiB")
    print()
    print(markdown_table(("work", "plain", "encrypted", "ratio"), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
