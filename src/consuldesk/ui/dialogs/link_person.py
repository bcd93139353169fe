"""Link the person a request is about, once they are on file: a caller or a visitor who was
not on file when the request was opened, registered since."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.services.requests import link_person
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import RequestRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_pick import PersonPickDialog


class LinkPersonDialog(PersonPickDialog):
    """Find the person by typing and link them to ``request``; closes once linked.

    Signals:
        linked(object): the request's :class:`RequestRow` after the link was written.
    """

    linked = Signal(object)

    def __init__(self, ctx: AppContext, request: RequestRow, parent: QWidget | None = None):
        super().__init__(
            ctx,
            _("&Link"),
            _("Type a name, IIN, passport or phone, pick the person, then Link."),
            parent=parent,
        )
        self.request = request
        self.setWindowTitle(_("Link the person"))
        intro = QLabel(
            _("“{summary}”: who it is about, now on file. What the details say of them:").format(
                summary=request.summary
            )
            + "\n"
            + (request.details or "—")
        )
        intro.setWordWrap(True)
        self.lay_out(intro)
        self.picker.activated.connect(self._on_add_button_clicked)  # Enter in the list links

    def nobody_found(self) -> str:
        return _("Nobody found: register them first (Ctrl+N), then link them here.")

    def add_chosen(self, person: NationalRow) -> None:
        desk, request_id = self.ctx.desk, self.request.id
        self.ctx.tasks.run(
            lambda: link_person(desk, request_id, person.id),
            self._on_link_done,
            self.show_failure,
        )

    def _on_link_done(self, written: Written[RequestRow]) -> None:
        self.ctx.events.changed.emit(written.changes)
        if not isValid(self):
            return
        self.linked.emit(written.row)
        self.accept()


__all__ = ["LinkPersonDialog"]
