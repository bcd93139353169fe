"""Use cases about households: families and tour groups that travel together.

A person may belong to several households (a family and a tour group), but to at most one
family at a time: moving someone to another family means removing them from the first.

Relations are said relative to the head (:class:`~consuldesk.domain.enums.Relation`). A
household has at most one head, who is both ``Household.head_id`` and the one membership whose
relation is ``head``; the two never disagree after a write here. Making another member the head
keeps the former head as a member (nobody is lost), with the inverse relation where there is
one (a wife made head: her husband becomes her spouse; an adult son: his father becomes his
parent), else with no relation given, for the officer to say; the other members' relations are
said again relative to the new head (a son made head: his sister becomes "other", his mother his
parent), or left not given where nothing follows. The head cannot simply be demoted: another
member is made head instead, so a household that has a head keeps one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from consuldesk.domain.enums import HouseholdKind, Relation, Vulnerability
from consuldesk.domain.names import (
    cyr_key,
    display_name,
    name_search_keys,
    numbered_key,
    word_keys,
    words,
)
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.nationals import family_label, live_national, to_rows
from consuldesk.services.views import HouseholdListRow, HouseholdRow, MemberRow, Written
from consuldesk.store.db import ChangeSet, Tx, get_live
from consuldesk.store.models import Household, HouseholdMember, National

__all__ = [
    "add_member",
    "create_household",
    "delete_household",
    "get_household",
    "list_households",
    "remove_member",
    "rename_household",
    "set_head",
    "set_relation",
    "update_household",
]


# -- helpers -------------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _clean_name(name: str) -> str:
    cleaned = _clean(name)
    if cleaned is None:
        raise ServiceError("household.name", "name")
    return cleaned


def national_name(n: National) -> str:
    """The name to show for a stored national (Cyrillic when known), as ``NationalRow.name``."""
    return display_name(n.surname_cyr, n.given_names_cyr, n.patronymic_cyr) or display_name(
        n.surname_lat, n.given_names_lat
    )


def live_household(session: Session, household_id: str) -> Household:
    """A household that exists and is not deleted.

    Raises:
        NotFound: no such live household.
    """
    return get_live(session, Household, household_id)


def _memberships(session: Session, household_id: str) -> list[HouseholdMember]:
    """Live memberships of a household whose national is live."""
    query = (
        select(HouseholdMember)
        .join(National, col(National.id) == col(HouseholdMember.national_id))
        .where(
            col(HouseholdMember.household_id) == household_id,
            col(HouseholdMember.deleted_at).is_(None),
            col(National.deleted_at).is_(None),
        )
    )
    return list(session.exec(query).all())


def _membership(session: Session, household_id: str, national_id: str) -> HouseholdMember | None:
    query = select(HouseholdMember).where(
        col(HouseholdMember.household_id) == household_id,
        col(HouseholdMember.national_id) == national_id,
        col(HouseholdMember.deleted_at).is_(None),
    )
    return session.exec(query).first()


def _other_family(session: Session, national_id: str, household_id: str) -> Household | None:
    """The live family (other than ``household_id``) ``national_id`` belongs to, if any."""
    query = (
        select(Household)
        .join(HouseholdMember, col(HouseholdMember.household_id) == col(Household.id))
        .where(
            col(HouseholdMember.national_id) == national_id,
            col(HouseholdMember.deleted_at).is_(None),
            col(Household.deleted_at).is_(None),
            col(Household.kind) == HouseholdKind.FAMILY.value,
            col(Household.id) != household_id,
        )
    )
    return session.exec(query).first()


def _check_family(session: Session, household_id: str, kind: str, national_id: str) -> None:
    """Refuse a second family for a national (``household.already_in_family``)."""
    if kind != HouseholdKind.FAMILY.value:
        return
    other = _other_family(session, national_id, household_id)
    if other is not None:
        raise ServiceError(
            "household.already_in_family",
            "national_id",
            household=family_label(session, other),
            household_id=other.id,
            national_id=national_id,
        )


#: What the former head becomes when a member is made head: the inverse of the new head's
#: relation to them. Any other relation leaves the former head's relation not given.
_FORMER_HEAD = {
    Relation.SPOUSE: Relation.SPOUSE,
    Relation.CHILD: Relation.PARENT,
    Relation.PARENT: Relation.CHILD,
}


_S, _C, _P, _O = Relation.SPOUSE, Relation.CHILD, Relation.PARENT, Relation.OTHER
#: What another member becomes when a member is made head: by (the new head's relation to the
#: former head, the member's relation to the former head). A sibling, a grandparent or an
#: in-law is "other" (the relations have no finer word); a pair not here is not given, for
#: the officer to say.
_RESAID = {
    (_S, _C): _C,  # the head's wife made head: their children stay her children
    (_S, _P): _O,  # a parent-in-law
    (_C, _C): _O,  # a sibling
    (_C, _S): _P,  # a son made head: his mother (his father's wife) is his parent
    (_C, _P): _O,  # a grandparent
    (_P, _C): _O,  # a grandchild
    (_P, _S): _O,  # a child-in-law
    (_P, _P): _S,  # the head's other parent: the new head's spouse
}


def _relation(value: Relation | str | None) -> Relation | None:
    """A relation from a value or its name; ``None`` (or blank) is "not given".

    Raises:
        ServiceError: ``household.relation`` for anything else.
    """
    if value is None or not str(value).strip():
        return None
    try:
        return Relation(str(value).strip().lower())
    except ValueError:
        raise ServiceError("household.relation", "relation", value=str(value)) from None


def _known(relation: str | None) -> Relation | None:
    """A stored relation, when it is one of :class:`Relation` (old files hold free text)."""
    if relation is None or relation not in Relation._value2member_map_:
        return None
    return Relation(relation)


def _make_head(tx: Tx, household: Household, member: HouseholdMember) -> None:
    """Make ``member`` the head; the former head stays a member with the inverse relation,
    and the others' relations are said again relative to the new head (:data:`_RESAID`)."""
    known = _known(member.relation)
    former = _FORMER_HEAD.get(known) if known else None
    had_head = household.head_id is not None
    for other in _memberships(tx.session, household.id):
        if other.id == member.id:
            continue
        if other.national_id == household.head_id:
            tx.update(other, {"relation": former.value if former else None})
        elif other.relation == Relation.HEAD.value:  # a stray "head" (an old file): not given
            tx.update(other, {"relation": None})
        elif had_head and (theirs := _known(other.relation)) not in (None, _O):
            # Said relative to the former head, the relation no longer holds as it stands. (An
            # old file's free text is kept as written: it is not known what it was said of.)
            resaid = _RESAID.get((known, theirs)) if known is not None else None
            tx.update(other, {"relation": resaid.value if resaid else None})
    tx.update(member, {"relation": Relation.HEAD.value})
    tx.update(household, {"head_id": member.national_id})


