"""The plan as the summary page reads it: plain rows (frozen dataclasses; ORM objects only for
the linked indicators, which the indicator summaries are worked out from), with its meetings
and published papers, in three statements built once per process. The page shows no owners or
leads, so none are read.

The PDF and Word papers and the exports keep tracker.plans.queries.load_plan (with people): the
summary (tracker/committee/summary.py) takes either, since the rules it applies
(tracker.rag, tracker.plans.progress, tracker.committee.history) read only these columns.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    exists,
    literal,
    null,
    select,
    text,
    union_all,
)

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    CommitteeMeeting,
    Indicator,
    PaperKind,
    Plan,
    PlanSubmission,
    PublishedPaper,
    Recommendation,
    Theme,
    recommendation_indicators,
)
from tracker.models.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class SummaryMeeting:
    id: int
    meeting_on: date
    title: str
    # Whether a committee paper was published for it (tracker.committee.publishing.default_since).
    paper_published: bool


@dataclass(frozen=True, slots=True)
class MeetingTitle:
    title: str


@dataclass(frozen=True, slots=True)
class SummarySubmission:
    """Quacks like a PlanSubmission for tracker.inspections (deadlines and the timeline)."""

    draft_sent_on: date | None
    approved_on: date | None
    approved_by: str
    approved_meeting: MeetingTitle | None
    submitted: bool
    submitted_on: date | None


@dataclass(frozen=True, slots=True)
class MeetingDay:
    meeting_on: date


@dataclass(frozen=True, slots=True)
class SummaryPaper:
    """Quacks like a PublishedPaper for the plan's timeline (tracker.inspections.timeline)."""

    id: int
    kind: str
    version: int
    published_at: datetime
    meeting: MeetingDay | None  # a committee paper's meeting


@dataclass(frozen=True, slots=True)
class SummaryTheme:
    id: int
    name: str


class SummaryAction(NamedTuple):
    """Quacks like an Action for tracker.rag, tracker.plans.progress and the summary. A named
    tuple (made in C: a plan has hundreds of actions), read-only as the frozen rows above."""

    id: int
    recommendation_id: int
    reference: str
    description: str
    status: str
    original_due_date: date | None
    current_due_date: date | None
    completed_on: date | None
    verified_on: date | None
    withdrawn_reason: str | None

    @property
    def is_closed(self) -> bool:
        return self.status in ActionStatus.CLOSED  # as Action.is_closed


@dataclass(slots=True)
class SummaryRecommendation:
    id: int
    reference: str
    title: str
    theme_id: int | None
    theme: SummaryTheme | None
    withdrawn_reason: str | None
    actions: list[SummaryAction]
    indicators: list[Indicator]


@dataclass(frozen=True, slots=True)
class SummaryPlan:
    id: int
    title: str
    meetings: list[SummaryMeeting]  # by day, as Plan.meetings
    recommendations: list[SummaryRecommendation]  # by position, as Plan.recommendations
    # Its approval and submission (tracker.inspections.queries.submission_of), read with it.
    submission: SummarySubmission | None
    # Every paper published for it, oldest first (tracker.inspections.queries.papers_of_plan).
    papers: list[SummaryPaper]


@cache
def _plan_statement() -> CompoundSelect:
    """The plan with its approval and submission (at most one per plan) and its meetings, each
    saying whether a committee paper was published for it: one row per meeting; then a row per
    paper published for the plan, oldest first. Each row says which it is by its first column,
    the other's columns empty (labelled: the statement is ordered by them)."""
    p, m, papers = Plan.__table__.c, CommitteeMeeting.__table__.c, PublishedPaper.__table__.c
    s = PlanSubmission.__table__.c
    approved_meeting = CommitteeMeeting.__table__.alias("approved_meeting")
    paper_meeting = CommitteeMeeting.__table__.alias("paper_meeting")
    published = exists().where(papers.meeting_id == m.id, papers.kind == PaperKind.COMMITTEE_PAPER)
    plan = (
        select(
            literal("plan").label("source"),
            p.id,
            p.title,
            s.id.label("submission_id"),
            s.draft_sent_on,
            s.approved_on,
            s.approved_by,
            approved_meeting.c.title.label("approved_meeting"),
            s.submitted,
            s.submitted_on,
            m.id.label("meeting_id"),
            m.meeting_on.label("meeting_on"),
            m.title.label("meeting_title"),
            published.label("paper_published"),
            cast(null(), Integer).label("paper_id"),
            cast(null(), String).label("paper_kind"),
            cast(null(), Integer).label("paper_version"),
            cast(null(), UTCDateTime()).label("paper_published_at"),
            cast(null(), Date).label("paper_meeting_on"),
        )
        .outerjoin(PlanSubmission.__table__, s.plan_id == p.id)
        .outerjoin(approved_meeting, approved_meeting.c.id == s.approved_meeting_id)
        .outerjoin(CommitteeMeeting.__table__, m.plan_id == p.id)
        .where(p.id == bindparam("plan_id"))
    )
    nothing = null()
    paper = (
        select(
            literal("paper"),
            *[nothing] * 13,
            papers.id,
            papers.kind,
            papers.version,
            papers.published_at,
            paper_meeting.c.meeting_on,
        )
        .outerjoin(paper_meeting, paper_meeting.c.id == papers.meeting_id)
        .where(papers.plan_id == bindparam("plan_id"))
    )
    order = ("source", "meeting_on", "meeting_id", "paper_id")
    return union_all(plan, paper).order_by(*[text(column) for column in order])


