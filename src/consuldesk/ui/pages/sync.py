"""Sync: this case file's keys, the case files it exchanges bundles with and how fresh they
are, bundles to and from a USB stick, and the conflicts left for an officer.

The first operation that unlocks the keys asks for the passphrase; they then stay unlocked for
the session until the officer locks them. Every operation runs off the UI thread and reports
in one line; an import first shows what it would change and applies only when the
officer says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.edits import BOTH_KEEPABLE
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    KEY_ROLE_LABELS,
    KEY_STATUS_LABELS,
    anonymised_over_edits,
    conflict_value,
    describe,
    field_label,
    record_counts,
    shown_conflict_value,
)
from consuldesk.services import keys as key_service
from consuldesk.services import sync
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.sync.bundle import SUFFIX
from consuldesk.sync.errors import SyncError
from consuldesk.sync.keys import MIN_PASSPHRASE, PUBLIC_SUFFIX, PublicKeys, same_fingerprint
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.file_output import remember_folder, remembered_folder
from consuldesk.ui.dialogs.import_list import WorkProgress
from consuldesk.ui.when import ago, local_time


def _bundle_cell(when: Any, number: int, held: int, up_to: Any = None) -> str:
    """When the last bundle came (or went), short: the details are in the tooltip."""
    if not number:
        return _("never")
    if up_to is not None:  # its freshness: "2 days ago · up to 04.12 18:20"
        text = _("{ago} · up to {when}").format(
            ago=ago(when), when=up_to.astimezone().strftime("%d.%m %H:%M")
        )
    else:
        text = _("{when} (no. {n})").format(when=local_time(when), n=number)
    if held:
        text += "; " + _("{n} held").format(n=held)
    return text


def _bundle_tip(when: Any, number: int, up_to: Any) -> str:
    if not number:
        return ""
    tip = _("{when} (no. {n})").format(when=local_time(when), n=number)
    if up_to is not None:
        tip += "\n" + _("changes up to {when}").format(when=local_time(up_to))
    return tip


#: The "Bundle for" choice that writes one bundle for every enrolled post (headquarters).
ALL_POSTS = "*all*"


def _short(value: Any, limit: int = 24) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(field: str, value: Any, *, before: bool = False) -> str:
    """A conflict's value for a cell: in quotes and cut at 40 characters, or "(empty)"."""
    if isinstance(value, str) and len(value) > 40:
        value = _short(value, 40)
    return shown_conflict_value(field, value, before=before)


def _value_cell(field: str, value: Any, who: str | None, where: str, when: Any) -> str:
    """ "“Value” — A. Seitkali, IR-THR, 04.12 18:20": the value, who made it (where known),
    where and when (the year is in the cell's tooltip)."""
    stamp = when.astimezone().strftime("%d.%m %H:%M") if when else ""
    made = ", ".join(part for part in (who, where, stamp) if part)
    return _("{value} — {made}").format(value=_shown(field, value), made=made)


def _conflict_tip(c: Any) -> str:
    """Both values in full, who made each, where and when, and the value before."""

    def made(value: Any, who: str | None, where: str, when: Any) -> str:
        parts = ", ".join(part for part in (who, where, local_time(when) if when else "") if part)
        return _("{value} — {made}").format(value=shown_conflict_value(c.field, value), made=parts)

    before = (
        shown_conflict_value(c.field, c.before_value, before=True)
        if c.before_known
        else _("not known here")
    )
    return "\n".join(
        (
            f"{c.record} · {field_label(c.field)}",
            f"{_('Before')}: {before}",
            f"{_('Kept everywhere')}: " + made(c.kept_value, c.kept_by, c.kept_where, c.kept_when),
            f"{_('The other value')}: "
            + made(c.other_value, c.other_by, c.other_where, c.other_when),
        )
    )


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[str] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


