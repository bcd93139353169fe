"""Households: families and tour groups, their members and heads.

The page is here; its dialogs (new household, rename, add members) are in
:mod:`consuldesk.ui.dialogs.households`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QLocale, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import HouseholdKind
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services import households as hh
from consuldesk.services.views import HouseholdListRow, HouseholdRow, MemberRow, Written
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.households import (
    AddMemberDialog,
    NewHouseholdDialog,
    RenameHouseholdDialog,
    fill_relations,
)
from consuldesk.ui.models.households import (
    COL_HEAD,
    COL_NAME,
    MEMBER_NAME,
    HouseholdsModel,
    MembersModel,
    kind_label,
    needs_summary,
    relation_label,
)
from consuldesk.ui.widgets.forms import error_label

SEARCH_DEBOUNCE_MS = 200
NEEDS_CHUNK = 40  # households whose needs are read per background task
REFRESH_TABLES = {"household", "household_member", "national"}


def _fit_columns(table: QTableView, widest: int = 260, caps: dict[int, int] | None = None) -> None:
    """Size columns to their text, but no column wider than ``widest`` (or its own cap)."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for col in range(header.count()):
        cap = (caps or {}).get(col, widest)
        header.resizeSection(col, min(header.sectionSize(col), cap))


class _ChooseInList(QObject):
    """A combo box whose every change writes: arrows, letters and the wheel on the closed box
    would write each item they pass ("Head" on the way from "—" to "Child"), so keys open
    the list instead and the wheel does nothing; the choice is made in the list."""

    _PASS = frozenset({Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Escape})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QComboBox):
            return False
        if event.type() == QEvent.Type.Wheel:
            return True
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            modifiers = event.modifiers()  # type: ignore[attr-defined]
            if key in self._PASS or modifiers & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            watched.showPopup()
            return True
        return False


