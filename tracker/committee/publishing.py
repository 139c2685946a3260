"""Publishing what a committee is sent, and freezing the plan as submitted to Ofsted.

A published paper keeps the PDF (and the Word file, once there is one) byte for byte, with the
data they were made from; nothing here or anywhere else changes or deletes one
(tracker/models/papers.py refuses it). Publishing again for the same meeting adds a new version:
readers are shown the newest as what the committee was sent, and each earlier one says which
version replaced it. Printing is done before the unit of work that stores the result, so no
database write waits on WeasyPrint.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from tracker import audit
from tracker.clock import today
from tracker.committee.filters import SummaryFilters, since_label
from tracker.committee.paper import render_paper
from tracker.committee.plan_rows import SummaryPlan
from tracker.committee.summary import PlanSummary, build_summary
from tracker.extensions import db
from tracker.models import (
    CommitteeMeeting,
    PaperKind,
    Plan,
    PlanStatus,
    PublishedPaper,
    User,
)
from tracker.plans.queries import load_plan


class PublishRuleError(ValueError):
    """Publishing refused, with the reason in words for the person trying."""


def default_since(plan: Plan | SummaryPlan, before: date) -> date | None:
    """The meeting "changes since" starts from when nobody chooses: the last meeting before
    `before` that the plan's paper was published for; with none published, the plan's latest
    meeting before `before`; with no past meeting, None. A SummaryPlan
    (tracker/committee/plan_rows.py) was read knowing which meetings have a paper."""
    if isinstance(plan, SummaryPlan):
        papers = (m.meeting_on for m in plan.meetings if m.paper_published)
        published = max((day for day in papers if day < before), default=None)
    else:
        published = db.session.scalar(
            select(func.max(CommitteeMeeting.meeting_on))
            .join(PublishedPaper, PublishedPaper.meeting_id == CommitteeMeeting.id)
            .where(
                CommitteeMeeting.plan_id == plan.id,
                CommitteeMeeting.meeting_on < before,
                PublishedPaper.kind == PaperKind.COMMITTEE_PAPER,
            )
        )
    if published is not None:
        return published
    return max((m.meeting_on for m in plan.meetings if m.meeting_on < before), default=None)


# --- What a paper was made from ---------------------------------------------------------------


def _plain(value):
    """Dates and times as ISO text, so the data can be stored as JSON."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _rag(rag) -> dict:
    if rag is None:
        return {"rating": None, "reason": None}
    return {"rating": rag.label, "reason": rag.reason}


def _action_data(action, rag) -> dict:
    return {
        "reference": action.reference,
        "description": action.description,
        "owner": action.owner.name if action.owner else None,
        "status": action.status_label,
        "original_due_date": _plain(action.original_due_date),
        "current_due_date": _plain(action.current_due_date),
        "completed_on": _plain(action.completed_on),
        "verified_on": _plain(action.verified_on),
        "withdrawn_reason": action.withdrawn_reason,
        **_rag(rag),
    }


def _recommendation_data(row) -> dict:
    return {
        "reference": row.rec.reference,
        "title": row.rec.title,
        "theme": row.rec.theme.name if row.rec.theme else None,
        **_rag(row.rag),
        "rating_at_since": _rag(row.rag_then),
        "actions_done": row.done,
        "actions_total": len(row.actions),
        "overdue": row.overdue,
        "next_due": _plain(row.next_due),
        "latest_note": row.latest_note.text if row.latest_note else None,
        "impact": row.impact.text if row.impact else None,
        "embedding": (
            {"state": row.embedding.label, "text": row.embedding.text} if row.embedding else None
        ),
        "indicators": [s.indicator.code for s in row.indicators],
        "actions": [
            _action_data(action, rag)
            for action, rag in zip(row.actions, row.action_rags, strict=True)
        ],
    }


def _figure(value) -> dict | None:
    if value is None:
        return None
    return {
        "period": _plain(value.period),
        "basis": value.basis,
        "value": value.value,
        "provisional": value.provisional,
        "data_quality_note": value.data_quality_note,
    }