def _add_membership(
    tx: Tx, household: Household, national_id: str, relation: Relation | str | None
) -> HouseholdMember:
    live_national(tx.session, national_id)
    if _membership(tx.session, household.id, national_id) is not None:
        raise ServiceError(
            "household.member_twice",
            "national_id",
            household=household.name,
            national_id=national_id,
        )
    _check_family(tx.session, household.id, household.kind, national_id)
    role = _relation(relation)
    if role == Relation.HEAD and household.head_id not in (None, national_id):
        head = tx.session.get(National, household.head_id)
        raise ServiceError(
            "household.second_head",
            "relation",
            household=household.name,
            head=national_name(head) if head is not None else "",
        )
    _check_ages(tx.session, household, national_id, role)
    relation = role.value if role else None
    member = HouseholdMember(  # type: ignore[call-arg]
        household_id=household.id, national_id=national_id, relation=relation
    )
    tx.add(member)
    tx.session.flush()
    if role == Relation.HEAD:
        tx.update(household, {"head_id": national_id})
    return member


def household_row(session: Session, household: Household, today: date) -> HouseholdRow:
    """The frozen row of a household with its members and their vulnerabilities."""
    memberships = {m.national_id: m for m in _memberships(session, household.id)}
    nationals = list(
        session.exec(select(National).where(col(National.id).in_(list(memberships)))).all()
    )
    nationals.sort(key=lambda n: (n.id != household.head_id, n.sort_name, n.seq))
    people = to_rows(session, nationals, today)

    def relation(national_id: str) -> str | None:
        if national_id == household.head_id:
            return Relation.HEAD.value
        stored = memberships[national_id].relation
        return None if stored == Relation.HEAD.value else stored  # a stray head: not given

    members = tuple(MemberRow(p, relation(p.id), p.id == household.head_id) for p in people)
    counts = Counter(flag for p in people for flag in p.vulnerabilities)
    return HouseholdRow(
        id=household.id,
        name=household.name,
        kind=household.kind,
        head_id=household.head_id,
        tour_operator=household.tour_operator,
        notes=household.notes,
        members=members,
        vulnerabilities={flag: counts[flag] for flag in Vulnerability if counts[flag]},
        updated_at=household.updated_at,
        version=household.version,
    )