class _ElideMiddle(QStyledItemDelegate):
    """Cuts a long text in its middle, keeping its start and its end."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle  # type: ignore[attr-defined]


def _table(model: Any) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    # One line of text per row: the default row height wastes a third of the screen.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


# -- the page ------------------------------------------------------------------------------


class HouseholdsPage(QWidget):
    """List of families and tour groups on the left; the chosen one's members on the right.

    Signals:
        members_listed(str, str): the officer asked to see a household's members on the
            Nationals page (household id, a label naming it).
    """

    members_listed = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0  # answers to older list queries are dropped
        self._detail_serial = 0
        self._needs_serial = 0
        self.current: HouseholdRow | None = None
        self._reloading = False
        self._select_after_load: str | None = None
        self.dialog: QDialog | None = None

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            _("Find a family or tour group by its name, head or tour operator")
        )
        self.search_box.setClearButtonEnabled(True)
        self.kind_box = QComboBox()
        self.kind_box.addItem(_("Families and tour groups"), None)
        self.kind_box.addItem(_("Families"), HouseholdKind.FAMILY.value)
        self.kind_box.addItem(_("Tour groups"), HouseholdKind.TOUR_GROUP.value)
        self.new_button = QPushButton(_("New household or group…"))
        self.new_button.setToolTip(_("Create a family or a tour group (Ctrl+Shift+N)"))
        self.model = HouseholdsModel(self)
        self.table = _table(self.model)
        # "Al-Safa Umrah Tour: Jeddah, группа JED-101": the end tells groups apart, keep it
        # (without word wrap: a wrapped name is cut at its end whatever the elide mode).
        self.table.setWordWrap(False)
        self._elide_middle = _ElideMiddle(self.table)
        self.table.setItemDelegateForColumn(COL_NAME, self._elide_middle)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.members_model = MembersModel(ctx.desk.today(), self)
        self.members_table = _table(self.members_model)
        # The name takes the room the relation, birth date and needs leave (a long name cut
        # with "…", whole in its tooltip): on a 1024 px screen the birth date was cut to "B"
        # and the needs were past the edge.
        members_header = self.members_table.horizontalHeader()
        members_header.setStretchLastSection(False)
        members_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        members_header.setSectionResizeMode(MEMBER_NAME, QHeaderView.ResizeMode.Stretch)
        self.list_button = QPushButton(_("In Nationals"))
        self.list_button.setToolTip(
            _("Show the members on the Nationals page, with their passports and phones")
        )
        self.rename_button = QPushButton(_("Rename…"))
        self.rename_button.setToolTip(_("Give the household another name (F2)"))
        self.add_button = QPushButton(_("Add member…"))
        self.add_button.setToolTip(_("Find a person and add them (Ins)"))
        self.remove_button = QPushButton(_("Remove member"))
        self.relation_box = QComboBox()
        self.relation_box.setToolTip(
            _("How the chosen member is related to the head; choose Head to make them the head")
        )
        self.relation_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._choose_in_list = _ChooseInList(self)
        self.relation_box.installEventFilter(self._choose_in_list)
        self.relation_label = QLabel(_("Relat&ion"))
        self.relation_label.setBuddy(self.relation_box)
        self.delete_button = QPushButton(_("Delete household"))
        self.delete_button.setToolTip(_("Delete the household; its members stay on file"))
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        self.error_label = error_label()

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.kind_box)
        top.addWidget(self.new_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.status_label)
        left_layout.addWidget(self.table)
        # Two short rows rather than one long one: the right pane is narrow on a small laptop.
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.rename_button, 0, Qt.AlignmentFlag.AlignTop)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.list_button, 0, Qt.AlignmentFlag.AlignTop)
        member_row = QHBoxLayout()
        member_row.addWidget(self.relation_label)
        member_row.addWidget(self.relation_box)
        member_row.addWidget(self.remove_button)
        member_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(title_row)
        right_layout.addLayout(summary_row)
        right_layout.addWidget(self.members_table, 1)
        right_layout.addLayout(member_row)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.notice_label)
        right_layout.addWidget(self.error_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 520])  # the list's columns need the room; scaled on resize
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.search_box, self.kind_box)
        self.setTabOrder(self.kind_box, self.new_button)
        self.setTabOrder(self.new_button, self.table)
        self.setTabOrder(self.table, self.rename_button)
        self.setTabOrder(self.rename_button, self.list_button)
        self.setTabOrder(self.list_button, self.members_table)
        self.setTabOrder(self.members_table, self.relation_box)
        self.setTabOrder(self.relation_box, self.remove_button)
        self.setTabOrder(self.remove_button, self.add_button)
        self.setTabOrder(self.add_button, self.delete_button)

        self._new_action = QAction(_("New household or group"), self)
        self._new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self._add_action = QAction(_("Add member"), self)
        self._add_action.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self._rename_action = QAction(_("Rename household"), self)
        self._rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        for action in (self._new_action, self._add_action, self._rename_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addActions([self._new_action, self._add_action, self._rename_action])

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self._show_household(None)
        self.reload()

    def _connect_signals(self) -> None:
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.kind_box.currentIndexChanged.connect(self._on_kind_box_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.ctx.events.changed.connect(self._on_case_file_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.members_table.selectionModel().selectionChanged.connect(
            self._on_members_selection_changed
        )
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self._new_action.triggered.connect(self._on_new_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self._add_action.triggered.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        # activated: the officer's choice only, never the box being filled for another member.
        self.relation_box.activated.connect(self._on_relation_box_activated)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.list_button.clicked.connect(self._on_list_button_clicked)
        self._rename_action.triggered.connect(self._on_rename_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)

    # -- the list ------------------------------------------------------------------------

    @Slot(str)
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _on_kind_box_changed(self, *_args: object) -> None:
        self.reload()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Query the list again (off the UI thread) with the current search and kind."""
        desk = self.ctx.desk
        query = self.search_box.text().strip() or None
        value = self.kind_box.currentData()
        kind = HouseholdKind(value) if value else None
        self._serial += 1
        serial = self._serial
        self.ctx.tasks.run(
            lambda: hh.list_households(desk, kind=kind, query=query),
            lambda rows: self._on_list_done(serial, rows),
            self._on_list_failed,
        )

    def _on_list_done(self, serial: int, rows: list[HouseholdListRow]) -> None:
        if not isValid(self) or serial != self._serial:
            return  # the officer kept typing; a newer query is on its way
        keep = self._select_after_load or (self.current.id if self.current else None)
        self._select_after_load = None
        self._reloading = True  # the reset clears the selection: keep showing the household
        self.model.set_rows(rows)
        self._reloading = False
        _fit_columns(self.table, 200, {COL_HEAD: 140})
        self._show_list_hint(len(rows))
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, COL_NAME))
        else:
            self._show_household(None)
        self._fill_needs([r.id for r in rows if not self.model.has_needs(r.id)])

    def _show_list_hint(self, n: int) -> None:
        if n:
            self.status_label.setText(
                ngettext("{n} household or group.", "{n} households and groups.", n).format(
                    n=QLocale().toString(n)
                )
            )
        elif self.search_box.text().strip() or self.kind_box.currentData():
            self.status_label.setText(_("None found. Clear the search or choose another kind."))
        else:
            self.status_label.setText(
                _("No households yet. Press “New household or group…” (Ctrl+Shift+N) to add one.")
            )

    def _on_list_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.status_label.setText(describe(exc))

    def _fill_needs(self, ids: list[str]) -> None:
        """Read vulnerability summaries in small background batches (a few ms per household)."""
        self._needs_serial += 1
        serial = self._needs_serial
        self._next_needs(serial, ids)

    def _next_needs(self, serial: int, ids: list[str]) -> None:
        if not ids or serial != self._needs_serial:
            return
        desk, chunk, rest = self.ctx.desk, ids[:NEEDS_CHUNK], ids[NEEDS_CHUNK:]

        def work() -> dict[str, str]:
            found = {}
            for household_id in chunk:
                try:
                    found[household_id] = needs_summary(
                        hh.get_household(desk, household_id).vulnerabilities
                    )
                except NotFound:
                    continue  # deleted meanwhile; the next reload drops it
            return found

        def done(found: dict[str, str]) -> None:
            if isValid(self) and serial == self._needs_serial:
                self.model.set_needs(found)
                self._next_needs(serial, rest)

        self.ctx.tasks.run(work, done, self._on_list_failed)

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        tables: set[str] = getattr(changes, "tables", set())
        if not tables & REFRESH_TABLES:
            return
        touched: set[str] = set()
        for kind in ("created", "updated", "deleted"):
            touched |= getattr(changes, kind, {}).get("household", set())
        if "household_member" in tables or "national" in tables:
            self.model.forget_needs()  # a member's needs or membership changed
        else:
            self.model.forget_needs(touched)
        self._debounce.start()

    # -- the chosen household ------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows(COL_NAME)
        if not rows:
            if not self._reloading:
                self._show_household(None)
            return
        household_id = self.model.row_at(rows[0].row()).id
        desk = self.ctx.desk
        self._detail_serial += 1
        serial = self._detail_serial
        self.ctx.tasks.run(
            lambda: hh.get_household(desk, household_id),
            lambda row: self._on_detail_done(serial, row),
            self._on_write_failed,
        )

    def _on_detail_done(self, serial: int, row: HouseholdRow) -> None:
        if isValid(self) and serial == self._detail_serial:
            self._show_household(row)

    def _show_household(self, row: HouseholdRow | None) -> None:
        """Show a household's members (``None``: nothing chosen)."""
        previous = self._current_member_id()
        if row is None or self.current is None or row.id != self.current.id:
            self.notice_label.hide()  # a note about another household
        self.current = row
        self.error_label.hide()
        if row is None:
            self.title_label.setText(_("No household chosen"))
            self.summary_label.setText(
                _("Choose a family or tour group on the left to see and change its members.")
            )
            self.members_model.set_rows([])
        else:
            self.title_label.setText(f"{row.name} — {kind_label(row.kind)}")
            facts = [
                ngettext("{n} member", "{n} members", len(row.members)).format(n=len(row.members))
            ]
            if row.tour_operator:
                facts.append(_("tour operator: {name}").format(name=row.tour_operator))
            if row.vulnerabilities:
                facts.append(
                    _("needs: {summary}").format(summary=needs_summary(row.vulnerabilities))
                )
            text = " · ".join(facts)
            if not row.members:
                text += "\n" + _("Press “Add member…” (Ins) to add people.")
            elif row.head_id is None:
                text += "\n" + _("No head yet: choose a member and set their relation to Head.")
            self.summary_label.setText(text)
            self.members_model.set_rows(row.members)
            ids = [m.national.id for m in row.members]
            if previous in ids:
                self.members_table.selectRow(ids.index(previous))
        self._update_buttons()

    def _current_member_id(self) -> str | None:
        rows = self.members_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= self.members_model.rowCount():
            return None
        return self.members_model.row_at(rows[0].row()).national.id

    @Slot(QItemSelection, QItemSelection)
    def _on_members_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _current_member(self) -> MemberRow | None:
        member_id = self._current_member_id()
        if self.current is None or member_id is None:
            return None
        return next((m for m in self.current.members if m.national.id == member_id), None)

    def _update_buttons(self) -> None:
        chosen = self.current is not None
        member = self._current_member()
        for widget in (self.add_button, self._add_action, self.delete_button):
            widget.setEnabled(chosen)
        self.rename_button.setEnabled(chosen)
        self.list_button.setEnabled(chosen and bool(self.current and self.current.members))
        self._rename_action.setEnabled(chosen)
        self.remove_button.setEnabled(member is not None)
        self.relation_box.setEnabled(member is not None)
        self.relation_label.setEnabled(member is not None)
        fill_relations(self.relation_box, current=member.relation if member else None)

    # -- writing -------------------------------------------------------------------------

    def _write(self, work: Callable[[], Any]) -> None:
        """Run a household use case, then show what it returned and tell the other pages."""
        self.error_label.hide()
        self.ctx.tasks.run(work, self._on_write_done, self._on_write_failed)

    def _on_write_done(self, result: Any) -> None:
        changes = getattr(result, "changes", result)
        self.ctx.events.changed.emit(changes)
        if not isValid(self):
            return
        if isinstance(result, Written) and isinstance(result.row, HouseholdRow):
            self._show_household(result.row)

    def _on_write_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.error_label.setText(describe(exc))
        self.error_label.show()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.open_new_household()

    def open_new_household(self) -> NewHouseholdDialog:
        """Open the new-household dialog (non-blocking; a seam for tests)."""
        dialog = NewHouseholdDialog(self.ctx, self)
        dialog.saved.connect(self._on_new_household_saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(object)
    def _on_new_household_saved(self, written: Written[HouseholdRow]) -> None:
        # Show the new household as soon as the list has it (the change event reloads it).
        self._select_after_load = written.row.id
        self._show_household(written.row)
        # Its members come next: Ins (Add member) does nothing while the search field has
        # the keys, and the hint says to press it.
        self.add_button.setFocus()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        if self.current is not None:
            self.open_add_member()

    def open_add_member(self) -> AddMemberDialog | None:
        """Open the add-member dialog for the chosen household (non-blocking)."""
        if self.current is None:
            return None
        dialog = AddMemberDialog(self.ctx, self.current, self)
        dialog.added.connect(self._on_member_added)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(object)
    def _on_member_added(self, written: Written[HouseholdRow]) -> None:
        if self.current is not None and written.row.id == self.current.id:
            self._show_household(written.row)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        member, current = self._current_member(), self.current
        if member is None or current is None:
            return
        desk, member_id = self.ctx.desk, member.national.id

        def remove() -> None:
            self.notice_label.hide()  # what it said of a new head may be about this one
            self._write(lambda: hh.remove_member(desk, current.id, member_id))

        self.confirm_remove(current, member, remove)

    def confirm_remove(
        self, household: HouseholdRow, member: MemberRow, proceed: Callable[[], None]
    ) -> None:
        """Ask before taking a member out (non-blocking message box; tests replace this): a
        click on the wrong line of a 23-person group loses a relation, and a head's removal
        leaves the family without one."""
        name = member.national.name
        if member.national.id == household.head_id:
            text = _(
                "Remove {name} from {household}? They head it: it will have no head until you "
                "choose one. They stay on file."
            ).format(name=name, household=household.name)
        else:
            text = _("Remove {name} from {household}? They stay on file.").format(
                name=name, household=household.name
            )
        ask(self, _("Remove member"), text, proceed, yes=_("Remove member"), no=_("Keep them"))

    @Slot(int)
    def _on_relation_box_activated(self, _index: int) -> None:
        member, current = self._current_member(), self.current
        relation = self.relation_box.currentData()
        if member is None or current is None or relation == member.relation:
            return
        desk, member_id = self.ctx.desk, member.national.id
        self.error_label.hide()
        self.notice_label.hide()
        self.ctx.tasks.run(
            lambda: hh.set_relation(desk, current.id, member_id, relation),
            lambda written: self._on_relation_done(current, written),
            self._on_relation_failed,
        )

    def _on_relation_done(self, before: HouseholdRow, written: Written[HouseholdRow]) -> None:
        self._on_write_done(written)
        if not isValid(self) or written.row.head_id == before.head_id or before.head is None:
            return
        # A new head: say what became of the former one, who stays a member.
        row = written.row
        head = row.head.national.name if row.head else ""
        former = next((m for m in row.members if m.national.id == before.head_id), None)
        if former is None:
            return
        if former.relation:
            text = _("{head} heads the household now; {former}: {relation}.").format(
                head=head, former=former.national.name, relation=relation_label(former.relation)
            )
        else:
            text = _(
                "{head} heads the household now. Choose how {former} is related to them."
            ).format(head=head, former=former.national.name)
        was = {m.national.id: m.relation for m in before.members}
        resaid = [
            m
            for m in row.members
            if m.national.id not in (row.head_id, before.head_id)
            and m.national.id in was
            and m.relation != was[m.national.id]
        ]
        if resaid:
            text += " " + ngettext(
                "{n} other relation is now said relative to {head}: check it.",
                "{n} other relations are now said relative to {head}: check them.",
                len(resaid),
            ).format(n=len(resaid), head=head)
        self.notice_label.setText(text)
        self.notice_label.show()

    def _on_relation_failed(self, exc: BaseException) -> None:
        self._on_write_failed(exc)
        if isValid(self):
            self._update_buttons()  # the box shows the relation on file again

    @Slot()
    def _on_list_button_clicked(self) -> None:
        current = self.current
        if current is None:
            return
        head = current.head.national.name if current.head else None
        label = f"{current.name} ({head})" if head else current.name
        self.members_listed.emit(current.id, label)

    @Slot()
    def _on_rename_button_clicked(self) -> None:
        if self.current is not None:
            self.open_rename()

    def open_rename(self) -> RenameHouseholdDialog | None:
        """Open the rename dialog for the chosen household (non-blocking; a seam for tests)."""
        if self.current is None:
            return None
        dialog = RenameHouseholdDialog(self.ctx, self.current, self)
        dialog.saved.connect(self._on_member_added)  # the same: show the row it returns
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        current = self.current
        if current is None:
            return
        desk = self.ctx.desk
        self.confirm_delete(
            current, lambda: self._write(lambda: hh.delete_household(desk, current.id))
        )

    def confirm_delete(self, household: HouseholdRow, proceed: Callable[[], None]) -> None:
        """Ask before deleting (non-blocking message box; tests replace this)."""
        n = len(household.members)
        text = ngettext(
            "Delete {name}? Its {n} member stays on file.",
            "Delete {name}? Its {n} members stay on file.",
            n,
        ).format(name=household.name, n=n)
        ask(self, _("Delete household"), text, proceed, yes=_("Delete it"), no=_("Keep it"))


__all__ = ["HouseholdsPage"]
