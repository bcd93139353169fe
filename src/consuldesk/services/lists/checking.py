"""Checking rows: every cell read into a national's fields and validated."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from consuldesk.domain.dates import parse_date
from consuldesk.domain.enums import Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.names import is_cyrillic
from consuldesk.domain.national import NationalFields, clean_national
from consuldesk.domain.phone import split_phones
from consuldesk.services.desk import CancelFlag, Progress
from consuldesk.services.lists.base import _EVERY, CellValue, ParsedList, _cell_text
from consuldesk.services.lists.values import (
    _add_note,
    _parse_nationality,
    _parse_sex,
    _parse_status,
    _parse_yes_no,
    _put_name,
    _split_full,
)

# -- row parsing ---------------------------------------------------------------------------

_Handler = Callable[[CellValue, dict[str, Any], list[ValidationError]], None]


# Fields whose cells are taken as they are (stripped); clean_national checks them.
_PLAIN_TEXT = {
    "iin", "passport_no", "email", "messenger", "host_country", "city", "medical_condition",
    "mobility_needs", "group", "tour_operator", "record_id",
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

    def explicit_name(v: CellValue, out: dict[str, Any], errs: list[ValidationError]) -> None:
        s = v.strip() if type(v) is str else _cell_text(v)
        if s:
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
        "presence_status": memoised(_parse_status, as_text=True),
        "nationality": memoised(_parse_nationality, as_text=True),
        "phones": phones,
        "notes": notes,
        "address": address,
    }
    return handlers.get(target, text)


class _Row:
    """A valid row, cleaned, waiting to be matched and written."""

    __slots__ = ("fields", "group", "index", "line", "operator", "record_id")

    def __init__(
        self,
        index: int,
        line: int,
        fields: NationalFields,
        group: str | None,
        operator: str | None,
        record_id: str | None,
    ) -> None:
        self.index = index
        self.line = line
        self.fields = fields
        self.group = group
        self.operator = operator
        self.record_id = record_id


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
    errors: dict[int, list[ValidationError]]  # parsed.rows index -> problems
    total: int


def _check_rows(
    parsed: ParsedList, today: date, source: Source, progress: Progress, cancel: CancelFlag
) -> _Checked:
    """Parse and validate every row; rows repeating an IIN or passport are invalid."""
    # (column, field, handler); plain text columns are read inline (no call per cell)
    plan = [
        (i, m.field, None if m.field in _PLAIN_TEXT else _handler(m.field))
        for i, m in enumerate(parsed.mapping)
        if m.field
    ]
    plan.sort(key=lambda p: p[1] in ("full_name", "full_name_lat"))  # after separate names
    make_fields = _fields_factory()
    source_ref = parsed.path.name
    has_group = any(m.field == "group" for m in parsed.mapping)
    rows: list[_Row] = []
    errors: dict[int, list[ValidationError]] = {}
    seen_iin: dict[str, int] = {}
    seen_passport: dict[str, int] = {}
    total = len(parsed.rows)
    counted = 0
    for index, (line, cells) in enumerate(parsed.rows):
        if index % _EVERY == 0:
            cancel.check()
            progress(index, total, "list.check")
        out: dict[str, Any] = {}
        errs: list[ValidationError] = []
        fields: NationalFields | None = None
        n = len(cells)
        for i, target, handle in plan:
            if i < n:
                v = cells[i]
                if not v:
                    continue
                if handle is None and type(v) is str:
                    v = v.strip()
                    if v:
                        out[target] = v
                else:
                    (handle or _handler(target))(v, out, errs)
        if not out and not errs:
            continue  # nothing in the columns we read
        counted += 1
        group = out.pop("group", None)
        operator = out.pop("tour_operator", None)
        record_id = out.pop("record_id", None)
        if "phones" in out:
            out["phones"] = tuple(out["phones"])
        out["source"] = source
        out["source_ref"] = source_ref
        try:
            fields = clean_national(make_fields(out), today)
        except ValidationErrors as exc:
            errs.extend(exc.errors)
        if fields is not None and not errs:
            if fields.iin and (first := seen_iin.get(fields.iin)):
                errs.append(
                    ValidationError("list.duplicate_row", "iin", line=first, value=fields.iin)
                )
            if fields.passport_no and (first := seen_passport.get(fields.passport_no)):
                errs.append(
                    ValidationError(
                        "list.duplicate_row", "passport_no", line=first, value=fields.passport_no
                    )
                )
        if errs or fields is None:
            errors[index] = errs
            continue
        if fields.iin:
            seen_iin[fields.iin] = line
        if fields.passport_no:
            seen_passport[fields.passport_no] = line
        rows.append(_Row(index, line, fields, group if has_group else None, operator, record_id))
    progress(total, total, "list.check")
    return _Checked(rows, errors, counted)
