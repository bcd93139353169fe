"""Recognising columns: the header vocabulary in three languages, and which field each column
fills."""

from __future__ import annotations

import re
from pathlib import Path

from consuldesk.services.lists.base import (
    _HEADER_SEARCH,
    ERROR_COLUMN,
    LANGS,
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
