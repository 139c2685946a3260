"""Signed-in sessions: loading the user, rotating tokens, idle and absolute timeouts."""

import secrets
from datetime import datetime, timedelta

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker.args import whole_number
from tracker.extensions import db, login_manager
from tracker.models import User, utcnow

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    id_text, _, token = session_id.partition(":")
    user_id = whole_number(id_text)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if (
        user is None
        or not user.active
        or not secrets.compare_digest(user.session_token or "", token)
    ):
        return None
    return user


def start_session(user: User) -> None:
    """A fresh session for a fresh sign-in: nothing carried over from before it."""
    session.clear()
    user.session_token = secrets.token_urlsafe(32)
    user.last_signed_in_at = utcnow()
    login_user(user)
    session.permanent = True
    now = utcnow().isoformat()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def end_session(user: User | None) -> None:
    """Sign out everywhere this cookie has been copied: the old token no longer loads anyone."""
    if user is not None and user.is_authenticated:
        user.session_token = secrets.token_urlsafe(32)
    logout_user()
    session.clear()


def _expired(app: Flask) -> str | None:
    now = utcnow()
    try:
        signed_in = datetime.fromisoformat(session[SIGNED_IN_AT])
        last_seen = datetime.fromisoformat(session[LAST_SEEN_AT])
    except (KeyError, ValueError):
        return "You have been signed out. Sign in again to continue."
    if now - signed_in > app.config["PERMANENT_SESSION_LIFETIME"]:
        return "You have been signed out because you signed in more than 12 hours ago."
    if now - last_seen > app.config["SESSION_IDLE_TIMEOUT"]:
        minutes = int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60)
        return f"You have been signed out because you were inactive for {minutes} minutes."
    return None


def register_session_rules(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None  # we rotate tokens ourselves

    @app.before_request
    def enforce_session_timeouts():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        reason = _expired(app)
        if reason:
            end_session(current_user._get_current_object())
            db.session.commit()
            flash(reason, "info")
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        _note_activity()
        return None


def _note_activity() -> None:
    """Move the idle clock on, at most once a minute: the session cookie is only rewritten (and
    sent back) when it changes, so most requests need not sign and send a new one. The idle
    timeout can therefore come up to a minute early, never late."""
    now = utcnow()
    if now - datetime.fromisoformat(session[LAST_SEEN_AT]) >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_AT] = now.isoformat()