# -- reading -------------------------------------------------------------------------------


def get_household(desk: Desk, household_id: str) -> HouseholdRow:
    """One household with its members.

    Raises:
        NotFound: no such live household.
    """
    with desk.casefile.read() as session:
        return household_row(session, live_household(session, household_id), desk.today())


def _matches(query_words: list[set[str]], keys: set[str]) -> bool:
    return all(any(k.startswith(q) for q in qkeys for k in keys) for qkeys in query_words)


def _main_city(cities: Counter[str] | None) -> str | None:
    """Where most members are (ties: the first by name); ``None`` when no city is known."""
    if not cities:
        return None
    return min(cities.items(), key=lambda pair: (-pair[1], pair[0]))[0]


def list_households(
    desk: Desk, kind: HouseholdKind | None = None, query: str | None = None
) -> list[HouseholdListRow]:
    """Live households sorted by name (then head and city), each with its head, size and main
    city (where most of its members are), which tell apart two households of the same name.

    Args:
        desk: the services' context.
        kind: only families or only tour groups.
        query: words that must each begin a word of the household's name, its tour operator
            or its head's name, in either script (``Касым`` finds ``Қасымовтар``).
    """
    with desk.casefile.read() as session:
        stmt = select(Household).where(col(Household.deleted_at).is_(None))
        if kind is not None:
            stmt = stmt.where(col(Household.kind) == kind.value)
        households = list(session.exec(stmt).all())
        # Members by household and city: the size, and where most of them are.
        counts: Counter[str] = Counter()
        cities: dict[str, Counter[str]] = {}
        for household_id, city, n in session.exec(
            select(HouseholdMember.household_id, National.city, func.count())
            .join(National, col(National.id) == col(HouseholdMember.national_id))
            .where(
                col(HouseholdMember.deleted_at).is_(None),
                col(National.deleted_at).is_(None),
            )
            .group_by(col(HouseholdMember.household_id), col(National.city))
        ).all():
            counts[household_id] += n
            if city:
                cities.setdefault(household_id, Counter())[city] += n
        head_ids = [h.head_id for h in households if h.head_id]
        heads = {
            n.id: n
            for n in session.exec(select(National).where(col(National.id).in_(head_ids))).all()
        }
    query_words = [word_keys(w) for w in words(query)]
    rows = []
    for h in households:
        head = heads.get(h.head_id) if h.head_id else None
        head_name = national_name(head) if head is not None else None
        if query_words and not _matches(
            query_words, name_search_keys([h.name, h.tour_operator, head_name])
        ):
            continue
        rows.append(
            HouseholdListRow(
                id=h.id,
                name=h.name,
                kind=h.kind,
                head_id=h.head_id,
                head_name=head_name or None,
                tour_operator=h.tour_operator,
                member_count=counts.get(h.id, 0),
                city=_main_city(cities.get(h.id)),
            )
        )
    # Two of one name ("Семья Қасымовых") by their heads, then city: as the page tells them apart.
    rows.sort(
        key=lambda r: (
            numbered_key(r.name),
            r.name,
            cyr_key(r.head_name or ""),
            cyr_key(r.city or ""),
            r.id,
        )
    )
    return rows


