"""Every error and warning code renders, in English, Kazakh and Russian, with the parameters the
code is really raised with; no message ever falls back to its code or leaves a placeholder.

The codes and their parameters are read from the source: every ``ValidationError``,
``ServiceError``, ``ListError`` and ``CaseFileError`` raised with a literal code, and every
``ReviewItem`` made with one. A new code without a sentence, or a sentence asking for a
parameter the code is not raised with, fails here before an officer ever sees it.
"""

from __future__ import annotations

import ast
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consuldesk import i18n
from consuldesk.domain.errors import ValidationError
from consuldesk.messages import (
    TEMPLATES,
    _variant,
    describe,
    describe_code,
    explain_reason,
    shown_conflict_value,
    value_text,
)
from consuldesk.services.lists import ListError
from consuldesk.store.errors import CaseFileError

SOURCE = Path(__file__).parents[2] / "src" / "consuldesk"
ERRORS = {"ValidationError", "ServiceError", "ListError", "CaseFileError", "SyncError"}

# Codes raised for programmers, never shown to an officer (a caller passed wrong data).
INTERNAL = {
    "allocation.duplicate_trip",
    "allocation.negative_capacity",
    "allocation.duplicate_candidate",
}

# A realistic value for every parameter name the codes use.
SAMPLES: dict[str, Any] = {
    "value": "870101350012",
    "line": 12,
    "path": "/media/usb/туристы.csv",
    "headers": ["Фамилия", "Surname"],
    "columns": ["B", "D"],
    "column": "ИИН#2",
    "target": "iin",
    "guess": "KOI8-R",
    "codec": "koi8-r",
    "encoding": "KOI8-R",
    "position": 1024,
    "detail": "line 5: unexpected end of data",
    "kind": "PNG image",
    "suffix": ".pdf",
    "header": True,
    "name": "Қасымова Әйгерім",
    "existing_name": "Қасымова Әйгерім",
    "existing_id": "01a2b3c4-0000-7000-8000-000000000000",
    "matched_id": "01a2b3c4-0000-7000-8000-000000000001",
    "household": "Семья Қасымовых",
    "household_id": "01a2b3c4-0000-7000-8000-000000000002",
    "national_id": "01a2b3c4-0000-7000-8000-000000000003",
    "kept": "spouse",
    "other": "Иванов",
    "expected": 3,
    "got": 4,
    "digit": 9,
    "day": 31,
    "month": 2,
    "year": 1990,
    "stated": date(1990, 1, 1),
    "from_iin": date(1987, 1, 1),
    "char": "ё",
    "revision": "0007",
    "sqlite": "3.40.1",
    "minimum": 10,
    "fingerprint": "40718 22953 61084 07736 59120",
    "old": "40718 22953 61084 07736 59120",
    "new": "91835 00472 33918 26651 08437",
    "post": "IR-THR",
    "signer": "5b51759f979e28a3",
    "key": "40718 229",
    "version": "2",
    "digits": 5,
    "sender": "IR-THR",
    "schema": "0009",
    "reason": "ноутбук тәркіленді",
    "id": "01a2b3c4",
}


def _raised() -> dict[str, set[str]]:
    """Every literal code raised in the source, with the keyword parameters it is raised with."""
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        if "locale" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple):  # notes read from a file: (line, code, {params})
                _note(node.elts, found)
            if not isinstance(node, ast.Call):
                continue
            _note(node.args, found)  # helpers that make review items: f(…, code, value, {params})
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            position = 1 if name == "ReviewItem" else 0
            if name not in ERRORS and name != "ReviewItem":
                continue
            if len(node.args) <= position:
                continue
            code = node.args[position]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue
            if "." not in code.value:
                continue
            keywords = {k.arg for k in node.keywords if k.arg}
            if name == "ReviewItem" and len(node.args) > 3 and isinstance(node.args[3], ast.Dict):
                keywords |= {k.value for k in node.args[3].keys if isinstance(k, ast.Constant)}
                keywords |= {"value"}
            found.setdefault(code.value, set()).update(keywords)
    return found


def _note(items: list[ast.expr], found: dict[str, set[str]]) -> None:
    """A code followed, one or two places later, by a dict literal of its parameters."""
    for at, code in enumerate(items):
        if not (
            isinstance(code, ast.Constant)
            and isinstance(code.value, str)
            and code.value.startswith("list.")
        ):
            continue
        for params in items[at + 1 : at + 3]:
            if isinstance(params, ast.Dict):
                keys = {k.value for k in params.keys if isinstance(k, ast.Constant)}
                found.setdefault(code.value, set()).update(keys | {"value"})


