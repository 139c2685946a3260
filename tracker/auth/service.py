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
from tracker.auth.two_factor import check_code, normalise_code
from tracker.extensions import db
from tracker.models import AuditEvent, User, utcnow

GENERIC_FAILURE = "Enter a correct email address and password"
THROTTLED = (
    "There have been too many attempts to sign in with this email address. "
    "Wait {minutes} minutes, then try again."
)
PASSWORDS_OFF = (
    "This service does not use passwords: sign in with {provider} instead. "
    "Only the emergency administrator account has a password."
)
CLIENT_THROTTLED = (
    "There have been too many failed attempts to sign in from your network. "
    "Wait {minutes} minutes, then try again."
)


WRONG_CODE = "Enter a correct code from your authenticator app, or one of your recovery codes"
REUSED_CODE = (
    "That code has already been used. Wait for your authenticator app to show a new code, "
    "then enter it"
)
REUSED_RECOVERY_CODE = "That recovery code has already been used: each one works once"
# Wrong passwords and wrong second-factor codes count towards the same limits.
FAILURE_EVENTS = ("sign_in.failed", "sign_in.code_failed", "sign_in.code_reused")


@dataclass
class SignInResult:
    user: User | None
    error: str | None
    needs_code: bool = False


@dataclass
class CodeResult:
    ok: bool
    error: str | None = None
    method: str = ""
    recovery_codes_left: int | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["SIGN_IN_FAILURE_WINDOW_MINUTES"]))


def _failures(*conditions) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.event.in_(FAILURE_EVENTS),
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


def password_allowed(email: str) -> bool:
    """LOCAL_PASSWORDS=off turns passwords off for everyone but the break-glass admin."""
    config = current_app.config
    return bool(config["LOCAL_PASSWORDS"]) or (
        bool(config["BREAK_GLASS_ADMIN"]) and email == config["BREAK_GLASS_ADMIN"]
    )


def attempt_sign_in(email: str, password: str, client: str | None = None) -> SignInResult:
    """Check the credentials and record the attempt. The caller commits."""
    email = normalise_email(email)
    refused = refusal(email, client)
    if refused:
        audit.record("sign_in.throttled", subject=email)
        return SignInResult(None, refused)
    if not password_allowed(email):
        # The same answer for every address, before any password is checked: nothing to learn.
        audit.record("sign_in.password_refused", subject=email, actor=None)
        provider = current_app.config["OIDC_PROVIDER_NAME"]
        return SignInResult(None, PASSWORDS_OFF.format(provider=provider))
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
    assert user is not None  # ok above needs an account
    if user.has_two_factor:
        # Half-way: nothing is granted until the second step (tracker/auth/views.py).
        audit.record("sign_in.password_accepted", subject=email, actor=user, obj=user)
        return SignInResult(user, None, needs_code=True)
    audit.record("sign_in.succeeded", subject=email, actor=user, obj=user)
    return SignInResult(user, None)


def attempt_code(user: User, code: str, client: str | None = None) -> CodeResult:
    """The second step for someone with two-factor on, after the right password: an
    authenticator code or a recovery code, under the same limits as passwords. The caller
    commits."""
    email = normalise_email(user.email)
    refused = refusal(email, client)
    if refused:
        audit.record("sign_in.throttled", subject=email, actor=None)
        return CodeResult(False, refused)
    if not user.active:
        audit.record("sign_in.failed", subject=email, actor=None)
        return CodeResult(False, GENERIC_FAILURE)
    check = check_code(user, code)
    if check.reused:
        audit.record("sign_in.code_reused", subject=email, actor=None, obj=user)
        long_code = len(normalise_code(code)) > 6
        return CodeResult(False, REUSED_RECOVERY_CODE if long_code else REUSED_CODE)
    if not check.ok:
        audit.record("sign_in.code_failed", subject=email, actor=None, obj=user)
        return CodeResult(False, WRONG_CODE)
    if check.recovery_codes_left is not None:
        after = {"recovery_codes_left": check.recovery_codes_left}
        audit.record("sign_in.recovery_code_used", actor=user, obj=user, after=after)
    audit.record("sign_in.succeeded", subject=email, actor=user, obj=user)
    return CodeResult(True, None, check.method, check.recovery_codes_left)
