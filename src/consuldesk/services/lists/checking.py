"""Checking rows: every cell read into a national's fields and validated."""

from __future__ import annotations

import dataclasses
import functools
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from consuldesk.domain.dates import parse_date
from consuldesk.domain.duplicates import NameFacts, same_person
from consuldesk.domain.enums import PresenceStatus, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.names import display_name, full_name_key, is_cyrillic, is_latin
from consuldesk.domain.national import NationalFields, clean_national_keeping, set_aside_field
from consuldesk.domain.phone import split_phones
from consuldesk.domain.review import ReviewItem, value_text
from consuldesk.services.desk import CancelFlag, Progress
from consuldesk.services.lists import parallel
from consuldesk.services.lists.base import (
    NOTE,
    REFUSED,
    CellValue,
    ParsedList,
    _cell_text,
    without_formula_guard,
)
from consuldesk.services.lists.values import (
    _add_note,
    _parse_nationality,
    _parse_relation,
    _parse_sex,
    _parse_status,
    _parse_yes_no,
    _put_name,
    _split_full,
)
from consuldesk.store.search import national_id_keys, national_search_keys, national_sort_name

# -- row parsing ---------------------------------------------------------------------------

_Handler = Callable[[CellValue, dict[str, Any], list[ValidationError]], None]


# Fields whose cells are taken as they are (stripped); clean_national checks them.
_PLAIN_TEXT = {
    "iin", "passport_no", "email", "messenger", "host_country", "city", "medical_condition",
    "mobility_needs", "group", "tour_operator", "record_id", "household",
}  # fmt: skip


