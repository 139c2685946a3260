"""Signing in: checking a password, throttling guessing, recording every attempt."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker import audit
from tracker.auth.passwords import dummy_hash, verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, User, utcnow

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
GENERIC_FAILURE = "Enter a correct email address and password"
THROTTLED = (
    "There have been too many attempts to sign in with this email address. "
    "Wait 15 minutes, then try again."
)


@dataclass
class SignInResult:
    user: User | None
    error: str | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def recent_failures(email: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.event == "sign_in.failed",
            AuditEvent.subject == email,
            AuditEvent.occurred_at >= since,
        )
    )


def attempt_sign_in(email: str, password: str) -> SignInResult:
    """Check the credentials and record the attempt. The caller commits."""
    email = normalise_email(email)
    if recent_failures(email) >= MAX_FAILURES:
        audit.record("sign_in.throttled", subject=email)
        return SignInResult(None, THROTTLED)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_password(dummy_hash(), password)  # same work, so timing does not tell
    ok = (
        user is not None
        and verify_password(user.password_hash, password)
        and user.active
        and not (user.is_demo and not current_app.config["DEMO_ACCOUNTS"])
    )
    if not ok:
        audit.record("sign_in.failed", subject=email, actor=None)
        return SignInResult(None, GENERIC_FAILURE)
    audit.record("sign_in.succeeded", subject=email, actor=user, obj=user)
    return SignInResult(user, None)
