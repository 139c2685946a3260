"""Signed-in sessions, one per device, and the recovery codes of two-factor authentication."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .types import UTCDateTime, utcnow
from .users import User

# How each sign-in was made, as the person reads it on "Your account".
METHOD_LABELS = {
    "password": "Password",
    "password+totp": "Password and authenticator app code",
    "password+recovery": "Password and recovery code",
    "oidc": "Council sign-in",
}


class UserSession(Model):
    """One signed-in browser. The cookie carries a random id; only its SHA-256 is stored, so a
    copy of the database cannot be turned into a session. Ending the record signs it out."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(30), default="password")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)


class RecoveryCode(Model):
    """A single-use code that stands in for the authenticator app; only a salted hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
