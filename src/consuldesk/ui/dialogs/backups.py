"""Backups (Case file → Backups…): what copies of the case file exist, taking one now, and
choosing one to restore.

The list shows at once (names, times, sizes); each backup is then checked in the background,
one after another (SQLite reads every page: 0.5–1 s for 100,000 nationals), and
its row fills in with what it holds. Restoring itself is the window's (it must close the case
file first): the dialog asks, with what would be replaced by what, and says
:attr:`BackupsDialog.restore_chosen`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consuldesk.i18n import _
from consuldesk.messages import (
    BACKUP_COUNTED,
    SYNC_TABLE_LABELS,
    backup_reason,
    describe,
    describe_code,
)
from consuldesk.services import backups
from consuldesk.services.backups import BackupRow, Counts
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.models.backups import COL_HOLDS, BackupsModel, taken_text


class BackupsDialog(QDialog):
    """The case file's backups, newest first, with "Back up now" and "Restore…".

    Signals:
        restore_chosen(str): the officer confirmed restoring the backup at this path.
    """

    restore_chosen = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Backups"))
        self.resize(980, 460)
        self._queue: list[Path] = []
        self._checking = False
        self._just_taken: Path | None = None

        folder = backups.backup_folder(ctx.desk.path)
        self.intro = QLabel(
            _(
                "Copies of this case file: every four hours while the window is open, before "
                "each list import, bundle merge and upgrade, and whenever you take one. "
                "They are kept in {folder}."
            ).format(folder=folder)
        )
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = BackupsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_HOLDS, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.back_up_button = QPushButton(_("Back up now"))
        self.restore_button = QPushButton(_("Restore…"))
        self.restore_button.setEnabled(False)
        self.close_button = QPushButton(_("Close"))
        refused = ctx.desk.casefile.refused
        if refused:
            # A copy of a damaged file would push a sound backup out of the rotation.
            self.back_up_button.setEnabled(False)
            self.back_up_button.setToolTip(_("This case file failed its integrity check."))

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_up_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.back_up_button.clicked.connect(self._on_back_up_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

    # -- the list --------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the backups again (at once), then check them one by one."""
        path = self.ctx.desk.path
        self.ctx.tasks.run(
            lambda: backups.list_backups(path, check=False), self._on_listed, self._on_failed
        )

    def _on_listed(self, rows: list[BackupRow]) -> None:
        self.model.set_rows(rows)
        if not rows:
            self.status.setText(_("No backups yet."))
        self._queue = [r.path for r in rows]
        if self._just_taken is not None:
            self.select(self._just_taken)
        self._update_buttons()
        if not self._checking:
            self._check_next()

    def _check_next(self) -> None:
        self._checking = bool(self._queue)
        if self._queue:
            path, key = self._queue.pop(0), self.ctx.desk.casefile.key
            self.ctx.tasks.run(
                lambda: backups.inspect_backup(path, key=key), self._on_checked, self._on_failed
            )

    def _on_checked(self, row: BackupRow) -> None:
        self.model.update(row)
        self._update_buttons()
        self._check_next()

    def _on_failed(self, exc: BaseException) -> None:
        self._checking = False
        self.status.setText(describe(exc))

    def selected(self) -> BackupRow | None:
        """The backup selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, path: Path) -> None:
        """Select the backup at ``path`` (tests, and the backup just taken)."""
        for number, row in enumerate(self.model.rows()):
            if row.path == path:
                self.table.selectRow(number)

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        desk = self.ctx.desk
        head = desk.may("restore")  # a restore replaces everyone's work since the backup
        self.restore_button.setEnabled(head and row is not None and row.checked and row.sound)
        if not head:
            self.restore_button.setToolTip(
                describe_code("role.denied", None, power="restore", role=desk.role)
            )
        elif row is not None and not row.checked:
            self.restore_button.setToolTip(_("This backup is still being checked."))
        elif row is not None and not row.sound:
            self.restore_button.setToolTip(_("This backup is damaged: it cannot be restored."))
        else:
            self.restore_button.setToolTip("")

    # -- back up now -----------------------------------------------------------------------

    @Slot()
    def _on_back_up_button_clicked(self) -> None:
        desk = self.ctx.desk
        self.back_up_button.setEnabled(False)
        self.status.setText(_("Taking a backup…"))
        self.ctx.tasks.run(
            lambda: backups.take_backup(desk, backups.MANUAL), self._on_backed_up,
            self._on_back_up_failed,
        )  # fmt: skip

    def _on_backed_up(self, path: Path) -> None:
        self.back_up_button.setEnabled(True)
        self.status.setText(_("Backup taken: {name}").format(name=path.name))
        self._just_taken = path
        self.refresh()

    def _on_back_up_failed(self, exc: BaseException) -> None:
        self.back_up_button.setEnabled(not self.ctx.desk.casefile.refused)
        self.status.setText(_("No backup could be taken: {why}").format(why=describe(exc)))

    # -- restore ---------------------------------------------------------------------------

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        row = self.selected()
        if row is None or not row.sound:
            return
        desk = self.ctx.desk
        self.restore_button.setEnabled(False)

        def counted(now: Counts) -> None:
            self._confirm_restore(row, now)

        def not_counted(exc: BaseException) -> None:
            self._confirm_restore(row, None)  # a damaged file may not count: restore anyway

        self.ctx.tasks.run(lambda: backups.current_counts(desk), counted, not_counted, owner=self)

    def _confirm_restore(self, row: BackupRow, now: Counts | None) -> None:
        self._update_buttons()
        self.question = ask(
            self,
            _("Restore a backup"),
            restore_question(row, now),
            lambda: self._on_restore_confirmed(row),
            QMessageBox.StandardButton.Yes,
            yes=_("Restore this backup"),
            no=_("Keep the case file as it is"),
        )

    def _on_restore_confirmed(self, row: BackupRow) -> None:
        self.restore_chosen.emit(str(row.path))
        self.accept()


def restore_question(row: BackupRow, now: Counts | None) -> str:
    """The question before a restore: which backup, what would be replaced by what (now beside
    the backup, table by table), and that the file as it is now is kept."""
    lines = [
        "<p>"
        + escape(
            _("Replace the case file with the backup taken {when} ({why})?").format(
                when=taken_text(row), why=backup_reason(row.kind, row.detail)
            )
        )
        + "</p>",
        "<table cellspacing='0' cellpadding='3'>",
        f"<tr><th></th><th align='right'>{escape(_('now'))}</th>"
        f"<th align='right'>{escape(_('in the backup'))}</th></tr>",
    ]
    ours = now.by_table() if now is not None else {}
    theirs = row.counts.by_table()
    for table in BACKUP_COUNTED:
        current = str(ours[table]) if now is not None else "?"
        # What the restore would change stands out.
        bold = ("<b>", "</b>") if current != str(theirs[table]) else ("", "")
        lines.append(
            f"<tr><td>{escape(_(SYNC_TABLE_LABELS[table]))}</td>"
            f"<td align='right'>{bold[0]}{current}{bold[1]}</td>"
            f"<td align='right'>{bold[0]}{theirs[table]}{bold[1]}</td></tr>"
        )
    lines.append("</table>")
    lines.append(
        "<p>"
        + escape(
            _(
                "The case file as it is now is kept as a backup (before a restore): nothing "
                "is lost. The window closes the case file, restores and opens it again."
            )
        )
        + "</p>"
    )
    return "".join(lines)
