"""Person card: register a walk-in in half a minute, or edit a person on file.

Validation runs as the officer types (``clean_national`` is pure and fast, so it runs on the UI
thread); duplicate checks and saving run in the background through ``ctx.tasks``.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.dates import parse_date
from consuldesk.domain.enums import PresenceStatus, Sex, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.iin import parse_iin
from consuldesk.domain.mrz import MrzData, parse_td3
from consuldesk.domain.names import fields_of_search
from consuldesk.domain.national import NationalFields, clean_national
from consuldesk.domain.phone import format_phone, split_phones
from consuldesk.domain.review import ReviewItem, review_from_json, settled_by_edit
from consuldesk.i18n import _, ngettext
from consuldesk.messages import SEX_LABELS, SOURCE_LABELS, describe, field_label
from consuldesk.services.desk import Desk
from consuldesk.services.errors import EditConflict, ServiceError
from consuldesk.services.households import get_household
from consuldesk.services.nationals import (
    FIELD_NAMES,
    DuplicateCheck,
    Saved,
    check_duplicates,
    fields_of_row,
    history,
    register_national,
    update_national,
)
from consuldesk.services.review import dismiss_review
from consuldesk.services.rows import AuditRow, NationalRow
from consuldesk.services.views import HouseholdRow
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import country_text
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.discard import DiscardGuardDialog
from consuldesk.ui.dialogs.hotline_call import open_hotline_call
from consuldesk.ui.models.households import kind_label, relation_label
from consuldesk.ui.models.nationals import STATUS_LABELS
from consuldesk.ui.review_text import review_value
from consuldesk.ui.widgets.city_picker import CityCompleter
from consuldesk.ui.widgets.date_field import full_year
from consuldesk.ui.widgets.review_panel import ReviewPanel
from consuldesk.ui.widgets.wheel_guard import guard_wheel

Index = QModelIndex | QPersistentModelIndex

VALIDATE_DEBOUNCE_MS = 150
DUPLICATE_DEBOUNCE_MS = 400
MRZ_LENGTH = 88

ACTION_LABELS = {
    "create": "Registered",
    "update": "Edited",
    "merge": "Merged",
    "delete": "Deleted",
    "import": "Imported",
    "review": "Marked as reviewed",
    "sync": "Received in a bundle",
    "resolve": "Conflict resolved",
    "declined": "Kept the other change",
}

# Fields the shared error labels do not name.
LABELS = {
    "source": "Source",
    "source_ref": "Reference",
    "review": "Set aside for review",
    "list_sha256": "List file (SHA-256)",
}
LINE_FIELDS = (
    "surname_cyr",
    "given_names_cyr",
    "patronymic_cyr",
    "surname_lat",
    "given_names_lat",
    "birth_date",
    "iin",
    "passport_no",
    "passport_expiry",
    "nationality",
    "email",
    "messenger",
    "host_country",
    "city",
    "address",
    "medical_condition",
    "mobility_needs",
    "source_ref",
    "consent_date",
)
DATE_FIELDS = ("birth_date", "passport_expiry", "consent_date")
_FIELD_ORDER = {name: i for i, name in enumerate(FIELD_NAMES)}
# Errors name the field the rule is about; a few are shown at another widget.
ERROR_WIDGET = {"phone": "phones", "mrz": "mrz"}


def fmt_date(value: date | None) -> str:
    """dd.mm.yyyy, or empty."""
    return f"{value:%d.%m.%Y}" if value else ""


def person_summary(row: NationalRow) -> str:
    """Name, birth date and IIN or passport: enough to recognise someone."""
    parts = [row.name or "?"]
    if row.birth_date:
        parts.append(_("born {date}").format(date=fmt_date(row.birth_date)))
    if row.iin:
        parts.append(_("IIN {iin}").format(iin=row.iin))
    elif row.passport_no:
        parts.append(_("passport {number}").format(number=row.passport_no))
    return ", ".join(parts)


def label_of(name: str) -> str:
    """A field's label on the card."""
    return _(LABELS[name]) if name in LABELS else field_label(name)


def _review_text(value: object) -> str:
    """Review items as the history shows them: "IIN “…”; Phone “…”"."""
    data: object = value
    if isinstance(value, str):  # bulk imports audit the column as its JSON text
        try:
            data = json.loads(value)
        except ValueError:
            return value
    items = review_from_json(data if isinstance(data, list) else None)
    return "; ".join(f"{field_label(item.field)} {review_value(item)}" for item in items) or "—"


