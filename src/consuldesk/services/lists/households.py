"""The tour groups and families a list's rows join: found on file by name and operator or by
the list's family value, or created; roles from the relation column. Nothing is moved silently:
what disagrees with the case file is set aside for review."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from consuldesk.domain.enums import HouseholdKind
from consuldesk.domain.names import folded, latin_key, words
from consuldesk.domain.review import ReviewItem
from consuldesk.services.lists.checking import _Row
from consuldesk.services.lists.plan import _chunks, _Family, _is_new, _Plan, _set_aside
from consuldesk.services.lists.values import family_key, is_family_code
from consuldesk.store.models import Household, HouseholdMember, National, new_id


def _group_key(name: str, operator: str | None) -> tuple[str, str]:
    return folded(name), folded(operator)


def _plan_groups(session: Session, plan: _Plan, rows: list[_Row]) -> None:
    """Tour groups: found by name and tour operator, or created; everyone on a row joins."""
    ht = Household.__table__  # type: ignore[attr-defined]
    mt = HouseholdMember.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, str], str] = {}
    for gid, name, operator in session.execute(
        select(ht.c.id, ht.c.name, ht.c.tour_operator)
        .where(ht.c.kind == HouseholdKind.TOUR_GROUP.value, ht.c.deleted_at.is_(None))
        .order_by(ht.c.created_at)
    ):
        groups.setdefault(_group_key(name, operator), gid)
    members: set[tuple[str, str]] = set()
    existing = sorted(set(groups.values()))
    for chunk in _chunks(existing):
        members.update(
            (h, n)
            for h, n in session.execute(
                select(mt.c.household_id, mt.c.national_id).where(
                    mt.c.household_id.in_(chunk), mt.c.deleted_at.is_(None)
                )
            )
        )
    for row in rows:
        national_id = plan.targets[row.index]
        name = " ".join((row.group or "").split())
        operator = " ".join(row.operator.split()) if row.operator else None
        key = _group_key(name, operator)
        gid = groups.get(key)
        if gid is None:
            gid = groups[key] = new_id()
            plan.new_groups[gid] = (name, operator)
        if (gid, national_id) not in members:
            members.add((gid, national_id))
            plan.members.append((gid, national_id, "member"))


def _plan_families(
    session: Session, plan: _Plan, state: dict[str, dict[str, Any]], rows: list[_Row]
) -> None:
    """Families from a family column: rows with the same value are one family.

    A family is the one a list named by the same value before, else the family an officer made
    by hand for some of its people (one with no list value yet), else a new one (named by the
    value, or after its head's surname when the value is a code such as "12"). A code is the
    list's own numbering (every operator counts 1, 2, 3…): it finds a family named by it before
    only when that family holds someone of this one already (the same list sent again) or one
    of its surnames (Қасымова Іңкәр, listed later, joins Қасымов (12)). The relation
    column gives roles; the first "head" becomes the head. Nothing is moved silently: a person
    in another family stays there, a role that differs from the one on file stays, and both
    are set aside for review.
    """
    ht = Household.__table__  # type: ignore[attr-defined]
    mt = HouseholdMember.__table__  # type: ignore[attr-defined]
    by_key: dict[str, list[_Row]] = {}
    for row in rows:
        by_key.setdefault(family_key(row.family or ""), []).append(row)
    families: dict[str, dict[str, Any]] = {}  # household id -> id, name, head_id, list_key
    by_list_key: dict[str, str] = {}
    for chunk in _chunks(sorted(by_key)):
        for r in session.execute(
            select(ht.c.id, ht.c.name, ht.c.head_id, ht.c.list_key)
            .where(
                ht.c.kind == HouseholdKind.FAMILY.value,
                ht.c.deleted_at.is_(None),
                ht.c.list_key.in_(chunk),
            )
            .order_by(ht.c.created_at, ht.c.id)
        ):
            families[r.id] = dict(r._mapping)
            by_list_key.setdefault(r.list_key, r.id)
    on_file = sorted({plan.targets[r.index] for r in rows if not _is_new(plan.targets[r.index])})
    family_of: dict[str, str] = {}  # national id -> their family
    membership: dict[tuple[str, str], tuple[str, str | None]] = {}  # -> member id, relation
    for chunk in _chunks(on_file):
        for r in session.execute(
            select(
                mt.c.id,
                mt.c.household_id,
                mt.c.national_id,
                mt.c.relation,
                ht.c.name,
                ht.c.head_id,
                ht.c.list_key,
            )
            .join(ht, ht.c.id == mt.c.household_id)
            .where(
                mt.c.national_id.in_(chunk),
                mt.c.deleted_at.is_(None),
                ht.c.deleted_at.is_(None),
                ht.c.kind == HouseholdKind.FAMILY.value,
            )
        ):
            family_of[r.national_id] = r.household_id
            membership[(r.household_id, r.national_id)] = (r.id, r.relation)
            families.setdefault(
                r.household_id,
                {"name": r.name, "head_id": r.head_id, "list_key": r.list_key},
            )
    added: set[tuple[str, str]] = set()

    def aside(
        row: _Row, national_id: str, field: str, code: str, value: str, params: dict[str, Any]
    ) -> None:
        item = ReviewItem(field, code, value, params, row.fields.source_ref, row.line)
        _set_aside(plan, state, row, national_id, item)

    named_by: dict[str, list[str]] = {}  # a code -> the families named by it, oldest first
    for h, f in families.items():
        if f["list_key"] and is_family_code(f["list_key"]):
            named_by.setdefault(f["list_key"], []).append(h)
    surnames = _surnames_of(session, [h for hs in named_by.values() for h in hs])
    for key, members in by_key.items():
        hid = by_list_key.get(key)
        if hid is not None and is_family_code(members[0].family or ""):
            # Family "12" of another operator's list is other people: another family.
            theirs = {family_of.get(plan.targets[r.index]) for r in members}
            stems = set().union(*(_surname_stems(r.fields) for r in members))
            candidates = named_by.get(key, [])
            hid = next(
                (h for h in candidates if h in theirs),
                next((h for h in candidates if surnames.get(h, set()) & stems), None),
            )
        if hid is None:
            # A family an officer made by hand for these people: the list's value joins it.
            known = {f for f in (family_of.get(plan.targets[r.index]) for r in members) if f}
            if len(known) == 1 and not families[next(iter(known))]["list_key"]:
                hid = known.pop()
                plan.household_updates.setdefault(hid, {})["list_key"] = key
                families[hid]["list_key"] = key
        if hid is None:
            hid = new_id()
            value = " ".join((members[0].family or "").split())
            named = next((r for r in members if r.relation == "head"), members[0])
            plan.new_families[hid] = _Family(_family_name(value, named), key)
            families[hid] = {"name": plan.new_families[hid].name, "head_id": None, "list_key": key}
        family = families[hid]
        for row in members:
            national_id = plan.targets[row.index]
            other = family_of.get(national_id)
            if other is not None and other != hid:
                aside(
                    row,
                    national_id,
                    "household",
                    "list.family_other",
                    row.family or "",
                    {"household": families[other]["name"]},
                )
                continue
            relation = row.relation
            if relation == "head":
                if family["head_id"] in (None, national_id):
                    family["head_id"] = national_id
                    if hid in plan.new_families:
                        plan.new_families[hid].head = national_id
                    else:
                        plan.household_updates.setdefault(hid, {})["head_id"] = national_id
                else:
                    aside(
                        row,
                        national_id,
                        "relation",
                        "list.second_head",
                        row.relation_text or "head",
                        {"household": family["name"]},
                    )
                    relation = None
            existing = membership.get((hid, national_id))
            if existing is None:
                if (hid, national_id) not in added:
                    added.add((hid, national_id))
                    family_of[national_id] = hid
                    plan.members.append((hid, national_id, relation))
            elif relation and existing[1] != relation:
                if not existing[1]:
                    plan.member_updates[existing[0]] = {"relation": relation}
                else:
                    aside(
                        row,
                        national_id,
                        "relation",
                        "list.relation_differs",
                        row.relation_text or relation,
                        {"kept": existing[1]},
                    )


def _surnames_of(session: Session, household_ids: list[str]) -> dict[str, set[str]]:
    """The surname stems (:func:`_surname_stems`) of each household's live members."""
    ht = HouseholdMember.__table__  # type: ignore[attr-defined]
    nt = National.__table__  # type: ignore[attr-defined]
    found: dict[str, set[str]] = {}
    for chunk in _chunks(sorted(household_ids)):
        for hid, cyr, lat in session.execute(
            select(ht.c.household_id, nt.c.surname_cyr, nt.c.surname_lat)
            .join(nt, nt.c.id == ht.c.national_id)
            .where(ht.c.household_id.in_(chunk), ht.c.deleted_at.is_(None))
        ):
            found.setdefault(hid, set()).update(_stems(cyr, lat))
    return found


def _surname_stems(fields: Any) -> set[str]:
    return _stems(fields.surname_cyr, fields.surname_lat)


#: Endings a family's surnames differ by: a wife's and a daughter's -а (Қасымов, Қасымова),
#: a son's and a daughter's -ұлы and -қызы.
_ENDINGS = re.compile(r"(a|uli|kizi)$")


def _stems(*surnames: str | None) -> set[str]:
    """Each word of the surnames as a loose Latin key without the ending a family's surnames
    differ by: Қасымов, Қасымова and KASSYMOVA all give the same stem."""
    return {
        _ENDINGS.sub("", latin_key(word))
        for surname in surnames
        for word in words(surname)
        if len(word) > 2
    }


def _family_name(value: str, row: _Row) -> str:
    """A new family's name: the list's value, or its head's surname with a value that is a
    code ("Қасымов (12)")."""
    if not is_family_code(value):
        return value
    f = row.fields
    surname = f.surname_cyr or f.surname_lat or ""
    return f"{surname} ({value})" if value else surname