def _indicator_data(summary: PlanSummary, s) -> dict:
    rating = s.rating
    return {
        "code": s.indicator.code,
        "name": s.indicator.name,
        "judged_on": s.indicator.basis,
        "latest": _figure(s.latest),
        "month": None if s.judged_on_month else _figure(s.latest_month),
        **_rag(rating.rag if rating else None),
        "trend": rating.trend if rating else None,
        "recommendations": summary.recommendations_using(s.indicator.code),
    }


def paper_data(summary: PlanSummary, filters: SummaryFilters) -> dict:
    """The summary a paper was made from, as JSON: what the committee read, in data."""
    return {
        "plan": {"id": summary.plan.id, "title": summary.plan.title},
        "as_at": summary.day.isoformat(),
        "filters": filter_data(filters),
        "filters_described": filters.describe(summary.themes),
        "overall": _rag(summary.rating),
        "headline": dict(summary.headline),
        "recommendations": [_recommendation_data(row) for row in summary.rows],
        "indicators": [_indicator_data(summary, s) for s in summary.indicators],
        "changes": {
            kind: [
                {"when": _plain(c.when), "reference": c.reference, "text": c.text} for c in changes
            ]
            for kind, changes in summary.changes.items()
        },
    }


def filter_data(filters: SummaryFilters) -> dict:
    return {
        "since": _plain(filters.since),
        "since_label": filters.since_label,
        "theme_id": filters.theme_id,
        "rating": filters.colour,
    }


# --- Making and storing -----------------------------------------------------------------------


def _render_docx(summary: PlanSummary, filters: SummaryFilters) -> bytes | None:
    """The paper as a Word file (python-docx), stored beside the PDF."""
    from tracker.committee.word import paper_docx

    return paper_docx(summary, filters)


@dataclass
class MadePaper:
    """A paper printed and ready to store (made outside the unit of work that stores it)."""

    plan: Plan
    as_at: date
    filters: dict
    data: dict
    pdf: bytes
    docx: bytes | None


def make_paper(
    plan_id: int, since: date | None, base_url: str, person_id: int, prepared_for: str
) -> MadePaper:
    """The whole plan's paper as at today, with changes since `since`, its title page saying
    who it was `prepared_for`. Raises PaperBusy."""
    plan = load_plan(plan_id)
    assert plan is not None  # callers have the plan's meeting or submission in hand
    filters = SummaryFilters(
        theme_id=None,
        colour=None,
        since=since,
        since_label=since_label(plan, since),
        prepared_for=prepared_for,
    )
    summary = build_summary(plan, today(), since=since)
    return MadePaper(
        plan=plan,
        as_at=summary.day,
        filters=filter_data(filters),
        data=paper_data(summary, filters),
        pdf=render_paper(summary, filters, base_url, person_id),
        docx=_render_docx(summary, filters),
    )


def check_may_publish(meeting: CommitteeMeeting, day: date) -> None:
    """A paper goes to a meeting before or on its day: one made afterwards is not what the
    committee was sent. An archived plan changes nothing until it is restored."""
    if meeting.plan.status == PlanStatus.ARCHIVED:
        raise PublishRuleError(
            "This plan is archived: an admin restores it from the plan's management page "
            "before a paper can be published"
        )
    if meeting.meeting_on < day:
        raise PublishRuleError(
            f"The meeting on {meeting.meeting_on.day} {meeting.meeting_on:%B %Y} has taken place: "
            "a paper published now would not be what the committee was sent"
        )


