"""The plan as the summary page reads it: plain rows (frozen dataclasses; ORM objects only for
the linked indicators, which the indicator summaries are worked out from), in three statements
built once per process. The page shows no owners or leads, so none are read.

The PDF and Word papers and the exports keep tracker.plans.queries.load_plan (with people): the
summary (tracker/committee/summary.py) takes either, since the rules it applies
(tracker.rag, tracker.plans.progress, tracker.committee.history) read only these columns.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, exists, select

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


@cache
def _plan_statement() -> Select:
    """The plan with its approval and submission (at most one per plan) and its meetings, each
    saying whether a committee paper was published for it: one row per meeting."""
    p, m, papers = Plan.__table__.c, CommitteeMeeting.__table__.c, PublishedPaper.__table__.c
    s = PlanSubmission.__table__.c
    approved_meeting = CommitteeMeeting.__table__.alias("approved_meeting")
    published = exists().where(papers.meeting_id == m.id, papers.kind == PaperKind.COMMITTEE_PAPER)
    return (
        select(
            p.id,
            p.title,
            s.id,
            s.draft_sent_on,
            s.approved_on,
            s.approved_by,
            approved_meeting.c.title,
            s.submitted,
            s.submitted_on,
            m.id,
            m.meeting_on,
            m.title,
            published,
        )
        .outerjoin(PlanSubmission.__table__, s.plan_id == p.id)
        .outerjoin(approved_meeting, approved_meeting.c.id == s.approved_meeting_id)
        .outerjoin(CommitteeMeeting.__table__, m.plan_id == p.id)
        .where(p.id == bindparam("plan_id"))
        .order_by(m.meeting_on, m.id)
    )


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
    plan_rows = db.session.execute(_plan_statement(), params).all()
    if not plan_rows:
        return None
    meetings = [
        SummaryMeeting(meeting_id, meeting_on, title, bool(published))
        for *_, meeting_id, meeting_on, title, published in plan_rows
        if meeting_id is not None
    ]
    recommendations = _recommendations(
        db.session.execute(_recommendations_statement(), params).all()
    )
    by_id = {rec.id: rec for rec in recommendations}
    for rec_id, indicator in db.session.execute(_indicators_statement(), params):
        by_id[rec_id].indicators.append(indicator)
    plan_id, title, *submission = plan_rows[0][:9]
    return SummaryPlan(plan_id, title, meetings, recommendations, _submission(*submission))


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
