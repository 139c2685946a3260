"""Inspections around a plan: recording visits and findings, where findings appear, statutory
deadlines with their rating and reason, and the messages for bad input."""

import html
import io
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import CommitteeMeeting, InspectionEvent, Plan, PlanSubmission, Recommendation

ADMIN = "laura.pickering@example.org"
PLAN_LEAD = "catherine.holloway@example.org"  # Service Director, head of service, leads the plan
COMMITTEE = "margaret.fenwick@example.org"


def _plan() -> Plan:
    return db.session.scalar(select(Plan))


def _rec(reference: str) -> Recommendation:
    return db.session.scalar(select(Recommendation).where(Recommendation.reference == reference))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _words(response) -> str:
    """The page as a person reads it: tags removed, spaces collapsed."""
    return (
        " ".join(re.sub(r"<[^>]+>", " ", _text(response)).split())
        .replace(" :", ":")
        .replace(" ,", ",")
    )


def _visit(client, plan_id: int, **fields):
    data = {
        "kind": "monitoring_visit",
        "inspectorate": "",
        "started_on": ["9", "2", "2016"],
        "ended_on": ["10", "2", "2016"],
        "received_on": ["3", "3", "2016"],
        "published_on": ["", "", ""],
        "report_url": "",
        "summary": "",
        **fields,
    }
    return form_post(client, f"/plans/{plan_id}/inspections/new", data)


def _finding(client, event_id: int, text: str, *recs: Recommendation):
    data = {"text": text, "recommendation_ids": [str(r.id) for r in recs]}
    return form_post(client, f"/inspections/{event_id}/findings/new", data)


def test_the_seeded_2015_inspection_shows_its_deadlines_with_rule_source_and_reason(
    seeded, client, as_at
):
    as_at(date(2016, 3, 14))
    sign_in(client, COMMITTEE)
    page = _text(client.get(f"/plans/{_plan().id}"))
    assert "Inspection under the single inspection framework (SIF)" in page
    # Received 18 September 2015 (assumed: the publication day): draft 20 and final 70 working
    # days later, as tests/test_working_days.py counts them.
    assert "16 October 2015" in page and "29 December 2015" in page
    assert "70 working days from the day the report or letter was received" in page
    assert "England's bank holidays (the holidays package" in page
    assert "every SIF inspection asks for a written statement of action" in page
    assert "Sent; the date is not recorded, so whether it was on time is not known" in page
    # The timeline puts the report before the deadlines and the November meeting between them.
    assert page.index("Report published") < page.index("16 October 2015")
    assert page.index("16 November 2015") < page.index("29 December 2015")
    summary = _text(client.get(f"/plans/{_plan().id}/summary"))
    assert "Inspections, findings and statutory deadlines" in summary
    assert "29 December 2015" in summary


def test_a_monitoring_visit_finding_on_r3_appears_on_r3_and_in_the_summary(seeded, client):
    sign_in(client, ADMIN)
    plan, r3, r2 = _plan(), _rec("R3"), _rec("R2")
    response = _visit(client, plan.id)
    assert response.status_code == 302
    event = db.session.scalar(
        select(InspectionEvent).where(InspectionEvent.kind == "monitoring_visit")
    )
    assert event.inspectorate == "Ofsted"
    assert (
        _finding(client, event.id, "Progress on chronologies is too slow.", r3).status_code == 302
    )
    assert _finding(client, event.id, "Supervision is now regular.", r3, r2).status_code == 302

    client = seeded.test_client()  # a committee member on another device
    sign_in(client, COMMITTEE)
    r3_page = _text(client.get(f"/recommendations/{r3.id}"))
    assert "Progress on chronologies is too slow." in r3_page
    assert "Monitoring visit, 9 February 2016" in r3_page
    r2_page = _text(client.get(f"/recommendations/{r2.id}"))
    assert "Supervision is now regular." in r2_page
    assert "Progress on chronologies is too slow." not in r2_page
    summary = _words(client.get(f"/plans/{plan.id}/summary"))
    assert "R3: Progress on chronologies is too slow." in summary
    assert "R2, R3: Supervision is now regular." in summary
    paper = PdfReader(io.BytesIO(client.get(f"/plans/{plan.id}/paper.pdf").data))
    paper_text = " ".join(" ".join(p.extract_text().split()) for p in paper.pages)
    assert "R3: Progress on chronologies is too slow." in paper_text
    timeline = _words(client.get(f"/plans/{plan.id}"))
    assert "Monitoring visit" in timeline and "On site until 10 February 2016" in timeline


