"""The kk and ru catalogs: complete, compiled, safe to ``.format()``, and used by describe()."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consuldesk import i18n
from consuldesk.domain.errors import ValidationError
from consuldesk.locale.update import label_tables
from consuldesk.messages import describe
from consuldesk.store.errors import CaseFileError

LOCALE_DIR = i18n.LOCALE_DIR
CATALOG_LANGUAGES = ("kk", "ru")
KAZAKH_LETTERS = set("ӘҒҚҢӨҰҮҺІәғқңөұүһі")
PLURAL_FORMS = {"ru": 3, "kk": 2}


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Every other test expects English: put it back whatever happens here."""
    yield
    i18n.install("en")


def _po(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "consuldesk.po").open("rb") as f:
        return read_po(f, locale=lang)


def _messages(lang: str) -> list[Message]:
    return [m for m in _po(lang) if m.id]


def _fields(text: str) -> set[tuple[str, str, str]]:
    """Placeholders of a ``str.format`` template: (name, format spec, conversion)."""
    return {
        (name, spec or "", conv or "")
        for _, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    }


def _forms(message: Message) -> list[str]:
    s = message.string
    return list(s) if isinstance(s, (tuple, list)) else [s]


def _source(message: Message) -> str:
    """The English text a translation must mirror (the plural form for plural messages)."""
    return message.id[1] if isinstance(message.id, tuple) else message.id


# --- describe() in each language --------------------------------------------------------------


def test_russian_error_sentences_with_values_substituted(tmp_path: Path) -> None:
    assert i18n.install("ru_RU") == "ru"
    checksum = describe(ValidationError("iin.checksum", "iin", expected=3, got=4))
    assert checksum.startswith("ИИН не проходит проверку контрольной цифры")
    fmt = describe(ValidationError("iin.format", "iin", value="12345"))
    assert fmt == "ИИН должен состоять из 12 цифр, указано «12345»"
    date = describe(ValidationError("iin.date", "iin", day=3, month=2, year=1990))
    assert "(03.02.1990)" in date and "несуществующей даты" in date

    path = tmp_path / "AE-ABU.consuldesk"
    locked = describe(CaseFileError("casefile.locked", path))
    assert locked == (
        f"{path} заблокирован другой программой или окном; закройте их и повторите попытку"
    )


def test_kazakh_error_sentences_use_kazakh_letters(tmp_path: Path) -> None:
    assert i18n.install("kk-KZ") == "kk"
    fmt = describe(ValidationError("iin.format", "iin", value="12345"))
    assert fmt == "ЖСН 12 цифрдан тұруы тиіс, көрсетілгені: «12345»"
    checksum = describe(ValidationError("iin.checksum", "iin"))
    assert checksum.startswith("ЖСН бақылау цифры") and KAZAKH_LETTERS & set(checksum)
    locked = describe(CaseFileError("casefile.locked", tmp_path / "x.consuldesk"))
    assert str(tmp_path / "x.consuldesk") in locked
    assert KAZAKH_LETTERS & set(locked)
    assert "locked" not in locked


def test_field_labels_and_status_tables_are_translated() -> None:
    i18n.install("kk")
    assert i18n._("Surname (Cyrillic)") == "Тегі (кириллицамен)"
    assert i18n._("In hotel") == "Қонақүйде"
    i18n.install("ru")
    assert i18n._("Surname (Cyrillic)") == "Фамилия (кириллицей)"
    assert i18n._("Evacuation") == "Эвакуация"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 обращение"),
        (3, "3 обращения"),
        (5, "5 обращений"),
        (11, "11 обращений"),
        (21, "21 обращение"),
        (22, "22 обращения"),
    ],
)
def test_russian_plurals(n: int, expected: str) -> None:
    i18n.install("ru")
    assert i18n.ngettext("{n} request", "{n} requests", n).format(n=n) == expected


def test_kazakh_plurals() -> None:
    i18n.install("kk")
    for n in (1, 2, 5):
        assert i18n.ngettext("{n} request", "{n} requests", n).format(n=n) == f"{n} өтініш"


@pytest.mark.parametrize("language", ["en", "en_GB", "de", "", "zz-ZZ"])
def test_english_and_unknown_languages_fall_back_to_english(language: str) -> None:
    i18n.install("ru")
    assert i18n.install(language) == "en"
    assert i18n.language() == "en"
    assert describe(ValidationError("iin.format", "iin", value="1")) == (
        "IIN must be 12 digits, got “1”"
    )
    assert i18n.ngettext("{n} request", "{n} requests", 2) == "{n} requests"


