"""Meetings and published papers (issue 14 item 1): what the committee was sent is kept byte for
byte and stays downloadable; "changes since" starts from the last meeting a paper was published
for; the plan as submitted to Ofsted is frozen the same way (issue 19 item 2).

Printing a paper costs seconds: only the tests that must print do (three prints in all)."""

import hashlib
import html
import io
import re
from datetime import date
from zoneinfo import ZoneInfo

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CommitteeMeeting,
    PaperKind,
    Plan,
    PublishedPaper,
    PublishedPaperIsFinal,
)

ADMIN = "laura.pickering@example.org"
PLAN_LEAD = "catherine.holloway@example.org"
HEAD_NOT_LEAD = "gareth.pryce@example.org"
COMMITTEE = "margaret.fenwick@example.org"
NOVEMBER = date(2015, 11, 16)
MARCH = date(2016, 3, 14)
LONDON = ZoneInfo("Europe/London")
OLD_R12 = "Identify funding to build a data warehouse"
NEW_R12 = "Replacement reporting tool chosen after the warehouse was cancelled"


def _plan() -> Plan:
    return db.session.scalar(select(Plan))


def _meeting(day: date) -> CommitteeMeeting:
    return db.session.scalar(select(CommitteeMeeting).where(CommitteeMeeting.meeting_on == day))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _publish(client, meeting: CommitteeMeeting):
    token = csrf_token(client, f"/meetings/{meeting.id}")
    return client.post(f"/meetings/{meeting.id}/publish", data={"csrf_token": token})


def _stored_paper(meeting: CommitteeMeeting | None = None, **fields) -> PublishedPaper:
    """A published paper written straight to the database (no print): for the tests about
    who may read, and about what the default "changes since" is."""
    plan = _plan()
    paper = PublishedPaper(
        plan_id=plan.id,
        meeting_id=meeting.id if meeting else None,
        kind=fields.get("kind", PaperKind.COMMITTEE_PAPER.value),
        version=fields.get("version", 1),
        as_at=meeting.meeting_on if meeting else MARCH,
        filters={"since": None, "since_label": None, "theme_id": None, "rating": None},
        data={"plan": {"title": plan.title}},
        pdf=b"%PDF-1.7 stored",
        pdf_sha256=hashlib.sha256(b"%PDF-1.7 stored").hexdigest(),
    )
    db.session.add(paper)
    db.session.commit()
    return paper


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_published_paper_stays_byte_identical_after_the_plan_changes(seeded, client, as_at):
    as_at(MARCH)
    march = _meeting(MARCH)
    sign_in(client, PLAN_LEAD)
    assert "Publish the paper for this meeting" in _text(client.get(f"/meetings/{march.id}"))
    assert _publish(client, march).status_code == 302

    paper = db.session.scalar(select(PublishedPaper))
    assert (paper.kind, paper.version, paper.meeting_id) == ("committee_paper", 1, march.id)
    assert paper.filters["since"] == NOVEMBER.isoformat()  # the meeting before, none published
    assert paper.pdf_sha256 == hashlib.sha256(paper.pdf).hexdigest()
    assert paper.docx_sha256 == hashlib.sha256(paper.docx).hexdigest()
    assert OLD_R12 in _docx_text(paper.docx)
    r1 = next(r for r in paper.data["recommendations"] if r["reference"] == "R1")
    assert any(a["description"].startswith(OLD_R12) for a in r1["actions"])
    assert r1["rating"] and r1["reason"]
    assert {i["code"] for i in paper.data["indicators"]} >= {"CSC-05", "CSC-10", "CSC-14"}
    first_pdf = client.get(f"/papers/{paper.id}.pdf")
    assert first_pdf.mimetype == "application/pdf"
    assert first_pdf.headers["Content-Disposition"] == (
        f'attachment; filename="plan-{paper.plan_id}-committee-paper-2016-03-14-v1.pdf"'
    )
    assert first_pdf.data == paper.pdf
    text = _pdf_text(first_pdf.data)
    assert "Changes since the meeting of 16 November 2015" in text
    prepared = "Prepared for: Creating Opportunities and Tackling Inequalities Scrutiny Committee, "
    assert prepared + "14 March 2016" in re.sub(r"\s+", " ", text)
    assert prepared + "14 March 2016." in _docx_text(paper.docx)
    assert OLD_R12 in text

    action = action_by_ref("R1.2")
    action.description = NEW_R12
    db.session.commit()
    with pytest.raises(PublishedPaperIsFinal):  # no code path may rewrite what was sent
        paper.data = {}
        db.session.flush()
    db.session.rollback()

    reader = client.application.test_client()
    sign_in(reader, COMMITTEE)
    meeting_page = _text(reader.get(f"/meetings/{march.id}"))
    assert "Version 1: the paper for this meeting" in meeting_page
    assert "Publish the paper" not in meeting_page
    again = reader.get(f"/papers/{paper.id}.pdf")
    assert again.data == first_pdf.data  # byte for byte
    assert OLD_R12 in _pdf_text(again.data) and NEW_R12 not in _pdf_text(again.data)
    word = reader.get(f"/papers/{paper.id}.docx")
    assert word.data == paper.docx and word.headers["Content-Disposition"].endswith('-v1.docx"')
    assert OLD_R12 in _docx_text(word.data) and NEW_R12 not in _docx_text(word.data)

    # Published again for the same meeting: a new version, the first kept and marked replaced.
    admin = client.application.test_client()
    sign_in(admin, ADMIN)
    assert _publish(admin, march).status_code == 302
    second = db.session.scalar(select(PublishedPaper).where(PublishedPaper.version == 2))
    assert NEW_R12 in _pdf_text(reader.get(f"/papers/{second.id}.pdf").data)
    assert reader.get(f"/papers/{paper.id}.pdf").data == first_pdf.data
    page = re.sub(r"\s+", " ", _text(reader.get(f"/meetings/{march.id}")))
    assert "Version 2: the paper for this meeting" in page
    assert "Version 1: replaced by version 2" in page
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event == "plan.paper_published")
    ).all()
    assert [e.after["version"] for e in events] == [1, 2]
    assert events[0].after["sha256"] == paper.pdf_sha256


