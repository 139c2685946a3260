"""Admins create a plan (check answers first), edit it, archive and restore it."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as make
from tests.conftest import csrf_token, sign_in
from tracker.extensions import db
from tracker.models import AuditEvent, CommitteeMeeting, Plan, Role, User

ADMIN = "laura.pickering@example.org"
LEAD = "catherine.holloway@example.org"
HEAD = "mark.ellison@example.org"
COMMITTEE = "margaret.fenwick@example.org"
PERFORMANCE = "rachel.booth@example.org"


@pytest.fixture
def one_plan(app):
    """One Ofsted plan with two committee meetings, and a person in each role: all these tests
    need."""
    make.person(Role.ADMIN, email=ADMIN)
    make.person(Role.HEAD_OF_SERVICE, email=LEAD)
    head = make.person(Role.HEAD_OF_SERVICE, email=HEAD, name="Mark Ellison")
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    make.person(Role.PERFORMANCE_OFFICER, email=PERFORMANCE)
    plan = make.plan(lead=head, title="Ofsted ILACS 2015: improvement plan")
    make.meeting(plan, date(2015, 11, 16))
    make.meeting(plan, date(2016, 3, 14))
    db.session.commit()
    return plan


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _plan_form(**changes) -> dict:
    lead = _user(HEAD)
    data = {
        "title": "Joint targeted area inspection 2026: improvement plan",
        "inspectorate": "Ofsted, CQC, HMICFRS and HMIP",
        "inspection_type": "Joint targeted area inspection (JTAI)",
        "published_on": ["3", "2", "2026"],
        "lead_id": str(lead.id),
        "meeting_dates": "14/4/2026\n9 June 2026",
    }
    data.update(changes)
    return data


def _plans() -> int:
    return db.session.scalar(select(func.count(Plan.id)))


def test_an_admin_creates_a_plan_after_checking_the_answers(one_plan, client):
    sign_in(client, ADMIN)
    before = _plans()
    token = csrf_token(client, "/admin/plans/new")
    response = client.post("/admin/plans/new", data={**_plan_form(), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/plans/new/check"
    assert _plans() == before  # nothing is created until the answers are confirmed

    check = client.get("/admin/plans/new/check").get_data(as_text=True)
    assert "Check the plan details before creating it" in check
    assert "Joint targeted area inspection 2026: improvement plan" in check
    assert "3 February 2026" in check and "14 April 2026, 9 June 2026" in check
    assert "Mark Ellison" in check

    # "Change" goes back to the form with what was typed.
    form_again = client.get("/admin/plans/new").get_data(as_text=True)
    assert 'value="Joint targeted area inspection (JTAI)"' in form_again

    confirmed = client.post("/admin/plans/new/check", data={"csrf_token": token})
    assert confirmed.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.title.like("Joint targeted%")))
    assert confirmed.headers["Location"] == f"/admin/plans/{plan.id}/created"
    assert plan.inspectorate == "Ofsted, CQC, HMICFRS and HMIP"
    assert plan.lead_id == _user(HEAD).id and plan.status == "active"
    assert plan.published_on.isoformat() == "2026-02-03"
    meetings = db.session.scalars(
        select(CommitteeMeeting.meeting_on).where(CommitteeMeeting.plan_id == plan.id)
    )
    assert [m.isoformat() for m in meetings] == ["2026-04-14", "2026-06-09"]

    created = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Plan created" in created and "govuk-panel" in created
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "plan.created"))
    assert event.object_id == plan.id and event.after["title"] == plan.title
    assert event.actor_id == _user(ADMIN).id


def test_bad_plan_details_show_an_error_summary_and_keep_what_was_typed(one_plan, client):
    sign_in(client, ADMIN)
    token = csrf_token(client, "/admin/plans/new")
    data = _plan_form(title="", published_on=["31", "2", "2026"], meeting_dates="14/4/2026\nsoon")
    page = client.post("/admin/plans/new", data={**data, "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Error: Create a plan" in html
    assert "There is a problem" in html
    assert "Enter the plan title" in html
    assert "Date the report was published must be a real date" in html
    assert "Committee meeting date on line 2" in html
    assert 'value="Joint targeted area inspection (JTAI)"' in html  # kept
    assert "14/4/2026\nsoon" in html


def test_a_plan_title_must_be_unique(one_plan, client):
    sign_in(client, ADMIN)
    existing = db.session.scalar(select(Plan.title))
    token = csrf_token(client, "/admin/plans/new")
    page = client.post("/admin/plans/new", data={**_plan_form(title=existing), "csrf_token": token})
    assert "A plan with this title already exists" in page.get_data(as_text=True)


def test_an_admin_edits_a_plan_and_the_change_is_audited(one_plan, client):
    sign_in(client, ADMIN)
    plan = db.session.scalar(select(Plan))
    url = f"/admin/plans/{plan.id}/edit"
    token = csrf_token(client, url)
    data = _plan_form(title=plan.title, inspectorate="Ofsted (ILACS)", meeting_dates="14/3/2016")
    response = client.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.inspectorate == "Ofsted (ILACS)"
    assert [m.meeting_on.isoformat() for m in plan.meetings] == ["2016-03-14"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "plan.updated"))
    assert (
        event.before["inspectorate"] == "Ofsted" and event.after["inspectorate"] == "Ofsted (ILACS)"
    )
    assert event.before["meeting_dates"] == ["2015-11-16", "2016-03-14"]


def test_archiving_keeps_the_plan_readable_and_stops_structure_changes(one_plan, client):
    sign_in(client, ADMIN)
    plan = db.session.scalar(select(Plan))
    token = csrf_token(client, f"/admin/plans/{plan.id}/archive")
    assert "Are you sure" in client.get(f"/admin/plans/{plan.id}/archive").get_data(as_text=True)
    client.post(f"/admin/plans/{plan.id}/archive", data={"csrf_token": token})
    db.session.refresh(plan)
    assert plan.status == "archived"
    assert client.get(f"/plans/{plan.id}").status_code == 200  # still readable

    refused = client.get(f"/admin/plans/{plan.id}/recommendations/new")
    assert refused.status_code == 409
    assert "This plan is archived" in refused.get_data(as_text=True)

    client.post(f"/admin/plans/{plan.id}/restore", data={"csrf_token": token})
    db.session.refresh(plan)
    assert plan.status == "active"
    events = list(
        db.session.scalars(
            select(AuditEvent.event).where(AuditEvent.object_type == "Plan").order_by(AuditEvent.id)
        )
    )
    assert events[-2:] == ["plan.archived", "plan.restored"]


def test_only_admins_create_edit_or_archive_plans(one_plan, client):
    plan = db.session.scalar(select(Plan))
    for email in (LEAD, HEAD, COMMITTEE, PERFORMANCE):
        sign_in(client, email)
        token = csrf_token(client, "/plans")
        for url in ["/admin/plans/new", f"/admin/plans/{plan.id}/edit", "/admin/"]:
            assert client.get(url).status_code == 403, (email, url)
        before = _plans()
        response = client.post("/admin/plans/new", data={**_plan_form(), "csrf_token": token})
        assert response.status_code == 403
        archive = client.post(f"/admin/plans/{plan.id}/archive", data={"csrf_token": token})
        assert archive.status_code == 403
        db.session.refresh(plan)
        assert plan.status == "active" and _plans() == before
        client.post("/sign-out", data={"csrf_token": token})


def test_the_admin_nav_item_is_shown_to_admins_only(one_plan, client):
    sign_in(client, ADMIN)
    assert 'href="/admin/"' in client.get("/plans").get_data(as_text=True)
    token = csrf_token(client, "/plans")
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, LEAD)
    assert 'href="/admin/"' not in client.get("/plans").get_data(as_text=True)
