"""Export nationals to a CSV or XLSX list (headers in English, Russian or Kazakh) that imports
back without changes; written in the background with progress and Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consuldesk.i18n import _, language, ngettext
from consuldesk.messages import describe
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.lists import export_list
from consuldesk.services.nationals import count_nationals
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.file_output import FileOutput, remember_folder, remembered_folder
from consuldesk.ui.dialogs.import_list import ERROR_STYLE, OK_STYLE, WorkProgress
from consuldesk.ui.dialogs.long_work import LongWorkDialog

# Header languages, each named in itself: the officer picks the reader's language.
LANGUAGES = (("en", "English"), ("ru", "Русский"), ("kk", "Қазақша"))
CSV_FILTER = "CSV (*.csv)"
XLSX_FILTER = "Excel (*.xlsx)"


def format_of(path: Path | None) -> str | None:
    """``"csv"`` or ``"xlsx"`` from a file name's suffix; ``None`` for anything else."""
    if path is None:
        return None
    return {".csv": "csv", ".xlsx": "xlsx"}.get(path.suffix.lower())


class ExportDialog(FileOutput, LongWorkDialog):
    """Write the nationals on file (or the given ones) to a list.

    Signals:
        exported(int): how many nationals were written.
    """

    exported = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        ids: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ids = list(ids) if ids is not None else None
        self.setWindowTitle(_("Export a list"))
        self.setMinimumWidth(640)

        self.scope_label = QLabel()
        self.scope_label.setWordWrap(True)
        if self.ids is not None:
            self.scope_label.setText(
                ngettext(
                    "{n} selected national will be written.",
                    "{n} selected nationals will be written.",
                    len(self.ids),
                ).format(n=len(self.ids))
            )
        else:
            self.scope_label.setText(_("Everyone on file will be written."))

        file_row = self.build_file_widgets(
            self._default_path(),
            _("The list has the same columns as an import list: it imports back unchanged."),
        )
        self.path_edit.setPlaceholderText(_("Where to save the list (.csv or .xlsx)"))
        self.format_label = QLabel()
        self.lang_combo = QComboBox()
        for code, name in LANGUAGES:
            self.lang_combo.addItem(name, code)
        self.lang_combo.setCurrentIndex(max(0, self.lang_combo.findData(language())))

        form = QFormLayout()
        file_label = QLabel(_("&File:"))
        file_label.setBuddy(self.path_edit)
        lang_label = QLabel(_("&Header language:"))
        lang_label.setBuddy(self.lang_combo)
        form.addRow(file_label, file_row)
        form.addRow(_("Format:"), self.format_label)
        form.addRow(lang_label, self.lang_combo)

        self.progress = WorkProgress()
        self.export_button = QPushButton(_("&Export"))
        self.export_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.scope_label)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        layout.addLayout(self.button_row(self.export_button))

        self.setTabOrder(self.path_edit, self.choose_button)
        self.setTabOrder(self.choose_button, self.lang_combo)
        self.setTabOrder(self.lang_combo, self.export_button)
        self.setTabOrder(self.export_button, self.close_button)
        self._connect_signals()
        self._on_path_edit_text_changed(self.path_edit.text())
        self.export_button.setFocus()
        if self.ids is None:
            self._count_everyone()

    def _connect_signals(self) -> None:
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)
        self.connect_file_signals()
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.progress.cancel_requested.connect(self._on_progress_cancel_requested)

    # -- seams tests override ------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask where to save (a native dialog; tests override this)."""
        current = self.path
        name, chosen_filter = QFileDialog.getSaveFileName(
            self,
            _("Export a list"),
            str(current) if current else str(self._default_path()),
            ";;".join((CSV_FILTER, XLSX_FILTER)),
            XLSX_FILTER if format_of(current) == "xlsx" else CSV_FILTER,
        )
        if not name:
            return None
        path = Path(name)
        if format_of(path) is None:
            path = path.with_name(path.name + (".xlsx" if chosen_filter == XLSX_FILTER else ".csv"))
        return path

    # -- state ---------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The header language: ``en``, ``ru`` or ``kk``."""
        return str(self.lang_combo.currentData())

    def _default_path(self) -> Path:
        today = self.ctx.desk.today()
        return remembered_folder(self.ctx) / f"nationals-{today:%Y-%m-%d}.csv"

    def _set_busy(self, cancel: CancelFlag | None) -> None:
        self._cancel = cancel
        idle = cancel is None
        for widget in (self.path_edit, self.choose_button, self.lang_combo):
            widget.setEnabled(idle)
        self.export_button.setEnabled(idle and format_of(self.path) is not None)
        if idle:
            self.progress.stop()

    def _count_everyone(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: count_nationals(desk), self._on_count_done, lambda _e: None, owner=self
        )

    def _on_count_done(self, n: int) -> None:
        if self._closed:
            return
        if n:
            self.scope_label.setText(
                ngettext(
                    "Everyone on file will be written: {n} national.",
                    "Everyone on file will be written: {n} nationals.",
                    n,
                ).format(n=n)
            )
        else:
            self.scope_label.setText(_("The case file has nobody yet: the list will be empty."))

    # -- export --------------------------------------------------------------------------------

    def start_export(self) -> None:
        """Write the list in the background."""
        path = self.path
        if self.busy or path is None or format_of(path) is None:
            return
        remember_folder(self.ctx, path.parent)
        desk, lang, ids = self.ctx.desk, self.lang, self.ids

        def work(progress: Callable[[int, int, str], None], cancel: CancelFlag) -> int:
            return export_list(desk, path, lang=lang, ids=ids, progress=progress, cancel=cancel)

        self.open_folder_button.setVisible(False)
        self._set_status(_("Writing the list…"))
        self.progress.start(_("Writing the list…"))
        cancel = self.ctx.tasks.run_long(
            work, self._on_export_done, self._on_export_failed, self._on_work_progress
        )
        self._set_busy(cancel)

    def _on_export_done(self, count: int) -> None:
        if self._closed:
            return
        self._set_busy(None)
        self.written_path = self.path
        self._set_status(
            ngettext(
                "{n} national written to {path}.", "{n} nationals written to {path}.", count
            ).format(n=count, path=self.written_path),
            OK_STYLE,
        )
        self.open_folder_button.setVisible(True)
        self.exported.emit(count)
        self.close_button.setFocus()

    def _on_export_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_busy(None)
        if isinstance(exc, Cancelled):
            self._set_status(_("Export cancelled: no file was written."))
        else:
            self._set_status(describe(exc), ERROR_STYLE)

    # -- handlers ------------------------------------------------------------------------------

    @Slot(str)
    def _on_path_edit_text_changed(self, _text: str) -> None:
        fmt = format_of(self.path)
        if fmt == "csv":
            self.format_label.setText(_("CSV text (UTF-8, separated by semicolons)"))
            self.format_label.setStyleSheet("")
        elif fmt == "xlsx":
            self.format_label.setText(_("Excel workbook (XLSX)"))
            self.format_label.setStyleSheet("")
        else:
            self.format_label.setText(_("The file name must end in .csv or .xlsx"))
            self.format_label.setStyleSheet(ERROR_STYLE)
        self.export_button.setEnabled(not self.busy and fmt is not None)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        self.start_export()


def open_export(
    ctx: AppContext, parent: QWidget | None = None, ids: Sequence[str] | None = None
) -> ExportDialog:
    """Open the export dialog (non-modal, deleted when closed)."""
    dialog = ExportDialog(ctx, parent, ids)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    QTimer.singleShot(0, dialog.path_edit.selectAll)
    return dialog


__all__ = ["ExportDialog", "format_of", "open_export"]