def _audit_value(field: str, value: object) -> str:
    if value in (None, "", []):
        return "—"
    if field == "review":
        return _review_text(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(format_phone(str(v)) if field == "phones" else str(v) for v in value)
    text = str(value)
    if field in DATE_FIELDS:
        try:
            return fmt_date(date.fromisoformat(text[:10]))
        except ValueError:
            return text
    if field == "sex" and text in Sex._value2member_map_:
        return _(SEX_LABELS[Sex(text)])
    if field == "presence_status":
        return _(STATUS_LABELS.get(text, text))
    if field == "source" and text in Source._value2member_map_:
        return _(SOURCE_LABELS[Source(text)])
    if field == "host_country":
        return country_text(text)
    return text


class HistoryModel(QAbstractTableModel):
    """A record's audit trail, one row per field change, the latest change first (what was
    settled a minute ago, a conflict's outcome, is at the top)."""

    COL_WHEN, COL_OFFICER, COL_ACTION, COL_FIELD, COL_CHANGE = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, str, str, str]] = []
        self._headers = [_("When"), _("Officer"), _("Action"), _("Field"), _("Change")]

    def set_events(self, events: list[AuditRow]) -> None:
        """Show these audit events."""
        rows = []
        for event in reversed(events):
            when = event.at.astimezone() if event.at.tzinfo else event.at
            stamp = f"{when:%d.%m.%Y %H:%M}"
            action = _(ACTION_LABELS.get(event.action, event.action))
            changes = sorted(event.changes.items(), key=lambda kv: _FIELD_ORDER.get(kv[0], 99))
            changes = changes or [("", [None, None])]
            for name, pair in changes:
                old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
                change = f"{_audit_value(name, old)} → {_audit_value(name, new)}" if name else ""
                label = label_of(name) if name else ""
                rows.append((stamp, event.officer, action, label, change))
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None


