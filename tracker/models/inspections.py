"""Inspections and reviews around a plan, their judgements and findings, and the plan's own
approval and submission (issue 19). Kinds, frameworks and grades are data in
tracker/inspections/frameworks.py; the columns keep their keys."""

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model, db

from .plans import CommitteeMeeting, Plan, Recommendation
from .types import UTCDateTime, utcnow
from .users import User

finding_recommendations = Table(
    "finding_recommendations",
    db.metadata,
    Column("finding_id", ForeignKey("inspection_findings.id"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True, index=True),
)


class InspectionEvent(Model):
    """One inspection, visit, review or meeting: what happened on site and what was sent after."""

    __tablename__ = "inspection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    inspectorate: Mapped[str] = mapped_column(String(200), default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    report_url: Mapped[str] = mapped_column(String(2000), default="")
    priority_actions: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    # What the record does not know for certain (seeded events say which dates are assumed).
    assumptions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[Plan] = relationship()
    created_by: Mapped[User | None] = relationship()
    judgements: Mapped[list["InspectionJudgement"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="InspectionJudgement.id"
    )
    findings: Mapped[list["InspectionFinding"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="InspectionFinding.position"
    )


class InspectionJudgement(Model):
    __tablename__ = "inspection_judgements"
    __table_args__ = (UniqueConstraint("event_id", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("inspection_events.id"), index=True)
    area: Mapped[str] = mapped_column(String(60))
    grade: Mapped[str] = mapped_column(String(40))

    event: Mapped[InspectionEvent] = relationship(back_populates="judgements")


class InspectionFinding(Model):
    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("inspection_events.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[InspectionEvent] = relationship(back_populates="findings")
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=finding_recommendations, order_by="Recommendation.position"
    )


class PlanSubmission(Model):
    """The plan's own life: drafted, approved (by whom, at which meeting), sent to Ofsted."""

    __tablename__ = "plan_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), unique=True)
    draft_sent_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    approved_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meetings.id"))
    submitted: Mapped[bool] = mapped_column(default=False)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    assumptions: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship()
    approved_meeting: Mapped[CommitteeMeeting | None] = relationship()
