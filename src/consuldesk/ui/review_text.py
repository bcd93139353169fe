"""Words for values set aside for review, shared by the person card and the list of nationals."""

from __future__ import annotations

from collections.abc import Sequence

from consuldesk.domain.review import ReviewItem
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe_code, field_label


def review_reason(item: ReviewItem) -> str:
    """Why the value was set aside, as a sentence (the value substituted)."""
    # The item's own parameters win: some codes carry a ``value`` of their own.
    return describe_code(item.code, item.field, **{"value": item.value, **item.params})


def review_origin(item: ReviewItem) -> str:
    """Where the value came from: the list's file name and line, as far as known."""
    if item.source and item.line is not None:
        return _("{source}, line {line}").format(source=item.source, line=item.line)
    if item.source:
        return item.source
    if item.line is not None:
        return _("line {line}").format(line=item.line)
    return ""


def review_value(item: ReviewItem) -> str:
    """The value as it was given, quoted (a dash when it was empty)."""
    return f"“{item.value}”" if item.value else "—"


def review_summary(items: Sequence[ReviewItem]) -> str:
    """A tooltip: how many values need review, then one line per value (field and value)."""
    head = ngettext(
        "Needs review: {n} value set aside", "Needs review: {n} values set aside", len(items)
    ).format(n=len(items))
    lines = [f"{field_label(item.field)}: {review_value(item)}" for item in items]
    return "\n".join([head, *lines])


__all__ = ["review_origin", "review_reason", "review_summary", "review_value"]
