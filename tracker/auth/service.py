"""Signing in: checking a password, throttling guessing, recording every attempt.

Two limits, after NCSC's advice on throttling (docs/security.md, "Sign-in and upload limits"):

- per account: after SIGN_IN_MAX_FAILURES_PER_ACCOUNT failures with one email address within
  the window, clients that took part in those failures are refused for that address. A client
  that has not failed on it may still sign in with the right password, so an attacker's ten
  wrong guesses do not lock the real owner out everywhere; each new client gets one try.
- per client (address): after SIGN_IN_MAX_FAILURES_PER_CLIENT failures from one address, on any
  accounts, that address is refused, so one client cannot work through many accounts.

A password hash is always checked when the limits allow an attempt (for unknown addresses and
accounts without a password too), so the answer takes as long whether or not the account exists.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker import audit
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, User, utcnow

GENERIC_FAILURE = "Enter a correct email address and password"
THROTTLED = (
    "There have been too many attempts to sign in with this email address. "
    "Wait {minutes} minutes, then try again."
)
CLIENT_THROTTLED = (
    "There have been too many failed attempts to sign in from your network. "
    "Wait {minutes} minutes, then try again."
)


@dataclass
class SignInResult:
    user: User | None
    error: str | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["SIGN_IN_FAILURE_WINDOW_MINUTES"]))


def _failures(*conditions) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.event == "sign_in.failed",
        AuditEvent.occurred_at >= utcnow() - _window(),
        *conditions,
    )
    return db.session.scalar(query) or 0


def recent_failures(email: str) -> int:
    return _failures(AuditEvent.subject == email)


def recent_client_failures(client: str | None) -> int:
    return _failures(AuditEvent.ip_address == client) if client else 0


def client_failed_on(email: str, client: str | None) -> bool:
    if not client:
        return True  # no address to tell clients apart: the account limit applies to all
    return _failures(AuditEvent.subject == email, AuditEvent.ip_address == client) > 0


def refusal(email: str, client: str | None) -> str | None:
    """Why this attempt is refused before any password is checked; None if it may go ahead."""
    config = current_app.config
    minutes = config["SIGN_IN_FAILURE_WINDOW_MINUTES"]
    if recent_client_failures(client) >= config["SIGN_IN_MAX_FAILURES_PER_CLIENT"]:
        return CLIENT_THROTTLED.format(minutes=minutes)
    if recent_failures(email) >= config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"] and client_failed_on(
        email, client
    ):
        return THROTTLED.format(minutes=minutes)
    return None


def attempt_sign_in(email: str, password: str, client: str | None = None) -> SignInResult:
    """Check the credentials and record the attempt. The caller commits."""
    email = normalise_email(email)
    refused = refusal(email, client)
    if refused:
        audit.record("sign_in.throttled", subject=email)
        return SignInResult(None, refused)
    user = db.session.scalar(select(User).where(User.email == email))
    # verify_password always computes a hash (a placeholder one when there is no account or no
    # password yet), so timing does not tell which accounts exist.
    password_ok = verify_password(user.password_hash if user else None, password)
    ok = (
        user is not None
        and password_ok
        and user.active
        and not (user.is_demo and not current_app.config["DEMO_ACCOUNTS"])
    )
    if not ok:
        audit.record("sign_in.failed", subject=email, actor=None)
        return SignInResult(None, GENERIC_FAILURE)
    audit.record("sign_in.succeeded", subject=email, actor=user, obj=user)
    return SignInResult(user, None)
