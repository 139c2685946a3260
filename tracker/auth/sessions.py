"""Signed-in sessions, one record per device (UserSession), with idle and absolute timeouts.

Each sign-in creates a record; the cookie carries its random id and the database keeps only
the id's SHA-256. The user loader finds the record, so ending it (signing out, "sign out of all
other devices", a password change or reset, deactivation, an admin's "End all sessions", a
timeout) signs out every copy of that cookie, and signing in on a second device leaves the first
signed in.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import contains_eager

from tracker import audit
from tracker.auth.devices import device_from_user_agent
from tracker.auth.two_factor import must_set_up
from tracker.extensions import db, login_manager, rows_matched
from tracker.models import Recommendation, User, UserSession, utcnow

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

# Why a session ended (UserSession.ended_reason), in words for the audit trail.
SIGNED_OUT = "signed_out"
ENDED_FROM_ANOTHER_DEVICE = "ended_from_another_device"
ALL_OTHERS_ENDED = "all_others_ended"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
PASSWORD_RESET = "password_reset"  # noqa: S105 (a reason, not a password)
DEACTIVATED = "deactivated"
ENDED_BY_ADMIN = "ended_by_admin"
IDLE = "idle"
EXPIRED = "expired"
# What someone who must set up two-factor can reach before they have (None: not found).
TWO_FACTOR_SET_UP_ALLOWS = {
    None,
    "static",
    "auth.two_factor_set_up",
    "auth.sign_out",
    "auth.signed_out",
}
REASON_WORDS = {
    SIGNED_OUT: "signed out",
    ENDED_FROM_ANOTHER_DEVICE: "signed out from another device",
    ALL_OTHERS_ENDED: "signed out of all other devices",
    PASSWORD_CHANGED: "password changed",
    PASSWORD_RESET: "password set from an email link",
    DEACTIVATED: "account deactivated",
    ENDED_BY_ADMIN: "ended by an admin",
    IDLE: "inactive for too long",
    EXPIRED: "signed in for too long",
}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@cache
def _open_session_query():
    """Built once per process: every signed-in request runs it. With the session and its person,
    whether they lead any recommendation, which the menu asks on every page."""
    leads = exists().where(Recommendation.lead_id == User.id).label("leads")
    return (
        select(UserSession, leads)
        .join(UserSession.user)
        .options(contains_eager(UserSession.user))
        .where(
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.ended_at.is_(None),
            User.active.is_(True),
        )
    )


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    if not session_key or len(session_key) > 100:
        return None
    found = db.session.execute(_open_session_query(), {"token_hash": key_hash(session_key)})
    row = found.first()
    if row is None:
        _say_why_signed_out(session_key)
        return None
    record, leads = row
    user = record.user
    user.session_key = session_key
    user.current_session = record
    user.leads_recommendations = bool(leads)
    return user


# What someone whose session was ended elsewhere is told on their next visit from this device.
ENDED_MESSAGES = {
    ENDED_FROM_ANOTHER_DEVICE: "You have been signed out on this device from another device.",
    ALL_OTHERS_ENDED: "You have been signed out on this device: someone signed in to your "
    "account chose to sign out of all other devices.",
    PASSWORD_CHANGED: "You have been signed out because your password was changed on another "
    "device.",
    PASSWORD_RESET: "You have been signed out because your password was reset.",
    DEACTIVATED: "You have been signed out because your account has been deactivated.",
    ENDED_BY_ADMIN: "You have been signed out by an administrator.",
}


def _say_why_signed_out(session_key: str) -> None:
    """This browser's session has ended elsewhere: say why, once (the key is then dropped from
    the cookie), rather than only showing the sign-in page. Costs a query only then."""
    reason = db.session.scalar(
        select(UserSession.ended_reason).where(UserSession.token_hash == key_hash(session_key))
    )
    session.pop("_user_id", None)
    if reason in ENDED_MESSAGES:
        flash(ENDED_MESSAGES[reason] + " Sign in again to continue.", "info")


def start_session(user: User, method: str = "password") -> UserSession:
    """A fresh session for a fresh sign-in: nothing carried over from before it. The only way
    anyone is signed in (passwords, two-factor, OpenID Connect). The caller commits."""
    session.clear()
    now = utcnow()
    key = secrets.token_urlsafe(32)
    record = UserSession(
        user_id=user.id,
        token_hash=key_hash(key),
        created_at=now,
        last_seen_at=now,
        device=device_from_user_agent(request.headers.get("User-Agent")),
        method=method,
    )
    db.session.add(record)
    user.last_signed_in_at = now
    user.session_key = key
    user.current_session = record
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_AT] = now.isoformat()
    session[LAST_SEEN_AT] = now.isoformat()
    return record


def end_session(user: User | None, reason: str = SIGNED_OUT) -> None:
    """Sign this browser out: its session record ends, so no copy of the cookie loads anyone."""
    record = getattr(user, "current_session", None) if user is not None else None
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        record.ended_reason = reason
    logout_user()
    session.clear()


def end_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of this person (but `keep`, if given) and record any in the audit
    trail; how many ended. The caller commits."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = rows_matched(
        db.session.execute(
            query.values(ended_at=utcnow(), ended_reason=reason).execution_options(
                synchronize_session=False
            )
        )
    )
    if ended:
        after = {"reason": REASON_WORDS[reason], "sessions": ended}
        audit.record("sessions.ended", obj=user, after=after)
    return ended


def end_one_session(user: User, session_id: int) -> UserSession | None:
    """End one of this person's other sessions (from "Your account"); None if it is not theirs
    or has already ended. The caller commits."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        return None
    record.ended_at = utcnow()
    record.ended_reason = ENDED_FROM_ANOTHER_DEVICE
    audit.record("session.ended", obj=user, after={"device": record.device})
    return record