def test_a_committee_member_reads_published_papers_but_cannot_publish(seeded, client, as_at):
    as_at(MARCH)
    march = _meeting(MARCH)
    paper = _stored_paper(march)

    assert client.get(f"/meetings/{march.id}").status_code == 302  # anonymous: sign in first
    refused = client.get(f"/papers/{paper.id}.pdf")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]

    sign_in(client, COMMITTEE)
    summary = _text(client.get(f"/plans/{_plan().id}/summary"))
    assert f'href="/plans/{_plan().id}/meetings"' in summary
    listing = _text(client.get(f"/plans/{_plan().id}/meetings"))
    assert f'href="/meetings/{march.id}"' in listing and "16 November 2015" in listing
    page = _text(client.get(f"/meetings/{march.id}"))
    assert "Committee paper (PDF)" in page and "Committee paper (Word)" not in page
    assert "Publish the paper for this meeting" not in page
    assert client.get(f"/papers/{paper.id}.pdf").data == b"%PDF-1.7 stored"
    assert client.get(f"/papers/{paper.id}.docx").status_code == 404  # no Word file stored
    token = csrf_token(client, f"/meetings/{march.id}")
    response = client.post(f"/meetings/{march.id}/publish", data={"csrf_token": token})
    assert response.status_code == 403

    other = client.application.test_client()
    sign_in(other, HEAD_NOT_LEAD)  # staff, but neither an admin nor the plan's lead
    assert "Publish the paper" not in _text(other.get(f"/meetings/{march.id}"))
    token = csrf_token(other, f"/meetings/{march.id}")
    assert other.post(f"/meetings/{march.id}/publish", data={"csrf_token": token}).status_code == (
        403
    )
    assert db.session.scalar(select(db.func.count()).select_from(PublishedPaper)) == 1


