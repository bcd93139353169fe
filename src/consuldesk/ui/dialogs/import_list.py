"""Import a registration list: a dry run first (how each column is read, which the officer can
change; counts; what would be set aside or not imported), then the real import, both in the
background with progress and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
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
from consuldesk.messages import describe
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.lists import ImportReport, ListError, import_list
from consuldesk.services.lists.reading import encoding_name
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.file_output import remember_folder, remembered_folder
from consuldesk.ui.dialogs.long_work import LongWorkDialog
from consuldesk.ui.models.list_import import MappingModel, ProblemsModel, TargetDelegate

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"
SHOW_PROGRESS_AFTER_MS = 500  # STYLE.md: a progress bar only for work that lasts over ~0.5 s
LIST_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

PROGRESS_LABELS = {
    "list.read": "Reading the list…",
    "list.check": "Checking rows…",
    "list.save": "Saving to the case file…",
    "sync.collect": "Collecting the changes…",
    "sync.write": "Writing the bundle…",
    "sync.apply": "Applying the bundle…",
    "list.export": "Writing the list…",
}


def message_of(exc: BaseException) -> str:
    """The sentence for a failure; never raises, whatever the failure carries."""
    try:
        return describe(exc)
    except Exception:  # a message that cannot be built must not leave the dialog stuck
        return f"{type(exc).__name__}: {exc}"


def progress_text(label: str) -> str:
    """The text of a service's progress label."""
    return _(PROGRESS_LABELS.get(label, label))


