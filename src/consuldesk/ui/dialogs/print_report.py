"""Print the situation report for headquarters or a hotel roster to a PDF file.

Both are written in the background (a few hundred milliseconds on a large case file); the file
appears only when complete. The second language beside English comes from the settings and can
be changed here for one document.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services import documents
from consuldesk.services.hotels import list_hotels
from consuldesk.services.views import HotelRow
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.file_output import FileOutput, remember_folder, remembered_folder
from consuldesk.ui.dialogs.import_list import ERROR_STYLE, OK_STYLE
from consuldesk.ui.widgets.date_field import DateField
from consuldesk.ui.widgets.forms import make_default

Kind = Literal["sitrep", "roster"]
PDF_FILTER = "PDF (*.pdf)"


class ReportDialog(FileOutput, QDialog):
    """Choose where (and, for a roster, which night) and write the PDF.

    Signals:
        written(str): the path of the PDF just written.
    """

    written = Signal(str)

    def __init__(self, ctx: AppContext, kind: Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self._busy = False
        self.setWindowTitle(
            _("Situation report for headquarters") if kind == "sitrep" else _("Hotel roster")
        )
        self.setMinimumWidth(600)
        self.night_edit = DateField(ctx.desk.today())
        # One hotel's roster for its front desk, or every hotel's (the roster of 49 pages).
        self.hotel_box = QComboBox()
        self.hotel_box.addItem(_("All hotels"), None)
        self.lang_combo = QComboBox()
        self.lang_combo.addItem(_("English and Kazakh"), "kk")
        self.lang_combo.addItem(_("English and Russian"), "ru")
        self.lang_combo.setCurrentIndex(max(0, self.lang_combo.findData(ctx.print_language())))
        file_row = self.build_file_widgets(
            self._default_path(),
            _("Counts as of now: nationals, requests, evacuations, hotels and costs.")
            if kind == "sitrep"
            else _("Who sleeps in which hotel and room, one section per hotel."),
        )
        form = QFormLayout()
        if kind == "roster":
            night_label = QLabel(_("&Night of:"))
            night_label.setBuddy(self.night_edit)
            form.addRow(night_label, self.night_edit)
            hotel_label = QLabel(_("&Hotel:"))
            hotel_label.setBuddy(self.hotel_box)
            form.addRow(hotel_label, self.hotel_box)
            desk = ctx.desk
            ctx.tasks.run(lambda: list_hotels(desk), self._fill_hotels, lambda _e: None, owner=self)
        else:
            self.night_edit.hide()
            self.hotel_box.hide()
        lang_label = QLabel(_("&Languages:"))
        lang_label.setBuddy(self.lang_combo)
        form.addRow(lang_label, self.lang_combo)
        file_label = QLabel(_("&File:"))
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, file_row)
        self.write_button = QPushButton(_("&Write PDF"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        layout.addLayout(self.button_row(self.write_button))
        make_default(self.write_button)
        self._connect_signals()
        self.write_button.setFocus()

    def _fill_hotels(self, hotels: list[HotelRow]) -> None:
        if not isValid(self):
            return
        for h in hotels:
            self.hotel_box.addItem(h.label, h.id)

    def _connect_signals(self) -> None:
        self.hotel_box.currentIndexChanged.connect(self._on_night_edit_changed)
        self.connect_file_signals()
        self.write_button.clicked.connect(self._on_write_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.night_edit.changed.connect(self._on_night_edit_changed)

    # -- seams tests override ------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask where to save (a native dialog; tests override this)."""
        name, _filter = QFileDialog.getSaveFileName(
            self, self.windowTitle(), str(self.path or self._default_path()), PDF_FILTER
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

    # -- state ---------------------------------------------------------------------------------

    @property
    def night(self) -> date | None:
        """The night the roster is for (``None`` while what is typed is not a date)."""
        return self.night_edit.value()

    def _default_path(self) -> Path:
        """Today's report (or the night's roster) under a name no file has yet: a second
        report of the day, in the other language, does not replace the first."""
        post = self.ctx.desk.casefile.local_post()
        code = post.code if post else "post"
        if self.kind == "sitrep":
            stem = f"sitrep-{code}-{date.today():%Y-%m-%d}"
        else:
            night = self.night or self.ctx.desk.today()
            stem = f"hotel-roster-{code}-{night:%Y-%m-%d}"
            if self.hotel_box.currentData():  # one hotel's: its name in the file's
                name = re.sub(r"[^\w]+", "-", self.hotel_box.currentText()).strip("-")
                stem += f"-{name}"
        folder = remembered_folder(self.ctx)
        path, n = folder / f"{stem}.pdf", 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.pdf"
        return path

    # -- handlers ------------------------------------------------------------------------------

    @Slot()
    def _on_night_edit_changed(self) -> None:
        current = self.path
        if (
            self.night is not None
            and current is not None
            and current.name.startswith("hotel-roster-")
        ):
            self.path_edit.setText(str(current.with_name(self._default_path().name)))

    @Slot()
    def _on_write_button_clicked(self) -> None:
        path = self.path
        if path is None:
            self._set_status(_("Choose where to save the PDF."), ERROR_STYLE)
            self.path_edit.setFocus()
            return
        if self.kind == "roster" and self.night is None:
            self._set_status(_("Type the night as dd.mm.yyyy."), ERROR_STYLE)
            self.night_edit.setFocus()
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
            self.path_edit.setText(str(path))
        if self._busy:
            return
        if path.exists():
            # An earlier report (its print is in the audit trail, with its SHA-256), or any
            # other PDF: replaced only when the officer says so.
            self._replace_question = ask(
                self,
                self.windowTitle(),
                _("{name} exists already. Write over it?").format(name=path.name),
                lambda: self._write(path),
                yes=_("Write over it"),
                no=_("Keep it"),
            )
            return
        self._write(path)

    def _write(self, path: Path) -> None:
        self._busy = True
        self.write_button.setEnabled(False)
        self.open_folder_button.setVisible(False)
        self._set_status(_("Writing…"))
        desk, lang, night = self.ctx.desk, self.lang_combo.currentData(), self.night
        if self.kind == "sitrep":

            def work() -> Path:
                return documents.print_sitrep(desk, path, second_language=lang)
        else:
            chosen = self.hotel_box.currentData()
            hotel_ids = [chosen] if chosen else None

            def work() -> Path:
                return documents.print_hotel_roster(
                    desk, path, night=night, second_language=lang, hotel_ids=hotel_ids
                )

        self.ctx.tasks.run(work, self._on_written, self._on_failed, owner=self)

    def _on_written(self, path: Path) -> None:
        self._busy = False
        self.write_button.setEnabled(True)
        self.written_path = Path(path)
        self._set_status(_("Written to {path}").format(path=path), OK_STYLE)
        self.open_folder_button.setVisible(True)
        remember_folder(self.ctx, self.written_path.parent)
        self.written.emit(str(path))

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.write_button.setEnabled(True)
        self._set_status(describe(exc), ERROR_STYLE)


def open_report(ctx: AppContext, kind: Kind, parent: QWidget | None = None) -> ReportDialog:
    """Show the dialog (not modal to the code: it returns at once)."""
    dialog = ReportDialog(ctx, kind, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
