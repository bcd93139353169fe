"""The person card's panel of values set aside for review.

A panel, not a message box: the officer reads it while correcting the form underneath.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.review import ReviewItem
from consuldesk.i18n import _, ngettext
from consuldesk.messages import field_label
from consuldesk.ui.review_text import review_origin, review_reason, review_value

#: Lines of text shown before the list of values scrolls: the form below keeps its room on a
#: 700-pixel screen.
MAX_LINES = 8

# Fixed light colours, so the text is set dark too (a dark theme must not put white on amber).
# Any QFrame named "review" takes it: the card's panel and the overview's notice look alike.
REVIEW_STYLE = (
    "QFrame#review { background: #fff4ce; border: 1px solid #e0b000; border-radius: 4px; }"
    " QFrame#review QLabel { color: #1f1f1f; background: transparent; }"
    " QFrame#review QScrollArea, QFrame#review QWidget#review_items"
    " { background: transparent; }"
)
_MUTED = "#5c5c5c"
_DONE = "#1b5e20"


def warning_icon_label() -> QLabel:
    """The style's small warning icon (the same mark as on the list's rows)."""
    label = QLabel()
    style = label.style()
    size = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
    icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    label.setPixmap(icon.pixmap(size, size))
    return label


class ReviewPanel(QFrame):
    """A record's set-aside values: each with its field, the value as given, why, and where
    it came from.

    Each value has a button that asks the card to put it into its field ("Put in field"), or,
    for a field chosen from a list, to go to that field ("Go to field"). "Mark as reviewed"
    asks the card to dismiss the values still waiting. Values whose field the officer has
    already corrected (:meth:`set_pending`) read "corrected" and wait only for Save.

    Signals:
        correct_requested(object): the officer wants to correct this :class:`ReviewItem`.
        reviewed_requested(): "Mark as reviewed" was clicked.
    """

    correct_requested = Signal(object)
    reviewed_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review")
        self.setStyleSheet(REVIEW_STYLE)
        self._items: tuple[ReviewItem, ...] = ()
        self._pending: set[str] = set()
        self._text_fields: set[str] = set()
        self._widget_fields: set[str] = set()
        self._busy = False
        self.item_labels: list[QLabel] = []
        self.correct_buttons: list[QPushButton | None] = []

        self.icon_label = warning_icon_label()
        self.title_label = QLabel()
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.hint_label = QLabel(
            _(
                "These values did not pass a check and were kept out of the record. Correct"
                " the field and save, or mark them as reviewed if the record is right as it is."
            )
        )
        self.hint_label.setWordWrap(True)
        self.reviewed_button = QPushButton(_("Mark as reviewed"))
        self.reviewed_button.setToolTip(
            _("The values still waiting are dropped; the record stays as it is")
        )
        self.reviewed_button.setAutoDefault(False)

        self._list = QWidget()
        self._list.setObjectName("review_items")
        self._grid = QGridLayout(self._list)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(6)
        self._grid.setColumnStretch(0, 1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._scroll.setWidget(self._list)
        # The list's height follows its width (wrapped lines): fit the scroll area on resize.
        self._list.installEventFilter(self)

        head = QHBoxLayout()
        head.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title_label)
        words.addWidget(self.hint_label)
        head.addLayout(words, 1)
        head.addWidget(self.reviewed_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self._scroll)
        self.reviewed_button.clicked.connect(self._on_reviewed_button_clicked)
        self.hide()

    # -- content ---------------------------------------------------------------------------

    @property
    def items(self) -> tuple[ReviewItem, ...]:
        """The values shown."""
        return self._items

    @property
    def waiting(self) -> list[ReviewItem]:
        """The values not corrected in the form: what "Mark as reviewed" dismisses."""
        return [item for item in self._items if item.field not in self._pending]

    def set_items(
        self,
        items: Sequence[ReviewItem],
        text_fields: Collection[str] = (),
        widget_fields: Collection[str] = (),
    ) -> None:
        """Show these values (the panel hides when there are none).

        Args:
            items: the record's review items.
            text_fields: fields whose editor takes text: "Put in field" fills it.
            widget_fields: other fields the card has a widget for: "Go to field".
        """
        self._items = tuple(items)
        self._text_fields = set(text_fields)
        self._widget_fields = set(widget_fields)
        self._pending &= {item.field for item in self._items}
        while self._grid.count():
            taken = self._grid.takeAt(0)
            if taken is not None and (widget := taken.widget()) is not None:
                widget.deleteLater()
        self.item_labels = []
        self.correct_buttons = []
        for row, item in enumerate(self._items):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            # The value as given can be copied (to search for it, or to mail the sender).
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self._grid.addWidget(label, row, 0)
            self.item_labels.append(label)
            button = self._correct_button(item)
            if button is not None:
                self._grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
            self.correct_buttons.append(button)
        self._refresh()
        self.setVisible(bool(self._items))

    def _correct_button(self, item: ReviewItem) -> QPushButton | None:
        label = field_label(item.field)
        if item.field in self._text_fields:
            button = QPushButton(_("Put in field"))
            button.setToolTip(
                _("Put {value} into “{field}” to correct it").format(
                    value=review_value(item), field=label
                )
            )
        elif item.field in self._widget_fields:
            button = QPushButton(_("Go to field"))
            button.setToolTip(_("Go to “{field}” to correct it").format(field=label))
        else:
            return None  # the whole row, or a family: nothing on the card to put it in
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False, it=item: self.correct_requested.emit(it))
        return button

    def set_pending(self, fields: Collection[str]) -> None:
        """Mark the values of these fields as corrected in the form (cleared on save)."""
        pending = set(fields) & {item.field for item in self._items}
        if pending != self._pending:
            self._pending = pending
            self._refresh()

    def set_busy(self, busy: bool) -> None:
        """Disable "Mark as reviewed" while the case file is written."""
        self._busy = busy
        self._refresh()

    def _refresh(self) -> None:
        waiting = len(self.waiting)
        total = len(self._items)
        if waiting:
            self.title_label.setText(
                ngettext(
                    "{n} value set aside for review", "{n} values set aside for review", total
                ).format(n=total)
            )
        else:
            self.title_label.setText(
                ngettext(
                    "Corrected: save to clear {n} value set aside",
                    "Corrected: save to clear {n} values set aside",
                    total,
                ).format(n=total)
            )
        self.hint_label.setVisible(bool(waiting))
        self.reviewed_button.setEnabled(bool(waiting) and not self._busy)
        for item, label in zip(self._items, self.item_labels, strict=True):
            label.setText(self._item_html(item, item.field in self._pending))
        self._fit()

    @staticmethod
    def _item_html(item: ReviewItem, corrected: bool) -> str:
        origin = review_origin(item)
        given = _("given as {value}").format(value=review_value(item))
        html = f"<b>{escape(field_label(item.field))}</b> — {escape(given)}"
        reason = escape(review_reason(item))
        if origin:
            reason += f' <span style="color:{_MUTED}">({escape(origin)})</span>'
        html += f"<br>{reason}"
        if corrected:
            done = escape(_("Corrected in the form: cleared when you save"))
            html = f'<span style="color:{_MUTED}">{html}</span><br>'
            html += f'<span style="color:{_DONE}"><b>✓ {done}</b></span>'
        return html

    # -- size ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._list and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        """Give the list the height of its wrapped lines, up to :data:`MAX_LINES` lines."""
        width = self._scroll.viewport().width()
        layout = self._list.layout()
        if layout is None:
            return
        if layout.hasHeightForWidth() and width > 0:
            needed = layout.totalHeightForWidth(width)
        else:
            needed = layout.totalSizeHint().height()
        spacing = self.fontMetrics().lineSpacing()
        cap = spacing * MAX_LINES
        # Half a line more than measured: a line that wraps once more at the width it really
        # gets was cut in half at the bottom of the card (1024 px, a long reason).
        height = max(0, min(needed + spacing // 2, cap))
        if self._scroll.height() != height or self._scroll.minimumHeight() != height:
            self._scroll.setFixedHeight(height)

    # -- actions ---------------------------------------------------------------------------

    @Slot()
    def _on_reviewed_button_clicked(self) -> None:
        if self.waiting:
            self.reviewed_requested.emit()


__all__ = ["REVIEW_STYLE", "ReviewPanel", "warning_icon_label"]
