"""Small disks for the tests of a full disk: a tmpfs of a given size, mounted for one test."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_tmpfs(tmp_path: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``tmp_path/disk`` with ``options`` (``size=16m``...), unmounted after;
    the test is skipped where one cannot be mounted (not root, not Linux, no permission)."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@contextmanager
def read_only_tmpfs(
    tmp_path: Path, files: dict[str, str | bytes], size: str = "1m"
) -> Iterator[Path]:
    """A small tmpfs holding ``files`` (name → UTF-8 text or bytes), then remounted
    read-only: writes fail with EROFS, the error of a write-protected USB stick, whoever the
    writer is (root too)."""
    with small_tmpfs(tmp_path, f"size={size},mode=0755") as mount:
        for name, content in files.items():
            if isinstance(content, bytes):
                (mount / name).write_bytes(content)
            else:
                (mount / name).write_text(content, encoding="utf-8")
        done = subprocess.run(
            ["mount", "-o", "remount,ro", str(mount)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.skip(f"cannot make the tmpfs read-only here: {done.stderr.strip()}")
        yield mount
