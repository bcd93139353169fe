"""Registration lists: import the CSV and XLSX lists that tour operators, the travel-app
registration export and embassy spreadsheets send, and export nationals back to such a list.

Reading (:func:`read_list`) detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1251), the delimiter (``,`` ``;`` or tab) and the header row, and maps each header in
English, Russian or Kazakh to a field (see ``docs/IMPORT-COLUMNS.md``). Importing
(:func:`import_list`) validates every row with :func:`~consuldesk.domain.national.clean_national`,
writes the valid rows in one transaction, fills empty fields of records already on file, and
writes the invalid rows to a new error file the officer can fix and import again. Exporting
(:func:`export_list`) writes headers from the same vocabulary, so an exported list imports back
without changes: the people, their fields and their tour group (name and operator); not family
links, requests, placements or history.

List errors (:class:`ListError`, the whole file is refused and nothing is written):
    ``list.not_found``: the file does not exist.
    ``list.unreadable``: the file cannot be read. Params: ``detail``.
    ``list.extension``: not a ``.csv``, ``.txt``, ``.tsv``, ``.xlsx`` or ``.xlsm`` file.
        Params: ``suffix``.
    ``list.xls_old``: an old Excel 97–2003 workbook (``.xls``, also when named ``.csv`` or
        ``.xlsx``); save it as ``.xlsx`` or CSV.
    ``list.encrypted``: an Excel workbook protected with a password (opening password).
    ``list.not_text``: a ``.csv`` / ``.txt`` / ``.tsv`` file that is not text (NUL bytes in its
        first 8 KB, or a known signature). Params: ``kind`` (``"PNG image"``, ``"JPEG image"``,
        ``"GIF image"``, ``"PDF"``, ``"Excel workbook"``, ``"Word document"``,
        ``"OpenDocument spreadsheet"``, ``"ZIP archive"``…, or ``None`` when unknown).
    ``list.not_xlsx``: an ``.xlsx`` / ``.xlsm`` file that is not an Excel workbook. Params:
        ``kind`` (as for ``list.not_text``, ``"text file"`` for text, or ``None``).
    ``list.encoding``: the text is neither UTF-8, UTF-16 (with BOM) nor Windows-1251.
        Params: ``guess`` (charset-normalizer's best guess, or ``None``).
    ``list.corrupt``: the spreadsheet (a damaged or cut-short ``.xlsx``) or CSV cannot be
        parsed. Params: ``detail``.
    ``list.empty``: the file has no rows at all (``header`` is ``False``: a 0-byte or blank
        file), or a header row and nothing under it (``header`` is ``True``). Params:
        ``header``.
    ``list.no_name_column``: no column holds a surname or a name. Params: ``headers``.
    ``list.duplicate_column``: two columns map to one field. Params: ``field``, ``headers``.
    ``list.write``: the export or error file cannot be written (disk full, no permission);
        nothing is left behind. Params: ``detail``.

Row errors (:class:`RowError`, the row is not imported and goes to the error file): every code of
:func:`~consuldesk.domain.national.clean_national`, ``date.format`` / ``date.invalid``
(:func:`~consuldesk.domain.dates.parse_date`), ``country.unknown`` (field ``nationality``), and:
    ``list.sex``: a sex value we do not know. Params: ``value``.
    ``list.yes_no``: not a yes/no value. Params: ``value``.
    ``list.status``: not a presence status we know. Params: ``value``.
    ``list.name_conflict``: two columns give different names for one field. Params: ``value``,
        ``other``.
    ``list.duplicate_row``: the IIN or passport number (field) was on an earlier row of the same
        file. Params: ``line``, ``value``.
    ``list.match_conflict``: the row's IIN, passport number or ConsulDesk ID point at two
        different records on file (params ``value``, ``existing_id``, ``matched_id``), or its
        IIN differs from the IIN of the record it matched (params ``value``, ``existing_id``).

Progress labels: ``list.read``, ``list.check``, ``list.save``, ``list.export``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import functools
import gc
import io
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from consuldesk.domain.countries import alpha3, country_code, country_name
from consuldesk.domain.dates import parse_date
from consuldesk.domain.duplicates import NameFacts, probable_duplicate
from consuldesk.domain.enums import HouseholdKind, PresenceStatus, Sex, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.names import full_name_key, is_cyrillic
from consuldesk.domain.national import NAME_FIELDS, NationalFields, clean_national
from consuldesk.domain.phone import split_phones
from consuldesk.services.desk import CancelFlag, Cancelled, Desk, Progress, no_progress
from consuldesk.services.files import temp_beside
from consuldesk.store.db import ChangeSet, Tx
from consuldesk.store.models import DuplicateCandidate, Household, HouseholdMember, National, new_id
from consuldesk.store.search import national_sort_name

__all__ = [
    "ERROR_COLUMN",
    "EXPORT_COLUMNS",
    "ColumnMapping",
    "ImportReport",
    "ListError",
    "ParsedList",
    "RowError",
    "default_error_file",
    "export_header",
    "export_list",
    "import_list",
    "read_list",
    "recognise_header",
]

#: Header of the last column of an error file (recognised, and ignored, on re-import).
ERROR_COLUMN = "Ошибка / Error"

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
LANGS = ("en", "ru", "kk")

_CHUNK = 900  # SQLite parameters per IN (...) query
_EVERY = 1000  # rows between progress reports and cancel checks
_INSERT_BATCH = 5000
_HEADER_SEARCH = 10  # non-empty rows searched for the header row

CellValue = str | date | None  # ``datetime`` is a ``date``


# -- results -------------------------------------------------------------------------------


class ListError(Exception):
    """A list cannot be read or written as a whole (codes in the module docs).

    Attributes:
        code: stable identifier, e.g. ``"list.encoding"``.
        path: the file concerned.
        params: details for the message.
    """

    def __init__(self, code: str, path: Path | str, **params: Any) -> None:
        self.code = code
        self.path = Path(path)
        self.params = params
        super().__init__(f"{code}: {path} {params}" if params else f"{code}: {path}")


@dataclass(frozen=True)
class ColumnMapping:
    """What one column of a list is read as.

    Attributes:
        header: the header as written in the file.
        field: a :class:`NationalFields` name; or ``surname``, ``given_names``, ``patronymic``
            (routed by script), ``full_name``, ``full_name_lat`` (split into surname, given
            names, patronymic), ``group``, ``tour_operator``, ``record_id``; ``None`` when
            ignored.
        note: how the column is used, or why it is ignored (``"ignored: not recognised"``...).
    """

    header: str
    field: str | None
    note: str | None = None


@dataclass(frozen=True)
class RowError:
    """One problem with one row; a row may have several.

    Attributes:
        line: the row's line number in a CSV (the header is usually line 1) or its row number
            in a spreadsheet.
        field: the field concerned (a :class:`NationalFields` name).
        code, params: as in :class:`~consuldesk.domain.errors.ValidationError`.
        message: readable text (from ``consuldesk.messages.describe`` when available).
    """

    line: int
    field: str
    code: str
    params: dict[str, Any]
    message: str


@dataclass(frozen=True)
class ParsedList:
    """A list as read from its file, before validation.

    Attributes:
        path: the file.
        format: ``"csv"`` or ``"xlsx"``.
        encoding: the text encoding (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1251"``);
            ``None`` for spreadsheets.
        delimiter: the CSV delimiter; ``None`` for spreadsheets.
        header_line: line (row) number of the header.
        headers: the header cells as written.
        mapping: one entry per header.
        rows: ``(line, cells)`` for every non-empty row below the header; cells are aligned
            with ``headers`` (a row may be shorter or longer) and hold text, or ``date`` /
            ``datetime`` for spreadsheet date cells.
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    headers: list[str]
    mapping: list[ColumnMapping]
    rows: list[tuple[int, list[CellValue]]]

    def record(self, index: int) -> dict[str, CellValue]:
        """Row ``index`` as ``{header: value}`` (later duplicate headers win)."""
        _, cells = self.rows[index]
        return {h: cells[i] if i < len(cells) else None for i, h in enumerate(self.headers)}


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run, would do).

    ``total_rows`` = ``created + updated + unchanged + invalid``. ``errors`` holds one entry per
    problem (a row may have several); ``invalid`` counts rows.
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    mapping: list[ColumnMapping]
    total_rows: int
    created: int
    updated: int
    unchanged: int
    invalid: int
    errors: list[RowError]
    flagged_duplicates: int
    groups_created: int
    members_added: int
    error_file: Path | None
    dry_run: bool
    changes: ChangeSet = field(default_factory=ChangeSet)


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
}

