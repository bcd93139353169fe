"""Hybrid logical clock: versions that order changes across posts even when wall clocks drift.

A version is a string ``"<wall ms, 15 digits>.<counter, 5 digits>.<node>"``; comparing two strings
compares the versions (Kulkarni et al., "Logical Physical Clocks", 2014).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    """One HLC reading; orders by wall time, then counter, then node."""

    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:015d}.{self.counter:05d}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """Read a version string written by :meth:`__str__`.

        Raises:
            ValueError: the text is not a version.
        """
        wall, counter, node = text.split(".", 2)
        if len(wall) != 15 or len(counter) != 5 or not node:
            raise ValueError(f"not an HLC version: {text!r}")
        return cls(int(wall), int(counter), node)


class HybridLogicalClock:
    """A clock for one node (post); not thread-safe, callers serialise writes."""

    def __init__(
        self,
        node: str,
        last: Timestamp | None = None,
        wall: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        if not node or "." in node:
            raise ValueError("an HLC node must be a non-empty name without dots")
        self.node = node
        self._wall = wall
        self._last = last or Timestamp(0, 0, node)

    @property
    def last(self) -> Timestamp:
        """The most recent timestamp issued or received."""
        return self._last

    def now(self) -> Timestamp:
        """Issue a timestamp for a local event, greater than every one seen so far."""
        wall = self._wall()
        if wall > self._last.wall_ms:
            self._last = Timestamp(wall, 0, self.node)
        else:
            self._last = Timestamp(self._last.wall_ms, self._last.counter + 1, self.node)
        return self._last

    def receive(self, remote: Timestamp) -> Timestamp:
        """Merge a timestamp from another node (a synced change) and issue a later local one."""
        wall = self._wall()
        top = max(wall, self._last.wall_ms, remote.wall_ms)
        if top == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter) + 1
        elif top == self._last.wall_ms:
            counter = self._last.counter + 1
        elif top == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self._last = Timestamp(top, counter, self.node)
        return self._last
