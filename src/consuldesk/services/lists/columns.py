"""Recognising columns: the header vocabulary in three languages, and which field each column
fills."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from consuldesk.domain.names import is_cyrillic, is_latin
from consuldesk.services.lists.base import (
    _HEADER_SEARCH,
    ERROR_COLUMN,
    KAZAKH_COLUMNS,
    LANGS,
    RESULT_COLUMN,
    CellValue,
    ColumnMapping,
    ListError,
    _cell_text,
)

# -- header vocabulary ---------------------------------------------------------------------

# target -> (English, Russian, Kazakh) headers; the first of each language is what export writes.
_VOCABULARY: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "record_id": (
        ("ConsulDesk ID", "Record ID"),
        ("ConsulDesk ID", "ID записи"),
        ("ConsulDesk ID", "Жазба ID"),
    ),
    "surname": (
        ("Surname", "Last name", "Lastname", "Family name"),
        ("Фамилия",),
        ("Тегі", "Тек"),
    ),
    "given_names": (
        ("Given names", "Given name", "First name", "Firstname", "Name", "Forename"),
        ("Имя",),
        ("Аты", "Есімі"),
    ),
    "patronymic": (
        ("Patronymic", "Middle name", "Father's name"),
        ("Отчество",),
        ("Әкесінің аты", "Әкесінің есімі", "Жөні"),
    ),
    "surname_lat": (
        (
            "Surname (Latin)",
            "Last name (Latin)",
            "Surname in Latin",
            "Surname as in passport",
            "Passport surname",
        ),
        (
            "Фамилия (лат.)",
            "Фамилия латиницей",
            "Фамилия лат",
            "Фамилия (латиница)",
            "Фамилия по-английски",
        ),
        ("Тегі (латын)", "Тегі латынша", "Тегі (лат.)"),
    ),
    "given_names_lat": (
        (
            "Given names (Latin)",
            "Given name (Latin)",
            "First name (Latin)",
            "Name (Latin)",
            "Given names as in passport",
            "Passport given names",
        ),
        ("Имя (лат.)", "Имя латиницей", "Имя лат", "Имя (латиница)", "Имя по-английски"),
        ("Аты (латын)", "Аты латынша", "Аты (лат.)"),
    ),
    "surname_cyr": (
        ("Surname (Cyrillic)", "Last name (Cyrillic)"),
        ("Фамилия (кир.)", "Фамилия кириллицей", "Фамилия (кириллица)"),
        ("Тегі (кирилл)", "Тегі кириллица"),
    ),
    "given_names_cyr": (
        ("Given names (Cyrillic)", "First name (Cyrillic)", "Name (Cyrillic)"),
        ("Имя (кир.)", "Имя кириллицей", "Имя (кириллица)"),
        ("Аты (кирилл)", "Аты кириллица"),
    ),
    "full_name": (
        (
            "Full name",
            "Surname and name",
            "Surname, name",
            "Name and surname",
            "Tourist",
            "Passenger",
            "Traveller",
            "Traveler",
        ),
        (
            "ФИО",
            "Ф.И.О.",
            "Фамилия Имя Отчество",
            "Фамилия, имя, отчество",
            "Фамилия и имя",
            "Фамилия, имя",
            "Полное имя",
            "Турист",
            "Пассажир",
        ),
        ("Аты-жөні", "Толық аты-жөні", "Тегі, аты, әкесінің аты", "Жолаушы", "Турист"),
    ),
    "full_name_lat": (
        (
            "Name as in passport",
            "Full name (Latin)",
            "Name in passport",
            "Passport name",
            "Name (as in passport)",
            "Full name as in passport",
        ),
        ("ФИО (лат.)", "ФИО латиницей", "ФИО по паспорту (лат.)", "Имя и фамилия латиницей"),
        ("Аты-жөні (латын)", "Аты-жөні латынша"),
    ),
    "iin": (
        ("IIN", "Individual identification number"),
        ("ИИН", "Индивидуальный идентификационный номер"),
        ("ЖСН", "Жеке сәйкестендіру нөмірі"),
    ),
    "passport_no": (
        (
            "Passport No",
            "Passport",
            "Passport number",
            "Passport Nr",
            "Document number",
            "Document No",
        ),
        ("Номер паспорта", "Паспорт", "№ паспорта", "Номер документа", "Документ"),
        ("Паспорт нөмірі", "Паспорт", "Төлқұжат", "Төлқұжат нөмірі", "Құжат нөмірі"),
    ),
    "passport_expiry": (
        (
            "Passport expiry",
            "Passport expiry date",
            "Expiry date",
            "Date of expiry",
            "Valid until",
            "Passport valid until",
            "Expires",
        ),
        (
            "Срок действия паспорта",
            "Срок действия",
            "Действителен до",
            "Паспорт действителен до",
            "Дата окончания срока действия",
        ),
        ("Паспорттың жарамдылық мерзімі", "Жарамдылық мерзімі", "Жарамды мерзімі", "Дейін жарамды"),
    ),
    "birth_date": (
        ("Date of birth", "DOB", "Birth date", "Birthdate", "Birthday", "Born"),
        ("Дата рождения", "Д.р.", "Дата рожд."),
        ("Туған күні", "Туған күні, айы, жылы", "Туған уақыты"),
    ),
    "sex": (("Sex", "Gender"), ("Пол",), ("Жынысы", "Жыныс")),
    "phones": (
        (
            "Phone",
            "Phones",
            "Phone number",
            "Telephone",
            "Tel",
            "Mobile",
            "Mobile phone",
            "Cell phone",
            "WhatsApp",
            "Contact phone",
            "Contact number",
        ),
        (
            "Телефон",
            "Тел.",
            "Телефоны",
            "Мобильный",
            "Мобильный телефон",
            "Номер телефона",
            "Контактный телефон",
            "Сотовый",
            "Сотовый телефон",
        ),
        ("Телефон", "Ұялы телефон", "Телефон нөмірі", "Байланыс телефоны"),
    ),
    "email": (
        ("Email", "E-mail", "Email address", "Mail"),
        ("Эл. почта", "Электронная почта", "Почта", "Адрес электронной почты"),
        ("Эл. пошта", "Электрондық пошта", "Пошта"),
    ),
    "messenger": (
        ("Messenger", "Telegram", "Viber", "Messenger contact"),
        ("Мессенджер", "Телеграм"),
        ("Мессенджер",),
    ),
    "nationality": (("Nationality", "Citizenship"), ("Гражданство",), ("Азаматтығы", "Азаматтық")),
    "host_country": (
        ("Country", "Country of stay", "Host country"),
        ("Страна", "Страна пребывания", "Страна нахождения"),
        ("Ел", "Мемлекет", "Болатын елі", "Тұрған елі"),
    ),
    "city": (("City", "Town"), ("Город", "Населенный пункт"), ("Қала", "Елді мекен")),
    "address": (
        ("Address", "Hotel address", "Hotel", "Accommodation", "Place of stay", "Current address"),
        (
            "Адрес",
            "Адрес проживания",
            "Адрес пребывания",
            "Отель",
            "Гостиница",
            "Адрес отеля",
            "Место проживания",
        ),
        ("Мекенжай", "Мекенжайы", "Қонақүй", "Тұратын мекенжайы"),
    ),
    "presence_status": (
        ("Status", "Current status", "Presence"),
        ("Статус", "Местонахождение"),
        ("Мәртебе", "Мәртебесі", "Статусы"),
    ),
    "medical_condition": (
        ("Medical condition", "Medical conditions", "Health", "Diseases", "Illness"),
        (
            "Заболевания",
            "Мед. состояние",
            "Медицинское состояние",
            "Состояние здоровья",
            "Хронические заболевания",
        ),
        ("Аурулары", "Ауруы", "Денсаулық жағдайы", "Медициналық жағдайы"),
    ),
    "mobility_needs": (
        ("Mobility needs", "Mobility", "Disability", "Special needs"),
        ("Мобильность", "Ограничения мобильности", "Инвалидность", "Особые потребности"),
        ("Қозғалу мүмкіндігі", "Мүгедектік", "Ерекше қажеттіліктер"),
    ),
    "pregnant": (("Pregnant", "Pregnancy"), ("Беременность", "Беременна"), ("Жүктілік", "Жүкті")),
    "consent_date": (
        ("Consent to evacuation", "Consent", "Consent date", "Evacuation consent"),
        ("Согласие на эвакуацию", "Согласие", "Дата согласия"),
        ("Эвакуацияға келісім", "Келісім", "Келісім күні"),
    ),
    "notes": (
        ("Notes", "Note", "Comment", "Comments", "Remarks"),
        ("Примечание", "Примечания", "Комментарий", "Комментарии", "Заметки"),
        ("Ескертпе", "Ескертпелер", "Түсініктеме"),
    ),
    "tour_operator": (
        ("Tour operator", "Operator", "Travel agency", "Agency"),
        ("Туроператор", "Тур оператор", "Турагентство"),
        ("Туроператор", "Тур оператор", "Турагенттік"),
    ),
    "group": (
        ("Group", "Tour group", "Group name", "Group No"),
        ("Группа", "Тур группа", "Туристическая группа", "Номер группы"),
        ("Топ", "Тур тобы", "Топ атауы", "Топ нөмірі"),
    ),
    "household": (
        ("Family", "Household", "Family ID", "Family No", "Family number", "Household ID"),
        ("Семья", "№ семьи", "Номер семьи", "ID семьи", "Семья №"),
        ("Отбасы", "Отбасы №", "Отбасы нөмірі"),
    ),
    "relation": (
        ("Relation", "Relationship", "Family role", "Role in family", "Kinship"),
        ("Родство", "Степень родства", "Родственная связь", "Кем приходится"),
        ("Туыстығы", "Туыстық", "Туыстық қатынасы"),
    ),
}

_ERROR_HEADERS = (
    ERROR_COLUMN, KAZAKH_COLUMNS[1], "Ошибка", "Ошибки", "Error", "Errors", "Қате", "Қателер"
)  # fmt: skip
_RESULT_HEADERS = (RESULT_COLUMN, KAZAKH_COLUMNS[0], "Итог", "Result", "Нәтиже")
_ROW_NUMBER_HEADERS = ("№", "#", "No", "No.", "N", "Nr", "№ п/п", "п/п", "Р/с", "Рет саны")

# Targets that several columns may feed (their values are combined).
_MULTI = {"phones", "notes", "address"}
_NAME_TARGETS = {
    "surname",
    "given_names",
    "surname_lat",
    "given_names_lat",
    "surname_cyr",
    "given_names_cyr",
    "full_name",
    "full_name_lat",
}
_NOTES = {
    "surname": "by script: Cyrillic → surname_cyr, Latin → surname_lat",
    "given_names": "by script: Cyrillic → given_names_cyr, Latin → given_names_lat",
    "patronymic": "Cyrillic → patronymic_cyr (a Latin one is kept in notes)",
    "full_name": "split into surname, given names, patronymic (by script)",
    "full_name_lat": "split into surname_lat, given_names_lat",
    "group": "tour group (household), with the tour operator",
    "tour_operator": "used with a group column only",
    "record_id": "matches the exported record",
    "phones": "several numbers per cell and several columns allowed",
    "address": "several columns are joined",
    "notes": "several columns are joined",
    "household": "rows with the same value are one family",
    "relation": "role in the family: head, spouse, child, parent, other",
}


def _fold_header(text: str) -> str:
    """Matching key of a header: case, ё/е, spaces and punctuation folded away."""
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for target, langs in _VOCABULARY.items():
        for variants in langs:
            for header in variants:
                key = _fold_header(header)
                if index.setdefault(key, target) != target:
                    raise AssertionError(f"header {header!r} maps to {index[key]} and {target}")
    return index


_HEADER_INDEX = _build_header_index()
_ERROR_KEYS = {_fold_header(h) for h in _ERROR_HEADERS}
_RESULT_KEYS = {_fold_header(h) for h in _RESULT_HEADERS}
_ROW_NUMBER_KEYS = {_fold_header(h) for h in _ROW_NUMBER_HEADERS} - {""}


_HALVES = re.compile(r"\s*[/|\n]\s*")


def _known(header: str) -> str | None:
    """The field a header names: as a whole, or, written in two languages in one cell
    ("Фамилия / Surname", "ИИН / IIN", the usual layout of an operator's list), the one field
    its parts agree on."""
    found = _HEADER_INDEX.get(_fold_header(header))
    if found is not None or not _HALVES.search(header):
        return found
    named = {_HEADER_INDEX.get(_fold_header(part)) for part in _HALVES.split(header)}
    named.discard(None)
    return named.pop() if len(named) == 1 else None


def recognise_header(header: str) -> ColumnMapping:
    """How a header is read: its target field, or why it is ignored."""
    key = _fold_header(header)
    target = _known(header)
    if target is not None:
        return ColumnMapping(header, target, _NOTES.get(target))
    if key in _ERROR_KEYS or key in _RESULT_KEYS:
        return ColumnMapping(header, None, "ignored: error column")
    if key in _ROW_NUMBER_KEYS or (not key and re.search(r"[№#]", header)):
        return ColumnMapping(header, None, "ignored: row number")
    if not key:
        return ColumnMapping(header, None, "ignored: empty header")
    return ColumnMapping(header, None, "ignored: not recognised")


def export_header(target: str, lang: str) -> str:
    """The header export writes for ``target`` in ``lang`` (``en``, ``ru`` or ``kk``)."""
    return _VOCABULARY[target][LANGS.index(lang)][0]


def header_at(rows: list[tuple[int, list[CellValue]]]) -> int | None:
    """The index of the first of the first rows (a sheet's) that names columns ConsulDesk
    knows, if any."""
    for i, (_, cells) in enumerate(rows[:_HEADER_SEARCH]):
        texts = [_cell_text(c) for c in cells]
        recognised = [t for t in texts if t and _known(t)]
        if len(recognised) >= 2 or (recognised and sum(1 for t in texts if t) == 1):
            return i
    return None


def _find_header(rows: list[tuple[int, list[CellValue]]]) -> int:
    at = header_at(rows)
    return 0 if at is None else at


def with_subheader(headers: list[str], cells: list[CellValue]) -> list[str] | None:
    """The headers of a two-row header, when ``cells`` (the row under ``headers``) is its
    second row, else ``None``.

    A workbook's header often groups columns under a merged cell: "Аты-жөні" over "Тегі" and
    "Аты", "Паспорт" over "Нөмірі" and "Жарамдылық мерзімі". The second row is one when all of
    it is text, it names at least two columns ConsulDesk knows, and some of them stand under a
    merged cell (an empty cell of the first row). Each column is then named by its own cell
    with the group's before it when that names a known column ("Паспорт Нөмірі"), else by its
    own cell alone ("Тегі"), else by the first row.
    """
    if any(c not in (None, "") and type(c) is not str for c in cells):
        return None  # a date, a number: a row of data
    texts = [_cell_text(c).strip() for c in cells]
    width = max(len(headers), len(texts))
    top = [*headers, *([""] * (width - len(headers)))]
    below = [*texts, *([""] * (width - len(texts)))]

    combined: list[str] = []
    recognised = under_merged = 0
    group = ""
    for head, own in zip(top, below, strict=True):
        group = head or group  # a merged cell's text stands in its first column only
        if not own:
            combined.append(head)
            continue
        if not head:
            under_merged += 1
        pair = f"{group} {own}" if group and group != own else own
        named = pair if _known(pair) else own if _known(own) else None
        recognised += named is not None
        combined.append(named or pair)
    if recognised < 2 or not under_merged:
        return None
    return combined


# -- the columns of one list -----------------------------------------------------------------

#: Every target a column can be set to (besides ``None``, ignored), in the order offered.
TARGETS: tuple[str, ...] = (
    "surname",
    "given_names",
    "patronymic",
    "surname_cyr",
    "given_names_cyr",
    "surname_lat",
    "given_names_lat",
    "full_name",
    "full_name_lat",
    "iin",
    "passport_no",
    "passport_expiry",
    "birth_date",
    "sex",
    "phones",
    "email",
    "messenger",
    "nationality",
    "host_country",
    "city",
    "address",
    "presence_status",
    "medical_condition",
    "mobility_needs",
    "pregnant",
    "consent_date",
    "notes",
    "household",
    "relation",
    "group",
    "tour_operator",
    "record_id",
)
#: Targets that route each value by its script; two such columns may hold the two scripts.
_BY_SCRIPT = {"surname", "given_names", "patronymic", "full_name"}
_IGNORE_WORDS = {"", "ignore", "ignored", "none", "skip", "-"}
_SAMPLE_ROWS = 200  # rows looked at for a column's sample and script


def column_name(index: int) -> str:
    """A column's letter as a spreadsheet shows it (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def layout_key(headers: Sequence[str]) -> str:
    """What identifies a list's layout: its headers, folded, in order (for remembered
    mappings: the same tour operator sends the same layout every day). The columns a review
    file adds at the end (ConsulDesk ID, result, reasons) are left out, so a review file has
    the layout of its list."""
    own = list(headers)
    while own and (
        _fold_header(own[-1]) in _ERROR_KEYS | _RESULT_KEYS or _known(own[-1]) == "record_id"
    ):
        own.pop()
    folded = "\x1f".join(_fold_header(h) for h in own)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:24]


def parse_target(text: str | None) -> str | None:
    """A target named by the officer: a target name (``surname_lat``), a header ConsulDesk
    knows (``Фамилия (лат.)``), or ``ignore``.

    Raises:
        ValueError: not a target (the message lists them).
    """
    key = (text or "").strip()
    if key.casefold() in _IGNORE_WORDS:
        return None
    if key in TARGETS:
        return key
    found = _known(key)
    if found is not None:
        return found
    raise ValueError(key)


def resolve_columns(
    path: Path, headers: Sequence[str], chosen: Mapping[str, str | None]
) -> dict[int, str | None]:
    """Column positions for what the officer chose, by header.

    A key is a header as written (``Фамилия``), a repeated header with its occurrence
    (``Фамилия#2``), a column letter (``C``) or a position (``#3``, from 1). A value is a
    target (see :func:`parse_target`) or ``None`` to ignore the column.

    Raises:
        ListError: ``list.column_unknown`` (params ``column``, ``headers``) when a key names no
            column; ``list.column_target`` (params ``column``, ``value``) when a value is not a
            target.
    """
    result: dict[int, str | None] = {}
    for spec, target in chosen.items():
        index = _column_index(headers, spec)
        if index is None:
            raise ListError("list.column_unknown", path, column=spec, headers=list(headers))
        try:
            result[index] = parse_target(target)
        except ValueError:
            raise ListError("list.column_target", path, column=spec, value=target) from None
    return result


def _column_index(headers: Sequence[str], spec: str) -> int | None:
    spec = spec.strip()
    occurrence = 1
    name = spec
    if "#" in spec:
        name, _, number = spec.rpartition("#")
        if number.isdigit():
            occurrence = int(number)
            if not name:  # "#3": the third column
                return occurrence - 1 if 1 <= occurrence <= len(headers) else None
        else:
            name = spec
    key = _fold_header(name)
    found = [i for i, h in enumerate(headers) if h.strip() == name.strip()] or [
        i for i, h in enumerate(headers) if key and _fold_header(h) == key
    ]
    if len(found) >= occurrence:
        return found[occurrence - 1]
    if occurrence == 1 and re.fullmatch(r"[A-Za-z]{1,3}", name):  # a column letter
        for i in range(len(headers)):
            if column_name(i) == name.upper():
                return i
    return None


def map_columns(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[CellValue]]],
    chosen: Mapping[int, str | None] | None = None,
    remembered: Mapping[int, str | None] | None = None,
) -> list[ColumnMapping]:
    """How each column of a list is read: chosen by the officer, remembered from an earlier
    import of the same layout, or recognised by its header.

    Two columns for one name that does not say its script (``Фамилия`` and ``Surname``, ``ФИО``
    and ``Full name``) are told apart by their values: one of Cyrillic names and one of Latin
    names is what a bilingual list is, and each value goes to its script's field.

    Raises:
        ListError: ``list.duplicate_column`` (params ``target``, ``headers``, ``columns``) when
            two columns hold the same field (in the same script); ``list.no_name_column``
            (params ``headers``). Either way :attr:`ListError.mapping` says how each column was
            read, so the officer can choose and try again.
    """
    mapping = []
    for index, header in enumerate(headers):
        sample = _sample(rows, index)
        if chosen is not None and index in chosen:
            target, origin = chosen[index], "chosen"
        elif remembered is not None and index in remembered:
            target, origin = remembered[index], "remembered"
        else:
            recognised = recognise_header(header)
            mapping.append(dataclasses.replace(recognised, index=index, sample=sample))
            continue
        note = _NOTES.get(target) if target else "ignored: chosen"
        mapping.append(ColumnMapping(header, target, note, index, sample, origin))
    mapping, by_script = _by_script(rows, mapping)
    _check_mapping(path, mapping, by_script)
    return mapping


