"""Plans, recommendations, actions, their progress history and evidence."""

from datetime import date, datetime
from enum import StrEnum, nonmember
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from tracker.extensions import Model

from .types import UTCDateTime, utcnow
from .users import User

if TYPE_CHECKING:
    from .indicators import Indicator


class PlanStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    COMPLETED = "completed"
    VERIFIED = "verified"
    # The statuses of finished work (completed, then verified): not open, not counted as due.
    CLOSED = nonmember(frozenset({COMPLETED, VERIFIED}))

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class EvidenceKind(StrEnum):
    FILE = "file"
    LINK = "link"
    NOTE = "note"


class ReviewState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Plan(Model):
    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("status IN ('active', 'archived')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    inspectorate: Mapped[str] = mapped_column(String(100))
    inspection_type: Mapped[str] = mapped_column(String(300), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.ACTIVE)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[User | None] = relationship()
    recommendations: Mapped[list["Recommendation"]] = relationship(
        back_populates="plan", order_by="Recommendation.position"
    )
    meetings: Mapped[list["CommitteeMeeting"]] = relationship(
        back_populates="plan", order_by="CommitteeMeeting.meeting_on"
    )


class CommitteeMeeting(Model):
    __tablename__ = "committee_meetings"
    __table_args__ = (UniqueConstraint("plan_id", "meeting_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    meeting_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    date_assumed: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(back_populates="meetings")


class Theme(Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Recommendation(Model):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("plan_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    target_date: Mapped[date | None] = mapped_column(Date)
    target_date_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="recommendations")
    theme: Mapped[Theme | None] = relationship()
    lead: Mapped[User | None] = relationship()
    actions: Mapped[list["Action"]] = relationship(
        back_populates="recommendation", order_by="Action.position"
    )
    indicators: Mapped[list["Indicator"]] = relationship(
        secondary="recommendation_indicators",
        back_populates="recommendations",
        order_by="Indicator.code",
    )


class Action(Model):
    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "reference"),
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'blocked', 'completed', 'verified')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    current_due_date: Mapped[date | None] = mapped_column(Date, index=True)
    due_date_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.NOT_STARTED)
    completed_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: bumped by every user edit, never by background work.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="action", order_by="ProgressUpdate.created_at.desc()"
    )
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="action", order_by="Evidence.added_at.desc()"
    )

    # SQLAlchemy checks the version on every UPDATE, so two saves racing cannot both win.
    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @hybrid_property
    def is_closed(self) -> bool:
        """Completed or verified (ActionStatus.CLOSED); also a query condition on Action."""
        return self.status in ActionStatus.CLOSED

    @is_closed.inplace.expression
    @classmethod
    def _is_closed_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(sorted(ActionStatus.CLOSED))

    @property
    def due_date_moved(self) -> bool:
        return bool(
            self.original_due_date
            and self.current_due_date
            and self.original_due_date != self.current_due_date
        )

    @property
    def current_due_date_assumed(self) -> bool:
        """`due_date_assumed` is about the date the plan started with: once the date has been
        moved, the new date is someone's decision, not an assumption."""
        return self.due_date_assumed and not self.due_date_moved


class ProgressUpdate(Model):
    """One entry in an action's history. Rows are only ever added."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status_from: Mapped[str | None] = mapped_column(String(20))
    status_to: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    due_from: Mapped[date | None] = mapped_column(Date)
    due_to: Mapped[date | None] = mapped_column(Date)
    due_change_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the app wrote the entry (for example "evidence.added"); None for a person's note.
    event: Mapped[str | None] = mapped_column(String(30))
    # Set when a deputy wrote the entry while covering for the action's owner (issue 13.16).
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])


class Evidence(Model):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("kind IN ('file', 'link', 'note')", name="kind_known"),
        CheckConstraint(
            "review_state IN ('submitted', 'accepted', 'rejected')", name="review_state_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    original_filename: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_state: Mapped[str] = mapped_column(String(20), default=ReviewState.SUBMITTED)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)
    # Withdrawn evidence keeps its title and checksum; its content (file bytes, note, address) is
    # gone (see tracker.evidence.service.withdraw).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="evidence")
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