def test_changes_since_defaults_to_the_last_meeting_a_paper_was_published_for(
    seeded, client, as_at
):
    as_at(MARCH)
    sign_in(client, COMMITTEE)
    plan_id = _plan().id
    page = _text(client.get(f"/plans/{plan_id}/summary"))
    # No paper published yet: the latest past meeting, November 2015 (14 March is today).
    assert "Changes since the meeting of 16 November 2015" in page
    assert re.search(r'<option value="2015-11-16" selected', page)
    assert f"/plans/{plan_id}/paper.pdf?since=2015-11-16" in page  # the paper follows
    assert f"/plans/{plan_id}/summary.xlsx?since=2015-11-16" in page

    hidden = _text(client.get(f"/plans/{plan_id}/summary?since=none"))
    assert "Changes since" not in hidden
    assert re.search(r'<option value="none" selected', hidden)
    assert f"/plans/{plan_id}/paper.pdf?since=none" in hidden

    # Later, with a paper published only for November: November still, not the latest meeting.
    _stored_paper(_meeting(NOVEMBER))
    as_at(date(2016, 3, 21))
    later = client.application.test_client()  # a week on: a new sign-in
    sign_in(later, COMMITTEE)
    page = _text(later.get(f"/plans/{plan_id}/summary"))
    assert "Changes since the meeting of 16 November 2015" in page
    _stored_paper(_meeting(MARCH))
    page = _text(later.get(f"/plans/{plan_id}/summary"))
    assert "Changes since the meeting of 14 March 2016" in page


def test_a_paper_cannot_be_published_for_a_meeting_that_has_taken_place(seeded, client, as_at):
    as_at(MARCH)
    sign_in(client, ADMIN)
    november = _meeting(NOVEMBER)
    assert "has taken place" in _text(client.get(f"/meetings/{november.id}"))
    response = _publish(client, november)
    assert response.status_code == 302
    assert "has taken place" in _text(client.get(response.headers["Location"]))
    assert db.session.scalar(select(db.func.count()).select_from(PublishedPaper)) == 0


def test_a_meeting_with_a_published_paper_stays_on_the_plan(seeded, client):
    _stored_paper(_meeting(MARCH))
    plan = _plan()
    sign_in(client, ADMIN)
    response = form_post(
        client,
        f"/admin/plans/{plan.id}/edit",
        {
            "title": plan.title,
            "inspectorate": plan.inspectorate,
            "inspection_type": plan.inspection_type,
            "published_on": [
                str(d)
                for d in (plan.published_on.day, plan.published_on.month, plan.published_on.year)
            ],
            "lead_id": str(plan.lead_id),
            "meeting_dates": "16/11/2015",
        },
    )
    assert "A paper has been published for the meeting on 14 March 2016" in _text(response)
    assert _meeting(MARCH) is not None


def test_recording_the_submission_freezes_the_plan_as_submitted(seeded, client, as_at):
    as_at(date(2016, 4, 1))
    plan = _plan()
    sign_in(client, ADMIN)
    response = form_post(
        client, f"/plans/{plan.id}/submission", {"submitted_on": ["31", "3", "2016"]}
    )
    assert response.status_code == 302
    frozen = db.session.scalar(select(PublishedPaper))
    assert frozen.kind == "submitted_plan" and frozen.meeting_id is None
    assert frozen.filters["since"] is None
    page = _text(client.get(f"/plans/{plan.id}"))
    assert "The plan as submitted" in page
    assert f'href="/papers/{frozen.id}.pdf"' in page
    download = client.get(f"/papers/{frozen.id}.pdf")
    assert download.data == frozen.pdf
    assert download.headers["Content-Disposition"].endswith(
        f'filename="plan-{plan.id}-as-submitted-2016-04-01.pdf"'
    )
    assert "R11: Care leavers" in _pdf_text(download.data)

    # Correcting the date later keeps what was frozen: no second copy.
    form_post(client, f"/plans/{plan.id}/submission", {"submitted_on": ["30", "3", "2016"]})
    assert db.session.scalar(select(db.func.count()).select_from(PublishedPaper)) == 1


