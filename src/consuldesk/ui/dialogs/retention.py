"""The retention review: records expired or expiring, kept longer or anonymised from here."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.retention import add_months
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services import retention
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.models.retention import COL_KEPT, COL_WHY, RetentionModel
from consuldesk.ui.widgets.date_field import DateField
from consuldesk.ui.widgets.forms import error_label


class RetentionDialog(QDialog):
    """Who is due for anonymisation, why (when they left, and how the case file knows), when;
    keep some longer (until a date, for a reason) or anonymise the ones chosen.

    The list and every change are worked out off the UI thread; each change is one
    transaction, announced to the open pages through ``ctx.events``. Anonymising many records
    reports its progress; Esc or Close stops it, with nothing anonymised.

    Signals:
        anonymised(int): how many records were anonymised.
        kept(int): how many records were kept longer.
    """

    anonymised = Signal(int)
    kept = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._busy = False
        self._serial = 0
        self.review: retention.RetentionReview | None = None
        self.confirmation: QMessageBox | None = None  # the open "Anonymise?" question
        self._cancel: CancelFlag | None = None  # while records are being anonymised
        self.setWindowTitle(_("Records due for anonymisation"))
        self.resize(860, 560)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.within_spin = QSpinBox()
        self.within_spin.setRange(0, 3650)
        self.within_spin.setValue(retention.DEFAULT_WITHIN_DAYS)
        self.within_label = QLabel(_("Also show records expiring within (&days):"))
        self.within_label.setBuddy(self.within_spin)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)

        self.model = RetentionModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Names whole; the reason (long in Kazakh) gets a set width, elided, whole in its
        # tooltip; what is left goes to why a record is kept.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_WHY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_KEPT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.setColumnWidth(COL_WHY, 170)

        self.select_expired_button = QPushButton(_("Select the &expired"))
        self.anonymise_button = QPushButton(_("&Anonymise selected…"))

        self.keep_until = DateField()
        self.keep_reason = QLineEdit()
        self.keep_reason.setPlaceholderText(_("e.g. court case, open consular matter"))
        self.keep_button = QPushButton(_("&Keep selected"))
        keep_box = QGroupBox(_("Keep the selected records longer"))
        keep_row = QHBoxLayout(keep_box)
        until_label = QLabel(_("&Until"))
        until_label.setBuddy(self.keep_until)
        reason_label = QLabel(_("&Because"))
        reason_label.setBuddy(self.keep_reason)
        keep_row.addWidget(until_label)
        keep_row.addWidget(self.keep_until)
        keep_row.addWidget(reason_label)
        keep_row.addWidget(self.keep_reason, 1)
        keep_row.addWidget(self.keep_button)

        self.error = error_label()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)

        within_row = QHBoxLayout()
        within_row.addWidget(self.within_label)
        within_row.addWidget(self.within_spin)
        within_row.addSpacing(12)
        within_row.addWidget(self.count_label, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.select_expired_button)
        actions.addStretch(1)
        actions.addWidget(self.anonymise_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(within_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(keep_box)
        layout.addWidget(self.error)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self._connect_signals()
        self._update_buttons()
        self.reload()

    def _connect_signals(self) -> None:
        self.within_spin.valueChanged.connect(self._on_within_spin_value_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.select_expired_button.clicked.connect(self._on_select_expired_button_clicked)
        self.anonymise_button.clicked.connect(self._on_anonymise_button_clicked)
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.buttons.rejected.connect(self.reject)

    # -- the list ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again (off the UI thread); a later reload wins over an earlier one."""
        self._serial += 1
        serial = self._serial
        desk, within = self.ctx.desk, self.within_spin.value()

        def done(result: retention.RetentionReview) -> None:
            if serial == self._serial:
                self._show(result)

        self.ctx.tasks.run(lambda: retention.review(desk, within), done, self._on_failed)

    def _show(self, result: retention.RetentionReview) -> None:
        self.review = result
        self.intro.setText(
            _(
                "A record is kept {months} months after the person left the region (evacuated "
                "or gone on their own), then anonymised: names, documents, contacts, notes and "
                "medical details are removed, and what the counts need stays. People still in "
                "the country are never listed."
            ).format(months=result.months)
        )
        chosen = set(self.selected_ids())
        self.model.set_rows(result.rows)
        self._select(lambda row: row.id in chosen)
        shown = len(result.rows)
        if not shown:
            self.count_label.setText(
                _("No record is expired or expires within {days} days.").format(
                    days=result.within_days
                )
            )
        else:
            self.count_label.setText(
                ngettext(
                    "{n} record listed, {e} expired.", "{n} records listed, {e} expired.", shown
                ).format(n=shown, e=result.expired)
            )
        if self.keep_until.value() is None:
            self.keep_until.set_value(add_months(result.today, 6))
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        """The ids of the selected records, in list order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(r).id for r in rows]

    def _select(self, wanted: object) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, row in enumerate(self.model.rows()):
            if wanted(row):  # type: ignore[operator]
                selection.select(self.model.index(r, 0), flags)

    def _update_buttons(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.anonymise_button.setEnabled(chosen and not self._busy)
        self.keep_button.setEnabled(chosen and not self._busy)
        expired = bool(self.review and self.review.expired)
        self.select_expired_button.setEnabled(expired and not self._busy)

    @Slot(int)
    def _on_within_spin_value_changed(self, _value: int) -> None:
        self.reload()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot()
    def _on_select_expired_button_clicked(self) -> None:
        self._select(lambda row: row.due)
        self.table.setFocus()

    # -- keep --------------------------------------------------------------------------------

    @Slot()
    def _on_keep_button_clicked(self) -> None:
        ids = self.selected_ids()
        until = self.keep_until.value()
        if until is None:
            error = self.keep_until.error()
            self._show_error(describe(error) if error else _("Enter the date to keep them until."))
            self.keep_until.setFocus()
            return
        desk, reason = self.ctx.desk, self.keep_reason.text()

        def done(changes: object) -> None:
            self._set_busy(False)
            self.ctx.events.changed.emit(changes)
            self.keep_reason.clear()
            self.status_label.setText(
                ngettext(
                    "{n} record is kept until {day}.", "{n} records are kept until {day}.", len(ids)
                ).format(n=len(ids), day=f"{until:%d.%m.%Y}")
            )
            self.kept.emit(len(ids))
            self.reload()

        self._set_busy(True)
        self.ctx.tasks.run(lambda: retention.keep(desk, ids, until, reason), done, self._on_failed)

    # -- anonymise ---------------------------------------------------------------------------

    @Slot()
    def _on_anonymise_button_clicked(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        not_due = sum(1 for r in self.model.rows() if r.id in set(ids) and not r.due)
        text = ngettext(
            "Anonymise {n} record? Names, documents, contacts, notes and medical details are "
            "removed for good, here and, with the next bundle, at headquarters.",
            "Anonymise {n} records? Names, documents, contacts, notes and medical details are "
            "removed for good, here and, with the next bundle, at headquarters.",
            len(ids),
        ).format(n=len(ids))
        if not_due:
            text += "\n\n" + ngettext(
                "{n} of them has not expired yet.", "{n} of them have not expired yet.", not_due
            ).format(n=not_due)
        self.confirmation = ask(
            self,
            _("Anonymise records"),
            text,
            lambda: self._anonymise(ids),
            yes=ngettext("Anonymise {n} record", "Anonymise {n} records", len(ids)).format(
                n=len(ids)
            ),
            no=_("Do not anonymise"),
        )

    def _anonymise(self, ids: list[str]) -> None:
        desk = self.ctx.desk

        def done(result: retention.Anonymised) -> None:
            self._cancel = None
            self._set_busy(False)
            self.ctx.events.changed.emit(result.changes)
            self.status_label.setText(
                ngettext("{n} record anonymised.", "{n} records anonymised.", result.people).format(
                    n=result.people
                )
            )
            self.anonymised.emit(result.people)
            self.reload()

        def progress(done_count: int, total: int, _label: str) -> None:
            if self._cancel is not None and not self._cancel.requested:
                self.status_label.setText(
                    _("Anonymising… {done} of {total}").format(done=done_count, total=total)
                )

        self._set_busy(True)
        self.status_label.setText(_("Anonymising…"))
        self._cancel = self.ctx.tasks.run_long(
            lambda report, cancel: retention.anonymise(desk, ids, progress=report, cancel=cancel),
            done,
            self._on_failed,
            progress,
        )

    def reject(self) -> None:
        """Esc or Close while records are being anonymised stops the work first (nothing is
        anonymised then: it is one transaction); once it has stopped, they close."""
        if self._cancel is not None:
            self._cancel.cancel()
            self.status_label.setText(_("Stopping: nothing will be anonymised…"))
            return
        super().reject()

    # -- state -------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self.error.hide()
        self._update_buttons()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_failed(self, exc: BaseException) -> None:
        self._cancel = None
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            self.status_label.setText(_("Stopped: nothing was anonymised."))
            return
        self.status_label.clear()
        self._show_error(describe(exc))


def open_retention(ctx: AppContext, parent: QWidget | None = None) -> RetentionDialog:
    """Open the retention review (non-blocking; deleted when closed)."""
    dialog = RetentionDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["RetentionDialog", "open_retention"]
