"""Writing files the officer asked for without ever leaving half of one behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from consuldesk.store.models import new_id


def temp_beside(target: Path) -> Path:
    """A hidden temporary name in ``target``'s folder (same disk, so the final move is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{new_id()[-8:]}.tmp")


@contextmanager
def atomic_text_file(target: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write ``target`` through a temporary file moved into place only when complete.

    On any error (a full USB stick, a vanished folder) the temporary file is removed and an
    existing ``target`` is left as it was.
    """
    tmp = temp_beside(target)
    try:
        with tmp.open("w", encoding=encoding, newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