_ERROR_HEADERS = (ERROR_COLUMN, "Ошибка", "Ошибки", "Error", "Errors", "Қате", "Қателер")
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
_ROW_NUMBER_KEYS = {_fold_header(h) for h in _ROW_NUMBER_HEADERS} - {""}


def recognise_header(header: str) -> ColumnMapping:
    """How a header is read: its target field, or why it is ignored."""
    key = _fold_header(header)
    target = _HEADER_INDEX.get(key)
    if target is not None:
        return ColumnMapping(header, target, _NOTES.get(target))
    if key in _ERROR_KEYS:
        return ColumnMapping(header, None, "ignored: error column")
    if key in _ROW_NUMBER_KEYS or (not key and re.search(r"[№#]", header)):
        return ColumnMapping(header, None, "ignored: row number")
    if not key:
        return ColumnMapping(header, None, "ignored: empty header")
    return ColumnMapping(header, None, "ignored: not recognised")


def export_header(target: str, lang: str) -> str:
    """The header export writes for ``target`` in ``lang`` (``en``, ``ru`` or ``kk``)."""
    return _VOCABULARY[target][LANGS.index(lang)][0]


# -- value vocabularies --------------------------------------------------------------------


def _fold_value(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


_SEX_WORDS: dict[str, Sex] = {
    _fold_value(w): sex
    for sex, words in (
        (
            Sex.MALE,
            ("M", "М", "муж", "мужской", "мужчина", "male", "man", "Ер", "Ер адам", "еркек", "Е"),
        ),
        (
            Sex.FEMALE,
            (
                "F",
                "Ж",
                "жен",
                "женский",
                "женщина",
                "female",
                "woman",
                "W",
                "Әйел",
                "Әйел адам",
                "Ә",
            ),
        ),
    )
    for w in words
}
_YES = {
    _fold_value(w)
    for w in (
        "да",
        "д",
        "yes",
        "y",
        "true",
        "1",
        "иә",
        "ия",
        "иа",
        "v",
        "x",
        "истина",
        "беременна",
        "pregnant",
        "жүкті",
    )
}
_NO = {_fold_value(w) for w in ("нет", "н", "no", "n", "false", "0", "жоқ", "жок", "ложь")}
_YES_MARKS = {"+", "✓", "✔", "☑"}  # folded away by _fold_value, so looked up as they are
_NO_MARKS = {"-", "–", "—", "✗", "☐"}
_SEX_LABELS = {"en": ("M", "F"), "ru": ("М", "Ж"), "kk": ("Ер", "Әйел")}
_YES_LABEL = {"en": "yes", "ru": "да", "kk": "иә"}

# status -> (English, Russian, Kazakh) labels; the first of each is what export writes.
_STATUS_LABELS: dict[PresenceStatus, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    PresenceStatus.IN_COUNTRY: (("In country",), ("В стране",), ("Елде",)),
    PresenceStatus.IN_TRANSIT: (
        ("In transit", "On the road"),
        ("В пути", "В транзите"),
        ("Жолда", "Транзитте"),
    ),
    PresenceStatus.IN_HOTEL: (("In hotel",), ("В отеле", "В гостинице"), ("Қонақүйде",)),
    PresenceStatus.EVACUATED: (
        ("Evacuated",),
        ("Эвакуирован", "Эвакуирована", "Эвакуированы"),
        ("Эвакуацияланды", "Эвакуацияланған"),
    ),
    PresenceStatus.LEFT_ON_OWN: (
        ("Left on own", "Left"),
        ("Выехал самостоятельно", "Выехала самостоятельно", "Выехал"),
        ("Өз бетімен кетті", "Кетті"),
    ),
    PresenceStatus.UNKNOWN: (("Unknown",), ("Неизвестно",), ("Белгісіз",)),
}
_STATUS_WORDS: dict[str, PresenceStatus] = {}
for _status, _langs in _STATUS_LABELS.items():
    _STATUS_WORDS[_fold_value(_status.value)] = _status
    for _labels in _langs:
        for _label in _labels:
            _STATUS_WORDS[_fold_value(_label)] = _status

_PATRONYMIC_END = re.compile(r"(ович|евич|ич|овна|евна|ична|ұлы|улы|қызы|кызы|оглы)$")


# -- reading -------------------------------------------------------------------------------


def read_list(
    path: Path | str, *, progress: Progress = no_progress, cancel: CancelFlag | None = None
) -> ParsedList:
    """Read a list file: encoding, delimiter, header row and column mapping.

    The header is the first of the first ten non-empty rows that has at least two recognised
    headers (so title rows above it are skipped), else the first non-empty row. Rows whose
    cells are all empty are left out (their line numbers are simply skipped).

    Raises:
        ListError: ``list.not_found``, ``list.unreadable``, ``list.extension``,
            ``list.xls_old``, ``list.encrypted``, ``list.not_text``, ``list.not_xlsx``,
            ``list.encoding``, ``list.corrupt``, ``list.empty``, ``list.no_name_column``,
            ``list.duplicate_column``.
        Cancelled: ``cancel`` was set.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + XLSX_SUFFIXES:
        if suffix == ".xls" and path.is_file():
            _check_old_excel(path, _read_head(path))
        raise ListError("list.extension", path, suffix=suffix)
    if not path.is_file():
        if path.exists():
            raise ListError("list.unreadable", path, detail="not a file")
        raise ListError("list.not_found", path)
    cancel = cancel or CancelFlag()
    encoding: str | None = None
    delimiter: str | None = None
    if suffix in XLSX_SUFFIXES:
        fmt = "xlsx"
        _check_xlsx_file(path, _read_head(path))
        with _gc_paused():  # keeping 100,000 rows of cells: ~20 % of the time in GC scans
            rows = _read_xlsx(path, progress, cancel)
    else:
        fmt = "csv"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ListError("list.unreadable", path, detail=str(exc)) from exc
        _check_text_file(path, data[:_SNIFF])
        text, encoding = _decode(data, path)
        with _gc_paused():
            rows, delimiter = _read_csv(text, path, progress, cancel)
    if not rows:
        raise ListError("list.empty", path, header=False)
    header_at = _find_header(rows)
    header_line, header_cells = rows[header_at]
    headers = [_cell_text(c) for c in header_cells]
    if headers and headers[0].startswith("\ufeff"):
        headers[0] = headers[0][1:]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (their data, if any, stays in the rows)
    mapping = [recognise_header(h) for h in headers]
    _check_mapping(path, mapping)
    data_rows = rows[header_at + 1 :]
    if not data_rows:
        raise ListError("list.empty", path, header=True)
    return ParsedList(path, fmt, encoding, delimiter, header_line, headers, mapping, data_rows)


def _check_mapping(path: Path, mapping: list[ColumnMapping]) -> None:
    seen: dict[str, str] = {}
    for m in mapping:
        if m.field is None or m.field in _MULTI:
            continue
        if m.field in seen:
            raise ListError(
                "list.duplicate_column", path, field=m.field, headers=[seen[m.field], m.header]
            )
        seen[m.field] = m.header
    if not _NAME_TARGETS & set(seen):
        raise ListError("list.no_name_column", path, headers=[m.header for m in mapping])


def _find_header(rows: list[tuple[int, list[CellValue]]]) -> int:
    for i, (_, cells) in enumerate(rows[:_HEADER_SEARCH]):
        texts = [_cell_text(c) for c in cells]
        recognised = [t for t in texts if t and _HEADER_INDEX.get(_fold_header(t))]
        if len(recognised) >= 2 or (recognised and sum(1 for t in texts if t) == 1):
            return i
    return 0


# -- what a file really is ------------------------------------------------------------------

_SNIFF = 8192  # bytes looked at to tell text from binary
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files (.xls, .doc) and encrypted .xlsx
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream of a password-protected xlsx
_OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    b"application/vnd.oasis.opendocument.text": "OpenDocument text",
}


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF)
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc


def _check_old_excel(path: Path, head: bytes) -> None:
    """Refuse an OLE2 compound file: an old ``.xls``, or an ``.xlsx`` locked with a password."""
    if not head.startswith(_OLE2):
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc
    if _ENCRYPTED_PACKAGE in data:
        raise ListError("list.encrypted", path)
    raise ListError("list.xls_old", path)


def _zip_kind(path: Path) -> str | None:
    """What a ZIP file holds (``"Excel workbook"``...), or ``None`` if it cannot be opened."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = _OPENDOCUMENT.get(archive.read("mimetype").strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    if any(n.startswith("xl/") for n in names):
        return "Excel workbook"
    if any(n.startswith("word/") for n in names):
        return "Word document"
    if any(n.startswith("ppt/") for n in names):
        return "PowerPoint presentation"
    return "ZIP archive"


def _binary_kind(head: bytes) -> str | None:
    """The kind of a file with a known binary signature, else ``None``."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _has_binary_nuls(head: bytes) -> bool:
    """Whether NUL bytes show binary data: text never has them, and UTF-16 (which a file
    without BOM may still be: ``list.encoding`` says so) has them only at odd or only at even
    offsets."""
    even = b"\x00" in head[0::2]
    odd = b"\x00" in head[1::2]
    return even and odd


def _check_text_file(path: Path, head: bytes) -> None:
    """Refuse a ``.csv`` / ``.txt`` / ``.tsv`` file that is not text at all.

    Raises:
        ListError: ``list.xls_old``, ``list.encrypted``, ``list.not_text``.
    """
    _check_old_excel(path, head)
    if head.startswith(_ZIP):
        raise ListError("list.not_text", path, kind=_zip_kind(path) or "ZIP archive")
    kind = _binary_kind(head)
    if kind is not None:
        raise ListError("list.not_text", path, kind=kind)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if _has_binary_nuls(head):
        raise ListError("list.not_text", path, kind=None)


def _check_xlsx_file(path: Path, head: bytes) -> None:
    """Refuse an ``.xlsx`` / ``.xlsm`` file that is empty, old Excel, or not a workbook.

    A file that starts like a ZIP but cannot be opened (cut short by a download or a full disk)
    is left to the reader, which reports it as ``list.corrupt``.

    Raises:
        ListError: ``list.empty``, ``list.xls_old``, ``list.encrypted``, ``list.not_xlsx``.
    """
    if not head:
        raise ListError("list.empty", path, header=False)
    _check_old_excel(path, head)
    if not head.startswith(_ZIP):
        kind = _binary_kind(head)
        if kind is None:
            kind = None if _has_binary_nuls(head) else "text file"
        raise ListError("list.not_xlsx", path, kind=kind)
    kind = _zip_kind(path)
    if kind is not None and kind != "Excel workbook":
        raise ListError("list.not_xlsx", path, kind=kind)


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text list; UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1251."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        raise ListError("list.encoding", path, guess=_guess_encoding(data)) from None
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            pass
        else:
            if _plausible_cp1251(text):
                return text, "cp1251"
    raise ListError("list.encoding", path, guess=_guess_encoding(data))


_CP1251_TEXT = set(
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    "ІіЇїЄєҐґЎў№«»—–‘’‚“”„…•°±\xa0€§©®™·"
)
_CYR_VOWELS = set("АЕЁИОУЫЭЮЯІаеёиоуыэюяі")
_CASE_FLIP = re.compile(r"[а-яё][А-ЯЁ]")
_CYR_WORD = re.compile(r"[А-Яа-яЁё]{2,}")


def _plausible_cp1251(text: str) -> bool:
    """Whether Windows-1251 decoding gave Russian/Kazakh text (not KOI8-R, CP866 or binary)."""
    sample = text[:262_144]
    if any(ch < " " and ch not in "\t\r\n" for ch in set(sample)):
        return False
    counts = Counter(ch for ch in sample if ch > "\x7f")
    high = sum(counts.values())
    if not high:
        return True
    if sum(n for ch, n in counts.items() if ch in _CP1251_TEXT) < 0.97 * high:
        return False
    letters = sum(n for ch, n in counts.items() if ch.isalpha())
    if letters >= 20:
        vowels = sum(n for ch, n in counts.items() if ch in _CYR_VOWELS)
        if not 0.2 <= vowels / letters <= 0.7:
            return False
        words = len(_CYR_WORD.findall(sample))
        if words and len(_CASE_FLIP.findall(sample)) > 0.2 * words:
            return False
    return True


def _guess_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", 0.0
    for delimiter in (";", "\t", ","):
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        width, hits = Counter(wide).most_common(1)[0]
        score = width * hits / len(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(
    text: str, path: Path, progress: Progress, cancel: CancelFlag
) -> tuple[list[tuple[int, list[CellValue]]], str]:
    skip = 0
    first = text[:16].lstrip("\ufeff")
    if first[:4].lower() == "sep=" and len(first) > 4 and first[4] not in "\r\n":
        delimiter = first[4]  # Excel's "sep=;" hint line
        skip = 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[CellValue]]] = []
    last = 0
    try:
        for cells in reader:
            start = last + 1
            last = reader.line_num
            if start <= skip:
                continue
            if "".join(cells).strip():
                rows.append((start, cells))  # type: ignore[arg-type]
                if len(rows) % _EVERY == 0:
                    cancel.check()
                    progress(len(rows), 0, "list.read")
    except csv.Error as exc:
        raise ListError("list.corrupt", path, detail=f"line {last + 1}: {exc}") from exc
    return rows, delimiter


def _read_xlsx(
    path: Path, progress: Progress, cancel: CancelFlag
) -> list[tuple[int, list[CellValue]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc
    except Exception as exc:  # zipfile, XML and openpyxl errors: all mean "not a readable xlsx"
        raise ListError("list.corrupt", path, detail=f"{type(exc).__name__}: {exc}") from exc
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[CellValue]]] = []
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers store a wrong used range
            # Nearly all the time is openpyxl's XML parsing; per cell, only non-text values are
            # converted, and a row is kept at its first non-blank cell.
            for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells: list[CellValue] = [
                    v if type(v) in _XLSX_AS_IS else _xlsx_value(v) for v in values
                ]
                for c in cells:
                    if c is not None and (type(c) is not str or c.strip()):
                        rows.append((line, cells))
                        break
                if line % _EVERY == 0:  # also through long runs of empty, formatted rows
                    cancel.check()
                    progress(len(rows), 0, "list.read")
            if rows:
                return rows
        return []
    except Cancelled:
        raise
    except Exception as exc:
        raise ListError("list.corrupt", path, detail=f"{type(exc).__name__}: {exc}") from exc
    finally:
        workbook.close()


_XLSX_AS_IS = frozenset({str, type(None)})


def _xlsx_value(value: object) -> CellValue:
    """A spreadsheet cell as text, keeping dates as dates."""
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    return str(value)


def _cell_text(value: CellValue) -> str:
    """A cell as text (dates as dd.mm.yyyy)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime) and (value.hour or value.minute or value.second):
        return f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%d.%m.%Y}"