def paper_for_meeting(meeting: CommitteeMeeting, base_url: str, person_id: int) -> MadePaper:
    """The paper for this meeting: changes since the meeting before it that a paper was
    published for (else the meeting before it)."""
    check_may_publish(meeting, today())
    since = default_since(meeting.plan, meeting.meeting_on)
    day = meeting.meeting_on
    prepared_for = f"{meeting.title}, {day.day} {day:%B %Y}"
    return make_paper(meeting.plan_id, since, base_url, person_id, prepared_for)


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def store_paper(
    made: MadePaper, kind: PaperKind, meeting: CommitteeMeeting | None, actor: User | None
) -> PublishedPaper:
    """Add the paper to the current unit of work, with its audit event."""
    version = 1
    if meeting is not None:
        latest = db.session.scalar(
            select(func.max(PublishedPaper.version)).where(PublishedPaper.meeting_id == meeting.id)
        )
        version = (latest or 0) + 1
    paper = PublishedPaper(
        plan_id=made.plan.id,
        meeting_id=meeting.id if meeting else None,
        kind=kind.value,
        version=version,
        published_by_id=actor.id if actor else None,
        as_at=made.as_at,
        filters=made.filters,
        data=made.data,
        pdf=made.pdf,
        pdf_sha256=_sha256(made.pdf),
        docx=made.docx,
        docx_sha256=_sha256(made.docx),
    )
    db.session.add(paper)
    audit.record(
        "plan.paper_published",
        obj=made.plan,
        actor=actor,
        after={
            "kind": kind.value,
            "meeting": meeting.meeting_on.isoformat() if meeting else None,
            "version": version,
            "since": made.filters["since"],
            "sha256": paper.pdf_sha256,
            "word_sha256": paper.docx_sha256,
        },
    )
    return paper


def freeze_submitted_plan(plan: Plan, base_url: str, actor: User) -> PublishedPaper | None:
    """Once a plan is recorded as sent to Ofsted, keep that version as a published paper (the
    whole plan, no changes section), the first time only: a later correction of the date does
    not replace what was frozen. Commits its own unit of work; raises PaperBusy when the paper
    cannot be printed now (the plan page then offers to freeze it)."""
    from tracker.inspections.queries import submission_of
    from tracker.uow import unit_of_work

    submission = submission_of(plan.id)
    if submission is None or not submission.submitted or submitted_copy(plan.id) is not None:
        return None
    made = make_paper(plan.id, None, base_url, actor.id, "Ofsted: the plan as submitted")
    with unit_of_work():
        return store_paper(made, PaperKind.SUBMITTED_PLAN, None, actor)


# --- Reading ----------------------------------------------------------------------------------


def papers_of_meeting(meeting_id: int) -> list[PublishedPaper]:
    """Newest version first; the files themselves are not loaded."""
    query = (
        select(PublishedPaper)
        .where(PublishedPaper.meeting_id == meeting_id)
        .order_by(PublishedPaper.version.desc())
    )
    return list(db.session.scalars(query.options(_with_publisher())))


def latest_papers_of_plan(plan_id: int) -> dict[int, PublishedPaper]:
    """Each meeting's newest committee paper, by meeting id: one query."""
    newest = (
        select(PublishedPaper.meeting_id, func.max(PublishedPaper.version).label("version"))
        .where(PublishedPaper.plan_id == plan_id, PublishedPaper.meeting_id.is_not(None))
        .group_by(PublishedPaper.meeting_id)
        .subquery()
    )
    query = select(PublishedPaper).join(
        newest,
        (newest.c.meeting_id == PublishedPaper.meeting_id)
        & (newest.c.version == PublishedPaper.version),
    )
    papers = db.session.scalars(query.options(_with_publisher()))
    return {p.meeting_id: p for p in papers if p.meeting_id is not None}


def submitted_copy(plan_id: int) -> PublishedPaper | None:
    """The plan as frozen when it was first recorded as submitted to Ofsted."""
    from tracker.inspections.queries import papers_of_plan
    from tracker.inspections.queries import submitted_copy as first_submitted

    return first_submitted(papers_of_plan(plan_id))


def _with_publisher():
    from sqlalchemy.orm import joinedload

    return joinedload(PublishedPaper.published_by)


def file_name(paper: PublishedPaper, extension: str) -> str:
    """A name a clerk recognises in their downloads folder."""
    if paper.kind == PaperKind.SUBMITTED_PLAN:
        return f"plan-{paper.plan_id}-as-submitted-{paper.as_at.isoformat()}.{extension}"
    assert paper.meeting is not None  # a committee paper is always for a meeting
    meeting_on = paper.meeting.meeting_on.isoformat()
    return f"plan-{paper.plan_id}-committee-paper-{meeting_on}-v{paper.version}.{extension}"
