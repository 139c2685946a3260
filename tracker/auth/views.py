from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import audit
from tracker.auth import bp, oidc
from tracker.auth.forms import SignInForm
from tracker.auth.service import attempt_sign_in
from tracker.auth.sessions import end_session, start_session
from tracker.extensions import db
from tracker.models import User
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
            if result.user is not None:
                start_session(result.user)
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
