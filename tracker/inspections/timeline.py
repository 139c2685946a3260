"""A plan's timeline: inspections and visits, deadlines, the plan's approval and submission, and
committee meetings, in date order. Plain data; the plan page and the summary render it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tracker.clock import local
from tracker.inspections.deadlines import Deadline, deadlines_for, event_label
from tracker.inspections.queries import events_of, papers_of_plan, submission_of, submitted_copy
from tracker.models import InspectionEvent, PaperKind, Plan, PlanSubmission, PublishedPaper
from tracker.rag import Rag

if TYPE_CHECKING:
    from tracker.committee.plan_rows import SummaryPaper, SummaryPlan, SummarySubmission


@dataclass(frozen=True)
class Entry:
    day: date
    what: str
    detail: str = ""
    event_id: int | None = None
    rag: Rag | None = None
    order: int = 0  # same-day entries: the visit before its letter, the letter before a deadline


@dataclass
class PlanInspections:
    """Everything the plan page and the summary show about the inspections around a plan."""

    events: list[InspectionEvent]
    submission: "PlanSubmission | SummarySubmission | None"
    deadlines: list[Deadline]
    timeline: list[Entry]
    # The plan as frozen when recorded as sent to Ofsted (tracker/committee/publishing.py).
    submitted_paper: "PublishedPaper | SummaryPaper | None" = None


def _visit_entries(event: InspectionEvent) -> list[Entry]:
    label = event_label(event)
    entries = []
    if event.started_on:
        on_site = "On site"
        if event.ended_on and event.ended_on != event.started_on:
            on_site += f" until {event.ended_on.day} {event.ended_on:%B %Y}"
        entries.append(Entry(event.started_on, label, on_site, event.id, order=0))
    if event.received_on:
        entries.append(
            Entry(event.received_on, label, "Report or letter received", event.id, order=1)
        )
    if event.published_on:
        findings = len(event.findings)
        detail = "Report published"
        if findings:
            detail += f" ({findings} finding{'s' if findings != 1 else ''})"
        entries.append(Entry(event.published_on, label, detail, event.id, order=2))
    return entries


def _submission_entries(submission: "PlanSubmission | SummarySubmission | None") -> list[Entry]:
    if submission is None:
        return []
    entries = []
    if submission.draft_sent_on:
        entries.append(Entry(submission.draft_sent_on, "Draft plan sent to Ofsted", order=3))
    if submission.approved_on:
        by = submission.approved_by or "approved"
        meeting = submission.approved_meeting
        detail = f"By {by}" + (f" at {meeting.title}" if meeting else "")
        entries.append(Entry(submission.approved_on, "Plan approved", detail, order=3))
    if submission.submitted_on:
        entries.append(Entry(submission.submitted_on, "Final plan sent to Ofsted", order=3))
    return entries


def _paper_entries(papers: "Sequence[PublishedPaper | SummaryPaper]") -> list[Entry]:
    entries = []
    for paper in papers:
        day = local(paper.published_at).date()
        if paper.kind == PaperKind.SUBMITTED_PLAN:
            entries.append(Entry(day, "Plan as submitted kept", "Published paper", order=6))
        else:
            assert paper.meeting is not None  # a committee paper is always for a meeting
            meeting = paper.meeting.meeting_on
            version = f" (version {paper.version})" if paper.version > 1 else ""
            what = f"Paper published for the meeting of {meeting.day} {meeting:%B %Y}{version}"
            entries.append(Entry(day, what, "Published paper", order=6))
    return entries


def plan_inspections(plan: "Plan | SummaryPlan", today: date) -> PlanInspections:
    from tracker.committee.plan_rows import SummaryPlan  # here: the committee package imports this

    events = events_of(plan.id)
    # The summary page read the submission with the plan (tracker/committee/plan_rows.py).
    submission = plan.submission if isinstance(plan, SummaryPlan) else submission_of(plan.id)
    deadlines = deadlines_for(events, submission, today)
    entries = [entry for event in events for entry in _visit_entries(event)]
    entries += _submission_entries(submission)
    entries += [
        Entry(d.due, f"Deadline: {d.label}", d.why_required, d.event.id, d.rag, order=4)
        for d in deadlines
    ]
    entries += [Entry(m.meeting_on, m.title, "Committee meeting", order=5) for m in plan.meetings]
    # The summary page read the papers with the plan too.
    papers: Sequence[PublishedPaper | SummaryPaper] = (
        plan.papers if isinstance(plan, SummaryPlan) else papers_of_plan(plan.id)
    )
    entries += _paper_entries(papers)
    entries.sort(key=lambda e: (e.day, e.order))
    return PlanInspections(events, submission, deadlines, entries, submitted_copy(papers))
