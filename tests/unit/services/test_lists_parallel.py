"""A large list is checked in two processes, with exactly the result of one."""

from __future__ import annotations

import csv
import multiprocessing
import os
from datetime import date
from pathlib import Path

import pytest

from consuldesk.domain.enums import Sex, Source
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.lists import import_list, parallel, read_list
from consuldesk.services.lists.checking import _check_rows, _Checked
from consuldesk.services.nationals import count_nationals, search
from tests.factories import valid_iin

HEADERS = ["Фамилия", "Surname", "Имя", "Given names", "Дата рождения", "ИИН", "Паспорт",
           "Телефон", "Семья", "Родство"]  # fmt: skip


def people_rows(n: int) -> list[list[str]]:
    """Rows of every kind: good, doubtful values, repeats, a contested passport, no name."""
    rows = []
    for i in range(n):
        born = date(1950 + i % 60, 1 + i % 12, 1 + i % 28)
        iin = valid_iin(born, Sex.FEMALE if i % 2 else Sex.MALE)
        if i % 7 == 3:
            iin = iin[:-1] + str((int(iin[-1]) + 1) % 10)  # a wrong check digit: set aside
        phone = "+7 (769) 956-13-89" if i % 11 == 5 else f"+7701{i:07d}"  # unallocated code
        surname, latin = ("Қасымова", "KASSYMOVA") if i % 2 else ("Өмірзақов", "OMIRZAKOV")
        rows.append([f"{surname}{'а' * (i % 5)}", latin, "Әйгерім", "AIGERIM",
                     born.strftime("%d.%m.%Y"), iin, f"N{i:08d}", phone,
                     f"F{i // 3}" if i % 4 == 0 else "", "мать" if i % 8 == 0 else ""])  # fmt: skip
    rows.append(list(rows[10]))  # the same person again: read into row 10
    rows.append(["Бөтен", "BOTEN", "", "", "01.01.1990", "", "N00000012", "", "", ""])  # contested
    rows.append(["", "", "Имя", "", "31.02.1990", "", "", "", "", ""])  # names no one
    return rows


