"""Import a registration list: a dry run first (column mapping, counts, rejected rows), then the
real import, both in the background with progress and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import Source
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe, field_label
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.lists import ColumnMapping, ImportReport, RowError, import_list
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.file_output import remember_folder, remembered_folder
from consuldesk.ui.dialogs.long_work import LongWorkDialog
from consuldesk.ui.models.base import RowsModel

Index = QModelIndex | QPersistentModelIndex

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"
IGNORED_FOREGROUND = QColor("#757575")
SHOW_PROGRESS_AFTER_MS = 500  # STYLE.md: a progress bar only for work that lasts over ~0.5 s
LIST_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

PROGRESS_LABELS = {
    "list.read": "Reading the list…",
    "list.check": "Checking rows…",
    "list.save": "Saving to the case file…",
    "list.export": "Writing the list…",
}

# Targets of a column that are not one field of a record (see ColumnMapping.field).
TARGET_LABELS = {
    "surname": "Surname",
    "given_names": "Given names",
    "patronymic": "Patronymic",
    "full_name": "Full name",
    "full_name_lat": "Full name (passport)",
    "group": "Tour group",
    "tour_operator": "Tour operator",
    "record_id": "ConsulDesk ID",
}
# The service's notes name fields as in code; the officer reads these instead.
NOTE_TEXTS = {
    "surname": "Cyrillic goes to the surname, Latin to the passport surname",
    "given_names": "Cyrillic goes to the given names, Latin to the passport given names",
    "patronymic": "Cyrillic patronymic; a Latin one is kept in the notes",
    "full_name": "Split into surname, given names and patronymic",
    "full_name_lat": "Split into passport surname and given names",
    "group": "People join this tour group, with its tour operator",
    "tour_operator": "Used with the tour group column only",
    "record_id": "Matches a record exported from ConsulDesk",
    "phones": "Several numbers per cell and several phone columns are allowed",
    "address": "Several address columns are joined",
    "notes": "Several note columns are joined",
}
IGNORED_NOTES = {
    "ignored: not recognised": "Not recognised: this column is not imported",
    "ignored: error column": "Error column of an earlier import: not imported",
    "ignored: row number": "Row number: not imported",
    "ignored: empty header": "No header: not imported",
}


def target_text(target: str) -> str:
    """What a column is read as, for the officer."""
    if target in TARGET_LABELS:
        return _(TARGET_LABELS[target])
    return field_label(target)


def note_text(mapping: ColumnMapping) -> str:
    """How a column is used, or why it is ignored, in the officer's words."""
    if mapping.field is None:
        note = mapping.note or "ignored: not recognised"
        return _(IGNORED_NOTES.get(note, note))
    if mapping.field in NOTE_TEXTS:
        return _(NOTE_TEXTS[mapping.field])
    return _(mapping.note) if mapping.note else ""


def progress_text(label: str) -> str:
    """The text of a service's progress label."""
    return _(PROGRESS_LABELS.get(label, label))


def list_format_text(fmt: str, encoding: str | None, delimiter: str | None) -> str:
    """“CSV, UTF-8, separated by ;” or “Excel workbook (XLSX)”."""
    if fmt != "csv":
        return _("Excel workbook (XLSX)")
    names = {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8",
        "utf-16": "UTF-16",
        "cp1251": "Windows-1251",
    }
    enc = names.get(encoding or "", encoding or "?")
    delim = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}.get(
        delimiter or "", delimiter or "?"
    )
    return _("CSV text, {encoding}, separated by {delimiter}").format(encoding=enc, delimiter=delim)