def test_committee_members_read_inspections_but_cannot_record_them(seeded, client):
    sign_in(client, COMMITTEE)
    plan = _plan()
    assert client.get(f"/plans/{plan.id}/inspections/new").status_code == 403
    event = db.session.scalar(select(InspectionEvent))
    assert client.get(f"/inspections/{event.id}").status_code == 200
    assert client.get(f"/inspections/{event.id}/findings/new").status_code == 403
    assert "Record an inspection" not in _text(client.get(f"/plans/{plan.id}"))


def test_the_plan_lead_may_record_a_visit(seeded, client):
    sign_in(client, PLAN_LEAD)
    assert _visit(client, _plan().id).status_code == 302


def test_a_letter_before_the_visit_is_refused_with_what_was_typed_kept(seeded, client):
    sign_in(client, ADMIN)
    response = _visit(
        client, _plan().id, received_on=["1", "2", "2016"], summary="Typed before the error"
    )
    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert (
        "The report or letter cannot have been received before the visit ended: the visit "
        "ended on 10 February 2016, the letter is dated 1 February 2016"
    ) in page
    assert "Typed before the error" in page and 'value="2016"' in page
    assert (
        db.session.scalar(select(InspectionEvent).where(InspectionEvent.kind == "monitoring_visit"))
        is None
    )


def test_other_bad_dates_and_links_have_clear_messages(seeded, client):
    sign_in(client, ADMIN)
    plan_id = _plan().id
    cases = [
        ({"ended_on": ["1", "2", "2016"]}, "The last day on site must be on or after the first"),
        ({"started_on": ["31", "2", "2016"]}, "First day on site must be a real date"),
        ({"report_url": "javascript:alert(1)"}, "full web address starting with https://"),
        (
            {"kind": "annual_engagement", "priority_actions": "y"},
            "Priority actions are not set at this kind of event (Annual engagement meeting)",
        ),
        ({"kind": "inspection_of_the_moon"}, "Select one of the kinds"),
        (
            {"started_on": ["", "", ""], "ended_on": ["", "", ""], "received_on": ["", "", ""]},
            "Enter at least one date",
        ),
    ]
    for fields, message in cases:
        page = _text(_visit(client, plan_id, **fields))
        assert "There is a problem" in page and message in page, message


def test_a_judgement_not_in_the_frameworks_list_is_refused(seeded, client):
    sign_in(client, ADMIN)
    event = db.session.scalar(select(InspectionEvent))
    url = f"/inspections/{event.id}/judgements"
    page = _text(form_post(client, url, {"area_overall": "excellent", "area_leadership": "good"}))
    assert "There is a problem" in page
    assert (
        "'excellent' is not a judgement in the SIF: for overall effectiveness choose "
        "Outstanding, Good, Requires improvement to be good or Inadequate"
    ) in page
    assert db.session.get(InspectionEvent, event.id).judgements == []
    response = form_post(client, url, {"area_overall": "requires_improvement"})
    assert response.status_code == 302
    page = _text(client.get(f"/inspections/{event.id}"))
    assert "Requires improvement to be good" in page


def test_an_inadequate_judgement_sets_deadlines_met_or_missed_by_the_submission_date(
    seeded, client, as_at
):
    as_at(date(2016, 4, 1))
    sign_in(client, ADMIN)
    plan = _plan()
    form_post(
        client,
        f"/plans/{plan.id}/inspections/new",
        {
            "kind": "ilacs_standard",
            "started_on": ["1", "2", "2016"],
            "received_on": ["10", "3", "2016"],
        },
    )
    event = db.session.scalar(
        select(InspectionEvent).where(InspectionEvent.kind == "ilacs_standard")
    )
    assert "Draft plan to Ofsted" not in _text(client.get(f"/inspections/{event.id}"))
    form_post(client, f"/inspections/{event.id}/judgements", {"area_overall": "inadequate"})
    page = _text(client.get(f"/inspections/{event.id}"))
    # Received Thu 10 March 2016: the draft is due Mon 11 April 2016 (20 working days across
    # Easter, counted in tests/test_working_days.py); on 1 April that is 6 working days away.
    assert "11 April 2016" in page
    assert "overall effectiveness was judged inadequate" in page
    assert "Due in 6 working days: not yet sent to Ofsted" in page

    response = form_post(
        client,
        f"/plans/{plan.id}/submission",
        {
            "draft_sent_on": ["12", "4", "2016"],
            "approved_by": "Cabinet",
            "approved_on": ["", "", ""],
            "submitted_on": ["", "", ""],
        },
    )
    assert "Enter the date the plan was approved" in _text(response)
    response = form_post(
        client,
        f"/plans/{plan.id}/submission",
        {
            "draft_sent_on": ["12", "4", "2016"],
            "approved_by": "Cabinet",
            "approved_on": ["11", "4", "2016"],
        },
    )
    assert response.status_code == 302
    page = _text(client.get(f"/inspections/{event.id}"))
    assert "Missed: sent on 12 April 2016, 1 working day late" in page

    page = _text(
        form_post(
            client,
            f"/plans/{plan.id}/submission",
            {"draft_sent_on": ["8", "4", "2016"], "submitted_on": ["1", "4", "2016"]},
        )
    )
    assert "The final plan cannot have been sent before the draft (8 April 2016)" in page


