"""Times as the window shows them: local, short, and how long ago."""

from __future__ import annotations

from datetime import UTC, datetime

from consuldesk.i18n import _, ngettext


def local_time(value: datetime | None) -> str:
    """``dd.mm.yyyy HH:MM`` in the computer's time zone; ``—`` for none."""
    return value.astimezone().strftime("%d.%m.%Y %H:%M") if value else "—"


def ago(when: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "3 hours ago", "2 days ago"."""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        n = max(0, int(seconds // 60))
        return ngettext("{n} minute ago", "{n} minutes ago", n).format(n=n)
    if seconds < 2 * 86400:
        n = int(seconds // 3600)
        return ngettext("{n} hour ago", "{n} hours ago", n).format(n=n)
    n = int(seconds // 86400)
    return ngettext("{n} day ago", "{n} days ago", n).format(n=n)
