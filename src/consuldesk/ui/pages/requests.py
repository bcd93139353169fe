"""Assistance requests: the queue, most pressing first, and the selected request beside it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QSignalBlocker,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import RequestKind, RequestPriority, RequestStatus, TimelineKind
from consuldesk.domain.requests import OPEN_STATUSES, TRANSITIONS, default_due
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.requests import (
    CONTACT_KINDS,
    FROZEN_STATUSES,
    add_note,
    assign,
    assignee_names,
    change_status,
    get_request,
    list_requests,
    set_priority,
)
from consuldesk.services.views import RequestRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.hotline_call import open_hotline_call
from consuldesk.ui.models.requests import (
    COL_DUE,
    COL_KIND,
    COL_PERSON,
    COL_PRIORITY,
    COL_STATUS,
    COL_SUMMARY,
    RequestsModel,
    kind_label,
    local_time,
    priority_label,
    status_label,
    timeline_label,
)
from consuldesk.ui.widgets.date_field import DueField, propose_due
from consuldesk.ui.widgets.forms import with_side_column
from consuldesk.ui.widgets.tables import show_columns_in_order

REFRESH_DEBOUNCE_MS = 150
#: The kind's column at most (longer kinds are elided): "Medical help" in Kazakh is 170 px.
_KIND_WIDEST = 120
#: Tables whose change can alter what the queue shows.
WATCHED_TABLES = frozenset({"assistance_request", "request_event", "national", "household"})


def _entry_text(entry: Any) -> str:
    """A timeline entry's text; status and priority moves are stored as codes ("new →
    in_progress", "normal → urgent" and the due time on a second line) and shown with their
    translated names."""
    labels = {"status": status_label, "priority": priority_label}.get(entry.kind)
    if labels is None or " → " not in entry.text:
        return str(entry.text)
    first_line, _sep, rest = entry.text.partition("\n")
    old, _arrow, new = first_line.partition(" → ")
    moved = f"{labels(old.strip())} → {labels(new.strip())}"
    if entry.kind == "status":
        return f"{moved}\n{rest}" if rest else moved
    try:
        when = _("due {when}").format(when=local_time(datetime.fromisoformat(rest.strip())))
    except ValueError:
        when = _("no due time")
    return f"{moved} · {when}"


STATUS_OPEN = "open"  # filter value: new, in progress or waiting
STATUS_ALL = "all"

ERROR_STYLE = "color: #b00020;"


class RequestView(QWidget):
    """One request: what it is about, its status moves, assignment and timeline.

    Writes go through the page's task runner; the view only shows rows it is given.

    Signals:
        written(object): a :class:`Written` request after a successful write.
    """

    written = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._row: RequestRow | None = None
        # Notes typed and not added, by request: another request clicked in the queue threw
        # a half-typed note away without a word; it waits for the officer to come back.
        self._drafts: dict[str, tuple[str, int]] = {}
        self._busy = False

        self.placeholder = QLabel(
            _("Select a request in the queue to see its timeline and move it on.")
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.summary_label.setFont(font)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = QLabel()
        self.meta_label.setWordWrap(True)
        self.person_label = QLabel()
        self.person_label.setWordWrap(True)
        self.person_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Someone not on file when the request was opened, registered since: linked here.
        self.link_button = QPushButton(_("Link the person…"))
        self.link_button.setToolTip(_("The person is on file now: link them to this request"))
        self.link_button.hide()
        person_line = QHBoxLayout()
        person_line.addWidget(self.person_label, 1)
        person_line.addWidget(self.link_button)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status_label = QLabel()
        self.status_buttons_box = QHBoxLayout()
        self.status_buttons: dict[RequestStatus, QPushButton] = {}
        status_line = QHBoxLayout()
        status_line.addWidget(self.status_label)
        status_line.addLayout(self.status_buttons_box)
        status_line.addStretch(1)

        self.priority_box = QComboBox()
        for priority in RequestPriority:
            self.priority_box.addItem(priority_label(priority), priority.value)
        self.due_check = QCheckBox(_("Due by"))
        self.due_edit = DueField()
        self._proposed: datetime | None = None  # the due time proposed for a priority
        self.priority_button = QPushButton(_("Save priority"))
        self.priority_button.setToolTip(_("Save the priority and the due time"))
        priority_line = QHBoxLayout()
        priority_line.addWidget(self.priority_box)
        priority_line.addWidget(self.due_check)
        priority_line.addWidget(self.due_edit)
        priority_line.addWidget(self.priority_button)
        priority_line.addStretch(1)

        self.assignee_edit = QLineEdit()
        self.assignee_edit.setPlaceholderText(_("Officer's name — Enter to assign, empty: nobody"))
        # The officers and those given requests already, offered as the name is typed: a name
        # typed by hand ("нурлан") made a second officer the queue could not filter on.
        self.assignees = QStringListModel(self)
        completer = QCompleter(self.assignees, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.assignee_edit.setCompleter(completer)
        self.assign_button = QPushButton(_("Assign"))
        assign_line = QHBoxLayout()
        assign_line.addWidget(self.assignee_edit, 1)
        assign_line.addWidget(self.assign_button)

        self.timeline = QTreeWidget()
        self.timeline.setColumnCount(4)
        self.timeline.setHeaderLabels([_("When"), _("Entry"), _("By"), _("Text")])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.header().setStretchLastSection(True)

        self.note_kind_box = QComboBox()
        for kind in (TimelineKind.NOTE, *CONTACT_KINDS):
            self.note_kind_box.addItem(timeline_label(kind), kind)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(
            _("Add a note, or log a call or a visit — Ctrl+Enter to add")
        )
        self.note_edit.setFixedHeight(64)
        self.note_button = QPushButton(_("Add"))
        note_line = with_side_column(self.note_edit, self.note_kind_box, self.note_button)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        self.body = QWidget()
        form = QFormLayout()
        form.addRow(_("Person"), person_line)
        form.addRow(_("Details"), self.details_label)
        form.addRow(_("Status"), status_line)
        form.addRow(_("Priority"), priority_line)
        form.addRow(_("Assigned to"), assign_line)
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.summary_label)
        body_layout.addWidget(self.meta_label)
        body_layout.addLayout(form)
        body_layout.addWidget(self.error_label)
        body_layout.addWidget(QLabel(_("Timeline")))
        body_layout.addWidget(self.timeline, 1)
        body_layout.addLayout(note_line)

        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.body)
        self.body.hide()

        # Ctrl+Enter only while typing the note (the hotline dialog has its own).
        self._note_shortcuts = [
            QShortcut(QKeySequence(mod), self.note_edit, context=Qt.ShortcutContext.WidgetShortcut)
            for mod in (
                Qt.Modifier.CTRL | Qt.Key.Key_Return,
                Qt.Modifier.CTRL | Qt.Key.Key_Enter,
            )
        ]
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.assignee_edit.returnPressed.connect(self._on_assign_button_clicked)
        self.assign_button.clicked.connect(self._on_assign_button_clicked)
        self.link_button.clicked.connect(self._on_link_button_clicked)
        self.priority_button.clicked.connect(self._on_priority_button_clicked)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.priority_box.currentIndexChanged.connect(self._on_priority_box_changed)
        self.note_button.clicked.connect(self._on_note_button_clicked)
        for shortcut in self._note_shortcuts:
            shortcut.activated.connect(self._on_note_button_clicked)

    @property
    def request(self) -> RequestRow | None:
        """The request shown."""
        return self._row

    def _keep_draft(self) -> None:
        """Set aside the note typed for the request shown, if any."""
        if self._row is None:
            return
        text = self.note_edit.toPlainText()
        if text.strip():
            self._drafts[self._row.id] = (text, self.note_kind_box.currentIndex())
        else:
            self._drafts.pop(self._row.id, None)

    def draft(self, request_id: str) -> str | None:
        """The note typed for a request and not added yet."""
        if self._row is not None and self._row.id == request_id:
            return self.note_edit.toPlainText() if self.note_edit.toPlainText().strip() else None
        kept = self._drafts.get(request_id)
        return kept[0] if kept else None

    def clear(self) -> None:
        """Show nothing (no request selected)."""
        self._keep_draft()
        self._row = None
        self.body.hide()
        self.placeholder.show()

    def show_request(self, row: RequestRow) -> None:
        """Show a request with its timeline; keeps a half-typed note when it is the same one."""
        same = self._row is not None and self._row.id == row.id
        if not same:
            self._keep_draft()
        self._row = row
        self.placeholder.hide()
        self.body.show()
        if not same:
            self.error_label.hide()
            text, kind = self._drafts.pop(row.id, ("", -1))
            self.note_edit.setPlainText(text)
            if kind >= 0:
                self.note_kind_box.setCurrentIndex(kind)
        self.summary_label.setText(row.summary)
        meta = [priority_label(row.priority), kind_label(row.kind)]
        meta.append(_("opened {when}").format(when=local_time(row.created_at)))
        if row.due_at:
            meta.append(_("due {when}").format(when=local_time(row.due_at)))
        if row.overdue:
            meta.append(_("! OVERDUE"))
        self.meta_label.setText(" · ".join(meta))
        self.person_label.setText(
            row.national_name or row.household_name or _("Not on file (see details)")
        )
        self.details_label.setText(row.details or _("No details."))
        self.status_label.setText(status_label(row.status))
        self._build_status_buttons(RequestStatus(row.status))
        if not same or not self.assignee_edit.hasFocus():
            self.assignee_edit.setText(row.assignee or "")
        self._show_priority(row)
        frozen = RequestStatus(row.status) in FROZEN_STATUSES
        self.link_button.setVisible(not (row.national_id or row.household_id or frozen))
        for widget in (
            self.assignee_edit,
            self.assign_button,
            self.note_edit,
            self.note_button,
            self.priority_box,
            self.due_check,
            self.priority_button,
        ):
            widget.setEnabled(not frozen and not self._busy)
        self.due_edit.setEnabled(not frozen and self.due_check.isChecked())
        self.note_kind_box.setEnabled(not frozen)
        self.note_edit.setPlaceholderText(
            _("Reopen the request to add notes.")
            if frozen
            else _("Add a note, or log a call or a visit — Ctrl+Enter to add")
        )
        self._fill_timeline(row)

    def _build_status_buttons(self, current: RequestStatus) -> None:
        for button in self.status_buttons.values():
            self.status_buttons_box.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        # Only the moves the workflow allows, in workflow order.
        for status in RequestStatus:
            if status not in TRANSITIONS[current]:
                continue
            text = _("→ {status}").format(status=status_label(status))
            button = QPushButton(text)
            button.setToolTip(
                _("Change the status to “{status}”").format(status=status_label(status))
            )
            button.setEnabled(not self._busy)
            button.clicked.connect(lambda _checked=False, s=status: self.move_to(s))
            self.status_buttons_box.addWidget(button)
            self.status_buttons[status] = button

    def _fill_timeline(self, row: RequestRow) -> None:
        self.timeline.clear()
        for entry in row.timeline:
            item = QTreeWidgetItem(
                [
                    local_time(entry.at),
                    timeline_label(entry.kind),
                    entry.author or "",
                    _entry_text(entry),
                ]
            )
            item.setToolTip(3, _entry_text(entry))
            self.timeline.addTopLevelItem(item)
        for col in range(3):
            self.timeline.resizeColumnToContents(col)
        if last := self.timeline.topLevelItem(self.timeline.topLevelItemCount() - 1):
            self.timeline.scrollToItem(last)

    # -- writing ---------------------------------------------------------------------------

    def move_to(self, status: RequestStatus) -> None:
        """Change the shown request's status (off the UI thread)."""
        if self._row is None:
            return
        desk, request_id = self.ctx.desk, self._row.id
        self._write(lambda: change_status(desk, request_id, status))

    @Slot()
    def _on_assign_button_clicked(self) -> None:
        if self._row is None:
            return
        desk, request_id = self.ctx.desk, self._row.id
        who = self.assignee_edit.text()
        if who.strip() == (self._row.assignee or ""):
            return  # nothing to change
        self._write(lambda: assign(desk, request_id, who or None))

    @Slot()
    def _on_link_button_clicked(self) -> None:
        self.open_link()

    def open_link(self) -> QDialog | None:
        """Open the dialog that links the person of this request (a seam for tests)."""
        if self._row is None:
            return None
        from consuldesk.ui.dialogs.link_person import LinkPersonDialog

        dialog = LinkPersonDialog(self.ctx, self._row, self)
        dialog.linked.connect(self.show_request)
        dialog.open()
        return dialog

    def _show_priority(self, row: RequestRow) -> None:
        with QSignalBlocker(self.priority_box):
            self.priority_box.setCurrentIndex(self.priority_box.findData(row.priority))
        self.due_check.setChecked(row.due_at is not None)
        self.due_edit.set_moment(row.due_at or default_due(RequestPriority(row.priority)))
        self._proposed = None

    @Slot(int)
    def _on_priority_box_changed(self, _index: int) -> None:
        """Made urgent or high without a due time: one is proposed, so that it can become
        overdue (the officer may untick it)."""
        priority = RequestPriority(self.priority_box.currentData())
        self._proposed = propose_due(self.due_check, self.due_edit, priority, self._proposed)

    @Slot()
    def _on_priority_button_clicked(self) -> None:
        if self._row is None:
            return
        desk, request_id = self.ctx.desk, self._row.id
        priority = RequestPriority(self.priority_box.currentData())
        due = self.due_edit.moment() if self.due_check.isChecked() else None
        if self.due_check.isChecked() and due is None:
            self._show_error(_("Type the day (dd.mm.yyyy) and the time (hh:mm) it is due by."))
            return
        self._write(lambda: set_priority(desk, request_id, priority, due))

    @Slot()
    def _on_note_button_clicked(self) -> None:
        if self._row is None or not self.note_button.isEnabled():
            return
        text = self.note_edit.toPlainText()
        if not text.strip():
            self._show_error(_("Type the note first."))
            self.note_edit.setFocus()
            return
        desk, request_id = self.ctx.desk, self._row.id
        kind = TimelineKind(self.note_kind_box.currentData())
        self._write(lambda: add_note(desk, request_id, kind, text), clear_note=True)

    def _write(self, fn: Callable[[], Written[RequestRow]], clear_note: bool = False) -> None:
        if self._busy:
            return
        self._set_busy(True)
        self.error_label.hide()
        self.ctx.tasks.run(
            fn,
            lambda written: self._on_write_done(written, clear_note),
            self._on_write_failed,
        )

    def _on_write_done(self, written: Written[RequestRow], clear_note: bool) -> None:
        self._set_busy(False)
        if clear_note:  # the note added: cleared where it was typed, never another's
            if self._row is not None and self._row.id == written.row.id:
                self.note_edit.clear()
            self._drafts.pop(written.row.id, None)
        if self._row is None or self._row.id == written.row.id:
            self.show_request(written.row)
        self.written.emit(written)
        self.ctx.events.changed.emit(written.changes)

    def _on_write_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if self._row is not None:
            self.show_request(self._row)  # re-enable what the status allows
        self._show_error(describe(exc))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in self.status_buttons.values():
            button.setEnabled(not busy)
        self.assign_button.setEnabled(not busy)
        self.note_button.setEnabled(not busy)
        self.priority_button.setEnabled(not busy)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