# -- row parsing ---------------------------------------------------------------------------

_Handler = Callable[[CellValue, dict[str, Any], list[ValidationError]], None]


def _put_name(out: dict[str, Any], errs: list[ValidationError], key: str, value: str) -> None:
    old = out.get(key)
    if old is None:
        out[key] = value
    elif old.casefold() != value.casefold():
        errs.append(ValidationError("list.name_conflict", key, value=value, other=old))


def _split_full(value: str, latin: bool) -> dict[str, str]:
    parts = value.split()
    if not parts:
        return {}
    if latin or not is_cyrillic(value):
        names = {"surname_lat": parts[0]}
        if len(parts) > 1:
            names["given_names_lat"] = " ".join(parts[1:])
        return names
    names = {"surname_cyr": parts[0]}
    rest = parts[1:]
    if len(rest) >= 2 and _PATRONYMIC_END.search(rest[-1].casefold()):
        names["patronymic_cyr"] = rest.pop()
    if rest:
        names["given_names_cyr"] = " ".join(rest)
    return names


def _add_note(out: dict[str, Any], text: str) -> None:
    old = out.get("notes")
    out["notes"] = f"{old}; {text}" if old else text


def _parse_sex(s: str) -> Sex | None:
    key = _fold_value(s)
    if not key:
        return None
    found = _SEX_WORDS.get(key)
    if found is None:
        raise ValidationError("list.sex", "sex", value=s)
    return found


