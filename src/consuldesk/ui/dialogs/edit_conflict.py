"""Changed while you were editing: the fields someone else changed too, with a choice for each.

Opened by the person card when its save meets an
:class:`~consuldesk.services.errors.EditConflict`: nothing was written. Each conflicting field
shows the value when the card was opened, the other change (who made it, where and when) and
the officer's own value, with "Take theirs" / "Keep mine" per field and for all. Fields only the
others changed are listed as kept. No choice is made for the officer: Save waits until every
field has one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.edits import BOTH_KEEPABLE, both_values
from consuldesk.i18n import _, ngettext
from consuldesk.messages import value_text
from consuldesk.services.errors import EditConflict, FieldChange
from consuldesk.ui.dialogs.person_card import label_of

THEIRS, MINE, BOTH = 0, 1, 2
#: Secondary text (the value when opened, who changed it): grey, still readable on paper white.
QUIET = "color: #5a5f66;"
#: A choice's words, per side.
CHOICE_LABELS = {THEIRS: "Take theirs", MINE: "Keep mine", BOTH: "Keep both"}
#: How the other change came, said after who made it.
HOW_LABELS = {"sync": "received in a bundle", "merge": "when two records were merged"}


def who_text(change: FieldChange) -> str:
    """Who made the other change, where and when, as far as the case file knows."""
    when = f"{change.at.astimezone():%d.%m.%Y %H:%M}" if change.at else ""
    if change.by and change.post:
        text = _("{officer} ({post}), {when}").format(
            officer=change.by, post=change.post, when=when
        )
    elif change.post:
        text = _("an officer of {post}, {when}").format(post=change.post, when=when)
    else:
        text = _("not known who, {when}").format(when=when) if when else _("not known who")
    how = HOW_LABELS.get(change.action or "")
    return f"{text}; {_(how)}" if how else text


class _ChoiceLabel(QLabel):
    """A value beside its radio button: clicking the text chooses it too (long values wrap,
    which a radio button's own text cannot)."""

    def __init__(self, text: str, radio: QRadioButton) -> None:
        super().__init__(text)
        self._radio = radio
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._radio.setChecked(True)
        super().mousePressEvent(event)


class EditConflictDialog(QDialog):
    """Choose, field by field, between the other change and the officer's own.

    Signals:
        resolved(object): ``{field: THEIRS or MINE}`` for every conflicting field, on Save.
    """

    resolved = Signal(object)

    def __init__(self, conflict: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.setWindowTitle(_("Changed while you were editing"))
        self.setMinimumSize(760, 420)
        # Room for three fields of long values without scrolling, inside a 1024 x 700 screen.
        self.resize(880, 600)

        n = len(conflict.conflicts)
        intro = QLabel(
            ngettext(
                "While this card was open, someone else changed {n} field that you changed"
                " too. Nothing is saved yet: choose which value to keep.",
                "While this card was open, someone else changed {n} fields that you changed"
                " too. Nothing is saved yet: choose which value to keep for each.",
                n,
            ).format(n=n)
        )
        intro.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(10)
        headers = [_("Field"), _("When you opened the card"), _("Their change"), _("Yours")]
        if any(c.field in BOTH_KEEPABLE for c in conflict.conflicts):
            headers.append(_("Both"))  # phones and notes: theirs, then yours
        for column, text in enumerate(headers):
            header = QLabel(text)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            header.setWordWrap(True)
            grid.addWidget(header, 0, column, Qt.AlignmentFlag.AlignTop)
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[tuple[str, int], QRadioButton] = {}
        for row, change in enumerate(conflict.conflicts, start=1):
            name = QLabel(label_of(change.field))
            font = name.font()
            font.setBold(True)
            name.setFont(font)
            name.setWordWrap(True)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            opened = QLabel(value_text(change.field, change.opened))
            opened.setWordWrap(True)
            opened.setTextFormat(Qt.TextFormat.PlainText)
            opened.setStyleSheet(QUIET)
            grid.addWidget(opened, row, 1, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            sides = [(2, THEIRS, change.theirs), (3, MINE, change.mine)]
            if change.field in BOTH_KEEPABLE:
                both = both_values(change.field, change.theirs, change.mine)
                sides.append((4, BOTH, both))
            for column, side, value in sides:
                grid.addWidget(self._choice(change, side, value, group), row, column)
            self.groups[change.field] = group
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 2)
        if len(headers) > 4:
            grid.setColumnStretch(4, 2)
        grid.setRowStretch(len(conflict.conflicts) + 1, 1)
        table = QWidget()
        table.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(table)

        self.kept_label = QLabel()
        self.kept_label.setWordWrap(True)
        self.kept_label.setTextFormat(Qt.TextFormat.PlainText)
        if conflict.kept:
            kept = "\n".join(
                f"•  {label_of(c.field)}: {value_text(c.field, c.theirs)} — {who_text(c)}"
                for c in conflict.kept
            )
            self.kept_label.setText(
                _("Also changed meanwhile and kept, as you had not changed them: {fields}").format(
                    fields=f"\n{kept}"
                )
            )
        else:
            self.kept_label.hide()

        self.all_theirs_button = QPushButton(_("Take theirs for all"))
        self.all_mine_button = QPushButton(_("Keep mine for all"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(_("Save"))
        self.back_button = QPushButton(_("Back to the card"))
        self.back_button.setToolTip(_("Nothing is saved; the card keeps what you typed"))
        for button in (
            self.all_theirs_button,
            self.all_mine_button,
            self.save_button,
            self.back_button,
        ):
            button.setAutoDefault(False)  # Enter must not choose for the officer
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_theirs_button)
        buttons.addWidget(self.all_mine_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.back_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.kept_label)
        layout.addLayout(buttons)
        self._connect_signals()
        self._update_state()

    def _choice(
        self, change: FieldChange, side: int, value: object, group: QButtonGroup
    ) -> QWidget:
        """One side of a field: its radio button, the value, and for theirs who made it."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        radio = QRadioButton(_(CHOICE_LABELS[side]))
        radio.setObjectName(f"{change.field}_{('theirs', 'mine', 'both')[side]}")
        group.addButton(radio, side)
        self.buttons[(change.field, side)] = radio
        layout.addWidget(radio)
        text = _ChoiceLabel(value_text(change.field, value), radio)
        text.setContentsMargins(22, 0, 0, 0)  # under the button's text, not its circle
        layout.addWidget(text)
        if side == THEIRS:
            who = QLabel(who_text(change))
            who.setWordWrap(True)
            who.setTextFormat(Qt.TextFormat.PlainText)
            who.setContentsMargins(22, 0, 0, 0)
            small = who.font()
            small.setPointSizeF(small.pointSizeF() * 0.9)
            who.setFont(small)
            who.setStyleSheet(QUIET)
            layout.addWidget(who)
        layout.addStretch(1)
        return box

    def _connect_signals(self) -> None:
        for group in self.groups.values():
            group.idToggled.connect(self._on_group_id_toggled)
        self.all_theirs_button.clicked.connect(self._on_all_theirs_button_clicked)
        self.all_mine_button.clicked.connect(self._on_all_mine_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.back_button.clicked.connect(self.reject)

    # -- choosing ------------------------------------------------------------------------

    def choose(self, field: str, side: int) -> None:
        """Take THEIRS or keep MINE for ``field``."""
        self.buttons[(field, side)].setChecked(True)

    def choose_all(self, side: int) -> None:
        """The same side for every field."""
        for field in self.groups:
            self.choose(field, side)

    @property
    def choices(self) -> dict[str, int]:
        """The side chosen for each field that has one."""
        return {f: g.checkedId() for f, g in self.groups.items() if g.checkedId() in CHOICE_LABELS}

    @property
    def waiting(self) -> int:
        """How many fields still need a choice."""
        return len(self.groups) - len(self.choices)

    @Slot(int, bool)
    def _on_group_id_toggled(self, _side: int, checked: bool) -> None:
        if checked:
            self._update_state()

    @Slot()
    def _on_all_theirs_button_clicked(self) -> None:
        self.choose_all(THEIRS)

    @Slot()
    def _on_all_mine_button_clicked(self) -> None:
        self.choose_all(MINE)

    def _update_state(self) -> None:
        left = self.waiting
        self.save_button.setEnabled(left == 0)
        self.status_label.setText(
            ngettext("{n} field to choose", "{n} fields to choose", left).format(n=left)
            if left
            else ""
        )

    @Slot()
    def _on_save_button_clicked(self) -> None:
        if self.waiting:
            return
        choices = self.choices
        self.accept()
        self.resolved.emit(choices)


__all__ = ["BOTH", "MINE", "THEIRS", "EditConflictDialog", "who_text"]
