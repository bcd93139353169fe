"""Writing a planned import in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from consuldesk.domain.enums import HouseholdKind
from consuldesk.domain.review import review_to_json
from consuldesk.services.desk import CancelFlag, Progress
from consuldesk.services.lists.base import ParsedList
from consuldesk.services.lists.checking import _Row
from consuldesk.services.lists.plan import _chunks, _new_key, _Plan
from consuldesk.store.db import Tx
from consuldesk.store.models import DuplicateCandidate, Household, HouseholdMember, National

# -- writing -------------------------------------------------------------------------------


def _insert_values(row: _Row) -> dict[str, Any]:
    f = row.fields
    values = {k: v for k, v in f.__dict__.items() if v is not None}  # cleaned: no "" left
    if f.phones:
        values["phones"] = list(f.phones)
    if f.sex is not None:
        values["sex"] = f.sex.value
    values["presence_status"] = f.presence_status.value
    values["source"] = f.source.value
    if row.review:
        values["review"] = review_to_json(row.review)
    if row.keys is not None and row.keys_of is f:  # computed with the check, from these fields
        values["search_keys"], values["id_keys"], values["sort_name"] = row.keys
    return values


def _apply(
    tx: Tx, plan: _Plan, parsed: ParsedList, progress: Progress, cancel: CancelFlag
) -> dict[str, str]:
    """Write a plan in the open transaction ``tx``.

    The records the list creates are audited by one event for the import: the officer, the
    time, the list's file name and SHA-256, and their ids (each record holds its first
    values). Every change to a record on file keeps its own event with old and new values.

    Returns:
        The id each new record got, by its placeholder.
    """
    total = len(plan.new) + len(plan.updates)
    cancel.check()
    progress(0, total, "list.save")

    def inserted(done: int) -> None:  # every 5,000 rows
        cancel.check()
        progress(done, total, "list.save")

    ids = tx.insert_nationals(
        (_insert_values(row) for row in plan.new),
        count=len(plan.new),
        audited=False,
        progress=inserted,
    )
    new_ids = {_new_key(i): record_id for i, record_id in enumerate(ids)}
    done = len(ids)
    tx.audit_created(
        "national", list(new_ids.values()), "import", file=parsed.path.name, sha256=parsed.sha256
    )

    def real(key: str) -> str:
        return new_ids.get(key, key)

    for chunk in _chunks(list(plan.updates)):
        cancel.check()
        progress(done, total, "list.save")
        found = tx.session.execute(select(National).where(col(National.id).in_(chunk)))
        for n in found.scalars():
            tx.update(n, plan.updates[n.id])
        done += len(chunk)
    cancel.check()
    for gid, (name, operator) in plan.new_groups.items():
        kind = HouseholdKind.TOUR_GROUP.value
        group = Household(id=gid, name=name, kind=kind, tour_operator=operator)  # type: ignore[call-arg]
        tx.add(group)
    for hid, family in plan.new_families.items():
        household = Household(  # type: ignore[call-arg]
            id=hid,
            name=family.name,
            kind=HouseholdKind.FAMILY.value,
            list_key=family.list_key,
            head_id=real(family.head) if family.head else None,
        )
        tx.add(household)
    for chunk in _chunks(list(plan.household_updates)):
        for h in tx.session.execute(
            select(Household).where(col(Household.id).in_(chunk))
        ).scalars():
            values = plan.household_updates[h.id]
            tx.update(h, {k: real(v) if k == "head_id" else v for k, v in values.items()})
    tx.session.flush()
    for hid, national_id, relation in plan.members:
        member = HouseholdMember(household_id=hid, national_id=real(national_id), relation=relation)  # type: ignore[call-arg]
        tx.add(member)
    for chunk in _chunks(list(plan.member_updates)):
        found_members = tx.session.execute(
            select(HouseholdMember).where(col(HouseholdMember.id).in_(chunk))
        )
        for m in found_members.scalars():
            tx.update(m, plan.member_updates[m.id])
    for a, b, score in plan.flags:
        a, b = sorted((real(a), real(b)))
        tx.add(DuplicateCandidate(national_a_id=a, national_b_id=b, score=score))  # type: ignore[call-arg]
    progress(total, total, "list.save")
    return new_ids