RAISED = _raised()
LANGUAGES = ("en", "kk", "ru")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.install("en")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_source_raises_the_codes_this_test_knows():
    assert len(RAISED) > 100
    for code in (
        "list.duplicate_column",
        "list.unclosed_quote",
        "list.family_other",
        "list.second_head",
        "list.relation_differs",
        "list.repeat_differs",
        "iin.checksum",
    ):
        assert code in RAISED


@pytest.mark.parametrize("code", sorted(set(RAISED) - INTERNAL))
def test_every_code_has_a_sentence_that_its_parameters_fill(code):
    params = {k: SAMPLES.get(k, "x") for k in RAISED[code]}
    params.setdefault("path", SAMPLES["path"])  # ListError and CaseFileError always name one
    variants = {_variant(code, params), _variant(code, {**params, "header": False, "kind": None})}
    for variant in variants:
        template = TEMPLATES.get(variant)
        assert template is not None, f"{variant} has no sentence in consuldesk.messages"
        missing = _placeholders(template) - set(params) - {"field_label"}
        assert not missing, f"{variant} asks for {missing}, raised with {sorted(params)}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(set(RAISED) - INTERNAL))
def test_every_code_renders_in_every_language(code, lang):
    i18n.install(lang)
    params = {k: SAMPLES.get(k, "x") for k in RAISED[code]}
    params.setdefault("path", SAMPLES["path"])
    text = describe_code(code, "iin", **params)
    assert text and f"({code})" not in text and not text.startswith(code)
    assert "{" not in text and "}" not in text
    if lang != "en":
        i18n.install("en")
        english = describe_code(code, "iin", **params)
        assert text != english, f"{code} is not translated into {lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_errors_carrying_a_parameter_named_field_render(lang, tmp_path):
    """A ListError about columns once crashed describe() with 'multiple values for field'."""
    i18n.install(lang)
    error = ListError(
        "list.duplicate_column",
        tmp_path / "l.csv",
        field="surname",
        target="surname",
        headers=["Фамилия", "Surname"],
        columns=["A", "B"],
    )
    assert "l.csv" in describe(error)
    assert describe(ValidationError("list.repeat_row", "iin", line=3, field="iin"))
    assert describe(CaseFileError("casefile.locked", tmp_path / "x.consuldesk"))


def test_a_person_moved_alone_is_not_said_to_move_with_1_people():
    alone = explain_reason(
        "allocated.manual", {"trip": "Bus 2", "previous": "Bus 1", "group_size": 1}
    )
    assert alone == "Moved by hand to Bus 2 (from Bus 1)"
    family = explain_reason(
        "allocated.manual", {"trip": "Bus 2", "previous": "Bus 1", "group_size": 3}
    )
    assert family.endswith("with their group of 3")


def test_a_conflicts_values_read_as_the_window_shows_them_not_as_stored():
    phones = shown_conflict_value("phones", ["+77015550000", "+971501234567"])
    assert phones == "“+7 701 555 0000, +971 50 123 4567”"  # not “['+77015550000', …]”
    assert shown_conflict_value("presence_status", "in_hotel") == "“In hotel”"
    assert shown_conflict_value("host_country", "AE") == "“United Arab Emirates”"
    assert shown_conflict_value("deleted_at", "2026-12-06T10:00:00") == "“deleted”"
    assert shown_conflict_value("notes", "") == "(empty)"
    assert value_text("birth_date", "1978-11-01") == "01.11.1978"
    assert value_text("birth_date", date(1978, 11, 1)) == "01.11.1978"
    assert value_text("sex", "F") == "Female"
    assert value_text("source", "list_import") == "List import"
    assert value_text("notes", "Инсулин керек, күніне екі рет", limit=12) == "Инсулин кер…"
    i18n.install("kk")
    try:
        assert shown_conflict_value("presence_status", "evacuated") == "«Эвакуацияланды»"
        assert value_text("host_country", "AE") == "Біріккен Араб Әмірліктері"
    finally:
        i18n.install("en")


def test_sex_in_a_message_is_a_word_of_the_language_not_a_passport_letter():
    error = ValidationError("iin.sex_mismatch", "sex", stated="F", from_iin="M")  # as stored
    assert describe(error) == "Sex female does not match the IIN (male)"
    i18n.install("ru")
    try:
        assert describe(error) == "Пол женский не совпадает с ИИН (мужской)"
    finally:
        i18n.install("en")