# --- the catalogs themselves -------------------------------------------------------------------


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_catalog_header(lang: str) -> None:
    catalog = _po(lang)
    assert not catalog.fuzzy
    assert catalog.num_plurals == PLURAL_FORMS[lang]
    assert f"nplurals={PLURAL_FORMS[lang]};" in catalog.plural_forms


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    catalog = _po(lang)
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not all(_forms(m)))]
    assert not missing, f"{lang}: untranslated or fuzzy: {missing}"
    for m in catalog:
        if isinstance(m.id, tuple):
            assert len(m.string) == catalog.num_plurals, m.id


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_placeholders_match_so_format_cannot_fail(lang: str) -> None:
    bad = []
    for m in _messages(lang):
        expected = _fields(_source(m))
        for form in _forms(m):
            try:
                got = _fields(form)
            except ValueError as exc:  # an unbalanced brace
                bad.append((m.id, form, str(exc)))
                continue
            if got != expected:
                bad.append((m.id, form, sorted(got ^ expected)))
    assert not bad, bad


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_translations_keep_mnemonics_and_use_guillemets(lang: str) -> None:
    for m in _messages(lang):
        for form in _forms(m):
            # one Alt+letter per label, as in English (Qt shows "&&" as a literal "&")
            assert form.replace("&&", "").count("&") == _source(m).replace("&&", "").count("&"), (
                m.id,
                form,
            )
            assert "“" not in form and "”" not in form, (m.id, form)


def test_kazakh_is_written_with_kazakh_letters() -> None:
    with_letters = [m for m in _messages("kk") if KAZAKH_LETTERS & set("".join(_forms(m)))]
    assert len(with_letters) > len(_messages("kk")) // 3
    for lang in CATALOG_LANGUAGES:  # Latin look-alikes typed by mistake inside Cyrillic words
        for m in _messages(lang):
            for word in re.findall(r"[^\W\d_]+", " ".join(_forms(m))):
                cyrillic = sum("\u0400" <= c <= "\u04ff" for c in word)
                assert cyrillic in (0, len(word)), (lang, word, m.id)


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_compiled_catalog_matches_the_po_file(lang: str) -> None:
    """The shipped .mo holds exactly the .po translations (``make translations`` compiles)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "consuldesk.mo").open("rb") as f:
        compiled = read_mo(f)
    for m in _messages(lang):
        assert compiled.get(m.id) is not None, f"{lang}: not compiled: {m.id!r}"
        assert tuple(_forms(compiled[m.id])) == tuple(_forms(m)), f"{lang}: stale .mo: {m.id!r}"


def test_every_label_table_string_is_in_the_catalog() -> None:
    """Values of TEMPLATES, FIELD_LABELS, *_LABELS reach the catalog through _catalog_sources."""
    ids = {m.id for m in _messages("ru")}
    missing = sorted({text for _, _, text in label_tables()} - ids)
    assert not missing, f"run `make translations` and translate: {missing}"


def test_statuses_inside_sentences_are_translated_too():
    from consuldesk.i18n import install
    from consuldesk.messages import describe_code

    try:
        install("ru")
        text = describe_code("request.transition", "status", current="closed", new="waiting")
        assert "closed" not in text and "waiting" not in text
        assert "закрыто" in text
    finally:
        install("en")


def test_numbers_are_grouped_as_each_language_writes_them():
    try:
        assert i18n.number(8185) == "8,185"
        i18n.install("ru")
        assert i18n.number(8185) == "8\u00a0185" and i18n.number(12) == "12"
    finally:
        i18n.install("en")


def test_russian_statuses_of_a_person_fit_a_woman_too():
    """Retention listed Сейітова Гүлнар as «эвакуирован»."""
    from consuldesk.messages import PRESENCE_LABELS, STATUS_WORD_LABELS

    i18n.install("ru")
    try:
        assert i18n._(PRESENCE_LABELS["evacuated"]) == "Эвакуирован(а)"
        assert i18n._(PRESENCE_LABELS["left_on_own"]) == "Выехал(а) самостоятельно"
        assert i18n._(STATUS_WORD_LABELS["evacuated"]) == "эвакуирован(а)"
    finally:
        i18n.install("en")
