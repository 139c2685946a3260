"""A person's own account: forgotten password, set-password links, change password, sign-ins.

"Forgot password" gives the same answer whether or not an account has the address, and sends
an email only when one does.
"""

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from tracker import audit
from tracker.auth import bp
from tracker.auth.account_forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from tracker.auth.account_tokens import (
    RESET,
    LinkProblem,
    account_email_bodies,
    find_token,
    queue_account_email,
    reset_wanted_for,
    set_password_with_token,
    valid_for_words,
)
from tracker.auth.passwords import hash_password, verify_password
from tracker.auth.service import FAILURE_EVENTS, normalise_email, password_allowed
from tracker.auth.sessions import PASSWORD_CHANGED, end_sessions, open_sessions
from tracker.extensions import db
from tracker.models import AuditEvent, User, utcnow
from tracker.permissions import Permission, permission_required
from tracker.uow import unit_of_work

RESET_EMAIL = "reset_requested_for"
MAX_WRONG_CURRENT_PASSWORDS = 10
WRONG_CURRENT_WINDOW = timedelta(minutes=15)


@bp.route("/forgot-password", methods=["GET", "POST"])
@permission_required(Permission.PUBLIC)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = _email_or_error(form)
        if email:
            _send_reset_if_wanted(email)
            session[RESET_EMAIL] = email
            return redirect(url_for("auth.reset_link_sent"))
    return render_template("auth/forgot-password.html", form=form)


def _email_or_error(form: ForgotPasswordForm) -> str | None:
    try:
        validate_email(form.email.data.strip(), check_deliverability=False)
    except EmailNotValidError:
        form.email.errors.append(
            "Enter an email address in the correct format, like name@example.org"
        )
        return None
    return normalise_email(form.email.data)


def _send_reset_if_wanted(email: str) -> None:
    """Queue a reset email if the address has an account that may have one; nothing is sent
    here, so the answer takes as long either way (the sender sends it within a minute)."""
    with unit_of_work():
        audit.record("password_reset.requested", subject=email, actor=None)
        user = reset_wanted_for(email)
        if user is not None:
            queue_account_email(user, RESET)
        else:
            # The same rendering work for nobody, so the time taken does not tell either.
            account_email_bodies(User(name="", email=email), RESET)


@bp.route("/forgot-password/check-your-email")
@permission_required(Permission.PUBLIC)
def reset_link_sent():
    return render_template(
        "auth/reset-link-sent.html",
        email=session.get(RESET_EMAIL),
        valid_for=valid_for_words(RESET),
    )


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@permission_required(Permission.PUBLIC)
def set_password(token: str):
    found, problem = find_token(token)
    if problem:
        return _link_problem(problem)
    assert found is not None  # find_token gives a token or a problem
    form = NewPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            problem = set_password_with_token(found, form.password.data)
        if problem:
            return _link_problem(problem)
        logout_user()
        session.clear()
        flash(
            "Your password has been set. Sign in with your email address and new password.",
            "success",
        )
        return redirect(url_for("auth.sign_in"))
    return render_template(
        "auth/set-password.html", form=form, person=found.user, purpose=found.purpose
    )


def _link_problem(problem: LinkProblem):
    status = 404 if problem is LinkProblem.UNKNOWN else 410
    page = render_template(
        "auth/link-problem.html",
        problem=problem.value,
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    )
    return page, status


# --- Signed in: your account -----------------------------------------------------------------


# Sign-ins with a password (and any second factor) and through the council's identity provider.
SIGN_IN_EVENTS = ("sign_in.succeeded", "sign_in.oidc_succeeded")


def sign_in_history(user: User, limit: int = 5) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.event.in_(SIGN_IN_EVENTS), AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit + 1)
    )
    return list(db.session.scalars(query))


def failed_sign_ins_since(user: User, since) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.event.in_(FAILURE_EVENTS), AuditEvent.subject == user.email.lower()
    )
    if since is not None:
        query = query.where(AuditEvent.occurred_at > since)
    return db.session.scalar(query) or 0


@bp.route("/account")
@permission_required(Permission.VIEW_PLANS)
def account():
    user = current_user._get_current_object()
    history = sign_in_history(user)
    previous = history[1] if len(history) > 1 else None
    return render_template(
        "auth/account.html",
        person=user,
        this_sign_in=user.last_signed_in_at,
        previous_sign_in=previous.occurred_at if previous else None,
        earlier_sign_ins=history[1:],
        failed_since_previous=failed_sign_ins_since(
            user, previous.occurred_at if previous else None
        ),
        sessions=open_sessions(user),
        current_session=user.current_session,
        passwords=password_allowed(user.email),
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    )


def wrong_current_passwords(user: User) -> int:
    since = utcnow() - WRONG_CURRENT_WINDOW
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.event == "password_change.failed",
        AuditEvent.object_id == user.id,
        AuditEvent.occurred_at >= since,
    )
    return db.session.scalar(query) or 0


@bp.route("/account/password", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if wrong_current_passwords(user) >= MAX_WRONG_CURRENT_PASSWORDS:
            form.current_password.errors.append(
                "Too many wrong passwords have been entered. Wait 15 minutes, then try again."
            )
        elif not verify_password(user.password_hash, form.current_password.data):
            with unit_of_work():
                audit.record("password_change.failed", obj=user)
            form.current_password.errors.append("Your current password is not right")
        elif form.password.data == form.current_password.data:
            form.password.errors.append("The new password must be different from your current one")
        else:
            with unit_of_work():
                user.password_hash = hash_password(form.password.data)
                audit.record("user.password_changed", obj=user)
                # Every other device is signed out; this browser carries on.
                end_sessions(user, PASSWORD_CHANGED, keep=user.current_session)
            flash(
                "Your password has been changed. You have been signed out on any other device.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change-password.html", form=form)
