"""Files and folders only their owner can read: a laptop lost at a checkpoint, or shared in
shifts, shows nobody else the case file, its backups, exports, review files or manifests.

Whatever the umask (022 makes files 644, 000 makes them 666), what ConsulDesk writes is made
mode 600 and the folders it makes 700 (:func:`make_private`, :func:`private_dir`). Only the
group and other bits are taken away: a case file someone made read-only stays read-only. On
Windows the user's profile folders are private already and modes mean little; nothing is done.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: The modes of what ConsulDesk writes.
FILE_MODE, DIR_MODE = 0o600, 0o700
#: A process umask that keeps everything created afterwards private (set by the entry points).
PRIVATE_UMASK = 0o077


def make_private(path: Path | str) -> None:
    """Take the group's and others' permissions off ``path`` (a file or a folder we own).

    A file that cannot be changed (owned by someone else, a disk without modes such as FAT)
    is left as it is: it is the disk's owner's to protect.
    """
    if os.name == "nt":
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) as folders only their owner can enter. A folder
    that exists already is left as it is (the officer chose it: a USB stick, Documents)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        make_private(folder)
    return path


def private_umask() -> int:
    """Make everything the process creates from now on private; returns the umask before."""
    return os.umask(PRIVATE_UMASK)


def discard(tmp: Path) -> None:
    """Remove a temporary file after a failed write, if it is there and can go. On a
    write-protected stick even removing fails (EROFS): the write's own error is the one to
    report, never this one."""
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def discard_database(path: Path) -> None:
    """Remove a database file that was not finished (a copy cut short, a case file that could
    not be created), with the log files SQLite keeps beside it, as far as they can go."""
    for part in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        discard(part)