def write_list(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(people_rows(n))
    return path


def summary(checked: _Checked) -> tuple:
    rows = [
        (r.index, r.line, r.fields, [repr(i) for i in r.review], r.family, r.relation, r.keys)
        for r in checked.rows
    ]
    refused = {k: [repr(p) for p in v] for k, v in checked.refused.items()}
    repeats = {k: [repr(p) for p in v] for k, v in checked.repeats.items()}
    contested = {k: repr(p) for k, p in checked.contested.items()}
    return rows, refused, checked.total, repeats, contested


@pytest.fixture
def two_processes(monkeypatch):
    """Every list checked in chunks of 7 rows, in two processes."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    monkeypatch.delenv(parallel.ENV_WORKERS, raising=False)
    yield
    parallel.shutdown()


def check(path: Path, **kwargs) -> _Checked:
    parsed = read_list(path)
    return _check_rows(
        parsed, date(2026, 3, 10), Source.LIST_IMPORT, lambda *a: None, CancelFlag(), "AE",
        **kwargs,
    )  # fmt: skip


def test_two_processes_check_a_list_exactly_as_one(tmp_path, two_processes, monkeypatch):
    path = write_list(tmp_path / "list.csv", 200)
    both = summary(check(path))
    assert parallel.helped > 0  # the helper took part
    assert parallel._helper_now is None  # and was let go with the list
    monkeypatch.setenv(parallel.ENV_WORKERS, "0")
    alone = summary(check(path))
    assert both == alone
    rows, refused, total, repeats, contested = both
    assert total == 203 and len(rows) == 201 and len(refused) == 1
    assert len(repeats) == 1 and len(contested) == 1
    assert any(review for _, _, _, review, *_ in rows)  # values set aside travel back too


def test_an_import_checked_in_two_processes_keeps_everyone(desk, tmp_path, two_processes):
    path = write_list(tmp_path / "list.csv", 60)
    report = import_list(desk, path)
    assert parallel.helped > 0
    # The repeat is read into its first row; the contested passport and the nameless row refused.
    assert (report.created, report.invalid) == (60, 2)
    assert count_nationals(desk) == 60
    assert len(search(desk, "Қасымова", limit=100).rows) == 30
    assert len(search(desk, "N00000041", limit=5).rows) == 1  # keys computed in the helper


def _dies_in_the_helper(context: object, start: int, part: list[int]) -> int:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # the helper process dies in the middle of the list
    return sum(part)


def test_a_helper_that_dies_leaves_its_chunks_to_this_process(two_processes):
    items = list(range(100))
    sums = parallel.map_chunks(_dies_in_the_helper, None, items, cancel=CancelFlag())
    assert sums == [sum(items[s : s + 7]) for s in range(0, 100, 7)]
    assert parallel.helped == 0 and parallel._helper_now is None
    assert parallel.map_chunks(_chunk_sum, None, items, cancel=CancelFlag()) == sums
    assert parallel.helped > 0  # the next large list has a new helper


def _fails(context: object, start: int, part: list[int]) -> int:
    raise ValueError(f"chunk at {start}")


def test_an_error_in_a_chunk_is_raised_here(two_processes):
    with pytest.raises(ValueError, match="chunk at 0"):
        parallel.map_chunks(_fails, None, list(range(50)), cancel=CancelFlag())


def test_cancel_stops_between_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 7)
    monkeypatch.setenv(parallel.ENV_WORKERS, "0")
    cancel = CancelFlag()
    seen: list[int] = []

    def done(n: int) -> None:
        seen.append(n)
        cancel.cancel()

    items = list(range(30))
    with pytest.raises(Cancelled):
        parallel.map_chunks(_chunk_sum, None, items, cancel=cancel, done=done)
    assert seen == [7]


def _chunk_sum(context: object, start: int, part: list[int]) -> int:
    return sum(part)


def test_map_chunks_keeps_the_order(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.setenv(parallel.ENV_WORKERS, "0")
    items = list(range(10))
    assert parallel.map_chunks(_chunk_sum, None, items, cancel=CancelFlag()) == [6, 22, 17]
    assert parallel.map_chunks(_chunk_sum, None, [], cancel=CancelFlag()) == []


def test_warm_up_starts_the_helper_only_for_a_large_list(monkeypatch):
    monkeypatch.delenv(parallel.ENV_WORKERS, raising=False)
    parallel.shutdown()
    parallel.warm_up(parallel.PARALLEL_FROM - 1)
    assert parallel._helper_now is None
    try:
        parallel.warm_up(parallel.PARALLEL_FROM)
        assert parallel._helper_now is not None and parallel._helper_now.process.daemon
        monkeypatch.setenv(parallel.ENV_WORKERS, "0")
        assert parallel._helper() is None  # turned off: checked here alone
    finally:
        parallel.shutdown()


def test_a_second_list_meanwhile_is_checked_here_alone(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.delenv(parallel.ENV_WORKERS, raising=False)
    parallel.shutdown()
    with parallel._sharing:  # another list has the helper
        sums = parallel.map_chunks(_chunk_sum, None, list(range(10)), cancel=CancelFlag())
    assert sums == [6, 22, 17] and parallel.helped == 0 and parallel._helper_now is None


def test_a_list_that_cannot_be_read_lets_its_helper_go(desk, tmp_path, two_processes):
    from consuldesk.services.lists import ListError

    bad = tmp_path / "list.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook" * 100)
    with pytest.raises(ListError):
        import_list(desk, bad)
    assert parallel._helper_now is None  # warmed up for it, then let go


def _large(context: object, start: int, part: list[int]) -> str:
    return "x" * 300_000  # more than a pipe holds: unread, it would keep its sender waiting


def test_a_helper_let_go_after_cancel_ends_by_itself(two_processes):
    cancel = CancelFlag()

    def done(n: int) -> None:
        cancel.cancel()  # after this process's first chunk; the helper's results stay unread

    with pytest.raises(Cancelled):
        parallel.map_chunks(_large, None, list(range(100)), cancel=cancel, done=done)
    assert parallel._helper_now is None and len(parallel._retired) == 1
    helper = parallel._retired[0]
    helper.process.join(20)
    assert not helper.process.is_alive()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_helper_let_go_after_cancel_is_waited_for_not_left_defunct(two_processes):
    """Cancelled in the window, the helper ended but stayed a <defunct> child of the window
    until it closed: nobody waited for it."""
    import time

    cancel = CancelFlag()

    def done(n: int) -> None:
        cancel.cancel()

    with pytest.raises(Cancelled):
        parallel.map_chunks(_large, None, list(range(100)), cancel=cancel, done=done)
    pid = parallel._retired[0].process.pid
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # (no is_alive() here: asking would reap it)
    assert not Path(f"/proc/{pid}").exists()