def _parse_yes_no(s: str) -> bool | None:
    if s in _YES_MARKS:
        return True
    if s in _NO_MARKS:
        return False
    key = _fold_value(s)
    first = _fold_value(s.split(maxsplit=1)[0]) if s.split() else ""
    if key in _YES or first in _YES:  # "да, 20 недель"
        return True
    if key in _NO or first in _NO:
        return False
    if key:
        raise ValidationError("list.yes_no", "pregnant", value=s)
    return None


def _parse_status(s: str) -> PresenceStatus | None:
    key = _fold_value(s)
    if not key:
        return None
    found = _STATUS_WORDS.get(key)
    if found is None:
        raise ValidationError("list.status", "presence_status", value=s)
    return found


def _parse_nationality(s: str) -> str | None:
    if not s:
        return None
    if re.fullmatch(r"[A-Za-z]{3}", s):
        return s.upper()
    try:
        return alpha3(country_code(s, field="nationality"))
    except ValidationError:
        raise ValidationError("country.unknown", "nationality", value=s) from None


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


# -- matching against the case file --------------------------------------------------------

# Fields a list may fill on a record that has them empty (provenance and nationality stay).
_FILLABLE_TEXT = tuple(
    f.name
    for f in dataclasses.fields(NationalFields)
    if f.name
    not in (
        "nationality",
        "source",
        "source_ref",
        "consent_date",
        "phones",
        "pregnant",
        "presence_status",
    )
)
_NATIONAL_COLUMNS = ("id", *(f.name for f in dataclasses.fields(NationalFields)))
_BIRTH_COLUMNS = ("id", "birth_date", "sort_name", "iin", *NAME_FIELDS[:2], *NAME_FIELDS[3:])


@dataclass
class _Plan:
    new: list[_Row] = field(default_factory=list)  # the n-th is known as _new_key(n)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> column values
    updated_rows: int = 0
    unchanged: int = 0
    errors: dict[int, list[ValidationError]] = field(default_factory=dict)
    flags: list[tuple[str, str, float]] = field(default_factory=list)
    new_groups: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> name, op
    members: list[tuple[str, str]] = field(default_factory=list)  # household id, national id


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _live_count(session: Session) -> int:
    nt = National.__table__  # type: ignore[attr-defined]
    query = select(func.count()).select_from(nt).where(nt.c.deleted_at.is_(None))
    return int(session.execute(query).scalar_one())