class MappingModel(RowsModel):
    """Columns of a list: the header as written, what it is read as, and how."""

    COL_HEADER, COL_TARGET, COL_NOTE = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self._rows: list[ColumnMapping] = []
        self._headers = [_("Column in the file"), _("Read as"), _("Note")]

    def _data(self, m: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_HEADER:
                return m.header or _("(no header)")
            if col == self.COL_TARGET:
                return target_text(m.field) if m.field else _("ignored")
            if col == self.COL_NOTE:
                return note_text(m)
        if role == Qt.ItemDataRole.ForegroundRole and m.field is None:
            return QBrush(IGNORED_FOREGROUND)
        return None


class RowErrorsModel(RowsModel):
    """Rejected rows: the line in the file, the field and what is wrong."""

    COL_LINE, COL_FIELD, COL_MESSAGE = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self._rows: list[RowError] = []
        self._headers = [_("Line"), _("Field"), _("Problem")]

    def _data(self, e: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_LINE:
                return e.line
            if col == self.COL_FIELD:
                return target_text(e.field)
            if col == self.COL_MESSAGE:
                return e.message
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_MESSAGE:
            return e.message
        return None


def make_table(model: QAbstractTableModel) -> QTableView:
    """A read-only table with whole-row selection."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class WorkProgress(QWidget):
    """A progress bar with Cancel for background work.

    It stays hidden for the first ~0.5 s, so quick work does not flash a bar (STYLE.md).

    Signals:
        cancel_requested(): the officer pressed Cancel.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOW_PROGRESS_AFTER_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)
        self._running = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._timer.timeout.connect(self._on_timer_timeout)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

    @property
    def running(self) -> bool:
        """Whether work is under way."""
        return self._running

    def start(self, text: str) -> None:
        """Work began: show the bar if it is still running after the delay."""
        self._running = True
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first report with a total
        self.cancel_button.setEnabled(True)
        self._timer.start()

    def set_progress(self, done: int, total: int, label: str) -> None:
        """A progress report from the service."""
        if not self._running:
            return
        self.label.setText(progress_text(label))
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)

    def stop(self) -> None:
        """Work ended (done, failed or cancelled)."""
        self._running = False
        self._timer.stop()
        self.setVisible(False)

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._running:
            self.setVisible(True)

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(_("Cancelling…"))
        self.cancel_requested.emit()


