"""A date an officer can type (dd.mm.yyyy) or pick from a calendar.

``QDateEdit`` edits one section at a time: typing "12.03.2026" over a selected date changes the
day section and then ignores or misplaces the rest, so an officer typing a date quickly ends up
with another month. :class:`DateField` is a line edit that reads the whole text when it changes
(31.12.2026, 31/12/2026, 31-12-2026, 31.12.26, 31122026, 2026-12-31), says at once when the text
is not a date, and has a calendar button (or Alt+Down, F4) for those who prefer to pick. Up and
Down move the date by a day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.dates import full_year, parse_date
from consuldesk.domain.enums import RequestPriority
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.requests import DUE_WITHIN, default_due
from consuldesk.i18n import _


def read_date(text: str) -> date | None:
    """The date an officer typed; ``None`` for an empty text.

    Besides what :func:`consuldesk.domain.dates.parse_date` reads, a two-digit year means
    20yy (stays are booked for now, not for the last century) and eight or six digits in a
    row read as ddmmyyyy or ddmmyy.

    Raises:
        ValidationError: ``date.format`` or ``date.invalid`` (param ``value``).
    """
    return parse_date(full_year(text), "date")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class _CalendarPopup(QWidget):
    """The calendar under the field; a click on a day picks it and closes the popup."""

    picked = Signal(object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.calendar)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.activated.connect(self._on_calendar_clicked)

    @Slot(QDate)
    def _on_calendar_clicked(self, value: QDate) -> None:
        self.hide()
        self.picked.emit(date(value.year(), value.month(), value.day()))


class DateField(QWidget):
    """A typed date with a calendar button.

    Signals:
        changed(): the text changed (the date, or whether it is one, may have changed).
    """

    changed = Signal()

    def __init__(self, day: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("dd.mm.yyyy"))
        self.edit.setClearButtonEnabled(False)
        self.edit.setMaxLength(10)
        # Wide enough for "31.12.2026" in any font, not wider: the row keeps its room.
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("00.00.00000") + 16)
        self.calendar_button = QToolButton()
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip(_("Pick from a calendar (Alt+Down)"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._popup: _CalendarPopup | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        # As wide as the date and its button: a form row must not push the button away.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.edit)
        if day is not None:
            self.set_value(day)
        self.edit.installEventFilter(self)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.calendar_button.clicked.connect(self.show_calendar)

    # -- value ---------------------------------------------------------------------------

    def text(self) -> str:
        """What is typed."""
        return self.edit.text()

    def value(self) -> date | None:
        """The date typed, or ``None`` when the field is empty or holds no date."""
        try:
            return read_date(self.edit.text())
        except ValidationError:
            return None

    def error(self) -> ValidationError | None:
        """Why the text is not a date (``None`` when it is one, or is empty)."""
        try:
            read_date(self.edit.text())
        except ValidationError as e:
            return e
        return None

    def set_value(self, day: date | None) -> None:
        """Show ``day`` as dd.mm.yyyy (``None`` empties the field)."""
        self.edit.setText(f"{day:%d.%m.%Y}" if day else "")

    # -- keys and calendar ---------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers()
            alt = bool(mods & Qt.KeyboardModifier.AltModifier)
            if key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down):
                self.show_calendar()
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not alt:
                day = self.value()
                if day is not None:
                    step = 1 if key == Qt.Key.Key_Up else -1
                    self.set_value(day + timedelta(days=step))
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def show_calendar(self) -> None:
        """Open the calendar under the field on the typed date (today when none)."""
        if not self.isEnabled():
            return
        if self._popup is None:
            self._popup = _CalendarPopup(self)
            self._popup.picked.connect(self._on_popup_picked)
        self._popup.calendar.setSelectedDate(_qdate(self.value() or date.today()))
        self._popup.adjustSize()
        self._popup.move(self.mapToGlobal(QPoint(0, self.height())))
        self._popup.show()
        self._popup.calendar.setFocus()

    def calendar(self) -> QCalendarWidget | None:
        """The calendar once it was shown (tests pick a day in it)."""
        return self._popup.calendar if self._popup is not None else None

    @Slot(object)
    def _on_popup_picked(self, day: date) -> None:
        self.set_value(day)
        self.edit.setFocus()

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self.changed.emit()


_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.\s]?(\d{2}))?\s*$")


def read_time(text: str) -> time | None:
    """The time of day an officer typed: 10:00, 10.00, 1000, 9:30, 9 (an hour); ``None`` when
    it is not one."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class DueField(QWidget):
    """A moment an officer types: a :class:`DateField` and a time of day (hh:mm), read as the
    computer's local time. ``QDateTimeEdit`` lost the day typed over a selection (07.12 became
    06.12, and a request was overdue at once).

    Signals:
        changed(): the date or the time changed.
    """

    changed = Signal()

    def __init__(self, moment: datetime | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_field = DateField()
        self.time_edit = QLineEdit()
        self.time_edit.setPlaceholderText(_("hh:mm"))
        self.time_edit.setMaxLength(5)
        self.time_edit.setFixedWidth(self.time_edit.fontMetrics().horizontalAdvance("00:000") + 16)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.date_field)
        layout.addWidget(self.time_edit)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.date_field)
        if moment is not None:
            self.set_moment(moment)
        self.date_field.changed.connect(self.changed)
        self.time_edit.textChanged.connect(self.changed)

    def set_moment(self, moment: datetime) -> None:
        """Show ``moment`` (aware, or naive local) in local time."""
        local = moment.astimezone() if moment.tzinfo is not None else moment
        self.date_field.set_value(local.date())
        self.time_edit.setText(f"{local:%H:%M}")

    def focus_problem(self) -> None:
        """Put the cursor where the moment is not one: the date, else the time."""
        part = self.time_edit if self.date_field.value() is not None else self.date_field
        part.setFocus()
        if part is self.time_edit:
            self.time_edit.selectAll()

    def moment(self) -> datetime | None:
        """The moment typed, as aware UTC; ``None`` while the date or time is not one."""
        day, at = self.date_field.value(), read_time(self.time_edit.text())
        if day is None or at is None or self.date_field.error() is not None:
            return None
        return datetime.combine(day, at).astimezone().astimezone(UTC)


def propose_due(
    check: QCheckBox, field: DueField, priority: RequestPriority, proposed: datetime | None
) -> datetime | None:
    """An urgent or high request without a due time is proposed one (:func:`default_due`),
    so that it can become overdue; so is one whose time shown is only what another priority
    proposed (High on the way to Urgent). A time the officer typed stands, and they may
    untick it. Returns the proposal now shown (``proposed`` when nothing changed)."""
    ours = check.isChecked() and field.moment() == proposed
    if priority in DUE_WITHIN and (not check.isChecked() or ours):
        proposed = default_due(priority)
        field.set_moment(proposed)
        check.setChecked(True)
    return proposed


__all__ = ["DateField", "DueField", "propose_due", "read_date", "read_time"]