def _sample(rows: Sequence[tuple[int, Sequence[CellValue]]], index: int) -> str:
    for _, cells in rows[:_SAMPLE_ROWS]:
        if index < len(cells) and (text := _cell_text(cells[index])):
            return text
    return ""


def _script(rows: Sequence[tuple[int, Sequence[CellValue]]], index: int) -> str | None:
    """``"cyrillic"`` or ``"latin"`` when most values of a column are in that script (a few
    odd ones are routed by their own letters anyway); ``"mixed"`` otherwise; ``None`` for an
    empty column."""
    cyrillic = latin = total = 0
    for _, cells in rows[:_SAMPLE_ROWS]:
        if index < len(cells) and (text := _cell_text(cells[index])):
            total += 1
            if is_cyrillic(text):
                cyrillic += 1
            elif is_latin(text):
                latin += 1
    if not total:
        return None
    if cyrillic >= 0.6 * total:
        return "cyrillic"
    if latin >= 0.6 * total:
        return "latin"
    return "mixed"


def _by_script(
    rows: Sequence[tuple[int, Sequence[CellValue]]], mapping: list[ColumnMapping]
) -> tuple[list[ColumnMapping], set[int]]:
    """The columns of one name that hold one script each (see :func:`map_columns`), noted so,
    and their positions."""
    result = list(mapping)
    separated: set[int] = set()
    for target in _BY_SCRIPT:
        columns = [m for m in mapping if m.field == target]
        if len(columns) < 2:
            continue
        scripts = {m.index: _script(rows, m.index) for m in columns}
        filled = [s for s in scripts.values() if s is not None]
        if len(filled) != len(set(filled)) or "mixed" in filled:
            continue  # a real collision: _check_mapping names it
        for m in columns:
            separated.add(m.index)
            script = scripts[m.index]
            if script is not None:
                result[m.index] = dataclasses.replace(m, note=f"{script} values")
    return result, separated


def _check_mapping(path: Path, mapping: list[ColumnMapping], by_script: set[int]) -> None:
    seen: dict[str, ColumnMapping] = {}
    for m in mapping:
        if m.field is None or m.field in _MULTI:
            continue
        first = seen.get(m.field)
        if first is not None and not {first.index, m.index} <= by_script:
            error = ListError(
                "list.duplicate_column",
                path,
                target=m.field,
                headers=[first.header, m.header],
                columns=[column_name(first.index), column_name(m.index)],
            )
            error.mapping = mapping
            raise error
        seen.setdefault(m.field, m)
    if not _NAME_TARGETS & set(seen):
        error = ListError("list.no_name_column", path, headers=[m.header for m in mapping])
        error.mapping = mapping
        raise error
