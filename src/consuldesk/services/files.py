"""Writing files the officer asked for without ever leaving half of one behind."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

from consuldesk.i18n import _
from consuldesk.services.errors import ServiceError
from consuldesk.store.models import new_id
from consuldesk.store.private import discard, make_private

T = TypeVar("T")


def temp_beside(target: Path) -> Path:
    """A hidden temporary name in ``target``'s folder (same disk, so the final move is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{new_id()[-8:]}.tmp")


def os_reason(exc: BaseException) -> str:
    """Why the system refused to read or write a file, in the officer's language for the
    reasons officers meet (a write-protected or full stick, no permission, a path that is gone);
    the system's own words (English) for the rare others."""
    reasons = {
        errno.EROFS: _("the disk is write-protected"),
        errno.ENOSPC: _("the disk is full"),
        errno.EDQUOT: _("the disk is full"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"),
        errno.ENOENT: _("there is no such file or folder"),
        errno.ENOTDIR: _("part of the path is not a folder"),
        errno.EISDIR: _("it is a folder"),
        errno.EIO: _("the disk could not read or write it"),
        errno.ENAMETOOLONG: _("the name is too long"),
    }
    code = getattr(exc, "errno", None)
    if code in reasons:
        return reasons[code]
    return getattr(exc, "strerror", None) or str(exc)


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
        make_private(tmp)
        os.replace(tmp, target)
    finally:
        discard(tmp)


def write_bytes_atomically(target: Path, data: bytes, *, verify: bool = False) -> Path:
    """Write ``data`` to ``target`` whole or not at all (see :func:`atomic_text_file`); with
    ``verify``, the written file is read back and compared before it is moved into place (a USB
    stick that lies about what it stored).

    Raises:
        OSError: writing failed, or the file read back differs (errno EIO).
    """
    tmp = temp_beside(target)
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if verify and tmp.read_bytes() != data:
            raise OSError(errno.EIO, "the file read back differs from what was written")
        make_private(tmp)
        os.replace(tmp, target)
    finally:
        discard(tmp)
    return target


def file_in(target: Path, name: str, suffix: str, *, replace: bool = True) -> Path:
    """Where to write a file named ``name``: into ``target`` when it is a folder, or at
    ``target`` itself when that names a ``suffix`` file. A path that is neither (a stick that
    is not mounted: ``/media/usb``) is a missing folder, never a file made under its name.
    ``replace=False``: an existing ``suffix`` file at ``target`` is not written over (an
    earlier bundle, whose name says which it is).

    Raises:
        ServiceError: ``file.no_folder``; ``file.not_folder`` (``target`` is another kind of
            file); ``file.taken`` (``target`` exists and ``replace`` is false).
    """
    if target.is_dir():
        return target / name
    if target.name.endswith(suffix):
        if not replace and target.exists():
            raise ServiceError("file.taken", "path", path=str(target), folder=str(target.parent))
        return target
    if target.exists():
        raise ServiceError("file.not_folder", "path", path=str(target), folder=str(target.parent))
    raise ServiceError("file.no_folder", "path", folder=str(target), path=str(target / name))


def written_to(out_path: Path, write: Callable[[], T]) -> T:
    """Run ``write`` (which writes ``out_path`` atomically), turning failures into messages.

    Raises:
        ServiceError: ``file.no_folder`` (param ``folder``) when the target's folder does not
            exist (a USB stick pulled out, a mistyped path); ``file.write`` (params ``path``,
            ``reason``) for any other failure to write (a full disk, no permission).
    """
    folder = Path(out_path).parent
    if not folder.is_dir():
        raise ServiceError("file.no_folder", "path", folder=str(folder), path=str(out_path))
    try:
        return write()
    except OSError as exc:
        raise ServiceError("file.write", "path", path=str(out_path), reason=os_reason(exc)) from exc