def _select_where_in(
    session: Session, names: Sequence[str], key: str, values: Iterable[Any], live: int
) -> list[Any]:
    """Columns ``names`` of live nationals whose ``key`` is one of ``values``.

    Runs IN queries of up to 900 values, or one scan when the case file holds fewer records
    than that, straight through the driver: values come back as SQLite stores them (dates as
    ISO text, ``phones`` as JSON text, booleans as 0/1), which is all matching needs and
    several times faster than typed rows for 100,000 records.
    """
    if not live:
        return []
    wanted = sorted({v.isoformat() if isinstance(v, date) else v for v in values})
    if not wanted:
        return []
    conn = session.connection()
    select_from = f"SELECT {key} AS _key, {', '.join(names)} FROM national WHERE deleted_at IS NULL"
    if len(wanted) > live:
        found = set(wanted)
        return [
            r for r in conn.exec_driver_sql(f"{select_from} AND {key} IS NOT NULL") if r[0] in found
        ]
    result: list[Any] = []
    for chunk in _chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        result.extend(conn.exec_driver_sql(f"{select_from} AND {key} IN ({marks})", tuple(chunk)))
    return result


def _offered(f: NationalFields) -> dict[str, Any]:
    """The fields a row has a value for (the ones it could fill on a record)."""
    values = f.__dict__
    offered = {k: values[k] for k in _FILLABLE_TEXT if values[k] is not None}
    if f.phones:
        offered["phones"] = f.phones
    if f.pregnant:
        offered["pregnant"] = True
    if f.presence_status is not PresenceStatus.UNKNOWN:
        offered["presence_status"] = f.presence_status
    return offered


def _is_empty(name: str, value: Any) -> bool:
    """Whether a stored value (as the driver returns it) counts as not filled in."""
    if name == "phones":
        return not value or value == "[]"
    if name == "presence_status":
        return value in (None, PresenceStatus.UNKNOWN.value)
    if name == "pregnant":
        return not value
    return value is None or value == ""


_SPECIAL_EMPTY = {"phones", "presence_status", "pregnant"}
_DATE_FIELDS = ("birth_date", "passport_expiry", "consent_date")


def _fields_from(values: dict[str, Any]) -> NationalFields:
    """A stored national's fields from column values (typed, or as the driver returns them)."""
    v = {k: values[k] for k in _NATIONAL_COLUMNS if k != "id"}
    phones = v["phones"]
    v["phones"] = tuple(json.loads(phones) if isinstance(phones, str) else phones or ())
    v["sex"] = Sex(v["sex"]) if v["sex"] else None
    v["presence_status"] = PresenceStatus(v["presence_status"])
    v["source"] = Source(v["source"])
    v["pregnant"] = bool(v["pregnant"])
    for name in _DATE_FIELDS:
        if isinstance(v[name], str):
            v[name] = date.fromisoformat(v[name])
    return NationalFields(**v)


def _column_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (Sex, PresenceStatus, Source)):
        return value.value
    return value


@functools.lru_cache(maxsize=65536)
def _name_keys(
    surname_cyr: str | None, given_cyr: str | None, surname_lat: str | None, given_lat: str | None
) -> tuple[str, ...]:
    """Full-name keys for duplicate detection, as :func:`nationals.name_facts` builds them
    (cached: names repeat in lists)."""
    keys = (full_name_key(surname_cyr, given_cyr), full_name_key(surname_lat, given_lat))
    return tuple(k for k in keys if k)


def _keys_of(r: Any) -> tuple[str, ...]:
    return _name_keys(r.surname_cyr, r.given_names_cyr, r.surname_lat, r.given_names_lat)


_SOME_DAY = date(2000, 1, 1)


