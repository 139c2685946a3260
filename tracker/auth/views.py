import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import audit
from tracker.auth import bp, oidc
from tracker.auth.forms import RecoveryCodeForm, SignInCodeForm, SignInForm
from tracker.auth.service import attempt_code, attempt_sign_in
from tracker.auth.sessions import end_session, start_session
from tracker.extensions import db
from tracker.models import User, utcnow
from tracker.permissions import Permission, permission_required
from tracker.redirects import safe_next_url
from tracker.uow import unit_of_work


@bp.route("/sign-in", methods=["GET", "POST"])
@permission_required(Permission.PUBLIC)
def sign_in():
    next_url = safe_next_url(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        with unit_of_work():
            result = attempt_sign_in(form.email.data, form.password.data, request.remote_addr)
            if result.user is not None and not result.needs_code:
                start_session(result.user)
        if result.needs_code and result.user is not None:
            _await_code(result.user, next_url)
            return redirect(url_for("auth.sign_in_code"))
        if result.user is not None:
            return redirect(next_url or url_for("main.home"))
        form.password.errors.append(result.error)
        form.password.data = ""
    demo = current_app.config["DEMO_ACCOUNTS"]
    return render_template(
        "auth/sign-in.html",
        form=form,
        next_url=next_url,
        demo=demo,
        demo_accounts=demo_accounts() if demo else [],
        demo_password=current_app.config["DEMO_PASSWORD"],
        council_sign_in=oidc.settings() is not None,
        provider=current_app.config["OIDC_PROVIDER_NAME"],
        local_passwords=current_app.config["LOCAL_PASSWORDS"],
    )


# --- The second step, for people with two-factor authentication ------------------------------
# After the right password the browser holds only who is half-way and when: no one is signed
# in (no session record, no user id in the cookie), so every page but this one still asks them
# to sign in. The half-way state lasts a few minutes.

AWAITING_CODE = "awaiting_code"
CODE_WAIT = timedelta(minutes=5)


def _password_mark(user: User) -> str:
    """Which password was given: a password changed or reset meanwhile (which ends every
    session) ends the half-way state too. A hash of the stored hash, so the cookie holds
    nothing a password could be guessed from."""
    return hashlib.sha256((user.password_hash or "").encode("utf-8")).hexdigest()[:32]


def _await_code(user: User, next_url: str | None) -> None:
    session.clear()
    session[AWAITING_CODE] = {
        "user_id": user.id,
        "since": utcnow().isoformat(),
        "next": next_url or "",
        "password": _password_mark(user),
    }


def _user_awaiting_code() -> tuple[User | None, str]:
    waiting = session.get(AWAITING_CODE)
    if not isinstance(waiting, dict):
        return None, ""
    try:
        since = datetime.fromisoformat(waiting["since"])
        user = db.session.get(User, int(waiting["user_id"]))
    except (TypeError, KeyError, ValueError):
        return None, ""
    if user is None or not user.has_two_factor or utcnow() - since > CODE_WAIT:
        return None, ""
    if not secrets.compare_digest(str(waiting.get("password")), _password_mark(user)):
        return None, ""
    return user, safe_next_url(waiting.get("next")) or ""


@bp.route("/sign-in/code", methods=["GET", "POST"])
@permission_required(Permission.PUBLIC)
def sign_in_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, next_url = _user_awaiting_code()
    if user is None:
        session.pop(AWAITING_CODE, None)
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    # A recovery code has letters: it gets a text keyboard; an app's code, a numeric one.
    recovery = request.args.get("use") == "recovery-code"
    form = RecoveryCodeForm() if recovery else SignInCodeForm()
    if form.validate_on_submit():
        with unit_of_work():
            result = attempt_code(user, form.code.data, request.remote_addr)
            if result.ok:
                start_session(user, result.method)
        if result.ok:
            _tell_recovery_codes_left(result.recovery_codes_left)
            return redirect(next_url or url_for("main.home"))
        form.code.errors.append(result.error)
        form.code.data = ""
    return render_template("auth/sign-in-code.html", form=form, recovery=recovery)


def _tell_recovery_codes_left(left: int | None) -> None:
    if left is None:
        return
    words = "no recovery codes" if left == 0 else f"{left} recovery code{'s' if left > 1 else ''}"
    flash(
        f"You signed in with a recovery code, which now no longer works. You have {words} "
        "left: get new ones from Your account, two-factor authentication.",
        "info",
    )


def demo_accounts() -> list[User]:
    query = select(User).where(User.is_demo, User.active).order_by(User.role, User.email)
    return list(db.session.scalars(query))


@bp.route("/sign-out", methods=["POST"])
@permission_required(Permission.PUBLIC)
def sign_out():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        with unit_of_work():
            audit.record("sign_out", actor=user, obj=user)
            end_session(user)
    else:
        end_session(None)
    db.session.remove()
    return redirect(url_for("auth.signed_out"))


@bp.route("/signed-out")
@permission_required(Permission.PUBLIC)
def signed_out():
    return render_template("auth/signed-out.html")
