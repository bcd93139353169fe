"""The error file: rejected rows beside the list, never overwriting an officer's corrections."""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from consuldesk.domain.errors import ValidationError
from consuldesk.services.files import temp_beside
from consuldesk.services.lists.base import ERROR_COLUMN, ListError, ParsedList, RowError, _cell_text

# -- error file ----------------------------------------------------------------------------


@functools.cache
def _describer() -> Callable[[Exception], str] | None:
    """``consuldesk.messages.describe`` when that module exists."""
    try:
        from consuldesk.messages import describe  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return describe  # type: ignore[no-any-return,unused-ignore]


def _message(error: ValidationError) -> str:
    describe = _describer()
    if describe is not None:
        try:
            return str(describe(error))
        except Exception:  # a missing message must not stop an import
            pass
    params = ", ".join(f"{k}={v}" for k, v in error.params.items())
    return f"{error.field}: {error.code}" + (f" ({params})" if params else "")


_ERRORS_STEM = re.compile(r"(?P<list>.+?)\.errors(?:-\d{8}-\d{6}(?:-\d+)?)?")
_MAX_ERROR_FILES = 1000  # numbered names tried before giving up


def _now() -> datetime:
    """The local time stamped into error file names (replaced in tests)."""
    return datetime.now()


def _error_file_names(path: Path, now: datetime) -> Iterator[Path]:
    """The default error file names of a list, in the order they are tried.

    ``<stem>.errors.csv``, then ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv``, then that name with
    ``-2``, ``-3``... The stem of an error file (``reg.errors``, ``reg.errors-<stamp>``) is that
    of its list (``reg``), so the rows still wrong in an error file never go to
    ``reg.errors.errors.csv``.
    """
    match = _ERRORS_STEM.fullmatch(path.stem)
    stem = match["list"] if match else path.stem
    yield path.with_name(f"{stem}.errors.csv")
    stamped = f"{stem}.errors-{now:%Y%m%d-%H%M%S}"
    yield path.with_name(f"{stamped}.csv")
    for n in range(2, _MAX_ERROR_FILES):
        yield path.with_name(f"{stamped}-{n}.csv")


def default_error_file(path: Path, now: datetime | None = None) -> Path:
    """Where the error file of a list would go by default now: the first of
    ``<stem>.errors.csv``, ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv``, ``…-2.csv``, ``…-3.csv``
    beside the list that does not exist yet (an existing file may hold an officer's
    corrections). For an error file (``reg.errors.csv``) the stem is that of its list (``reg``).

    Raises:
        ListError: ``list.write`` when every name is taken.
    """
    for candidate in _error_file_names(path, now or _now()):
        if not os.path.lexists(candidate):
            return candidate
    raise ListError("list.write", path, detail="too many error files beside the list")


def _place_error_file(tmp: Path, path: Path) -> Path:
    """Move the written error file ``tmp`` to the first free default name of list ``path``
    (:func:`default_error_file`) without ever replacing an existing file; returns that name."""
    now = _now()
    for candidate in _error_file_names(path, now):
        try:
            os.link(tmp, candidate)  # fails if the name exists, even if it appeared just now
        except FileExistsError:
            continue
        except OSError:  # no hard links on this disk (FAT, some network shares)
            if os.path.lexists(candidate):
                continue
            try:
                os.replace(tmp, candidate)
            except OSError as exc:
                raise ListError("list.write", candidate, detail=str(exc)) from exc
            return candidate
        tmp.unlink(missing_ok=True)
        return candidate
    raise ListError("list.write", path, detail="too many error files beside the list")


def _write_error_file(target: Path, parsed: ParsedList, errors: dict[int, list[RowError]]) -> Path:
    """Write the invalid rows to a temporary file beside ``target``; returns the temp path."""
    keep = [i for i, m in enumerate(parsed.mapping) if m.note != "ignored: error column"]
    width = max([len(parsed.headers), *(len(parsed.rows[i][1]) for i in errors)])
    keep += list(range(len(parsed.headers), width))
    headers = [*parsed.headers, *([""] * (width - len(parsed.headers)))]
    tmp = temp_beside(target)
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=parsed.delimiter or ";")
            writer.writerow([headers[i] for i in keep] + [ERROR_COLUMN])
            for index in sorted(errors):
                cells = parsed.rows[index][1]
                texts = [_cell_text(cells[i]) if i < len(cells) else "" for i in keep]
                writer.writerow([*texts, "; ".join(e.message for e in errors[index])])
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ListError("list.write", target, detail=str(exc)) from exc
    return tmp
