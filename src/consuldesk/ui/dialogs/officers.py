"""Officers…: the case file's accounts, and (for the head of section) adding officers,
changing roles, closing accounts and resetting passphrases.

Every change goes through :mod:`consuldesk.services.access` off the UI thread (a passphrase is
wrapped with Argon2id, about a quarter of a second); the list is read again after each one. An
officer who is not head sees the list read-only, with a line saying why the buttons rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe, describe_code
from consuldesk.services import access
from consuldesk.services.access import OfficerRow
from consuldesk.services.desk import ROLES
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.import_list import ERROR_STYLE, OK_STYLE
from consuldesk.ui.dialogs.passphrase import FieldForm, passphrase_edit
from consuldesk.ui.models.officers import OfficersModel, role_label


def fill_roles(box: QComboBox, current: str = "officer") -> None:
    """The roles in words, the role's code as item data, ``current`` chosen."""
    for role in ROLES:
        box.addItem(role_label(role), role)
    box.setCurrentIndex(max(0, box.findData(current)))


ROLE_HINT_LABELS: dict[str, str] = {
    "viewer": "Reads and prints; changes nothing, exports no lists.",
    "officer": "Registers and edits people, requests, hotels, trips; imports and exports lists.",
    "head": "Everything an officer does, and deletes, merges, bundles, keys and accounts.",
}


