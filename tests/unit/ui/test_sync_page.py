"""The Sync page: keys, enrolment by fingerprint, bundles with a preview, conflicts."""

from __future__ import annotations

import pytest

from consuldesk.services import keys, nationals
from consuldesk.services import sync as s
from consuldesk.services.casefile import create_casefile
from consuldesk.ui.pages.sync import EnrolDialog, SyncPage
from tests.factories import person

pytestmark = pytest.mark.usefixtures("fast_seal")
PASSPHRASE = "Ұзын құпия сөз 2026"


@pytest.fixture
def hq(tmp_path):
    desk = create_casefile(
        tmp_path / "KZ-HQ.consuldesk",
        post_code="KZ-HQ",
        post_name="Сыртқы істер министрлігі",
        host_country=None,
        officer="x",
        headquarters=True,
    )
    keys.create_keys(desk, PASSPHRASE)
    yield desk
    desk.close()


def make_page(qtbot, ctx, **answers):
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.ask_passphrase = lambda new=False: answers.get("passphrase", PASSPHRASE)
    page.choose_folder = lambda: answers.get("folder")
    page.choose_file = lambda title, pattern: answers.get("file")
    page.confirm = lambda title, text, yes="", no="": answers.setdefault("asked", text) is not None
    page.enrol_dialog = lambda public: answers.get("typed")
    return page


def _enrolled(post, hq, folder) -> None:
    """The post's keys made, and each side's enrolled at the other."""
    keys.create_keys(post, PASSPHRASE)
    a, b = keys.export_public_key(post, folder), keys.export_public_key(hq, folder)
    keys.enrol_peer(hq, a, keys.read_key_file(a).fingerprint)
    keys.enrol_peer(post, b, keys.read_key_file(b).fingerprint)


def _crossed_edits(post, hq, folder, people, at_hq, at_post, field: str = "city"):
    """People registered at the post reach headquarters; both then change their city (or
    ``field``) without seeing the other's change, and headquarters' bundle comes back: a
    conflict each."""
    rows = [nationals.register_national(post, p).row for p in people]
    s.import_bundle(hq, PASSPHRASE, s.export_bundle(post, PASSPHRASE, "KZ-HQ", folder).path)
    for row in rows:
        theirs = nationals.get_national(hq, row.id)
        nationals.update_national(
            hq, row.id, nationals.fields_of_row(theirs).replace(**{field: at_hq})
        )
        nationals.update_national(
            post, row.id, nationals.fields_of_row(row).replace(**{field: at_post})
        )
    s.import_bundle(post, PASSPHRASE, s.export_bundle(hq, PASSPHRASE, "AE-ABU", folder).path)
    return rows


def test_a_new_case_file_offers_to_create_keys_and_then_shows_the_fingerprint(qtbot, ctx, tmp_path):
    page = make_page(qtbot, ctx, folder=tmp_path)
    qtbot.waitUntil(lambda: "No keys yet" in page.own_label.text(), timeout=3000)
    assert page.create_keys_button.isVisibleTo(page) and not page.export_button.isEnabled()
    page.create_keys()
    qtbot.waitUntil(lambda: "Fingerprint to read out" in page.own_label.text(), timeout=5000)
    fingerprint = keys.own_keys(ctx.desk)[0].fingerprint
    assert fingerprint in page.own_label.text()
    assert not page.create_keys_button.isVisibleTo(page)
    page.save_public_key()
    qtbot.waitUntil(lambda: "Wrote" in page.status_label.text(), timeout=3000)
    assert list(tmp_path.glob("AE-ABU-*.consuldesk-key"))


def test_the_enrol_dialog_enables_enrol_only_for_the_files_fingerprint(qtbot, hq, tmp_path):
    path = keys.export_public_key(hq, tmp_path)
    public = keys.read_key_file(path)
    dialog = EnrolDialog(public)
    qtbot.addWidget(dialog)
    digits = public.fingerprint.replace(" ", "")
    qtbot.keyClicks(dialog.fingerprint_edit, digits[:10])
    assert not dialog.enrol_button.isEnabled() and "10 of 25" in dialog.match_label.text()
    dialog.fingerprint_edit.setText(digits[:-1] + ("1" if digits[-1] != "1" else "2"))
    assert not dialog.enrol_button.isEnabled() and "do not enrol" in dialog.match_label.text()
    dialog.fingerprint_edit.setText(public.fingerprint.replace(" ", "-"))
    assert dialog.enrol_button.isEnabled() and "matches" in dialog.match_label.text()