class EnrolDialog(QDialog):
    """Enrol another case file's public key file once the fingerprints were compared by phone:
    Enrol stays greyed until the 25 digits typed are the file's."""

    def __init__(self, public: PublicKeys, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.public = public
        self.setWindowTitle(_("Enrol the keys of {post}").format(post=public.post))
        form = QFormLayout()
        form.addRow(_("Post:"), QLabel(f"{public.post} — {public.name}"))
        form.addRow(_("Role:"), QLabel(_(KEY_ROLE_LABELS.get(public.role, public.role))))
        explain = QLabel(
            _(
                "Call them and ask them to read out the fingerprint their ConsulDesk shows for "
                "its own keys. Type what you hear: the keys are enrolled only if it matches this "
                "file."
            )
        )
        explain.setWordWrap(True)
        self.fingerprint_edit = QLineEdit()
        self.fingerprint_edit.setPlaceholderText("00000 00000 00000 00000 00000")
        self.fingerprint_edit.textChanged.connect(self._check)
        self.match_label = QLabel("")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.enrol_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.enrol_button.setText(_("Enrol"))
        self.enrol_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addWidget(self.fingerprint_edit)
        layout.addWidget(self.match_label)
        layout.addWidget(self.buttons)

    @Slot(str)
    def _check(self, text: str) -> None:
        digits = "".join(ch for ch in text if ch.isdigit())
        ok = same_fingerprint(text, self.public.fingerprint)
        self.enrol_button.setEnabled(ok)
        if ok:
            self.match_label.setText(_("✓ The fingerprint matches."))
        elif len(digits) >= 25:
            self.match_label.setText(
                _("✗ This is not the fingerprint of this file: do not enrol it.")
            )
        else:
            self.match_label.setText(_("{n} of 25 digits").format(n=len(digits)))


class SyncPage(QWidget):
    """Keys, peers, bundles and conflicts."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.own_label = QLabel("…")
        self.own_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_keys_button = QPushButton(_("Create keys…"))
        self.save_key_button = QPushButton(_("Save the public key file…"))
        self.escrow_button = QPushButton(_("Add an escrow key…"))
        self.escrow_button.setToolTip(
            _("Headquarters: also encrypt every bundle to an age key kept offline")
        )
        self.escrow_button.hide()  # headquarters only
        self.lock_button = QPushButton(_("Lock the keys"))
        self.lock_button.setToolTip(
            _("The keys are unlocked for this session; locking asks for the passphrase again")
        )
        self.lock_button.hide()  # while they are unlocked
        self.enrol_button = QPushButton(_("Enrol a key file…"))
        self.peers_table = _table(
            [
                _("Post"),
                _("Name of the post"),
                _("Fingerprint"),
                _("Last bundle from it"),
                _("Last sent to it"),
            ]
        )
        # The two bundles' times share what the post, name and fingerprint leave, wrapped:
        # "Last sent to it" was cut at 1024 px.
        peers_header = self.peers_table.horizontalHeader()
        for column in (3, 4):
            peers_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.peers_table.setWordWrap(True)
        self.peer_combo = QComboBox()
        self.peer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.export_button = QPushButton(_("Export a bundle…"))
        self.import_button = QPushButton(_("Import a bundle…"))
        for button in (self.export_button, self.import_button, self.enrol_button):
            button.setEnabled(False)  # until the keys are read
        self.conflicts_table = _table(
            [
                _("Whose record"),
                _("Field"),
                _("Before"),
                _("Kept everywhere"),
                _("The other value"),
            ]
        )
        # The three values share the width and wrap: the one to choose was past the right
        # edge at 1024 px, behind a horizontal scroll bar.
        values_header = self.conflicts_table.horizontalHeader()
        for column in (2, 3, 4):
            values_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.conflicts_table.setWordWrap(True)
        self.keep_button = QPushButton(_("Keep this value"))
        self.take_other_button = QPushButton(_("Take the other value"))
        self.keep_both_button = QPushButton(_("Keep both"))
        self.keep_both_button.setToolTip(
            _("Phones and notes: both numbers, or both texts, the one kept everywhere first")
        )
        self.keep_both_button.hide()
        self._conflicts: list[Any] = []
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.progress = WorkProgress()
        self._cancel: CancelFlag | None = None
        self._build_layout()
        self.progress.cancel_requested.connect(self._cancel_work)
        self.create_keys_button.clicked.connect(self.create_keys)
        self.save_key_button.clicked.connect(self.save_public_key)
        self.escrow_button.clicked.connect(self.add_escrow)
        self.lock_button.clicked.connect(self.lock_keys)
        self.enrol_button.clicked.connect(self.enrol)
        self.export_button.clicked.connect(self.export_bundle)
        self.import_button.clicked.connect(self.import_bundle)
        self.keep_button.clicked.connect(lambda: self.resolve(keep_other=False))
        self.take_other_button.clicked.connect(lambda: self.resolve(keep_other=True))
        self.keep_both_button.clicked.connect(lambda: self.resolve(keep_both=True))
        self.conflicts_table.itemSelectionChanged.connect(self._update_buttons)
        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh)
        self.ctx.events.changed.connect(lambda _c: self._refresh_timer.start())
        self.refresh()

    def _build_layout(self) -> None:
        keys_box = QGroupBox(_("This case file's keys"))
        keys_column = QVBoxLayout(keys_box)
        keys_column.addWidget(self.own_label)
        self.own_label.setWordWrap(True)
        keys_row = QHBoxLayout()  # under the fingerprint: the page fits 1024 px in every language
        keys_row.addWidget(self.create_keys_button)
        keys_row.addWidget(self.save_key_button)
        keys_row.addWidget(self.escrow_button)
        keys_row.addStretch(1)
        keys_row.addWidget(self.lock_button)
        keys_column.addLayout(keys_row)
        peers_box = QGroupBox(_("Case files this one exchanges bundles with"))
        peers = QVBoxLayout(peers_box)
        peers.addWidget(self.peers_table)
        actions = QHBoxLayout()
        actions.addWidget(self.enrol_button)
        actions.addStretch(1)
        actions.addWidget(QLabel(_("Bundle for:")))
        actions.addWidget(self.peer_combo)
        actions.addWidget(self.export_button)
        actions.addWidget(self.import_button)
        peers.addLayout(actions)
        conflicts_box = QGroupBox(_("Conflicts: one field changed at two places"))
        conflicts = QVBoxLayout(conflicts_box)
        conflicts.addWidget(self.conflicts_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.keep_button)
        row.addWidget(self.take_other_button)
        row.addWidget(self.keep_both_button)
        conflicts.addLayout(row)
        # A post exchanges with a few case files; conflicts can be many: they get the room,
        # and the officer can move the line between the two.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(peers_box)
        self.splitter.addWidget(conflicts_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(keys_box)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)

    # -- what to ask the officer (replaced in tests) -----------------------------------------

    def ask_passphrase(self, new: bool = False) -> str | None:
        title = _("New passphrase") if new else _("Passphrase")
        prompt = (
            _("A passphrase of at least {n} characters to seal this case file's keys:").format(
                n=MIN_PASSPHRASE
            )
            if new
            else _("The passphrase of this case file's keys:")
        )
        text, ok = QInputDialog.getText(self, title, prompt, QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _with_keys(self, then: Callable[[], object]) -> None:
        """Run ``then`` with the keys unlocked: at once while they are, else after asking for
        the passphrase (again, after a wrong one, until the officer cancels)."""
        desk = self.ctx.desk
        if key_service.is_unlocked(desk):
            then()
            return
        if desk.encrypted and not getattr(self, "_asked_once", False):
            # The login opened them (sealed under the case file's key). Keys sealed under a
            # passphrase before the file was encrypted need it once: asked on "locked".
            def opened(_keys: object) -> None:
                then()

            def still_locked(exc: BaseException) -> None:
                if isinstance(exc, SyncError) and exc.code == "keys.locked":
                    self._asked_once = True
                    self._with_keys(then)
                    self._asked_once = False
                else:
                    self._failed(exc)

            self.ctx.tasks.run(lambda: key_service.unlock_all(desk, None), opened, still_locked)
            return
        passphrase = self.ask_passphrase()
        if passphrase is None:
            self.status_label.setText(_("Nothing was done: the keys are still locked."))
            return
        self.status_label.setText(_("Unlocking the keys…"))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, SyncError) and exc.code == "keys.passphrase_wrong":
                self.status_label.setText(describe(exc))
                self._with_keys(then)
            else:
                self._failed(exc)

        def unlocked(_keys: object) -> None:
            then()

        self.ctx.tasks.run(lambda: key_service.unlock_all(desk, passphrase), unlocked, failed)

    def choose_folder(self) -> Path | None:
        """A folder to write into, starting where the last file went or came from (the
        stick), not in the folder the program was started from."""
        folder = QFileDialog.getExistingDirectory(
            self, _("Where to write (a USB stick)"), str(remembered_folder(self.ctx))
        )
        if not folder:
            return None
        remember_folder(self.ctx, Path(folder))
        return Path(folder)

    def choose_file(self, title: str, pattern: str) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, title, str(remembered_folder(self.ctx)), pattern
        )
        if not path:
            return None
        remember_folder(self.ctx, Path(path).parent)
        return Path(path)

    def ask_text(self, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, prompt)
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str, yes: str = "", no: str = "") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        go = box.addButton(yes or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton(no or _("No"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stop)
        box.exec()
        return box.clickedButton() is go

    def enrol_dialog(self, public: PublicKeys) -> str | None:
        dialog = EnrolDialog(public, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.fingerprint_edit.text()

    # -- showing ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        desk = self.ctx.desk

        def load() -> tuple[Any, Any, Any, Any, bool]:
            return (
                key_service.own_keys(desk),
                sync.sync_status(desk),
                sync.conflict_rows(desk),
                key_service.peers(desk),
                key_service.is_unlocked(desk),
            )

        self.ctx.tasks.run(load, self._show, self._load_failed)

    def _show(self, loaded: tuple[Any, Any, Any, Any, bool]) -> None:
        own, peers, conflicts, peer_keys, unlocked = loaded
        # Keys sealed under an encrypted case file's key open with the login: nothing to lock.
        self.lock_button.setVisible(unlocked and not self.ctx.desk.encrypted)
        active = next((k for k in own if k.status == "active"), None)
        if active is None:
            self.own_label.setText(
                _("No keys yet: create them to exchange bundles with headquarters.")
            )
        else:
            self.own_label.setText(
                _("Fingerprint to read out over the phone: {fingerprint}").format(
                    fingerprint=active.fingerprint
                )
            )
        self.create_keys_button.setVisible(active is None)
        self.escrow_button.setVisible(active is not None and active.role == "headquarters")
        self.save_key_button.setEnabled(active is not None)
        self.enrol_button.setEnabled(active is not None)
        fingerprints = {
            p.post: p.fingerprint for p in peer_keys if p.status == "active" and p.role != "escrow"
        }
        rows = [
            [
                p.post,
                p.name + (f" ({_(KEY_ROLE_LABELS[p.role])})" if p.role == "headquarters" else ""),
                fingerprints.get(p.post) or _(KEY_STATUS_LABELS.get(p.key_status, "—")),
                _bundle_cell(p.last_received_at, p.received_sequence, p.held, p.changes_up_to),
                _bundle_cell(p.last_sent_at, p.sent_sequence, 0),
            ]
            for p in peers
        ]
        _fill(self.peers_table, rows)
        self.peers_table.resizeRowsToContents()
        for r, p in enumerate(peers):
            tip = _bundle_tip(p.last_received_at, p.received_sequence, p.changes_up_to)
            item = self.peers_table.item(r, 3)
            if item is not None:
                item.setToolTip(tip)
        current = self.peer_combo.currentData()
        self.peer_combo.clear()
        for p in peers:
            if p.post in fingerprints:
                self.peer_combo.addItem(f"{p.post} — {p.name}", p.post)
        if self.peer_combo.count() > 1 and active is not None and active.role == "headquarters":
            self.peer_combo.addItem(_("All posts (one bundle each)"), ALL_POSTS)  # the morning
        if current is not None and (i := self.peer_combo.findData(current)) >= 0:
            self.peer_combo.setCurrentIndex(i)
        self.export_button.setEnabled(active is not None and self.peer_combo.count() > 0)
        self.import_button.setEnabled(active is not None)
        self._conflicts = list(conflicts)
        selected = self._selected_conflict()
        _fill(
            self.conflicts_table,
            [
                [
                    c.record,
                    field_label(c.field),
                    _shown(c.field, c.before_value, before=True)
                    if c.before_known
                    else _("not known here"),
                    _value_cell(c.field, c.kept_value, c.kept_by, c.kept_where, c.kept_when),
                    _value_cell(c.field, c.other_value, c.other_by, c.other_where, c.other_when),
                ]
                for c in conflicts
            ],
            [c.id for c in conflicts],
        )
        self.conflicts_table.resizeRowsToContents()
        # The same conflict stays selected; a settled one leaves nothing selected (never the
        # next one under the same button: a double click would settle two).
        self.conflicts_table.clearSelection()
        self.conflicts_table.setCurrentCell(-1, -1)
        for r, c in enumerate(conflicts):
            if c.id == selected:
                self.conflicts_table.selectRow(r)
        for r, c in enumerate(conflicts):  # the whole of it, for values cut in the cells
            tip = _conflict_tip(c)
            for column in range(self.conflicts_table.columnCount()):
                if (item := self.conflicts_table.item(r, column)) is not None:
                    item.setToolTip(tip)
        self._update_buttons()

    def _load_failed(self, exc: BaseException) -> None:
        self.status_label.setText(describe(exc))

    def _failed(self, exc: BaseException) -> None:
        self.status_label.setText(describe(exc))
        self.refresh()

    def _done(self, message: str) -> None:
        self.status_label.setText(message)
        self.refresh()

    @Slot()
    def _update_buttons(self) -> None:
        conflict = self._selected_row()
        self.keep_button.setEnabled(conflict is not None)
        self.take_other_button.setEnabled(conflict is not None)
        self.keep_both_button.setVisible(conflict is not None and conflict.field in BOTH_KEEPABLE)
        if conflict is None:
            self.keep_button.setText(_("Keep this value"))
            self.take_other_button.setText(_("Take the other value"))
        else:
            kept = conflict_value(conflict.field, conflict.kept_value)
            self.keep_button.setText(_("Keep “{value}”").format(value=_short(kept)))
            self.take_other_button.setText(
                _("Take “{value}”").format(
                    value=_short(conflict_value(conflict.field, conflict.other_value))
                )
            )

    def _selected_row(self) -> Any:
        conflict_id = self._selected_conflict()
        return next((c for c in self._conflicts if c.id == conflict_id), None)

    def _selected_conflict(self) -> str | None:
        items = self.conflicts_table.selectedItems()
        if not items:
            return None
        first = self.conflicts_table.item(items[0].row(), 0)
        return str(first.data(Qt.ItemDataRole.UserRole)) if first else None

    # -- acting -------------------------------------------------------------------------------

    @Slot()
    def create_keys(self) -> None:
        desk = self.ctx.desk
        # An encrypted case file seals them under its own key: the login opens them.
        passphrase = "" if desk.encrypted else self.ask_passphrase(new=True)
        if passphrase is None:
            return
        self.status_label.setText(_("Creating keys…"))
        self.ctx.tasks.run(
            lambda: key_service.create_keys(desk, passphrase),
            lambda row: self._done(
                _("Keys created. Fingerprint: {fingerprint}").format(fingerprint=row.fingerprint)
            ),
            self._failed,
        )

    @Slot()
    def save_public_key(self) -> None:
        folder = self.choose_folder()
        if folder is None:
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: key_service.export_public_key(desk, folder),
            lambda path: self._done(_("Wrote {path}").format(path=path)),
            self._failed,
        )

    @Slot()
    def lock_keys(self) -> None:
        key_service.forget_unlocked(self.ctx.desk)
        self.lock_button.hide()
        self.status_label.setText(_("Keys locked: the next bundle asks for the passphrase."))

    @Slot()
    def add_escrow(self) -> None:
        recipient = self.ask_text(
            _("Escrow key"),
            _("The age public key (age1…) whose secret headquarters keeps offline:"),
        )
        if recipient is None:
            return
        desk = self.ctx.desk
        self._with_keys(
            lambda: self.ctx.tasks.run(
                lambda: key_service.add_escrow(desk, None, recipient),
                lambda row: self._done(
                    _("Every bundle is now encrypted to the escrow key {fingerprint} too.").format(
                        fingerprint=row.fingerprint
                    )
                ),
                self._failed,
            )
        )

    @Slot()
    def enrol(self) -> None:
        path = self.choose_file(
            _("A public key file"),
            _("ConsulDesk public key files ({pattern})").format(pattern="*" + PUBLIC_SUFFIX),
        )
        if path is None:
            return
        try:
            public = key_service.read_key_file(path)
            known = key_service.enrolment_of(self.ctx.desk, public) == "known"
        except Exception as exc:  # a message, never a crash
            self.status_label.setText(describe(exc))
            return
        if known:  # said before anyone reads digits out over the phone
            self.status_label.setText(
                _("The keys of {post} — {name} are enrolled already; nothing to do.").format(
                    post=public.post, name=public.name
                )
            )
            return
        typed = self.enrol_dialog(public)
        if typed is None:
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: key_service.enrol_peer(desk, path, typed),
            lambda row: self._done(
                _("Enrolled the keys of {post} — {name}.").format(post=row.post, name=row.name)
            ),
            self._failed,
        )

    @Slot()
    def export_bundle(self) -> None:
        peer = self.peer_combo.currentData()
        if peer is None:
            return
        folder = self.choose_folder()
        if folder is None:
            return
        self._with_keys(lambda: self._export_to(peer, folder))

    def _export_to(self, peer: str, folder: Path) -> None:
        desk = self.ctx.desk
        self.status_label.setText(_("Writing the bundle…"))
        self.export_button.setEnabled(False)
        if peer == ALL_POSTS:
            self.ctx.tasks.run(
                lambda: sync.export_to_all(desk, None, folder),
                lambda done: self._done(
                    ngettext(
                        "Wrote {n} bundle into {folder}: {posts}.",
                        "Wrote {n} bundles into {folder}: {posts}.",
                        len(done),
                    ).format(
                        n=len(done),
                        folder=folder,
                        posts=", ".join(d.manifest.recipient for d in done),
                    )
                ),
                self._failed,
            )
            return
        self._long(
            lambda progress, cancel: sync.export_bundle(
                desk, None, peer, folder, progress=progress, cancel=cancel
            ),
            lambda done: self._done(
                ngettext(
                    "Wrote {path}: {records} record for {post}.",
                    "Wrote {path}: {records} records for {post}.",
                    done.records,
                ).format(path=done.path, records=done.records, post=peer)
            ),
            _("Writing the bundle…"),
        )

    def _long(self, work: Any, on_done: Any, text: str) -> None:
        """Run ``work(progress, cancel)`` with the progress bar and Cancel."""

        def finished(value: Any) -> None:
            self._cancel = None
            self.progress.stop()
            on_done(value)

        def failed(exc: BaseException) -> None:
            self._cancel = None
            self.progress.stop()
            if isinstance(exc, Cancelled):
                self._done(_("Cancelled; nothing was changed."))
            else:
                self._failed(exc)

        self.progress.start(text)
        self._cancel = self.ctx.tasks.run_long(work, finished, failed, self.progress.set_progress)

    @Slot()
    def _cancel_work(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    @Slot()
    def import_bundle(self) -> None:
        path = self.choose_file(
            _("A bundle"), _("ConsulDesk bundles ({pattern})").format(pattern="*" + SUFFIX)
        )
        if path is None:
            return
        self._with_keys(lambda: self._inspect(path))

    def _inspect(self, path: Path) -> None:
        desk = self.ctx.desk
        self.status_label.setText(_("Checking the bundle…"))
        self.import_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda: sync.inspect_bundle(desk, None, path),
            lambda preview: self._previewed(path, preview),
            self._failed,
        )

    def _previewed(self, path: Path, preview: Any) -> None:
        text = self.describe_result(preview)
        if preview.missing:
            text += "\n\n" + _(
                "It needs earlier bundles that are not here yet: it will be kept and applied "
                "when they arrive."
            )
        if not self.confirm(_("Import this bundle?"), text, _("Import it"), _("Do not import")):
            self._done(_("Nothing was imported."))
            return
        desk = self.ctx.desk
        self.status_label.setText(_("Importing…"))
        self._long(
            lambda progress, cancel: sync.import_bundle(
                desk, None, path, progress=progress, cancel=cancel
            ),
            self._imported,
            _("Applying the bundle…"),
        )

    def _imported(self, result: Any) -> None:
        self._done(self.describe_result(result))
        self.ctx.events.changed.emit(None)

    @staticmethod
    def describe_result(result: Any) -> str:
        m = result.manifest
        try:
            made = local_time(datetime.fromisoformat(m.created.replace("Z", "+00:00")))
        except ValueError:
            made = m.created
        head = _("Bundle {n} from {sender}, made {when}.").format(
            n=m.sequence, sender=m.sender, when=made
        )
        if result.held:
            return (
                head
                + " "
                + _(
                    "Held until the bundles before it arrive (the last imported from {sender}: "
                    "no. {last})."
                ).format(sender=m.sender, last=result.last_received)
            )
        if result.nothing_new:
            return head + " " + _("Nothing new: everything in this bundle is here already.")
        lines = [head]
        if result.created:
            lines.append(
                (_("New here: {records}.") if result.preview else _("Added: {records}.")).format(
                    records=record_counts(result.created)
                )
            )
        if result.updated:
            lines.append(
                (
                    _("Would change: {records}.") if result.preview else _("Changed: {records}.")
                ).format(records=record_counts(result.updated))
            )
        if result.deleted:
            lines.append(
                (
                    _("Would delete: {records}.") if result.preview else _("Deleted: {records}.")
                ).format(records=record_counts(result.deleted))
            )
        if result.merged:
            lines.append(
                (
                    _("Would merge into another record: {records}.")
                    if result.preview
                    else _("Merged into another record: {records}.")
                ).format(records=record_counts(result.merged))
            )
        if result.unchanged:
            lines.append(_("Already here as they are: {n}.").format(n=result.unchanged))
        if result.conflicts:
            lines.append(_("Conflicts for an officer: {n}.").format(n=result.conflicts))
        if result.flagged:
            lines.append(
                _("People registered at two posts, flagged for merging: {n}.").format(
                    n=result.flagged
                )
            )
        if result.edits_anonymised:
            lines.append(anonymised_over_edits(result.manifest.sender, result.edits_anonymised))
        if result.preview:
            lines.append(_("A backup of the case file is taken before anything changes."))
        elif result.backup is not None:
            lines.append(_("Backup taken before: {path}").format(path=result.backup.name))
        return "\n".join(lines)

    def resolve(self, *, keep_other: bool = False, keep_both: bool = False) -> None:
        conflict_id = self._selected_conflict()
        if conflict_id is None:
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: sync.resolve_conflict(
                desk, conflict_id, keep_other=keep_other, keep_both=keep_both
            ),
            lambda c: self._done(
                _(
                    "Resolved: {field} is now {value}; the choice travels in the next bundles."
                ).format(
                    field=field_label(c.field),
                    value=shown_conflict_value(c.field, c.resolved_value),
                )
            ),
            self._failed,
        )