class RequestsPage(QWidget):
    """Filters, the queue of requests and the selected request (splitter)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0
        self._detail_serial = 0
        self._selected_id: str | None = None
        self._after_change = False  # the next refresh follows a change, not a new filter
        self._logged: RequestRow | None = None  # a call just logged, to select once loaded

        self.status_filter = QComboBox()
        self.status_filter.addItem(_("Open"), STATUS_OPEN)
        self.status_filter.addItem(_("All statuses"), STATUS_ALL)
        for status in RequestStatus:
            self.status_filter.addItem(status_label(status), status.value)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(_("All kinds"), None)
        for kind in RequestKind:
            self.kind_filter.addItem(kind_label(kind), kind.value)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(_("Find: name, phone, IIN, passport or words…"))
        self.search_edit.setToolTip(
            _(
                "Finds the requests of the people the search finds (any part of a phone, IIN "
                "or passport too), and those whose summary or details hold every word"
            )
        )
        self.search_edit.setClearButtonEnabled(True)
        self.assignee_filter = QLineEdit()
        self.assignee_filter.setPlaceholderText(_("Assigned to…"))
        self.assignee_filter.setClearButtonEnabled(True)
        self.overdue_filter = QCheckBox(_("Overdue only"))
        self.log_call_button = QPushButton(_("Log a call… (Ctrl+L)"))
        # Two lines: finding and logging a call, then the filters (one line would not fit a
        # 1024-pixel screen in Kazakh or Russian).
        find_line = QHBoxLayout()
        find_line.addWidget(self.search_edit, 1)
        find_line.addWidget(self.log_call_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("Status")))
        filters.addWidget(self.status_filter)
        filters.addWidget(QLabel(_("Kind")))
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.assignee_filter, 1)
        filters.addWidget(self.overdue_filter)
        filters.addStretch(0)

        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # a long call just logged wraps, never widens
        self.model = RequestsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Who the request is about, and its state, in view beside the detail pane.
        show_columns_in_order(
            header, (COL_PRIORITY, COL_DUE, COL_PERSON, COL_KIND, COL_STATUS, COL_SUMMARY)
        )
        self.view = RequestView(ctx)
        filter_completer = QCompleter(self.view.assignees, self)
        filter_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        filter_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.assignee_filter.setCompleter(filter_completer)

        queue = QWidget()
        queue_layout = QVBoxLayout(queue)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.addWidget(self.count_label)
        queue_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(queue)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 460])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(find_line)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

        for first, second in (
            (self.search_edit, self.status_filter),
            (self.status_filter, self.kind_filter),
            (self.kind_filter, self.assignee_filter),
            (self.assignee_filter, self.overdue_filter),
            (self.overdue_filter, self.table),
        ):
            QWidget.setTabOrder(first, second)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DEBOUNCE_MS)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.status_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.kind_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.overdue_filter.toggled.connect(self._on_filter_changed)
        self.assignee_filter.textChanged.connect(self._on_assignee_filter_text_changed)
        self.search_edit.textChanged.connect(self._on_assignee_filter_text_changed)
        self._refresh_timer.timeout.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.log_call_button.clicked.connect(self._on_log_call_button_clicked)
        self.ctx.events.changed.connect(self._on_case_file_changed)

    # -- the queue -------------------------------------------------------------------------

    def _query(self) -> dict[str, Any]:
        status = self.status_filter.currentData()
        statuses: frozenset[RequestStatus] | None
        if status == STATUS_OPEN:
            statuses = OPEN_STATUSES
        elif status == STATUS_ALL:
            statuses = None
        else:
            statuses = frozenset({RequestStatus(status)})
        kind = self.kind_filter.currentData()
        return {
            "statuses": statuses,
            "kinds": [RequestKind(kind)] if kind else None,
            "overdue_only": self.overdue_filter.isChecked(),
            "text": self.search_edit.text().strip() or None,
        }

    @Slot()
    def refresh(self) -> None:
        """Reload the queue with the current filters (off the UI thread)."""
        self._serial += 1
        serial = self._serial
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: assignee_names(desk), self.view.assignees.setStringList, self._on_failed
        )
        query = self._query()
        who = self.assignee_filter.text().strip().casefold()

        def work() -> list[RequestRow]:
            rows = list_requests(desk, **query)
            if who:  # part of a name is enough; requests are hundreds, not 100k
                rows = [r for r in rows if who in (r.assignee or "").casefold()]
            return rows

        self.ctx.tasks.run(work, lambda rows: self._on_rows_loaded(serial, rows), self._on_failed)

    def _fit_person(self) -> None:
        """The person's column takes what priority, due time, kind and status leave of the
        queue's width (from 90 to 220 px): the status stays in view on a 1024 px screen."""
        fixed = sum(
            self.table.columnWidth(c) for c in (COL_PRIORITY, COL_DUE, COL_KIND, COL_STATUS)
        )
        bar = self.table.verticalScrollBar()  # about to appear for a long queue: its room too
        bar_room = 0 if bar.isVisible() else bar.sizeHint().width()
        room = self.table.viewport().width() - bar_room - fixed - 2
        self.table.setColumnWidth(COL_PERSON, max(90, min(room, 220)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.model.rowCount():
            QTimer.singleShot(0, self._fit_person)  # once the table has its new width

    def _on_rows_loaded(self, serial: int, rows: list[RequestRow]) -> None:
        if serial != self._serial:
            return  # filters changed again meanwhile
        keep = self._selected_id
        self.model.set_rows(rows)
        self._show_count(rows)
        self.table.resizeColumnsToContents()
        # Neither the summary nor a long kind takes the room of the columns after it.
        for col, narrowest, widest in ((COL_SUMMARY, 160, 260), (COL_KIND, 60, _KIND_WIDEST)):
            width = self.table.columnWidth(col)
            self.table.setColumnWidth(col, max(narrowest, min(width, widest)))
        # Overdue rows are bold, and Qt measured the column on a sample of rows: room for bold.
        status = self.table.columnWidth(COL_STATUS)
        self.table.setColumnWidth(COL_STATUS, status + self.fontMetrics().averageCharWidth())
        self._fit_person()
        logged, self._logged = self._logged, None
        if logged is not None and self.model.row_of(logged.id) >= 0:
            keep = self._selected_id = logged.id  # the call just logged, selected and shown
        row = self.model.row_of(keep) if keep else -1
        if keep and row >= 0:
            self.table.selectRow(row)
            self._load_detail(keep)  # the timeline may have changed
        elif keep and self._after_change:
            # The officer's own change (a new status) took the request out of this list: keep
            # it open on the right, so the next step (a note, an assignment) is one click away.
            self._load_detail(keep)
            self.count_label.setText(
                self.count_label.text()
                + " · "
                + _("the request on the right no longer matches these filters")
            )
        else:
            self._selected_id = None
            self.view.clear()
        self._after_change = False
        if logged is not None:
            visit = bool(logged.timeline) and logged.timeline[0].kind == TimelineKind.VISIT
            said = _("Visit logged: {summary}.") if visit else _("Call logged: {summary}.")
            self.count_label.setText(
                said.format(summary=_shortened(logged.summary)) + " · " + self.count_label.text()
            )

    def show_logged(self, row: RequestRow) -> None:
        """Show a call just logged: the queue's filters back to open requests, the new request
        selected and open on the right, and a line that says so."""
        self._logged = row
        filters = (
            self.search_edit,
            self.assignee_filter,
            self.status_filter,
            self.kind_filter,
            self.overdue_filter,
        )
        quiet = [QSignalBlocker(widget) for widget in filters]  # one refresh, below
        self.search_edit.clear()
        self.assignee_filter.clear()
        self.status_filter.setCurrentIndex(0)
        self.kind_filter.setCurrentIndex(0)
        self.overdue_filter.setChecked(False)
        for blocker in quiet:
            blocker.unblock()
        self._refresh_timer.stop()
        self.refresh()

    def _show_count(self, rows: list[RequestRow]) -> None:
        n = len(rows)
        late = sum(1 for r in rows if r.overdue)
        open_only = self.status_filter.currentData() == STATUS_OPEN
        if n == 0:
            filtered = (
                not open_only
                or self.kind_filter.currentData()
                or self.assignee_filter.text().strip()
                or self.overdue_filter.isChecked()
            )
            self.count_label.setText(
                _("No requests match these filters. Change them, or log a call with Ctrl+L.")
                if filtered
                else _("No open requests. Log a hotline call with Ctrl+L.")
            )
            return
        if open_only:
            text = ngettext("{n} open request", "{n} open requests", n).format(n=n)
        else:
            text = ngettext("{n} request", "{n} requests", n).format(n=n)
        if late:
            text += ", " + ngettext("{n} overdue", "{n} overdue", late).format(n=late)
        self.count_label.setText(text)

    def _on_failed(self, exc: BaseException) -> None:
        self.count_label.setText(describe(exc))

    @Slot()
    def _on_filter_changed(self) -> None:
        self._after_change = False
        self.refresh()

    @Slot(str)
    def _on_assignee_filter_text_changed(self, _text: str) -> None:
        self._after_change = False
        self._refresh_timer.start()

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        if WATCHED_TABLES & getattr(changes, "tables", set()):
            self._after_change = True
            self._refresh_timer.start()

    # -- the selected request --------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        request_id = self.model.row_at(current.row()).id
        if request_id == self._selected_id:
            return
        self._selected_id = request_id
        self._load_detail(request_id)

    def _load_detail(self, request_id: str) -> None:
        self._detail_serial += 1
        serial = self._detail_serial
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: get_request(desk, request_id),
            lambda row: self._on_detail_loaded(serial, row),
            self._on_failed,
        )

    def _on_detail_loaded(self, serial: int, row: RequestRow) -> None:
        if serial == self._detail_serial and row.id == self._selected_id:
            self.view.show_request(row)

    def select_request(self, request_id: str) -> bool:
        """Select a request in the queue (False when the filters hide it)."""
        row = self.model.row_of(request_id)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    @Slot()
    def _on_log_call_button_clicked(self) -> None:
        open_hotline_call(self.ctx, self).saved.connect(self.show_logged)


def _shortened(text: str, most: int = 80) -> str:
    """``text`` on one line, cut at a word with "…" past ``most`` characters (the whole of it
    is in the request, selected beside)."""
    line = " ".join(text.split())
    if len(line) <= most:
        return line
    cut = line[:most].rsplit(" ", 1)[0] or line[:most]
    return cut.rstrip(" ,.;:") + "…"


__all__ = ["RequestView", "RequestsPage"]