class PersonCard(DiscardGuardDialog):
    """Register or edit one national.

    Signals:
        saved(object): the :class:`consuldesk.services.nationals.Saved` result, before closing.
    """

    saved = Signal(object)

    @property
    def desk(self) -> Desk:
        """The open case file, read from the context each time: the window may open it again
        (encrypted) while this lives."""
        return self.ctx.desk

    def __init__(
        self, ctx: AppContext, row: NationalRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._row: NationalRow | None = None
        # The values the form was filled with: a save is checked against what changed since
        # (update_national's ``opened``). Not refreshed when only the review changes.
        self._opened: NationalFields | None = None
        self._resolving = False
        self.conflict_dialog: QDialog | None = None
        self._loading = False
        self._saving = False
        self._touched: set[str] = set()
        self._show_all = False
        self._errors: list[ValidationError] = []
        self._server_errors: dict[str, str] = {}
        self._dup_serial = 0
        self._dup_exact: NationalRow | None = None
        self._dup_probable: NationalRow | None = None
        self._last_mrz = ""
        self.merge_dialog: QDialog | None = None
        self.setMinimumSize(980, 640)

        self._build_widgets()
        self._build_layout()

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_DEBOUNCE_MS)
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATE_DEBOUNCE_MS)
        self._save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self._save_shortcut2 = QShortcut(QKeySequence("Ctrl+Return"), self)
        self._connect_signals()
        guard_wheel(self)  # scrolling the card must never change a drop-down
        # The city offers the chosen country's cities (Sharjah, not Shiraz, for the Emirates).
        self.city_picker = CityCompleter(ctx, self.edits["city"], self.edits["host_country"])

        if row is None:
            self._start_new()
        else:
            self.load_row(row)

    # -- building ------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.edits: dict[str, QLineEdit] = {}
        for name in LINE_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(name)
            self.edits[name] = edit
        for name in DATE_FIELDS:
            self.edits[name].setPlaceholderText(_("dd.mm.yyyy"))
        self.edits["iin"].setPlaceholderText(_("12 digits — fills date of birth and sex"))
        self.edits["iin"].setMaxLength(20)
        self.edits["surname_lat"].setPlaceholderText(_("as printed in the passport"))
        self.edits["given_names_lat"].setPlaceholderText(_("as printed in the passport"))
        self.edits["nationality"].setPlaceholderText("KAZ")
        self.edits["host_country"].setPlaceholderText(_("country name or code"))
        self.edits["messenger"].setPlaceholderText(_("WhatsApp / Telegram"))

        self.sex_combo = QComboBox()
        self.sex_combo.addItem("—", None)
        for sex, label in SEX_LABELS.items():
            self.sex_combo.addItem(_(label), sex.value)
        self.status_combo = QComboBox()
        for status in PresenceStatus:
            label = _(STATUS_LABELS.get(status.value, status.value))
            self.status_combo.addItem(label, status.value)
        self.source_combo = QComboBox()
        for source, label in SOURCE_LABELS.items():
            self.source_combo.addItem(_(label), source.value)
        self.pregnant_check = QCheckBox(_("Pregnant"))
        self.phones_edit = QPlainTextEdit()
        self.phones_edit.setTabChangesFocus(True)
        self.phones_edit.setPlaceholderText(_("one per line or separated by commas"))
        self.phones_edit.setFixedHeight(52)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(60)

        self.mrz_edit = QPlainTextEdit()
        self.mrz_edit.setTabChangesFocus(True)
        self.mrz_edit.setObjectName("mrz")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.mrz_edit.setFont(mono)
        # Both lines of a passport's MRZ in view, whatever the font, and the empty line a
        # reader's last Enter opens: three lines, the document's margins and the frame.
        margin = int(self.mrz_edit.document().documentMargin())
        self.mrz_edit.setFixedHeight(
            3 * QFontMetrics(mono).lineSpacing() + 2 * margin + 2 * self.mrz_edit.frameWidth() + 2
        )
        self.mrz_edit.setPlaceholderText(
            _("Scan or paste the two lines at the bottom of the passport page (Alt+M)")
        )
        self.mrz_status = QLabel()
        self.mrz_status.setWordWrap(True)

        self.dup_frame = QFrame()
        self.dup_frame.setObjectName("duplicates")
        self.dup_frame.setStyleSheet(
            "QFrame#duplicates { background: #fff4ce; border: 1px solid #e0b000;"
            " border-radius: 4px; }"
        )
        self.dup_label = QLabel()
        self.dup_label.setWordWrap(True)
        self.dup_open_button = QPushButton(_("Open that record"))
        self.dup_merge_button = QPushButton(_("Compare and merge…"))
        self.dup_frame.hide()

        # Values an import set aside from the record: above the tabs, so the officer sees them
        # on every tab and while scrolling the form.
        self.review_panel = ReviewPanel()
        self.review_box: QMessageBox | None = None

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.call_button = QPushButton(_("Log a call…"))
        self.call_button.setToolTip(_("A hotline call with this person linked from the start"))
        self.call_button.setEnabled(False)  # once the person is on file
        for button in (
            self.call_button,
            self.save_button,
            self.cancel_button,
            self.dup_open_button,
            self.dup_merge_button,
        ):
            # Enter in a field must not save half a card (document readers send newlines).
            button.setAutoDefault(False)
            button.setDefault(False)

        self.error_labels: dict[str, QLabel] = {}
        self.history_model = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setModel(self.history_model)
        self.history_view.verticalHeader().setVisible(False)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.history_view.horizontalHeader().setStretchLastSection(True)
        self.history_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.history_status = QLabel()

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        """The field's widget with its (hidden until needed) error line underneath."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"error_{name}")
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020;")
        error.hide()
        layout.addWidget(error)
        self.error_labels[name] = error
        return box

    def _form(self, title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, widget in rows:
            label = QLabel("" if name == "pregnant" else label_of(name))
            label.setBuddy(widget)
            form.addRow(label, self._with_error(name, widget))
        return group

    def _build_layout(self) -> None:
        e = self.edits
        mrz_label = QLabel(_("Passport &MRZ"))
        mrz_label.setBuddy(self.mrz_edit)
        mrz_box = QHBoxLayout()
        mrz_box.addWidget(mrz_label)
        mrz_col = QVBoxLayout()
        mrz_col.addWidget(self.mrz_edit)
        mrz_col.addWidget(self.mrz_status)
        mrz_box.addLayout(mrz_col, 1)

        dup_layout = QHBoxLayout(self.dup_frame)
        dup_layout.addWidget(self.dup_label, 1)
        dup_layout.addWidget(self.dup_open_button)
        dup_layout.addWidget(self.dup_merge_button)

        identity = self._form(
            _("Name and documents"),
            [
                ("surname_cyr", e["surname_cyr"]),
                ("given_names_cyr", e["given_names_cyr"]),
                ("patronymic_cyr", e["patronymic_cyr"]),
                ("surname_lat", e["surname_lat"]),
                ("given_names_lat", e["given_names_lat"]),
                ("iin", e["iin"]),
                ("birth_date", e["birth_date"]),
                ("sex", self.sex_combo),
                ("passport_no", e["passport_no"]),
                ("passport_expiry", e["passport_expiry"]),
                ("nationality", e["nationality"]),
            ],
        )
        contact = self._form(
            _("Contact and whereabouts"),
            [
                ("phones", self.phones_edit),
                ("email", e["email"]),
                ("messenger", e["messenger"]),
                ("host_country", e["host_country"]),
                ("city", e["city"]),
                ("address", e["address"]),
                ("presence_status", self.status_combo),
            ],
        )
        needs = self._form(
            _("Needs and record"),
            [
                ("medical_condition", e["medical_condition"]),
                ("mobility_needs", e["mobility_needs"]),
                ("pregnant", self.pregnant_check),
                ("notes", self.notes_edit),
                ("source", self.source_combo),
                ("source_ref", e["source_ref"]),
                ("consent_date", e["consent_date"]),
            ],
        )
        self.error_labels["mrz"] = self.mrz_status

        grid = QGridLayout()
        grid.addWidget(identity, 0, 0, 2, 1)
        grid.addWidget(contact, 0, 1)
        grid.addWidget(needs, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addLayout(mrz_box)
        details_layout.addWidget(self.dup_frame)
        details_layout.addLayout(grid)
        details_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(details)
        self.details_scroll = scroll

        history_page = QWidget()
        history_layout = QVBoxLayout(history_page)
        history_layout.addWidget(self.history_status)
        history_layout.addWidget(self.history_view)

        # Households: the families and tour groups this person belongs to, with their members.
        self.households_view = QTreeWidget()
        self.households_view.setColumnCount(3)
        self.households_view.setHeaderLabels([_("Household / member"), _("Relation"), _("Born")])
        self.households_view.setRootIsDecorated(True)
        self.households_status = QLabel()
        households_page = QWidget()
        households_layout = QVBoxLayout(households_page)
        households_layout.addWidget(self.households_status)
        households_layout.addWidget(self.households_view)

        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, _("Details"))
        self.tabs.addTab(history_page, _("History"))
        self.tabs.addTab(households_page, _("Households"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.review_panel)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        # Tab order follows the form: MRZ, the identity column, contact, needs, then the buttons.
        chain: list[QWidget] = [
            self.mrz_edit,
            e["surname_cyr"],
            e["given_names_cyr"],
            e["patronymic_cyr"],
            e["surname_lat"],
            e["given_names_lat"],
            e["iin"],
            e["birth_date"],
            self.sex_combo,
            e["passport_no"],
            e["passport_expiry"],
            e["nationality"],
            self.phones_edit,
            e["email"],
            e["messenger"],
            e["host_country"],
            e["city"],
            e["address"],
            self.status_combo,
            e["medical_condition"],
            e["mobility_needs"],
            self.pregnant_check,
            self.notes_edit,
            self.source_combo,
            e["source_ref"],
            e["consent_date"],
            # The review panel's buttons come after the form (see _chain_review_focus): the
            # card opens with the cursor in the form, never on a button that changes it.
            self.review_panel.reviewed_button,
            self.dup_open_button,
            self.dup_merge_button,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        bold = QFont(self.dup_label.font())
        bold.setBold(True)
        self.dup_label.setFont(bold)

    def _connect_signals(self) -> None:
        for name, edit in self.edits.items():
            edit.textChanged.connect(partial(self._on_field_changed, name))
        self.edits["iin"].textChanged.connect(self._on_iin_text_changed)
        self.sex_combo.currentIndexChanged.connect(partial(self._on_field_changed, "sex"))
        self.status_combo.currentIndexChanged.connect(
            partial(self._on_field_changed, "presence_status")
        )
        self.source_combo.currentIndexChanged.connect(partial(self._on_field_changed, "source"))
        self.pregnant_check.toggled.connect(partial(self._on_field_changed, "pregnant"))
        self.phones_edit.textChanged.connect(partial(self._on_field_changed, "phones"))
        self.notes_edit.textChanged.connect(partial(self._on_field_changed, "notes"))
        self.mrz_edit.textChanged.connect(self._on_mrz_edit_text_changed)
        self._validate_timer.timeout.connect(self._on_validate_timer_timeout)
        self._dup_timer.timeout.connect(self._on_dup_timer_timeout)
        self.dup_open_button.clicked.connect(self._on_dup_open_button_clicked)
        self.dup_merge_button.clicked.connect(self._on_dup_merge_button_clicked)
        self.review_panel.correct_requested.connect(self._on_review_panel_correct_requested)
        self.review_panel.reviewed_requested.connect(self._on_review_panel_reviewed_requested)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self._save_shortcut.activated.connect(self._on_save_button_clicked)
        self._save_shortcut2.activated.connect(self._on_save_button_clicked)

    # -- loading -------------------------------------------------------------------------

    @property
    def record_id(self) -> str | None:
        """The national being edited, or None for a new one."""
        return self._row.id if self._row else None

    def start_from(self, text: str) -> None:
        """Begin a new person with what a search that found nobody held (a name, an IIN, a
        passport number or a phone). Not typed in the card: Esc closes it without asking (the
        search keeps the text)."""
        loading, self._loading = self._loading, True
        try:
            for name, value in fields_of_search(text).items():
                if name == "phones":
                    self.phones_edit.setPlainText(value)
                else:
                    self.edits[name].setText(value)
        finally:
            self._loading = loading
        self._validate_now()

    def _start_new(self) -> None:
        self.setWindowTitle(_("New person"))
        self.tabs.setTabEnabled(1, False)
        self.tabs.setTabEnabled(2, False)
        self.edits["nationality"].setText("KAZ")
        self._touched.clear()
        self._validate_now()
        self.edits["surname_cyr"].setFocus()
        desk = self.desk
        self.ctx.tasks.run(
            lambda: getattr(desk.casefile.local_post(), "host_country", None),
            self._on_post_country_done,
            lambda _exc: None,
            owner=self,  # no default country: the officer types it
        )

    def _on_post_country_done(self, code: str | None) -> None:
        if self._closed or self._row is not None or not code:
            return
        if not self.edits["host_country"].text():
            self._loading = True
            self.edits["host_country"].setText(country_text(code))
            self._loading = False

    @Slot()
    def _on_call_button_clicked(self) -> None:
        if self._row is not None:
            open_hotline_call(self.ctx, self, self._row)

    def load_row(self, row: NationalRow) -> None:
        """Show a national on file for editing (replaces whatever the card held)."""
        self._row = row
        self._opened = fields_of_row(row)
        self.call_button.setEnabled(True)
        self.setWindowTitle(row.name or _("Person"))
        f = fields_of_row(row)
        self._loading = True
        try:
            text_values = {
                name: getattr(f, name) or ""
                for name in LINE_FIELDS
                if name not in DATE_FIELDS and name != "host_country"
            }
            for name, value in text_values.items():
                self.edits[name].setText(str(value))
            for name in DATE_FIELDS:
                self.edits[name].setText(fmt_date(getattr(f, name)))
            self.edits["host_country"].setText(country_text(f.host_country))
            sex_index = self.sex_combo.findData(f.sex.value) if f.sex else 0
            self.sex_combo.setCurrentIndex(max(0, sex_index))
            self.status_combo.setCurrentIndex(self.status_combo.findData(f.presence_status.value))
            self.source_combo.setCurrentIndex(self.source_combo.findData(f.source.value))
            self.pregnant_check.setChecked(f.pregnant)
            self.phones_edit.setPlainText("\n".join(format_phone(p) for p in f.phones))
            self.notes_edit.setPlainText(f.notes or "")
            self.mrz_edit.clear()
            self.mrz_status.clear()
        finally:
            self._loading = False
        self._last_mrz = ""
        self._server_errors.clear()
        self._show_all = True
        self.tabs.setTabEnabled(1, True)
        self.tabs.setTabEnabled(2, True)
        self._show_review()
        self._validate_now()
        self._dup_timer.start()
        self._load_history()
        self._load_households()

    def _load_households(self) -> None:
        self.households_view.clear()
        if self._row is None or not self._row.household_ids:
            self.households_status.setText(
                _("Not in a family or tour group. Add one on the Households page.")
            )
            return
        desk, ids = self.desk, self._row.household_ids
        self.households_status.setText(_("Loading…"))
        self.ctx.tasks.run(
            lambda: [get_household(desk, household_id) for household_id in ids],
            self._on_households_done,
            self._on_history_failed,
            owner=self,
        )

    def _on_households_done(self, households: list[HouseholdRow]) -> None:
        if self._closed:
            return
        self.households_view.clear()
        for household in households:
            title = f"{household.name} — {kind_label(household.kind)}"
            if household.tour_operator:
                title += f" ({household.tour_operator})"
            top = QTreeWidgetItem([title, "", ""])
            for member in household.members:
                person = member.national
                born = person.birth_date.strftime("%d.%m.%Y") if person.birth_date else ""
                relation = relation_label("head" if member.is_head else member.relation)
                item = QTreeWidgetItem([person.name, relation, born])
                if self._row is not None and person.id == self._row.id:
                    font = item.font(0)
                    font.setBold(True)  # this person, bold so it reads in black and white
                    item.setFont(0, font)
                top.addChild(item)
            self.households_view.addTopLevelItem(top)
            top.setExpanded(True)
        self.households_view.resizeColumnToContents(0)
        self.households_status.setText(_("The families and tour groups this person travels with."))

    def _load_history(self) -> None:
        if self._row is None:
            return
        desk, record_id = self.desk, self._row.id
        self.history_status.setText(_("Loading…"))
        self.ctx.tasks.run(
            lambda: history(desk, record_id),
            self._on_history_done,
            self._on_history_failed,
            owner=self,
        )

    def _on_history_done(self, events: list[AuditRow]) -> None:
        if self._closed:
            return
        self.history_model.set_events(events)
        self.history_view.resizeColumnsToContents()
        self.history_status.setText(
            _("Every change to this record, the latest first.") if events else _("No history yet.")
        )

    def _on_history_failed(self, exc: BaseException) -> None:
        if not self._closed:
            self.history_status.setText(describe(exc))

    # -- reading the form ----------------------------------------------------------------

    def _text(self, name: str) -> str | None:
        return self.edits[name].text().strip() or None

    @property
    def sex(self) -> Sex | None:
        """The sex chosen (combo boxes hand back plain strings, not the enum)."""
        data = self.sex_combo.currentData()
        return Sex(data) if data else None

    def form_fields(self) -> tuple[NationalFields, list[ValidationError]]:
        """The fields as typed (not yet cleaned), and the dates that could not be read."""
        errors: list[ValidationError] = []
        dates: dict[str, date | None] = {}
        for name in DATE_FIELDS:
            text = self.edits[name].text()
            if name != "birth_date":  # an expiry or a consent is this century: 1.1.30 is 2030
                text = full_year(text)
            try:
                dates[name] = parse_date(text, name)
            except ValidationError as exc:
                errors.append(exc)
                dates[name] = None
        fields = NationalFields(
            surname_cyr=self._text("surname_cyr"),
            given_names_cyr=self._text("given_names_cyr"),
            patronymic_cyr=self._text("patronymic_cyr"),
            surname_lat=self._text("surname_lat"),
            given_names_lat=self._text("given_names_lat"),
            sex=self.sex,
            birth_date=dates["birth_date"],
            iin=self._text("iin"),
            passport_no=self._text("passport_no"),
            passport_expiry=dates["passport_expiry"],
            nationality=self._text("nationality") or "KAZ",
            phones=tuple(split_phones(self.phones_edit.toPlainText())),
            email=self._text("email"),
            messenger=self._text("messenger"),
            host_country=self._text("host_country"),
            city=self._text("city"),
            address=self._text("address"),
            presence_status=PresenceStatus(self.status_combo.currentData()),
            medical_condition=self._text("medical_condition"),
            mobility_needs=self._text("mobility_needs"),
            pregnant=self.pregnant_check.isChecked(),
            notes=self.notes_edit.toPlainText().strip() or None,
            source=Source(self.source_combo.currentData()),
            source_ref=self._text("source_ref"),
            consent_date=dates["consent_date"],
        )
        return fields, errors

    # -- validation ----------------------------------------------------------------------

    def _on_field_changed(self, name: str, *_args: object) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self._server_errors.pop(name, None)
        if name in ("iin", "passport_no"):
            self._server_errors.pop("iin", None)
            self._server_errors.pop("passport_no", None)
        self._validate_timer.start()
        self._dup_timer.start()

    @Slot()
    def _on_validate_timer_timeout(self) -> None:
        self._validate_now()

    def _validate_now(self) -> None:
        fields, errors = self.form_fields()
        cleaned: NationalFields | None = None
        try:
            cleaned = clean_national(fields, self.desk.today())
        except ValidationErrors as exc:
            errors.extend(exc.errors)
        self._errors = errors
        self._show_errors()
        self._show_review_pending(None if errors else cleaned)

    def _show_errors(self) -> None:
        by_widget: dict[str, list[str]] = {}
        for error in self._errors:
            key = ERROR_WIDGET.get(error.field, error.field)
            by_widget.setdefault(key, []).append(describe(error))
        for key, text in self._server_errors.items():
            by_widget.setdefault(key, []).append(text)
        hidden: list[str] = []
        for key, label in self.error_labels.items():
            if key == "mrz":
                continue
            messages = by_widget.pop(key, [])
            visible = bool(messages) and (
                self._show_all or key in self._touched or key in self._server_errors
            )
            label.setText("\n".join(dict.fromkeys(messages)))
            label.setVisible(visible)
            if messages and not visible:
                hidden.extend(messages)
        for messages in by_widget.values():  # errors about fields the card has no widget for
            hidden.extend(messages)
        problems = len(self._errors) + len(self._server_errors)
        if self._saving:
            self.status_label.setText(_("Saving…"))
        elif hidden:
            self.status_label.setText(hidden[0])
        elif problems:
            self.status_label.setText(_("Correct the fields marked in red to save."))
        else:
            self.status_label.setText("")
        self.save_button.setEnabled(not problems and not self._saving)

    @property
    def errors(self) -> list[ValidationError]:
        """The problems found in the card as it stands."""
        return list(self._errors)

    # -- IIN and MRZ ---------------------------------------------------------------------

    @Slot(str)
    def _on_iin_text_changed(self, text: str) -> None:
        if self._loading or not text.strip():
            return
        try:
            info = parse_iin(text.strip())
        except ValidationError:
            return
        if not self.edits["birth_date"].text().strip():
            self.edits["birth_date"].setText(fmt_date(info.birth_date))
        if self.sex_combo.currentData() is None:
            self.sex_combo.setCurrentIndex(self.sex_combo.findData(info.sex.value))

    @Slot()
    def _on_mrz_edit_text_changed(self) -> None:
        text = self.mrz_edit.toPlainText()
        count = sum(1 for c in text if not c.isspace())
        if count == 0:
            self._set_mrz_status("", ok=True)
            return
        if count < MRZ_LENGTH:
            self._set_mrz_status(
                _("{n} of {total} characters…").format(n=count, total=MRZ_LENGTH), ok=True
            )
            return
        key = "".join(text.split())
        if key == self._last_mrz:
            return
        try:
            data = parse_td3(text, self.desk.today(), field="mrz")
        except ValidationError as exc:
            self._last_mrz = ""
            self._set_mrz_status(describe(exc), ok=False)
            return
        self._last_mrz = key
        self._fill_from_mrz(data)

    def _set_mrz_status(self, text: str, *, ok: bool) -> None:
        self.mrz_status.setText(text)
        self.mrz_status.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")

    def _fill_from_mrz(self, data: MrzData) -> None:
        e = self.edits
        e["surname_lat"].setText(data.surname)
        e["given_names_lat"].setText(data.given_names)
        e["passport_no"].setText(data.passport_no)
        e["nationality"].setText(data.nationality.replace("<", ""))
        if data.birth_date:
            e["birth_date"].setText(fmt_date(data.birth_date))
        if data.sex:
            self.sex_combo.setCurrentIndex(self.sex_combo.findData(data.sex.value))
        e["passport_expiry"].setText(fmt_date(data.expiry_date))
        filled = [_("passport name"), _("passport number"), _("date of birth"), _("expiry")]
        unread = ""
        if data.personal_number:
            try:
                info = parse_iin(data.personal_number)
            except ValidationError as exc:
                # Said, not left out without a word: the officer types the IIN from the page.
                unread = " " + _(
                    "Not read: its personal number {value} is no IIN ({why}); type the IIN "
                    "from the page."
                ).format(value=data.personal_number, why=describe(exc))
            else:
                e["iin"].setText(info.iin)
                filled.append(_("IIN"))
        self._set_mrz_status(
            _("Read from the passport: {fields}. Check them against the page.").format(
                fields=", ".join(filled)
            )
            + unread,
            ok=True,
        )
        self._validate_now()

    # -- duplicates ----------------------------------------------------------------------

    def _probe_fields(self) -> NationalFields | None:
        """What to look duplicates up with: the cleaned fields, or the usable part of them."""
        fields, _errors = self.form_fields()
        try:
            return clean_national(fields, self.desk.today())
        except ValidationErrors:
            pass
        iin = None
        birth = fields.birth_date
        if fields.iin:
            try:
                info = parse_iin(fields.iin)
            except ValidationError:
                pass
            else:
                iin = info.iin
                birth = birth or info.birth_date
        passport = (fields.passport_no or "").replace(" ", "").upper() or None
        return fields.replace(iin=iin, passport_no=passport, birth_date=birth, phones=())

    @Slot()
    def _on_dup_timer_timeout(self) -> None:
        probe = self._probe_fields()
        self._dup_serial += 1
        serial = self._dup_serial
        if probe is None or not (probe.iin or probe.passport_no or probe.birth_date):
            self._show_duplicates(None)
            return
        desk, exclude = self.desk, self.record_id
        self.ctx.tasks.run(
            lambda: check_duplicates(desk, probe, exclude),
            lambda result: self._on_duplicates_done(serial, result),
            lambda _exc: None,
            owner=self,  # a failed look-up only means no warning; saving still checks
        )

    def _on_duplicates_done(self, serial: int, result: DuplicateCheck) -> None:
        if self._closed or serial != self._dup_serial:
            return
        self._show_duplicates(result)

    def _show_duplicates(self, result: DuplicateCheck | None) -> None:
        self._dup_exact = result.exact if result else None
        self._dup_probable = result.probable[0][0] if result and result.probable else None
        if self._dup_exact is not None:
            self.dup_label.setText(
                _("Already on file: {who}").format(who=person_summary(self._dup_exact))
            )
        elif self._dup_probable is not None and result is not None:
            who = "; ".join(person_summary(row) for row, _score in result.probable[:3])
            self.dup_label.setText(_("Possibly the same person: {who}").format(who=who))
        else:
            self.dup_frame.hide()
            return
        # Merging needs two records on file: only when this card edits one.
        self.dup_merge_button.setVisible(self._row is not None)
        self.dup_frame.show()

    @property
    def duplicate_text(self) -> str:
        """The duplicate warning shown, or empty."""
        return self.dup_label.text() if self.dup_frame.isVisibleTo(self) else ""

    @Slot()
    def _on_dup_open_button_clicked(self) -> None:
        target = self._dup_exact or self._dup_probable
        if target is not None:
            self.dup_frame.hide()
            self._touched.clear()
            self.load_row(target)

    @Slot()
    def _on_dup_merge_button_clicked(self) -> None:
        other = self._dup_exact or self._dup_probable
        if other is not None and self._row is not None:
            self.open_merge_dialog(self._row, other)

    def open_merge_dialog(self, left: NationalRow, right: NationalRow) -> QDialog:
        """Show the merge dialog non-blocking (a seam tests and callers can replace)."""
        from consuldesk.ui.dialogs.merge import MergeDialog

        dialog = MergeDialog(self.ctx, left, right, self)
        dialog.merged.connect(self._on_merge_dialog_merged)
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    @Slot(object)
    def _on_merge_dialog_merged(self, saved: Saved) -> None:
        if self._closed:
            return
        if self._row is not None and saved.row.id != self._row.id:
            self.reject()  # this record was merged into the other: nothing left to edit here
        else:
            self.load_row(saved.row)

    # -- values set aside for review -----------------------------------------------------

    def _field_widget(self, name: str) -> QWidget | None:
        """The card's widget for a field, if it has one."""
        others: dict[str, QWidget] = {
            "phones": self.phones_edit,
            "notes": self.notes_edit,
            "sex": self.sex_combo,
            "presence_status": self.status_combo,
            "source": self.source_combo,
            "pregnant": self.pregnant_check,
        }
        return self.edits.get(name) or others.get(name)

    def _show_review(self) -> None:
        """Show the record's set-aside values (the panel hides when there are none)."""
        items = self._row.review if self._row is not None else ()
        text_fields = {*self.edits, "phones", "notes"}
        widget_fields = {"sex", "presence_status", "source", "pregnant"}
        self.review_panel.set_items(items, text_fields, widget_fields)
        self._chain_review_focus()

    def _chain_review_focus(self) -> None:
        """Tab from the form's last field through the panel's buttons, then on as before."""
        panel = self.review_panel
        chain: list[QWidget] = [
            self.edits["consent_date"],
            *(button for button in panel.correct_buttons if button is not None),
            panel.reviewed_button,
            self.dup_open_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _show_review_pending(self, cleaned: NationalFields | None) -> None:
        """Mark the values whose field the form now corrects (saving will clear them)."""
        row = self._row
        if row is None or not row.review:
            return
        settled = (
            set() if cleaned is None else settled_by_edit(row.review, fields_of_row(row), cleaned)
        )
        self.review_panel.set_pending(settled)

    @Slot(object)
    def _on_review_panel_correct_requested(self, item: ReviewItem) -> None:
        widget = self._field_widget(item.field)
        if widget is None:
            return
        self.tabs.setCurrentIndex(0)
        if isinstance(widget, QLineEdit):
            # Select and insert rather than setText: Ctrl+Z brings back what the field held.
            widget.selectAll()
            widget.insert(item.value)
        elif isinstance(widget, QPlainTextEdit):
            text = widget.toPlainText()
            if item.value not in text.splitlines():  # a second click only shows it
                cursor = widget.textCursor()
                cursor.movePosition(QTextCursor.MoveOperation.End)
                if text.strip() and not text.endswith("\n"):
                    cursor.insertText("\n")  # one phone number a line
                cursor.insertText(item.value)
                widget.setTextCursor(cursor)
        self.details_scroll.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _on_review_panel_reviewed_requested(self) -> None:
        waiting = self.review_panel.waiting
        if not waiting or self._row is None:
            return
        n = len(waiting)
        self.review_box = ask(
            self,
            _("Mark as reviewed?"),
            ngettext(
                "{n} value set aside will be dropped from this record."
                " The record keeps what it holds now.",
                "{n} values set aside will be dropped from this record."
                " The record keeps what it holds now.",
                n,
            ).format(n=n),
            self._on_review_box_confirmed,
            yes=_("Mark as reviewed"),
            no=_("Go back"),
        )

    def _on_review_box_confirmed(self) -> None:
        if self._closed or self._row is None:
            return
        waiting = self.review_panel.waiting
        # Values corrected in the form stay: saving clears them with the correction. Only the
        # fields the officer saw are named: values an import set aside since stay for review.
        fields = {item.field for item in waiting}
        desk, record_id = self.desk, self._row.id
        self.review_panel.set_busy(True)
        self.ctx.tasks.run(
            lambda: dismiss_review(desk, record_id, fields),
            self._on_dismiss_done,
            self._on_dismiss_failed,
            owner=self,
        )

    def _on_dismiss_done(self, saved: Saved) -> None:
        if saved.changes:
            self.ctx.events.changed.emit(saved.changes)
        if self._closed:
            return
        self.review_panel.set_busy(False)
        if self._row is not None and saved.row.id == self._row.id:
            # Only the review changed: the form keeps what the officer typed.
            self._row = saved.row
            self._show_review()
            self._validate_now()
            self._load_history()

    def _on_dismiss_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.review_panel.set_busy(False)
        self.status_label.setText(describe(exc))

    # -- saving --------------------------------------------------------------------------

    @Slot()
    def _on_save_button_clicked(self) -> None:
        if self._saving:
            return
        self._validate_now()
        if self._errors or self._server_errors:
            self._show_all = True
            self._show_errors()
            return
        fields, _errors = self.form_fields()
        desk, record_id, opened = self.desk, self.record_id, self._opened
        self._saving = True
        self._resolving = False
        self._show_errors()
        if record_id is None:
            self.ctx.tasks.run(
                lambda: register_national(desk, fields),
                self._on_save_done,
                self._on_save_failed,
                owner=self,
            )
        else:
            self.ctx.tasks.run(
                lambda: update_national(desk, record_id, fields, opened=opened),
                self._on_save_done,
                self._on_save_failed,
                owner=self,
            )

    def _on_save_done(self, saved: Saved) -> None:
        self._saving = False
        if saved.changes:
            self.ctx.events.changed.emit(saved.changes)
        self.saved.emit(saved)
        if not self._closed:
            self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._saving = False
        resolving, self._resolving = self._resolving, False
        if self._closed:
            return
        self._show_all = True
        if isinstance(exc, EditConflict):
            self._show_errors()
            self.status_label.setText(describe(exc))
            self.open_conflict_dialog(exc)
            return
        if resolving and isinstance(exc, (ValidationError, ValidationErrors)):
            # The values chosen do not fit together; the form still shows the officer's own,
            # so the error goes to the status line, not under a field.
            self._show_errors()
            self.status_label.setText(
                _("The values chosen do not fit together: {problem}").format(problem=describe(exc))
            )
            return
        if isinstance(exc, ValidationErrors):
            self._errors = list(exc.errors)
        elif isinstance(exc, ValidationError):
            self._errors = [exc]
        elif isinstance(exc, ServiceError) and exc.field in self.error_labels:
            self._server_errors[exc.field] = describe(exc)
        else:
            self._show_errors()
            self.status_label.setText(describe(exc))
            return
        self._show_errors()

    # -- changed while open --------------------------------------------------------------

    def open_conflict_dialog(self, conflict: EditConflict) -> QDialog:
        """Show what changed meanwhile and let the officer choose, non-blocking (a seam tests
        and callers can replace)."""
        from consuldesk.ui.dialogs.edit_conflict import EditConflictDialog

        dialog = EditConflictDialog(conflict, self)
        dialog.resolved.connect(partial(self._on_conflict_dialog_resolved, conflict))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _on_conflict_dialog_resolved(self, conflict: EditConflict, choices: dict[str, int]) -> None:
        """Save the merged values with the officer's choices, checked again against the record
        as the conflict saw it (a change made while choosing is caught too)."""
        from consuldesk.domain.edits import both_values
        from consuldesk.ui.dialogs.edit_conflict import BOTH, THEIRS

        if self._closed or self._row is None or self._saving:
            return
        taken = {
            c.field: getattr(conflict.current, c.field)
            for c in conflict.conflicts
            if choices.get(c.field) == THEIRS
        }
        taken |= {  # phones or notes: theirs, then what this card added
            c.field: both_values(c.field, getattr(conflict.current, c.field), c.mine)
            for c in conflict.conflicts
            if choices.get(c.field) == BOTH
        }
        fields = conflict.merged.replace(**taken)
        resolved = {c.field: c.mine for c in conflict.conflicts}
        desk, record_id, opened = self.desk, self._row.id, conflict.current
        self._saving = True
        self._resolving = True
        self._show_errors()
        self.ctx.tasks.run(
            lambda: update_national(desk, record_id, fields, opened=opened, resolved=resolved),
            self._on_save_done,
            self._on_save_failed,
            owner=self,
        )

    def has_changes(self) -> bool:
        """Whether a field was typed in since the card was filled or saved."""
        return bool(self._touched)

    def discard_question(self) -> str:
        """The card's own wording of the question."""
        return _("What you typed in this card is not saved. Discard it?")

    def done(self, result: int) -> None:
        # Background answers may still arrive after the card closes (``_closed``, set by the
        # base): the timers must not start any more.
        self._validate_timer.stop()
        self._dup_timer.stop()
        super().done(result)


__all__ = ["HistoryModel", "PersonCard", "fmt_date", "label_of", "person_summary"]