def test_enrol_export_and_import_with_a_preview(qtbot, ctx, hq, tmp_path):
    keys.create_keys(ctx.desk, PASSPHRASE)
    hq_file = keys.export_public_key(hq, tmp_path)
    page = make_page(qtbot, ctx, file=hq_file, typed=keys.read_key_file(hq_file).fingerprint)
    qtbot.waitUntil(lambda: page.enrol_button.isEnabled(), timeout=3000)
    page.enrol()
    qtbot.waitUntil(lambda: page.peer_combo.count() == 1, timeout=3000)
    assert page.peers_table.item(0, 0).text() == "KZ-HQ"

    # Headquarters enrols the embassy too and sends a bundle with a person registered there.
    ours = keys.export_public_key(ctx.desk, tmp_path)
    keys.enrol_peer(hq, ours, keys.read_key_file(ours).fingerprint)
    nationals.register_national(hq, person(city="Astana"))
    bundle = s.export_bundle(hq, PASSPHRASE, "AE-ABU", tmp_path).path

    answers = {"file": bundle}
    page.choose_file = lambda title, pattern: answers["file"]
    page.confirm = lambda title, text, yes="", no="": answers.setdefault("asked", text) is not None
    changed = []
    ctx.events.changed.connect(changed.append)
    page.import_bundle()
    qtbot.waitUntil(lambda: "Added" in page.status_label.text(), timeout=5000)
    # The preview, before anything changed: what, in words, and that a backup comes first.
    assert "New here: posts 1, people 1." in answers["asked"]
    assert "A backup of the case file is taken" in answers["asked"]
    assert nationals.count_nationals(ctx.desk) == 1 and changed
    qtbot.waitUntil(lambda: "just now · up to" in page.peers_table.item(0, 3).text(), timeout=3000)
    assert "(no. 1)" in page.peers_table.item(0, 3).toolTip()  # freshness, then the details

    page.choose_folder = lambda: tmp_path / "usb"
    (tmp_path / "usb").mkdir()
    page.export_bundle()
    qtbot.waitUntil(lambda: "Wrote" in page.status_label.text(), timeout=5000)
    assert len(list((tmp_path / "usb").glob("AE-ABU-to-KZ-HQ-*.consuldesk-bundle"))) == 1


def test_a_refused_bundle_says_why_and_changes_nothing(qtbot, ctx, tmp_path):
    keys.create_keys(ctx.desk, PASSPHRASE)
    junk = tmp_path / "junk.consuldesk-bundle"
    junk.write_bytes(b"not a bundle at all")
    page = make_page(qtbot, ctx, file=junk)
    qtbot.waitUntil(lambda: page.import_button.isEnabled(), timeout=3000)
    page.import_bundle()
    qtbot.waitUntil(lambda: "not a ConsulDesk bundle" in page.status_label.text(), timeout=3000)
    assert nationals.count_nationals(ctx.desk) == 0


def test_a_conflict_is_shown_by_name_and_resolved_with_the_values_on_the_buttons(
    qtbot, ctx, hq, tmp_path
):
    _enrolled(ctx.desk, hq, tmp_path)
    (row,) = _crossed_edits(ctx.desk, hq, tmp_path, [person(city="Dubai")], "Astana", "Sharjah")

    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 1, timeout=3000)
    assert page.conflicts_table.item(0, 0).text() == "Қасымова Әйгерім"
    assert page.conflicts_table.item(0, 1).text() == "City"
    cells = {page.conflicts_table.item(0, 3).text(), page.conflicts_table.item(0, 4).text()}
    assert {c.split(" — ")[0] for c in cells} == {"“Astana”", "“Sharjah”"}
    who = {c.split(" — ")[1].split(",")[0] for c in cells}  # who made each value
    assert who == {"x", "Officer Test"}
    assert page.conflicts_table.item(0, 2).text() == "“Dubai”"  # what both changed
    assert not page.keep_button.isEnabled()
    page.conflicts_table.selectRow(0)
    kept = nationals.get_national(ctx.desk, row.id).city
    other = ({"Astana", "Sharjah"} - {kept}).pop()
    assert page.keep_button.text() == f"Keep “{kept}”"
    assert page.take_other_button.text() == f"Take “{other}”"
    assert not page.keep_both_button.isVisibleTo(page)  # a city is one or the other
    page.take_other_button.click()
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 0, timeout=3000)
    assert nationals.get_national(ctx.desk, row.id).city == other


