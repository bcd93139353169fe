"""Registration lists raise only their own errors, whatever the file holds (issue 11).

Lists arrive from tour operators, travel apps and other posts, in any state: a file that
cannot be read is refused with a :class:`ListError` (a code the window and the CLI explain),
a row that cannot be read is set aside with its reason; a bare exception would be a traceback
and a list not imported. The properties feed arbitrary bytes as CSV and as XLSX, real XLSX
files cut short or with bytes changed, and well-formed CSV with arbitrary headers and cells
through the whole import (as a dry run, so each example starts from the same case file).
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.messages import TEMPLATES
from consuldesk.services.casefile import create_casefile
from consuldesk.services.lists import ListError, import_list, read_list, recognise_header

ODD = "²³¹⁰①ӘҒҚҢӨҰҮҺІәғқңөұүһі\u200b\ufeff\x00\x1b=+-@\t\r\n\";,'"
TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(ODD)), max_size=40)
HEADERS = st.sampled_from(
    [
        "Фамилия",
        "Имя",
        "Отчество",
        "Surname",
        "Given names",
        "ИИН",
        "IIN",
        "Дата рождения",
        "Birth date",
        "Паспорт",
        "Passport",
        "Телефон",
        "Phone",
        "Пол",
        "Sex",
        "Город",
        "Статус",
        "Семья",
        "Роль в семье",
        "Группа",
        "ConsulDesk ID",
        "Туған күні",
        "Тегі",
    ]
)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def _file(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def _own_errors_only(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except ListError as exc:
        assert exc.code in TEMPLATES or f"{exc.code}.unknown" in TEMPLATES, exc.code
    except (ValidationError, ValidationErrors):
        pass


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:  # what a spreadsheet can hold: no control characters
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SAMPLE_XLSX = _xlsx([["Фамилия", "Имя", "ИИН"], ["Иванов", "Иван", "900101300123"]])


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_csv_list(data):
    with _file("list.csv", data) as path:
        _own_errors_only(read_list, path)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_as_an_xlsx_list(data):
    with _file("list.xlsx", data) as path:
        _own_errors_only(read_list, path)


@FAST
@given(st.integers(0, len(SAMPLE_XLSX)), st.binary(min_size=1, max_size=40), st.booleans())
def test_an_xlsx_list_cut_short_or_altered(at, junk, cut):
    data = SAMPLE_XLSX[:at] if cut else SAMPLE_XLSX[:at] + junk + SAMPLE_XLSX[at + len(junk) :]
    with _file("list.xlsx", data) as path:
        _own_errors_only(read_list, path)


@FAST
@given(st.binary(max_size=400), st.sampled_from(["list.csv", "list.xlsx", "list.txt", "list"]))
def test_a_csv_as_xlsx_and_the_other_way_round(data, name):
    with _file(name, SAMPLE_XLSX[:200] + data if name.endswith("csv") else data) as path:
        _own_errors_only(read_list, path)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_any_header_is_recognised_or_not(text):
    mapping = recognise_header(text)
    assert mapping.header == text


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One case file for the module: every import below is a dry run."""
    d = create_casefile(
        tmp_path_factory.mktemp("fuzz") / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="Abu Dhabi",
        host_country="AE",
        officer="fuzz",
    )
    yield d
    d.close()


ROWS = st.lists(st.lists(TEXT, min_size=1, max_size=6), min_size=1, max_size=6)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(HEADERS, TEXT), min_size=1, max_size=6), ROWS, st.booleans())
def test_any_rows_under_any_headers_are_imported_or_refused(desk, header, rows, as_xlsx):
    if as_xlsx:
        with _file("list.xlsx", _xlsx([header, *rows])) as path:
            _own_errors_only(import_list, desk, path, dry_run=True)
    else:
        with _file("list.csv", _csv(header, rows)) as path:
            _own_errors_only(import_list, desk, path, dry_run=True)
