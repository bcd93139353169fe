"""What every page and dialog of the window needs, passed down explicitly (no singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Signal

from consuldesk.services.desk import Desk
from consuldesk.ui.tasks import TaskRunner


class CaseFileEvents(QObject):
    """Tells open pages that the case file changed, so they refresh what they show.

    Signals:
        changed(object): a :class:`consuldesk.store.db.ChangeSet` from a use case.
    """

    changed = Signal(object)


@dataclass
class AppContext:
    """The open case file, the background task runner, settings and change notifications."""

    desk: Desk
    tasks: TaskRunner
    events: CaseFileEvents
    settings: QSettings | None = None