# -- writing -------------------------------------------------------------------------------


def create_household(
    desk: Desk,
    name: str,
    kind: HouseholdKind,
    head_id: str | None = None,
    tour_operator: str | None = None,
    notes: str | None = None,
    member_ids: Sequence[str] = (),
) -> Written[HouseholdRow]:
    """Create a household with its first members in one transaction.

    The head, when given, becomes a member too if ``member_ids`` does not name them.

    Raises:
        NotFound: a national does not exist.
        ServiceError: ``household.name`` (empty name), ``household.already_in_family``.
    """
    cleaned = _clean_name(name)
    ids = list(dict.fromkeys([*member_ids, *([head_id] if head_id else [])]))
    with desk.write() as tx:
        household = Household(  # type: ignore[call-arg]
            name=cleaned,
            kind=HouseholdKind(kind).value,
            head_id=head_id,
            tour_operator=_clean(tour_operator),
            notes=_clean(notes),
        )
        if head_id:
            live_national(tx.session, head_id)
        tx.add(household)
        tx.session.flush()
        for national_id in ids:
            _add_membership(
                tx, household, national_id, Relation.HEAD if national_id == head_id else None
            )
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def add_member(
    desk: Desk, household_id: str, national_id: str, relation: Relation | str | None = None
) -> Written[HouseholdRow]:
    """Add a national to a household, with their relation to its head (``head``: as its head,
    when it has none yet).

    Raises:
        NotFound: no such live household or national.
        ServiceError: ``household.relation`` (not a :class:`Relation`), ``household.second_head``
            (params ``household``, ``head``) for a second head,
            ``household.member_twice`` (already a member of this household),
            ``household.already_in_family`` (params ``household``, the other family's name, and
            ``household_id``) when adding to a family someone who is in another family.
    """
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        _add_membership(tx, household, national_id, relation)
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def _require_member(session: Session, household: Household, national_id: str) -> HouseholdMember:
    member = _membership(session, household.id, national_id)
    if member is None:
        raise ServiceError(
            "household.not_member", "national_id", household=household.name, national_id=national_id
        )
    return member