@cache
def _recommendations_statement() -> Select:
    """The plan's recommendations with their theme and actions, one row per action (or per
    recommendation with none)."""
    r, t, a = Recommendation.__table__.c, Theme.__table__.c, Action.__table__.c
    return (
        select(
            r.id,
            r.reference,
            r.title,
            r.theme_id,
            t.name,
            r.withdrawn_reason,
            a.id,
            a.recommendation_id,
            a.reference,
            a.description,
            a.status,
            a.original_due_date,
            a.current_due_date,
            a.completed_on,
            a.verified_on,
            a.withdrawn_reason,
        )
        .outerjoin(Theme.__table__, t.id == r.theme_id)
        .outerjoin(Action.__table__, a.recommendation_id == r.id)
        .where(r.plan_id == bindparam("plan_id"))
        .order_by(r.position, r.id, a.position, a.id)
    )


@cache
def _indicators_statement() -> Select:
    links = recommendation_indicators.c
    return (
        select(links.recommendation_id, Indicator)
        .join(Indicator, Indicator.id == links.indicator_id)
        .join(Recommendation, Recommendation.id == links.recommendation_id)
        .where(Recommendation.plan_id == bindparam("plan_id"))
        .order_by(Indicator.code, Indicator.id)
    )


def summary_plan(plan_id: int) -> SummaryPlan | None:
    """The plan for the summary page, or None if there is no such plan: three statements."""
    params = {"plan_id": plan_id}
    rows = db.session.execute(_plan_statement(), params).all()
    plan_rows = [row[1:14] for row in rows if row[0] == "plan"]
    if not plan_rows:
        return None
    meetings = [
        SummaryMeeting(meeting_id, meeting_on, title, bool(published))
        for *_, meeting_id, meeting_on, title, published in plan_rows
        if meeting_id is not None
    ]
    papers = [_paper(*row[14:]) for row in rows if row[0] == "paper"]
    recommendations = _recommendations(
        db.session.execute(_recommendations_statement(), params).all()
    )
    by_id = {rec.id: rec for rec in recommendations}
    for rec_id, indicator in db.session.execute(_indicators_statement(), params):
        by_id[rec_id].indicators.append(indicator)
    plan_id, title, *submission = plan_rows[0][:9]
    return SummaryPlan(plan_id, title, meetings, recommendations, _submission(*submission), papers)


def _paper(paper_id, kind, version, published_at, meeting_on) -> SummaryPaper:
    meeting = MeetingDay(meeting_on) if meeting_on is not None else None
    return SummaryPaper(paper_id, kind, version, published_at, meeting)


def _submission(
    submission_id, draft_sent_on, approved_on, approved_by, approved_meeting, submitted, on
) -> SummarySubmission | None:
    if submission_id is None:
        return None
    meeting = MeetingTitle(approved_meeting) if approved_meeting is not None else None
    return SummarySubmission(draft_sent_on, approved_on, approved_by, meeting, submitted, on)


def _recommendations(rows) -> list[SummaryRecommendation]:
    recommendations: list[SummaryRecommendation] = []
    current: SummaryRecommendation | None = None
    for rec_id, reference, title, theme_id, theme_name, withdrawn, *action in rows:
        if current is None or current.id != rec_id:
            theme = SummaryTheme(theme_id, theme_name) if theme_id is not None else None
            current = SummaryRecommendation(
                rec_id, reference, title, theme_id, theme, withdrawn, [], []
            )
            recommendations.append(current)
        if action[0] is not None:
            current.actions.append(SummaryAction(*action))
    return recommendations
