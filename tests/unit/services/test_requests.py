"""Tests for consuldesk.services.requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from consuldesk.domain.enums import (
    HouseholdKind,
    RequestKind,
    RequestPriority,
    RequestStatus,
    TimelineKind,
)
from consuldesk.domain.errors import ValidationError
from consuldesk.messages import describe
from consuldesk.services import requests as rq
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import create_household
from consuldesk.services.nationals import history, register_national
from consuldesk.store.errors import NotFound
from tests.factories import person

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _audit_count(desk) -> int:
    with desk.casefile.read() as session:
        return session.connection().exec_driver_sql("SELECT count(*) FROM audit_event").scalar()


@pytest.fixture
def aigerim(desk):
    return register_national(desk, person()).row


def test_open_request_for_a_national(desk, aigerim):
    due = datetime(2026, 3, 11, 12, 0, tzinfo=timezone(timedelta(hours=4)))  # Abu Dhabi time
    written = rq.open_request(
        desk,
        RequestKind.MEDICAL,
        "  Инсулин керек  ",
        national_id=aigerim.id,
        priority=RequestPriority.HIGH,
        assignee="Бекзат",
        due_at=due,
    )
    row = written.row
    assert row.status == "new"
    assert row.summary == "Инсулин керек"
    assert row.national_name == "Қасымова Әйгерім"
    assert row.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    assert row.due_at.tzinfo is not None
    assert row.timeline == ()
    assert written.changes.created.keys() == {"assistance_request"}
    audit = history(desk, row.id)
    assert [e.action for e in audit] == ["create"]
    assert audit[0].changes["kind"] == [None, "medical"]


def test_open_request_needs_a_subject_and_summary(desk, aigerim):
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт жоғалды")
    assert err.value.code == "request.no_subject"
    with pytest.raises(ServiceError) as err:
        rq.open_request(desk, RequestKind.DOCUMENTS, "  ", national_id=aigerim.id)
    assert err.value.code == "request.summary"
    with pytest.raises(NotFound):
        rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт", national_id="no-such-id")
    assert _audit_count(desk) == before
    assert rq.list_requests(desk, statuses=None) == []


def test_open_request_for_a_household(desk, aigerim):
    family = create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[aigerim.id])
    row = rq.open_request(
        desk, RequestKind.ACCOMMODATION, "Қонақ үй керек", household_id=family.row.id
    ).row
    assert row.household_name == "Қасымовтар"
    assert row.national_id is None


def test_status_workflow_sets_and_clears_closed_at(desk, aigerim):
    r = rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт жоғалды", national_id=aigerim.id).row
    working = rq.change_status(desk, r.id, RequestStatus.IN_PROGRESS, note="Ерланға хабарластым")
    assert working.row.status == "in_progress"
    assert working.row.closed_at is None
    assert working.changes.updated.keys() == {"assistance_request"}
    assert working.changes.created.keys() == {"request_event"}
    event = working.row.timeline[-1]
    assert event.kind == "status"
    assert event.text == "new → in_progress\nЕрланға хабарластым"
    assert event.author == "Officer Test"

    resolved = rq.change_status(desk, r.id, RequestStatus.RESOLVED).row
    assert resolved.closed_at is not None
    closed = rq.change_status(desk, r.id, RequestStatus.CLOSED).row
    assert closed.closed_at == resolved.closed_at  # resolving was the end of the work
    reopened = rq.change_status(desk, r.id, RequestStatus.IN_PROGRESS).row
    assert reopened.closed_at is None
    assert [e.text for e in reopened.timeline] == [
        "new → in_progress\nЕрланға хабарластым",
        "in_progress → resolved",
        "resolved → closed",
        "closed → in_progress",
    ]
    audit = history(desk, r.id)
    assert audit[-1].changes["status"] == ["closed", "in_progress"]
    assert audit[-1].changes["closed_at"][1] is None


def test_refused_transition_writes_nothing(desk, aigerim):
    r = rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт", national_id=aigerim.id).row
    before = _audit_count(desk)
    with pytest.raises(ValidationError) as err:
        rq.change_status(desk, r.id, RequestStatus.CLOSED)
    assert err.value.code == "request.transition"
    assert _audit_count(desk) == before
    assert rq.get_request(desk, r.id).timeline == ()


def test_same_status_is_no_change(desk, aigerim):
    r = rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт", national_id=aigerim.id).row
    written = rq.change_status(desk, r.id, RequestStatus.NEW)
    assert not written.changes
    assert written.row.timeline == ()


def test_assign_adds_timeline_entry(desk, aigerim):
    r = rq.open_request(desk, RequestKind.FINANCIAL, "Ақша жоқ", national_id=aigerim.id).row
    written = rq.assign(desk, r.id, "Бекзат")
    assert written.row.assignee == "Бекзат"
    assert written.row.timeline[-1].kind == "assignment"
    assert written.row.timeline[-1].text == "— → Бекзат"
    assert history(desk, r.id)[-1].changes == {"assignee": [None, "Бекзат"]}
    again = rq.assign(desk, r.id, "Бекзат")
    assert not again.changes
    assert len(again.row.timeline) == 1
    rq.assign(desk, r.id, None)
    assert rq.get_request(desk, r.id).timeline[-1].text == "Бекзат → —"


def test_notes_and_calls(desk, aigerim):
    r = rq.open_request(desk, RequestKind.EVACUATION, "Үйге қайту", national_id=aigerim.id).row
    rq.add_note(desk, r.id, TimelineKind.CALL_OUT, "Қоңырау шалдым, жауап жоқ")
    written = rq.add_note(desk, r.id, TimelineKind.NOTE, "Автобус ертең")
    assert written.changes.created.keys() == {"request_event"}
    assert [(e.kind, e.text) for e in written.row.timeline] == [
        ("call_out", "Қоңырау шалдым, жауап жоқ"),
        ("note", "Автобус ертең"),
    ]
    event_id = written.row.timeline[-1].id
    assert history(desk, event_id)[0].changes["text"] == [None, "Автобус ертең"]
    for kind, text, code in (
        (TimelineKind.STATUS, "x", "request.event_kind"),
        (TimelineKind.NOTE, "  ", "request.note_empty"),
    ):
        with pytest.raises(ServiceError) as err:
            rq.add_note(desk, r.id, kind, text)
        assert err.value.code == code


def test_closed_request_takes_no_notes_or_assignment(desk, aigerim):
    r = rq.open_request(desk, RequestKind.INFORMATION, "Сұрақ", national_id=aigerim.id).row
    rq.change_status(desk, r.id, RequestStatus.CANCELLED)
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        rq.add_note(desk, r.id, TimelineKind.NOTE, "тағы")
    assert err.value.code == "request.closed"
    with pytest.raises(ServiceError) as err:
        rq.assign(desk, r.id, "Бекзат")
    assert err.value.code == "request.closed"
    assert _audit_count(desk) == before


def test_log_hotline_call_for_a_known_national(desk, aigerim):
    written = rq.log_hotline_call(
        desk,
        national_id=aigerim.id,
        caller="Қасымова Әйгерім",
        phone="8 701 234 56 78",
        summary="Әуежайда тұр, рейс жоқ",
        kind=RequestKind.EVACUATION,
        priority=RequestPriority.URGENT,
    )
    row = written.row
    assert written.changes.created.keys() == {"assistance_request", "request_event"}
    assert row.priority == "urgent"
    assert row.details is None
    assert len(row.timeline) == 1
    assert row.timeline[0].kind == "call_in"
    assert row.timeline[0].text == "Қасымова Әйгерім · +77012345678\nӘуежайда тұр, рейс жоқ"
    assert history(desk, row.timeline[0].id)[0].action == "create"


def test_log_hotline_call_from_an_unknown_caller(desk):
    row = rq.log_hotline_call(
        desk,
        caller="Бекмұрат",
        phone="not a number",
        summary="Анасы Стамбулда",
        kind=RequestKind.INFORMATION,
        direction=TimelineKind.CALL_OUT,
    ).row
    assert row.national_id is None
    assert row.details == "Бекмұрат · not a number"
    assert row.timeline[0].kind == "call_out"
    with pytest.raises(ServiceError) as err:
        rq.log_hotline_call(desk, summary="?", kind=RequestKind.INFORMATION)
    assert err.value.code == "request.no_subject"
    with pytest.raises(ServiceError) as err:
        rq.log_hotline_call(
            desk, caller="A", summary="?", kind=RequestKind.INFORMATION, direction=TimelineKind.NOTE
        )
    assert err.value.code == "request.event_kind"
    assert len(rq.list_requests(desk, statuses=None)) == 1


def test_list_requests_order_filters_and_overdue(desk, aigerim):
    def open_(summary, priority, due=None, kind=RequestKind.DOCUMENTS, assignee=None):
        return rq.open_request(
            desk,
            kind,
            summary,
            national_id=aigerim.id,
            priority=priority,
            due_at=due,
            assignee=assignee,
        ).row

    low = open_("low", RequestPriority.LOW)
    normal_late = open_("normal late", RequestPriority.NORMAL, NOW + timedelta(hours=5))
    normal_soon = open_("normal soon", RequestPriority.NORMAL, NOW - timedelta(hours=1))
    normal_nodue = open_("normal", RequestPriority.NORMAL, assignee="Бекзат")
    urgent = open_("urgent", RequestPriority.URGENT, kind=RequestKind.MEDICAL)
    done = open_("done", RequestPriority.URGENT, NOW - timedelta(days=1))
    rq.change_status(desk, done.id, RequestStatus.RESOLVED)

    rows = rq.list_requests(desk, now=NOW)
    assert [r.summary for r in rows] == ["urgent", "normal soon", "normal late", "normal", "low"]
    assert {r.id for r in rows if r.overdue} == {normal_soon.id}
    assert [r.id for r in rq.list_requests(desk, overdue_only=True, now=NOW)] == [normal_soon.id]
    assert [r.id for r in rq.list_requests(desk, kinds=[RequestKind.MEDICAL])] == [urgent.id]
    assert [r.id for r in rq.list_requests(desk, assignee="Бекзат")] == [normal_nodue.id]
    resolved = rq.list_requests(desk, statuses=[RequestStatus.RESOLVED], now=NOW)
    assert [(r.id, r.overdue) for r in resolved] == [(done.id, False)]  # closed work is not late
    assert len(rq.list_requests(desk, statuses=None)) == 6
    assert low.id in {r.id for r in rq.list_requests(desk, national_id=aigerim.id)}
    assert normal_late.national_name == "Қасымова Әйгерім"


def test_a_request_is_escalated_with_a_due_time_and_the_timeline_says_so(desk, aigerim):
    row = rq.open_request(desk, RequestKind.MEDICAL, "Инсулин", national_id=aigerim.id).row
    assert (row.priority, row.due_at) == ("normal", None)
    due = datetime(2026, 3, 10, 11, 0, tzinfo=timezone(timedelta(hours=4)))
    written = rq.set_priority(desk, row.id, RequestPriority.URGENT, due)
    assert (written.row.priority, written.row.due_at) == (
        "urgent",
        datetime(2026, 3, 10, 7, 0, tzinfo=UTC),
    )
    (entry,) = written.row.timeline
    assert (entry.kind, entry.text) == ("priority", "normal → urgent\n2026-03-10T07:00:00+00:00")
    assert history(desk, row.id)[-1].changes["priority"] == ["normal", "urgent"]
    # The same again changes nothing and adds nothing.
    again = rq.set_priority(desk, row.id, RequestPriority.URGENT, due)
    assert len(again.row.timeline) == 1 and not again.changes.tables
    # The due time taken away: "—".
    dropped = rq.set_priority(desk, row.id, RequestPriority.HIGH, None)
    assert dropped.row.due_at is None and dropped.row.timeline[-1].text == "urgent → high\n—"
    rq.change_status(desk, row.id, RequestStatus.CANCELLED)
    with pytest.raises(ServiceError) as frozen:
        rq.set_priority(desk, row.id, RequestPriority.LOW, None)
    assert frozen.value.code == "request.closed"


def test_a_visit_to_the_post_is_logged_as_a_visit_not_a_call(desk, aigerim):
    row = rq.log_hotline_call(
        desk,
        national_id=aigerim.id,
        caller="Қасымова Әйгерім",
        summary="Паспорт жоғалды",
        kind=RequestKind.DOCUMENTS,
        direction=TimelineKind.VISIT,
    ).row
    assert [(e.kind, e.text) for e in row.timeline] == [
        ("visit", "Қасымова Әйгерім\nПаспорт жоғалды")
    ]
    row = rq.add_note(desk, row.id, TimelineKind.VISIT, "Анықтама алды").row
    assert row.timeline[-1].kind == "visit"
    with pytest.raises(ServiceError) as err:
        rq.add_note(desk, row.id, TimelineKind.STATUS, "x")
    assert err.value.code == "request.event_kind"
    assert describe(err.value) == "“status” is not a note, a call or a visit"


def test_a_request_of_someone_not_on_file_is_linked_once_they_are(desk, aigerim):
    """A visitor not on file, registered afterwards: the request could never name them."""
    row = rq.log_hotline_call(
        desk,
        caller="Тулеуов Бауыржан",
        summary="Паспорт жоғалды",
        kind=RequestKind.DOCUMENTS,
        direction=TimelineKind.VISIT,
    ).row
    assert row.national_id is None
    linked = rq.link_person(desk, row.id, aigerim.id).row
    assert (linked.national_id, linked.national_name) == (aigerim.id, "Қасымова Әйгерім")
    assert linked.details == "Тулеуов Бауыржан"  # what was said of them stays
    assert [(e.kind, e.text) for e in rq.get_request(desk, row.id).timeline][-1] == (
        "note",
        "Linked to Қасымова Әйгерім",
    )
    other = register_national(desk, person(surname_cyr="Бекова", iin=None, passport_no=None)).row
    with pytest.raises(ServiceError) as err:
        rq.link_person(desk, row.id, other.id)  # never moved to another person silently
    assert err.value.code == "request.linked"
    assert describe(err.value).startswith("This request is about Қасымова Әйгерім already")
