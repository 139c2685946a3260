"""Reminder emails: the outbox, who was skipped and why, and claimed scheduler runs."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .types import UTCDateTime, utcnow
from .users import User

DIGEST_KINDS = ("reminder", "escalation")
ACCOUNT_EMAIL_KINDS = ("invite", "reset")  # sent as soon as the sender runs (tracker.auth)


class ReminderOutbox(Model):
    """An email waiting to be sent, or sent. Digests: one for one recipient, of one kind, for one
    day, the unique index stopping duplicates. Account emails (invite, reset): any number; their
    set-password link is issued only when the email is sent, so no usable link is ever stored."""

    __tablename__ = "reminder_outbox"
    __table_args__ = (
        Index(
            "uq_reminder_outbox_digest_per_day",
            "recipient_id",
            "kind",
            "day",
            unique=True,
            sqlite_where=text("kind IN ('reminder', 'escalation')"),
            postgresql_where=text("kind IN ('reminder', 'escalation')"),
        ),
        CheckConstraint("kind IN ('reminder', 'escalation', 'invite', 'reset')", name="kind_known"),
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    action_ids: Mapped[list] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()


class ReminderSkip(Model):
    """Someone who should have had a digest but could not: no email address, deactivated..."""

    __tablename__ = "reminder_skips"
    __table_args__ = (UniqueConstraint("user_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text)
    action_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class JobRun(Model):
    """A claimed run of a scheduled job for one slot (a day): two schedulers never both run it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot: Mapped[date] = mapped_column(Date)
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
