"""Start or edit an evacuation operation: its name, route, country, status and seat rules.

Also holds the form the other evacuation dialogs build on (saved off the UI thread, errors next
to their field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.allocation import OTHERS
from consuldesk.domain.enums import OperationStatus
from consuldesk.i18n import _
from consuldesk.messages import PRIORITY_CLASS_LABELS, describe
from consuldesk.services.evacuation import (
    OperationFields,
    OperationRow,
    add_operation,
    update_operation,
)
from consuldesk.services.nationals import filter_choices
from consuldesk.services.views import Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import country_text, fill_countries
from consuldesk.ui.dialogs.discard import DiscardGuardDialog
from consuldesk.ui.widgets.forms import error_label, make_default, with_side_column

OPERATION_STATUS_LABELS = {
    OperationStatus.PLANNED: "Planned",
    OperationStatus.UNDER_WAY: "Under way",
    OperationStatus.COMPLETED: "Completed",
    OperationStatus.CANCELLED: "Cancelled",
}
# Classes a new operation starts with, in order (pregnancy is offered, not used, by default).
DEFAULT_PRIORITY = OperationFields(name="").priority


# -- the shared form -----------------------------------------------------------------------


class FormDialog(DiscardGuardDialog):
    """A form saved off the UI thread: errors under their field, Save and Cancel below, and
    Cancel asks before throwing typed changes away.

    Subclasses register each field's widget with :meth:`add_field_row`, call :meth:`watch` on
    the signals that mean "the officer changed something", :meth:`lay_out` once the rows are
    in, and connect ``buttons`` to their save handler and to :meth:`reject`.

    Signals:
        saved(str): the saved row's id, once saved.
    """

    saved = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = QFormLayout()
        self.field_widgets: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.general_error = error_label()  # errors that name no field on the form
        self.touched = False
        self._loading = True  # filling the form is not a change; subclasses end it
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def lay_out(self) -> None:
        """The form, the error that names no field, then Save and Cancel."""
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        make_default(self.save_button)

    def add_field_row(self, label: str | QLabel, widget: QWidget | Any, *names: str) -> None:
        """A form row, followed by a (hidden) error row for each field name it holds."""
        self.form.addRow(label, widget)
        for name in names:
            err = error_label()
            self.error_labels[name] = err
            self.form.addRow("", err)
            if isinstance(widget, QWidget):
                self.field_widgets[name] = widget

    def watch(self, *signals: Any) -> None:
        """Count these signals as the officer changing the form."""
        for signal in signals:
            signal.connect(self._on_form_changed)

    @Slot()
    def _on_form_changed(self, *_args: object) -> None:
        if not self._loading:
            self.touched = True

    def clear_errors(self) -> None:
        """Hide every error shown."""
        for label in (*self.error_labels.values(), self.general_error):
            label.hide()
            label.clear()

    def show_field_error(self, name: str, text: str) -> None:
        """Show ``text`` under the field ``name`` (one the form checks itself) and focus it."""
        self.clear_errors()
        label = self.error_labels[name]
        label.setText(text)
        label.show()
        self.field_widgets[name].setFocus()
        self._grow()

    def show_error(self, exc: BaseException) -> None:
        """Show an error's sentence under the field it names (else under the form)."""
        self.clear_errors()
        fields = [exc, *getattr(exc, "errors", [])] if hasattr(exc, "errors") else [exc]
        shown = False
        for e in fields:
            name = getattr(e, "field", None) or ""
            label = self.error_labels.get(name)
            if label is None or getattr(e, "code", None) is None:
                continue
            label.setText(describe(e))
            label.show()
            if not shown and name in self.field_widgets:
                self.field_widgets[name].setFocus()
            shown = True
        if not shown:
            self.general_error.setText(describe(exc))
            self.general_error.show()
        self._grow()

    def _grow(self) -> None:
        # A shown dialog does not grow by itself: the error would squeeze the form instead.
        layout = self.layout()
        if layout is not None:
            layout.activate()
        height = max(self.height(), self.sizeHint().height())
        self.resize(self.width(), height)

    def run_save(self, work: Callable[[], Written[Any]]) -> None:
        """Save off the UI thread; on success announce the change, emit ``saved`` with the
        row's id, and close."""
        self.clear_errors()
        self.set_busy(True)

        def done(written: Written[Any]) -> None:
            self.ctx.events.changed.emit(written.changes)  # saved even if the dialog closed
            if self._closed or not isValid(self):
                return
            self.set_busy(False)
            self.touched = False
            self.saved.emit(written.row.id)
            self.accept()

        def failed(exc: BaseException) -> None:
            if self._closed or not isValid(self):
                return  # closed while the work ran
            self.set_busy(False)
            self.show_error(exc)

        self.ctx.tasks.run(work, done, failed, owner=self)

    def set_busy(self, busy: bool) -> None:
        """Save is off while a save runs."""
        self.save_button.setEnabled(not busy)

    def has_changes(self) -> bool:
        """Whether the officer changed the form since it was filled or saved."""
        return self.touched


