"""Possible duplicates (People → Possible duplicates…): every pair flagged as probably one
person, best match first, to compare and merge or to mark as two people.

Pairs are flagged as people are registered, imported from a list or brought by a bundle from
another post (the same person registered at two posts meets at headquarters as two records).
Until now only each person's card showed its pair: after an import that flagged forty, the
officer had to find them one by one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.phone import format_phone
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.nationals import dismiss_duplicate, list_duplicates
from consuldesk.services.rows import DuplicateRow, NationalRow
from consuldesk.store.db import ChangeSet
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask

COL_MATCH, COL_FIRST, COL_SECOND = range(3)


def person_lines(person: NationalRow, post: str) -> str:
    """A person of a pair as the list shows them: the name, then the facts the two records are
    told apart by (birth date, passport, IIN, phone) and the post that registered them."""
    born = f"{person.birth_date:%d.%m.%Y}" if person.birth_date else _("born —")
    documents = " · ".join(x for x in (person.passport_no, person.iin) if x)
    facts = [born, documents or _("no document")]
    if person.phones:
        facts.append(format_phone(person.phones[0]))
    where = _("registered by {post}").format(post=post) if post else ""
    return "\n".join(x for x in (person.name, " · ".join(facts), where) if x)


class DuplicatesDialog(QDialog):
    """The open pairs of probable duplicates, with "Compare and merge…" and "Not the same
    person" for the one chosen.

    Signals:
        settled(): a pair was merged or marked as two people (the list is read again).
    """

    settled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Possible duplicates"))
        self.resize(900, 520)
        self._pairs: list[DuplicateRow] = []
        self._busy = False
        self._serial = 0

        intro = QLabel(
            _(
                "Records that are probably one person: registered twice, brought by a list, "
                "or registered at two posts. Compare each pair and merge it, or mark it as two "
                "different people."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        # The score is how alike the names are: 100 % with two passports is no certainty.
        self.table.setHorizontalHeaderLabels([_("Names alike"), _("One record"), _("The other")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_MATCH, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FIRST, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SECOND, QHeaderView.ResizeMode.Stretch)

        self.status_label = QLabel(_("Reading the pairs…"))
        self.status_label.setWordWrap(True)
        self.merge_button = QPushButton(_("&Compare and merge…"))
        self.dismiss_button = QPushButton(_("&Not the same person"))
        self.close_button = QPushButton(_("Close"))
        for button in (self.merge_button, self.dismiss_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.cellActivated.connect(self._on_table_cell_activated)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        self.close_button.clicked.connect(self.reject)
        # Merged or marked elsewhere (a card, a bundle, the CLI, another window): read again.
        ctx.events.changed.connect(self._on_case_file_changed)
        self._show_buttons()
        self.reload()

    @Slot(object)
    def _on_case_file_changed(self, changes: ChangeSet) -> None:
        if isValid(self) and changes.tables & {"duplicate_candidate", "national"}:
            self.reload()

    # -- the list ----------------------------------------------------------------------------

    def reload(self, said: str | None = None) -> None:
        """Read the open pairs again (in the background); ``said`` is shown once they are in.
        Only the last reading asked for is shown (a merge here also says the case file
        changed: that reading must not put the list back without what was said)."""
        desk = self.ctx.desk
        self._serial += 1
        serial = self._serial
        self.ctx.tasks.run(
            lambda: list_duplicates(desk),
            lambda pairs: self._on_pairs_read(serial, pairs, said),
            self._on_failed,
            owner=self,
        )

    def _on_pairs_read(self, serial: int, pairs: list[DuplicateRow], said: str | None) -> None:
        if serial != self._serial:
            return  # a later reading is on its way
        chosen = self.chosen()
        self._pairs = pairs
        self.table.setRowCount(len(pairs))
        for row, pair in enumerate(pairs):
            match = QTableWidgetItem(f"{pair.score:.0f} %")
            match.setToolTip(
                _(
                    "How alike the two names are (100 %: the same, in either script); both "
                    "were born the same day. Compare their documents before merging."
                )
            )
            match.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.table.setItem(row, COL_MATCH, match)
            for col, person, post in (
                (COL_FIRST, pair.a, pair.posts[0]),
                (COL_SECOND, pair.b, pair.posts[1]),
            ):
                item = QTableWidgetItem(person_lines(person, post))
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        if pairs:
            ids = [p.id for p in pairs]
            self.table.selectRow(ids.index(chosen.id) if chosen and chosen.id in ids else 0)
        count = (
            ngettext("{n} pair to look at.", "{n} pairs to look at.", len(pairs)).format(
                n=len(pairs)
            )
            if pairs
            else _("No possible duplicates to look at.")
        )
        self._say(f"{said} {count}" if said else count)
        self._show_buttons()

    def chosen(self) -> DuplicateRow | None:
        """The pair selected in the list."""
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self._pairs[row] if selected and 0 <= row < len(self._pairs) else None

    def _show_buttons(self) -> None:
        can = self.chosen() is not None and not self._busy
        self.merge_button.setEnabled(can)
        self.dismiss_button.setEnabled(can)

    def _say(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")

    # -- settling a pair ---------------------------------------------------------------------

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self._show_buttons()

    @Slot(int, int)
    def _on_table_cell_activated(self, _row: int, _col: int) -> None:
        self._on_merge_button_clicked()

    @Slot()
    def _on_merge_button_clicked(self) -> QDialog | None:
        pair = self.chosen()
        if pair is None or self._busy:
            return None
        from consuldesk.ui.dialogs.merge import MergeDialog

        dialog = MergeDialog(self.ctx, pair.a, pair.b, self, posts=pair.posts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(lambda _saved: self._on_merged(pair))
        dialog.open()
        return dialog

    def _on_merged(self, pair: DuplicateRow) -> None:
        self.settled.emit()
        self.reload(
            _("Merged: {a} and {b} are one record now.").format(a=pair.a.name, b=pair.b.name)
        )

    @Slot()
    def _on_dismiss_button_clicked(self) -> QMessageBox | None:
        pair = self.chosen()
        if pair is None or self._busy:
            return None
        return ask(
            self,
            _("Not the same person"),
            _(
                "{a} and {b} are two different people? The pair is no longer flagged; both "
                "records stay as they are."
            ).format(a=pair.a.name, b=pair.b.name),
            lambda: self._dismiss(pair),
            yes=_("Two different people"),
            no=_("Cancel"),
        )

    def _dismiss(self, pair: DuplicateRow) -> None:
        desk = self.ctx.desk
        self._busy = True
        self._show_buttons()
        self.ctx.tasks.run(
            lambda: dismiss_duplicate(desk, pair.id),
            lambda changes: self._on_dismissed(pair, changes),
            self._on_failed,
            owner=self,
        )

    def _on_dismissed(self, pair: DuplicateRow, changes: object) -> None:
        self._busy = False
        self.ctx.events.changed.emit(changes)
        self.settled.emit()
        self.reload(
            _("Two different people, flagged no more: {a} and {b}.").format(
                a=pair.a.name, b=pair.b.name
            )
        )

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        self._show_buttons()
        if isinstance(exc, NotFound):  # merged or deleted since the list was read
            self.reload(_("That pair was settled meanwhile (merged, or a record deleted)."))
            return
        self._say(describe(exc), error=True)


def open_duplicates(ctx: AppContext, parent: QWidget) -> DuplicatesDialog:
    """Show the possible duplicates (non-blocking); returned for tests."""
    dialog = DuplicatesDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


__all__ = ["DuplicatesDialog", "open_duplicates", "person_lines"]
