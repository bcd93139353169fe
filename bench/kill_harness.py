"""Kill harness: SIGKILL real work on a case file at random moments, then check the file.

Four kinds of work run in a child process, each a series of transactions:

- ``import``: registration lists (CSV) of ``--size`` rows, one import a transaction;
- ``edit``: a person's notes changed, one person a transaction (as the person card saves);
- ``allocate``: an evacuation operation set up, its pool filled and its leg allocated;
- ``bundle``: a signed, encrypted bundle of ``--size`` people from a post applied at
  headquarters (one transaction, after the keys are unlocked).

The child prints ``BEGIN`` when a write transaction is under way and ``COMMIT <json>`` on a
pipe after it commits. From its first ``BEGIN`` the harness lets it work for a random time
(seeded) within about three transactions (one for a bundle), kills it (SIGKILL), then
checks that the case file opens, passes ``PRAGMA integrity_check``, holds every transaction
the child reported, and holds no part of any other: an unreported transaction is wholly
present (it committed just before the kill) or wholly absent.

Run::

    .venv/bin/python bench/kill_harness.py --count 200 --seed 1 --size 2000   # the recorded run
    .venv/bin/python bench/kill_harness.py --count 8 --kinds import,edit --size 300

``--count`` kills in all, shared among the kinds. Exit status 0 when every check held, 1 when
one failed (each failure is printed, and its case file kept under ``--keep``). The CI runs a
few kills of each kind (tests/unit/test_kill_harness.py); the recorded run is in
docs/RELIABILITY.md.

How a case file is created and opened is :func:`create_case` and :func:`open_case`: the one
place to change when case files need a key (SQLCipher) or an officer's login.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from common import machine_block
from consuldesk.services.desk import Desk

KINDS = ("import", "edit", "allocate", "bundle")
HQ, POST = "KZ-HQ", "IR-THR"
PASSPHRASE = os.environ.get("CONSULDESK_KILL_PASSPHRASE", "Kill harness passphrase 2026")
OFFICER = "kill-harness"


# -- the one place that creates and opens case files ---------------------------------------


def create_case(path: Path, post_code: str, *, headquarters: bool = False) -> Desk:
    """A new, empty case file for ``post_code``, encrypted as every case file is (SQLCipher;
    its keyring beside it gives :data:`OFFICER` a slot under :data:`PASSPHRASE`)."""
    from consuldesk.services.casefile import create_casefile

    return create_casefile(
        path,
        post_code=post_code,
        post_name=f"Kill harness {post_code}",
        host_country=None if headquarters else "AE",
        officer=OFFICER,
        headquarters=headquarters,
        passphrase=PASSPHRASE,
    )


def open_case(path: Path) -> Desk:
    """Open an existing case file: the officer's login (the keyring unwraps the file's key)."""
    from consuldesk.services.casefile import open_casefile

    return open_casefile(path, OFFICER, PASSPHRASE)


# -- the work, run in the child ------------------------------------------------------------


def _report(**what: Any) -> None:
    print("COMMIT " + json.dumps(what), flush=True)


def _writing() -> None:
    """Say that a write transaction is under way (a kill from here lands inside it)."""
    print("BEGIN", flush=True)


_SURNAMES = ["Ахметов", "Сейткали", "Иванов", "Нұрланов", "Петров", "Жумабаев", "Ким"]
_NAMES = ["Ерлан", "Данияр", "Иван", "Тимур", "Асхат", "Нұрлан", "Сергей", "Бауыржан"]


def _iin(index: int) -> tuple[date, str]:
    """A birth date and a valid IIN, different for every ``index`` (the list's row)."""
    from consuldesk.domain.enums import Sex
    from consuldesk.domain.iin import make_iin

    born = date(1950, 1, 1) + timedelta(days=index % 20_000)
    for serial in range((index // 20_000) * 20, (index // 20_000) * 20 + 20):
        try:
            return born, make_iin(born, Sex.MALE, serial)
        except ValueError:
            continue  # no check digit for this serial
    raise ValueError(f"no IIN for row {index}")


def _list_csv(folder: Path, round_no: int, size: int) -> Path:
    """Round ``round_no``'s list: ``size`` men, each with his own IIN."""
    rng = random.Random(round_no)
    lines = ["Surname,Name,Birth date,IIN,Phone,City"]
    for row in range(size):
        born, iin = _iin(round_no * size + row)
        lines.append(
            f"{rng.choice(_SURNAMES)},{rng.choice(_NAMES)},{born:%d.%m.%Y},{iin},"
            f"+7701{rng.randrange(10**7):07d},Дубай"
        )
    path = folder / f"round-{round_no:05d}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _list_iins(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split(",")[3] for row in rows]


def work_import(desk: Desk, folder: Path, size: int) -> None:
    from consuldesk.services.lists import import_list

    def saving(done: int, total: int, label: str) -> None:
        if label == "list.save" and done == 0:
            _writing()

    for round_no in range(10**6):
        path = _list_csv(folder, round_no, size)
        report = import_list(desk, path, review_file=folder / "review.csv", progress=saving)
        _report(round=round_no, file=path.name, created=report.created)


def work_edit(desk: Desk, folder: Path, size: int) -> None:
    from consuldesk.services import nationals

    ids = _national_ids(desk)
    for round_no in range(10**6):
        person = ids[round_no % len(ids)]
        fields = nationals.fields_of_row(nationals.get_national(desk, person))
        _writing()
        nationals.update_national(desk, person, replace(fields, notes=f"kill-edit {round_no}"))
        _report(round=round_no, person=person)


def work_allocate(desk: Desk, folder: Path, size: int) -> None:
    from consuldesk.domain.enums import TripMode
    from consuldesk.services import evacuation as ev

    start = datetime(2026, 3, 12, 6, tzinfo=UTC)
    for round_no in range(10**6):
        op = ev.add_operation(desk, ev.OperationFields(name=f"Kill {round_no}", host_country="AE"))
        for trip in range(3):
            ev.add_trip(
                desk,
                op.row.id,
                ev.TripFields(
                    leg_no=1,
                    origin="Dubai",
                    destination="Muscat",
                    capacity=max(size // 40, 5),  # the pool lasts a dozen rounds or more
                    mode=TripMode.BUS,
                    departure_at=start + timedelta(hours=trip),
                    vehicle=f"Dubai K {round_no}-{trip}",
                ),
            )
        ev.add_to_pool(desk, op.row.id, 1, ev.CandidateCriteria(open_evacuation_request=False))
        # What the allocation will do (the same case file gives the same allocation): the
        # pools shrink as earlier operations seat people, so each round's number differs.
        with desk.casefile.read() as session:
            live = ev.live_operation(session, op.row.id)
            plan = ev._plan_allocation(session, live, 1, False, desk.today())[-1]
        print("PLAN " + json.dumps({"round": round_no, "placed": plan.placed}), flush=True)
        _writing()
        summary = ev.allocate_leg(desk, op.row.id, 1).row
        _report(round=round_no, operation=op.row.id, placed=summary.placed)


def work_bundle(desk: Desk, folder: Path, size: int) -> None:
    from consuldesk.services import sync

    def begun(done: int, total: int, label: str) -> None:
        if done == 0 and not began:
            began.append(True)
            _writing()

    began: list[bool] = []
    result = sync.import_bundle(desk, PASSPHRASE, folder / "post.bundle", progress=begun)
    _report(bundle=result.manifest.bundle_id, created=dict(result.created))


WORK: dict[str, Callable[[Desk, Path, int], None]] = {
    "import": work_import,
    "edit": work_edit,
    "allocate": work_allocate,
    "bundle": work_bundle,
}


def _national_ids(desk: Desk) -> list[str]:
    from sqlalchemy import text

    with desk.casefile.read() as session:
        return [r[0] for r in session.execute(text("SELECT id FROM national ORDER BY id"))]


def child(kind: str, path: Path, folder: Path, size: int) -> None:
    """Run ``kind`` on the case file until killed (or, for a bundle, until applied)."""
    desk = open_case(path)
    print("READY", flush=True)
    WORK[kind](desk, folder, size)
    desk.close()


# -- the base case files, made once --------------------------------------------------------


def _seeded(path: Path, people: int, seed: int) -> Desk:
    from consuldesk.services.demo import seed_demo

    desk = create_case(path, HQ if path.stem == HQ else POST)
    seed_demo(desk, count=people, seed=seed)
    return desk


def make_bases(work: Path, kinds: list[str], size: int) -> dict[str, Path]:
    """One closed case file per kind, copied before each kill."""
    bases: dict[str, Path] = {}
    plain = work / "base" / f"{POST}.consuldesk"
    plain.parent.mkdir(parents=True)
    _seeded(plain, max(size, 300), seed=1).close()
    for kind in kinds:
        if kind != "bundle":
            bases[kind] = plain
    if "bundle" in kinds:
        bases["bundle"] = _bundle_base(work / "bundle", size)
    return bases


def _bundle_base(folder: Path, size: int) -> Path:
    from consuldesk.services import keys, sync
    from consuldesk.services.demo import seed_demo

    folder.mkdir(parents=True)
    hq = create_case(folder / f"{HQ}.consuldesk", HQ, headquarters=True)
    post = create_case(folder / f"{POST}.consuldesk", POST)
    for desk in (hq, post):
        keys.create_keys(desk, PASSPHRASE)
    usb = folder / "usb"
    usb.mkdir()
    files = {"hq": keys.export_public_key(hq, usb), "post": keys.export_public_key(post, usb)}
    keys.enrol_peer(hq, files["post"], keys.read_key_file(files["post"]).fingerprint)
    keys.enrol_peer(post, files["hq"], keys.read_key_file(files["hq"]).fingerprint)
    seed_demo(post, count=size, seed=5)
    made = sync.export_bundle(post, PASSPHRASE, HQ, usb).path
    shutil.copy(made, folder / "post.bundle")
    post.close()
    hq.close()
    return folder / f"{HQ}.consuldesk"


# -- the checks ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """One kill and what was found after it."""

    kind: str
    committed: int  # transactions the child reported
    in_flight: str  # what became of the transaction under way: absent, present, none
    problems: list[str] = field(default_factory=list)
    inside: bool = False  # the kill landed inside a write transaction


def _rows(desk: Desk, sql: str, **params: Any) -> list[Any]:
    from sqlalchemy import text

    with desk.casefile.read() as session:
        return list(session.execute(text(sql), params))


def check(
    kind: str,
    path: Path,
    reports: list[dict[str, Any]],
    size: int,
    plans: dict[int, int] | None = None,
) -> Outcome:
    """Open the killed case file and check it against what the child reported."""
    from consuldesk.store.errors import CaseFileError

    outcome = Outcome(kind, len(reports), "none")
    try:
        desk = open_case(path)
    except CaseFileError as exc:
        outcome.problems.append(f"does not open: {exc}")
        return outcome
    try:
        try:
            desk.casefile.check_pages(full=True)
        except CaseFileError as exc:
            outcome.problems.append(f"integrity_check: {exc}")
            return outcome
        if kind == "allocate":
            _check_allocate(desk, reports, plans or {}, outcome)
        else:
            CHECKS[kind](desk, reports, size, outcome)
    finally:
        desk.close()
    return outcome


def _check_import(desk: Desk, reports: list[dict[str, Any]], size: int, out: Outcome) -> None:
    """Each round's list is wholly in or wholly out: every row's IIN on file (a row whose
    IIN a demo person already had completes that person instead of adding one), or none of
    the round's people."""
    counts = dict(
        _rows(
            desk,
            "SELECT source_ref, count(*) FROM national WHERE source_ref LIKE 'round-%' "
            "AND deleted_at IS NULL GROUP BY source_ref",
        )
    )
    on_file = {r[0] for r in _rows(desk, "SELECT iin FROM national WHERE iin IS NOT NULL")}
    folder = desk.casefile.path.parent
    reported = {r["file"]: r["created"] for r in reports}
    following = f"round-{len(reports):05d}.csv"
    for name, created in reported.items():
        missing = [i for i in _list_iins(folder / name) if i not in on_file]
        if counts.get(name) != created or missing:
            out.problems.append(
                f"committed {name}: {counts.get(name, 0)} of {created} people, "
                f"{len(missing)} rows missing"
            )
    out.in_flight = "absent"
    for name in counts:
        if name in reported:
            continue
        if name != following:
            out.problems.append(f"{name} present but never started")
            continue
        missing = [i for i in _list_iins(folder / name) if i not in on_file]
        if missing:
            out.problems.append(f"{name} partly present: {len(missing)} of {size} rows missing")
        out.in_flight = "present"


def _check_edit(desk: Desk, reports: list[dict[str, Any]], size: int, out: Outcome) -> None:
    notes = {
        pid: int(text.split()[1])
        for pid, text in _rows(
            desk, "SELECT id, notes FROM national WHERE notes LIKE 'kill-edit %'"
        )
    }
    audited = _rows(
        desk,
        "SELECT count(*) FROM audit_event WHERE table_name = 'national' AND action = 'update' "
        "AND changes LIKE '%kill-edit%'",
    )[0][0]
    for r in reports:
        if notes.get(r["person"]) is None or notes[r["person"]] < r["round"]:
            out.problems.append(f"committed edit {r['round']} of {r['person']} lost")
    extra = [n for n in notes.values() if n >= len(reports)]
    if any(n > len(reports) for n in extra):
        out.problems.append(f"edits never started are present: {sorted(extra)}")
    present = len(reports) + len(extra)
    if audited != present:
        out.problems.append(f"{present} edits but {audited} audit events")
    out.in_flight = "present" if extra else "absent"


def _check_allocate(
    desk: Desk, reports: list[dict[str, Any]], plans: dict[int, int], out: Outcome
) -> None:
    """Each allocation wholly in (as many seated as it reported, or as its plan said for the
    one under way) or wholly out."""
    seated = dict(
        _rows(
            desk,
            "SELECT o.name, count(m.id) FROM evacuation_operation o LEFT JOIN manifest_entry m "
            "ON m.operation_id = o.id AND m.trip_id IS NOT NULL AND m.deleted_at IS NULL "
            "WHERE o.name LIKE 'Kill %' GROUP BY o.name",
        )
    )
    placed = {f"Kill {r['round']}": r["placed"] for r in reports}
    for name, count in placed.items():
        if seated.get(name) != count:
            out.problems.append(f"committed allocation {name}: {seated.get(name)} of {count}")
    following = len(reports)
    out.in_flight = "absent"
    for name, count in seated.items():
        if name in placed or count == 0:
            continue
        if name != f"Kill {following}":
            out.problems.append(f"{name} allocated but never started")
        elif count != plans.get(following):
            out.problems.append(f"{name} partly allocated: {count} of {plans.get(following)}")
        else:
            out.in_flight = "present"


def _check_bundle(desk: Desk, reports: list[dict[str, Any]], size: int, out: Outcome) -> None:
    people = _rows(desk, "SELECT count(*) FROM national WHERE origin_post = :p", p=POST)[0][0]
    households = _rows(desk, "SELECT count(*) FROM household WHERE origin_post = :p", p=POST)[0][0]
    if reports and people != size:
        out.problems.append(f"bundle reported applied, {people} of {size} people present")
    if people not in (0, size):
        out.problems.append(f"bundle partly applied: {people} of {size} people")
    if (people == 0) != (households == 0):
        out.problems.append(f"bundle partly applied: {people} people, {households} households")
    if not reports:
        out.in_flight = "present" if people else "absent"


#: The checks of the kinds whose transactions say all about them (allocate needs its plans).
CHECKS: dict[str, Callable[[Desk, list[dict[str, Any]], int, Outcome], None]] = {
    "import": _check_import,
    "edit": _check_edit,
    "bundle": _check_bundle,
}


# -- the harness ---------------------------------------------------------------------------


def _spawn(kind: str, path: Path, folder: Path, size: int) -> subprocess.Popen[str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, __file__, "--child", kind, str(path), str(folder), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _lines(process: subprocess.Popen[str]) -> Iterator[str]:
    assert process.stdout is not None
    for line in process.stdout:
        yield line.rstrip("\n")


def _wait_for(lines: Iterator[str], word: str, seen: list[str] | None = None) -> float | None:
    """Read until a line starting with ``word``; when it came, or None at the end."""
    for line in lines:
        if seen is not None:
            seen.append(line)
        if line.startswith(word):
            return time.monotonic()
    return None


def calibrate(kind: str, base: Path, work: Path, size: int) -> float:
    """Seconds a transaction of ``kind`` takes here (from one run of two, or the bundle)."""
    trial = work / f"calibrate-{kind}"
    trial.mkdir()
    path = _copy(base, trial)
    process = _spawn(kind, path, trial, size)
    lines = _lines(process)
    start = _wait_for(lines, "BEGIN")
    commits = []
    for line in lines:
        if line.startswith("COMMIT"):
            commits.append(time.monotonic())
            if len(commits) == 2 or kind == "bundle":
                break
    process.kill()
    process.communicate()
    if start is None or not commits:
        raise SystemExit(f"{kind}: the work did not run: {process.stderr}")
    return (commits[-1] - start) / len(commits)


def _copy(base: Path, folder: Path) -> Path:
    target = folder / base.name
    shutil.copy(base, target)
    keyring = base.with_name(base.name + ".keyring")
    if keyring.exists():  # an encrypted case file opens with its keyring
        shutil.copy(keyring, target.with_name(target.name + ".keyring"))
    if base.name.startswith(HQ):
        shutil.copy(base.parent / "post.bundle", folder / "post.bundle")
    return target


def kill_once(
    kind: str, base: Path, folder: Path, size: int, span: float, rng: random.Random
) -> Outcome:
    """Run ``kind`` on a copy of ``base``, kill it after a random delay, check the file."""
    folder.mkdir()
    path = _copy(base, folder)
    process = _spawn(kind, path, folder, size)
    lines = _lines(process)
    seen: list[str] = []
    started = _wait_for(lines, "BEGIN", seen)
    delay = rng.uniform(0, span)
    reports: list[dict[str, Any]] = []
    if started is not None:
        time.sleep(max(0.0, started + delay - time.monotonic()))
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate()
    seen += out.splitlines()  # what the pipe still held when it died
    plans: dict[int, int] = {}
    for line in seen:
        if line.startswith("COMMIT "):
            reports.append(json.loads(line[len("COMMIT ") :]))
        elif line.startswith("PLAN "):
            plan = json.loads(line[len("PLAN ") :])
            plans[plan["round"]] = plan["placed"]
    events = [line.split()[0] for line in seen if line.startswith(("BEGIN", "COMMIT"))]
    outcome = check(kind, path, reports, size, plans)
    outcome.inside = process.returncode == -signal.SIGKILL and events[-1:] == ["BEGIN"]
    if process.returncode not in (-signal.SIGKILL, 0):
        outcome.problems.append(f"the work failed before the kill: {err.strip()[-500:]}")
    if started is None:
        outcome.problems.append(f"the work never started: {err.strip()[-500:]}")
    return outcome


def run(count: int, seed: int, size: int, kinds: list[str], keep: Path | None) -> int:
    """Kill ``count`` times, shared among ``kinds``; prints a summary, returns the exit code."""

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # still remove the work folder
    rng = random.Random(seed)
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="consuldesk-kill-"))
    failures = 0
    try:
        bases = make_bases(work, kinds, size)
        # Kills land anywhere in about three transactions; a bundle is one, so just past it.
        spans = {
            k: (1.3 if k == "bundle" else 3) * calibrate(k, bases[k], work, size) for k in kinds
        }
        outcomes: list[Outcome] = []
        for n in range(count):
            kind = kinds[n % len(kinds)]
            folder = work / f"kill-{n:04d}-{kind}"
            outcome = kill_once(kind, bases[kind], folder, size, spans[kind], rng)
            outcomes.append(outcome)
            if outcome.problems:
                failures += 1
                print(f"FAIL kill {n} ({kind}): " + "; ".join(outcome.problems), flush=True)
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copytree(folder, keep / folder.name)
            shutil.rmtree(folder, ignore_errors=True)
        _summary(outcomes, spans, size, seed, time.monotonic() - began)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def _summary(
    outcomes: list[Outcome], spans: dict[str, float], size: int, seed: int, took: float
) -> None:
    print(f"\nKill harness: {len(outcomes)} kills, seed {seed}, size {size}, {took:.0f} s")
    print(machine_block())
    print()
    print(
        "| kind | kills | opened, integrity_check ok | committed all kept, nothing partial "
        "| in flight: absent / present | killed inside a write | transactions reported "
        "| kill window |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind in spans:
        mine = [o for o in outcomes if o.kind == kind]
        sound = sum(1 for o in mine if not any("open" in p or "integrity" in p for p in o.problems))
        kept = sum(1 for o in mine if not o.problems)
        flight = Counter(o.in_flight for o in mine)
        print(
            f"| {kind} | {len(mine)} | {sound} | {kept} | {flight['absent']} / {flight['present']} "
            f"| {sum(o.inside for o in mine)} | {sum(o.committed for o in mine)} "
            f"| 0–{spans[kind]:.2f} s |"
        )
    bad = sum(1 for o in outcomes if o.problems)
    print(f"\n{'All checks held.' if not bad else f'{bad} kills found a problem.'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="kills in all (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--size", type=int, default=1000, help="rows a list, people in the file (default 1000)"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="of " + ", ".join(KINDS))
    parser.add_argument("--keep", type=Path, help="keep the case files of failed kills here")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path, folder, size = args.child
        child(kind, Path(path), Path(folder), int(size))
        return 0
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    return run(args.count, args.seed, args.size, kinds, args.keep)


if __name__ == "__main__":
    sys.exit(main())