def _handler(target: str) -> _Handler:
    """The function that reads one (non-empty) cell of a column into the row's values.

    Values that lists repeat (dates, sex, status, yes/no, the script of a name) are parsed once
    per import and remembered.
    """
    memo: dict[CellValue, Any] = {}

    def memoised(parse: Callable[[Any], Any], as_text: bool) -> _Handler:
        def handle(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
            try:
                result = memo[v]
            except KeyError:
                try:
                    result = parse(_cell_text(v) if as_text else v)
                except ValidationError as exc:
                    result = exc
                memo[v] = result
            if result is None:
                return
            if type(result) is ValidationError:
                errs.append(result)
            else:
                out[target] = result

        return handle

    def text(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
            out[target] = s

    cyr_key, lat_key = f"{target}_cyr", f"{target}_lat"

    def routed(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
            key = memo.get(s)
            if key is None:
                key = memo[s] = cyr_key if is_cyrillic(s) else lat_key
            if key in out:
                _put_name(out, errs, key, s)
            else:
                out[key] = s

    role = memoised(_parse_relation, as_text=True)

    def relation(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        role(v, out, errs)
        if "relation" in out:  # what a role set aside is shown as: the list's own word
            out["relation_text"] = v.strip() if type(v) is str else _cell_text(v)

    wants_cyrillic = target.endswith("_cyr")
    other_script = target[:-4] + ("_lat" if wants_cyrillic else "_cyr")

    def explicit_name(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
            # "Иванов" under "Фамилия (лат.)" is the Cyrillic surname: said once, in one place.
            if is_cyrillic(s) != wants_cyrillic and (is_cyrillic(s) or is_latin(s)):
                _put_name(out, errs, other_script, s)
            else:
                _put_name(out, errs, target, s)

    def patronymic(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if not s.strip("-. "):
            return  # "-" for "none"
        if is_cyrillic(s):
            _put_name(out, errs, "patronymic_cyr", s)
        else:
            _add_note(out, f"Patronymic: {s}")  # no Latin patronymic field; keep it readable

    def full(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        for key, part in _split_full(s, target == "full_name_lat").items():
            out.setdefault(key, part)  # separate name columns win

    def a_date(value: CellValue) -> date | None:
        return parse_date(value, target)

    def consent(value: CellValue) -> date | bool | None:
        # A date, or a yes (given, on the day of the import: True until the row is read).
        if isinstance(value, date):
            return value
        s = _cell_text(value).strip()
        try:
            return _parse_yes_no(s)
        except ValidationError:  # (its code names pregnancy) neither yes nor no: a date?
            try:
                return parse_date(s, "consent_date")
            except ValidationError:
                raise ValidationError("list.consent", "consent_date", value=s) from None

    def phones(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        found = split_phones(v if type(v) is str else _cell_text(v))
        if found:
            out.setdefault("phones", []).extend(found)

    def notes(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
            _add_note(out, s)

    def address(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
            old = out.get("address")
            out["address"] = f"{old}, {s}" if old else s

    handlers: dict[str, _Handler] = {
        "surname": routed,
        "given_names": routed,
        "patronymic": patronymic,
        "surname_lat": explicit_name,
        "given_names_lat": explicit_name,
        "surname_cyr": explicit_name,
        "given_names_cyr": explicit_name,
        "full_name": full,
        "full_name_lat": full,
        "birth_date": memoised(a_date, as_text=False),
        "passport_expiry": memoised(a_date, as_text=False),
        "sex": memoised(_parse_sex, as_text=True),
        "pregnant": memoised(_parse_yes_no, as_text=True),
        "consent_date": memoised(consent, as_text=False),
        "presence_status": memoised(_parse_status, as_text=True),
        "nationality": memoised(_parse_nationality, as_text=True),
        "relation": relation,
        "phones": phones,
        "notes": notes,
        "address": address,
    }
    return handlers.get(target, text)


class _Row:
    """A row that names someone, cleaned, waiting to be matched and written; ``review`` holds
    the values set aside from it (they go on the record)."""

    __slots__ = (
        "country_assumed",
        "family",
        "fields",
        "group",
        "index",
        "keys",
        "keys_of",
        "line",
        "operator",
        "record_id",
        "relation",
        "relation_text",
        "review",
    )

    def __init__(
        self,
        index: int,
        line: int,
        fields: NationalFields,
        *,
        group: str | None = None,
        operator: str | None = None,
        record_id: str | None = None,
        family: str | None = None,
        relation: str | None = None,
        review: list[ReviewItem] | None = None,
    ) -> None:
        self.index = index
        self.line = line
        self.fields = fields
        self.group = group
        self.operator = operator
        self.record_id = record_id
        self.family = family
        self.relation = relation
        self.relation_text = relation  # the cell as the list wrote it ("басшы" for "head")
        self.review = review or []
        # The row names no country: its host country is the post's, assumed.
        self.country_assumed = False
        # The record's search keys, id keys and sort name, computed with the row's check (in
        # the helper process too); they stand only while ``fields`` is ``keys_of``.
        self.keys: tuple[str, str, str] | None = None
        self.keys_of: NationalFields | None = None


@dataclass(frozen=True)
class Problem:
    """A problem with a row: the error, the value concerned (as text) and its kind
    (``REFUSED``, ``SET_ASIDE`` or ``NOTE`` of :mod:`~consuldesk.services.lists.base`)."""

    error: ValidationError
    value: str
    kind: str


def _fields_factory() -> Callable[[dict[str, Any]], NationalFields]:
    """How rows become :class:`NationalFields`: without the generated ``__init__`` when that is
    safe (plain frozen dataclass, constant defaults), which costs a fifth of a row's parsing."""
    specs = dataclasses.fields(NationalFields)
    plain = (
        not hasattr(NationalFields, "__post_init__")
        and "__slots__" not in vars(NationalFields)
        and all(f.default is not dataclasses.MISSING for f in specs)
    )
    if not plain:
        return lambda values: NationalFields(**values)
    defaults = {f.name: f.default for f in specs}
    new = object.__new__

    def make(values: dict[str, Any]) -> NationalFields:
        fields = new(NationalFields)
        fields.__dict__.update(defaults)
        fields.__dict__.update(values)  # keys are field names: the handlers only write those
        return fields

    return make


@dataclass
class _Checked:
    rows: list[_Row]
    refused: dict[int, list[Problem]]  # parsed.rows index -> why the row cannot be kept
    total: int  # rows that hold anything in the columns read
    # Rows read into an earlier row of the same person (parsed.rows index -> the note).
    repeats: dict[int, list[Problem]] = dataclasses.field(default_factory=dict)
    # Rows giving an earlier row's IIN or passport to someone else (index -> the refusal
    # they get unless the case file says the number is theirs).
    contested: dict[int, Problem] = dataclasses.field(default_factory=dict)
    # The list is a review file (it has ConsulDesk's result or error column): its rows were
    # corrected by an officer, and one matched by its ConsulDesk ID settles its whole row.
    corrections: bool = False


@functools.lru_cache(maxsize=65536)
def _name_keys(
    surname_cyr: str | None, given_cyr: str | None, surname_lat: str | None, given_lat: str | None
) -> tuple[str, ...]:
    """Full-name keys for duplicate detection, as :func:`nationals.name_facts` builds them
    (cached: names repeat in lists)."""
    keys = (full_name_key(surname_cyr, given_cyr), full_name_key(surname_lat, given_lat))
    return tuple(k for k in keys if k)


def name_facts(f: Any) -> NameFacts:
    """What duplicate detection compares of a row's fields or a stored record."""
    keys = _name_keys(f.surname_cyr, f.given_names_cyr, f.surname_lat, f.given_names_lat)
    born = f.birth_date
    if isinstance(born, str):
        born = date.fromisoformat(born)
    return NameFacts(keys, born, f.iin)


@dataclass(frozen=True)
class _Context:
    """What checking a row needs besides the row itself (picklable: chunks of a large list
    are checked in a helper process too, see :mod:`~consuldesk.services.lists.parallel`)."""

    key: str  # one import: the handlers (and what they remember) are made once per import
    fields: tuple[str | None, ...]  # the field of each column, None for a column not read
    today: date
    source: Source
    source_ref: str
    country: str | None
    notes: dict[int, list[tuple[str, dict[str, Any]]]]  # what reading repaired, by line
    header_line: int = 0  # the line of the list's header
    header_again: frozenset[int] = frozenset()  # lines that repeat it (a page break's)


@dataclass
class _Part:
    """A chunk of rows checked: see :class:`_Checked`."""

    rows: list[_Row]
    refused: dict[int, list[Problem]]
    counted: int


_NAME_PAIRS = (("surname_cyr", "given_names_cyr"), ("surname_lat", "given_names_lat"))


def _all_words(text: str) -> bool:
    """Two to four words of letters (a hyphen or apostrophe inside): a whole name, not a
    surname with a note ("SEITOVA (MRS)")."""
    words = text.split()
    return 2 <= len(words) <= 4 and all(
        w.replace("-", "").replace("'", "").isalpha() for w in words
    )


# Cells of these marks alone are empty, in every column: "-" for no phone is no doubtful
# phone (it put whole lists under review), and "?" for sex is no sex (it was dropped quietly
# where other columns set it aside).
_NOTHING = " \t\u00a0-–—?."  # (with the spaces around them: " - ", a no-break space)
_NOTHING_START = frozenset(_NOTHING)  # (a cell's first character, read cheaply)

_Reading = tuple[list[tuple[int, str, _Handler | None]], Callable[[dict[str, Any]], NationalFields]]
_plans: dict[str, _Reading] = {}  # the current import's, by context key (one at a time)


def _plan_of(context: _Context) -> _Reading:
    plan = _plans.get(context.key)
    if plan is None:
        # (column, field, handler); plain text columns are read inline (no call per cell)
        columns = [
            (i, f, None if f in _PLAIN_TEXT else _handler(f))
            for i, f in enumerate(context.fields)
            if f
        ]
        columns.sort(key=lambda p: p[1] in ("full_name", "full_name_lat"))  # after names
        _plans.clear()
        plan = _plans[context.key] = (columns, _fields_factory())
    return plan


def _check_rows(
    parsed: ParsedList,
    today: date,
    source: Source,
    progress: Progress,
    cancel: CancelFlag,
    country: str | None = None,
) -> _Checked:
    """Parse and validate every row; a row that names no country is in ``country`` (the
    post's host country: a list a post receives is of people in its country).

    A row is refused only when it names no one. Other doubtful values are set aside onto the
    row's ``review`` (see :func:`~consuldesk.domain.national.clean_national_keeping`). A row
    repeating an earlier row's IIN or passport number is read into that row when it names the
    same person, and refused when it names someone else. A large list is checked on both
    cores (:mod:`~consuldesk.services.lists.parallel`), with the same result.
    """
    read_notes: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for note_line, code, params in parsed.notes:
        read_notes.setdefault(note_line, []).append((code, params))
    context = _Context(
        key=uuid.uuid4().hex,
        fields=tuple(m.field for m in parsed.mapping),
        today=today,
        source=source,
        source_ref=parsed.path.name,
        country=country,
        notes=read_notes,
        header_line=parsed.header_line,
        header_again=_header_again(parsed.headers, parsed.rows),
    )
    total = len(parsed.rows)
    progress(0, total, "list.check")
    try:
        parts = parallel.map_chunks(
            _check_part,
            context,
            parsed.rows,
            cancel=cancel,
            done=lambda n: progress(n, total, "list.check"),
        )
    finally:
        _plans.pop(context.key, None)  # what the handlers remembered of this list
    rows: list[_Row] = []
    refused: dict[int, list[Problem]] = {}
    counted = 0
    for part in parts:
        rows.extend(part.rows)
        refused.update(part.refused)
        counted += part.counted
    progress(total, total, "list.check")
    notes: dict[int, list[Problem]] = {}
    contested: dict[int, Problem] = {}
    kept = _read_repeats(rows, notes, contested)
    corrections = any(m.note == "ignored: error column" for m in parsed.mapping)
    return _Checked(kept, refused, counted, notes, contested, corrections)


#: The first word of a printed list's closing lines, never of a person's name: its total and
#: the lines its sender signs.
_CLOSING = re.compile(
    r"^(итого|всего|барлығы|барлыгы|жиыны|жиын|total|подпись|қолы|signature|signed|"
    r"менеджер|manager|директор|director|исполнитель|орындаған|м\.\s*п\.?|мп)(?=$|[\s:.,])",
    re.IGNORECASE,
)


def _closing_line(out: dict[str, Any]) -> str | None:
    """The words of a row that is a list's total or signature line, not a person: its name
    starts with "Итого", "Total", "Менеджер"… and it gives no IIN, passport or birth date."""
    if any(out.get(k) for k in ("iin", "passport_no", "birth_date")):
        return None
    for surname, given in (*_NAME_PAIRS, ("full_name", "")):
        name = out.get(surname)
        if isinstance(name, str) and _CLOSING.match(name.strip()):
            rest = out.get(given) if given else None
            return " ".join(p for p in (name, rest if isinstance(rest, str) else None) if p)
    return None


def _header_again(
    headers: Sequence[str], rows: Sequence[tuple[int, list[CellValue]]]
) -> frozenset[int]:
    """The lines of ``rows`` that repeat the header: an export printed page by page repeats
    it on each page. A row repeats it when at least half of the named columns (and two) hold
    their own header, the first of them included."""
    wanted = [h.strip().casefold() for h in headers]
    named = [i for i, h in enumerate(wanted) if h]
    if len(named) < 2:
        return frozenset()
    first, enough = named[0], max(2, (len(named) + 1) // 2)

    def same(cells: list[CellValue], i: int) -> bool:
        return i < len(cells) and _cell_text(cells[i]).strip().casefold() == wanted[i]

    return frozenset(
        line
        for line, cells in rows
        if same(cells, first) and sum(same(cells, i) for i in named) >= enough
    )


def _check_part(
    context: _Context, start: int, part: Sequence[tuple[int, list[CellValue]]]
) -> _Part:
    """Check the rows ``part`` of a list (``start``: the index of its first row)."""
    plan, make_fields = _plan_of(context)
    today, source, source_ref, country = (
        context.today,
        context.source,
        context.source_ref,
        context.country,
    )
    has_group = "group" in context.fields
    has_family = "household" in context.fields
    read_notes = context.notes
    rows: list[_Row] = []
    refused: dict[int, list[Problem]] = {}
    counted = 0
    for index, (line, cells) in enumerate(part, start):
        out: dict[str, Any] = {}
        errs: list[ValidationError] = []
        n = len(cells)
        for i, target, handle in plan:
            if i < n:
                v = cells[i]
                if not v:
                    continue
                if type(v) is str:
                    if v[0] == "'":
                        v = without_formula_guard(v)
                    if v[:1] in _NOTHING_START and not v.strip(_NOTHING):
                        continue  # "-", "—", "?": the list's way of writing nothing here
                if handle is None and type(v) is str:
                    v = v.strip()
                    if v:
                        out[target] = v
                else:
                    (handle or _handler(target))(v, out, errs)
        if not out and not errs:
            continue  # nothing in the columns we read
        counted += 1
        if line in context.header_again:  # never a person called "Surname", born "Date"
            again = ValidationError("list.header_again", "record", line=context.header_line)
            refused[index] = [Problem(again, "", REFUSED)]
            continue
        if (closing := _closing_line(out)) is not None:  # "Итого: 2 туриста", "Менеджер …"
            words = ValidationError("list.not_a_person", "record", value=closing)
            refused[index] = [Problem(words, closing, REFUSED)]
            continue
        group = out.pop("group", None)
        operator = out.pop("tour_operator", None)
        record_id = out.pop("record_id", None)
        family = out.pop("household", None)
        relation = out.pop("relation", None)
        relation_text = out.pop("relation_text", None)
        if "phones" in out:
            out["phones"] = tuple(out["phones"])
        if "consent_date" in out and type(out["consent_date"]) is bool:
            if out["consent_date"]:
                out["consent_date"] = today  # "yes": given by the day the list came
            else:
                del out["consent_date"]
        assumed = bool(country) and "host_country" not in out
        if assumed:
            out["host_country"] = country
        out["source"] = source
        out["source_ref"] = source_ref
        for surname_key, given_key in _NAME_PAIRS:
            whole = out.get(surname_key)
            if whole and " " in whole and given_key not in out and _all_words(whole):
                # "Сергеев Сергей Сергеевич" typed into the surname column, the name's own
                # empty: a full name, read as the full-name column reads it.
                out.update(_split_full(whole, surname_key.endswith("_lat")))
        cell_notes = [
            (_REVIEW_FIELDS.get(context.fields[params["column"]], "record"), code, params)
            for code, params in read_notes.get(line, ())
            if "column" in params and params["column"] < len(context.fields)
            if context.fields[params["column"]]  # (a column not read lacks nothing)
        ]
        try:
            fields, aside = clean_national_keeping(make_fields(out), today)
        except ValidationErrors as exc:
            refused[index] = [Problem(e, "", REFUSED) for e in (*errs, *exc.errors)] + [
                Problem(ValidationError(code, field, **params), params["formula"], REFUSED)
                for field, code, params in cell_notes
            ]
            continue
        # Parse errors carry the cell as given; validation returns each value it set aside.
        given = [(e, e.params.get("value", "")) for e in errs]
        review = [
            ReviewItem.from_error(e, v, field=set_aside_field(e), source=source_ref, line=line)
            for e, v in (*given, *aside)
        ]
        for code, params in read_notes.get(line, ()):
            if "column" not in params:  # about the line as a whole
                text = " ".join(_cell_text(c) for c in cells if c)
                review.append(ReviewItem("record", code, text, params, source_ref, line))
        for field, code, params in cell_notes:  # a cell the file holds no value of
            review.append(ReviewItem(field, code, params["formula"], params, source_ref, line))
        if relation is not None and not has_family:
            relation = None  # a role in no family: nothing to attach it to
        row = _Row(
            index,
            line,
            fields,
            group=group if has_group else None,
            operator=operator,
            record_id=record_id,
            family=family if has_family else None,
            relation=relation,
            review=review,
        )
        row.relation_text = relation_text or relation
        row.country_assumed = assumed
        values = fields.__dict__
        row.keys = (
            national_search_keys(values),
            national_id_keys(values),
            national_sort_name(values),
        )
        row.keys_of = fields
        rows.append(row)
    return _Part(rows, refused, counted)


# The field a value read from a column is reviewed under (others: the record as a whole).
_REVIEW_FIELDS = {
    **{f.name: f.name for f in dataclasses.fields(NationalFields)},
    "surname": "surname_cyr",  # (a column of either script: the name as the card shows it)
    "given_names": "given_names_cyr",
    "patronymic": "patronymic_cyr",
    "full_name": "surname_cyr",
    "full_name_lat": "surname_lat",
    "household": "household",
    "relation": "relation",
}

# Fields a repeated row may add to the row it repeats.
_REPEATABLE = [f.name for f in dataclasses.fields(NationalFields) if f.name not in ("source",)]


def _read_repeats(
    rows: list[_Row], notes: dict[int, list[Problem]], contested: dict[int, Problem]
) -> list[_Row]:
    """Rows that repeat an earlier row's IIN or passport number.

    Naming the same person (see :func:`~consuldesk.domain.duplicates.same_person`), the row is
    read into the earlier one: its values fill what that row lacks; a value that differs is set
    aside on the record (``list.repeat_differs``). Naming someone else, one of the two rows is
    wrong: the row is kept but *contested*, and planning decides. If the case file knows whose
    number it is, the record judges both rows; if not, the earlier row keeps it and this one is
    refused (``list.duplicate_row``): one passport cannot be two people's.
    """
    seen: dict[tuple[str, str], _Row] = {}
    kept: list[_Row] = []
    for row in rows:
        f = row.fields
        keys = [("iin", f.iin), ("passport_no", f.passport_no)]
        firsts = [(k, seen[(k, v)]) for k, v in keys if v and (k, v) in seen]
        if not firsts:
            for k, v in keys:
                if v:
                    seen[(k, v)] = row
            kept.append(row)
            continue
        key, first = firsts[0]
        other = next((r for _, r in firsts if r is not first), None)
        value = getattr(f, key)
        if (
            other is not None
            or not same_person(name_facts(first.fields), name_facts(f))
            or _told_apart(first.fields, f, key)
        ):
            clash = other or first
            name = _shown_name(clash.fields)
            if name == _shown_name(f) and clash.fields.birth_date:  # told apart by birth only
                name += f", {clash.fields.birth_date:%d.%m.%Y}"
            error = ValidationError(
                "list.duplicate_row", key, line=clash.line, value=value, name=name
            )
            contested[row.index] = Problem(error, str(value), REFUSED)
            kept.append(row)
            continue
        _read_into(first, row)
        note = ValidationError("list.repeat_row", key, line=first.line, value=value)
        notes[row.index] = [Problem(note, str(value), NOTE)]
    return kept


def _told_apart(a: NationalFields, b: NationalFields, key: str) -> bool:
    """Two rows sharing ``key`` (an IIN or passport) whose other document differs and whose
    full names differ: twins, or siblings born the same day, one's IIN copied onto the
    other's row. Read as one, a child would vanish into their brother."""
    other = "passport_no" if key == "iin" else "iin"
    mine, theirs = getattr(a, other), getattr(b, other)
    if not (mine and theirs and mine != theirs):
        return False
    return not set(name_facts(a).keys) & set(name_facts(b).keys)


def _shown_name(f: NationalFields) -> str:
    return display_name(f.surname_cyr or f.surname_lat, f.given_names_cyr or f.given_names_lat)


def _read_into(first: _Row, repeat: _Row) -> None:
    """Fill ``first`` with what ``repeat`` adds; differing values are set aside on it."""
    changes: dict[str, Any] = {}
    a, b = first.fields, repeat.fields
    for name in _REPEATABLE:
        mine, theirs = getattr(a, name), getattr(b, name)
        if name == "phones":
            added = tuple(p for p in theirs if p not in mine)
            if added:
                changes["phones"] = mine + added
        elif theirs in (None, "", False) or theirs == mine or name == "source_ref":
            continue
        elif mine in (None, "", False) or (
            name == "presence_status" and mine is PresenceStatus.UNKNOWN
        ):
            changes[name] = theirs
        else:
            first.review.append(
                ReviewItem(
                    name,
                    "list.repeat_differs",
                    value_text(theirs),
                    {"line": repeat.line, "kept": value_text(mine)},
                    a.source_ref,
                    repeat.line,
                )
            )
    if changes:
        first.fields = a.replace(**changes)
    first.review.extend(repeat.review)
    first.family = first.family or repeat.family
    if not first.relation:
        first.relation, first.relation_text = repeat.relation, repeat.relation_text
    first.group = first.group or repeat.group
    first.operator = first.operator or repeat.operator
    first.record_id = first.record_id or repeat.record_id
