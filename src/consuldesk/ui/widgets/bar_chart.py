"""A small horizontal bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials).

Each bar has its label on the left and its value written on the right, so the chart reads
the same in black and white, on a projector or on a fax of a printout.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

_BAR_HEIGHT = 16
_GAP = 6
_PAD = 4


class BarChart(QWidget):
    """Labelled horizontal bars, longest value longest bar; ``set_data`` replaces them."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._data: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(title)

    def set_data(self, data: Sequence[tuple[str, int]]) -> None:
        """Show these ``(label, value)`` pairs, in this order."""
        self._data = [(str(label), int(value)) for label, value in data]
        self.setAccessibleDescription("; ".join(f"{label}: {value}" for label, value in self._data))
        self.updateGeometry()
        self.update()

    def data(self) -> list[tuple[str, int]]:
        """The pairs shown."""
        return list(self._data)

    def title(self) -> str:
        """The chart's title."""
        return self._title

    def _row_height(self) -> int:
        return max(_BAR_HEIGHT, self.fontMetrics().height()) + _GAP

    def _title_height(self) -> int:
        return self.fontMetrics().height() + _GAP if self._title else 0

    def sizeHint(self) -> QSize:
        rows = max(1, len(self._data))
        return QSize(360, self._title_height() + rows * self._row_height() + 2 * _PAD)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        metrics = self.fontMetrics()
        width = self.width() - 2 * _PAD
        y = _PAD
        if self._title:
            bold = painter.font()
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(text)
            painter.drawText(
                QRectF(_PAD, y, width, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                self._title,
            )
            painter.setFont(self.font())
            y += self._title_height()
        if not self._data:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRectF(_PAD, y, width, self._row_height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                "—",
            )
            return
        locale = QLocale()
        values = [locale.toString(v) for _, v in self._data]
        label_w = min(width // 2, max(metrics.horizontalAdvance(lbl) for lbl, _ in self._data) + 14)
        value_w = max(metrics.horizontalAdvance(v) for v in values) + 8
        bar_w = max(10, width - label_w - value_w)
        top = max(1, max(v for _, v in self._data))
        row_h = self._row_height()
        # Dark outline and a mid-grey fill: a bar is visible in colour and in greyscale.
        outline = QPen(text)
        outline.setWidth(1)
        fill = palette.color(QPalette.ColorRole.Highlight)
        for (label, value), shown in zip(self._data, values, strict=True):
            row = QRectF(_PAD, y, width, row_h - _GAP)
            painter.setPen(text)
            painter.drawText(
                QRectF(row.left(), row.top(), label_w - 6, row.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 6),
            )
            length = bar_w * value / top
            if value > 0:
                painter.setPen(outline)
                painter.setBrush(fill)
                painter.drawRect(
                    QRectF(row.left() + label_w, row.top() + 1, max(2, length), row.height() - 2)
                )
            painter.setPen(text)
            painter.drawText(
                QRectF(row.left() + label_w + length + 4, row.top(), value_w, row.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            y += row_h


__all__ = ["BarChart"]
