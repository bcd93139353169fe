"""Nationals: find a person in a keystroke, narrow the list by place, status, needs, hotel or
household (in a family, in none, ...); the cities offered are those of the chosen country.

The list is a paged query (:class:`NationalsModel` over :func:`find_nationals`): SQLite filters,
counts and sorts; the view fetches 100 rows at a time as the officer scrolls, so 100,000
nationals stay smooth. "Needs review" narrows to the records with values set aside by an import
(read from the partial index over them); its button shows how many there are.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QModelIndex, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.countries import country_name
from consuldesk.domain.enums import PresenceStatus, Vulnerability
from consuldesk.domain.errors import ValidationError
from consuldesk.i18n import _, language, ngettext
from consuldesk.messages import describe
from consuldesk.services.desk import Desk
from consuldesk.services.nationals import (
    Cursor,
    FilterChoices,
    NationalFilter,
    Page,
    Saved,
    count_nationals,
    filter_choices,
    find_nationals,
)
from consuldesk.services.rows import NationalRow
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_card import PersonCard, label_of
from consuldesk.ui.models.nationals import (
    COL_BIRTH,
    COL_FLAGS,
    COL_NAME,
    COL_PHONE,
    COL_PLACE,
    COL_STATUS,
    SORT_KEYS,
    STATUS_LABELS,
    NationalsModel,
)
from consuldesk.ui.widgets.tables import show_columns_in_order

SEARCH_DEBOUNCE_MS = 200

#: The "Needs" filter's labels (the list's own column uses the short FLAG_LABELS).
NEED_FILTER_LABELS = {
    Vulnerability.MEDICAL: "Medical condition",
    Vulnerability.MOBILITY: "Mobility needs",
    Vulnerability.PREGNANT: "Pregnant",
    Vulnerability.OVER_60: "Over 60",
    Vulnerability.WOMAN_WITH_MINORS: "Women with children",
    Vulnerability.MINOR: "Minors",
}

#: The "Household" filter's choices (values of ``NationalFilter.membership``).
MEMBERSHIP_LABELS = {
    "family": "In a family",
    "no_family": "Not in a family",
    "tour_group": "In a tour group",
    "none": "In no household",
}

# The Household box's item for one household (from the Households page): this, then its id.
_ONE_HOUSEHOLD = "household:"

# Tables whose changes can change who is listed, or what the filter boxes offer.
_LIST_TABLES = {"national", "household", "household_member", "placement", "hotel"}


def _key_of(row: NationalRow) -> str:
    """What finds a person just registered: their passport or IIN where there is one."""
    return row.passport_no or row.iin or row.name


def _country(code: str) -> str:
    try:
        return country_name(code, language())
    except ValidationError:
        return code


class NationalsPage(QWidget):
    """Search box, filter bar and the paged list of nationals."""

    @property
    def desk(self) -> Desk:
        """The open case file, read from the context each time: the window may open it again
        (encrypted) while this lives."""
        return self.ctx.desk

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._tasks = ctx.tasks
        self._everyone: int | None = None  # live nationals in the case file
        self._needs_review: int | None = None  # of them, those with values set aside
        self._filter = NationalFilter()
        self._saved: NationalRow | None = None  # a person just registered, to show and select
        self._notice: str | None = None  # what the last card saved said
        self._choices_serial = 0
        self._country_changed = False  # the city box's choices are of another country

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            _("Search by name (Cyrillic or Latin), IIN, passport or phone — Ctrl+F")
        )
        self.search_box.setToolTip(
            _(
                "A name in either script, or its beginning; an IIN, passport or phone, or any "
                "part of one; a birth year or date beside a name (Ахметова 1990). A name nobody "
                "has as typed lists the names a letter or two from it."
            )
        )
        self.search_box.setClearButtonEnabled(True)
        self.new_button = QPushButton(_("New person"))
        self.new_button.setToolTip(_("Register a new person (Ctrl+N)"))

        self.country_box = self._filter_box()
        self.city_box = self._filter_box()
        self.status_box = self._filter_box()
        for status in PresenceStatus:
            self.status_box.addItem(_(STATUS_LABELS[status.value]), status.value)
        self.needs_box = self._filter_box()
        for flag in Vulnerability:
            self.needs_box.addItem(_(NEED_FILTER_LABELS[flag]), flag.value)
        self.hotel_box = self._filter_box()
        self.household_box = self._filter_box()
        for membership, caption in MEMBERSHIP_LABELS.items():
            self.household_box.addItem(_(caption), membership)
        for box in (self.status_box, self.needs_box, self.household_box):
            self._widen_list(box)
        # Narrow on a small screen: the choice is whole in the tooltip and in the open list.
        for box in (self.country_box, self.city_box, self.status_box, self.needs_box):
            box.currentTextChanged.connect(box.setToolTip)
        self.hotel_box.currentTextChanged.connect(self.hotel_box.setToolTip)
        self.household_box.setToolTip(
            _("Families travel together; a person can also be in a tour group")
        )
        self.review_button = QPushButton(_("Needs review"))
        self.review_button.setCheckable(True)
        # The same mark as on the rows that need review.
        self.review_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        )
        self.review_button.setToolTip(
            _("Show only the people with values set aside for review when a list was imported")
        )
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.setEnabled(False)

        self.model = NationalsModel(self.desk.today(), self, tasks=self._tasks)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Who, how old, where, in what state and what they need first: at 1024 px the columns
        # after the phone are out of view.
        show_columns_in_order(
            header, (COL_NAME, COL_BIRTH, COL_PLACE, COL_STATUS, COL_FLAGS, COL_PHONE)
        )
        # Size columns from the first rows only: measuring every fetched row on each answer
        # stalls the UI thread at 100,000 nationals.
        header.setResizeContentsPrecision(25)
        # The indicator first, so enabling sorting asks for the order the model already has.
        header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)  # "Saved: … Kept …" wraps rather than widening
        self.card: PersonCard | None = None

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_button)
        # Captions above the boxes: in one line with them the bar outgrew a 1024-pixel screen
        # (in Russian even more).
        bar = QGridLayout()
        bar.setVerticalSpacing(1)
        for column, (text, box) in enumerate(
            (
                (_("Country"), self.country_box),
                (_("City"), self.city_box),
                (_("Status"), self.status_box),
                (_("Needs"), self.needs_box),
                (_("Hotel tonight"), self.hotel_box),
                (_("Household"), self.household_box),
            )
        ):
            label = QLabel(text)
            label.setBuddy(box)
            bar.addWidget(label, 0, column)
            bar.addWidget(box, 1, column)
            bar.setColumnStretch(column, 1)
        count_line = QHBoxLayout()
        count_line.addWidget(self.status_label, 1)
        count_line.addWidget(self.review_button)
        count_line.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addLayout(count_line)
        layout.addWidget(self.table)
        QWidget.setTabOrder(self.search_box, self.country_box)
        QWidget.setTabOrder(self.country_box, self.city_box)
        QWidget.setTabOrder(self.city_box, self.status_box)
        QWidget.setTabOrder(self.status_box, self.needs_box)
        QWidget.setTabOrder(self.needs_box, self.hotel_box)
        QWidget.setTabOrder(self.hotel_box, self.household_box)
        QWidget.setTabOrder(self.household_box, self.review_button)
        QWidget.setTabOrder(self.review_button, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.table)
        QWidget.setTabOrder(self.table, self.new_button)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self._load_counts_and_choices()
        self._run_query()

    @staticmethod
    def _filter_box() -> QComboBox:
        box = QComboBox()
        box.addItem(_("All"), None)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)
        return box

    @staticmethod
    def _widen_list(box: QComboBox) -> None:
        """Let the open list be as wide as its longest choice ("Saudi Arabia (1,078)")."""
        view = box.view()
        view.setMinimumWidth(
            view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width()
        )

    def _connect_signals(self) -> None:
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.ctx.events.changed.connect(self._on_case_file_changed)
        # activated: Enter on a row, and double-click (Qt emits it for both).
        self.table.activated.connect(self._on_table_activated)
        self.search_box.installEventFilter(self)
        self.table.horizontalHeader().sortIndicatorChanged.connect(
            self._on_header_sort_indicator_changed
        )
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        # The country first: its handler sets the city back before the list is queried.
        self.country_box.currentIndexChanged.connect(self._on_country_box_current_index_changed)
        for box in self._boxes():
            box.currentIndexChanged.connect(self._on_filter_box_current_index_changed)
        self.review_button.toggled.connect(self._on_review_button_toggled)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.failed.connect(self._on_model_failed)

    def _boxes(self) -> tuple[QComboBox, ...]:
        return (
            self.country_box,
            self.city_box,
            self.status_box,
            self.needs_box,
            self.hotel_box,
            self.household_box,
        )

    # -- opening cards ---------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_card(self.model.row_at(index.row()))

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.open_new_card()

    @property
    def _found_nobody(self) -> bool:
        """Whether the search typed (with no other filter) found nobody."""
        flt = self._filter
        return bool(flt.query) and not flt.narrows and (self.model.total == 0 or self.model.similar)

    def open_new_card(self) -> PersonCard:
        """An empty card; after a search that found nobody, begun with what was searched."""
        card = self.open_card(None)
        if self._found_nobody:
            card.start_from(self.search_box.text())
        return card

    def open_card(self, row: NationalRow | None) -> PersonCard:
        """Open the person card for a row, or an empty one (non-blocking; a seam for tests)."""
        card = PersonCard(self.ctx, row, self)
        self.card = card
        if row is None:  # a new person: once saved, the list shows them, selected
            card.saved.connect(self._on_new_person_saved)
        else:
            card.saved.connect(self._on_person_saved)
        card.open()
        return card

    @Slot(object)
    def _on_new_person_saved(self, saved: object) -> None:
        row = getattr(saved, "row", None)
        if not isinstance(row, NationalRow):
            return
        self._saved, self._notice = row, None
        self._reset_filters()
        # Found by what is unique to them where there is something: their passport or IIN.
        self._set_quietly(self.search_box, _key_of(row))
        self._debounce.stop()
        self._run_query()

    @Slot(object)
    def _on_person_saved(self, saved: object) -> None:
        """Say that a card was saved, and which of someone else's changes it kept."""
        if not isinstance(saved, Saved):
            return
        text = _("Saved: {name}.").format(name=saved.row.name)
        if saved.theirs_kept:
            fields = ", ".join(label_of(c.field) for c in saved.theirs_kept)
            text += " " + _("Kept what someone else changed meanwhile: {fields}.").format(
                fields=fields
            )
        self._notice = text  # said until the officer searches or filters for something else
        self.status_label.setText(text)

    def selected_row(self) -> NationalRow | None:
        """The national selected in the list, if any."""
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        return self.model.row_at(index.row())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # From the search box, Down moves into the results and Enter opens the first match:
        # search, arrow, Enter, without reaching for the mouse.
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus()
                self.table.selectRow(0)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.model.rowCount():
                self.table.selectRow(0)
                self.open_card(self.model.row_at(0))
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+F)."""
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- filter ----------------------------------------------------------------------------

    def current_filter(self) -> NationalFilter:
        """What the search box and filter boxes ask for."""
        need = self.needs_box.currentData()
        household = self.household_box.currentData()
        one = household is not None and household.startswith(_ONE_HOUSEHOLD)
        return NationalFilter(
            query=self.search_box.text().strip(),
            host_country=self.country_box.currentData(),
            city=self.city_box.currentData(),
            presence_status=self.status_box.currentData(),
            vulnerability=Vulnerability(need) if need else None,
            hotel_id=self.hotel_box.currentData(),
            needs_review=self.review_button.isChecked(),
            membership=None if one or household is None else household,
            household_id=household.removeprefix(_ONE_HOUSEHOLD) if one else None,
        )

    def show_needs_review(self) -> None:
        """List the people who need review, and only them (the overview links here)."""
        self._set_quietly(self.search_box, "")
        self._reset_filters()
        self.review_button.blockSignals(True)
        self.review_button.setChecked(True)
        self.review_button.blockSignals(False)
        self._show_review_count()
        self._debounce.stop()
        self._run_query()
        self.table.setFocus()

    def show_household(self, household_id: str, label: str) -> None:
        """List the members of one household, and only them (the Households page links here):
        with their passports, IINs and phones, to call or check the whole family."""
        self._set_quietly(self.search_box, "")
        self._reset_filters()
        box = self.household_box
        box.blockSignals(True)
        box.addItem(label, _ONE_HOUSEHOLD + household_id)
        box.setItemData(box.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        box.setCurrentIndex(box.count() - 1)
        box.blockSignals(False)
        self._debounce.stop()
        self._run_query()
        self.table.setFocus()

    @staticmethod
    def _set_quietly(box: QLineEdit, text: str) -> None:
        box.blockSignals(True)
        box.setText(text)
        box.blockSignals(False)

    def _reset_filters(self) -> None:
        """Every filter back to "All", without a query for each."""
        if self.country_box.currentData() is not None:
            self._country_changed = True
        for box in self._boxes():
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        household_box = self.household_box
        household_box.blockSignals(True)
        for index in reversed(range(household_box.count())):  # one household: not a choice now
            if str(household_box.itemData(index) or "").startswith(_ONE_HOUSEHOLD):
                household_box.removeItem(index)
        household_box.blockSignals(False)
        self.review_button.blockSignals(True)
        self.review_button.setChecked(False)
        self.review_button.blockSignals(False)
        self._show_review_count()
        if self._country_changed:
            self._load_counts_and_choices()  # the cities of every country again

    def _run_query(self) -> None:
        """Page through the nationals the current filter matches (answers to older ones drop)."""
        flt = self.current_filter()
        self._filter = flt
        self.clear_button.setEnabled(flt.narrows)
        desk = self.desk

        def source(
            sort: str, descending: bool, limit: int, after: Cursor | None, total: int | None
        ) -> Page:
            return find_nationals(
                desk, flt, sort=sort, descending=descending, limit=limit, after=after, total=total
            )

        self.model.set_source(source)

    @Slot(str)
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        self._notice = None  # a new search: the confirmation has been read
        self._run_query()

    @Slot(int)
    def _on_filter_box_current_index_changed(self, _index: int) -> None:
        self._saved = self._notice = None  # a new filter: the confirmation has been read
        self._debounce.stop()
        self._run_query()

    @Slot(int)
    def _on_country_box_current_index_changed(self, _index: int) -> None:
        # The cities narrow to the chosen country. A city of another country would match
        # nobody: back to "All" at once, before the list queries, rather than after.
        self._country_changed = True
        self.city_box.blockSignals(True)
        self.city_box.setCurrentIndex(0)
        self.city_box.blockSignals(False)
        self._load_counts_and_choices()

    @Slot(bool)
    def _on_review_button_toggled(self, _checked: bool) -> None:
        self._saved = self._notice = None  # a new filter: the confirmation has been read
        self._debounce.stop()
        self._show_review_count()
        self._run_query()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self._saved = self._notice = None  # a new filter: the confirmation has been read
        self._reset_filters()
        self._run_query()

    @Slot(int, Qt.SortOrder)
    def _on_header_sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:
            # Not a sortable column: put the arrow back on the order the list really has.
            sort, descending = self.model.sort_order()
            section = next(c for c, key in SORT_KEYS.items() if key == sort)
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(section, order)
            header.blockSignals(False)

    # -- answers ---------------------------------------------------------------------------

    @Slot(int)
    def _on_model_loaded(self, _total: int) -> None:
        self.table.resizeColumnsToContents()
        self._show_count()
        saved = self._saved
        if saved is None or self.search_box.text() != _key_of(saved):
            return
        for r in range(self.model.rowCount()):  # every load of this search selects them
            if self.model.row_at(r).id == saved.id:
                self.table.selectRow(r)
                self.table.scrollTo(self.model.index(r, 0))
                break

    @Slot(str)
    def _on_model_failed(self, text: str) -> None:
        self.status_label.setText(text)

    def _show_count(self) -> None:
        if self._notice is not None:
            self.status_label.setText(self._notice)
            return
        saved = self._saved
        if saved is not None and self.search_box.text() == _key_of(saved):
            # Said until the officer searches or filters for something else.
            self.status_label.setText(_("Saved: {name}.").format(name=saved.name))
            return
        total, flt = self.model.total, self._filter
        everyone = self._everyone
        if self.model.similar:
            self.status_label.setText(
                ngettext(
                    "Nobody is named “{query}”: {n} person with a similar name.",
                    "Nobody is named “{query}”: {n} people with a similar name.",
                    total,
                ).format(query=flt.query.strip(), n=QLocale().toString(total))
            )
        elif flt.narrows:
            if total == 0 and flt == NationalFilter(needs_review=True):
                self.status_label.setText(_("Nobody needs review."))
            elif total == 0:
                self.status_label.setText(_("Nobody matches — clear the filters"))
            else:
                of = everyone if everyone is not None else total
                self.status_label.setText(
                    ngettext("{n} of {total} national", "{n} of {total} nationals", of).format(
                        n=QLocale().toString(total), total=QLocale().toString(of)
                    )
                )
        elif flt.query:
            if total == 0:
                self.status_label.setText(_("Nobody found. New person (Ctrl+N) starts from it."))
            else:
                self.status_label.setText(_("{n} found.").format(n=QLocale().toString(total)))
        elif total == 0:
            self.status_label.setText(_("The case file is empty."))
        else:
            self.status_label.setText(
                ngettext(
                    "{n} national in the case file. Type to search.",
                    "{n} nationals in the case file. Type to search.",
                    total,
                ).format(n=QLocale().toString(total))
            )

    # -- counts and choices ----------------------------------------------------------------

    def _load_counts_and_choices(self) -> None:
        desk, country = self.desk, self.country_box.currentData()
        self._choices_serial += 1
        serial = self._choices_serial
        self._tasks.run(
            lambda: (count_nationals(desk), filter_choices(desk, country)),
            lambda result: self._on_choices_done(serial, *result),
            lambda exc: self._on_model_failed(describe(exc)),
        )

    def _on_choices_done(self, serial: int, everyone: int, choices: FilterChoices) -> None:
        if serial != self._choices_serial:
            return
        self._everyone = everyone
        locale = QLocale()
        self._refill(
            self.country_box,
            [(f"{_country(c)} ({locale.toString(n)})", c) for c, n in choices.countries],
        )
        cities = [(f"{c} ({locale.toString(n)})", c) for c, n in choices.cities]
        self._refill(self.city_box, cities, keep=not self._country_changed)
        self._country_changed = False
        self._refill(self.hotel_box, [(h.name, h.id) for h in choices.hotels])
        self._needs_review = choices.needs_review
        self._show_review_count()
        if not self.model.loading:
            self._show_count()

    def _show_review_count(self) -> None:
        """The review button names how many need review; with nobody it rests (unless on)."""
        count = self._needs_review
        button = self.review_button
        if count is None:
            button.setText(_("Needs review"))
            return
        button.setText(_("Needs review ({n})").format(n=QLocale().toString(count)))
        button.setEnabled(count > 0 or button.isChecked())

    @staticmethod
    def _refill(box: QComboBox, items: list[tuple[str, str]], keep: bool = True) -> None:
        """Replace a box's choices, keeping the current one (kept even when no longer offered,
        unless not ``keep``)."""
        current, current_text = box.currentData(), box.currentText()
        if not keep and current is not None and current not in {v for _t, v in items}:
            current = None
        box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for text, value in items:
            box.addItem(text, value)
        if current is not None:
            index = box.findData(current)
            if index < 0:
                box.addItem(current_text, current)
                index = box.count() - 1
            box.setCurrentIndex(index)
        box.blockSignals(False)
        NationalsPage._widen_list(box)

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        tables: set[str] = set(getattr(changes, "tables", ()))
        if _LIST_TABLES & tables:
            self._load_counts_and_choices()
            self.model.reload()  # show the change, in the same filter and order


__all__ = ["MEMBERSHIP_LABELS", "NEED_FILTER_LABELS", "NationalsPage"]