def list_format_text(fmt: str, encoding: str | None, delimiter: str | None) -> str:
    """“CSV, UTF-8, separated by ;” or “Excel workbook (XLSX)”."""
    if fmt != "csv":
        return _("Excel workbook (XLSX)")
    enc = encoding_name(encoding) or "?"
    delim = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}.get(
        delimiter or "", delimiter or "?"
    )
    return _("CSV text, {encoding}, separated by {delimiter}").format(encoding=enc, delimiter=delim)


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
    """Choose a list, see what an import would do, say what its columns hold, then import it.

    Signals:
        imported(object): the :class:`ImportReport` of a committed import.
    """

    imported = Signal(object)

    COUNT_KEYS = ("rows", "new", "updated", "unchanged", "review", "rejected", "duplicates")

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Import a list"))
        self.setMinimumSize(760, 520)
        self.setAcceptDrops(True)
        self.path: Path | None = None
        self.report: ImportReport | None = None  # the last dry run or import
        # What the officer says columns hold, by position; None: nothing said (the choices
        # remembered for the list's layout apply); empty: read every column by its header.
        self.chosen: dict[int, str | None] | None = None
        self.encoding: str | None = None  # read the text list in this encoding
        self.sheet: str | None = None  # read this sheet of the workbook (None: the first list)
        self._choosing_columns = False  # a check after a "Read as" choice: stay on Columns
        self._offered_encoding: str | None = None
        # Where the officer chose to save the review file (its folder could not be written).
        self.review_target: Path | None = None
        self._phase = ""  # "check" or "import" while work runs

        intro = QLabel(
            _(
                "Lists from tour operators, the travel app or spreadsheets (CSV or Excel XLSX). "
                "The list is checked first; nothing is saved until you press Import. Nobody is "
                "left out for one doubtful value: it is set aside for review."
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
        # A workbook with people on several sheets: which one is read (shown only then).
        self.sheet_label = QLabel(_("Sheet:"))
        self.sheet_box = QComboBox()
        self.sheet_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet_label.setBuddy(self.sheet_box)
        self.sheet_label.setVisible(False)
        self.sheet_box.setVisible(False)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel(_("List:")))
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.sheet_label)
        file_row.addWidget(self.sheet_box)
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
        self.encoding_button = QPushButton()
        self.encoding_button.setAutoDefault(False)
        self.encoding_button.setVisible(False)
        self.progress = WorkProgress()
        self.format_label = QLabel()

        counts = QGridLayout()
        captions = (
            _("Rows"),
            _("New"),
            _("Updated"),
            _("Unchanged"),
            _("To review"),
            _("Not imported"),
            _("Probable duplicates"),
        )
        self.count_labels: dict[str, QLabel] = {}
        for col, (key, caption) in enumerate(zip(self.COUNT_KEYS, captions, strict=True)):
            number = QLabel("—")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet(self._count_style(False))
            text = QLabel(caption)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text.setWordWrap(True)
            counts.addWidget(number, 0, col)
            counts.addWidget(text, 1, col)
            self.count_labels[key] = number

        self.mapping_model = MappingModel(self)
        self.errors_model = ProblemsModel(self)
        self.mapping_view = make_table(self.mapping_model)
        self.mapping_view.setItemDelegateForColumn(MappingModel.COL_TARGET, TargetDelegate(self))
        self.mapping_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.reset_columns_button = QPushButton(_("Read columns by their &headers"))
        self.reset_columns_button.setToolTip(
            _("Forget the choices made for this list's columns and recognise them again")
        )
        self.reset_columns_button.setAutoDefault(False)
        self.reset_columns_button.setEnabled(False)
        columns_tab = QWidget()
        columns_layout = QVBoxLayout(columns_tab)
        columns_layout.setContentsMargins(0, 0, 0, 0)
        columns_hint = QLabel(
            _("Double-click “Read as” to say what a column holds, or to ignore it.")
        )
        columns_hint.setWordWrap(True)
        columns_hint_row = QHBoxLayout()
        columns_hint_row.addWidget(columns_hint, 1)
        columns_hint_row.addWidget(self.reset_columns_button)
        columns_layout.addLayout(columns_hint_row)
        columns_layout.addWidget(self.mapping_view, 1)
        self.errors_view = make_table(self.errors_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(columns_tab, _("Columns"))
        self.tabs.addTab(self.errors_view, _("Problems"))

        self.error_file_label = QLabel()
        self.error_file_label.setWordWrap(True)
        self.error_file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton(_("Open its &folder"))
        self.open_folder_button.setAutoDefault(False)
        self.review_file_button = QPushButton(_("Save the rows to look at &elsewhere…"))
        self.review_file_button.setAutoDefault(False)
        self.review_file_button.setVisible(False)
        error_row = QHBoxLayout()
        error_row.addWidget(self.error_file_label, 1)
        error_row.addWidget(self.open_folder_button)
        error_row.addWidget(self.review_file_button)

        self.import_button = QPushButton(_("&Import"))
        # Never the default: Enter that closes a "Read as" choice in the table imported the
        # whole list with half its columns said. Space on it, a click, or Alt+I import.
        self.import_button.setAutoDefault(False)
        self.import_button.setEnabled(False)
        self.close_button = QPushButton(_("Close"))
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.encoding_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.tour_operator_check)
        layout.addLayout(status_row)
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
        self._show_review_file(None)
        self._connect_signals()
        self.choose_button.setFocus()
        if path is not None:
            self.check(Path(path))

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.sheet_box.activated.connect(self._on_sheet_box_activated)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)
        self.progress.cancel_requested.connect(self._on_progress_cancel_requested)
        self.mapping_model.target_chosen.connect(self._on_mapping_model_target_chosen)
        self.encoding_button.clicked.connect(self._on_encoding_button_clicked)
        self.review_file_button.clicked.connect(self._on_review_file_button_clicked)
        self.reset_columns_button.clicked.connect(self._on_reset_columns_button_clicked)

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

    def choose_review_file(self) -> Path | None:
        """Ask where to save the review file when the list's folder cannot be written (a
        write-protected stick; a native dialog; tests override this)."""
        assert self.path is not None
        start = Path(self._settings_folder()) / f"{self.path.stem}.review.csv"
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save the rows to look at"), str(start), _("CSV files (*.csv)")
        )
        return Path(name) if name else None

    # -- state ---------------------------------------------------------------------------------

    @property
    def source(self) -> Source:
        """How new records are recorded as having reached the post."""
        return Source.TOUR_OPERATOR if self.tour_operator_check.isChecked() else Source.LIST_IMPORT

    def columns(self) -> dict[str, str | None] | None:
        """What the officer said the columns hold, as the service takes it (``None``: nothing
        said, so choices remembered for the list's layout apply)."""
        if self.chosen is None:
            return None
        return {f"#{index + 1}": target or "ignore" for index, target in self.chosen.items()}

    def _settings_folder(self) -> str:
        return str(remembered_folder(self.ctx))

    @staticmethod
    def _count_style(alarm: bool) -> str:
        return "font-size: 15pt; font-weight: bold;" + (ERROR_STYLE if alarm else "")

    def _set_busy(self, phase: str, cancel: CancelFlag | None) -> None:
        self._phase = phase
        self._cancel = cancel
        idle = cancel is None
        self.choose_button.setEnabled(idle)
        self.tour_operator_check.setEnabled(idle)
        self.mapping_model.editable = idle
        self.reset_columns_button.setEnabled(idle and bool(self.chosen))  # choices to forget
        self.encoding_button.setEnabled(idle)
        self.review_file_button.setEnabled(idle)
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

    def _clear_results(self, keep_mapping: bool = False) -> None:
        self.report = None
        self.format_label.clear()
        for label in self.count_labels.values():
            label.setText("—")
            label.setStyleSheet(self._count_style(False))
        if not keep_mapping:
            self.mapping_model.set_rows([])
        self.mapping_model.set_conflicts(set())
        self.errors_model.set_rows([])
        self.tabs.setTabText(0, _("Columns"))
        self.tabs.setTabText(1, _("Problems"))
        self.import_button.setText(_("&Import"))
        self.import_button.setEnabled(False)
        self.encoding_button.setVisible(False)
        self.review_file_button.setVisible(False)
        self._show_review_file(None)

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
            report.needs_review,
            report.invalid,
            report.flagged_duplicates,
        )
        for key, value in zip(self.COUNT_KEYS, values, strict=True):
            self.count_labels[key].setText(str(value))
        self.count_labels["rejected"].setStyleSheet(self._count_style(bool(report.invalid)))
        self._show_mapping(report.mapping)
        problems = sorted([*report.errors, *report.warnings], key=lambda e: e.line)
        self.errors_model.set_rows(problems)
        self.tabs.setTabText(1, _("Problems ({n})").format(n=len(problems)))  # as listed
        self.errors_view.resizeColumnToContents(ProblemsModel.COL_LINE)
        self.errors_view.resizeColumnToContents(ProblemsModel.COL_KIND)
        self.errors_view.resizeColumnToContents(ProblemsModel.COL_FIELD)
        value = ProblemsModel.COL_VALUE  # its header whole ("Тізімдегі мән"), its cells to 220
        self.errors_view.setColumnWidth(
            value,
            max(
                self.errors_view.horizontalHeader().sectionSizeHint(value),
                min(220, self.errors_view.sizeHintForColumn(value) + 12),
            ),
        )

    def _show_mapping(self, mapping: list[Any], conflicts: set[int] | None = None) -> None:
        self.mapping_model.set_rows(mapping)
        self.mapping_model.set_conflicts(conflicts or set())
        used = sum(1 for m in mapping if m.field is not None)
        self.tabs.setTabText(
            0, _("Columns ({used} of {total} used)").format(used=used, total=len(mapping))
        )
        for col in (MappingModel.COL_HEADER, MappingModel.COL_TARGET):
            self.mapping_view.resizeColumnToContents(col)
        self.mapping_view.setColumnWidth(
            MappingModel.COL_SAMPLE,
            min(200, self.mapping_view.sizeHintForColumn(MappingModel.COL_SAMPLE) + 12),
        )

    def _show_review_file(self, path: Path | None) -> None:
        self.error_file_label.setVisible(path is not None)
        self.open_folder_button.setVisible(path is not None)
        if path is not None:
            self.error_file_label.setText(
                _(
                    "The rows to look at were written to {path}: correct them there and import "
                    "that file."
                ).format(path=path)
            )

    def importable(self) -> int:
        """How many rows of the checked list would be imported (every row but those refused)."""
        if self.report is None:
            return 0
        return self.report.total_rows - self.report.invalid

    # -- dry run -------------------------------------------------------------------------------

    def check(self, path: Path, *, encoding: str | None = None) -> None:
        """Check a list: a dry run in the background, then show what an import would do."""
        if self.busy:
            return
        new_file = self.path is None or Path(path) != self.path
        self.path = Path(path)
        if new_file:
            self.chosen = None
            self.encoding = None
            self.sheet = None
            self.review_target = None
        if encoding is not None:
            self.encoding = encoding
        self.path_edit.setText(str(self.path))
        self._clear_results(keep_mapping=not new_file)
        remember_folder(self.ctx, self.path.parent)
        desk, target, source = self.ctx.desk, self.path, self.source
        columns, chosen_encoding, sheet = self.columns(), self.encoding, self.sheet

        def work(progress: Callable[[int, int, str], None], cancel: CancelFlag) -> ImportReport:
            return import_list(
                desk,
                target,
                dry_run=True,
                source=source,
                columns=columns,
                encoding=chosen_encoding,
                sheet=sheet,
                progress=progress,
                cancel=cancel,
            )

        self._run(
            "check", _("Checking the list…"), work, self._on_check_done, self._on_check_failed
        )

    def _on_check_done(self, report: ImportReport) -> None:
        if self._closed:
            return
        # What the import will say the columns hold: the officer's and the remembered choices.
        said = {m.index: m.field for m in report.mapping if m.origin in ("chosen", "remembered")}
        if said or self.chosen is not None:
            self.chosen = said
        self._set_busy("", None)
        self._show_report(report)
        self._show_sheets(report)
        n = self.importable()
        changing = report.created + report.updated
        if n:
            # The count is of the people the import adds or completes, not of every row.
            self.import_button.setText(
                ngettext("&Import {n} person", "&Import {n} people", changing).format(n=changing)
                if changing
                else _("&Import")
            )
            self.import_button.setEnabled(True)
            if not self._choosing_columns:
                self.import_button.setFocus()
        sheets = " " + self._sheets_sentence(report) if report.other_sheets else ""
        parts = []
        if report.invalid:
            parts.append(
                ngettext(
                    "{n} row will not be imported (it names no one, or another person's document).",
                    "{n} rows will not be imported (they name no one, or another person's "
                    "document).",
                    report.invalid,
                ).format(n=report.invalid)
            )
        if report.needs_review:
            parts.append(
                ngettext(
                    "{n} person will be imported with values set aside for review.",
                    "{n} people will be imported with values set aside for review.",
                    report.needs_review,
                ).format(n=report.needs_review)
            )
        if not n:
            self._set_status(
                _("No row of this list can be imported: see Problems.") + sheets, ERROR_STYLE
            )
            self._show_tab(1)
        elif parts:
            self._set_status(
                _("Checked.") + " " + " ".join(parts) + " " + _("See Problems.") + sheets
            )
            self._show_tab(1)
        elif not changing:
            self._set_status(_("Checked: everyone on this list is already on file.") + sheets)
            self._show_tab(0)
        else:
            self._set_status(
                _("Checked: every row can be imported. Nothing is saved yet.") + sheets
            )
            self._show_tab(0)
        self._choosing_columns = False

    def _show_tab(self, index: int) -> None:
        """Columns (0) or Problems (1): where the check sends the officer, except while they
        are saying what columns hold (each choice checked the list again and jumped to
        Problems: eleven columns, eleven trips back)."""
        if not self._choosing_columns:
            self.tabs.setCurrentIndex(index)

    def _show_sheets(self, report: ImportReport) -> None:
        """The sheet box, when the workbook holds rows on more than one sheet."""
        several = bool(report.other_sheets)
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        if several:
            for name in (report.sheet, *(n for n, _rows in report.other_sheets)):
                self.sheet_box.addItem(str(name), name)
            self.sheet_box.setCurrentIndex(0)
        self.sheet_box.blockSignals(False)
        self.sheet_label.setVisible(several)
        self.sheet_box.setVisible(several)

    @staticmethod
    def _sheets_sentence(report: ImportReport) -> str:
        others = ", ".join(
            ngettext("“{sheet}” ({n} row)", "“{sheet}” ({n} rows)", rows).format(sheet=name, n=rows)
            for name, rows in report.other_sheets
        )
        return _(
            "Only the sheet “{sheet}” is read; also in the workbook: {others}. Choose a sheet "
            "under Sheet to check it."
        ).format(sheet=report.sheet, others=others)

    @Slot(int)
    def _on_sheet_box_activated(self, index: int) -> None:
        name = self.sheet_box.itemData(index)
        if self.path is None or self.busy or name == (self.report and self.report.sheet):
            return
        self.sheet = name
        self.chosen = None  # another sheet, its own columns
        self.check(self.path)

    def _on_check_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._choosing_columns = False
        self._set_busy("", None)
        if isinstance(exc, Cancelled):
            self._set_status(_("Check cancelled. Choose the list again to check it."))
            self.choose_button.setFocus()
            return
        self._set_status(message_of(exc), ERROR_STYLE)
        mapping = exc.mapping if isinstance(exc, ListError) else None
        if mapping:
            # The columns clash or none names anyone: show them, so the officer can choose.
            params = exc.params if isinstance(exc, ListError) else {}
            clash = {
                m.index for m in mapping if params.get("target") and m.field == params.get("target")
            }
            self._show_mapping(mapping, clash)
            self.tabs.setCurrentIndex(0)
            self.mapping_view.setFocus()
            return
        codec = exc.params.get("codec") if isinstance(exc, ListError) else None
        if isinstance(exc, ListError) and exc.code == "list.encoding" and codec:
            self._offered_encoding = str(codec)
            self.encoding_button.setText(
                _("Read as {encoding}").format(encoding=encoding_name(str(codec)))
            )
            self.encoding_button.setVisible(True)
            self.encoding_button.setFocus()
            return
        self.choose_button.setFocus()

    # -- import --------------------------------------------------------------------------------

    def start_import(self) -> None:
        """Import the checked list for real, in the background."""
        if self.busy or self.path is None or not self.importable():
            return
        desk, target, source = self.ctx.desk, self.path, self.source
        columns, encoding, review_file = self.columns(), self.encoding, self.review_target
        sheet = self.report.sheet if self.report is not None else self.sheet

        def work(progress: Callable[[int, int, str], None], cancel: CancelFlag) -> ImportReport:
            return import_list(
                desk,
                target,
                source=source,
                columns=columns,
                encoding=encoding,
                sheet=sheet,
                review_file=review_file,
                progress=progress,
                cancel=cancel,
            )

        self.review_file_button.setVisible(False)
        self._run("import", _("Importing…"), work, self._on_import_done, self._on_import_failed)

    def _on_import_done(self, report: ImportReport) -> None:
        # The case file changed even when the dialog was closed meanwhile: tell the pages.
        self.ctx.events.changed.emit(report.changes)
        if self._closed:
            return
        self.imported.emit(report)
        self._set_busy("", None)
        self._show_report(report)
        self.mapping_model.editable = False  # imported: choices now would change nothing
        self.import_button.setEnabled(False)
        self.import_button.setText(_("Imported"))
        text = _("Imported: {new} new, {updated} updated, {unchanged} already on file.").format(
            new=report.created, updated=report.updated, unchanged=report.unchanged
        )
        if report.needs_review:
            text += " " + ngettext(
                "{n} person needs review (Nationals → Needs review).",
                "{n} people need review (Nationals → Needs review).",
                report.needs_review,
            ).format(n=report.needs_review)
        if report.invalid:
            text += " " + ngettext(
                "{n} row was not imported.", "{n} rows were not imported.", report.invalid
            ).format(n=report.invalid)
        if report.families_created or report.members_added:
            text += " " + ngettext(
                "{n} person joined a family or tour group.",
                "{n} people joined families or tour groups.",
                report.members_added,
            ).format(n=report.members_added)
        if report.flagged_duplicates:
            text += " " + ngettext(
                "{n} probable duplicate to review (People → Possible duplicates).",
                "{n} probable duplicates to review (People → Possible duplicates).",
                report.flagged_duplicates,
            ).format(n=report.flagged_duplicates)
        self._set_status(text, OK_STYLE)
        self._show_review_file(report.review_file)
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
                _("Nothing was imported: {reason}").format(reason=message_of(exc)), ERROR_STYLE
            )
        # The list was checked: the officer may try again.
        self.import_button.setEnabled(self.importable() > 0)
        if isinstance(exc, ListError) and exc.code == "list.review_write":
            self.review_file_button.setVisible(True)  # the list's folder is write-protected
            self.review_file_button.setFocus()

    # -- handlers ------------------------------------------------------------------------------

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.path = None  # a file chosen again starts afresh, even the same one
            self.check(path)

    @Slot()
    def _on_import_button_clicked(self) -> None:
        self.start_import()

    @Slot()
    def _on_open_folder_button_clicked(self) -> None:
        if self.report is not None and self.report.review_file is not None:
            self.open_folder(self.report.review_file.parent)

    @Slot(int, object)
    def _on_mapping_model_target_chosen(self, index: int, target: object) -> None:
        if self.busy or self.path is None:
            return
        self.chosen = {**(self.chosen or {}), index: str(target) if target else None}
        self._choosing_columns = True  # the Columns tab and the table's place stay
        self.check(self.path)

    @Slot()
    def _on_encoding_button_clicked(self) -> None:
        if self.path is not None and self._offered_encoding:
            self.check(self.path, encoding=self._offered_encoding)

    @Slot()
    def _on_review_file_button_clicked(self) -> None:
        if self.busy or self.path is None:
            return
        chosen = self.choose_review_file()
        if chosen is not None:
            self.review_target = chosen
            self.start_import()

    @Slot()
    def _on_reset_columns_button_clicked(self) -> None:
        if self.path is None:
            return
        self.chosen = {}  # the import then forgets what was remembered for this layout
        self.check(self.path)

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
            self.path = None
            self.check(Path(urls[0].toLocalFile()))


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
    "ProblemsModel",
    "WorkProgress",
    "open_import",
]
