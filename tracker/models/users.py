"""People who use the tracker."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .sessions import UserSession


class Role(StrEnum):
    COMMITTEE_MEMBER = "committee_member"
    HEAD_OF_SERVICE = "head_of_service"
    PERFORMANCE_OFFICER = "performance_officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COMMITTEE_MEMBER: "Committee member",
    Role.HEAD_OF_SERVICE: "Head of service",
    Role.PERFORMANCE_OFFICER: "Performance officer",
    Role.ADMIN: "Admin",
}


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('committee_member', 'head_of_service', 'performance_officer', 'admin')",
            name="role_known",
        ),
        UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two-factor authentication (tracker/auth/two_factor.py): the TOTP secret (base32), set while
    # setting up and kept once confirmed (totp_enabled_at); the last time step a code was
    # accepted for, so that a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    wants_due_soon_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_no_update_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    # Notices (issue 13.15, tracker/notices.py); being given an action cannot be turned off.
    wants_evidence_added_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_evidence_rejected_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_completed_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_verified_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Single sign-on (tracker/auth/oidc.py): who this person is at the council's identity
    # provider, linked at their first sign-in there and matched on from then on.
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    # The raw id of the session this request signed in with (tracker/auth/sessions.py); never
    # stored: the database keeps only its hash.
    # (Not annotated: an annotation would ask SQLAlchemy to map them; cast() types them.)
    session_key = cast("str | None", None)
    current_session = cast("UserSession | None", None)
    # Whether they lead any recommendation, read with the session (the menu asks on every page);
    # None when not read (tracker.permissions.reviews_anything then asks).
    leads_recommendations = cast("bool | None", None)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login's UserMixin compares people by get_id(), which here is the session key: empty
    # outside a request, so every person would equal every other (a reminder meant for two
    # admins went to one). A person is their row: the identity map gives one object per row.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = object.__hash__

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie and hands it to the user loader: the session's
        # raw id, so ending the session record signs every copy of the cookie out.
        return self.session_key or ""

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Deputy(Model):
    """Someone covering another person's actions for a period (leave), both days included.

    While it runs, the deputy may update the person's actions and gets their reminders; what the
    deputy does is recorded as theirs, on behalf of the person."""

    __tablename__ = "deputies"
    __table_args__ = (
        CheckConstraint("person_id <> deputy_id", name="not_own_deputy"),
        CheckConstraint("starts_on <= ends_on", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on
