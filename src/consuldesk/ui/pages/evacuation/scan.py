"""Boarding by scan: the scan field, its queue of scans and the big answer under it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
)

from consuldesk.domain.enums import ManifestStatus
from consuldesk.domain.scan import ScanKind, parse_scan
from consuldesk.i18n import _
from consuldesk.messages import SCAN_BOARDED, describe, scan_line
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import (
    ScanResult,
)
from consuldesk.ui.pages.evacuation.base import PageBase
from consuldesk.ui.pages.evacuation.texts import (
    _FAIL_STYLE,
    _OK_STYLE,
    _QUIET_STYLE,
    _WARN_STYLE,
    SCAN_FADE_MS,
    SCAN_FONT_FACTORS,
)


class ScanPart(PageBase):
    """The scan field (a keyboard-wedge QR scanner types into it) and its answer."""

    def _build_scan_widgets(self) -> None:
        self.scan_label = QLabel(_("&Scan"))
        self.scan_field = QLineEdit()
        self.scan_field.setPlaceholderText(
            _("Scan a boarding slip or type a seat or passport number, then Enter")
        )
        self.scan_field.setClearButtonEnabled(True)
        self.scan_label.setBuddy(self.scan_field)
        self.scan_result = QLabel()
        result_font = QFont(self.scan_result.font())
        result_font.setPointSizeF(result_font.pointSizeF() * SCAN_FONT_FACTORS[0])
        result_font.setBold(True)
        self._scan_result_font = result_font
        self.scan_result.setFont(result_font)
        self.scan_result.setWordWrap(True)
        # Two lines are always reserved: a message that wraps must not push the table down
        # under the officer's mouse between two clicks.
        self.scan_result.setFixedHeight(2 * self.scan_result.fontMetrics().lineSpacing() + 8)
        self.open_scanned_button = QPushButton(_("&Open it"))
        self.open_scanned_button.setVisible(False)
        self._scan_fade = QTimer(self)
        self._scan_fade.setSingleShot(True)
        self._scan_fade.setInterval(SCAN_FADE_MS)
        self._scan_fade.timeout.connect(self._quiet_scan_result)

    def focus_scan(self) -> None:
        """Put the cursor in the scan field."""
        self.scan_field.setFocus()
        self.scan_field.selectAll()

    @Slot()
    def _on_scan_field_return_pressed(self) -> None:
        text = self.scan_field.text().strip()
        self.scan_field.clear()  # ready for the next scan at once
        if not text:
            return
        trip = self.selected_trip()
        if trip is None:
            self._show_scan(_FAIL_STYLE, _("✗ Choose a bus or flight on the left first."))
            QApplication.beep()
            return
        if self._find_typed(trip.id, text):
            return
        self._scan_queue.append((trip.id, text))
        self._next_scan()

    def _find_typed(self, trip_id: str, text: str) -> bool:
        """A seat or passport number typed (not a slip scanned) first finds the passenger:
        typed to look someone up, it must not board them. Enter again boards; N, O act on
        them. Returns whether the passenger was only found."""
        parsed = parse_scan(text)
        if parsed.kind not in (ScanKind.SEAT, ScanKind.PASSPORT):
            self._armed = None
            return False
        armed, self._armed = self._armed, None
        if armed == (trip_id, parsed.kind, parsed.value):
            return False  # Enter again: board
        row = self.model.typed(parsed.kind == ScanKind.SEAT, parsed.value)
        if row is None or row.status != ManifestStatus.ALLOCATED.value:
            return False  # the service says who it is, or that nobody is
        self._armed = (trip_id, parsed.kind, parsed.value)
        self.select_passenger(row.entry_id)
        self.scan_field.setText(text)
        self.scan_field.selectAll()  # Enter again boards; typing replaces it
        name = row.person.name_cyr or row.person.name
        line = _("{name}, seat {seat}: Enter again to board, N if they did not come").format(
            name=name, seat=row.seat or "—"
        )
        self._show_scan(_QUIET_STYLE, line)
        return True

    def _next_scan(self) -> None:
        if self._scanning or not self._scan_queue:
            return
        self._scanning = True
        trip_id, text = self._scan_queue.pop(0)
        desk = self.ctx.desk

        def done(result: ScanResult) -> None:
            self._scanning = False
            if result.changes:
                self._own_changes = result.changes
                self.ctx.events.changed.emit(result.changes)
                self._refresh_timer.start()
            self._show_scan_result(result, text)
            self._next_scan()

        def failed(exc: BaseException) -> None:
            self._scanning = False
            self._show_scan(_FAIL_STYLE, "✗ " + describe(exc))
            QApplication.beep()
            self._next_scan()

        self.ctx.tasks.run(lambda: ev.scan(desk, trip_id, text), done, failed)

    def _show_scan(self, style: str, text: str, target: str | None = None) -> None:
        self.scan_result.setStyleSheet(style)
        self.scan_result.setFont(self._scan_font(text, with_button=target is not None))
        self.scan_result.setText(text)
        self.scan_result.setToolTip(text)  # the whole of it, should it not fit two lines
        self._scan_target = target
        self.open_scanned_button.setVisible(target is not None)
        if text:
            self._scan_fade.start()  # big and coloured for a few seconds, then quiet

    def _scan_font(self, text: str, *, with_button: bool = False) -> QFont:
        """The largest of a few sizes at which ``text`` fits the two lines kept for it, beside
        the "Open it" button when ``with_button`` (the width it will have, not the one it has:
        the layout follows the button's showing or hiding only later)."""
        width = self.scan_result.width()
        if not width:
            width = 10_000  # before the first layout: any size
        else:
            button = self.open_scanned_button
            beside = button.sizeHint().width() + 6  # the row's spacing
            if button.isVisible() and not with_button:
                width += beside
            elif with_button and not button.isVisible():
                width -= beside
        room = self.scan_result.height() - 4
        font = QFont(self._scan_result_font)
        for factor in SCAN_FONT_FACTORS:
            font.setPointSizeF(self.font().pointSizeF() * factor)
            wrap = int(Qt.TextFlag.TextWordWrap)
            if QFontMetrics(font).boundingRect(0, 0, width, 10_000, wrap, text).height() <= room:
                break
        return font

    @Slot()
    def _quiet_scan_result(self) -> None:
        if self.scan_result.text():
            self.scan_result.setStyleSheet(_QUIET_STYLE)

    def _clear_scan_result(self) -> None:
        self._show_scan("", "")

    def _show_scan_result(self, result: ScanResult, text: str) -> None:
        p = result.passenger
        outcome = result.outcome
        trip = self.selected_trip()
        line = scan_line(result, text, trip.status if trip is not None else "")
        if outcome in SCAN_BOARDED:
            # Boarded, but the border will stop them: said at once, in amber, with what it is.
            calm = outcome == "boarded" and not (p is not None and p.problems)
            self._show_scan(_OK_STYLE if calm else _WARN_STYLE, line)
            if p is not None:
                if outcome == "already_boarded":
                    self.select_passenger(p.entry_id)
                else:
                    self._selected_entry = p.entry_id
            return
        if outcome == "open_manifest" and result.trip_id:
            if self.select_trip(result.trip_id):
                self._show_scan(_OK_STYLE, line)
            else:
                self._show_scan(_FAIL_STYLE, _("✗ Unknown code: {code}").format(code=text))
                QApplication.beep()
            return
        if outcome == "this_manifest":
            self._show_scan(_OK_STYLE, line)
            return
        # Another vehicle (a slip of it, or a replaced one): "Open it" is the button beside it.
        target = result.trip_id if outcome in ("other_trip", "replaced_other_trip") else None
        self._show_scan(_FAIL_STYLE, line, target)
        QApplication.beep()

    @Slot()
    def _on_open_scanned_button_clicked(self) -> None:
        if self._scan_target is not None:
            self.select_trip(self._scan_target)
        self._clear_scan_result()
        self.focus_scan()
