"""Published papers: what a committee was sent for a meeting, and the plan as submitted to
Ofsted, stored exactly as produced (issue 14 item 1, issue 19 item 2).

A published paper is a record, not a cache: its files and the data they were made from are kept
in the database (so backups carry them) and no code path changes or deletes one. The mapper
events below refuse an UPDATE or DELETE through the ORM, so a slip in a later change fails
loudly instead of rewriting what a committee was sent.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .plans import CommitteeMeeting, Plan
from .types import UTCDateTime, utcnow
from .users import User


class PaperKind(StrEnum):
    COMMITTEE_PAPER = "committee_paper"
    SUBMITTED_PLAN = "submitted_plan"

    @property
    def label(self) -> str:
        return {"committee_paper": "Committee paper", "submitted_plan": "Submitted plan"}[self]


class PublishedPaper(Model):
    __tablename__ = "published_papers"
    __table_args__ = (
        CheckConstraint("kind IN ('committee_paper', 'submitted_plan')", name="kind_known"),
        # Two people publishing for one meeting at the same moment cannot both be "version 2".
        UniqueConstraint("meeting_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    # The meeting a committee paper is for; None for the plan as submitted to Ofsted.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The files' bytes and data are loaded only when asked for (lists show the checksums).
    # 1 for the first paper published for a meeting; a later one for the same meeting replaces
    # it for readers (the earlier one is kept and still downloadable).
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The day the paper is "as at", and the filters it was made with (since, theme, rating).
    as_at: Mapped[date] = mapped_column(Date)
    filters: Mapped[dict] = mapped_column(JSON)
    # The summary the files were made from: recommendations, ratings and reasons, actions,
    # indicator figures shown, changes listed.
    data: Mapped[dict] = mapped_column(JSON, deferred=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    docx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    docx_sha256: Mapped[str | None] = mapped_column(String(64))

    plan: Mapped[Plan] = relationship()
    meeting: Mapped[CommitteeMeeting | None] = relationship()
    published_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return PaperKind(self.kind).label


class PublishedPaperIsFinal(RuntimeError):
    """Raised when code tries to change or delete a published paper."""


@event.listens_for(PublishedPaper, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise PublishedPaperIsFinal(f"published paper {target.id} cannot be changed")


@event.listens_for(PublishedPaper, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise PublishedPaperIsFinal(f"published paper {target.id} cannot be deleted")