def open_sessions(user: User) -> list[UserSession]:
    """This person's sessions that can still be used, most recently seen first."""
    now = utcnow()
    config = current_app.config
    idle = config["SESSION_IDLE_TIMEOUT"] + LAST_SEEN_RESOLUTION
    query = (
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - config["PERMANENT_SESSION_LIFETIME"],
            UserSession.last_seen_at > now - idle,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return list(db.session.scalars(query))


# --- Timeouts ---------------------------------------------------------------------------------


def _moment(key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(session[key])
    except (KeyError, ValueError, TypeError):
        return None


def _expired(app: Flask, record: UserSession | None) -> tuple[str, str] | None:
    """(reason, message) if this session has timed out, by its cookie or its record."""
    signed_in, last_seen = _moment(SIGNED_IN_AT), _moment(LAST_SEEN_AT)
    if signed_in is None or last_seen is None or record is None:
        return SIGNED_OUT, "You have been signed out. Sign in again to continue."
    now = utcnow()
    signed_in = min(signed_in, record.created_at)
    if now - signed_in > app.config["PERMANENT_SESSION_LIFETIME"]:
        return EXPIRED, "You have been signed out because you signed in more than 12 hours ago."
    # The record's last-seen time lags by up to a minute; the cookie's is this browser's own.
    last_seen = min(last_seen, record.last_seen_at + LAST_SEEN_RESOLUTION)
    if now - last_seen > app.config["SESSION_IDLE_TIMEOUT"]:
        minutes = int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60)
        return IDLE, f"You have been signed out because you were inactive for {minutes} minutes."
    return None


def register_session_rules(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None  # each sign-in has its own server-side record

    @app.before_request
    def enforce_session_timeouts():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        user = current_user._get_current_object()
        expired = _expired(app, user.current_session)
        if expired:
            reason, message = expired
            if reason != SIGNED_OUT:
                audit.record(
                    "session.timed_out",
                    actor=user,
                    obj=user,
                    after={"reason": REASON_WORDS[reason]},
                )
            end_session(user, reason)
            db.session.commit()
            flash(message, "info")
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        _note_activity(user.current_session)
        return None

    @app.before_request
    def set_up_two_factor_first():
        """Someone who must have two-factor and has not set it up does that before anything."""
        if request.endpoint in TWO_FACTOR_SET_UP_ALLOWS or not current_user.is_authenticated:
            return None
        user = current_user._get_current_object()
        if not must_set_up(user, user.current_session):
            return None
        flash("You need to set up two-factor authentication before you continue.", "info")
        return redirect(url_for("auth.two_factor_set_up"))


def _note_activity(record: UserSession) -> None:
    """Move the idle clock on, at most once a minute: the session cookie is only rewritten (and
    sent back) when it changes, so most requests need not sign and send a new one, and the
    record's last-seen time is written at most once a minute too. The idle timeout can
    therefore come up to a minute early, never late."""
    now = utcnow()
    if now - datetime.fromisoformat(session[LAST_SEEN_AT]) >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_AT] = now.isoformat()
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == record.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