def test_changing_a_visit_keeps_its_dates_and_removing_a_finding_takes_it_off_r3(seeded, client):
    sign_in(client, ADMIN)
    plan, r3 = _plan(), _rec("R3")
    _visit(client, plan.id)
    event = db.session.scalar(
        select(InspectionEvent).where(InspectionEvent.kind == "monitoring_visit")
    )
    _finding(client, event.id, "Progress on chronologies is too slow.", r3)
    form = _text(client.get(f"/inspections/{event.id}/edit"))
    assert 'id="received_on-month" name="received_on" type="text" value="03"' in form
    url = f"/inspections/{event.id}/edit"
    changed = {
        "kind": "monitoring_visit",
        "started_on": ["9", "2", "2016"],
        "ended_on": ["10", "2", "2016"],
        "received_on": ["4", "3", "2016"],
        "priority_actions": "y",
    }
    assert form_post(client, url, changed).status_code == 302
    db.session.expire_all()
    event = db.session.get(InspectionEvent, event.id)
    assert event.received_on == date(2016, 3, 4) and event.priority_actions
    page = _text(client.get(f"/inspections/{event.id}"))
    assert "the letter sets priority actions" in page  # so deadlines now apply

    finding_id = event.findings[0].id
    token_page = f"/inspections/{event.id}"
    response = client.post(
        f"/findings/{finding_id}/remove",
        data={"csrf_token": csrf_token(client, token_page)},
    )
    assert response.status_code == 302
    assert "Progress on chronologies is too slow." not in _text(
        client.get(f"/recommendations/{r3.id}")
    )


def test_a_kind_with_judgements_cannot_become_a_kind_without_them(seeded, client):
    sign_in(client, ADMIN)
    event = db.session.scalar(select(InspectionEvent))
    form_post(client, f"/inspections/{event.id}/judgements", {"area_overall": "good"})
    page = _text(
        form_post(
            client,
            f"/inspections/{event.id}/edit",
            {"kind": "monitoring_visit", "published_on": ["18", "9", "2015"]},
        )
    )
    assert "This event has judgements under another framework" in page


def test_an_archived_plan_takes_no_new_inspections(seeded, client):
    plan = _plan()
    plan.status = "archived"
    db.session.commit()
    sign_in(client, ADMIN)
    response = _visit(client, plan.id)
    assert response.status_code == 409
    assert "This plan is archived" in _text(response)
    assert (
        db.session.scalar(select(InspectionEvent).where(InspectionEvent.kind == "monitoring_visit"))
        is None
    )


def _timeline(page: str) -> str:
    return page[page.index('<ol class="govuk-list app-timeline"') :].split("</ol>")[0]


def test_the_summary_shows_the_plans_approval_and_submission_as_the_plan_page_does(
    seeded, client, as_at
):
    """The summary page reads the submission with the plan as plain rows
    (tracker/committee/plan_rows.py); the plan page reads it as an object: the same timeline and
    deadlines."""
    as_at(date(2016, 3, 14))
    plan = _plan()
    submission = db.session.scalar(select(PlanSubmission).where(PlanSubmission.plan_id == plan.id))
    meeting = db.session.scalar(
        select(CommitteeMeeting).where(CommitteeMeeting.meeting_on == date(2015, 11, 16))
    )
    submission.draft_sent_on = date(2015, 10, 9)
    submission.approved_on = date(2015, 11, 16)
    submission.approved_by = "the scrutiny committee"
    submission.approved_meeting_id = meeting.id
    submission.submitted_on = date(2015, 12, 1)
    db.session.commit()
    sign_in(client, COMMITTEE)
    page = _text(client.get(f"/plans/{plan.id}"))
    summary = _text(client.get(f"/plans/{plan.id}/summary"))
    assert f"By the scrutiny committee at {meeting.title}" in summary
    assert "Draft plan sent to Ofsted" in summary and "Final plan sent to Ofsted" in summary
    assert "Met: sent on 9 October 2015" in summary and "Met: sent on 1 December 2015" in summary
    assert _timeline(summary) == _timeline(page)
