"""The main window: the areas of work on the left, the page on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.backups import (
    BackupRow,
    newest_sound_backup,
    quick_check,
    short_problem,
    take_backup,
)
from consuldesk.services.desk import Desk
from consuldesk.services.views import RequestRow
from consuldesk.store.db import ChangeSet
from consuldesk.store.paths import CASEFILE_SUFFIX
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.hotline_call import open_hotline_call
from consuldesk.ui.pages.nationals import NationalsPage
from consuldesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from consuldesk.ui.pages.households import HouseholdsPage
    from consuldesk.ui.pages.overview import OverviewPage

# The other pages and the menu's dialogs are imported when first opened: with them (ReportLab,
# the sync machinery, openpyxl) the window took 0.5 s longer to show its list.

#: The pages in navigation order, by a name that does not depend on the language.
PAGE_KEYS = (
    "nationals",
    "households",
    "requests",
    "hotels",
    "evacuation",
    "overview",
    "sync",
    "audit",
)
# Versions before the evacuation page stored the page's row number.
_PAGES_BEFORE_EVACUATION = ("nationals", "households", "requests", "hotels", "overview")


#: How often the open window copies its case file into the backups folder (4 hours).
BACKUP_EVERY_MS = 4 * 60 * 60 * 1000
#: How often the window looks whether another process (the CLI, a second window) wrote to
#: its case file, to show what changed without F5: one small read each time.
ELSEWHERE_EVERY_MS = 3000


class MainWindow(QMainWindow):
    """One case file: pages for nationals (and, as they are built, requests, hotels, overview).

    The window never replaces its own case file: it asks whoever holds it (the
    :class:`~consuldesk.ui.shell.WindowShell`), which closes this window first.

    Signals:
        restore_requested(str): the officer confirmed restoring the backup at this path.
        open_requested(str): the officer chose to open the case file at this path instead.
        integrity_checked(str): the start-up check ended: "" when the file passed, else what
            SQLite found (the window is then read-only).
    """

    restore_requested = Signal(str)
    open_requested = Signal(str)
    integrity_checked = Signal(str)

    def __init__(self, desk: Desk, settings: QSettings | None = None) -> None:
        super().__init__()
        self.ctx = AppContext(desk, TaskRunner(self), CaseFileEvents(self), settings)
        post = desk.casefile.local_post()
        self.setWindowTitle(f"ConsulDesk — {post.name if post else desk.path.name}")

        self.nav = QListWidget()
        self.pages = QStackedWidget()
        self._factories: dict[int, Callable[[], QWidget]] = {}
        self.nationals_page = NationalsPage(self.ctx)
        self.add_page(_("Nationals"), self.nationals_page)
        # Other pages are built when first opened: each loads its data when built, and at
        # 100,000 nationals that work would compete with the first search for the GIL.
        self.add_lazy_page(_("Households"), self._build_households)
        self.add_lazy_page(_("Requests"), self._build_requests)
        self.add_lazy_page(_("Hotels"), self._build_hotels)
        self.add_lazy_page(_("Evacuation"), self._build_evacuation)
        self.add_lazy_page(_("Overview"), self._build_overview)
        self.add_lazy_page(_("Sync"), self._build_sync)
        self._sync_row = self.nav.count() - 1  # marked while conflicts wait there
        self.add_lazy_page(_("Audit trail"), self._build_audit)
        # As wide as its longest title, no wider: on a 1024 px screen every pixel left to the
        # pages is a longer name shown whole.
        nav_room = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth()
        self.nav.setFixedWidth(max(110, nav_room + self.nav.fontMetrics().averageCharWidth() * 2))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # The file's name, its folder in the tooltip: the whole path took the status bar's
        # room and a message ran into it ("… shown ar/tmp/…") on a small laptop's screen.
        self.path_label = QLabel(desk.path.name)
        self.path_label.setToolTip(str(desk.path))
        self.statusBar().addPermanentWidget(self.path_label)

        self._find = QAction(_("Find a person"), self)
        self._find.setShortcut(QKeySequence.StandardKey.Find)
        self._new_person = QAction(_("New person"), self)
        self._new_person.setShortcut(QKeySequence.StandardKey.New)
        self._log_call = QAction(_("Log a hotline call…"), self)
        self._log_call.setShortcut(QKeySequence("Ctrl+L"))
        self._duplicates = QAction(_("Possible duplicates…"), self)
        self._duplicates.setToolTip(_("Records that are probably one person: compare and merge"))
        self._import = QAction(_("Import a list…"), self)
        self._import.setShortcut(QKeySequence("Ctrl+I"))
        self._export = QAction(_("Export a list…"), self)
        self._export.setShortcut(QKeySequence("Ctrl+E"))
        self._sitrep = QAction(_("Situation report for headquarters…"), self)
        self._sitrep.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self._roster = QAction(_("Hotel roster…"), self)
        self._backups = QAction(_("Backups…"), self)
        self._retention = QAction(_("Records due for anonymisation…"), self)
        self._audit = QAction(_("Audit trail"), self)
        self._audit.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self._audit.setToolTip(_("Who changed, exported, printed or sent what, and when"))
        self._settings_action = QAction(_("Settings…"), self)
        self._settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self._quit = QAction(_("Quit"), self)
        self._quit.setShortcut(QKeySequence.StandardKey.Quit)
        from consuldesk.ui.lock import LOCK_KEYS, WindowLock

        self._lock_action = QAction(_("Lock"), self)
        # From any ConsulDesk window; from a dialog that blocks this one, WindowLock sees to it.
        self._lock_action.setShortcut(LOCK_KEYS)
        self._lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

        self.window_lock = WindowLock(self, self.ctx)
        self._show_lock_state()
        # A copy every few hours while the window is open (issue 11): a day's work is never
        # more than one interval from a backup, whatever happens to the file.
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_EVERY_MS)
        self._elsewhere_timer = QTimer(self)
        self._elsewhere_timer.setInterval(ELSEWHERE_EVERY_MS)
        self._build_menus()
        self._connect_signals()
        self._backup_timer.start()
        self.ctx.desk.casefile.written_elsewhere()  # where the count stands now
        self._elsewhere_timer.start()
        self._restore_geometry()
        self.nav.setCurrentRow(self._last_page())
        self.count_conflicts()  # the Sync page marked when conflicts wait there

    # Kept for tests and callers that knew the single-page window.
    @property
    def search_box(self):
        return self.nationals_page.search_box

    @property
    def model(self):
        return self.nationals_page.model

    @property
    def status_label(self):
        return self.nationals_page.status_label

    @property
    def _tasks(self) -> TaskRunner:
        return self.ctx.tasks

    def _build_menus(self) -> None:
        case_file = self.menuBar().addMenu(_("&Case file"))
        case_file.addActions([self._import, self._export])
        case_file.addSeparator()
        case_file.addAction(self._backups)
        case_file.addAction(self._retention)
        case_file.addAction(self._audit)
        case_file.addSeparator()
        case_file.addAction(self._settings_action)
        case_file.addSeparator()
        case_file.addAction(self._lock_action)
        case_file.addAction(self._quit)
        people = self.menuBar().addMenu(_("&People"))
        people.addActions([self._find, self._new_person, self._log_call])
        people.addSeparator()
        people.addAction(self._duplicates)
        reports = self.menuBar().addMenu(_("&Reports"))
        reports.addActions([self._sitrep, self._roster])
        self._build_access_menu()

    def add_page(self, title: str, page: QWidget) -> None:
        """Add an area of work to the navigation."""
        self.nav.addItem(title)
        self.pages.addWidget(page)

    def add_lazy_page(self, title: str, factory: Callable[[], QWidget]) -> None:
        """Add an area of work whose page is built the first time it is opened."""
        self._factories[self.pages.count()] = factory
        self.add_page(title, QWidget())

    def page(self, title: str) -> QWidget:
        """The page with this title, built if it was not yet (tests and shortcuts)."""
        for row in range(self.nav.count()):
            if self.nav.item(row).text() == title:
                return self._ensure_page(row)
        raise KeyError(title)

    def _ensure_page(self, row: int) -> QWidget:
        factory = self._factories.pop(row, None)
        if factory is not None:
            placeholder = self.pages.widget(row)
            self.pages.insertWidget(row, factory())
            if placeholder is not None:
                self.pages.removeWidget(placeholder)
                placeholder.deleteLater()
        page = self.pages.widget(row)
        assert page is not None
        return page

    def _build_requests(self) -> QWidget:
        from consuldesk.ui.pages.requests import RequestsPage

        return RequestsPage(self.ctx)

    def _build_hotels(self) -> QWidget:
        from consuldesk.ui.pages.hotels import HotelsPage

        return HotelsPage(self.ctx)

    def _build_evacuation(self) -> QWidget:
        from consuldesk.ui.pages.evacuation import EvacuationPage

        return EvacuationPage(self.ctx)

    def _build_sync(self) -> QWidget:
        from consuldesk.ui.pages.sync import SyncPage

        return SyncPage(self.ctx)

    def _build_audit(self) -> QWidget:
        from consuldesk.ui.pages.audit import AuditTrailPage

        return AuditTrailPage(self.ctx)

    def _build_households(self) -> HouseholdsPage:
        from consuldesk.ui.pages.households import HouseholdsPage

        page = HouseholdsPage(self.ctx)
        page.members_listed.connect(self._on_households_members_listed)
        return page

    @Slot(str, str)
    def _on_households_members_listed(self, household_id: str, label: str) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(self.nationals_page))
        self.nationals_page.show_household(household_id, label)

    def _build_overview(self) -> OverviewPage:
        from consuldesk.ui.pages.overview import OverviewPage

        page = OverviewPage(self.ctx)
        page.needs_review_requested.connect(self._on_overview_needs_review_requested)
        page.duplicates_requested.connect(self.open_duplicates)
        return page

    @Slot()
    def _on_overview_needs_review_requested(self) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(self.nationals_page))
        self.nationals_page.show_needs_review()

    @Slot(int)
    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentWidget(self._ensure_page(row))

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._backup_timer.timeout.connect(self._on_backup_timer_timeout)
        self._elsewhere_timer.timeout.connect(self._on_elsewhere_timer_timeout)
        self._log_call.triggered.connect(self._on_log_call_triggered)
        self._import.triggered.connect(self._on_import_triggered)
        self._export.triggered.connect(self._on_export_triggered)
        self._quit.triggered.connect(self.close)
        self._lock_action.triggered.connect(self._on_lock_action_triggered)
        self._settings_action.triggered.connect(self._on_settings_triggered)
        self._find.triggered.connect(self._on_find_triggered)
        self._new_person.triggered.connect(self._on_new_person_triggered)
        self._sitrep.triggered.connect(self._on_sitrep_triggered)
        self._roster.triggered.connect(self._on_roster_triggered)
        self._backups.triggered.connect(self._on_backups_triggered)
        self._retention.triggered.connect(self._on_retention_triggered)
        self._duplicates.triggered.connect(self._on_duplicates_triggered)
        self._audit.triggered.connect(self._on_audit_triggered)
        self.ctx.events.changed.connect(self._on_case_file_changed)

    @Slot(object)
    def _on_case_file_changed(self, changes: ChangeSet) -> None:
        if "sync_conflict" in changes.tables:  # queued by a bundle, or resolved
            self.count_conflicts()

    def _show_lock_state(self) -> None:
        """Lock only an encrypted case file (a plain one has no passphrase to unlock with);
        after a file is encrypted in this window, the idle lock starts too."""
        available = self.window_lock.available
        self._lock_action.setEnabled(available)
        self._lock_action.setToolTip(
            ""
            if available
            else _("A case file that is not encrypted has no passphrase to lock it with")
        )
        self.window_lock.set_idle_minutes(self.window_lock.idle_minutes())

    @Slot()
    def _on_lock_action_triggered(self) -> None:
        self.window_lock.lock("asked")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.window_lock.resize_to()

    @Slot()
    def _on_find_triggered(self) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(self.nationals_page))
        self.nationals_page.focus_search()

    @Slot()
    def _on_audit_triggered(self) -> None:
        from consuldesk.ui.pages.audit import AuditTrailPage

        page = self.page(_("Audit trail"))
        self.nav.setCurrentRow(self.pages.indexOf(page))
        if isinstance(page, AuditTrailPage):
            page.focus_person()

    @Slot()
    def _on_settings_triggered(self) -> None:
        from consuldesk.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._show_lock_state)  # the idle time may have changed
        dialog.open()

    @Slot()
    def _on_import_triggered(self) -> None:
        from consuldesk.ui.dialogs.import_list import open_import

        open_import(self.ctx, self)

    @Slot()
    def _on_export_triggered(self) -> None:
        from consuldesk.ui.dialogs.export_list import open_export

        open_export(self.ctx, self)

    @Slot()
    def _on_sitrep_triggered(self) -> None:
        from consuldesk.ui.dialogs.print_report import open_report

        open_report(self.ctx, "sitrep", self)

    @Slot()
    def _on_duplicates_triggered(self) -> None:
        self.open_duplicates()

    def open_duplicates(self) -> QWidget:
        """Show the possible duplicates (non-blocking); returned for tests."""
        from consuldesk.ui.dialogs.duplicates import open_duplicates

        return open_duplicates(self.ctx, self)

    @Slot()
    def _on_retention_triggered(self) -> None:
        from consuldesk.ui.dialogs.retention import open_retention

        open_retention(self.ctx, self)

    @Slot()
    def _on_roster_triggered(self) -> None:
        from consuldesk.ui.dialogs.print_report import open_report

        open_report(self.ctx, "roster", self)

    @Slot()
    def _on_backups_triggered(self) -> None:
        self.open_backups()

    def open_backups(self) -> QWidget:
        """Show the Backups dialog (non-blocking); returned for tests."""
        from consuldesk.ui.dialogs.backups import BackupsDialog

        dialog = BackupsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restore_chosen.connect(self.restore_requested)
        dialog.open()
        return dialog

    # -- the integrity check at start ------------------------------------------------------

    def check_integrity(self) -> None:
        """Check the case file (SQLite's ``quick_check``, 0.5–1 s at 100,000 nationals) in
        the background; if it fails, make the window read-only and say what can be done."""
        desk = self.ctx.desk

        def work() -> tuple[str, BackupRow | None]:
            found = quick_check(desk)
            if not found:
                return "", None
            # Refused here, at once, not when the answer reaches the window.
            desk.casefile.refuse_writes(short_problem(found))
            return found, newest_sound_backup(desk.path, desk.casefile.key)

        self.ctx.tasks.run(work, self._on_integrity_checked, self._on_integrity_check_failed)

    def _on_integrity_checked(self, result: tuple[str, BackupRow | None]) -> None:
        found, sound = result
        if found:
            self.set_read_only(found)
            self.damaged_box = self._ask_way_forward(found, sound)
        self.integrity_checked.emit(found)

    def _on_integrity_check_failed(self, exc: BaseException) -> None:
        self.ctx.desk.casefile.refuse_writes(describe(exc))
        self.set_read_only(describe(exc))
        self.damaged_box = self._ask_way_forward(describe(exc), None)
        self.integrity_checked.emit(describe(exc))

    def set_read_only(self, found: str) -> None:
        """Say, where it stays in view, that nothing is written into this case file; stop
        the scheduled backups (a copy of a damaged file would push a sound one out)."""
        self._backup_timer.stop()
        self.read_only_label = QLabel(
            _("Read-only: this case file failed its integrity check. Case file → Backups…")
        )
        self.read_only_label.setToolTip(short_problem(found))
        self.read_only_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.statusBar().insertPermanentWidget(0, self.read_only_label)

    def _ask_way_forward(self, found: str, sound: BackupRow | None) -> QMessageBox:
        """The message after a failed check, with the ways forward as buttons; what SQLite
        found in full under "Show Details…" (it can run to hundreds of lines)."""
        from consuldesk.messages import backup_reason
        from consuldesk.ui.models.backups import taken_text

        text = _(
            "This case file failed its integrity check: some of it is damaged ({problem}). "
            "Nothing will be written into it, so that the damage does not spread."
        ).format(problem=short_problem(found))
        if sound is not None:
            text += "\n\n" + _(
                "The newest sound backup was taken {when} ({why}). Restoring it brings the "
                "case file back as it was then; the damaged file is kept as it is."
            ).format(when=taken_text(sound), why=backup_reason(sound.kind, sound.detail))
        else:
            text += "\n\n" + _("No sound backup of it was found.")
        box = QMessageBox(
            QMessageBox.Icon.Critical, _("The case file is damaged"), text, parent=self
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setDetailedText(found)
        self.restore_last_button: QPushButton | None = None
        if sound is not None:
            self.restore_last_button = box.addButton(
                _("Restore that backup"), QMessageBox.ButtonRole.AcceptRole
            )
            box.setDefaultButton(self.restore_last_button)
        self.open_other_button = box.addButton(
            _("Open another case file…"), QMessageBox.ButtonRole.ActionRole
        )
        self.read_button = box.addButton(
            _("Keep it open to read"), QMessageBox.ButtonRole.RejectRole
        )
        self.quit_button = box.addButton(_("Quit"), QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(self.read_button)  # Esc leaves it open, read-only, as it is

        def finished(_result: int) -> None:
            clicked = box.clickedButton()
            if sound is not None and clicked is self.restore_last_button:
                self.restore_requested.emit(str(sound.path))
            elif clicked is self.open_other_button:
                self._choose_other_casefile()
            elif clicked is self.quit_button:
                self.close()

        box.finished.connect(finished)
        box.open()
        return box

    def _choose_other_casefile(self) -> None:
        chooser = QFileDialog(self, _("Open a case file"), str(self.ctx.desk.path.parent))
        chooser.setNameFilter(_("Case files (*{suffix})").format(suffix=CASEFILE_SUFFIX))
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.fileSelected.connect(self.open_requested)
        chooser.open()
        self.chooser = chooser

    @Slot()
    def _on_log_call_triggered(self) -> None:
        # Always empty: whoever happens to be selected is not who is calling.
        open_hotline_call(self.ctx, self, None).saved.connect(self._show_logged_call)

    @Slot(object)
    def _show_logged_call(self, row: object) -> None:
        """The call just saved, on the Requests page: selected, open on the right, said."""
        from consuldesk.ui.pages.requests import RequestsPage

        page = self.page(_("Requests"))
        self.nav.setCurrentRow(self.pages.indexOf(page))
        if isinstance(page, RequestsPage) and isinstance(row, RequestRow):
            page.show_logged(row)

    @Slot()
    def _on_new_person_triggered(self) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(self.nationals_page))
        self.nationals_page.open_new_card()

    # -- officers and encryption -----------------------------------------------------------

    def _build_access_menu(self) -> None:
        """The Officers menu, who is logged in and (for a plain file) "Not encrypted" in the
        status bar, and the seam that lets the case file go and takes it back (encryption)."""
        self._officers_action = QAction(_("Officers…"), self)
        self._my_passphrase_action = QAction(_("Change my passphrase…"), self)
        self._recovery_action = QAction(_("Recovery key…"), self)
        self._encrypt_action = QAction(_("Encrypt this case file…"), self)
        menu = self.menuBar().addMenu(_("&Officers"))
        menu.setToolTipsVisible(True)  # a resting action says why in its tooltip
        menu.addActions([self._officers_action, self._my_passphrase_action])
        menu.addSeparator()
        menu.addActions([self._recovery_action, self._encrypt_action])
        self.officer_label = QLabel()
        self.plain_button = QPushButton(_("Not encrypted"))
        self.plain_button.setFlat(True)
        self.plain_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.plain_button.setStyleSheet("QPushButton { color: #8a5300; font-weight: bold; }")
        self.plain_button.setToolTip(
            _(
                "Whoever takes this laptop can read this case file. Click to encrypt it: it "
                "then opens only with an officer's name and passphrase."
            )
        )
        self.statusBar().addPermanentWidget(self.plain_button)
        self.statusBar().addPermanentWidget(self.officer_label)
        self._officers_action.triggered.connect(self._on_officers_action_triggered)
        self._my_passphrase_action.triggered.connect(self._on_my_passphrase_action_triggered)
        self._recovery_action.triggered.connect(self._on_recovery_action_triggered)
        self._encrypt_action.triggered.connect(self._on_encrypt_action_triggered)
        self.plain_button.clicked.connect(self._on_encrypt_action_triggered)
        self.show_access()

    def show_access(self) -> None:
        """Who is logged in, whether the file is encrypted, and which account actions the
        officer's role allows (the others rest, with a tooltip saying why)."""
        from consuldesk.ui.models.officers import role_label

        desk = self.ctx.desk
        head = desk.may("accounts")
        if desk.encrypted:
            self.officer_label.setText(
                _("Officer: {name} ({role})").format(name=desk.officer, role=role_label(desk.role))
            )
        else:
            self.officer_label.setText(_("Officer: {name}").format(name=desk.officer))
        self.plain_button.setVisible(not desk.encrypted)
        no_accounts = _(
            "This case file is not encrypted, so it has no officer accounts: encrypt it first."
        )
        not_head = _("Only the head of section can do this (your role: {role}).").format(
            role=role_label(desk.role)
        )
        for action, allowed, why in (
            (self._officers_action, desk.encrypted, no_accounts),
            (self._my_passphrase_action, desk.encrypted, no_accounts),
            (
                self._recovery_action,
                desk.encrypted and head,
                no_accounts if not desk.encrypted else not_head,
            ),
            (
                self._encrypt_action,
                not desk.encrypted and head,
                _("This case file is encrypted already.") if desk.encrypted else not_head,
            ),
            # What the role does not allow rests, saying why, before any form is filled in.
            (self._import, desk.may("change"), self._role_refusal("change")),
            (self._export, desk.may("export"), self._role_refusal("export")),
            (self._new_person, desk.may("change"), self._role_refusal("change")),
            (self._log_call, desk.may("change"), self._role_refusal("change")),
            (self._backups, True, ""),
        ):
            action.setEnabled(allowed)
            action.setToolTip("" if allowed else why)
            action.setStatusTip("" if allowed else why)  # also said in the status bar on hover

    def _role_refusal(self, power: str) -> str:
        from consuldesk.messages import describe_code

        desk = self.ctx.desk
        return describe_code("role.denied", None, power=power, role=desk.role, officer=desk.officer)

    def open_officers(self) -> QWidget:
        """Show the Officers dialog (non-blocking); returned for tests."""
        from consuldesk.ui.dialogs.officers import open_officers

        dialog = open_officers(self.ctx, self)
        dialog.accounts_changed.connect(self.show_access)  # one's own role may have changed
        return dialog

    def open_encrypt(self) -> QWidget:
        """Show the dialog that encrypts this (plain) case file; returned for tests."""
        from consuldesk.ui.dialogs.encrypt import open_encrypt

        return open_encrypt(self.ctx, self, self)

    @Slot()
    def _on_officers_action_triggered(self) -> None:
        self.open_officers()

    @Slot()
    def _on_my_passphrase_action_triggered(self) -> None:
        from consuldesk.ui.dialogs.passphrase import open_change_passphrase

        open_change_passphrase(self.ctx, self)

    @Slot()
    def _on_recovery_action_triggered(self) -> None:
        from consuldesk.ui.dialogs.recovery import open_recovery_key

        open_recovery_key(self.ctx, self)

    @Slot()
    def _on_encrypt_action_triggered(self) -> None:
        if self._encrypt_action.isEnabled():
            self.open_encrypt()

    def close_casefile(self) -> None:
        """Let go of the case file for work that replaces it on disk (encryption): no more
        scheduled backups, the pages and menus rest, background work is waited for, and the
        file is closed. :meth:`reopen` gives it back."""
        self._backup_timer.stop()
        self._elsewhere_timer.stop()
        self.nav.setEnabled(False)
        self.pages.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.ctx.tasks.wait()
        self.ctx.desk.close()

    def reopen(self, desk: Desk) -> None:
        """Show ``desk`` (this case file opened again) in place of the one closed: every page
        reads it from the context, and reloads what it shows."""
        from consuldesk.ui.context import everything_changed

        self.ctx.desk = desk
        self.nav.setEnabled(True)
        self.pages.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.show_access()
        self._show_lock_state()
        self._backup_timer.start()
        desk.casefile.written_elsewhere()
        self._elsewhere_timer.start()
        self.ctx.events.changed.emit(everything_changed())

    def _restore_geometry(self) -> None:
        self._first_size: tuple[int, int] | None = None  # the size given on a first start
        settings = self.ctx.settings
        if settings is not None and (geometry := settings.value("main/geometry")):
            self.restoreGeometry(geometry)
        else:
            # The first time, as large as suits the list, never larger than the screen (a
            # 1024 × 700 laptop shows its status bar: the officer, "Not encrypted").
            screen = self.screen().availableGeometry() if self.screen() else None
            width = min(1280, screen.width()) if screen else 1280
            height = min(760, screen.height()) if screen else 760
            self.resize(width, height)
            # The title bar comes on top of that, once the window manager has framed the
            # window: then the window is made to fit, frame and all.
            self._first_size = (width, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_size is not None:
            QTimer.singleShot(300, self._fit_first_window)

    def _fit_first_window(self) -> None:
        first, self._first_size = self._first_size, None
        if first == (self.width(), self.height()):  # not sized by anyone since
            self.fit_frame_to_screen()

    def fit_frame_to_screen(self) -> None:
        """Shrink and move the window so that its frame (title bar included) is on the
        screen's free area: a 1024 × 700 laptop shows the status bar on the first start."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), screen.width() - extra_w)
        height = min(self.height(), screen.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not screen.contains(frame):
            self.move(
                max(screen.left(), min(frame.left(), screen.right() - frame.width() + 1)),
                max(screen.top(), min(frame.top(), screen.bottom() - frame.height() + 1)),
            )

    def _last_page(self) -> int:
        """The page open when the window was last closed (the nationals list the first time).

        Stored by name, so adding a page never reopens another; a number stored by an older
        version is read in that version's order.
        """
        settings = self.ctx.settings
        value = str(settings.value("main/page", "") or "") if settings is not None else ""
        if value.isdigit() and int(value) < len(_PAGES_BEFORE_EVACUATION):
            value = _PAGES_BEFORE_EVACUATION[int(value)]
        return PAGE_KEYS.index(value) if value in PAGE_KEYS else 0

    @Slot()
    def _on_backup_timer_timeout(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: take_backup(desk, "scheduled"),
            self._on_backup_done,
            self._on_backup_failed,
        )

    @Slot()
    def _on_elsewhere_timer_timeout(self) -> None:
        """Another process wrote to the case file: every page shows it as it is now (they
        keep what the officer is typing), and the status bar says why the lists moved."""
        if not self.pages.isEnabled() or not self.ctx.desk.casefile.written_elsewhere():
            return
        from consuldesk.ui.context import everything_changed

        self.ctx.events.changed.emit(everything_changed())
        said = _("Changed outside this window (by the command line or another window): shown anew.")
        self.statusBar().showMessage(said, 8_000)

        def with_conflicts(n: int) -> None:  # a bundle imported elsewhere may have queued some
            if n:
                self.statusBar().showMessage(said + " " + self._conflicts_sentence(n), 15_000)

        self.count_conflicts(with_conflicts)

    def count_conflicts(self, then: Callable[[int], object] | None = None) -> None:
        """Count the sync conflicts waiting for an officer (in the background), mark the Sync
        page in the navigation while there are any, then ``then(count)``."""
        from consuldesk.services.stats import open_conflicts

        desk = self.ctx.desk

        def counted(n: int) -> None:
            if not isValid(self):
                return
            item = self.nav.item(self._sync_row)
            font = item.font()
            font.setBold(n > 0)
            item.setFont(font)
            item.setToolTip(self._conflicts_sentence(n) if n else "")
            if then is not None:
                then(n)

        self.ctx.tasks.run(lambda: open_conflicts(desk), counted, lambda _exc: None)

    @staticmethod
    def _conflicts_sentence(n: int) -> str:
        return ngettext(
            "{n} sync conflict waits for a decision on the Sync page.",
            "{n} sync conflicts wait for a decision on the Sync page.",
            n,
        ).format(n=n)

    def _on_backup_done(self, path: object) -> None:
        name = getattr(path, "name", str(path))
        self.statusBar().showMessage(_("Backup taken: {name}").format(name=name), 10_000)

    def _on_backup_failed(self, exc: BaseException) -> None:
        # Said where it stays in view until read: a backup that no longer happens matters.
        self.statusBar().showMessage(_("No backup could be taken: {why}").format(why=describe(exc)))
        if getattr(exc, "code", "") == "backup.source_damaged":
            # The file was damaged since it was opened (a failing disk): as at start.
            found = str(getattr(exc, "params", {}).get("problem", ""))
            desk = self.ctx.desk

            def work() -> tuple[str, BackupRow | None]:
                desk.casefile.refuse_writes(found)
                return found, newest_sound_backup(desk.path, desk.casefile.key)

            self.ctx.tasks.run(work, self._on_integrity_checked, self._on_integrity_check_failed)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._backup_timer.stop()
        self._elsewhere_timer.stop()
        self.window_lock.stop()
        if self.ctx.settings is not None:
            self.ctx.settings.setValue("main/geometry", self.saveGeometry())
            row = self.nav.currentRow()
            self.ctx.settings.setValue("main/page", PAGE_KEYS[row] if row >= 0 else PAGE_KEYS[0])
        self.ctx.tasks.wait()
        super().closeEvent(event)