@functools.lru_cache(maxsize=65536)
def _same_day_score(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """:func:`probable_duplicate` for two people born the same day (cached by name keys)."""
    return probable_duplicate(NameFacts(a, _SOME_DAY), NameFacts(b, _SOME_DAY))


def _new_key(n: int) -> str:
    """Placeholder id of the n-th new record until the store gives it its id."""
    return f"new:{n}"


def _plan_import(session: Session, checked: _Checked, today: date, cancel: CancelFlag) -> _Plan:
    """Decide, for each valid row, whether it is new, fills a record on file, or changes nothing.

    New records are known by placeholder ids (:func:`_new_key`) until they are inserted.
    """
    plan = _Plan()
    rows = checked.rows
    live = _live_count(session)
    # Records on file named by the list's IINs (with all their values), passports and IDs.
    state: dict[str, dict[str, Any]] = {}  # current values of the records matched
    by_iin: dict[str, str] = {}
    iins = [x.fields.iin for x in rows if x.fields.iin]
    for r in _select_where_in(session, _NATIONAL_COLUMNS, "iin", iins, live):
        state[r.id] = dict(r._mapping)
        by_iin[r.iin] = r.id
    passports = [x.fields.passport_no for x in rows if x.fields.passport_no]
    by_passport = {
        r.passport_no: r.id
        for r in _select_where_in(session, ("id", "passport_no"), "passport_no", passports, live)
    }
    record_ids = [x.record_id for x in rows if x.record_id]
    by_id = {r.id for r in _select_where_in(session, ("id",), "id", record_ids, live)}
    cancel.check()

    # Rows that name a record on file (ConsulDesk ID, IIN or passport number).
    pending: list[_Row] = []
    matched: list[tuple[_Row, dict[str, str]]] = []
    for row in rows:
        f = row.fields
        matches: dict[str, str] = {}  # id -> the field that matched it
        if row.record_id and row.record_id in by_id:
            matches[row.record_id] = "record_id"
        if f.iin and (hit := by_iin.get(f.iin)):
            matches.setdefault(hit, "iin")
        if f.passport_no and (hit := by_passport.get(f.passport_no)):
            matches.setdefault(hit, "passport_no")
        if matches:
            matched.append((row, matches))
        else:
            pending.append(row)
    missing = {i for _, m in matched for i in m if i not in state}
    for r in _select_where_in(session, _NATIONAL_COLUMNS, "id", missing, live):
        state[r.id] = dict(r._mapping)
    targets: dict[int, str] = {}  # row index -> national id (for group membership)
    for done, (row, matches) in enumerate(matched):
        if done % _EVERY == 0:
            cancel.check()
        error = _fill(plan, state, row, matches, today)
        if error:
            plan.errors[row.index] = error
        else:
            targets[row.index] = next(iter(matches))

    # The others: new records, unless one without IIN and passport has the exact name and birth
    # date of a record (on file or earlier in the list). New ones born the same day as another
    # with a similar name are flagged as probable duplicates.
    by_birth: dict[date, list[tuple[tuple[str, ...], str, str | None]]] = defaultdict(list)
    name_birth: dict[tuple[str, date | None], str] = {}
    births = [x.fields.birth_date for x in pending if x.fields.birth_date]
    for r in _select_where_in(session, _BIRTH_COLUMNS, "birth_date", births, live):
        born = date.fromisoformat(r.birth_date)
        by_birth[born].append((_keys_of(r), r.id, r.iin))
        name_birth.setdefault((r.sort_name, born), r.id)
    by_name = any(not x.fields.iin and not x.fields.passport_no for x in pending)
    if by_name:  # people without any date: the same name and no birth date on file either
        undated = [
            national_sort_name(x.fields.__dict__)
            for x in pending
            if not (x.fields.iin or x.fields.passport_no or x.fields.birth_date)
        ]
        for r in _select_where_in(session, ("id", "birth_date"), "sort_name", undated, live):
            if r.birth_date is None:
                name_birth.setdefault((r[0], None), r.id)
    cancel.check()
    for row in pending:
        f = row.fields
        sort_name = national_sort_name(f.__dict__) if by_name else ""
        if by_name and not f.iin and not f.passport_no:
            same = name_birth.get((sort_name, f.birth_date))
            if same is not None:
                plan.unchanged += 1
                targets[row.index] = same
                continue
        national_id = _new_key(len(plan.new))
        plan.new.append(row)
        targets[row.index] = national_id
        if by_name:
            name_birth.setdefault((sort_name, f.birth_date), national_id)
        if f.birth_date:
            mine = _name_keys(f.surname_cyr, f.given_names_cyr, f.surname_lat, f.given_names_lat)
            same_day = by_birth[f.birth_date]
            for other_keys, other_id, other_iin in same_day:
                if f.iin and other_iin and f.iin != other_iin:
                    continue  # two valid, different IINs: two people (twins, namesakes)
                score = _same_day_score(mine, other_keys)
                if score is not None:
                    plan.flags.append((national_id, other_id, score))
            same_day.append((mine, national_id, f.iin))
        if len(plan.new) % _EVERY == 0:
            cancel.check()
    cancel.check()
    grouped = [(row, targets[row.index]) for row in rows if row.group and row.index in targets]
    if grouped:
        _plan_groups(session, plan, grouped)
    return plan


def _fill(
    plan: _Plan,
    state: dict[str, dict[str, Any]],
    row: _Row,
    matches: dict[str, str],
    today: date,
) -> list[ValidationError] | None:
    """Plan filling the empty fields of the one record a row matched; the row's errors if any."""
    f = row.fields
    if len(matches) > 1:  # e.g. the IIN is one record's, the passport another's
        (first, _), (second, key) = list(matches.items())[:2]
        value = row.record_id if key == "record_id" else getattr(f, key)
        return [
            ValidationError(
                "list.match_conflict", key, value=value, existing_id=second, matched_id=first
            )
        ]
    record_id = next(iter(matches))
    current = state[record_id]
    if f.iin and current["iin"] and current["iin"] != f.iin:
        return [ValidationError("list.match_conflict", "iin", value=f.iin, existing_id=record_id)]
    fills = {}
    for k, v in _offered(f).items():
        c = current[k]
        if c is None or c == "" or (k in _SPECIAL_EMPTY and _is_empty(k, c)):
            fills[k] = v
    if not fills:
        plan.unchanged += 1
        return None
    merged = {**current, **{k: _column_value(v) for k, v in fills.items()}}
    try:
        cleaned = clean_national(_fields_from(merged), today)
    except ValidationErrors as exc:
        return exc.errors
    values = {k: _column_value(getattr(cleaned, k)) for k in fills}
    current.update(values)
    plan.updates.setdefault(record_id, {}).update(values)
    plan.updated_rows += 1
    return None


def _group_key(name: str, operator: str | None) -> tuple[str, str]:
    fold = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return fold(name), fold(operator)


def _plan_groups(session: Session, plan: _Plan, target_of: list[tuple[_Row, str]]) -> None:
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
    for row, national_id in target_of:
        if not row.group:
            continue
        name = " ".join(row.group.split())
        operator = " ".join(row.operator.split()) if row.operator else None
        key = _group_key(name, operator)
        gid = groups.get(key)
        if gid is None:
            gid = groups[key] = new_id()
            plan.new_groups[gid] = (name, operator)
        if (gid, national_id) not in members:
            members.add((gid, national_id))
            plan.members.append((gid, national_id))


# -- writing -------------------------------------------------------------------------------


def _insert_values(f: NationalFields) -> dict[str, Any]:
    values = {k: v for k, v in f.__dict__.items() if v is not None}  # cleaned: no "" left
    if f.phones:
        values["phones"] = list(f.phones)
    if f.sex is not None:
        values["sex"] = f.sex.value
    values["presence_status"] = f.presence_status.value
    values["source"] = f.source.value
    return values


def _apply(tx: Tx, plan: _Plan, progress: Progress, cancel: CancelFlag) -> None:
    """Write a plan in the open transaction ``tx``."""
    total = len(plan.new) + len(plan.updates)
    done = 0
    new_ids: dict[str, str] = {}
    for start in range(0, len(plan.new), _INSERT_BATCH):
        cancel.check()
        progress(done, total, "list.save")
        batch = plan.new[start : start + _INSERT_BATCH]
        ids = tx.insert_nationals([_insert_values(row.fields) for row in batch])
        new_ids.update((_new_key(start + i), record_id) for i, record_id in enumerate(ids))
        done += len(batch)

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
    for gid, national_id in plan.members:
        member = HouseholdMember(household_id=gid, national_id=real(national_id), relation="member")  # type: ignore[call-arg]
        tx.add(member)
    for a, b, score in plan.flags:
        a, b = sorted((real(a), real(b)))
        tx.add(DuplicateCandidate(national_a_id=a, national_b_id=b, score=score))  # type: ignore[call-arg]
    progress(total, total, "list.save")


# -- error file ----------------------------------------------------------------------------


@functools.cache
def _describer() -> Callable[[Exception], str] | None:
    """``consuldesk.messages.describe`` when that module exists."""
    try:
        from consuldesk.messages import describe  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return describe  # type: ignore[no-any-return,unused-ignore]


def _message(error: ValidationError) -> str:
    describe = _describer()
    if describe is not None:
        try:
            return str(describe(error))
        except Exception:  # a missing message must not stop an import
            pass
    params = ", ".join(f"{k}={v}" for k, v in error.params.items())
    return f"{error.field}: {error.code}" + (f" ({params})" if params else "")


_ERRORS_STEM = re.compile(r"(?P<list>.+?)\.errors(?:-\d{8}-\d{6}(?:-\d+)?)?")
_MAX_ERROR_FILES = 1000  # numbered names tried before giving up


def _now() -> datetime:
    """The local time stamped into error file names (replaced in tests)."""
    return datetime.now()


def _error_file_names(path: Path, now: datetime) -> Iterator[Path]:
    """The default error file names of a list, in the order they are tried.

    ``<stem>.errors.csv``, then ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv``, then that name with
    ``-2``, ``-3``... The stem of an error file (``reg.errors``, ``reg.errors-<stamp>``) is that
    of its list (``reg``), so the rows still wrong in an error file never go to
    ``reg.errors.errors.csv``.
    """
    match = _ERRORS_STEM.fullmatch(path.stem)
    stem = match["list"] if match else path.stem
    yield path.with_name(f"{stem}.errors.csv")
    stamped = f"{stem}.errors-{now:%Y%m%d-%H%M%S}"
    yield path.with_name(f"{stamped}.csv")
    for n in range(2, _MAX_ERROR_FILES):
        yield path.with_name(f"{stamped}-{n}.csv")


def default_error_file(path: Path, now: datetime | None = None) -> Path:
    """Where the error file of a list would go by default now: the first of
    ``<stem>.errors.csv``, ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv``, ``…-2.csv``, ``…-3.csv``
    beside the list that does not exist yet (an existing file may hold an officer's
    corrections). For an error file (``reg.errors.csv``) the stem is that of its list (``reg``).

    Raises:
        ListError: ``list.write`` when every name is taken.
    """
    for candidate in _error_file_names(path, now or _now()):
        if not os.path.lexists(candidate):
            return candidate
    raise ListError("list.write", path, detail="too many error files beside the list")


def _place_error_file(tmp: Path, path: Path) -> Path:
    """Move the written error file ``tmp`` to the first free default name of list ``path``
    (:func:`default_error_file`) without ever replacing an existing file; returns that name."""
    now = _now()
    for candidate in _error_file_names(path, now):
        try:
            os.link(tmp, candidate)  # fails if the name exists, even if it appeared just now
        except FileExistsError:
            continue
        except OSError:  # no hard links on this disk (FAT, some network shares)
            if os.path.lexists(candidate):
                continue
            try:
                os.replace(tmp, candidate)
            except OSError as exc:
                raise ListError("list.write", candidate, detail=str(exc)) from exc
            return candidate
        tmp.unlink(missing_ok=True)
        return candidate
    raise ListError("list.write", path, detail="too many error files beside the list")


def _write_error_file(target: Path, parsed: ParsedList, errors: dict[int, list[RowError]]) -> Path:
    """Write the invalid rows to a temporary file beside ``target``; returns the temp path."""
    keep = [i for i, m in enumerate(parsed.mapping) if m.note != "ignored: error column"]
    width = max([len(parsed.headers), *(len(parsed.rows[i][1]) for i in errors)])
    keep += list(range(len(parsed.headers), width))
    headers = [*parsed.headers, *([""] * (width - len(parsed.headers)))]
    tmp = temp_beside(target)
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=parsed.delimiter or ";")
            writer.writerow([headers[i] for i in keep] + [ERROR_COLUMN])
            for index in sorted(errors):
                cells = parsed.rows[index][1]
                texts = [_cell_text(cells[i]) if i < len(cells) else "" for i in keep]
                writer.writerow([*texts, "; ".join(e.message for e in errors[index])])
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ListError("list.write", target, detail=str(exc)) from exc
    return tmp


