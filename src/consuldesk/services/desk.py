"""The services' context: one open case file, the officer at the keyboard, and today's date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from consuldesk.services.errors import ServiceError
from consuldesk.store.db import CaseFile, Tx

#: What each role may do, beyond reading and printing (which every role may).
#: ``change``: register, edit, place, allocate, import lists; ``export``: write lists of
#: people to a file (a viewer may print a manifest, not carry the whole list away);
#: ``delete``: delete and merge records; ``restore``: put a backup in place of the file;
#: ``bundle``: export and import bundles;
#: ``keys``: the post's sync keys;
#: ``accounts``: officers, their roles, the recovery key, encryption.
ROLE_POWERS: dict[str, frozenset[str]] = {
    "viewer": frozenset(),
    "officer": frozenset({"change", "export"}),
    "head": frozenset({"change", "export", "delete", "restore", "bundle", "keys", "accounts"}),
}
ROLES = tuple(ROLE_POWERS)

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
    #: The officer's role (a plain case file has no accounts: whoever opens it may do all).
    role: str = "head"
    #: A login to record in the session's first change (see ``access.login``), or None.
    pending_login: Callable[[Tx], None] | None = field(default=None, repr=False, compare=False)
    # The post's keys once unsealed in this session (see consuldesk.services.keys.unlock_all).
    unlocked: Any = field(default=None, repr=False, compare=False)
    #: Files written from the case file that its audit trail could not record (it takes no
    #: writes: read-only, damaged, a full disk), with why: the caller tells the officer.
    unrecorded: list[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)

    def may(self, power: str) -> bool:
        """Whether the officer's role allows ``power`` (see :data:`ROLE_POWERS`)."""
        return power in ROLE_POWERS.get(self.role, frozenset())

    def require(self, power: str) -> None:
        """Refuse what the officer's role does not allow.

        Raises:
            ServiceError: ``role.denied`` (params ``power``, ``role``, ``officer``).
        """
        if not self.may(power):
            raise ServiceError("role.denied", "", power=power, role=self.role, officer=self.officer)

    @contextmanager
    def write(self, power: str = "change") -> Iterator[Tx]:
        """One write transaction as this officer, once their role allows ``power``."""
        self.require(power)
        with self.casefile.write(self.officer) as tx:
            if self.pending_login is not None:
                self.pending_login(tx)  # committed, or rolled back, with the change
            yield tx
        self.pending_login = None

    @property
    def encrypted(self) -> bool:
        """Whether the case file is encrypted at rest."""
        return self.casefile.key is not None

    @property
    def path(self) -> Path:
        """The case file's path."""
        return self.casefile.path

    def close(self) -> None:
        """Close the case file (and forget the keys unsealed in this session)."""
        self.unlocked = None
        self.casefile.close()
