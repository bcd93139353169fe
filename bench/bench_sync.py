"""Bundles: export and import of many changed records, and a day's work at a post.

A post's case file gets ``--n`` demo nationals (bulk insert, audited as a list import is: one
event for the list, which the bundle's ``audit.jsonl`` carries), keys sealed with age's real scrypt,
and a headquarters case file that trusts it. Measured, each printed beside its floor:

- ``export``: :func:`consuldesk.services.sync.export_bundle` of every record (collect, sign,
  encrypt to headquarters, write, read back, rename), against ``age`` encrypting the same
  plaintext bytes;
- ``import``: :func:`consuldesk.services.sync.import_bundle` at headquarters (decrypt, verify,
  backup, merge, commit), against a raw ``executemany`` of the same national rows into an
  empty copy of the table;
- a day's work: 1,000 records edited at the post, exported and imported (size and time).

Unsealing the keys (scrypt, about 1.5–2 s on this machine) is printed apart: it happens once
a session (the first bundle after the case file is opened), then the keys stay unsealed
(:func:`consuldesk.services.keys.unlock_all`). The figures are of a session whose keys are
unsealed already.

    .venv/bin/python bench/bench_sync.py [--n 100000]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sqlite3
import sys
import time
import zipfile
from pathlib import Path

import pyrage
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_TODAY, OUT, machine_block
from consuldesk.services import keys, nationals
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import generate_nationals
from consuldesk.store.models import National
from consuldesk.sync import bundle as b

PASSPHRASE = "bench passphrase 2026"
TARGET_S = 10.0


def build(n: int, root: Path):
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    hq = create_casefile(root / "KZ-HQ.consuldesk", post_code="KZ-HQ", post_name="HQ",
                         host_country=None, officer="bench", headquarters=True)  # fmt: skip
    post = create_casefile(root / "AE-ABU.consuldesk", post_code="AE-ABU", post_name="Abu Dhabi",
                           host_country="AE", officer="bench")  # fmt: skip
    people = generate_nationals(n, seed=5, today=BENCH_TODAY)
    with post.casefile.write("bench") as tx:  # as a list import writes them: one audit event
        ids = tx.insert_nationals(people, audited=False)
        tx.audit_created("national", ids, "import", file="bench.xlsx", sha256="0" * 64)
    for desk in (hq, post):
        keys.create_keys(desk, PASSPHRASE)
    usb = root / "usb"
    usb.mkdir()
    a, c = keys.export_public_key(hq, usb), keys.export_public_key(post, usb)
    keys.enrol_peer(post, a, keys.read_key_file(a).fingerprint)
    keys.enrol_peer(hq, c, keys.read_key_file(c).fingerprint)
    return hq, post, usb


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    hq, post, usb = build(args.n, OUT / "sync")

    _, unseal = timed(lambda: keys.unlock(post, PASSPHRASE))  # the session's first use
    keys.unlock_all(hq, PASSPHRASE)
    done, export_s = timed(lambda: s.export_bundle(post, PASSPHRASE, "KZ-HQ", usb))
    identities = keys.unlock_all(hq, PASSPHRASE)
    opened = b.open_bundle(done.path.read_bytes(), identities)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in ((b.MANIFEST, opened.head), (b.CHANGES, opened.changes),
                           (b.STATEMENTS, opened.statements)):  # fmt: skip
            z.writestr(name, data)
    plain = archive.getvalue()
    recipient = keys.recipients(post, "KZ-HQ")[0].age_recipient()
    _, export_floor = timed(lambda: pyrage.encrypt(plain, [recipient]))

    result, import_s = timed(lambda: s.import_bundle(hq, PASSPHRASE, done.path))
    floor_db = OUT / "sync" / "floor.sqlite"
    source = sqlite3.connect(post.casefile.path)
    rows = source.execute("SELECT * FROM national").fetchall()
    schema = source.execute("SELECT sql FROM sqlite_master WHERE name = 'national'").fetchone()[0]
    source.close()

    def floor() -> None:
        floor_db.unlink(missing_ok=True)
        con = sqlite3.connect(floor_db)
        con.execute(schema)
        con.executemany(f"INSERT INTO national VALUES ({', '.join('?' * len(rows[0]))})", rows)
        con.commit()
        con.close()

    _, import_floor = timed(floor)

    # A day's work: 1,000 people edited at the post.
    # Headquarters' bundle back: what concerns the post, worked out over all 100,000 records.
    back, back_s = timed(lambda: s.export_bundle(hq, PASSPHRASE, "AE-ABU", usb))
    s.import_bundle(post, PASSPHRASE, back.path)
    some = nationals.search(post, "а", limit=1000).rows
    with post.casefile.write("bench") as tx:
        loaded = tx.session.exec(select(National).where(col(National.id).in_([r.id for r in some])))
        for row in loaded:
            tx.update(row, {"city": "Al Ain", "notes": "moved, bench"})
    day, day_export = timed(lambda: s.export_bundle(post, PASSPHRASE, "KZ-HQ", usb))
    day_result, day_import = timed(lambda: s.import_bundle(hq, PASSPHRASE, day.path))

    records = done.records
    print(f"\n{records:,} records ({args.n:,} nationals), bundle {done.size / 1e6:.1f} MB")
    print("| what | seconds | floor s | ratio | target | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    for name, secs, fl in (("export", export_s, export_floor), ("import", import_s, import_floor)):
        verdict = "met" if secs <= TARGET_S else "NOT met"
        print(
            f"| {name} | {secs:.2f} | {fl:.2f} | {secs / fl:.1f}× "
            f"| ≤ {TARGET_S:.0f} s | {verdict} |"
        )
    print(f"\nunsealing the keys (scrypt, once a session): {unseal:.2f} s, not in the figures")
    print(
        f"a day's work: {day.records:,} records, {day.size / 1e6:.2f} MB (target < 1 MB), "
        f"export {day_export:.2f} s, import {day_import:.2f} s (target < 1 s); "
        f"updated {sum(day_result.updated.values())}"
    )
    print(
        f"headquarters' bundle back to the post (what concerns it, of {args.n:,} records): "
        f"{back_s:.2f} s, {back.records:,} records"
    )
    print(f"created at headquarters: {sum(result.created.values()):,}\n")
    print(machine_block())


if __name__ == "__main__":
    main()
