"""What every page and dialog of the window needs, passed down explicitly (no singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Signal

from consuldesk.i18n import language
from consuldesk.services.desk import Desk
from consuldesk.store.db import ChangeSet
from consuldesk.ui.tasks import TaskRunner

#: Settings key of the language printed after English on manifests, slips and reports.
PRINT_LANGUAGE_KEY = "print_language"
PRINT_LANGUAGES = ("kk", "ru")


class CaseFileEvents(QObject):
    """Tells open pages that the case file changed, so they refresh what they show.

    Signals:
        changed(object): a :class:`consuldesk.store.db.ChangeSet` from a use case.
    """

    changed = Signal(object)


def everything_changed() -> ChangeSet:
    """A change set naming every table: each page reloads all it shows (the case file was
    opened again, encrypted or restored)."""
    from sqlmodel import SQLModel

    import consuldesk.store.models  # noqa: F401  (the tables, registered on the metadata)

    return ChangeSet(updated={name: set() for name in SQLModel.metadata.tables})


@dataclass
class AppContext:
    """The open case file, the background task runner, settings and change notifications."""

    desk: Desk
    tasks: TaskRunner
    events: CaseFileEvents
    settings: QSettings | None = None

    def print_language(self) -> str:
        """The second language of printed documents: the setting, else Kazakh for a Kazakh
        window and Russian otherwise."""
        stored = str(self.settings.value(PRINT_LANGUAGE_KEY, "") or "") if self.settings else ""
        if stored in PRINT_LANGUAGES:
            return stored
        return "kk" if language() == "kk" else "ru"
