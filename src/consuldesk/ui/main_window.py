"""The main window: the areas of work on the left, the page on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services.backups import take_backup
from consuldesk.services.desk import Desk
from consuldesk.services.views import RequestRow
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


class MainWindow(QMainWindow):
    """One case file: pages for nationals (and, as they are built, requests, hotels, overview)."""

    def __init__(self, desk: Desk, settings: QSettings | None = None) -> None:
        super().__init__()
        self.ctx = AppContext(desk, TaskRunner(self), CaseFileEvents(self), settings)
        post = desk.casefile.local_post()
        self.setWindowTitle(f"ConsulDesk — {post.name if post else desk.path.name}")

        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
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
        self.add_lazy_page(_("Audit trail"), self._build_audit)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar().addPermanentWidget(QLabel(str(desk.path)))

        self._find = QAction(_("Find a person"), self)
        self._find.setShortcut(QKeySequence.StandardKey.Find)
        self._new_person = QAction(_("New person"), self)
        self._new_person.setShortcut(QKeySequence.StandardKey.New)
        self._log_call = QAction(_("Log a hotline call…"), self)
        self._log_call.setShortcut(QKeySequence("Ctrl+L"))
        self._import = QAction(_("Import a list…"), self)
        self._import.setShortcut(QKeySequence("Ctrl+I"))
        self._export = QAction(_("Export a list…"), self)
        self._export.setShortcut(QKeySequence("Ctrl+E"))
        self._sitrep = QAction(_("Situation report for headquarters…"), self)
        self._sitrep.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self._roster = QAction(_("Hotel roster…"), self)
        self._audit = QAction(_("Audit trail"), self)
        self._audit.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self._audit.setToolTip(_("Who changed, exported, printed or sent what, and when"))
        self._settings_action = QAction(_("Settings…"), self)
        self._settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self._quit = QAction(_("Quit"), self)
        self._quit.setShortcut(QKeySequence.StandardKey.Quit)
        # A copy every few hours while the window is open (issue 11): a day's work is never
        # more than one interval from a backup, whatever happens to the file.
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_EVERY_MS)
        self._build_menus()
        self._connect_signals()
        self._backup_timer.start()
        self._restore_geometry()
        self.nav.setCurrentRow(self._last_page())

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
        case_file.addAction(self._audit)
        case_file.addSeparator()
        case_file.addAction(self._settings_action)
        case_file.addSeparator()
        case_file.addAction(self._quit)
        people = self.menuBar().addMenu(_("&People"))
        people.addActions([self._find, self._new_person, self._log_call])
        reports = self.menuBar().addMenu(_("&Reports"))
        reports.addActions([self._sitrep, self._roster])

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
        self._log_call.triggered.connect(self._on_log_call_triggered)
        self._import.triggered.connect(self._on_import_triggered)
        self._export.triggered.connect(self._on_export_triggered)
        self._quit.triggered.connect(self.close)
        self._settings_action.triggered.connect(self._on_settings_triggered)
        self._find.triggered.connect(self._on_find_triggered)
        self._new_person.triggered.connect(self._on_new_person_triggered)
        self._sitrep.triggered.connect(self._on_sitrep_triggered)
        self._roster.triggered.connect(self._on_roster_triggered)
        self._audit.triggered.connect(self._on_audit_triggered)

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
    def _on_roster_triggered(self) -> None:
        from consuldesk.ui.dialogs.print_report import open_report

        open_report(self.ctx, "roster", self)

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
        self.nationals_page.open_card(None)

    def _restore_geometry(self) -> None:
        settings = self.ctx.settings
        if settings is not None and (geometry := settings.value("main/geometry")):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)

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

    def _on_backup_done(self, path: object) -> None:
        name = getattr(path, "name", str(path))
        self.statusBar().showMessage(_("Backup taken: {name}").format(name=name), 10_000)

    def _on_backup_failed(self, exc: BaseException) -> None:
        # Said where it stays in view until read: a backup that no longer happens matters.
        self.statusBar().showMessage(_("No backup could be taken: {why}").format(why=describe(exc)))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._backup_timer.stop()
        if self.ctx.settings is not None:
            self.ctx.settings.setValue("main/geometry", self.saveGeometry())
            row = self.nav.currentRow()
            self.ctx.settings.setValue("main/page", PAGE_KEYS[row] if row >= 0 else PAGE_KEYS[0])
        self.ctx.tasks.wait()
        super().closeEvent(event)
