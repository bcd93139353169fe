"""A process killed while it applies a bundle leaves the case file as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consuldesk.services import keys
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.demo import seed_demo
from tests.unit.services.test_sync import enrol
from tests.unit.services.test_sync_convergence import content

pytestmark = pytest.mark.usefixtures("fast_seal")
PASSPHRASE = "Ұзын құпия сөз 2026"

APPLY = """
import sys, time
from pathlib import Path
from consuldesk.services import sync
from consuldesk.services.casefile import open_casefile
from consuldesk.sync import bundle as b
from consuldesk.sync import exchange

head, sig, changes, statements, path = (Path(p) for p in sys.argv[1:6])
manifest = b.Manifest.from_body(__import__("json").loads(head.read_bytes()))
opened = b.Opened(manifest, head.read_bytes(), sig.read_bytes(), changes.read_bytes(),
                  statements.read_bytes())
real = exchange._merge
def slow(*args, **kwargs):  # slow enough to be killed in the middle
    time.sleep(0.002)
    return real(*args, **kwargs)
exchange._merge = slow
real_new = exchange._new_values
def slow_new(*args, **kwargs):
    time.sleep(0.002)
    return real_new(*args, **kwargs)
exchange._new_values = slow_new
desk = open_casefile(path, "x")
sync._apply(desk, opened, preview=False)
print("finished")
"""


def test_a_kill_in_the_middle_of_an_import_leaves_the_case_file_as_before(tmp_path):
    hq_path, thr_path = tmp_path / "KZ-HQ.consuldesk", tmp_path / "IR-THR.consuldesk"
    hq = create_casefile(hq_path, post_code="KZ-HQ", post_name="HQ", host_country=None,
                         officer="x", headquarters=True)  # fmt: skip
    thr = create_casefile(thr_path, post_code="IR-THR", post_name="Tehran", host_country="IR",
                          officer="x")  # fmt: skip
    for desk in (hq, thr):
        keys.create_keys(desk, PASSPHRASE)
    enrol(hq, thr, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    seed_demo(thr, count=400, seed=5)
    path = s.export_bundle(thr, PASSPHRASE, "KZ-HQ", usb).path
    opened = s._open_checked(hq, keys.unlock_all(hq, PASSPHRASE), path.read_bytes())
    parts = {
        "head": opened.head,
        "sig": opened.signature,
        "changes": opened.changes,
        "statements": opened.statements,
    }
    for name, data in parts.items():
        (tmp_path / name).write_bytes(data)
    before = content(hq)
    hq.close()
    thr.close()

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")}
    args = [str(tmp_path / n) for n in parts] + [str(hq_path)]
    process = subprocess.Popen(
        [sys.executable, "-c", APPLY, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    backups = hq_path.with_name(hq_path.name + ".backups")
    deadline = time.monotonic() + 60
    while (
        not any(backups.glob("*.consuldesk"))
        and process.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)  # the backup is taken just before the transaction begins
    time.sleep(1.0)
    assert process.poll() is None, process.communicate()[1]  # still applying
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()

    reopened = open_casefile(hq_path, "x")
    try:
        assert content(reopened) == before
        with reopened.casefile.read() as session:
            assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        reopened.close()
