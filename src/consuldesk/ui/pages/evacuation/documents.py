"""Documents of the selected trip: the manifest (PDF, CSV) and the boarding slips."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QPushButton,
)

from consuldesk.i18n import _
from consuldesk.services import evacuation as ev
from consuldesk.ui.pages.evacuation.base import PageBase
from consuldesk.ui.pages.evacuation.texts import (
    FOLDER_KEY,
    manifest_file_name,
)


class DocumentsPart(PageBase):
    """The Manifest…, CSV… and Slips… buttons and the files they write."""

    def _build_documents_widgets(self) -> None:
        # Short labels (they share a row with the counts); the tooltips say it in full.
        self.print_button = QPushButton(_("Manifest…"))
        self.print_button.setToolTip(_("Print the passenger manifest for the border (PDF)"))
        self.csv_button = QPushButton(_("CSV…"))
        self.csv_button.setToolTip(_("Export the manifest as CSV for the carrier"))
        self.slips_button = QPushButton(_("Slips…"))
        self.slips_button.setToolTip(_("Print boarding slips, eight to a page (PDF)"))

    def second_language(self) -> str:
        """The manifests' second language (Settings → Printed documents)."""
        return self.ctx.print_language()

    def choose_save_path(self, title: str, file_name: str, file_filter: str) -> Path | None:
        """Ask where to save (a seam: tests return a path without a dialog)."""
        settings = self.ctx.settings
        folder = str(settings.value(FOLDER_KEY, "") or "") if settings is not None else ""
        start = str(Path(folder or Path.home()) / file_name)
        path, _selected = QFileDialog.getSaveFileName(self, title, start, file_filter)
        if not path:
            return None
        if settings is not None:
            settings.setValue(FOLDER_KEY, str(Path(path).parent))
        return Path(path)

    def _write_document(
        self,
        title: str,
        suffix: str,
        file_filter: str,
        work: Callable[[Path], Path],
        prefix: str = "manifest",
    ) -> None:
        trip = self.selected_trip()
        if trip is None:
            return
        name = manifest_file_name(trip, suffix, prefix)
        path = self.choose_save_path(title, name, file_filter)
        if path is None:
            return
        self._say(_("Writing {path}…").format(path=path))
        self.ctx.tasks.run(
            lambda: work(path),
            lambda out: self._say(_("Written to {path}").format(path=out)),
            self._on_write_failed,
        )

    @Slot()
    def _on_print_button_clicked(self) -> None:
        trip, desk, lang = self.selected_trip(), self.ctx.desk, self.second_language()
        if trip is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Print manifest"),
            "pdf",
            _("PDF (*.pdf)"),
            lambda path: ev.print_manifest(desk, trip_id, path, second_language=lang),
        )

    @Slot()
    def _on_csv_button_clicked(self) -> None:
        trip, desk = self.selected_trip(), self.ctx.desk
        if trip is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Export manifest"),
            "csv",
            _("CSV (*.csv)"),
            lambda path: ev.export_manifest_csv(desk, trip_id, path),
        )

    @Slot()
    def _on_slips_button_clicked(self) -> None:
        self._print_slips()

    def _print_slips(self) -> None:
        """Boarding slips with QR codes for the selected trip (when the service offers them)."""
        trip, desk, lang = self.selected_trip(), self.ctx.desk, self.second_language()
        printer = getattr(ev, "print_boarding_slips", None)
        if trip is None or printer is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Boarding slips"),
            "pdf",
            _("PDF (*.pdf)"),
            lambda path: printer(desk, trip_id, path, second_language=lang),
            prefix="slips",
        )
