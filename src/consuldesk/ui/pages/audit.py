"""Audit trail: every change, deletion, import, export, bundle, print and key operation, newest
first, narrowed by person, officer, days and kind; the selected event in full below the list,
with its person's card a click away.

The list is a paged query (:class:`AuditModel` over :func:`find_events`): SQLite filters and
counts; the view fetches a page at a time as the officer scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QLocale, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.audit import (
    KIND_LABELS,
    MOST_PEOPLE,
    AuditCursor,
    AuditFilter,
    AuditPage,
    AuditRow,
    find_events,
    officers,
    similar_events_note,
)
from consuldesk.services.audit_text import details
from consuldesk.services.nationals import get_national
from consuldesk.services.rows import NationalRow
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_card import PersonCard
from consuldesk.ui.models.audit import (
    COL_ABOUT,
    COL_KIND,
    COL_OFFICER,
    COL_POST,
    COL_WHEN,
    AuditModel,
    kind_text,
    when_text,
)
from consuldesk.ui.widgets.date_field import DateField

SEARCH_DEBOUNCE_MS = 250


class AuditTrailPage(QWidget):
    """Filter bar, the paged trail, and the selected event in full."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.desk = ctx.desk
        self._tasks = ctx.tasks
        self._stale = False  # the case file changed while the page was out of view
        self.card: PersonCard | None = None

        self.person_box = QLineEdit()
        self.person_box.setPlaceholderText(_("Name, IIN, passport or phone"))
        self.person_box.setClearButtonEnabled(True)
        self.officer_box = QComboBox()
        self.officer_box.addItem(_("All"), None)
        self.officer_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.officer_box.setMinimumContentsLength(10)
        self.officer_box.currentTextChanged.connect(self.officer_box.setToolTip)
        self.since_field = DateField()
        self.until_field = DateField()
        self.kind_box = QComboBox()
        self.kind_box.addItem(_("All"), None)
        for kind, caption in KIND_LABELS.items():
            self.kind_box.addItem(_(caption), kind)
        self.kind_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_box.setMinimumContentsLength(10)
        self.kind_box.currentTextChanged.connect(self.kind_box.setToolTip)
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.setEnabled(False)

        self.model = AuditModel(self._tasks, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(25)  # measure the first rows only
        metrics = self.table.fontMetrics()
        header.resizeSection(COL_WHEN, metrics.horizontalAdvance("00.00.0000 00:00") + 16)
        header.resizeSection(COL_OFFICER, metrics.horizontalAdvance("M" * 9))
        header.resizeSection(COL_POST, metrics.horizontalAdvance("MM-MMM") + 16)
        header.resizeSection(COL_KIND, metrics.horizontalAdvance("M" * 9))
        header.resizeSection(COL_ABOUT, metrics.horizontalAdvance("M" * 13))
        for column in (COL_WHEN, COL_OFFICER, COL_POST, COL_KIND, COL_ABOUT):
            # A header longer than its values (Kazakh, Russian) is not cut either.
            caption = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            wanted = header.fontMetrics().horizontalAdvance(caption) + 24
            header.resizeSection(column, max(header.sectionSize(column), wanted))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        # The selected event in full.
        self.event_label = QLabel()
        self.event_label.setWordWrap(True)
        self.event_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_table = QTableWidget(0, 2)
        self.details_table.setHorizontalHeaderLabels([_("Field"), _("Change")])
        self.details_table.verticalHeader().setVisible(False)
        self.details_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details_table.setWordWrap(True)
        self.details_table.horizontalHeader().setStretchLastSection(True)
        self.details_table.horizontalHeader().resizeSection(0, metrics.horizontalAdvance("M" * 12))
        self.open_person_button = QPushButton(_("Open person"))
        self.open_person_button.setToolTip(_("Open the card of the person this event is about"))
        self.open_person_button.setEnabled(False)

        bar = QGridLayout()
        bar.setVerticalSpacing(1)
        for column, (text, widget, stretch) in enumerate(
            (
                (_("Person"), self.person_box, 3),
                (_("Officer"), self.officer_box, 2),
                (_("From"), self.since_field, 0),
                (_("To"), self.until_field, 0),
                (_("Kind"), self.kind_box, 2),
            )
        ):
            title = QLabel(text)
            title.setBuddy(widget)
            bar.addWidget(title, 0, column)
            bar.addWidget(widget, 1, column)
            bar.setColumnStretch(column, stretch)
        bar.addWidget(self.clear_button, 1, 5)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.event_label, 1)
        head.addWidget(self.open_person_button, 0, Qt.AlignmentFlag.AlignTop)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.details_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.splitter, 1)
        QWidget.setTabOrder(self.person_box, self.officer_box)
        QWidget.setTabOrder(self.officer_box, self.since_field)
        QWidget.setTabOrder(self.since_field, self.until_field)
        QWidget.setTabOrder(self.until_field, self.kind_box)
        QWidget.setTabOrder(self.kind_box, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.table)
        QWidget.setTabOrder(self.table, self.open_person_button)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self._show_event(None)
        self._load_officers()
        self._run_query()

    def _connect_signals(self) -> None:
        self.person_box.textChanged.connect(self._on_person_box_text_changed)
        self.person_box.returnPressed.connect(self._on_debounce_timeout)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.officer_box.currentIndexChanged.connect(self._on_filter_changed)
        self.kind_box.currentIndexChanged.connect(self._on_filter_changed)
        self.since_field.changed.connect(self._on_date_changed)
        self.until_field.changed.connect(self._on_date_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.failed.connect(self._on_model_failed)
        self.model.modelReset.connect(self._on_model_reset)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(self._on_table_activated)
        self.open_person_button.clicked.connect(self._on_open_person_button_clicked)
        self.ctx.events.changed.connect(self._on_case_file_changed)

    # -- the query -------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """What the filter bar asks for (a date that is not one yet is left out)."""
        return AuditFilter(
            person=self.person_box.text().strip(),
            officer=self.officer_box.currentData(),
            since=self.since_field.value(),
            until=self.until_field.value(),
            kind=self.kind_box.currentData(),
        )

    def _run_query(self) -> None:
        flt = self.current_filter()
        self.clear_button.setEnabled(
            not flt.empty or bool(self.since_field.text() or self.until_field.text())
        )
        desk = self.desk
        self.status_label.setText(_("Reading the trail…"))

        def source(limit: int, after: AuditCursor | None, total: int | None) -> AuditPage:
            return find_events(desk, flt, limit=limit, after=after, total=total)

        self.model.set_source(source)

    def _load_officers(self) -> None:
        self._tasks.run(lambda: officers(self.desk), self._on_officers_loaded, self._on_failed)

    def _on_officers_loaded(self, names: object) -> None:
        box = self.officer_box
        chosen = box.currentData()
        box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for name in names if isinstance(names, list) else []:
            box.addItem(name, name)
        index = box.findData(chosen) if chosen is not None else 0
        box.setCurrentIndex(max(index, 0))
        box.blockSignals(False)
        view = box.view()  # the open list as wide as its longest name
        view.setMinimumWidth(
            view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width()
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.status_label.setText(describe(exc))

    @Slot(str)
    def _on_person_box_text_changed(self, text: str) -> None:
        if text.strip():
            self.clear_button.setEnabled(True)
        self._debounce.start()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        self._debounce.stop()
        self._run_query()

    @Slot()
    def _on_filter_changed(self) -> None:
        self._run_query()

    @Slot()
    def _on_date_changed(self) -> None:
        for field in (self.since_field, self.until_field):
            if field.text() and field.error() is not None:
                self.status_label.setText(
                    _("“{text}” is not a date (dd.mm.yyyy).").format(text=field.text())
                )
                return  # asked again once it is one
        since, until = self.since_field.value(), self.until_field.value()
        if since and until and since > until:
            self.status_label.setText(_("The first day is after the last."))
            return
        self._run_query()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        for widget in (self.person_box, self.officer_box, self.kind_box):
            widget.blockSignals(True)
        self.person_box.clear()
        self.officer_box.setCurrentIndex(0)
        self.kind_box.setCurrentIndex(0)
        for widget in (self.person_box, self.officer_box, self.kind_box):
            widget.blockSignals(False)
        for field in (self.since_field, self.until_field):
            field.blockSignals(True)
            field.set_value(None)
            field.blockSignals(False)
        self._debounce.stop()
        self._run_query()

    @Slot(int)
    def _on_model_loaded(self, total: int) -> None:
        people = self.model.people
        if people == 0:
            text = _("Nobody is found by “{text}”.").format(text=self.person_box.text().strip())
        else:
            count = QLocale().toString(total)  # 7 876 in Kazakh and Russian, 7,876 in English
            text = ngettext("{n} event", "{n} events", total).format(n=count)
            if people is not None and people > MOST_PEOPLE:
                text += " " + _(
                    "The person search finds more than {n} people: type more of the name."
                ).format(n=MOST_PEOPLE)
            elif people is not None and people > 1:
                text += " " + ngettext("({n} person found)", "({n} people found)", people).format(
                    n=people
                )
            if self.model.similar:
                text = similar_events_note(self.person_box.text().strip()) + " " + text
        self.status_label.setText(text)
        if self.model.rowCount():
            self.table.selectRow(0)

    @Slot(str)
    def _on_model_failed(self, message: str) -> None:
        self.status_label.setText(message)

    @Slot()
    def _on_model_reset(self) -> None:
        self._show_event(None)

    @Slot(object)
    def _on_case_file_changed(self, _changes: object) -> None:
        # Every change is an event: the trail is out of date at once. Read again now if in
        # view, else when shown (a page deep in the trail is not pulled away from the officer
        # by a save on another page).
        if self.isVisible():
            self._load_officers()
            self._run_query()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._load_officers()
            self._run_query()

    # -- the selected event ----------------------------------------------------------------

    def selected_event(self) -> AuditRow | None:
        """The event selected in the list, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self._show_event(self.selected_event())

    def _show_event(self, row: AuditRow | None) -> None:
        self.details_table.setRowCount(0)
        self.open_person_button.setEnabled(row is not None and row.national_id is not None)
        if row is None:
            self.event_label.setText(_("Choose an event to see everything it recorded."))
            return
        where = f"{row.officer} ({row.post_code})" if row.post_code else row.officer
        self.event_label.setText(
            f"<b>{_escape(row.subject)}</b> — {_escape(kind_text(row))}<br>"
            f"{when_text(row)} · {_escape(where)}<br>{_escape(row.summary)}"
        )
        lines = details(row.changes)
        self.details_table.setRowCount(len(lines))
        for i, (label, text) in enumerate(lines):
            for column, value in enumerate((label, text)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.details_table.setItem(i, column, item)
        self.details_table.resizeRowsToContents()

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.row_at(index.row()).national_id:
            self.open_person()

    @Slot()
    def _on_open_person_button_clicked(self) -> None:
        self.open_person()

    def open_person(self) -> None:
        """Open the card of the selected event's person (read in the background)."""
        row = self.selected_event()
        if row is None or row.national_id is None:
            return
        desk, national_id = self.desk, row.national_id
        self._tasks.run(
            lambda: get_national(desk, national_id), self._on_person_read, self._on_person_failed
        )

    def _on_person_read(self, person: object) -> None:
        if isinstance(person, NationalRow):
            self.card = PersonCard(self.ctx, person, self)
            self.card.open()

    def _on_person_failed(self, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self.status_label.setText(
                _("This person's record was deleted or merged; the trail keeps what was done.")
            )
        else:
            self.status_label.setText(describe(exc))

    def focus_person(self) -> None:
        """Put the cursor in the person box, its text selected (the menu's shortcut)."""
        self.person_box.setFocus()
        self.person_box.selectAll()

    def show_person(self, text: str) -> None:
        """Narrow the trail to one person (by id or search text)."""
        self.person_box.blockSignals(True)
        self.person_box.setText(text)
        self.person_box.blockSignals(False)
        self._debounce.stop()
        self._run_query()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