def remove_member(desk: Desk, household_id: str, national_id: str) -> Written[HouseholdRow]:
    """Remove a national from a household; removing the head leaves the household headless.

    Raises:
        NotFound: no such live household.
        ServiceError: ``household.not_member``.
    """
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        tx.delete(_require_member(tx.session, household, national_id))
        if household.head_id == national_id:
            tx.update(household, {"head_id": None})
        tx.session.flush()
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def set_head(desk: Desk, household_id: str, national_id: str | None) -> Written[HouseholdRow]:
    """Make a member the head of the household (``None``: no head).

    The same as :func:`set_relation` with ``head``; the former head stays a member.

    Raises:
        NotFound: no such live household.
        ServiceError: ``household.not_member``.
    """
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        if national_id is not None:
            _make_head(tx, household, _require_member(tx.session, household, national_id))
        else:
            for member in _memberships(tx.session, household.id):
                if member.relation == Relation.HEAD.value:
                    tx.update(member, {"relation": None})
            tx.update(household, {"head_id": None})
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def set_relation(
    desk: Desk, household_id: str, national_id: str, relation: Relation | str | None
) -> Written[HouseholdRow]:
    """Say how a member is related to the household's head (``None``: not given).

    ``head`` makes the member the head: the former head stays a member, with the inverse of
    the new head's relation to them where there is one (see the module's docstring). Nobody
    joins or leaves the household. Vulnerabilities in the returned row are computed afresh.

    Raises:
        NotFound: no such live household.
        ServiceError: ``household.not_member``; ``household.relation`` (not a relation);
            ``household.head_needed`` (params ``name``, ``household``) when the head would be
            left out without another member made head.
    """
    role = _relation(relation)
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        member = _require_member(tx.session, household, national_id)
        if role == Relation.HEAD:
            if household.head_id != national_id or member.relation != Relation.HEAD.value:
                _make_head(tx, household, member)
        elif national_id == household.head_id:
            head = live_national(tx.session, national_id)
            raise ServiceError(
                "household.head_needed",
                "relation",
                name=national_name(head),
                household=household.name,
            )
        else:
            _check_ages(tx.session, household, national_id, role)
            tx.update(member, {"relation": role.value if role else None})
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def _check_ages(
    session: Session, household: Household, national_id: str, role: Relation | None
) -> None:
    """Refuse a child born before the head, or a parent born after them
    (``household.relation_age``): a man of 74 made the child of a woman of 36 is a click on
    the wrong line, and the family's vulnerabilities would follow it."""
    if role not in (Relation.CHILD, Relation.PARENT) or household.head_id in (None, national_id):
        return
    head = session.get(National, household.head_id)
    person = session.get(National, national_id)
    if head is None or person is None or not (head.birth_date and person.birth_date):
        return
    if (role == Relation.CHILD) == (person.birth_date <= head.birth_date):
        raise ServiceError(
            "household.relation_age",
            "relation",
            name=national_name(person),
            born=person.birth_date.isoformat(),
            relation=role.value,
            head=national_name(head),
            head_born=head.birth_date.isoformat(),
        )


def update_household(
    desk: Desk,
    household_id: str,
    *,
    name: str,
    kind: HouseholdKind,
    tour_operator: str | None = None,
    notes: str | None = None,
) -> Written[HouseholdRow]:
    """Save the household's own fields (all of them, as a form submits them).

    Turning a tour group into a family is refused while one of its members is in another
    family.

    Raises:
        NotFound: no such live household.
        ServiceError: ``household.name``, ``household.already_in_family``.
    """
    cleaned = _clean_name(name)
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        if kind == HouseholdKind.FAMILY and household.kind != HouseholdKind.FAMILY.value:
            for member in _memberships(tx.session, household.id):
                _check_family(
                    tx.session, household.id, HouseholdKind.FAMILY.value, member.national_id
                )
        tx.update(
            household,
            {
                "name": cleaned,
                "kind": HouseholdKind(kind).value,
                "tour_operator": _clean(tour_operator),
                "notes": _clean(notes),
            },
        )
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def rename_household(desk: Desk, household_id: str, name: str) -> Written[HouseholdRow]:
    """Change only the household's name.

    Raises:
        NotFound: no such live household.
        ServiceError: ``household.name``.
    """
    cleaned = _clean_name(name)
    with desk.write() as tx:
        household = live_household(tx.session, household_id)
        tx.update(household, {"name": cleaned})
        row = household_row(tx.session, household, desk.today())
    return Written(row, tx.changes)


def delete_household(desk: Desk, household_id: str) -> ChangeSet:
    """Delete a household and its memberships (tombstones; the members stay on file).

    Raises:
        NotFound: no such live household.
    """
    with desk.write("delete") as tx:
        household = live_household(tx.session, household_id)
        for member in _live_memberships_any(tx.session, [household.id]):
            tx.delete(member)
        tx.delete(household)
    return tx.changes


def _live_memberships_any(session: Session, household_ids: Iterable[str]) -> list[HouseholdMember]:
    """Every live membership of the households, whatever the state of the national."""
    query = select(HouseholdMember).where(
        col(HouseholdMember.household_id).in_(list(household_ids)),
        col(HouseholdMember.deleted_at).is_(None),
    )
    return list(session.exec(query).all())
