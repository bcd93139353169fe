"""A large list checked on both cores: this process and one helper process share its rows.

Checking a row is pure Python and needs nothing but the row, so a list of tens of thousands
of rows is cut into chunks that this process takes from the front while a helper process
takes them from the back; whoever reaches a chunk first checks it, and the results are put
together in the list's order, exactly as checking alone would give them. The helper is a
spawned interpreter (the same on every system, and safe from a thread of the window), started
as a large list's import begins (:func:`warm_up`, while the file is read) and let go once the
list is checked, with what it saw of it; it is a daemon, so it never keeps the program from
ending.

If the helper cannot start or dies, this process checks what was left to it: a list is never
refused or changed because of the helper. Small lists are checked here alone: starting the
helper would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any, TypeVar, cast

from consuldesk.services.desk import CancelFlag

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Lists with at least this many rows are checked in two processes.
PARALLEL_FROM = 20_000
#: Rows per chunk: small enough to share the work evenly and to answer Cancel within a moment.
CHUNK = 2_500
#: Set to ``0`` to check every list in this process alone (troubleshooting).
ENV_WORKERS = "CONSULDESK_LIST_WORKERS"
#: Chunks handed to the helper ahead of its results, so that it never waits for this process.
_AHEAD = 2
#: How long the helper may take to start and to check one chunk before it counts as lost.
_PATIENCE_S = 120.0

#: What the helper imports as it starts, while this process is still reading the list.
_PRELOAD = ("consuldesk.services.lists.checking",)


def _serve(tasks: Queue[Any], results: Queue[Any]) -> None:
    """The helper's loop: ``(job, k, fn, context, start, part)`` in, ``(job, k, ok, value)``
    out, until ``None``. The cyclic collector is paused during a chunk, as the caller pauses it
    here: checking allocates hundreds of thousands of acyclic objects."""
    # Leaving, it does not wait for its last results to be read: after a cancelled list
    # nobody reads them, and waiting would keep the process alive until the program ends.
    results.cancel_join_thread()
    for module in _PRELOAD:
        importlib.import_module(module)
    while True:
        task = tasks.get()
        if task is None:
            return
        job, k, fn, context, start, part = task
        gc.disable()
        try:
            results.put((job, k, True, fn(context, start, part)))
        except Exception as exc:  # sent back: this process checks the chunk itself
            results.put((job, k, False, repr(exc)))
        finally:
            gc.enable()


class _Helper:
    """The helper process and its two queues."""

    def __init__(self) -> None:
        context = get_context("spawn")
        self.tasks: Queue[Any] = context.Queue()
        self.results: Queue[Any] = context.Queue()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(self.tasks, self.results), name="consuldesk-list-check"
        )
        self.process.daemon = True
        self.process.start()
        self.jobs = itertools.count(1)

    def stop(self, wait: bool) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):  # its queue already closed
                self.tasks.put(None)
            self.process.join(5 if wait else 0)
            if self.process.is_alive() and wait:
                self.process.kill()
        self.tasks.cancel_join_thread()
        self.results.cancel_join_thread()


_helper_now: _Helper | None = None
_retired: list[_Helper] = []  # told to stop, not yet waited for
_helper_lock = threading.Lock()
_sharing = threading.Lock()  # held by the list the helper is checking
#: How many chunks the helper checked for the last list (0: checked here alone).
helped = 0


def _helper() -> _Helper | None:
    """The helper process, started on first use; ``None`` on a one-core machine, when turned
    off, or when it cannot start."""
    global _helper_now
    if os.environ.get(ENV_WORKERS, "").strip() == "0" or (os.cpu_count() or 1) < 2:
        return None
    with _helper_lock:
        _retired[:] = [h for h in _retired if h.process.is_alive()]
        if _helper_now is not None and not _helper_now.process.is_alive():
            _helper_now.stop(wait=False)
            _helper_now = None
        if _helper_now is None:
            try:
                _helper_now = _Helper()
            except (OSError, ValueError, RuntimeError) as exc:
                log.warning("list checking stays in one process: %s", exc)
                return None
        return _helper_now


def warm_up(rows: int) -> None:
    """Start the helper now if a list of about ``rows`` rows will want it, so that it starts
    while the list is being read (about a second) instead of while it is being checked."""
    if rows >= PARALLEL_FROM:
        _helper()


def _reap(helper: _Helper) -> None:
    """Stop ``helper`` and wait for it in a thread of its own: a helper told to stop and not
    waited for stays a defunct process of the window until the window closes (it finishes the
    chunk it has, about a tenth of a second, then ends; one that does not is killed)."""
    threading.Thread(
        target=helper.stop, args=(True,), name="consuldesk-list-check-reaper", daemon=True
    ).start()


def _forget(helper: _Helper) -> None:
    """Drop a helper that failed; the next large list starts a new one."""
    global _helper_now
    with _helper_lock:
        if _helper_now is helper:
            _helper_now = None
    if helper.process.is_alive():
        helper.process.kill()
    _reap(helper)


def _retire() -> None:
    """Let the helper go once a list is checked: it would hold its memory (and what it
    remembers of the list's values) while the officer works on; the next large list starts
    another while it is being read."""
    global _helper_now
    with _helper_lock:
        helper, _helper_now = _helper_now, None
        if helper is not None:
            _retired.append(helper)
    if helper is not None:
        _reap(helper)


def let_go() -> None:
    """Let a helper that was warmed up go unused (the list could not be read, or held fewer
    rows than it seemed), unless another list is being checked with it."""
    if _sharing.acquire(blocking=False):
        try:
            _retire()
        finally:
            _sharing.release()


def shutdown() -> None:
    """Stop the helper and wait for every helper told to stop (tests, benchmarks; at exit a
    daemon ends with the program anyway)."""
    global _helper_now
    with _helper_lock:
        helpers = [*_retired, *([_helper_now] if _helper_now is not None else [])]
        _helper_now = None
        _retired.clear()
    for helper in helpers:
        helper.stop(wait=True)


def map_chunks(
    fn: Callable[[Any, int, Sequence[T]], R],
    context: Any,
    items: Sequence[T],
    *,
    cancel: CancelFlag,
    done: Callable[[int], object] = lambda n: None,
) -> list[R]:
    """``fn(context, start, items[start:start + CHUNK])`` for every chunk, in order.

    ``fn`` must be a module-level function and ``context`` and the results picklable: chunks
    may run in the helper process. ``done`` is called here with the number of items checked
    so far, after each chunk. Cancel is answered between chunks; what the helper has in hand
    then is dropped when it comes back.
    """
    # One list at a time shares the helper; another one meanwhile is checked here alone.
    global helped
    sharing = len(items) >= PARALLEL_FROM and _sharing.acquire(blocking=False)
    helped = 0
    try:
        return _map_chunks(fn, context, items, cancel, done, _helper() if sharing else None)
    finally:
        if sharing:
            _retire()
            _sharing.release()


def _map_chunks(
    fn: Callable[[Any, int, Sequence[T]], R],
    context: Any,
    items: Sequence[T],
    cancel: CancelFlag,
    done: Callable[[int], object],
    helper: _Helper | None,
) -> list[R]:
    job = next(helper.jobs) if helper is not None else 0
    starts = list(range(0, len(items), CHUNK))
    results: list[R | None] = [None] * len(starts)
    have = [False] * len(starts)
    checked = 0

    def chunk(k: int) -> Sequence[T]:
        return items[starts[k] : starts[k] + CHUNK]

    def finish(k: int, result: R) -> None:
        nonlocal checked
        results[k], have[k] = result, True
        checked += len(chunk(k))
        done(checked)

    front, back = 0, len(starts) - 1  # this process takes the front, the helper the back
    given: list[int] = []  # chunks in the helper's hands, oldest first

    def give() -> None:
        nonlocal back
        while helper is not None and len(given) < _AHEAD and back > front:
            helper.tasks.put((job, back, fn, context, starts[back], chunk(back)))
            given.append(back)
            back -= 1

    def collect(block: bool) -> bool:
        """Results the helper sent; False when it is lost (its chunks are left to us)."""
        assert helper is not None
        waited = 0.0
        while given:
            try:
                sent_job, k, ok, value = helper.results.get(timeout=0.1 if block else 0)
            except queue.Empty:
                if not block:
                    return True
                cancel.check()
                waited += 0.1
                if not helper.process.is_alive() or waited > _PATIENCE_S:
                    log.warning("the list-checking helper was lost; checking here")
                    _forget(helper)
                    return False
                continue
            except (OSError, EOFError, ValueError) as exc:
                log.warning("the list-checking helper failed (%r); checking here", exc)
                _forget(helper)
                return False
            if sent_job != job or k not in given:
                continue  # from an import that was cancelled
            given.remove(k)
            if ok:
                global helped
                helped += 1
                finish(k, value)
            else:
                log.warning("the list-checking helper could not check a chunk: %s", value)
                return False  # raise it here, where it can be reported
            waited = 0.0
            if not block:
                give()
        return True

    try:
        give()
        while front < len(starts):
            cancel.check()
            if have[front]:
                front += 1
                continue
            if front in given:  # the helper has this chunk, and every later one
                if helper is None or not collect(block=True):
                    break
                continue
            finish(front, fn(context, starts[front], chunk(front)))
            front += 1
            if helper is not None and given and not collect(block=False):
                break
            give()
    except BaseException:
        given.clear()
        raise
    for k in range(len(starts)):  # left by a helper that was lost
        if not have[k]:
            cancel.check()
            finish(k, fn(context, starts[k], chunk(k)))
    return cast(list[R], results)