# -- import --------------------------------------------------------------------------------


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk import.

    An import allocates millions of small acyclic objects; generation scans over them cost
    about 20 % of a 100,000-row import. Nothing here makes cycles that must be freed early.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_list(
    desk: Desk,
    path: Path | str,
    *,
    dry_run: bool = False,
    error_file: Path | str | None = None,
    source: Source = Source.LIST_IMPORT,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> ImportReport:
    """Import a registration list in one transaction.

    Valid rows become new nationals (``source``, ``source_ref`` = the file name); a row whose
    IIN, passport number or ConsulDesk ID matches a live record fills that record's empty
    fields ("updated") or changes nothing ("unchanged"); a row without IIN and passport whose
    name and birth date match a record exactly is "unchanged". New records are flagged as
    probable duplicates of records born the same day with a similar name. With a group column,
    people join tour-group households (found by name and tour operator, or created).

    Invalid rows are reported with their line numbers and written, with the source's columns
    plus ``Ошибка / Error``, to ``error_file`` if given (replacing it; it is removed when there
    are no errors), else to a new file beside the list: ``<stem>.errors.csv``, or
    ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv`` when that exists (see :func:`default_error_file`).
    A default error file is never overwritten or removed: the officer may be correcting it.
    A dry run does everything but write: no transaction, and an error file only when
    ``error_file`` is given.

    Raises:
        ListError: the file as a whole cannot be used (codes in the module docs).
        CaseFileError: the case file is locked, read-only or full; nothing was written.
        Cancelled: ``cancel`` was set; nothing was written.
    """
    path = Path(path)
    cancel = cancel or CancelFlag()
    with _gc_paused():
        parsed = read_list(path, progress=progress, cancel=cancel)
        today = desk.today()
        checked = _check_rows(parsed, today, source, progress, cancel)
        explicit = Path(error_file) if error_file is not None else None
        # The default name is chosen when the file is moved into place (_place_error_file).
        target = explicit or next(_error_file_names(path, _now()))
        placed: Path | None = None
        write_errors = not dry_run or explicit is not None
        changes = ChangeSet()
        tmp: Path | None = None
        try:
            if dry_run:
                with desk.casefile.read() as session:
                    plan = _plan_import(session, checked, today, cancel)
                row_errors = _row_errors(parsed, checked, plan)
                if row_errors and write_errors:
                    tmp = _write_error_file(target, parsed, row_errors)
            else:
                with desk.casefile.write(desk.officer) as tx:
                    plan = _plan_import(tx.session, checked, today, cancel)
                    _apply(tx, plan, progress, cancel)
                    row_errors = _row_errors(parsed, checked, plan)
                    if row_errors:
                        tmp = _write_error_file(target, parsed, row_errors)
                changes = tx.changes
            if tmp is not None:
                if explicit is not None:
                    os.replace(tmp, explicit)
                    placed = explicit
                else:
                    placed = _place_error_file(tmp, path)
                tmp = None
        except BaseException:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise
        if not row_errors and explicit is not None:
            explicit.unlink(missing_ok=True)  # a stale error file of an earlier import
    errors = [e for i in sorted(row_errors) for e in row_errors[i]]
    return ImportReport(
        path=path,
        format=parsed.format,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        mapping=parsed.mapping,
        total_rows=checked.total,
        created=len(plan.new),
        updated=plan.updated_rows,
        unchanged=plan.unchanged,
        invalid=len(row_errors),
        errors=errors,
        flagged_duplicates=len(plan.flags),
        groups_created=len(plan.new_groups),
        members_added=len(plan.members),
        error_file=placed,
        dry_run=dry_run,
        changes=changes,
    )


def _row_errors(parsed: ParsedList, checked: _Checked, plan: _Plan) -> dict[int, list[RowError]]:
    result: dict[int, list[RowError]] = {}
    for index, errs in (*checked.errors.items(), *plan.errors.items()):
        line = parsed.rows[index][0]
        result[index] = [RowError(line, e.field, e.code, dict(e.params), _message(e)) for e in errs]
    return result


# -- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "record_id",
    "surname",
    "given_names",
    "patronymic",
    "surname_lat",
    "given_names_lat",
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
    "notes",
    "group",
    "tour_operator",
)
_EXPORT_SOURCE = {
    "record_id": "id",
    "surname": "surname_cyr",
    "given_names": "given_names_cyr",
    "patronymic": "patronymic_cyr",
}
_DATE_COLUMNS = {"passport_expiry", "birth_date"}
_WIDTHS = {"record_id": 38, "iin": 14, "passport_no": 13, "phones": 18, "address": 30, "notes": 30}


