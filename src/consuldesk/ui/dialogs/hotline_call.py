"""Log a hotline call in a few keystrokes: who called, about whom, what they need (Ctrl+L)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import RequestKind, RequestPriority, TimelineKind
from consuldesk.domain.phone import format_phone
from consuldesk.domain.requests import default_due
from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services.nationals import SearchResult, search
from consuldesk.services.requests import log_hotline_call
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import RequestRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.discard import DiscardGuardDialog
from consuldesk.ui.models.requests import kind_label, priority_label
from consuldesk.ui.widgets.date_field import DueField, propose_due
from consuldesk.ui.widgets.forms import ChoiceBox, WrappingLabel
from consuldesk.ui.widgets.person_picker import SimilarNote

SEARCH_DEBOUNCE_MS = 200
SEARCH_LIMIT = 8
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _person_line(row: NationalRow) -> str:
    parts = [row.name]
    if row.birth_date:
        parts.append(f"{row.birth_date:%d.%m.%Y}")
    if row.phones:
        # One unbreakable piece: a wrapped line never leaves "+7" alone above the number.
        parts.append(format_phone(row.phones[0]).replace(" ", "\u00a0"))
    if row.city:
        parts.append(row.city)
    return " · ".join(parts)


class HotlineCallDialog(DiscardGuardDialog):
    """The quick form behind Ctrl+L; saving opens a request with the call as its first entry.

    Only Ctrl+Enter (or Save) saves: Enter in "Find person" links the match chosen with the
    arrow keys, and Enter elsewhere does nothing, so a half-filled call is never filed. Esc
    asks before throwing a typed call away.

    Signals:
        saved(object): the new :class:`RequestRow`, after the case file was written.
    """

    saved = Signal(object)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, person: NationalRow | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Log a hotline call"))
        self._serial = 0
        self._national: NationalRow | None = None
        self._filled: dict[QLineEdit, str] = {}  # what linking the person typed, by field
        self._listed: tuple[str, int] | None = None  # the query listed, and its matches
        self.request: RequestRow | None = None  # set once saved

        self.direction_box = QComboBox()
        self.direction_box.addItem(_("Incoming call"), TimelineKind.CALL_IN)
        self.direction_box.addItem(_("Outgoing call"), TimelineKind.CALL_OUT)
        # Someone at the post's door is not a call: the timeline says which it was.
        self.direction_box.addItem(_("Visit to the post"), TimelineKind.VISIT)
        self.caller_edit = QLineEdit()
        self.caller_edit.setPlaceholderText(_("Who is calling (may be a relative)"))
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText(_("+7 701 234 5678"))

        self.person_search = QLineEdit()
        self.person_search.setPlaceholderText(
            _("Type a name, IIN, passport or phone to link the person — or leave empty")
        )
        self.person_search.setClearButtonEnabled(True)
        self.person_list = QListWidget()
        self.person_list.setWordWrap(True)  # name, birth date, city, passport: all of it
        self.person_list.setMaximumHeight(7 * self.person_list.fontMetrics().height() + 12)
        self.person_list.hide()
        # Nobody by the name as heard: the people with a name near it, said above them.
        self.similar_label = SimilarNote()
        self.person_label = WrappingLabel(_("Person: unknown (not linked)"))
        # Two lines kept for it: a linked person's line wraps, and a row that grew only after
        # the dialog was laid out cut its first line under the search field.
        self.person_label.setMinimumHeight(2 * self.person_label.fontMetrics().lineSpacing() + 2)
        self.unlink_button = QPushButton(_("Unlink"))
        self.unlink_button.setEnabled(False)
        person_line = QHBoxLayout()
        person_line.addWidget(self.person_label, 1)
        person_line.addWidget(self.unlink_button)

        self.kind_box = ChoiceBox()
        for kind in RequestKind:
            self.kind_box.addItem(kind_label(kind), kind)
        # No kind until the officer chooses one: a default would file every call as it.
        self.kind_box.setPlaceholderText(_("Choose what they need"))
        self.kind_box.setCurrentIndex(-1)
        self.priority_box = QComboBox()
        for priority in RequestPriority:
            self.priority_box.addItem(priority_label(priority), priority)
        self.priority_box.setCurrentIndex(self.priority_box.findData(RequestPriority.NORMAL))
        self.summary_edit = QLineEdit()
        self.summary_edit.setPlaceholderText(_("What they need, in one line"))
        self.details_edit = QPlainTextEdit()
        self.details_edit.setTabChangesFocus(True)
        self.details_edit.setPlaceholderText(
            _("Where they are, who is with them, what was promised")
        )
        self.details_edit.setFixedHeight(80)
        self.due_check = QCheckBox(_("Due by"))
        self.due_edit = DueField(default_due(RequestPriority.NORMAL))
        self.due_edit.setEnabled(False)
        self._proposed: datetime | None = None  # the due time proposed for a priority
        due_line = QHBoxLayout()
        due_line.addWidget(self.due_check)
        due_line.addWidget(self.due_edit)
        due_line.addStretch(1)

        self.error_label = WrappingLabel()  # its lines push the form up, never over it
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save (Ctrl+Enter)"))
        # Enter in a line edit must not save a half-filled form: only Ctrl+Enter does.
        self.save_button.setAutoDefault(False)
        self.save_button.setDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)

        form = QFormLayout()
        form.addRow(_("Contact"), self.direction_box)
        form.addRow(_("Who"), self.caller_edit)
        form.addRow(_("Phone"), self.phone_edit)
        form.addRow(_("Find person"), self.person_search)
        form.addRow("", self.similar_label)
        form.addRow("", self.person_list)
        form.addRow("", person_line)
        form.addRow(_("Kind"), self.kind_box)
        form.addRow(_("Priority"), self.priority_box)
        form.addRow(_("Summary"), self.summary_edit)
        form.addRow(_("Details"), self.details_edit)
        form.addRow("", due_line)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self._save_shortcuts = [
            QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self),
            QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter), self),
        ]
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self.caller_edit.setFocus()
        if person is not None:  # the call was started from their card: linked from the start
            self.link_person(person)
        self._as_opened = self._typed()  # what Esc compares with before it asks

    @Slot(int)
    def _on_direction_box_changed(self, _index: int) -> None:
        """A visitor at the door is asked about as one: the title and the prompt say so."""
        if self.direction_box.currentData() == TimelineKind.VISIT:
            self.setWindowTitle(_("Log a visit to the post"))
            self.caller_edit.setPlaceholderText(_("Who came (may be a relative)"))
        else:
            self.setWindowTitle(_("Log a hotline call"))
            self.caller_edit.setPlaceholderText(_("Who is calling (may be a relative)"))

    def _connect_signals(self) -> None:
        self.person_search.textChanged.connect(self._on_person_search_text_changed)
        self.person_search.installEventFilter(self)  # arrows choose a match, Enter links it
        self.kind_box.currentIndexChanged.connect(self.error_label.hide)
        self.direction_box.currentIndexChanged.connect(self._on_direction_box_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.person_list.itemActivated.connect(self._on_person_list_item_activated)
        self.person_list.itemClicked.connect(self._on_person_list_item_activated)
        self.unlink_button.clicked.connect(self._on_unlink_button_clicked)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.priority_box.currentIndexChanged.connect(self._on_priority_box_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        for shortcut in self._save_shortcuts:
            shortcut.activated.connect(self._on_buttons_accepted)

    # -- finding the person ----------------------------------------------------------------

    @property
    def national(self) -> NationalRow | None:
        """The person the call is linked to, if any."""
        return self._national

    @Slot(str)
    def _on_person_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.person_search or event.type() != QEvent.Type.KeyPress:
            return False
        press = cast(QKeyEvent, event)
        key, modifiers = press.key(), press.modifiers()
        shown = self.person_list.isVisible() and self.person_list.count() > 0
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and shown:
            step = 1 if key == Qt.Key.Key_Down else -1
            row = self.person_list.currentRow() + step
            if 0 <= row < self.person_list.count():
                self.person_list.setCurrentRow(row)
            return True
        if key in _ENTER and not modifiers & Qt.KeyboardModifier.ControlModifier:
            # Enter takes the match chosen, so a name can be typed and linked without the
            # mouse; it never saves the call.
            item = self.person_list.currentItem()
            if shown and item is not None:
                self._on_person_list_item_activated(item)
            return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the button that has the focus, and otherwise does nothing: a dialog's
        Enter would press its default button, and this form is saved with Ctrl+Enter only."""
        if event.key() in _ENTER and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            focused = self.focusWidget()
            if isinstance(focused, QAbstractButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def _typed(self) -> tuple[Any, ...]:
        return (
            self.caller_edit.text().strip(),
            self.phone_edit.text().strip(),
            self.summary_edit.text().strip(),
            self.details_edit.toPlainText().strip(),
            self._national.id if self._national else None,
            self.kind_box.currentIndex(),
        )

    def has_changes(self) -> bool:
        """Whether anything was typed or chosen since the dialog opened (a person linked from
        their card counts as how it opened)."""
        return self.request is None and self._typed() != self._as_opened

    def discard_question(self) -> str:
        return _("This call is not saved. Throw away what you typed?")

    @Slot()
    def _on_debounce_timeout(self) -> None:
        query = self.person_search.text().strip()
        self._serial += 1
        serial = self._serial
        if not query:
            self.person_list.clear()
            self.person_list.hide()
            self.similar_label.hide()
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: search(desk, query, limit=SEARCH_LIMIT),
            lambda result: self._on_search_done(serial, result, query),
            self._on_search_failed,
            owner=self,
        )

    def _on_search_done(self, serial: int, result: SearchResult, query: str) -> None:
        if serial != self._serial:
            return  # the officer kept typing
        self._listed = (query, len(result.rows))
        self.similar_label.show_for(result, query)
        self.person_list.clear()
        for row in result.rows:
            item = QListWidgetItem(_person_line(row))
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.person_list.addItem(item)
        if not result.rows:
            self.person_list.addItem(_("Nobody found — save them as not on file, or type more."))
            self.person_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        else:
            self.person_list.setCurrentRow(0)
            if result.more:  # eight of many: the caller may be further down
                self.person_list.addItem(_("More people match: type more of the name."))
                self.person_list.item(self.person_list.count() - 1).setFlags(
                    Qt.ItemFlag.NoItemFlags
                )
        self.person_list.show()

    def _on_search_failed(self, exc: BaseException) -> None:
        self._show_error(describe(exc))

    @Slot(QListWidgetItem)
    def _on_person_list_item_activated(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, NationalRow):
            self.link_person(row)

    def link_person(self, row: NationalRow) -> None:
        """Link the call to this national; fill the caller and phone when still empty."""
        self._unfill()
        self._national = row
        self.person_label.setText(_("Person: {line}").format(line=_person_line(row)))
        self.unlink_button.setEnabled(True)
        if not self.caller_edit.text().strip():
            self._fill(self.caller_edit, row.name)
        if not self.phone_edit.text().strip() and row.phones:
            self._fill(self.phone_edit, format_phone(row.phones[0]))
        self.person_list.hide()
        self.similar_label.hide()
        self.kind_box.setFocus()

    @Slot()
    def _on_unlink_button_clicked(self) -> None:
        self._unfill()
        self._national = None
        self.person_label.setText(_("Person: unknown (not linked)"))
        self.unlink_button.setEnabled(False)
        self.person_search.setFocus()

    def _fill(self, edit: QLineEdit, text: str) -> None:
        edit.setText(text)
        self._filled[edit] = text

    def _unfill(self) -> None:
        """Take back what linking the person typed, unless the officer changed it since."""
        for edit, text in self._filled.items():
            if edit.text() == text:
                edit.clear()
        self._filled.clear()

    # -- saving ----------------------------------------------------------------------------

    @Slot(int)
    def _on_priority_box_changed(self, _index: int) -> None:
        """Urgent or high with no due time: one is proposed (and can be unticked), or the
        call could never become overdue."""
        priority = RequestPriority(self.priority_box.currentData())
        self._proposed = propose_due(self.due_check, self.due_edit, priority, self._proposed)

    def due_at(self) -> datetime | None:
        """The due time chosen, as aware UTC (None when not set or not a time)."""
        return self.due_edit.moment() if self.due_check.isChecked() else None

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return  # already saving
        if self.kind_box.currentIndex() < 0:
            self._show_error(_("Choose what they need (the kind of request)."))
            self.kind_box.setFocus()
            return
        if not self.summary_edit.text().strip():
            self._show_error(_("Write what the caller needs in the summary."))
            self.summary_edit.setFocus()
            return
        if self.due_check.isChecked() and self.due_at() is None:
            self._show_error(_("Type the day (dd.mm.yyyy) and the time (hh:mm) it is due by."))
            self.due_edit.setFocus()
            return
        details = self.details_edit.toPlainText()
        query = " ".join(self.person_search.text().split())
        if self._national is None and query:
            # A name typed to find the person, and nobody linked: saved as it was, the call
            # read "unknown caller" and the name was nowhere.
            if self._listed != (query, 0):
                self._show_error(
                    _(
                        "Nobody is linked to the call, though “{query}” is typed in Find "
                        "person: choose the person in the list (Enter or a click), or clear "
                        "Find person to save the call without one."
                    ).format(query=query)
                )
                self.person_search.setFocus()
                return
            # Nobody on file by that name: the name asked about stays with the call.
            asked = _("Asked about: {query} (nobody on file by this name)").format(query=query)
            details = "\n".join(part for part in (details.strip(), asked) if part)
        desk = self.ctx.desk
        national_id = self._national.id if self._national else None
        values = {
            "summary": self.summary_edit.text(),
            "kind": RequestKind(self.kind_box.currentData()),
            "national_id": national_id,
            "caller": self.caller_edit.text(),
            "phone": self.phone_edit.text(),
            "direction": TimelineKind(self.direction_box.currentData()),
            "priority": RequestPriority(self.priority_box.currentData()),
            "details": details,
            "due_at": self.due_at(),
        }
        self.save_button.setEnabled(False)
        self.error_label.hide()
        self.ctx.tasks.run(
            lambda: log_hotline_call(desk, **values),  # type: ignore[arg-type]
            self._on_save_done,
            self._on_save_failed,
            owner=self,
        )

    def _on_save_done(self, written: Written[RequestRow]) -> None:
        self.request = written.row
        self.ctx.events.changed.emit(written.changes)
        self.saved.emit(written.row)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(describe(exc))

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


def open_hotline_call(
    ctx: AppContext, parent: QWidget | None = None, person: NationalRow | None = None
) -> HotlineCallDialog:
    """Open the dialog without blocking (window-modal) and return it; it deletes itself on close.

    ``person``: the national the call was started from (a person's card), linked from the
    start; Ctrl+L alone opens an empty call.
    """
    dialog = HotlineCallDialog(ctx, parent, person)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["HotlineCallDialog", "open_hotline_call"]