class _AccountForm(QDialog):
    """A small form whose service call runs off the UI thread.

    Signals:
        succeeded(str): the call succeeded; what to tell the head.
    """

    succeeded = Signal(str)

    def __init__(self, ctx: AppContext, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form = FieldForm()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        # Enter does the dialog's action: Cancel is never the default (Qt makes the first
        # auto-default button of a box the default when the dialog shows).
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.setMinimumWidth(540)

    def add_role_box(self, role: str) -> QComboBox:
        """The role list, ``role`` chosen, with a line under it saying what the role may do."""
        self.role_box = QComboBox()
        fill_roles(self.role_box, role)
        self.form.add("role", _("&Role:"), self.role_box)
        self.role_hint = QLabel()
        self.role_hint.setWordWrap(True)
        self.form.layout.addRow("", self.role_hint)
        self.role_box.currentIndexChanged.connect(self._on_role_box_current_index_changed)
        self._on_role_box_current_index_changed()
        return self.role_box

    @Slot()
    def _on_role_box_current_index_changed(self) -> None:
        role = str(self.role_box.currentData())
        self.role_hint.setText(_(ROLE_HINT_LABELS.get(role, "")))

    def finish_layout(self, action: str) -> None:
        """Lay out the intro, the form and the buttons (``action`` on the one that saves)."""
        self.action_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form.layout)
        layout.addWidget(self.form.form_error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def _on_buttons_accepted(self) -> None:  # pragma: no cover - each form has its own
        raise NotImplementedError

    def run(self, work: Callable[[], Any], said: str) -> None:
        """Run ``work`` in the background; on success say ``said`` and close."""
        self.buttons.setEnabled(False)

        def finished(_result: object) -> None:
            if not isValid(self):
                return
            self.succeeded.emit(said)
            self.accept()

        self.ctx.tasks.run(work, finished, self._on_failed, owner=self)

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.form.show_error(exc)


class AddOfficerDialog(_AccountForm):
    """Name, role and a first passphrase (twice) for a new officer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            _("Add officer"),
            _(
                "Choose a first passphrase for the officer and give it to them in person, not "
                "by message. They change it themselves after their first login (Officers → "
                "Change my passphrase…)."
            ),
            parent,
        )
        self.name_edit = self.form.add("name", _("&Name:"), QLineEdit())
        self.role_box = self.add_role_box("officer")
        self.new_edit = self.form.add("new", _("First &passphrase:"), passphrase_edit())
        self.again_edit = self.form.add("again", _("Passphrase &again:"), passphrase_edit())
        self.finish_layout(_("A&dd officer"))
        self.name_edit.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        name, role = " ".join(self.name_edit.text().split()), str(self.role_box.currentData())
        new = self.new_edit.text()
        if not name:
            self.form.clear_errors()
            self.form.show_at("name", describe_code("account.name", "name"))
            return
        if not self.form.check_new_pair(new, self.again_edit.text()):
            return
        desk = self.ctx.desk
        self.run(
            lambda: access.add_officer(desk, name, role, new),
            _(
                "{name} has an account ({role}). Give them the first passphrase in person; "
                "they change it after their first login."
            ).format(name=name, role=role_label(role)),
        )


class RoleDialog(_AccountForm):
    """Another role for one officer."""

    def __init__(self, ctx: AppContext, officer: OfficerRow, parent: QWidget | None = None):
        super().__init__(
            ctx,
            _("Change role"),
            _("What may {name} do in this case file?").format(name=officer.name),
            parent,
        )
        self.officer = officer
        self.role_box = self.add_role_box(officer.role)
        self.finish_layout(_("C&hange role"))
        self.role_box.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        role, name, desk = str(self.role_box.currentData()), self.officer.name, self.ctx.desk
        if role == self.officer.role:
            self.reject()  # nothing to change
            return
        self.form.clear_errors()
        self.run(
            lambda: access.set_role(desk, name, role),
            _("{name} is now {role}.").format(name=name, role=role_label(role)),
        )


class ResetPassphraseDialog(_AccountForm):
    """A new passphrase for an officer who forgot theirs."""

    def __init__(self, ctx: AppContext, officer: OfficerRow, parent: QWidget | None = None):
        super().__init__(
            ctx,
            _("Reset passphrase"),
            _(
                "A new passphrase for {name}: their old one stops working at once. Give them "
                "the new one in person; they change it after they log in."
            ).format(name=officer.name),
            parent,
        )
        self.officer = officer
        self.new_edit = self.form.add("new", _("New &passphrase:"), passphrase_edit())
        self.again_edit = self.form.add("again", _("Passphrase &again:"), passphrase_edit())
        self.finish_layout(_("&Reset passphrase"))
        self.new_edit.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        new = self.new_edit.text()
        if not self.form.check_new_pair(new, self.again_edit.text()):
            return
        name, desk = self.officer.name, self.ctx.desk
        self.run(
            lambda: access.reset_passphrase(desk, name, new),
            _("{name} has a new passphrase. Give it to them in person.").format(name=name),
        )


class OfficersDialog(QDialog):
    """The accounts of this case file; the head of section manages them here.

    Signals:
        accounts_changed(): an account was added, changed or closed (the officer's own role
            may have changed with it).
    """

    accounts_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0
        self.form: _AccountForm | None = None  # the small form open, for tests
        self.confirm_box: QMessageBox | None = None
        self.setWindowTitle(_("Officers"))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.model = OfficersModel(ctx.desk.officer, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # a long name is elided, not broken over two lines
        header = self.table.horizontalHeader()
        # Every column as wide as its words (names and roles whole); the last takes the rest.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.add_button = QPushButton(_("&Add officer…"))
        self.role_button = QPushButton(_("Change &role…"))
        self.close_account_button = QPushButton(_("C&lose account"))
        self.reset_button = QPushButton(_("Reset &passphrase…"))
        for button in self._buttons():
            button.setAutoDefault(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(_("Close"))
        self.close_button.setAutoDefault(False)

        side = QVBoxLayout()
        for button in self._buttons():
            side.addWidget(button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.resize(900, 440)
        self._connect_signals()
        self._show_powers()
        self.load()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.add_button, self.role_button, self.close_account_button, self.reset_button)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.role_button.clicked.connect(self._on_role_button_clicked)
        self.close_account_button.clicked.connect(self._on_close_account_button_clicked)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_role_button_clicked)

    # -- state -----------------------------------------------------------------------------

    @property
    def head(self) -> bool:
        """Whether the officer at the keyboard may manage accounts."""
        return self.ctx.desk.may("accounts")

    def selected(self) -> OfficerRow | None:
        """The officer chosen in the list."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        """Choose the officer called ``name`` in the list."""
        row = self.model.row_for(name)
        if row >= 0:
            self.table.selectRow(row)

    def _show_powers(self) -> None:
        desk = self.ctx.desk
        if self.head:
            self.intro.setText(
                _(
                    "Each officer logs in with their own name and passphrase; the audit trail "
                    "records who did what. Closing an account keeps the officer's name in the "
                    "audit trail."
                )
            )
        else:
            self.intro.setText(
                _(
                    "You can see the accounts, but only the head of section can add officers, "
                    "change roles, close accounts or reset passphrases (your role: {role})."
                ).format(role=role_label(desk.role))
            )
        self.add_button.setEnabled(self.head)
        self._on_table_selection_changed()

    def _set_status(self, text: str, style: str = "") -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    # -- loading ---------------------------------------------------------------------------

    def load(self, select: str | None = None) -> None:
        """Read the accounts again, off the UI thread; then choose ``select`` (or keep the
        officer chosen)."""
        desk = self.ctx.desk
        self._serial += 1
        serial = self._serial
        keep = select or (chosen.name if (chosen := self.selected()) else desk.officer)

        def loaded(rows: list[OfficerRow]) -> None:
            if serial != self._serial:
                return  # a newer load is on its way
            self.model.set_rows(rows)
            self.select(keep)
            self._on_table_selection_changed()

        self.ctx.tasks.run(lambda: access.list_officers(desk), loaded, self._on_load_failed)

    def _on_load_failed(self, exc: BaseException) -> None:
        self._set_status(describe(exc), ERROR_STYLE)

    # -- handlers --------------------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_args: object) -> None:
        officer = self.selected()
        live = officer is not None and officer.disabled_at is None
        for button in (self.role_button, self.close_account_button, self.reset_button):
            button.setEnabled(self.head and live)
            if not self.head:
                button.setToolTip(_("Only the head of section can change accounts."))
            elif officer is not None and not live:
                button.setToolTip(
                    _("This account is closed: add the officer again to open it anew.")
                )
            else:
                button.setToolTip("")
        self.add_button.setToolTip(
            "" if self.head else _("Only the head of section can change accounts.")
        )

    def _open_form(self, form: _AccountForm) -> None:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.succeeded.connect(self._on_form_done)
        self.form = form
        form.open()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self._open_form(AddOfficerDialog(self.ctx, self))

    @Slot()
    def _on_role_button_clicked(self) -> None:
        officer = self.selected()
        if officer is not None and officer.disabled_at is None and self.head:
            self._open_form(RoleDialog(self.ctx, officer, self))

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        officer = self.selected()
        if officer is not None:
            self._open_form(ResetPassphraseDialog(self.ctx, officer, self))

    @Slot()
    def _on_close_account_button_clicked(self) -> None:
        officer = self.selected()
        if officer is None:
            return
        name = officer.name
        self.confirm_box = ask(
            self,
            _("Close account"),
            _(
                "Close the account of {name}? Their passphrase will open nothing any more. "
                "Their name stays in the audit trail, and the account can be opened again by "
                "adding {name} anew."
            ).format(name=name),
            lambda: self._close_account(name),
            yes=_("Close the account of {name}").format(name=name),
            no=_("Keep it open"),
        )

    def _close_account(self, name: str) -> None:
        desk = self.ctx.desk
        self._set_status(_("Closing the account…"))

        def closed(_row: object) -> None:
            self._on_form_done(_("The account of {name} is closed.").format(name=name))

        def refused(exc: BaseException) -> None:
            self._set_status(describe(exc), ERROR_STYLE)

        self.ctx.tasks.run(lambda: access.disable_officer(desk, name), closed, refused)

    @Slot(str)
    def _on_form_done(self, said: str) -> None:
        self._set_status(said, OK_STYLE)
        self.accounts_changed.emit()
        self._show_powers()  # the head may have stepped down
        self.load()


def open_officers(ctx: AppContext, parent: QWidget | None = None) -> OfficersDialog:
    """Show the dialog (returns at once)."""
    dialog = OfficersDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = [
    "ROLE_HINT_LABELS",
    "AddOfficerDialog",
    "OfficersDialog",
    "ResetPassphraseDialog",
    "RoleDialog",
    "fill_roles",
    "open_officers",
]
