"""The services' context: one open case file, the officer at the keyboard, and today's date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from consuldesk.store.db import CaseFile

#: A progress callback: ``progress(done, total, label)``; return value ignored.
Progress = Callable[[int, int, str], object]


def no_progress(done: int, total: int, label: str) -> None:
    """A progress callback that reports nowhere."""


class Cancelled(Exception):
    """Long work stopped because the caller asked it to; nothing was committed."""


@dataclass
class CancelFlag:
    """Set from another thread to ask long work to stop at its next check."""

    requested: bool = False

    def cancel(self) -> None:
        """Ask the work to stop."""
        self.requested = True

    def check(self) -> None:
        """Raise :class:`Cancelled` when cancellation was asked for."""
        if self.requested:
            raise Cancelled()


@dataclass
class Desk:
    """Everything a use case needs: the case file, who acts, and what day it is.

    ``today`` is injectable so that age rules are testable.
    """

    casefile: CaseFile
    officer: str
    today: Callable[[], date] = field(default=date.today)
    # The post's keys once unsealed in this session (see consuldesk.services.keys.unlock_all).
    unlocked: Any = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> Path:
        """The case file's path."""
        return self.casefile.path

    def close(self) -> None:
        """Close the case file (and forget the keys unsealed in this session)."""
        self.unlocked = None
        self.casefile.close()
