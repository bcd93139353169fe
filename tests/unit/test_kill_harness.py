"""The kill harness (bench/kill_harness.py), a modest run: two kills of each kind of work.

The recorded large run is in docs/RELIABILITY.md; this one keeps the harness working and
catches a regression that loses or half-writes a committed transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "bench" / "kill_harness.py"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is a POSIX signal")


def harness(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(HARNESS), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_every_kind_of_work_killed_at_random_leaves_a_sound_file_with_every_commit():
    done = harness("--count", "8", "--seed", "11", "--size", "200")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks held." in done.stdout
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| kind")
    }
    assert set(rows) == {"import", "edit", "allocate", "bundle"}
    for kind, (kills, sound, kept, *_) in rows.items():
        assert kills == sound == kept == "2", (kind, rows[kind])


def test_a_lost_commit_is_caught(tmp_path):
    """The check itself: a transaction reported as committed but not in the file fails."""
    sys.path.insert(0, str(HARNESS.parent))
    try:
        import kill_harness as kh
    finally:
        sys.path.remove(str(HARNESS.parent))
    path = tmp_path / "IR-THR.consuldesk"
    kh.create_case(path, kh.POST).close()
    desk = kh.open_case(path)
    try:
        kh._list_csv(tmp_path, 0, 10)
        out = kh.Outcome("import", 1, "none")
        kh.CHECKS["import"](desk, [{"file": "round-00000.csv", "created": 10}], 10, out)
        assert out.problems == ["committed round-00000.csv: 0 of 10 people, 10 rows missing"]
        out = kh.Outcome("edit", 1, "none")
        kh.CHECKS["edit"](desk, [{"round": 0, "person": "nobody"}], 10, out)
        assert out.problems == ["committed edit 0 of nobody lost", "1 edits but 0 audit events"]
    finally:
        desk.close()