class ImportDialog(LongWorkDialog):
    """Choose a list, see what an import would do, then import it.

    Signals:
        imported(object): the :class:`ImportReport` of a committed import.
    """

    imported = Signal(object)

    COUNT_KEYS = ("rows", "new", "updated", "unchanged", "rejected", "duplicates")

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Import a list"))
        self.setMinimumSize(820, 600)
        self.setAcceptDrops(True)
        self.path: Path | None = None
        self.report: ImportReport | None = None  # the last dry run or import
        self._phase = ""  # "check" or "import" while work runs

        intro = QLabel(
            _(
                "Lists from tour operators, the travel app or spreadsheets (CSV or Excel XLSX). "
                "The list is checked first; nothing is saved until you press Import."
            )
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(_("No list chosen"))
        self.choose_button = QPushButton(_("&Choose file…"))
        self.choose_button.setShortcut(QKeySequence.StandardKey.Open)
        self.choose_button.setToolTip(_("Choose a CSV or XLSX list (Ctrl+O)"))
        self.choose_button.setAutoDefault(False)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel(_("List:")))
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        self.tour_operator_check = QCheckBox(_("List from a &tour operator"))
        self.tour_operator_check.setToolTip(
            _("New people are recorded as reported by a tour operator, not as a list import")
        )

        self.status_label = QLabel(
            _("Choose a list (Ctrl+O) or drop a CSV or XLSX file here to check it.")
        )
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = WorkProgress()
        self.format_label = QLabel()

        counts = QGridLayout()
        captions = (
            _("Rows"),
            _("New"),
            _("Updated"),
            _("Unchanged"),
            _("Rejected"),
            _("Probable duplicates"),
        )
        self.count_labels: dict[str, QLabel] = {}
        for col, (key, caption) in enumerate(zip(self.COUNT_KEYS, captions, strict=True)):
            number = QLabel("—")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet("font-size: 16pt; font-weight: bold;")
            text = QLabel(caption)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            counts.addWidget(number, 0, col)
            counts.addWidget(text, 1, col)
            self.count_labels[key] = number

        self.mapping_model = MappingModel(self)
        self.errors_model = RowErrorsModel(self)
        self.mapping_view = make_table(self.mapping_model)
        self.errors_view = make_table(self.errors_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mapping_view, _("Columns"))
        self.tabs.addTab(self.errors_view, _("Rejected rows"))

        self.error_file_label = QLabel()
        self.error_file_label.setWordWrap(True)
        self.error_file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton(_("Open its &folder"))
        self.open_folder_button.setAutoDefault(False)
        error_row = QHBoxLayout()
        error_row.addWidget(self.error_file_label, 1)
        error_row.addWidget(self.open_folder_button)

        self.import_button = QPushButton(_("&Import"))
        self.import_button.setEnabled(False)
        self.close_button = QPushButton(_("Close"))
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.tour_operator_check)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.format_label)
        layout.addLayout(counts)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(error_row)
        layout.addLayout(buttons)

        self.setTabOrder(self.choose_button, self.tour_operator_check)
        self.setTabOrder(self.tour_operator_check, self.tabs)
        self.setTabOrder(self.tabs, self.import_button)
        self.setTabOrder(self.import_button, self.close_button)
        self._show_error_file(None)
        self._connect_signals()
        self.choose_button.setFocus()
        if path is not None:
            self.check(Path(path))

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)
        self.progress.cancel_requested.connect(self._on_progress_cancel_requested)

    # -- seams tests override ------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask for a list file (a native dialog; tests override this)."""
        start = self._settings_folder()
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a list to import"),
            start,
            _("Lists (*.csv *.xlsx *.xlsm *.txt *.tsv);;All files (*)"),
        )
        return Path(name) if name else None

    # -- state ---------------------------------------------------------------------------------

    @property
    def source(self) -> Source:
        """How new records are recorded as having reached the post."""
        return Source.TOUR_OPERATOR if self.tour_operator_check.isChecked() else Source.LIST_IMPORT

    def _settings_folder(self) -> str:
        return str(remembered_folder(self.ctx))

    def _set_busy(self, phase: str, cancel: CancelFlag | None) -> None:
        self._phase = phase
        self._cancel = cancel
        idle = cancel is None
        self.choose_button.setEnabled(idle)
        self.tour_operator_check.setEnabled(idle)
        if not idle:
            self.import_button.setEnabled(False)
        else:
            self.progress.stop()

    def _run(
        self,
        phase: str,
        text: str,
        work: Callable[[Callable[[int, int, str], None], CancelFlag], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._set_status(text)
        self.progress.start(text)
        cancel = self.ctx.tasks.run_long(work, on_done, on_error, self._on_work_progress)
        self._set_busy(phase, cancel)

    def _clear_results(self) -> None:
        self.report = None
        self.format_label.clear()
        for label in self.count_labels.values():
            label.setText("—")
        self.mapping_model.set_rows([])
        self.errors_model.set_rows([])
        self.tabs.setTabText(0, _("Columns"))
        self.tabs.setTabText(1, _("Rejected rows"))
        self.import_button.setText(_("&Import"))
        self.import_button.setEnabled(False)
        self._show_error_file(None)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.format_label.setText(
            _("{file}: {format}").format(
                file=report.path.name,
                format=list_format_text(report.format, report.encoding, report.delimiter),
            )
        )
        values = (
            report.total_rows,
            report.created,
            report.updated,
            report.unchanged,
            report.invalid,
            report.flagged_duplicates,
        )
        for key, value in zip(self.COUNT_KEYS, values, strict=True):
            self.count_labels[key].setText(str(value))
        self.count_labels["rejected"].setStyleSheet(
            "font-size: 16pt; font-weight: bold;" + (ERROR_STYLE if report.invalid else "")
        )
        self.mapping_model.set_rows(report.mapping)
        self.errors_model.set_rows(report.errors)
        used = sum(1 for m in report.mapping if m.field is not None)
        self.tabs.setTabText(
            0, _("Columns ({used} of {total} used)").format(used=used, total=len(report.mapping))
        )
        self.tabs.setTabText(1, _("Rejected rows ({n})").format(n=report.invalid))
        self.mapping_view.resizeColumnToContents(MappingModel.COL_HEADER)
        self.mapping_view.resizeColumnToContents(MappingModel.COL_TARGET)
        self.errors_view.resizeColumnToContents(RowErrorsModel.COL_LINE)
        self.errors_view.resizeColumnToContents(RowErrorsModel.COL_FIELD)

    def _show_error_file(self, path: Path | None) -> None:
        self.error_file_label.setVisible(path is not None)
        self.open_folder_button.setVisible(path is not None)
        if path is not None:
            self.error_file_label.setText(
                _(
                    "The rejected rows were written to {path}: correct them there and import that "
                    "file."
                ).format(path=path)
            )

    def importable(self) -> int:
        """How many rows of the checked list would be imported (valid rows)."""
        if self.report is None:
            return 0
        return self.report.total_rows - self.report.invalid

    # -- dry run -------------------------------------------------------------------------------

    def check(self, path: Path) -> None:
        """Check a list: a dry run in the background, then show what an import would do."""
        if self.busy:
            return
        self.path = Path(path)
        self.path_edit.setText(str(self.path))
        self._clear_results()
        remember_folder(self.ctx, self.path.parent)
        desk, target, source = self.ctx.desk, self.path, self.source

        def work(progress: Callable[[int, int, str], None], cancel: CancelFlag) -> ImportReport:
            return import_list(
                desk, target, dry_run=True, source=source, progress=progress, cancel=cancel
            )

        self._run(
            "check", _("Checking the list…"), work, self._on_check_done, self._on_check_failed
        )

    def _on_check_done(self, report: ImportReport) -> None:
        if self._closed:
            return
        self._set_busy("", None)
        self._show_report(report)
        n = self.importable()
        changing = report.created + report.updated
        if n:
            # The count is of the people the import adds or completes, not of every valid row.
            self.import_button.setText(
                ngettext("&Import {n} person", "&Import {n} people", changing).format(n=changing)
                if changing
                else _("&Import")
            )
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.import_button.setFocus()
        if not n:
            text = _("No row of this list can be imported: see the rejected rows.")
            self._set_status(text, ERROR_STYLE)
            self.tabs.setCurrentIndex(1)
        elif report.invalid:
            text = ngettext(
                "Checked. {bad} row will be rejected (see Rejected rows); the others can be "
                "imported.",
                "Checked. {bad} rows will be rejected (see Rejected rows); the others can be "
                "imported.",
                report.invalid,
            ).format(bad=report.invalid)
            self._set_status(text)
            self.tabs.setCurrentIndex(1)
        elif not changing:
            self._set_status(_("Checked: everyone on this list is already on file."))
            self.tabs.setCurrentIndex(0)
        else:
            self._set_status(_("Checked: every row can be imported. Nothing is saved yet."))
            self.tabs.setCurrentIndex(0)

    def _on_check_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_busy("", None)
        if isinstance(exc, Cancelled):
            self._set_status(_("Check cancelled. Choose the list again to check it."))
        else:
            self._set_status(describe(exc), ERROR_STYLE)
        self.choose_button.setFocus()

    # -- import --------------------------------------------------------------------------------

    def start_import(self) -> None:
        """Import the checked list for real, in the background."""
        if self.busy or self.path is None or not self.importable():
            return
        desk, target, source = self.ctx.desk, self.path, self.source

        def work(progress: Callable[[int, int, str], None], cancel: CancelFlag) -> ImportReport:
            return import_list(desk, target, source=source, progress=progress, cancel=cancel)

        self._run("import", _("Importing…"), work, self._on_import_done, self._on_import_failed)

    def _on_import_done(self, report: ImportReport) -> None:
        # The case file changed even when the dialog was closed meanwhile: tell the pages.
        self.ctx.events.changed.emit(report.changes)
        if self._closed:
            return
        self.imported.emit(report)
        self._set_busy("", None)
        self._show_report(report)
        self.import_button.setEnabled(False)
        self.import_button.setText(_("Imported"))
        text = _("Imported: {new} new, {updated} updated, {unchanged} already on file.").format(
            new=report.created, updated=report.updated, unchanged=report.unchanged
        )
        if report.members_added:
            text += " " + ngettext(
                "{n} person joined a tour group.",
                "{n} people joined tour groups.",
                report.members_added,
            ).format(n=report.members_added)
        if report.flagged_duplicates:
            text += " " + ngettext(
                "{n} probable duplicate to review.",
                "{n} probable duplicates to review.",
                report.flagged_duplicates,
            ).format(n=report.flagged_duplicates)
        self._set_status(text, OK_STYLE)
        self._show_error_file(report.error_file)
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _on_import_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_busy("", None)
        if isinstance(exc, Cancelled):
            self._set_status(_("Import cancelled. Nothing was imported."))
        else:
            self._set_status(
                _("Nothing was imported: {reason}").format(reason=describe(exc)), ERROR_STYLE
            )
        # The list was checked: the officer may try again.
        self.import_button.setEnabled(self.importable() > 0)

    # -- handlers ------------------------------------------------------------------------------

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.check(path)

    @Slot()
    def _on_import_button_clicked(self) -> None:
        self.start_import()

    @Slot()
    def _on_open_folder_button_clicked(self) -> None:
        if self.report is not None and self.report.error_file is not None:
            self.open_folder(self.report.error_file.parent)

    # -- dropping a file on the dialog ---------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if (
            not self.busy
            and len(urls) == 1
            and urls[0].isLocalFile()
            and Path(urls[0].toLocalFile()).suffix.lower() in LIST_SUFFIXES
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.check(Path(urls[0].toLocalFile()))

    # -- closing -------------------------------------------------------------------------------


def open_import(ctx: AppContext, parent: QWidget | None = None) -> ImportDialog:
    """Open the import dialog (non-modal, deleted when closed) and ask for a list at once."""
    dialog = ImportDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    # Ask for the file once the dialog is on screen, so it is the file dialog's parent.
    QTimer.singleShot(0, dialog, dialog._on_choose_button_clicked)
    return dialog


__all__ = [
    "ImportDialog",
    "MappingModel",
    "RowErrorsModel",
    "WorkProgress",
    "open_import",
]
