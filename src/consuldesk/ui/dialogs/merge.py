"""Merge two records of one person: both side by side, a choice per differing field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
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

from consuldesk.domain.national import NationalFields
from consuldesk.i18n import _
from consuldesk.messages import describe, value_text
from consuldesk.services.nationals import FIELD_NAMES, Saved, fields_of_row, merge_nationals
from consuldesk.services.rows import NationalRow
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_card import (
    label_of,
    person_summary,
)

LEFT, RIGHT = 0, 1
EMPTY = (None, "", False, ())


def _who(row: NationalRow, post: str) -> str:
    """A record as the choice of which one stays names it: with the post that registered
    it, when known (the same person registered at two posts meets at headquarters)."""
    who = person_summary(row)
    return _("{who}, registered by {post}").format(who=who, post=post) if post else who


class MergeDialog(QDialog):
    """Choose which record stays and, field by field, which value it keeps.

    Signals:
        merged(object): the :class:`consuldesk.services.nationals.Saved` kept record.
    """

    merged = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        left: NationalRow,
        right: NationalRow,
        parent: QWidget | None = None,
        *,
        posts: tuple[str, str] = ("", ""),
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Compare and merge"))
        self.setMinimumSize(820, 560)
        self._rows = (left, right)
        self._fields: tuple[NationalFields, NationalFields] = (
            fields_of_row(left),
            fields_of_row(right),
        )
        self._closed = False
        self._busy = False

        intro = QLabel(
            _(
                "Both records stay in the history. The one not kept is closed and its "
                "families, requests, hotel stays and seats move to the kept one; phones "
                "are combined."
            )
        )
        intro.setWordWrap(True)
        self.keep_group = QButtonGroup(self)
        self.keep_left = QRadioButton(_("Keep left: {who}").format(who=_who(left, posts[0])))
        self.keep_right = QRadioButton(_("Keep right: {who}").format(who=_who(right, posts[1])))
        self.keep_group.addButton(self.keep_left, LEFT)
        self.keep_group.addButton(self.keep_right, RIGHT)
        self.keep_left.setChecked(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for col, text in enumerate((_("Field"), _("Left record"), _("Right record"))):
            header = QLabel(f"<b>{text}</b>")
            grid.addWidget(header, 0, col)
        self.field_groups: dict[str, QButtonGroup] = {}
        row_no = 1
        for name in FIELD_NAMES:
            a, b = (getattr(f, name) for f in self._fields)
            if a in EMPTY and b in EMPTY:
                continue
            differs = a != b and name != "phones"
            # Fields with a choice stand out: they are what the officer has to look at.
            name_label = QLabel(f"<b>{label_of(name)}</b>" if differs else label_of(name))
            grid.addWidget(name_label, row_no, 0)
            if not differs:
                for col, value in ((1, a), (2, b)):
                    label = QLabel(value_text(name, value))
                    label.setWordWrap(True)
                    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                    grid.addWidget(label, row_no, col)
            else:
                group = QButtonGroup(self)
                for col, side, value in ((1, LEFT, a), (2, RIGHT, b)):
                    radio = QRadioButton(value_text(name, value))
                    radio.setObjectName(f"{name}_{side}")
                    group.addButton(radio, side)
                    grid.addWidget(radio, row_no, col)
                self.field_groups[name] = group
            row_no += 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(row_no, 1)
        table = QWidget()
        table.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(table)

        self.status_label = QLabel(
            _("Fields that differ have a choice; the rest are the same in both records.")
        )
        self.status_label.setWordWrap(True)
        self.merge_button = QPushButton(_("Merge"))
        self.merge_button.setAutoDefault(False)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.keep_left)
        layout.addWidget(self.keep_right)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._connect_signals()
        self._apply_defaults()

    def _connect_signals(self) -> None:
        self.keep_group.idToggled.connect(self._on_keep_group_id_toggled)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    @property
    def keep_side(self) -> int:
        """LEFT or RIGHT: the record that stays."""
        return RIGHT if self.keep_right.isChecked() else LEFT

    def _apply_defaults(self) -> None:
        """Each field: the kept record's value, unless it is empty there."""
        keep = self.keep_side
        drop = RIGHT - keep
        for name, group in self.field_groups.items():
            kept_value = getattr(self._fields[keep], name)
            empty = kept_value in EMPTY
            # The service always fills an empty field from the other record: no choice there;
            # nor is an empty value of the record that goes a choice over a real one (one
            # slip would blank the kept record's city or address).
            group.button(keep).setEnabled(not empty)
            group.button(drop).setEnabled(getattr(self._fields[drop], name) not in EMPTY)
            group.button(drop if empty else keep).setChecked(True)

    @Slot(int, bool)
    def _on_keep_group_id_toggled(self, _side: int, checked: bool) -> None:
        if checked:
            self._apply_defaults()

    def choose(self, field: str, side: int) -> None:
        """Pick the value of ``field`` from the LEFT or RIGHT record."""
        self.field_groups[field].button(side).setChecked(True)

    def take_from_drop(self) -> list[str]:
        """Fields whose value comes from the record that goes."""
        drop = RIGHT - self.keep_side
        return [name for name, g in self.field_groups.items() if g.checkedId() == drop]

    @Slot()
    def _on_merge_button_clicked(self) -> None:
        if self._busy:
            return
        keep, drop = self._rows[self.keep_side], self._rows[RIGHT - self.keep_side]
        take = self.take_from_drop()
        desk = self.ctx.desk
        self._busy = True
        self.merge_button.setEnabled(False)
        self.status_label.setText(_("Merging…"))
        self.ctx.tasks.run(
            lambda: merge_nationals(desk, keep.id, drop.id, take_from_drop=take),
            self._on_merge_done,
            self._on_merge_failed,
            owner=self,
        )

    def _on_merge_done(self, saved: Saved) -> None:
        self._busy = False
        self.ctx.events.changed.emit(saved.changes)
        self.merged.emit(saved)
        if not self._closed:
            self.accept()

    def _on_merge_failed(self, exc: BaseException) -> None:
        self._busy = False
        if self._closed:
            return
        if isinstance(exc, NotFound):  # the CLI, a bundle or another window got there first
            self.status_label.setText(
                _("One of the two records is gone: merged or deleted meanwhile. Nothing changed.")
            )
        else:
            self.merge_button.setEnabled(True)
            self.status_label.setText(describe(exc))
        self.status_label.setStyleSheet("color: #b00020;")

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)


__all__ = ["LEFT", "RIGHT", "MergeDialog"]
