"""Read queries for inspections: a fixed number of statements per page."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    InspectionEvent,
    InspectionFinding,
    PaperKind,
    PlanSubmission,
    PublishedPaper,
    finding_recommendations,
)


@cache
def _events_statement() -> Select:
    """Built once per process (building it, with its loader options, costs more than running it
    for a plan with no inspections); `plan_id` is bound on each execution."""
    return (
        select(InspectionEvent)
        .where(InspectionEvent.plan_id == bindparam("plan_id"))
        .options(
            selectinload(InspectionEvent.judgements),
            selectinload(InspectionEvent.findings).selectinload(InspectionFinding.recommendations),
        )
        .order_by(InspectionEvent.id)
    )


def events_of(plan_id: int) -> list[InspectionEvent]:
    return list(db.session.scalars(_events_statement(), {"plan_id": plan_id}))


def event_page(event_id: int) -> InspectionEvent | None:
    query = (
        select(InspectionEvent)
        .where(InspectionEvent.id == event_id)
        .options(
            joinedload(InspectionEvent.plan),
            selectinload(InspectionEvent.judgements),
            selectinload(InspectionEvent.findings).selectinload(InspectionFinding.recommendations),
        )
    )
    return db.session.scalar(query)


@dataclass(frozen=True, slots=True)
class RecommendationFinding:
    """A finding an inspection or visit recorded on a recommendation, with what the
    recommendation page shows of its event."""

    text: str
    position: int
    event_id: int
    event_kind: str
    published_on: date | None
    received_on: date | None
    started_on: date | None


@cache
def _findings_statement() -> Select:
    """Built once per process; `recommendation_id` is bound on each execution."""
    return (
        select(
            InspectionFinding.text,
            InspectionFinding.position,
            InspectionEvent.id,
            InspectionEvent.kind,
            InspectionEvent.published_on,
            InspectionEvent.received_on,
            InspectionEvent.started_on,
        )
        .join(InspectionEvent, InspectionEvent.id == InspectionFinding.event_id)
        .join(finding_recommendations)
        .where(finding_recommendations.c.recommendation_id == bindparam("recommendation_id"))
    )


def findings_for_recommendation(recommendation_id: int) -> list[RecommendationFinding]:
    """As plain rows, earliest event first (by the day it was published, received or started)."""
    rows = db.session.execute(_findings_statement(), {"recommendation_id": recommendation_id})
    findings = [RecommendationFinding(*row) for row in rows]
    return sorted(findings, key=lambda f: (_event_day(f), f.event_id, f.position))


def _event_day(event: RecommendationFinding) -> date:
    return event.published_on or event.received_on or event.started_on or date.min


def submission_of(plan_id: int) -> PlanSubmission | None:
    query = (
        select(PlanSubmission)
        .where(PlanSubmission.plan_id == plan_id)
        .options(joinedload(PlanSubmission.approved_meeting))
    )
    return db.session.scalar(query)


@cache
def _papers_statement() -> Select:
    """Built once per process, as `_events_statement`."""
    return (
        select(PublishedPaper)
        .where(PublishedPaper.plan_id == bindparam("plan_id"))
        .options(joinedload(PublishedPaper.meeting), joinedload(PublishedPaper.published_by))
        .order_by(PublishedPaper.id)
    )


def papers_of_plan(plan_id: int) -> list[PublishedPaper]:
    """Every paper published for the plan, oldest first, without their files."""
    return list(db.session.scalars(_papers_statement(), {"plan_id": plan_id}))


class _Paper(Protocol):
    @property
    def kind(self) -> str: ...


PaperT = TypeVar("PaperT", bound=_Paper)


def submitted_copy(papers: Sequence[PaperT]) -> PaperT | None:
    """The plan as frozen when it was first recorded as sent to Ofsted."""
    return next((p for p in papers if p.kind == PaperKind.SUBMITTED_PLAN), None)
