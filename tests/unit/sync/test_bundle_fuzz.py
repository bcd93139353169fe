"""Bundles raise only their own errors, whatever the file holds (issue 11).

A bundle comes on a USB stick from a post in a crisis: cut short by a pulled stick, altered,
another file renamed, or crafted. Reading it refuses with a :class:`SyncError` whose code the
window and the CLI explain; a bare exception would be a traceback at headquarters. The
properties feed arbitrary bytes, a real bundle cut short or with bytes changed, and, inside a
correctly encrypted envelope, arbitrary archives and manifests (what a sender's own damaged
or crafted bundle would hold), through opening, verifying and reading every part.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pyrage
from hypothesis import given, settings
from hypothesis import strategies as st

from consuldesk.messages import TEMPLATES
from consuldesk.sync import bundle as b
from consuldesk.sync import keys as k
from consuldesk.sync.errors import SyncError

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
POST = k.generate("IR-THR", "Тегеран", "post", NOW, "IR")
HQ = k.generate("KZ-HQ", "Астана", "headquarters", NOW)
FAST = settings(max_examples=80, deadline=None)


def _manifest() -> b.Manifest:
    return b.Manifest(
        bundle_id="3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84",
        sequence=1,
        created="2026-12-06T12:00:00Z",
        schema="0010",
        sender="IR-THR",
        sender_key=POST.public.key_id,
        recipient="KZ-HQ",
        recipient_keys=[HQ.public.key_id],
        escrow_keys=[],
        covers={"IR-THR": ["", "1"]},
        requires={},
        acks={},
        counts={"national": 1},
    )


RECORD = b.Record("national", "01a2", {"*": ["x"], "surname_cyr": ["Иванов"]})
REAL = b.write(_manifest(), [RECORD], [b"statement"], POST, [HQ.public], [["IR-THR", "", "1", "o"]])


def _read_everything(data: bytes) -> None:
    """Open, verify and read every part, as applying a bundle does; only SyncError may come."""
    try:
        opened = b.open_bundle(data, [HQ])
        opened.verify(POST.public)
        list(opened.records())
        opened.author_rows()
        opened.key_statements()
        b.file_name(opened.manifest)
    except SyncError as exc:
        assert exc.code in TEMPLATES, exc.code


def _sealed(plain: bytes) -> bytes:
    return bytes(pyrage.encrypt(plain, [HQ.public.age_recipient()]))


def test_the_real_bundle_reads():
    opened = b.open_bundle(REAL, [HQ])
    opened.verify(POST.public)
    assert [r.id for r in opened.records()] == ["01a2"]
    assert opened.key_statements() == [b"statement"]


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_bundle(data):
    _read_everything(data)
    _read_everything(b"age-encryption.org/v1\n" + data)


@FAST
@given(st.integers(0, len(REAL)), st.binary(min_size=1, max_size=30), st.booleans())
def test_a_bundle_cut_short_or_altered(at, junk, cut):
    data = REAL[:at] if cut else REAL[:at] + junk + REAL[at + len(junk) :]
    _read_everything(data)


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_sealed_to_us(plain):
    _read_everything(_sealed(plain))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
PARTS = [b.MANIFEST, b.SIGNATURE, b.CHANGES, b.STATEMENTS, b.AUTHORS]


def _archive(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _real_members() -> dict[str, bytes]:
    plain = bytes(pyrage.decrypt(REAL, [HQ.identity]))
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        return {name: z.read(name) for name in z.namelist()}


MEMBERS = _real_members()


@FAST
@given(
    st.sampled_from(PARTS),
    st.one_of(st.binary(max_size=300), JSON.map(lambda v: json.dumps(v).encode())),
)
def test_any_part_of_an_archive_sealed_to_us(part, data):
    _read_everything(_sealed(_archive({**MEMBERS, part: data})))


@FAST
@given(
    st.sampled_from(sorted(json.loads(MEMBERS[b.MANIFEST]))),
    JSON,
)
def test_any_value_in_the_manifest(key, value):
    body = json.loads(MEMBERS[b.MANIFEST])
    body[key] = value
    _read_everything(_sealed(_archive({**MEMBERS, b.MANIFEST: json.dumps(body).encode()})))


@FAST
@given(st.lists(JSON, max_size=4), st.lists(st.binary(max_size=40), max_size=3))
def test_any_change_lines_and_statements(changes, statements):
    """Parts as a sender would sign them (the hashes in the manifest match)."""
    members = dict(MEMBERS)
    members[b.CHANGES] = b"".join(json.dumps(c).encode() + b"\n" for c in changes)
    members[b.STATEMENTS] = b"\n".join(statements)  # not even JSON strings of base64
    opened = b.open_bundle(_sealed(_archive(members)), [HQ])
    try:
        list(opened.records())
        opened.key_statements()
        opened.author_rows()
    except SyncError as exc:
        assert exc.code in TEMPLATES, exc.code
