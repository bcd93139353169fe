"""Models of the import dialog: the columns of a list (what each is read as, changeable by the
officer) and the problems of its rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from consuldesk.i18n import _
from consuldesk.messages import column_note, field_label
from consuldesk.services.lists import TARGETS, ColumnMapping, RowError
from consuldesk.ui.models.base import RowsModel

Index = QModelIndex | QPersistentModelIndex

IGNORED_FOREGROUND = QColor("#757575")
CONFLICT_BACKGROUND = QColor("#fde0dc")
SET_ASIDE_BACKGROUND = QColor("#fff4d6")

#: What the officer reads for each kind of row problem (RowError.kind).
KIND_LABELS = {
    "refused": "Not imported",
    "set_aside": "Set aside",
    "note": "Note",
}


def target_text(target: str | None) -> str:
    """What a column is read as, for the officer."""
    return field_label(target) if target else _("ignored")


class MappingModel(RowsModel):
    """Columns of a list: the header as written, an example value, what it is read as (the
    officer may change it) and how it is used.

    Signals:
        target_chosen(int, object): the officer chose what column ``index`` holds (a target
            name, or ``None`` to ignore it).
    """

    target_chosen = Signal(int, object)

    COL_HEADER, COL_SAMPLE, COL_TARGET, COL_NOTE = range(4)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Column in the file"), _("Example"), _("Read as"), _("Note")], parent)
        self._rows: list[ColumnMapping] = []
        self._conflicts: set[int] = set()
        self.editable = True

    def set_conflicts(self, columns: set[int]) -> None:
        """Mark the columns (by position) that clash with each other."""
        self._conflicts = set(columns)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == self.COL_TARGET and self.editable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.COL_TARGET:
            return False
        if role != Qt.ItemDataRole.EditRole:
            return False
        mapping = self._rows[index.row()]
        target = value or None
        if target == mapping.field:
            return False
        # The dialog checks the list again with the choice and shows the new mapping.
        self.target_chosen.emit(mapping.index, target)
        return True

    def _data(self, m: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_HEADER:
                return m.header or _("(no header)")
            if col == self.COL_SAMPLE:
                return m.sample
            if col == self.COL_TARGET:
                return target_text(m.field)
            if col == self.COL_NOTE:
                return self._note(m)
        if role == Qt.ItemDataRole.EditRole and col == self.COL_TARGET:
            return m.field or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_TARGET and self.editable:
                return _("Double-click to choose what this column holds")
            if col in (self.COL_SAMPLE, self.COL_NOTE):
                return m.sample if col == self.COL_SAMPLE else self._note(m)
        if role == Qt.ItemDataRole.ForegroundRole and m.field is None:
            return QBrush(IGNORED_FOREGROUND)
        if role == Qt.ItemDataRole.BackgroundRole and m.index in self._conflicts:
            return QBrush(CONFLICT_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_TARGET and m.origin != "recognised":
            font = QFont()
            font.setBold(True)  # chosen by an officer, now or for this layout before
            return font
        return None

    @staticmethod
    def _note(m: ColumnMapping) -> str:
        note = column_note(m.field, m.note)
        if m.origin == "chosen":
            return _("Chosen for this list") + (f" — {note}" if note else "")
        if m.origin == "remembered":
            return _("As chosen for lists like this before") + (f" — {note}" if note else "")
        return note


class TargetDelegate(QStyledItemDelegate):
    """A drop-down of every target (and "ignored") for the "Read as" column; the choice takes
    effect as soon as it is made."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem(_("ignored"), "")
        for target in TARGETS:
            combo.addItem(field_label(target), target)
        combo.setMaxVisibleItems(16)
        combo.activated.connect(lambda _index: self._commit(combo))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        found = editor.findData(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ProblemsModel(RowsModel):
    """What was found in the rows: not imported, set aside for review, notes; by line."""

    COL_LINE, COL_KIND, COL_FIELD, COL_VALUE, COL_MESSAGE = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [_("Line"), _("What happened"), _("Field"), _("Value in the list"), _("Why")], parent
        )
        self._rows: list[RowError] = []

    def _data(self, e: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_LINE:
                return e.line
            if col == self.COL_KIND:
                return _(KIND_LABELS.get(e.kind, e.kind))
            if col == self.COL_FIELD:
                return field_label(e.field)
            if col == self.COL_VALUE:
                return e.value
            if col == self.COL_MESSAGE:
                return e.message
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_MESSAGE, self.COL_VALUE):
            return e.message if col == self.COL_MESSAGE else e.value
        if role == Qt.ItemDataRole.ForegroundRole and e.kind == "refused":
            return QBrush(QColor("#b00020"))
        if role == Qt.ItemDataRole.BackgroundRole and e.kind == "set_aside":
            return QBrush(SET_ASIDE_BACKGROUND)
        return None


__all__ = ["KIND_LABELS", "MappingModel", "ProblemsModel", "TargetDelegate", "target_text"]
