"""Reading text lists, property-based: whatever cells a spreadsheet writes come back exactly,
and a quote that never closes never swallows the rows after it."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from consuldesk.services.lists import read_list

HEADER = ["Фамилия", "Имя", "Примечание", "Телефон"]
WIDTH = len(HEADER)

# Letters of both scripts (Kazakh ones too), digits, and what makes CSV hard: the delimiter,
# quotes, line breaks, spaces.
_ALPHABET = "аәбғқңөұүһіАӘҒҚҢӨҰҮҺІabcXYZ0129 ;\"'\n\r,.-+=@"
cells = st.text(alphabet=_ALPHABET, max_size=30)


def _read(text: str) -> list[tuple[int, list[str]]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.csv"
        path.write_text(text, encoding="utf-8", newline="")
        parsed = read_list(path)
        return [(line, [str(c) for c in row]) for line, row in parsed.rows], parsed.notes


def _looks_like_a_row(cell: str) -> bool:
    """A cell holding a line with a whole row's worth of separators (the documented limit)."""
    return any(part.count(";") + 1 == WIDTH for part in cell.replace("\r", "\n").split("\n"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cells, min_size=WIDTH, max_size=WIDTH), min_size=1, max_size=8))
@example(rows=[[",,", ",,", ",,", ",,"]])  # found by CI: once read as a comma list
def test_what_a_csv_writer_writes_is_read_back_exactly(rows):
    rows = [[c.strip() for c in row] for row in rows]
    rows = [row for row in rows if "".join(row)]
    assume(rows)
    assume(not any(_looks_like_a_row(c) for row in rows for c in row))
    assume(all(row[0] and not row[0].startswith("'") for row in rows))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    read, notes = _read(buffer.getvalue())
    assert notes == []
    # Spreadsheets and Python read a lone CR inside a quoted cell as a line break as well.
    expected = [[c.replace("\r\n", "\n") for c in row] for row in rows]
    got = [[c.replace("\r\n", "\n") for c in row] for _, row in read]
    assert [[c.strip() for c in row] for row in got] == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="аәқңөұABC019 .-", min_size=1, max_size=12), min_size=WIDTH,
                 max_size=WIDTH),
        min_size=3,
        max_size=12,
    ),
    st.data(),
)  # fmt: skip
def test_a_quote_that_never_closes_loses_no_row(rows, data):
    rows = [[c.strip() or "x" for c in row] for row in rows]
    broken = data.draw(st.integers(0, len(rows) - 1))
    lines = [";".join(HEADER)] + [";".join(row) for row in rows]
    lines[broken + 1] = '"' + lines[broken + 1]  # opens before the first cell, never closes
    read, notes = _read("\r\n".join(lines) + "\r\n")
    assert [line for line, _ in read] == list(range(2, len(rows) + 2))
    assert [row for _, row in read] == rows
    assert notes == [(broken + 2, "list.unclosed_quote", {"line": broken + 2})]
