"""The printed passenger manifest against a bare ReportLab table of the same rows.

Run by hand (not part of the test suite)::

    .venv/bin/python bench/bench_manifest.py [--sizes 100,1000,5000] [--repeat 7] [--profile]

For each size it builds that many passengers with Kazakh names (Cyrillic with Ә Ғ Қ Ң Ө Ұ Ү Һ І,
the passport Latin form, about one in twenty long enough to wrap) and times, alternately in the
same process, several times each:

- ``manifest``: ``reports.manifest.render_manifest`` (header block, passenger table with
  repeating bilingual heading, tick boxes, totals, signatures, "Page X of Y" and a QR code per
  page, atomic write);
- ``bare``: a ``LongTable`` of the same rows as plain strings (heading included) with the same
  column widths, fonts, paddings and grid, ``repeatRows=1``, built by a ``SimpleDocTemplate``
  with the same page size and margins straight into a file: the floor ReportLab sets.

The target (the issue): 1,000 passengers in ≤ 0.6 s and within 1.5× of the bare table.
Prints a block ready to paste into docs/PERFORMANCE.md. ``--profile`` prints the top of a
cProfile of one 1,000-passenger manifest instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import sys
import uuid
from datetime import date, datetime
from functools import partial
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

from common import OUT, machine_block, markdown_table, percentile, timed_ms
from consuldesk.reports import manifest as manifest_mod
from consuldesk.reports.fonts import register_fonts
from consuldesk.reports.manifest import ManifestData, ManifestPassenger, render_manifest

TARGET_MS = 600.0
TARGET_RATIO = 1.5

# (Cyrillic, passport Latin) pairs.
SURNAMES = [
    ("Әбілқайыров", "ABILKAIYROV"),
    ("Ғабдуллин", "GABDULLIN"),
    ("Қасымов", "KASSYMOV"),
    ("Ңұрманов", "NURMANOV"),
    ("Өтегенов", "OTEGENOV"),
    ("Ұзақбаев", "UZAKBAYEV"),
    ("Үсенов", "USSENOV"),
    ("Һашимов", "KHASHIMOV"),
    ("Ізбасаров", "IZBASSAROV"),
    ("Жақсыбеков", "ZHAKSYBEKOV"),
    ("Сәрсенбаев", "SARSENBAYEV"),
    ("Нұрсұлтанов", "NURSULTANOV"),
    ("Байғожин", "BAIGOZHIN"),
    ("Төлеуов", "TOLEUOV"),
]
GIVEN = [
    ("Ғалымжан", "GALYMZHAN"),
    ("Әсел", "ASSEL"),
    ("Қайрат", "KAIRAT"),
    ("Үміт", "UMIT"),
    ("Ірина", "IRINA"),
    ("Айдос", "AIDOS"),
    ("Нұрлан", "NURLAN"),
    ("Гүлнұр", "GULNUR"),
    ("Ерғали", "YERGALI"),
    ("Өмірзақ", "OMIRZAK"),
]
PATRONYMIC = ["Өтегенұлы", "Қайратұлы", "Ерғалиқызы", "Нұрланқызы", "Әлібекұлы"]


def passengers(n: int, seed: int = 1, *, full: bool = True) -> list[ManifestPassenger]:
    """``n`` passengers with Kazakh names.

    ``full``: the Cyrillic name carries the patronymic (most wrap onto two lines) and about one
    in twenty has a double-barrelled surname and two given names. Otherwise every name is
    "Surname Given" and fits its column on one line.
    """
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        (sur_cyr, sur_lat), (giv_cyr, giv_lat) = rng.choice(SURNAMES), rng.choice(GIVEN)
        if full and rng.random() < 0.05:  # double-barrelled surname and two given names
            (sur2_cyr, sur2_lat), (giv2_cyr, giv2_lat) = rng.choice(SURNAMES), rng.choice(GIVEN)
            sur_cyr, sur_lat = f"{sur_cyr}-{sur2_cyr}", f"{sur_lat}-{sur2_lat}"
            giv_cyr, giv_lat = f"{giv_cyr} {giv2_cyr}", f"{giv_lat} {giv2_lat}"
        name_cyr = f"{sur_cyr} {giv_cyr}"
        if full:
            name_cyr += f" {rng.choice(PATRONYMIC)}"
        born = date(1940 + rng.randrange(84), 1 + rng.randrange(12), 1 + rng.randrange(28))
        out.append(
            ManifestPassenger(
                number=i,
                surname_lat=sur_lat,
                given_names_lat=giv_lat,
                name_cyr=name_cyr,
                sex=rng.choice("MF"),
                birth_date=born,
                passport_no=f"N{rng.randrange(10**8):08d}",
                passport_expiry=date(2027 + rng.randrange(8), 1 + rng.randrange(12), 1),
                nationality="KAZ" if rng.random() < 0.95 else "RUS",
                seat=f"{1 + (i - 1) // 4}{'ABCD'[(i - 1) % 4]}",
                minor=born.year > 2008,
                over_60=born.year < 1966,
                medical=rng.random() < 0.04,
            )
        )
    return out


def manifest_data(people: list[ManifestPassenger]) -> ManifestData:
    """A bus leg carrying ``people``; a fresh manifest id each time (no cached QR codes)."""
    return ManifestData(
        post_name="Embassy of the Republic of Kazakhstan in Tehran",
        operation="Operation Құс жолы",
        leg_no=3,
        mode="Bus",
        origin="Tehran",
        destination="Astara",
        border_crossing="Astara (AZ)",
        departure=datetime(2026, 6, 14, 5, 30),
        vehicle="IR 45 B 712",
        carrier="Seir-o-Safar",
        escort_officer="Сәрсенбаев Қайрат",
        manifest_id=str(uuid.uuid4()),
        passengers=people,
    )


def bare_rows(people: list[ManifestPassenger]) -> list[list[str]]:
    """The same table as strings: heading (two lines) plus one row per passenger."""
    heading = [
        manifest_mod._LABELS[key]["en"] + " /\n" + manifest_mod._LABELS[key]["ru"]
        for key, _ in manifest_mod._COLUMNS
    ]

    def day(d: date | None) -> str:
        return d.strftime("%d.%m.%Y") if d else ""

    rows = [heading]
    for p in people:
        flags = [f for f, on in (("CHILD", p.minor), ("60+", p.over_60), ("MED", p.medical)) if on]
        rows.append(
            [
                str(p.number),
                p.surname_lat,
                p.given_names_lat,
                p.name_cyr,
                p.sex,
                day(p.birth_date),
                p.passport_no,
                day(p.passport_expiry),
                p.nationality,
                p.seat,
                "\n".join(flags),
                "",
                "",
            ]
        )
    return rows


def render_bare(rows: list[list[str]], out_path: Path) -> None:
    """The floor: one LongTable of strings, same widths, fonts, paddings, grid and margins."""
    regular, bold = register_fonts()
    table = LongTable(rows, colWidths=[w for _, w in manifest_mod._COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("LEADING", (0, 0), (-1, -1), 9.5),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    m = manifest_mod.MARGIN
    with out_path.open("wb") as fh:
        doc = SimpleDocTemplate(
            fh,
            pagesize=manifest_mod.PAGE_SIZE,
            leftMargin=m,
            rightMargin=m,
            topMargin=m,
            bottomMargin=m + manifest_mod.FOOTER_HEIGHT,
            initialFontName=regular,
        )
        doc.build([table])


def _pages(path: Path) -> int:
    return path.read_bytes().count(b"/Type /Page\n")


def run(sizes: list[int], repeat: int) -> list[list[object]]:
    """Time both renderings alternately; returns one table row per name set and size."""
    OUT.mkdir(parents=True, exist_ok=True)
    table: list[list[object]] = []
    for names, n in [(names, n) for names in ("short", "full") for n in sizes]:
        people = passengers(n, full=names == "full")
        rows = bare_rows(people)
        ours_path = OUT / f"manifest-{names}-{n}.pdf"
        bare_path = OUT / f"bare-{names}-{n}.pdf"
        render_manifest(manifest_data(people), ours_path)  # warm: fonts, caches, imports
        render_bare(rows, bare_path)
        ours, bare = [], []
        for _ in range(repeat):
            gc.collect()
            data = manifest_data(people)
            ours.append(timed_ms(partial(render_manifest, data, ours_path)))
            gc.collect()
            bare.append(timed_ms(partial(render_bare, rows, bare_path)))
        ours_ms, bare_ms = percentile(ours, 50), percentile(bare, 50)
        table.append(
            [
                names,
                f"{n:,}",
                _pages(ours_path),
                _pages(bare_path),
                ours_ms,
                min(ours),
                bare_ms,
                min(bare),
                round(ours_ms / bare_ms, 2),
            ]
        )
        print(f"{names} {n}: manifest {ours_ms:.0f} ms, bare {bare_ms:.0f} ms", file=sys.stderr)
    return table


def report(sizes: list[int], table: list[list[object]], repeat: int) -> str:
    """The Markdown block for docs/PERFORMANCE.md."""
    header = [
        "names",
        "passengers",
        "pages",
        "bare pages",
        "manifest p50 ms",
        "manifest min ms",
        "bare p50 ms",
        "bare min ms",
        "ratio (p50)",
    ]
    verdict = []
    for row in table:
        if row[1] == "1,000":
            ms, ratio = float(row[4]), float(row[8])  # type: ignore[arg-type]
            verdict.append(
                f"1,000 passengers, {row[0]} names: {ms:.0f} ms (target ≤ {TARGET_MS:.0f} ms: "
                f"{'met' if ms <= TARGET_MS else 'NOT met'}), {ratio:.2f}× the bare table "
                f"(target ≤ {TARGET_RATIO}×: {'met' if ratio <= TARGET_RATIO else 'NOT met'})."
            )
    return "\n".join(
        [
            "```",
            f".venv/bin/python bench/bench_manifest.py --sizes {','.join(map(str, sizes))}"
            f" --repeat {repeat}",
            "```",
            "",
            machine_block(),
            "",
            markdown_table(header, table),
            "",
            *verdict,
        ]
    )


def profile() -> str:
    """The top of a cProfile of one 1,000-passenger manifest."""
    data = manifest_data(passengers(1000))
    out = OUT / "manifest-profile.pdf"
    OUT.mkdir(parents=True, exist_ok=True)
    render_manifest(data, out)
    prof = cProfile.Profile()
    prof.runcall(render_manifest, manifest_data(data.passengers), out)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(35)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="passenger counts, comma list")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per size and rendering")
    parser.add_argument("--profile", action="store_true", help="profile one 1,000 manifest")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile())
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(report(sizes, run(sizes, args.repeat), args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
