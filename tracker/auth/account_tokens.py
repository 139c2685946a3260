"""Single-use, time-limited links for setting a password (a new account, or a reset).

The link carries a random token; only its SHA-256 is stored, so a copy of the database cannot be
used to set anyone's password. A link works once (used_at), and not after it expires. Issuing a
new link for the same purpose ends the earlier ones.
"""

import contextlib
import hashlib
import logging
import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app, render_template, url_for
from sqlalchemy import func, select, update

from tracker import audit
from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.mail import build_message, open_connection
from tracker.models import AccountToken, User, utcnow

log = logging.getLogger(__name__)

INVITE = "invite"
RESET = "reset"
VALID_FOR = {INVITE: timedelta(hours=24), RESET: timedelta(hours=1)}
RESETS_PER_HOUR = 3  # more requests than this for one account send nothing (same answer)


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def valid_for_words(purpose: str) -> str:
    hours = int(VALID_FOR[purpose].total_seconds() // 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def issue_token(user: User, purpose: str) -> str:
    """A new link for this person; earlier unused links for the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + VALID_FOR[purpose],
        )
    )
    audit.record(f"account_link.{purpose}_issued", obj=user)
    return token


def find_token(token: str) -> tuple[AccountToken | None, LinkProblem | None]:
    found = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == token_hash(token))
    )
    if found is None or not found.user.active:
        return None, LinkProblem.UNKNOWN
    if found.used_at is not None:
        return found, LinkProblem.USED
    if found.expires_at <= utcnow():
        return found, LinkProblem.EXPIRED
    return found, None


def set_password_with_token(found: AccountToken, password: str) -> LinkProblem | None:
    """Use the link to set the password. The claim is one conditional UPDATE, so two requests
    racing with the same link cannot both succeed, even on different web servers."""
    now = utcnow()
    claimed = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.id == found.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.refresh(found)
        return LinkProblem.USED if found.used_at else LinkProblem.EXPIRED
    user = found.user
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_urlsafe(32)  # any other session ends
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    audit.record(f"user.password_set_by_{found.purpose}_link", obj=user, actor=user)
    return None


def resets_in_last_hour(user: User) -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        select(func.count(AccountToken.id)).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == RESET,
            AccountToken.created_at >= since,
        )
    )


def reset_wanted_for(email: str) -> User | None:
    """Whom to send a reset link to, if anyone. The caller gives the same answer either way."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        return None
    if user.is_demo and not current_app.config["DEMO_ACCOUNTS"]:
        return None
    if resets_in_last_hour(user) >= RESETS_PER_HOUR:
        return None
    return user


# --- Emails ----------------------------------------------------------------------------------

SUBJECTS = {
    INVITE: "Your account on the improvement plan tracker: create your password",
    RESET: "Reset your password for the improvement plan tracker",
}
TEMPLATES = {INVITE: "account-invite", RESET: "password-reset"}


def link_for(token: str) -> str:
    path = url_for("auth.set_password", token=token)
    return current_app.config["BASE_URL"].rstrip("/") + path


def account_message(user: User, purpose: str, token: str, invited_by: User | None = None):
    context = {
        "user": user,
        "link": link_for(token),
        "valid_for": valid_for_words(purpose),
        "invited_by": invited_by,
        "sign_in_url": current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sign_in"),
        "forgot_url": current_app.config["BASE_URL"].rstrip("/") + url_for("auth.forgot_password"),
    }
    name = TEMPLATES[purpose]
    return build_message(
        user.email,
        SUBJECTS[purpose],
        render_template(f"emails/{name}.txt", **context),
        render_template(f"emails/{name}.html", **context),
        to_name=user.name,
    )


def send_messages(messages: list, connection=None) -> bool:
    """Send over SMTP; False (logged) if the mail server cannot be reached or refuses."""
    try:
        connection = connection or open_connection()
    except OSError as error:
        log.warning("Could not connect to the mail server: %s", error)
        return False
    try:
        connection.send_messages(messages)
        return True
    except OSError as error:  # smtplib.SMTPException is an OSError
        log.warning("The mail server did not accept an account email: %s", error)
        return False
    finally:
        with contextlib.suppress(OSError):
            connection.close()