# -- the operation -------------------------------------------------------------------------


class PriorityList(QListWidget):
    """The priority classes, most urgent first; a ticked class is used, "everyone else" is
    always last. Move a class with Alt+Up / Alt+Down (or the dialog's buttons).

    Signals:
        order_changed(): a class moved or was ticked or unticked.
    """

    order_changed = Signal()

    def __init__(self, priority: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relabelling = False
        used = [p for p in priority if p != OTHERS and p in PRIORITY_CLASS_LABELS]
        unused = [p for p in PRIORITY_CLASS_LABELS if p not in used and p != OTHERS]
        for name in [*used, *unused, OTHERS]:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, name)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if name != OTHERS:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            # "others" shows a ticked box the officer cannot change: always used, rows aligned.
            item.setCheckState(
                Qt.CheckState.Checked if name in used or name == OTHERS else Qt.CheckState.Unchecked
            )
            item.setFlags(flags)
            self.addItem(item)
        self._relabel()
        self.setCurrentRow(0)
        self.setSpacing(2)
        rows = self.count()
        self.setFixedHeight((self.sizeHintForRow(0) + 4) * rows + 2 * self.frameWidth() + 4)
        # As wide as its longest class ("1. medical needs or reduced mobility" in Russian is
        # long): no sideways scrolling to read a class.
        self.setMinimumWidth(self.sizeHintForColumn(0) + 2 * self.frameWidth() + 8)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.itemChanged.connect(self._on_item_changed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Alt+Up / Alt+Down move the class; a plain arrow only moves the selection.
        if event.modifiers() == Qt.KeyboardModifier.AltModifier:
            if event.key() == Qt.Key.Key_Up:
                self.move_up()
                return
            if event.key() == Qt.Key.Key_Down:
                self.move_down()
                return
        super().keyPressEvent(event)

    def classes(self) -> list[str]:
        """Every class in list order ("others" last)."""
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())]

    def priority(self) -> tuple[str, ...]:
        """The ticked classes in order, then "others"."""
        used = [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.item(i) for i in range(self.count()))
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable
            and item.checkState() == Qt.CheckState.Checked
        ]
        return (*used, OTHERS)

    def set_used(self, name: str, used: bool) -> None:
        """Tick or untick a class (as a click on its box would)."""
        row = self.classes().index(name)
        self.item(row).setCheckState(Qt.CheckState.Checked if used else Qt.CheckState.Unchecked)

    def can_move(self, row: int, step: int) -> bool:
        """Whether the class at ``row`` can move by ``step`` ("others" stays last)."""
        last = self.count() - 1  # "others"
        return 0 <= row < last and 0 <= row + step < last

    @Slot()
    def move_up(self) -> None:
        """Move the current class one place up."""
        self._move(-1)

    @Slot()
    def move_down(self) -> None:
        """Move the current class one place down."""
        self._move(1)

    def _move(self, step: int) -> None:
        row = self.currentRow()
        if not self.can_move(row, step):
            return
        self._relabelling = True
        item = self.takeItem(row)
        self.insertItem(row + step, item)
        self._relabelling = False
        self.setCurrentRow(row + step)
        self._relabel()
        self.order_changed.emit()

    @Slot(QListWidgetItem)
    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        if self._relabelling:
            return  # our own text change
        self._relabel()
        self.order_changed.emit()

    def _relabel(self) -> None:
        # Ranks are shown so the officer reads the order as a sentence: 1. medical, 2. over 60...
        self._relabelling = True
        rank = 0
        for i in range(self.count()):
            item = self.item(i)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            label = _(PRIORITY_CLASS_LABELS.get(name, name))
            if name == OTHERS:
                rank += 1
                item.setText(_("{rank}. {label} (everyone else, always last)").format(
                    rank=rank, label=label))  # fmt: skip
            elif item.checkState() == Qt.CheckState.Checked:
                rank += 1
                item.setText(_("{rank}. {label}").format(rank=rank, label=label))
            else:
                item.setText(_("{label} (not used: counted as everyone else)").format(label=label))
        self._relabelling = False


