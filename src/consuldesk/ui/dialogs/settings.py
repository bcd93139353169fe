"""Settings: the window's language, the officer's name, and how long records are kept."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.retention import DEFAULT_MONTHS, MAX_MONTHS, MIN_MONTHS
from consuldesk.i18n import _, language
from consuldesk.messages import describe
from consuldesk.services import retention
from consuldesk.ui.context import PRINT_LANGUAGE_KEY, AppContext
from consuldesk.ui.dialogs.first_start import OFFICER_KEY, default_officer
from consuldesk.ui.lock import IDLE_MINUTES_DEFAULT, IDLE_MINUTES_KEY
from consuldesk.ui.widgets.forms import error_label

LANGUAGE_KEY = "language"
# Each language named in itself, so anyone can find their own whatever the window shows now.
LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


class SettingsDialog(QDialog):
    """Language (takes effect after a restart), the second language of printed documents, the
    officer name (right away), and, with a case file open, how many months its records are
    kept after the person left the region (a fact of the case file, read and written off the
    UI thread).

    Signals:
        saved(): the settings were stored.
    """

    saved = Signal()

    def __init__(
        self, ctx_or_settings: AppContext | QSettings | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if isinstance(ctx_or_settings, AppContext):
            self.ctx: AppContext | None = ctx_or_settings
            self.settings = ctx_or_settings.settings
        else:
            self.ctx = None
            self.settings = ctx_or_settings
        self.setWindowTitle(_("Settings"))
        self.setMinimumWidth(420)

        self.language_box = QComboBox()
        for code, name in LANGUAGES:
            self.language_box.addItem(name, code)
        stored = str(self.settings.value(LANGUAGE_KEY, "") or "") if self.settings else ""
        current = self.language_box.findData(stored or language())
        self.language_box.setCurrentIndex(max(0, current))
        self._initial_language = self.language_box.currentData()
        self.language_note = QLabel(_("The new language takes effect after a restart."))
        self.language_note.setWordWrap(True)
        self.language_note.hide()
        self.print_language_box = QComboBox()
        self.print_language_box.addItem(_("English and Kazakh"), "kk")
        self.print_language_box.addItem(_("English and Russian"), "ru")
        stored_print = (
            str(self.settings.value(PRINT_LANGUAGE_KEY, "") or "") if self.settings else ""
        )
        if stored_print not in ("kk", "ru"):
            stored_print = "kk" if (stored or language()) == "kk" else "ru"
        self.print_language_box.setCurrentIndex(self.print_language_box.findData(stored_print))
        officer = self.ctx.desk.officer if self.ctx is not None else default_officer(self.settings)
        self.officer_edit = QLineEdit(officer)
        # An encrypted case file signs changes with the officer who logged in: not a name
        # anyone may type here.
        logged_in = self.ctx is not None and self.ctx.desk.encrypted
        self.officer_edit.setReadOnly(logged_in)
        if logged_in:
            self.officer_edit.setToolTip(_("The officer who logged in; log in as yourself"))
        self.officer_error = QLabel(_("Enter your name: every change is signed with it."))
        self.officer_error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.officer_error.hide()

        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(MIN_MONTHS, MAX_MONTHS)
        self.retention_spin.setValue(DEFAULT_MONTHS)
        self.retention_spin.setSuffix(" " + _("months"))
        self.retention_spin.setEnabled(False)  # until the case file's period is read
        self.retention_note = QLabel(
            _("after the person left the region; then the record is due for anonymisation.")
        )
        self.retention_note.setWordWrap(True)
        self.lock_spin = QSpinBox()
        self.lock_spin.setRange(0, 240)
        self.lock_spin.setSuffix(" " + _("min"))
        self.lock_spin.setSpecialValueText(_("never"))
        self.lock_spin.setValue(self._idle_minutes())
        self.lock_note = QLabel(_("without a key press or a click; Ctrl+Shift+L locks at once."))
        self.lock_note.setWordWrap(True)
        self.save_error = error_label()
        self._months: int | None = None

        # Notes appear as the officer chooses; they keep their space while hidden so the form
        # does not jump (a click aimed at the name field landed on the language list).
        for label in (self.language_note, self.officer_error):
            policy = label.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            label.setSizePolicy(policy)
        form = QFormLayout()
        form.addRow(_("&Language"), self.language_box)
        form.addRow("", self.language_note)
        form.addRow(_("&Printed documents"), self.print_language_box)
        form.addRow(_("Your &name (for the audit trail)"), self.officer_edit)
        form.addRow("", self.officer_error)
        if self.ctx is not None:
            form.addRow(_("&Keep records"), self.retention_spin)
            form.addRow("", self.retention_note)
            if self.ctx.desk.encrypted:
                form.addRow(_("Loc&k the window after"), self.lock_spin)
                form.addRow("", self.lock_note)
        form.addRow(self.save_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._connect_signals()
        if self.ctx is not None:
            desk = self.ctx.desk
            self.ctx.tasks.run(
                lambda: retention.retention_months(desk), self._on_months_read, self._on_failed
            )

    def _idle_minutes(self) -> int:
        value = self.settings.value(IDLE_MINUTES_KEY, IDLE_MINUTES_DEFAULT) if self.settings else 0
        try:
            return max(0, int(str(value)))
        except ValueError:
            return IDLE_MINUTES_DEFAULT

    def _on_months_read(self, months: int) -> None:
        self._months = months
        self.retention_spin.setValue(months)
        # Only a head of section sets how long records are kept (the service refuses others).
        may = self.ctx is not None and self.ctx.desk.may("delete")
        self.retention_spin.setEnabled(may)
        if not may:
            self.retention_spin.setToolTip(_("Only the head of section changes this"))

    def _on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.save_error.setText(describe(exc))
        self.save_error.show()

    def _connect_signals(self) -> None:
        self.language_box.currentIndexChanged.connect(self._on_language_box_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    @Slot(int)
    def _on_language_box_changed(self, _index: int) -> None:
        self.language_note.setVisible(self.language_box.currentData() != self._initial_language)
        # Taller by the note, at the same width: the wrapped notes below keep their lines.
        self.resize(self.width(), max(self.height(), self.heightForWidth(self.width())))

    def language_changed(self) -> bool:
        """Whether the chosen language differs from the one in use (a restart is needed)."""
        return bool(self.language_box.currentData() != self._initial_language)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        officer = " ".join(self.officer_edit.text().split())
        if not officer:
            self.officer_error.show()
            self.officer_edit.setFocus()
            return
        months = self.retention_spin.value()
        if self.ctx is not None and self._months is not None and months != self._months:
            desk = self.ctx.desk
            self.buttons.setEnabled(False)  # one save at a time

            def done(changes: object) -> None:
                self.buttons.setEnabled(True)
                self._months = months
                if self.ctx is not None:
                    self.ctx.events.changed.emit(changes)
                self._store(officer)

            self.ctx.tasks.run(
                lambda: retention.set_retention_months(desk, months), done, self._on_failed
            )
            return
        self._store(officer)

    def _store(self, officer: str) -> None:
        if self.settings is not None:
            self.settings.setValue(LANGUAGE_KEY, self.language_box.currentData())
            self.settings.setValue(PRINT_LANGUAGE_KEY, self.print_language_box.currentData())
            if self.ctx is None or not self.ctx.desk.encrypted:
                self.settings.setValue(OFFICER_KEY, officer)
            if self.ctx is not None and self.ctx.desk.encrypted:
                self.settings.setValue(IDLE_MINUTES_KEY, self.lock_spin.value())
            self.settings.sync()
        if self.ctx is not None and not self.ctx.desk.encrypted:
            self.ctx.desk.officer = officer  # later changes are signed with the new name
        self.saved.emit()
        self.accept()


__all__ = ["LANGUAGE_KEY", "SettingsDialog"]
