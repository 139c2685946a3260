"""The append-only audit record."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .types import UTCDateTime, utcnow
from .users import User

if TYPE_CHECKING:
    from .api import ApiToken


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    event: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # For sign-in attempts: the email typed, whether or not an account has it.
    subject: Mapped[str | None] = mapped_column(String(254), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # A change made through the data API: the token it came with (the actor is its owner).
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))

    actor: Mapped[User | None] = relationship()
    api_token: Mapped["ApiToken | None"] = relationship(lazy="joined")
