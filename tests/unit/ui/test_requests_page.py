"""The requests page: queue filters, the request view's writes, and the hotline call dialog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from consuldesk.domain.enums import RequestKind, RequestPriority, RequestStatus, TimelineKind
from consuldesk.services import nationals, requests
from consuldesk.ui.context import AppContext, CaseFileEvents, everything_changed
from consuldesk.ui.dialogs.hotline_call import HotlineCallDialog, open_hotline_call
from consuldesk.ui.models.requests import (
    COL_KIND,
    COL_OVERDUE,
    COL_PERSON,
    COL_PRIORITY,
    COL_STATUS,
    COL_SUMMARY,
    RequestsModel,
)
from consuldesk.ui.pages.requests import RequestsPage
from consuldesk.ui.tasks import TaskRunner
from tests.factories import person
from tests.unit.ui.conftest import type_text

PAST = datetime.now(UTC) - timedelta(hours=3)
FUTURE = datetime.now(UTC) + timedelta(days=2)


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, modifiers))


@pytest.fixture
def ctx(desk):
    parent = QObject()
    context = AppContext(desk, TaskRunner(parent), CaseFileEvents(parent))
    yield context
    context.tasks.wait()
    QApplication.processEvents()  # deliver the last results while their receivers still exist
    context.tasks.wait()
    parent.deleteLater()


@pytest.fixture
def people(desk):
    aigerim = nationals.register_national(desk, person()).row
    nursultan = nationals.register_national(
        desk,
        person(
            surname_cyr="Әбілқасымов",
            given_names_cyr="Нұрсұлтан",
            surname_lat="ABILKASSYMOV",
            given_names_lat="NURSULTAN",
            sex=None,
            birth_date=date(1950, 1, 2),
            phones=("+77015550001",),
        ),
    ).row
    return aigerim, nursultan


@pytest.fixture
def queue(desk, people):
    """Three open requests (one overdue, one urgent) and a resolved one."""
    aigerim, nursultan = people
    late = requests.open_request(
        desk,
        RequestKind.ACCOMMODATION,
        "Hotel asks them to leave tonight",
        national_id=aigerim.id,
        due_at=PAST,
    ).row
    urgent = requests.open_request(
        desk,
        RequestKind.MEDICAL,
        "Needs insulin",
        national_id=nursultan.id,
        priority=RequestPriority.URGENT,
        due_at=FUTURE,
        assignee="Aliya Serikova",
    ).row
    info = requests.open_request(
        desk, RequestKind.INFORMATION, "Asks about flights", national_id=aigerim.id
    ).row
    done = requests.open_request(
        desk, RequestKind.DOCUMENTS, "Lost passport", national_id=nursultan.id
    ).row
    requests.change_status(desk, done.id, RequestStatus.RESOLVED)
    return {"late": late, "urgent": urgent, "info": info, "done": done}


@pytest.fixture
def page(qtbot, ctx):
    p = RequestsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 700)
    p.show()
    yield p
    # Before the context goes: a debounced refresh must not start a task on a runner being deleted.
    p._refresh_timer.stop()
    p.close()
    ctx.tasks.wait()


def summaries(model) -> list[str]:
    return [model.index(r, COL_SUMMARY).data() for r in range(model.rowCount())]


def wait_for_count(qtbot, page, text: str) -> None:
    qtbot.waitUntil(lambda: page.count_label.text() == text, timeout=3000)


def select(qtbot, page, request_id: str) -> None:
    assert page.select_request(request_id)
    qtbot.waitUntil(
        lambda: page.view.request is not None and page.view.request.id == request_id,
        timeout=3000,
    )


# -- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_open_requests_urgent_first(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    assert summaries(page.model) == [
        "Needs insulin",
        "Hotel asks them to leave tonight",
        "Asks about flights",
    ]
    assert page.model.index(0, COL_PRIORITY).data() == "Urgent"
    assert page.model.index(0, COL_KIND).data() == "Medical help"
    person = page.model.index(0, COL_PERSON)
    assert person.data() == "Әбілқасымов Н."  # a narrow column: the surname and initials
    assert person.data(Qt.ItemDataRole.ToolTipRole) == "Әбілқасымов Нұрсұлтан"
    assert page.model.index(0, COL_STATUS).data() == "New"


def test_overdue_rows_are_marked_in_colour_bold_and_text(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    late = page.model.row_of(queue["late"].id)
    on_time = page.model.row_of(queue["info"].id)
    assert page.model.index(late, COL_OVERDUE).data() == "! OVERDUE"
    assert page.model.index(on_time, COL_OVERDUE).data() == ""
    assert page.model.index(late, COL_SUMMARY).data(Qt.ItemDataRole.FontRole).bold()
    assert page.model.index(late, COL_SUMMARY).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert page.model.index(on_time, COL_SUMMARY).data(Qt.ItemDataRole.BackgroundRole) is None


def test_filter_by_status_and_overdue(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    page.overdue_filter.setChecked(True)
    wait_for_count(qtbot, page, "1 open request, 1 overdue")
    assert summaries(page.model) == ["Hotel asks them to leave tonight"]

    page.overdue_filter.setChecked(False)
    page.status_filter.setCurrentIndex(page.status_filter.findData(RequestStatus.RESOLVED.value))
    wait_for_count(qtbot, page, "1 request")
    assert summaries(page.model) == ["Lost passport"]

    page.status_filter.setCurrentIndex(page.status_filter.findData("all"))
    wait_for_count(qtbot, page, "4 requests, 1 overdue")


def test_filter_by_kind_and_assignee(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(RequestKind.INFORMATION.value))
    wait_for_count(qtbot, page, "1 open request")
    page.kind_filter.setCurrentIndex(0)
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    type_text(page.assignee_filter, "aliya")
    wait_for_count(qtbot, page, "1 open request")
    assert summaries(page.model) == ["Needs insulin"]


def test_find_a_call_by_the_person_a_phone_fragment_or_its_words(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    for typed, expected in (
        ("әбілқ", ["Needs insulin"]),  # the person, in Kazakh
        ("abilkas", ["Needs insulin"]),  # the same person as the passport spells it
        ("5550001", ["Needs insulin"]),  # the last digits of their phone
        ("flights", ["Asks about flights"]),  # words of the request
        ("hotel tonight", ["Hotel asks them to leave tonight"]),  # every word, any order
    ):
        page.search_edit.setText(typed)
        qtbot.waitUntil(lambda e=expected: summaries(page.model) == e, timeout=3000)
    page.search_edit.clear()
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")


def test_empty_states_say_what_to_do(qtbot, page, desk):
    wait_for_count(qtbot, page, "No open requests. Log a hotline call with Ctrl+L.")
    page.overdue_filter.setChecked(True)
    wait_for_count(
        qtbot, page, "No requests match these filters. Change them, or log a call with Ctrl+L."
    )


# -- the request view ------------------------------------------------------------------------


def test_status_buttons_offer_only_allowed_moves(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["info"].id)
    assert set(page.view.status_buttons) == {
        RequestStatus.IN_PROGRESS,
        RequestStatus.WAITING,
        RequestStatus.RESOLVED,
        RequestStatus.CANCELLED,
    }


def test_change_status_through_the_view(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["info"].id)
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        page.view.status_buttons[RequestStatus.IN_PROGRESS].click()
    saved = requests.get_request(desk, queue["info"].id)
    assert saved.status == RequestStatus.IN_PROGRESS
    assert saved.timeline[-1].kind == TimelineKind.STATUS
    assert saved.timeline[-1].text == "new → in_progress"
    qtbot.waitUntil(lambda: page.view.status_label.text() == "In progress", timeout=3000)
    assert RequestStatus.IN_PROGRESS not in page.view.status_buttons
    assert page.view.timeline.topLevelItemCount() == len(saved.timeline)

    # Resolving takes it out of the open queue, but the officer keeps it open on the right
    # for the next step; choosing other filters then lets it go.
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        page.view.status_buttons[RequestStatus.RESOLVED].click()
    qtbot.waitUntil(lambda: page.count_label.text().startswith("2 open requests"), timeout=3000)
    assert "no longer matches" in page.count_label.text()
    assert requests.get_request(desk, queue["info"].id).closed_at is not None
    qtbot.waitUntil(lambda: page.view.status_label.text() == "Resolved", timeout=3000)
    assert page.view.request is not None and page.view.request.id == queue["info"].id
    page.status_filter.setCurrentIndex(page.status_filter.count() - 1)
    qtbot.waitUntil(lambda: page.view.request is None, timeout=3000)


def test_add_a_note_and_log_a_call_out(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["late"].id)
    type_text(page.view.note_edit, "Отель согласен до утра")
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        page.view.note_button.click()
    saved = requests.get_request(desk, queue["late"].id)
    assert (saved.timeline[-1].kind, saved.timeline[-1].text) == (
        TimelineKind.NOTE,
        "Отель согласен до утра",
    )
    assert saved.timeline[-1].author == "Officer Test"
    assert page.view.note_edit.toPlainText() == ""

    page.view.note_kind_box.setCurrentIndex(page.view.note_kind_box.findData(TimelineKind.CALL_OUT))
    page.view.note_edit.setPlainText("Called the hotel manager")
    page.view.note_edit.setFocus()
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        press(page.view.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert requests.get_request(desk, queue["late"].id).timeline[-1].kind == TimelineKind.CALL_OUT


def test_a_half_typed_note_waits_while_another_request_is_looked_at(qtbot, queue, page, desk, ctx):
    """Another request clicked in the queue threw the note away without a word."""
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["late"].id)
    page.view.note_kind_box.setCurrentIndex(page.view.note_kind_box.findData(TimelineKind.CALL_IN))
    type_text(page.view.note_edit, "Позвонил брат, обещали перезвонить")
    select(qtbot, page, queue["urgent"].id)
    assert page.view.note_edit.toPlainText() == ""  # each request its own note
    assert page.view.draft(queue["late"].id) == "Позвонил брат, обещали перезвонить"
    type_text(page.view.note_edit, "Инсулин купили")
    select(qtbot, page, queue["late"].id)
    assert page.view.note_edit.toPlainText() == "Позвонил брат, обещали перезвонить"
    assert page.view.note_kind_box.currentData() == TimelineKind.CALL_IN
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        page.view.note_button.click()
    assert requests.get_request(desk, queue["late"].id).timeline[-1].kind == TimelineKind.CALL_IN
    assert page.view.note_edit.toPlainText() == "" and page.view.draft(queue["late"].id) is None
    select(qtbot, page, queue["urgent"].id)
    assert page.view.note_edit.toPlainText() == "Инсулин купили"  # the other one's, kept


def test_an_empty_note_is_refused_in_the_page(qtbot, queue, page, desk):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["late"].id)
    page.view.note_button.click()
    assert page.view.error_label.text() == "Type the note first."
    assert requests.get_request(desk, queue["late"].id).timeline == ()


def test_assign_through_the_view(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["late"].id)
    page.view.assignee_edit.setText("Dana Omarova")
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        press(page.view.assignee_edit, Qt.Key.Key_Return)
    saved = requests.get_request(desk, queue["late"].id)
    assert saved.assignee == "Dana Omarova"
    assert saved.timeline[-1].text == "— → Dana Omarova"
    # Names given before are offered as one is typed, by any part of them.
    qtbot.waitUntil(lambda: "Dana Omarova" in page.view.assignees.stringList(), timeout=3000)
    assert "Aliya Serikova" in page.view.assignees.stringList()
    completer = page.view.assignee_edit.completer()
    completer.setCompletionPrefix("omar")
    assert completer.currentCompletion() == "Dana Omarova"
    assert page.assignee_filter.completer().model() is page.view.assignees


def test_a_call_is_escalated_with_a_due_time_it_can_be_overdue_by(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["info"].id)
    view = page.view
    assert view.priority_box.currentData() == "normal" and not view.due_check.isChecked()
    view.priority_box.setCurrentIndex(view.priority_box.findData("urgent"))
    assert view.due_check.isChecked() and view.due_edit.isEnabled()  # proposed: two hours
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        view.priority_button.click()
    saved = requests.get_request(desk, queue["info"].id)
    assert saved.priority == "urgent" and saved.due_at is not None
    assert timedelta(minutes=100) < saved.due_at - datetime.now(UTC) < timedelta(minutes=125)
    entry = view.timeline.topLevelItem(view.timeline.topLevelItemCount() - 1)
    assert entry.text(1) == "Priority" and entry.text(3).startswith("Normal → Urgent · due ")
    # A day and time typed over the field are the ones saved (a date-time box kept the old
    # day, and the request was overdue at once).
    view.due_edit.date_field.edit.selectAll()
    type_text(view.due_edit.date_field.edit, "07.12.2026")
    view.due_edit.time_edit.selectAll()
    type_text(view.due_edit.time_edit, "10:00")
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        view.priority_button.click()
    typed = requests.get_request(desk, queue["info"].id).due_at.astimezone()
    assert f"{typed:%d.%m.%Y %H:%M}" == "07.12.2026 10:00"
    # The queue puts it with the urgent ones.
    urgent = {"Needs insulin", "Asks about flights"}
    qtbot.waitUntil(lambda: set(summaries(page.model)[:2]) == urgent, timeout=3000)


def test_an_urgent_call_is_given_a_due_time_unless_the_officer_takes_it_away(qtbot, ctx, desk):
    dialog = open_hotline_call(ctx)
    qtbot.addWidget(dialog)
    assert not dialog.due_check.isChecked()
    # The time offered (greyed) for a normal call is later than any pressing priority's:
    # raising the priority never moves the time later.
    offered = dialog.due_edit.moment() - datetime.now(UTC)
    assert timedelta(hours=23) < offered < timedelta(hours=24, minutes=1)
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.HIGH))
    assert dialog.due_edit.moment() - datetime.now(UTC) < offered
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.NORMAL))
    dialog.due_check.setChecked(False)
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.URGENT))
    assert dialog.due_check.isChecked()
    two_hours = dialog.due_at()
    assert timedelta(minutes=115) < two_hours - datetime.now(UTC) < timedelta(minutes=121)
    dialog.due_check.setChecked(False)  # the officer's choice stands
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.HIGH))
    assert dialog.due_check.isChecked()  # asked again for another pressing priority
    # Normal → High → Urgent: the time High proposed gives way to Urgent's two hours.
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.URGENT))
    assert dialog.due_at() - datetime.now(UTC) < timedelta(minutes=121)
    # A time the officer typed stands whatever the priority becomes.
    dialog.due_edit.date_field.edit.setText("09.12.2026")
    dialog.due_edit.time_edit.setText("10:00")
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.HIGH))
    assert dialog.due_at().astimezone().strftime("%d.%m.%Y %H:%M") == "09.12.2026 10:00"
    dialog.reject()


def test_a_refused_transition_shows_the_reason(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["info"].id)
    page.view.move_to(RequestStatus.CLOSED)  # not offered as a button; the service refuses
    qtbot.waitUntil(lambda: page.view.error_label.isVisibleTo(page.view), timeout=3000)
    assert page.view.error_label.text() == (
        "A request that is new cannot become closed; it can become: in progress, waiting, "
        "resolved, cancelled"
    )


def test_a_change_elsewhere_refreshes_the_queue(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    written = requests.open_request(
        desk, RequestKind.FINANCIAL, "No money for food", national_id=queue["late"].national_id
    )
    ctx.events.changed.emit(written.changes)
    wait_for_count(qtbot, page, "4 open requests, 1 overdue")


# -- the hotline call dialog -----------------------------------------------------------------


def test_log_a_hotline_call_for_a_person_found_by_typing(qtbot, ctx, desk, people):
    _aigerim, nursultan = people
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.person_search, "Нұрс")
    qtbot.waitUntil(lambda: dialog.person_list.count() == 1, timeout=3000)
    assert "Әбілқасымов Нұрсұлтан" in dialog.person_list.item(0).text()
    press(dialog.person_search, Qt.Key.Key_Return)  # takes the highlighted (first) hit
    assert dialog.national is not None and dialog.national.id == nursultan.id
    assert dialog.caller_edit.text() == "Әбілқасымов Нұрсұлтан"
    assert "+7\u00a0701\u00a0555" in dialog.person_label.text()  # never wrapped after "+7"

    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.MEDICAL))
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(RequestPriority.URGENT))
    type_text(dialog.summary_edit, "Нужен инсулин")
    dialog.summary_edit.setFocus()
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        press(dialog.summary_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted

    [saved] = requests.list_requests(desk, national_id=nursultan.id)
    assert (saved.kind, saved.priority, saved.summary) == ("medical", "urgent", "Нужен инсулин")
    timeline = requests.get_request(desk, saved.id).timeline
    assert timeline[0].kind == TimelineKind.CALL_IN
    assert timeline[0].text.startswith("Әбілқасымов Нұрсұлтан · +77015550001")


def test_a_visitor_at_the_post_is_logged_as_a_visit(qtbot, ctx, desk):
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Log a hotline call"
    dialog.direction_box.setCurrentIndex(dialog.direction_box.findData(TimelineKind.VISIT))
    assert dialog.windowTitle() == "Log a visit to the post"
    assert dialog.caller_edit.placeholderText() == "Who came (may be a relative)"
    type_text(dialog.caller_edit, "Сейтқали Ұлжан")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.DOCUMENTS))
    type_text(dialog.summary_edit, "Паспорт жоғалды")
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    timeline = requests.get_request(desk, blocker.args[0].id).timeline
    assert [(e.kind, e.text) for e in timeline] == [("visit", "Сейтқали Ұлжан\nПаспорт жоғалды")]
    dialog.direction_box.setCurrentIndex(dialog.direction_box.findData(TimelineKind.CALL_IN))
    assert dialog.windowTitle() == "Log a hotline call"


def test_a_visit_is_added_to_a_request_from_the_page(qtbot, queue, page, desk, ctx):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    select(qtbot, page, queue["late"].id)
    box = page.view.note_kind_box
    assert [box.itemText(i) for i in range(box.count())] == [
        "Note", "Call in", "Call out", "Visit"
    ]  # fmt: skip
    box.setCurrentIndex(box.findData(TimelineKind.VISIT))
    type_text(page.view.note_edit, "Келді, анықтама берілді")
    with qtbot.waitSignal(ctx.events.changed, timeout=3000):
        page.view.note_button.click()
    last = requests.get_request(desk, queue["late"].id).timeline[-1]
    assert (last.kind, last.text) == ("visit", "Келді, анықтама берілді")
    item = page.view.timeline.topLevelItem(page.view.timeline.topLevelItemCount() - 1)
    assert item.text(1) == "Visit"


def test_a_name_heard_differently_finds_the_person_and_says_so(qtbot, ctx, desk, people):
    """ "Абылқасмов" on the phone, "Әбілқасымов" on file: nobody by the name as heard, so
    the people with a name near it are listed under a line that says so."""
    _aigerim, nursultan = people
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.person_search, "Абылқасмов")
    qtbot.waitUntil(lambda: dialog.similar_label.isVisible(), timeout=3000)
    assert dialog.similar_label.text() == (
        "Nobody is named “Абылқасмов”. People with a similar name:"
    )
    assert dialog.person_list.count() == 1
    assert "Әбілқасымов Нұрсұлтан" in dialog.person_list.item(0).text()
    press(dialog.person_search, Qt.Key.Key_Return)
    assert dialog.national is not None and dialog.national.id == nursultan.id
    assert not dialog.similar_label.isVisible()
    dialog.person_search.clear()
    type_text(dialog.person_search, "Әбілқ")
    qtbot.waitUntil(lambda: dialog.person_list.isVisible(), timeout=3000)
    assert not dialog.similar_label.isVisible()
    dialog.reject()


def test_more_people_than_the_list_shows_are_said(qtbot, ctx, desk, people):
    for i in range(9):
        nationals.register_national(
            desk,
            person(given_names_cyr=f"Айгүл{'ь' * i}", given_names_lat=f"AIGUL{'I' * i}",
                   birth_date=date(1990, 1, 1 + i), phones=()),
        )  # fmt: skip
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.person_search, "Қасымова")
    qtbot.waitUntil(lambda: dialog.person_list.count() == 9, timeout=3000)
    last = dialog.person_list.item(8)
    assert last.text() == "More people match: type more of the name."
    assert last.flags() == Qt.ItemFlag.NoItemFlags
    dialog.reject()


def test_an_unknown_caller_is_kept_in_the_details(qtbot, ctx, desk):
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.caller_edit, "Сестра туриста")
    dialog.phone_edit.setText("8 701 555 0002")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.INFORMATION))
    dialog.summary_edit.setText("Brother missing since Monday")
    dialog.due_check.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    row = blocker.args[0]
    assert row.national_id is None
    assert row.details.startswith("Сестра туриста · +77015550002")
    assert row.due_at is not None and row.due_at > datetime.now(UTC)


def test_a_person_found_but_not_linked_is_never_saved_as_an_unknown_caller(
    qtbot, ctx, desk, people
):
    """The first match highlighted, a click into Summary and Ctrl+Enter: the call was filed
    for an "unknown caller" and the name typed was nowhere."""
    _aigerim, nursultan = people
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.caller_edit, "Брат")
    type_text(dialog.person_search, "Нұрс")
    qtbot.waitUntil(lambda: dialog.person_list.count() == 1, timeout=3000)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.MEDICAL))
    type_text(dialog.summary_edit, "Нужен инсулин")
    dialog.save_button.click()
    assert dialog.error_label.text().startswith(
        "Nobody is linked to the call, though “Нұрс” is typed in Find person"
    )
    assert dialog.isVisible() and requests.list_requests(desk, statuses=None) == []
    assert dialog.person_search.hasFocus()
    # The message's lines push the form up: "Due by" was drawn over the Details box.
    QApplication.processEvents()
    details = dialog.details_edit.geometry()
    assert dialog.due_check.mapTo(dialog, dialog.due_check.rect().topLeft()).y() >= (
        dialog.details_edit.mapTo(dialog, details.bottomLeft() - details.topLeft()).y()
    )
    assert dialog.error_label.height() >= dialog.error_label.heightForWidth(
        dialog.error_label.width()
    )
    press(dialog.person_search, Qt.Key.Key_Return)  # links the match
    assert dialog.national is not None and dialog.national.id == nursultan.id
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    assert blocker.args[0].national_id == nursultan.id


def test_a_name_nobody_on_file_has_stays_with_the_call(qtbot, ctx, desk, people):
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.person_search, "Zzyzx")
    qtbot.waitUntil(lambda: dialog.person_list.count() == 1, timeout=3000)
    assert dialog.person_list.item(0).text().startswith("Nobody found")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.INFORMATION))
    dialog.summary_edit.setText("Where is my son")
    dialog.phone_edit.setText("8 701 555 0009")
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    row = blocker.args[0]
    assert row.national_id is None
    assert row.details.endswith("Asked about: Zzyzx (nobody on file by this name)")


def test_the_dialog_asks_for_a_kind_and_a_summary_and_escape_cancels(qtbot, ctx, desk):
    dialog = open_hotline_call(ctx)
    qtbot.addWidget(dialog)
    assert dialog.kind_box.currentIndex() == -1  # no kind chosen for the officer
    dialog.caller_edit.setText("Someone")
    dialog.save_button.click()
    assert dialog.error_label.text() == "Choose what they need (the kind of request)."
    dialog.kind_box.setCurrentIndex(0)
    dialog.save_button.click()
    assert dialog.error_label.text() == "Write what the caller needs in the summary."
    press(dialog.caller_edit, Qt.Key.Key_Escape)  # something typed: it asks first
    with qtbot.waitSignal(dialog.rejected, timeout=3000):
        dialog.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert requests.list_requests(desk, statuses=None) == []


def test_unlink_takes_back_what_the_link_filled_in(qtbot, ctx, desk, people):
    _aigerim, nursultan = people
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.link_person(nationals.get_national(desk, nursultan.id))
    assert dialog.caller_edit.text() == "Әбілқасымов Нұрсұлтан" and dialog.phone_edit.text()
    dialog.unlink_button.click()
    assert (dialog.caller_edit.text(), dialog.phone_edit.text()) == ("", "")
    assert dialog.national is None
    # What the officer typed is theirs: unlinking keeps it.
    dialog.link_person(nationals.get_national(desk, nursultan.id))
    dialog.caller_edit.setText("His daughter Аружан")
    dialog.unlink_button.click()
    assert dialog.caller_edit.text() == "His daughter Аружан" and dialog.phone_edit.text() == ""


# -- the model -------------------------------------------------------------------------------


def test_model_passes_the_model_tester(qtmodeltester, queue, desk):
    model = RequestsModel()
    model.set_rows(requests.list_requests(desk, statuses=None))
    qtmodeltester.check(model)
    late = model.row_of(queue["late"].id)
    assert isinstance(model.index(late, 0).data(Qt.ItemDataRole.FontRole), QFont)
    assert isinstance(model.index(late, 0).data(Qt.ItemDataRole.BackgroundRole), QColor | QBrush)


def test_status_moves_read_in_words():
    from types import SimpleNamespace

    from consuldesk.ui.pages.requests import _entry_text

    entry = SimpleNamespace(kind="status", text="new → in_progress")
    assert _entry_text(entry) == "New → In progress"
    assert _entry_text(SimpleNamespace(kind="note", text="a → b")) == "a → b"


def test_a_call_logged_from_the_page_is_selected_and_said(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(RequestKind.MEDICAL.value))
    wait_for_count(qtbot, page, "1 open request")  # a filter that would hide the new call
    dialog = HotlineCallDialog(page.ctx)
    qtbot.addWidget(dialog)
    dialog.saved.connect(page.show_logged)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.DOCUMENTS))
    dialog.caller_edit.setText("Бағлан Сейітқали")
    dialog.summary_edit.setText("Жоғалған паспорт, Дубай")
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    new = blocker.args[0]
    qtbot.waitUntil(lambda: page.view.request is not None, timeout=3000)
    assert page.view.request.id == new.id  # open on the right
    assert page.count_label.text().startswith("Call logged: Жоғалған паспорт, Дубай.")
    assert page.kind_filter.currentIndex() == 0  # filters back to every open request


def test_a_visit_logged_from_the_page_is_said_as_a_visit_and_not_as_a_caller(qtbot, queue, page):
    wait_for_count(qtbot, page, "3 open requests, 1 overdue")
    dialog = HotlineCallDialog(page.ctx)
    qtbot.addWidget(dialog)
    dialog.saved.connect(page.show_logged)
    dialog.direction_box.setCurrentIndex(dialog.direction_box.findData(TimelineKind.VISIT))
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.DOCUMENTS))
    dialog.caller_edit.setText("Бағлан Сейітқали")
    dialog.summary_edit.setText("Жоғалған паспорт")
    with qtbot.waitSignal(dialog.saved, timeout=3000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: page.view.request is not None, timeout=3000)
    assert page.count_label.text().startswith("Visit logged: Жоғалған паспорт.")
    assert page.view.person_label.text().startswith("Not on file (see details)")


def test_a_request_of_someone_not_on_file_is_linked_from_the_page(
    qtbot, queue, page, desk, ctx, people
):
    aigerim, _nursultan = people
    row = requests.log_hotline_call(
        desk, caller="Бағлан", summary="Паспорт жоғалды", kind=RequestKind.DOCUMENTS
    ).row
    ctx.events.changed.emit(everything_changed())
    wait_for_count(qtbot, page, "4 open requests, 1 overdue")
    select(qtbot, page, row.id)
    view = page.view
    qtbot.waitUntil(lambda: view.link_button.isVisibleTo(view), timeout=3000)
    dialog = view.open_link()
    qtbot.addWidget(dialog)
    type_text(dialog.search_box, "Әйгерім")
    qtbot.waitUntil(lambda: dialog.chosen() is not None, timeout=3000)
    with qtbot.waitSignal(dialog.linked, timeout=3000):
        dialog.add_button.click()
    qtbot.waitUntil(lambda: view.person_label.text() == aigerim.name, timeout=3000)
    assert not view.link_button.isVisibleTo(view)  # linked: nothing more to link
    assert requests.get_request(desk, row.id).national_id == aigerim.id


def test_enter_in_find_person_links_the_chosen_match_and_never_saves(qtbot, ctx, desk, people):
    """Two people match: Down chooses the second, Enter links that one, and the call is not
    saved by it, even with every field filled (only Ctrl+Enter or Save saves)."""
    aigerim, _nursultan = people
    namesake = nationals.register_national(
        desk, person(given_names_cyr="Әсел", passport_no="N7777777", iin=None)
    ).row
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.MEDICAL))
    dialog.summary_edit.setText("Нужен врач")
    type_text(dialog.person_search, "Қасымова")
    qtbot.waitUntil(lambda: dialog.person_list.count() == 2, timeout=3000)
    rows = [dialog.person_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)]
    assert dialog.person_list.currentRow() == 0
    press(dialog.person_search, Qt.Key.Key_Down)
    assert dialog.person_list.currentRow() == 1
    press(dialog.person_search, Qt.Key.Key_Up)
    press(dialog.person_search, Qt.Key.Key_Down)
    dialog.person_search.setFocus()
    press(dialog.person_search, Qt.Key.Key_Return)
    assert dialog.national is not None and dialog.national.id == rows[1].id
    assert {rows[0].id, rows[1].id} == {aigerim.id, namesake.id}
    for _ in range(5):
        QApplication.processEvents()
    assert dialog.isVisible() and dialog.request is None
    assert requests.list_requests(desk, statuses=None) == []
    # Enter again, wherever the focus went, saves nothing either.
    press(dialog.focusWidget(), Qt.Key.Key_Return)
    press(dialog.summary_edit, Qt.Key.Key_Enter)
    for _ in range(5):
        QApplication.processEvents()
    assert dialog.isVisible() and requests.list_requests(desk, statuses=None) == []


def test_escape_asks_before_a_typed_call_is_thrown_away(qtbot, ctx, desk):
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    press(dialog.caller_edit, Qt.Key.Key_Escape)  # nothing typed: it closes
    assert not dialog.isVisible()
    dialog = HotlineCallDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.caller_edit, "Сестра туриста")
    dialog.summary_edit.setText("Brother missing since Monday")
    press(dialog.caller_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.discard_box is not None
    dialog.discard_box.button(QMessageBox.StandardButton.Cancel).click()  # keep editing
    assert dialog.isVisible() and dialog.caller_edit.text() == "Сестра туриста"
    dialog.reject()
    dialog.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not dialog.isVisible()
