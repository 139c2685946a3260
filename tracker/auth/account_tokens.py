"""Single-use, time-limited links for setting a password (a new account, or a reset).

The link carries a random token; only its SHA-256 is stored, so a copy of the database cannot be
used to set anyone's password. A link works once (used_at), and not after it expires. Issuing a
new link for the same purpose ends the earlier ones.
"""

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app, render_template, url_for
from sqlalchemy import func, select, update

from tracker import audit
from tracker.auth.passwords import hash_password
from tracker.auth.service import password_allowed
from tracker.auth.sessions import PASSWORD_RESET, end_sessions
from tracker.extensions import db, rows_matched
from tracker.models import AccountToken, ReminderOutbox, User, utcnow

INVITE = "invite"
RESET = "reset"
VALID_FOR = {INVITE: timedelta(hours=24), RESET: timedelta(hours=1)}
RESETS_PER_HOUR = 3  # more requests than this for one account send nothing (same answer)


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    NOT_NEEDED = "not_needed"  # LOCAL_PASSWORDS=off: the person cannot sign in with a password


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
    if not password_allowed(found.user.email):
        return found, LinkProblem.NOT_NEEDED
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
    if rows_matched(claimed) != 1:
        db.session.refresh(found)
        return LinkProblem.USED if found.used_at else LinkProblem.EXPIRED
    user = found.user
    user.password_hash = hash_password(password)
    end_sessions(user, PASSWORD_RESET)  # every session ends: sign in with the new password
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
    """Reset emails queued for this person in the last hour (sent or not)."""
    since = utcnow() - timedelta(hours=1)
    query = select(func.count(ReminderOutbox.id)).where(
        ReminderOutbox.recipient_id == user.id,
        ReminderOutbox.kind == RESET,
        ReminderOutbox.created_at >= since,
    )
    return db.session.scalar(query) or 0


def reset_wanted_for(email: str) -> User | None:
    """Whom to send a reset link to, if anyone. The caller gives the same answer either way."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        return None
    if user.is_demo and not current_app.config["DEMO_ACCOUNTS"]:
        return None
    if not password_allowed(user.email):
        return None  # LOCAL_PASSWORDS=off: a password would not let them in
    if resets_in_last_hour(user) >= RESETS_PER_HOUR:
        return None
    return user


# --- Emails ---------------------------------------------------------------------------------
# Account emails are never sent inside a request: the request queues one in the outbox that the
# reminders use, and the sender (the scheduler, or `reminders send`) sends it within a minute.
# So the answer to "forgot password" takes as long whether or not an account exists, and a slow
# or broken mail server never holds up a page. The set-password link is issued only when the
# email is sent: the queued body holds a placeholder, so the database never holds a usable link.

SUBJECTS = {
    INVITE: "Your account on the improvement plan tracker: create your password",
    RESET: "Reset your password for the improvement plan tracker",
}
# LOCAL_PASSWORDS=off: someone who cannot use a password is told how to sign in instead, and is
# never sent a link to set one (the email has no link, so no link is issued when it is sent).
NO_PASSWORD_SUBJECT = "Your account on the improvement plan tracker: how to sign in"  # noqa: S105
TEMPLATES = {INVITE: "account-invite", RESET: "password-reset"}
LINK_PLACEHOLDER = "link-issued-when-this-email-is-sent"


def link_for(token: str) -> str:
    path = url_for("auth.set_password", token=token)
    return current_app.config["BASE_URL"].rstrip("/") + path


def account_email_bodies(
    user: User, purpose: str, invited_by: User | None = None
) -> tuple[str, str]:
    """The email's text and HTML, with the link placeholder."""
    context = {
        "user": user,
        "link": link_for(LINK_PLACEHOLDER),
        "valid_for": valid_for_words(purpose),
        "invited_by": invited_by,
        "sign_in_url": current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sign_in"),
        "forgot_url": current_app.config["BASE_URL"].rstrip("/") + url_for("auth.forgot_password"),
    }
    context["passwords"] = password_allowed(user.email)
    context["provider"] = current_app.config["OIDC_PROVIDER_NAME"]
    name = TEMPLATES[purpose]
    return (
        render_template(f"emails/{name}.txt", **context),
        render_template(f"emails/{name}.html", **context),
    )


def queue_account_email(user: User, purpose: str, invited_by: User | None = None) -> None:
    """Queue an invite or reset email for the sender. The caller commits. Someone who cannot
    use a password (LOCAL_PASSWORDS=off) is sent the invite, which then says how to sign in."""
    passwords = password_allowed(user.email)
    if not passwords:
        purpose = INVITE
    text, html = account_email_bodies(user, purpose, invited_by)
    db.session.add(
        ReminderOutbox(
            recipient_id=user.id,
            recipient_email=user.email.strip(),
            kind=purpose,
            day=utcnow().date(),
            state="pending",
            subject=SUBJECTS[purpose] if passwords else NO_PASSWORD_SUBJECT,
            body_text=text,
            body_html=html,
            action_ids=[],
            attempts=0,
        )
    )
    audit.record(f"account_email.{purpose}_queued", obj=user)


def with_fresh_link(user: User, purpose: str, text: str, html: str) -> tuple[str, str]:
    """The queued email's text and HTML with a newly issued link in place of the placeholder
    (earlier links for the same purpose stop working). The caller commits. An email without a
    link (LOCAL_PASSWORDS=off) is sent as it is: no link is issued."""
    if LINK_PLACEHOLDER not in text and LINK_PLACEHOLDER not in html:
        return text, html
    token = issue_token(user, purpose)
    return text.replace(LINK_PLACEHOLDER, token), html.replace(LINK_PLACEHOLDER, token)
