"""Small helpers for table views."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHeaderView


def show_columns_in_order(header: QHeaderView, order: Sequence[int]) -> None:
    """Show the model's columns ``order`` first, in that order (the others after them, as they
    were): what an officer looks for stays in view on a small screen, and the model's column
    numbers do not change."""
    for visual, logical in enumerate(order):
        header.moveSection(header.visualIndex(logical), visual)