def test_an_archived_plan_offers_no_publish_button(seeded, client, as_at):
    """The archived plan's meeting page says why nothing can be published instead of offering a
    button that ends on "This plan is archived"; what was published stays readable."""
    as_at(MARCH)
    march = _meeting(MARCH)
    paper = _stored_paper(march)
    plan = _plan()
    sign_in(client, ADMIN)
    form_post(client, f"/admin/plans/{plan.id}/archive", {"confirm": "y"})
    assert _plan().status == "archived"
    page = _text(client.get(f"/meetings/{march.id}"))
    assert "This plan is archived: an admin restores it" in page
    assert "Publish the paper for this meeting" not in page
    assert client.get(f"/papers/{paper.id}.pdf").data == b"%PDF-1.7 stored"
    token = csrf_token(client, f"/admin/plans/{plan.id}")
    assert client.post(f"/meetings/{march.id}/publish", data={"csrf_token": token}).status_code == (
        409
    )
    assert db.session.scalar(select(db.func.count()).select_from(PublishedPaper)) == 1


def test_the_meeting_that_approved_the_plan_stays_on_the_plan(seeded, client):
    """Removing the meeting the plan's approval is recorded at is refused in words (it was a
    server error on PostgreSQL, and a reference to a deleted meeting on SQLite)."""
    from tracker.models import PlanSubmission

    submission = db.session.scalar(select(PlanSubmission))
    submission.approved_meeting_id = _meeting(NOVEMBER).id
    db.session.commit()
    plan = _plan()
    sign_in(client, ADMIN)
    response = form_post(
        client,
        f"/admin/plans/{plan.id}/edit",
        {
            "title": plan.title,
            "inspectorate": plan.inspectorate,
            "inspection_type": plan.inspection_type,
            "published_on": ["18", "9", "2015"],
            "lead_id": str(plan.lead_id),
            "meeting_dates": "14/3/2016",
        },
    )
    assert response.status_code == 200
    assert "The plan's approval is recorded at the meeting on 16 November 2015" in _text(response)
    assert _meeting(NOVEMBER) is not None
    assert db.session.scalar(select(PlanSubmission)).approved_meeting_id == _meeting(NOVEMBER).id


def test_the_clerk_is_told_which_meeting_the_changes_will_start_from(seeded, client, as_at):
    as_at(MARCH)
    sign_in(client, PLAN_LEAD)
    page = _text(client.get(f"/meetings/{_meeting(MARCH).id}"))
    assert "as it stands today, with changes since the meeting of 16 November 2015 (" in page
    # A meeting with none before it: the paper will have no changes section.
    plan = _plan()
    first = CommitteeMeeting(plan_id=plan.id, meeting_on=date(2016, 3, 30), title="Cabinet")
    db.session.add(first)
    db.session.commit()
    page = _text(client.get(f"/meetings/{first.id}"))
    assert "with changes since the meeting of 14 March 2016 (" in page
    db.session.delete(_meeting(NOVEMBER))
    db.session.delete(_meeting(MARCH))
    db.session.commit()
    page = _text(client.get(f"/meetings/{first.id}"))
    assert "with no changes section (there is no earlier meeting)" in page


def _timeline(page: str) -> str:
    return page.split(">Timeline<")[1]


def test_the_summary_and_plan_timelines_list_every_published_paper(seeded, client, as_at):
    """The summary reads the papers with the plan, the plan page with its inspections: both
    timelines list each paper, its version, and the plan as submitted."""
    as_at(MARCH)
    sign_in(client, COMMITTEE)
    plan_id = _plan().id
    november = _stored_paper(_meeting(NOVEMBER))
    _stored_paper(_meeting(NOVEMBER), version=2)
    _stored_paper(kind=PaperKind.SUBMITTED_PLAN.value)
    published = f"{november.published_at.astimezone(LONDON):%-d %B %Y}"
    for url in (f"/plans/{plan_id}/summary", f"/plans/{plan_id}"):
        timeline = _timeline(_text(client.get(url)))
        assert timeline.count("Paper published for the meeting of 16 November 2015") == 2, url
        assert "Paper published for the meeting of 16 November 2015 (version 2)" in timeline
        assert "Plan as submitted kept" in timeline
        assert published in timeline