def test_two_phone_numbers_added_at_two_places_can_both_be_kept(qtbot, ctx, hq, tmp_path):
    _enrolled(ctx.desk, hq, tmp_path)
    first = "+77012345678"
    (row,) = _crossed_edits(
        ctx.desk, hq, tmp_path, [person(phones=(first,))],
        (first, "+77770001122"), (first, "+971501234567"), field="phones",
    )  # fmt: skip
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 1, timeout=3000)
    assert page.conflicts_table.item(0, 1).text() == "Phone"
    page.conflicts_table.selectRow(0)
    assert page.keep_both_button.isVisibleTo(page) and page.keep_both_button.text() == "Keep both"
    page.keep_both_button.click()
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 0, timeout=3000)
    phones = nationals.get_national(ctx.desk, row.id).phones
    assert phones[0] == first and set(phones) == {first, "+77770001122", "+971501234567"}
    assert "Resolved: Phone is now" in page.status_label.text()


def test_headquarters_adds_an_escrow_key_from_the_page(qtbot, hq):
    import pyrage

    from consuldesk.ui.context import AppContext, CaseFileEvents
    from consuldesk.ui.tasks import TaskRunner

    context = AppContext(hq, TaskRunner(), CaseFileEvents())
    page = make_page(qtbot, context)
    escrow = str(pyrage.x25519.Identity.generate().to_public())
    page.ask_text = lambda title, prompt: escrow
    qtbot.waitUntil(lambda: page.escrow_button.isVisibleTo(page), timeout=3000)
    page.add_escrow()
    qtbot.waitUntil(lambda: "escrow key" in page.status_label.text(), timeout=3000)
    assert [p.role for p in keys.peers(hq)] == ["escrow"]
    context.tasks.wait()


def test_a_post_has_no_escrow_button(qtbot, ctx):
    keys.create_keys(ctx.desk, PASSPHRASE)
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: "Fingerprint" in page.own_label.text(), timeout=3000)
    assert not page.escrow_button.isVisibleTo(page)


def test_the_passphrase_is_asked_once_a_session_until_the_keys_are_locked(qtbot, ctx, hq, tmp_path):
    keys.create_keys(ctx.desk, PASSPHRASE)
    hq_file = keys.export_public_key(hq, tmp_path)
    keys.enrol_peer(ctx.desk, hq_file, keys.read_key_file(hq_file).fingerprint)
    keys.forget_unlocked(ctx.desk)  # a new session
    usb = tmp_path / "usb"
    usb.mkdir()
    page = make_page(qtbot, ctx, folder=usb)
    asked = []
    page.ask_passphrase = lambda new=False: asked.append(new) or PASSPHRASE
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=3000)
    assert not page.lock_button.isVisibleTo(page)

    for expected_files in (1, 2):
        page.export_bundle()
        qtbot.waitUntil(
            lambda n=expected_files: len(list(usb.glob("*.consuldesk-bundle"))) == n, timeout=5000
        )
        qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=3000)
    assert asked == [False]  # the second bundle did not ask again
    qtbot.waitUntil(lambda: page.lock_button.isVisibleTo(page), timeout=3000)

    page.lock_button.click()
    assert not page.lock_button.isVisibleTo(page) and not keys.is_unlocked(ctx.desk)
    page.export_bundle()
    qtbot.waitUntil(lambda: len(list(usb.glob("*.consuldesk-bundle"))) == 3, timeout=5000)
    assert asked == [False, False]


def test_a_wrong_passphrase_is_asked_again_and_headquarters_exports_to_all_posts(
    qtbot, hq, tmp_path
):
    from consuldesk.ui.context import AppContext, CaseFileEvents
    from consuldesk.ui.tasks import TaskRunner

    for code in ("IR-THR", "AZ-BAK"):
        post = create_casefile(
            tmp_path / f"{code}.consuldesk",
            post_code=code,
            post_name=code,
            host_country=code[:2],
            officer="x",
        )
        keys.create_keys(post, PASSPHRASE)
        path = keys.export_public_key(post, tmp_path)
        keys.enrol_peer(hq, path, keys.read_key_file(path).fingerprint)
        post.close()
    keys.forget_unlocked(hq)
    usb = tmp_path / "usb"
    usb.mkdir()
    context = AppContext(hq, TaskRunner(), CaseFileEvents())
    page = make_page(qtbot, context, folder=usb)
    answers = ["not the passphrase", PASSPHRASE]
    asked = []
    page.ask_passphrase = lambda new=False: asked.append(1) or answers[len(asked) - 1]
    qtbot.waitUntil(lambda: page.peer_combo.count() == 3, timeout=3000)
    page.peer_combo.setCurrentIndex(page.peer_combo.findData("*all*"))
    assert page.peer_combo.currentText() == "All posts (one bundle each)"
    page.export_bundle()
    qtbot.waitUntil(lambda: "Wrote 2 bundles" in page.status_label.text(), timeout=8000)
    assert len(asked) == 2  # the wrong one, then the right one: no need to start again
    names = sorted(p.name.split("-to-")[1][:6] for p in usb.glob("*.consuldesk-bundle"))
    assert names == ["AZ-BAK", "IR-THR"]
    context.tasks.wait()