@functools.lru_cache(maxsize=512)
def _country_label(code: str, lang: str) -> str:
    """The country's name in ``lang`` when it reads back as the same code, else the code."""
    try:
        name = country_name(code, lang)
        return name if country_code(name) == code else code
    except ValidationError:
        return code


def _exporter(lang: str) -> Callable[[Any, dict[str, tuple[str, str | None]]], list[Any]]:
    """The function that turns a stored national (a row of ``_NATIONAL_COLUMNS``) into the
    cells of ``EXPORT_COLUMNS`` in ``lang``."""
    at = {name: i for i, name in enumerate(_NATIONAL_COLUMNS)}
    male, female = _SEX_LABELS[lang]
    yes = _YES_LABEL[lang]
    status = {s.value: labels[LANGS.index(lang)][0] for s, labels in _STATUS_LABELS.items()}
    plain = {
        c: at[_EXPORT_SOURCE.get(c, c)] for c in EXPORT_COLUMNS if _EXPORT_SOURCE.get(c, c) in at
    }
    i_sex, i_phones, i_country = at["sex"], at["phones"], at["host_country"]
    i_status, i_pregnant, i_id = at["presence_status"], at["pregnant"], at["id"]
    no_group = (None, None)

    def cell(column: str) -> Callable[[Any, tuple[str | None, str | None]], Any]:
        if column == "group":
            return lambda r, g: g[0]
        if column == "tour_operator":
            return lambda r, g: g[1]
        if column == "sex":
            return lambda r, g: (
                (male if r[i_sex] == Sex.MALE.value else female) if r[i_sex] else None
            )
        if column == "phones":
            return lambda r, g: ", ".join(r[i_phones] or ())
        if column == "host_country":
            return lambda r, g: _country_label(r[i_country], lang) if r[i_country] else None
        if column == "presence_status":
            return lambda r, g: status.get(r[i_status], r[i_status])
        if column == "pregnant":
            return lambda r, g: yes if r[i_pregnant] else None
        index = plain[column]
        return lambda r, g: r[index]

    getters = [cell(c) for c in EXPORT_COLUMNS]

    def cells(r: Any, groups: dict[str, tuple[str, str | None]]) -> list[Any]:
        group = groups.get(r[i_id], no_group)
        return [get(r, group) for get in getters]

    return cells


def _tour_groups(session: Session, ids: Sequence[str] | None) -> dict[str, tuple[str, str | None]]:
    ht = Household.__table__  # type: ignore[attr-defined]
    mt = HouseholdMember.__table__  # type: ignore[attr-defined]
    query = (
        select(mt.c.national_id, ht.c.name, ht.c.tour_operator)
        .join(ht, ht.c.id == mt.c.household_id)
        .where(
            ht.c.kind == HouseholdKind.TOUR_GROUP.value,
            ht.c.deleted_at.is_(None),
            mt.c.deleted_at.is_(None),
        )
        .order_by(ht.c.name.desc())
    )
    result: dict[str, tuple[str, str | None]] = {}
    chunks = [None] if ids is None else list(_chunks(ids))
    for chunk in chunks:
        q = query if chunk is None else query.where(mt.c.national_id.in_(chunk))
        for national_id, name, operator in session.execute(q):
            result[national_id] = (name, operator)  # the first group by name wins
    return result


def export_list(
    desk: Desk,
    path: Path | str,
    *,
    lang: str = "en",
    ids: Sequence[str] | None = None,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> int:
    """Write live nationals (all, by name, or the given ids in that order) to a list.

    ``.csv``: UTF-8 with BOM, ``;`` delimited, dates as dd.mm.yyyy (Excel in ru/kk locales opens
    it as is). ``.xlsx``: IIN, passport and ID as text cells, dates as date cells shown
    dd.mm.yyyy. Headers and values (sex, status, yes/no, country) are in ``lang`` and come from
    the import vocabulary, so the file imports back without changes. The file is written to a
    temporary file beside the target and renamed over it.

    Returns:
        How many nationals were written.

    Raises:
        ValueError: ``lang`` is not ``en``, ``ru`` or ``kk``.
        ListError: ``list.extension``; ``list.write`` (nothing is left behind).
        Cancelled: ``cancel`` was set; nothing was written.
    """
    path = Path(path)
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    suffix = path.suffix.lower()
    if suffix not in (".csv", *XLSX_SUFFIXES[:1]):
        raise ListError("list.extension", path, suffix=suffix)
    cancel = cancel or CancelFlag()
    nt = National.__table__  # type: ignore[attr-defined]
    columns = [nt.c[c] for c in _NATIONAL_COLUMNS]
    with desk.casefile.read() as session:
        if ids is None:
            records = list(
                session.execute(
                    select(*columns)
                    .where(nt.c.deleted_at.is_(None))
                    .order_by(nt.c.sort_name, nt.c.seq)
                )
            )
        else:
            found: dict[str, Any] = {}
            for chunk in _chunks(list(dict.fromkeys(ids))):
                for r in session.execute(
                    select(*columns).where(nt.c.id.in_(chunk), nt.c.deleted_at.is_(None))
                ):
                    found[r.id] = r
            records = [found[i] for i in dict.fromkeys(ids) if i in found]
        groups = _tour_groups(session, ids)
    headers = [export_header(c, lang) for c in EXPORT_COLUMNS]
    total = len(records)

    export_cells = _exporter(lang)

    def rows() -> Iterator[list[Any]]:
        for done, r in enumerate(records):
            if done % _EVERY == 0:
                cancel.check()
                progress(done, total, "list.export")
            yield export_cells(r, groups)

    tmp = temp_beside(path)
    try:
        if suffix == ".csv":
            _write_csv(tmp, headers, rows())
        else:
            _write_xlsx(tmp, headers, rows())
        os.replace(tmp, path)
    except OSError as exc:
        raise ListError("list.write", path, detail=str(exc)) from exc
    finally:
        tmp.unlink(missing_ok=True)
    progress(total, total, "list.export")
    return total


def _write_csv(tmp: Path, headers: list[str], rows: Iterable[list[Any]]) -> None:
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(headers)
        for cells in rows:
            writer.writerow(
                ["" if v is None else f"{v:%d.%m.%Y}" if isinstance(v, date) else v for v in cells]
            )
        fh.flush()
        os.fsync(fh.fileno())


def _write_xlsx(tmp: Path, headers: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Nationals")
    sheet.freeze_panes = "A2"
    for i, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 16)
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    # IIN, passport and ID are str values, so text cells already (leading zeros stay).
    date_at = [i for i, c in enumerate(EXPORT_COLUMNS) if c in _DATE_COLUMNS]
    for cells in rows:
        for i in date_at:
            if cells[i] is not None:
                cell = WriteOnlyCell(sheet, value=cells[i])
                cell.number_format = "DD.MM.YYYY"
                cells[i] = cell
        sheet.append(cells)
    workbook.save(tmp)
