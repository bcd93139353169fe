"""Use cases of an officer reviewing the values set aside from a record.

List import keeps a person whose value is doubtful and sets the value aside on the record
(:mod:`consuldesk.domain.review`). The officer then corrects the field on the person card
(:func:`consuldesk.services.nationals.update_national` settles its items in the same
transaction) or, having looked, marks what is left as reviewed (:func:`dismiss_review`). The list
of nationals narrows to the records that need review with
``NationalFilter(needs_review=True)``; :func:`consuldesk.services.stats.situation` counts them.
"""

from __future__ import annotations

from collections.abc import Collection

from consuldesk.domain.review import done_keys, review_from_json, review_to_json
from consuldesk.services.desk import Desk
from consuldesk.services.nationals import Saved, live_national, to_rows

#: The audit action of a review marked as done.
REVIEWED = "review"


def dismiss_review(desk: Desk, national_id: str, fields: Collection[str] | None = None) -> Saved:
    """Mark values set aside from a record as reviewed: they are dropped, in one transaction.

    The record keeps the values it holds; only the items go, remembered as settled (a list
    sent again with the same values does not set them aside again). The change is stamped and
    audited like any edit (action ``review``). Nothing is written when there is nothing to dismiss.

    Args:
        desk: the services' context.
        national_id: the record.
        fields: dismiss only the items of these fields (``iin``, ``phones``, ``household``,
            ``record``...); ``None``: every item.

    Returns:
        The row as it is now (its remaining ``review``) and the change set.

    Raises:
        NotFound: no such live national.
    """
    wanted = None if fields is None else set(fields)
    with desk.write() as tx:
        n = live_national(tx.session, national_id)
        items = review_from_json(n.review)
        kept = [] if wanted is None else [item for item in items if item.field not in wanted]
        if len(kept) != len(items):
            values = {
                "review": review_to_json(kept),
                "review_done": done_keys(n.review_done, items, kept),
            }
            tx.update(n, values, action=REVIEWED)
        row = to_rows(tx.session, [n], desk.today())[0]
    return Saved(row, tx.changes)


__all__ = ["REVIEWED", "dismiss_review"]