def test_settling_a_conflict_does_not_select_the_next_one(qtbot, ctx, hq, tmp_path):
    _enrolled(ctx.desk, hq, tmp_path)
    people = [person(passport_no=f"N100000{i}") for i in (1, 2)]
    _crossed_edits(ctx.desk, hq, tmp_path, people, "Astana", "Al Ain")

    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 2, timeout=3000)
    page.conflicts_table.selectRow(0)
    page.keep_button.click()
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 1, timeout=3000)
    assert not page.conflicts_table.selectedItems() and not page.keep_button.isEnabled()


def test_on_an_encrypted_case_file_the_login_opens_the_keys_and_nothing_is_asked(
    qtbot, hq, tmp_path
):
    from consuldesk.ui.context import AppContext, CaseFileEvents
    from consuldesk.ui.tasks import TaskRunner

    post = create_casefile(
        tmp_path / "AE-ABU-enc.consuldesk",
        post_code="AE-ABU",
        post_name="Абу-Даби",
        host_country="AE",
        officer="Айгүл",
        passphrase="the login of the post",
    )
    ctx = AppContext(post, TaskRunner(), CaseFileEvents(), None)
    usb = tmp_path / "usb"
    usb.mkdir()
    page = make_page(qtbot, ctx, folder=usb)
    page.ask_passphrase = lambda new=False: pytest.fail("asked for a passphrase")
    qtbot.waitUntil(lambda: "No keys yet" in page.own_label.text(), timeout=3000)
    page.create_keys()
    qtbot.waitUntil(lambda: "Fingerprint to read out" in page.own_label.text(), timeout=5000)
    hq_file = keys.export_public_key(hq, tmp_path)
    keys.enrol_peer(post, hq_file, keys.read_key_file(hq_file).fingerprint)
    keys.forget_unlocked(post)  # as after a lock of the window
    page.refresh()
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=3000)
    page.export_bundle()
    qtbot.waitUntil(lambda: len(list(usb.glob("*.consuldesk-bundle"))) == 1, timeout=5000)
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=3000)
    assert not page.lock_button.isVisibleTo(page)  # nothing of their own to lock
    ctx.tasks.wait()
    post.close()


def test_bundle_dialogs_start_where_the_last_file_went(qtbot, desk, tmp_path, monkeypatch):
    """They opened in the folder the program was started from, not on the stick."""
    from PySide6.QtCore import QSettings

    import consuldesk.ui.pages.sync as module
    from consuldesk.ui.context import AppContext, CaseFileEvents
    from consuldesk.ui.tasks import TaskRunner

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents(), settings=settings)
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    stick = tmp_path / "stick"
    stick.mkdir()
    started: list[str] = []

    def folder_dialog(parent, title, start):
        started.append(start)
        return str(stick)

    def file_dialog(parent, title, start, pattern):
        started.append(start)
        return str(stick / "x.consuldesk-bundle"), pattern

    monkeypatch.setattr(module.QFileDialog, "getExistingDirectory", folder_dialog)
    monkeypatch.setattr(module.QFileDialog, "getOpenFileName", file_dialog)
    assert page.choose_folder() == stick
    assert page.choose_file("Bundle", "*.consuldesk-bundle") == stick / "x.consuldesk-bundle"
    assert started[1] == str(stick)  # the second dialog opened on the stick
    ctx.tasks.wait()


def test_the_value_to_choose_is_in_view_at_1024_px(qtbot, ctx, hq, tmp_path):
    """The conflicts table put the other value past the right edge, behind a scroll bar."""
    _enrolled(ctx.desk, hq, tmp_path)
    long_hq = "Исфахан, улица Чахар-Баг Аббаси, дом 5, гостиница «Аббаси», номер 214"
    long_post = "Исфахан, проспект Хакимнезами, дом 118, у родственников, второй этаж"
    _crossed_edits(ctx.desk, hq, tmp_path, [person(address="Тегеран")], long_hq, long_post,
                   field="address")  # fmt: skip
    page = make_page(qtbot, ctx)
    page.resize(830, 700)  # the page beside the navigation in a 1024 px window
    page.show()
    qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 1, timeout=3000)
    for table in (page.conflicts_table, page.peers_table):  # the peers' last column too
        assert table.horizontalScrollBar().maximum() == 0
        last = table.horizontalHeader()
        assert last.sectionPosition(4) + last.sectionSize(4) <= table.viewport().width()