class OperationDialog(FormDialog):
    """Start an operation, or edit one (its seat rules apply to the next allocation).

    Signals:
        saved(str): the operation's id, once saved (from :class:`FormDialog`).
    """

    def __init__(
        self, ctx: AppContext, operation: OperationRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.operation = operation
        self.setWindowTitle(_("Edit operation") if operation else _("New evacuation operation"))
        self.setMinimumWidth(620)

        self.name_edit = QLineEdit(operation.name if operation else "")
        self.name_edit.setPlaceholderText(_("e.g. Dubai — Muscat, March"))
        self.route_edit = QLineEdit(operation.route or "" if operation else "")
        self.route_edit.setPlaceholderText(_("e.g. Dubai → Hatta → Muscat → Almaty"))
        self.country_box = QComboBox()
        self.country_box.setMaxVisibleItems(20)
        fill_countries(
            self.country_box, [], operation.host_country if operation else None, _("Not set")
        )
        self.status_box = QComboBox()
        for status, label in OPERATION_STATUS_LABELS.items():
            self.status_box.addItem(_(label), status.value)
        if operation is not None:
            self.status_box.setCurrentIndex(max(self.status_box.findData(operation.status), 0))
        self.notes_edit = QPlainTextEdit(operation.notes or "" if operation else "")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 3 + 12)

        self.priority_list = PriorityList(operation.priority if operation else DEFAULT_PRIORITY)
        self.up_button = QPushButton(_("Move &up"))
        self.up_button.setToolTip(_("Alt+Up in the list"))
        self.down_button = QPushButton(_("Move &down"))
        self.down_button.setToolTip(_("Alt+Down in the list"))
        for button in (self.up_button, self.down_button):
            button.setAutoDefault(False)  # Enter saves; it must not move a class
        self.priority_help = QLabel(
            _("Who gets a seat first. Tick a class to use it; Alt+Up and Alt+Down move it.")
        )
        self.priority_help.setWordWrap(True)
        self.split_box = QCheckBox(_("Families and tour groups may be sp&lit across vehicles"))
        self.split_box.setChecked(bool(operation and operation.allow_split_groups))
        self.split_help = QLabel(
            _("Off: a group travels together or waits for a vehicle with room for all of them.")
        )
        self.split_help.setWordWrap(True)
        # Under the box's text, not under the box itself.
        self.split_help.setIndent(self.split_box.iconSize().width() + 8)

        priority_row = with_side_column(self.priority_list, self.up_button, self.down_button)
        priority_label = QLabel(_("Seat &priority"))
        priority_label.setBuddy(self.priority_list)  # a row holding a layout has no buddy

        self.add_field_row(_("&Name"), self.name_edit, "name")
        self.add_field_row(_("&Route"), self.route_edit, "route")
        self.add_field_row(_("Host &country"), self.country_box, "host_country")
        self.add_field_row(_("&Status"), self.status_box, "status")
        self.add_field_row(_("N&otes"), self.notes_edit, "notes")
        self.add_field_row(priority_label, priority_row, "priority")
        self.field_widgets["priority"] = self.priority_list
        self.form.addRow("", self.priority_help)
        self.add_field_row("", self.split_box, "allow_split_groups")
        self.form.addRow("", self.split_help)

        self.lay_out()
        # At least 620 px, more when a translation needs it (a check box cannot wrap): an
        # explicit minimum keeps Qt from applying the layout's own.
        layout = self.layout()
        if layout is not None:
            self.setMinimumWidth(max(620, layout.minimumSize().width()))

        for a, b in [
            (self.name_edit, self.route_edit),
            (self.route_edit, self.country_box),
            (self.country_box, self.status_box),
            (self.status_box, self.notes_edit),
            (self.notes_edit, self.priority_list),
            (self.priority_list, self.up_button),
            (self.up_button, self.down_button),
            (self.down_button, self.split_box),
            (self.split_box, self.buttons),
        ]:
            QWidget.setTabOrder(a, b)
        self._connect_signals()
        self._update_move_buttons()
        self._loading = False
        self.name_edit.setFocus()
        self._load_countries()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.priority_list.currentRowChanged.connect(self._on_priority_list_current_row_changed)
        self.priority_list.order_changed.connect(self._on_priority_list_order_changed)
        self.watch(
            self.name_edit.textEdited,
            self.route_edit.textEdited,
            self.country_box.activated,
            self.status_box.activated,
            self.notes_edit.textChanged,
            self.split_box.toggled,
        )

    # -- countries -----------------------------------------------------------------------

    def _load_countries(self) -> None:
        desk = self.ctx.desk

        def work() -> tuple[str | None, list[str]]:
            post = desk.casefile.local_post()
            return getattr(post, "host_country", None), [
                c for c, _n in filter_choices(desk).countries
            ]

        self.ctx.tasks.run(work, self._on_countries_done, lambda _exc: None, owner=self)

    def _on_countries_done(self, result: tuple[str | None, list[str]]) -> None:
        if self._closed or not isValid(self):
            return
        post_country, on_file = result
        if self.operation is not None:
            current = self.operation.host_country
        elif self.touched and self.country_box.currentData():
            current = str(self.country_box.currentData())
        else:
            current = post_country  # a new operation starts in the post's host country
        fill_countries(self.country_box, [post_country or "", *on_file], current, _("Not set"))

    # -- seat priority -------------------------------------------------------------------

    @Slot()
    def _on_up_button_clicked(self) -> None:
        self.priority_list.move_up()
        self.priority_list.setFocus()

    @Slot()
    def _on_down_button_clicked(self) -> None:
        self.priority_list.move_down()
        self.priority_list.setFocus()

    @Slot(int)
    def _on_priority_list_current_row_changed(self, _row: int) -> None:
        self._update_move_buttons()

    @Slot()
    def _on_priority_list_order_changed(self) -> None:
        self._on_form_changed()
        self._update_move_buttons()

    def _update_move_buttons(self) -> None:
        row = self.priority_list.currentRow()
        self.up_button.setEnabled(self.priority_list.can_move(row, -1))
        self.down_button.setEnabled(self.priority_list.can_move(row, 1))

    # -- saving --------------------------------------------------------------------------

    def fields(self) -> OperationFields:
        """What the form holds."""
        return OperationFields(
            name=self.name_edit.text(),
            route=self.route_edit.text(),
            host_country=self.country_box.currentData(),
            status=OperationStatus(self.status_box.currentData()),
            notes=self.notes_edit.toPlainText(),
            priority=self.priority_list.priority(),
            allow_split_groups=self.split_box.isChecked(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk, fields, op = self.ctx.desk, self.fields(), self.operation
        if op is None:
            self.run_save(lambda: add_operation(desk, fields))
        else:
            self.run_save(lambda: update_operation(desk, op.id, fields))


__all__ = [
    "OPERATION_STATUS_LABELS",
    "FormDialog",
    "OperationDialog",
    "PriorityList",
    "country_text",
    "error_label",
    "fill_countries",
]
