"""A line of three parts whose middle part gives way first: ``17:00 09.12 · …P 48213 · boarding``.

Two buses leaving at the same hour differ only by their plates. Cut at its end, as a view cuts
any text, the line of each read ``17:00 09.12 · Dubai P 4…`` on a small screen; cut in its
middle, the plates went altogether. Here the head (the departure) and the tail (the status)
stay whole while there is room, and the middle (the vehicle) loses its start, keeping the end
that tells plates apart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: The item data role holding ``(head, middle, tail)``; the display text stays the whole line.
PARTS_ROLE = Qt.ItemDataRole.UserRole + 7
SEPARATOR = " · "
#: What is kept of the middle at least before the tail gives way (an ellipsis and 4 letters).
_MIDDLE_KEPT = 4


def fit_parts(metrics: QFontMetrics, width: int, head: str, middle: str, tail: str) -> str:
    """The three parts joined in ``width`` pixels: whole if they fit; else the middle cut at
    its start; else, when the middle would keep fewer than a few letters, without the tail;
    else the whole line cut at its end."""
    parts = [p for p in (head, middle, tail) if p]
    full = SEPARATOR.join(parts)
    if width <= 0 or metrics.horizontalAdvance(full) <= width or not middle:
        return full
    least = metrics.horizontalAdvance("…" + middle[-_MIDDLE_KEPT:])
    for kept in ([head, tail], [head]):
        around = [p for p in kept if p]
        fixed = metrics.horizontalAdvance(SEPARATOR.join([*around, ""]) if around else "")
        room = width - fixed
        if room >= least:
            cut = metrics.elidedText(middle, Qt.TextElideMode.ElideLeft, room)
            return SEPARATOR.join([p for p in (head, cut, tail if tail in kept else "") if p])
    return metrics.elidedText(full, Qt.TextElideMode.ElideRight, width)


class PartsDelegate(QStyledItemDelegate):
    """Draws an item that has :data:`PARTS_ROLE` with :func:`fit_parts`; others as usual."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        parts = index.data(PARTS_ROLE)
        if not parts or option.rect.width() <= 0:  # type: ignore[attr-defined]
            return  # a size hint: the whole line
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is None:
            return
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
        # The style keeps a few pixels each side of the text inside that rectangle.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        option.text = fit_parts(  # type: ignore[attr-defined]
            option.fontMetrics,  # type: ignore[attr-defined]
            text_rect.width() - 2 * margin,
            *parts,
        )
