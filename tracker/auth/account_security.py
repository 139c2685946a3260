"""Your account: where you are signed in (ending sessions), and two-factor authentication."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import audit
from tracker.auth import bp
from tracker.auth.accounts import MAX_WRONG_CURRENT_PASSWORDS, wrong_current_passwords
from tracker.auth.forms import CurrentPasswordForm, SetUpTwoFactorForm
from tracker.auth.passwords import verify_password
from tracker.auth.service import password_allowed
from tracker.auth.sessions import ALL_OTHERS_ENDED, end_one_session, end_session, end_sessions
from tracker.auth.two_factor import (
    confirm_set_up,
    key_in_groups,
    must_set_up,
    new_recovery_codes,
    pending_secret,
    provisioning_uri,
    qr_code_svg,
    recovery_codes_left,
    turn_off,
    two_factor_required,
)
from tracker.forms import TrackerForm
from tracker.models import User
from tracker.permissions import Permission, permission_required
from tracker.uow import unit_of_work


def _me() -> User:
    return current_user._get_current_object()


# --- Sessions --------------------------------------------------------------------------------


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def end_other_session(session_id: int):
    user = _me()
    if TrackerForm().validate_on_submit():
        if user.current_session is not None and session_id == user.current_session.id:
            with unit_of_work():
                audit.record("sign_out", actor=user, obj=user)
                end_session(user)
            return redirect(url_for("auth.signed_out"))
        with unit_of_work():
            ended = end_one_session(user, session_id)
        if ended is not None:
            flash(f"{ended.device} has been signed out.", "success")
        else:
            flash("That device was already signed out.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def end_other_sessions():
    user = _me()
    if TrackerForm().validate_on_submit():
        with unit_of_work():
            ended = end_sessions(user, ALL_OTHERS_ENDED, keep=user.current_session)
        flash(
            f"You have been signed out of {ended} other device{'' if ended == 1 else 's'}."
            if ended
            else "You were not signed in on any other device.",
            "success" if ended else "info",
        )
    return redirect(url_for("auth.account"))


# --- Two-factor authentication ---------------------------------------------------------------


@bp.route("/account/two-factor")
@permission_required(Permission.VIEW_PLANS)
def two_factor():
    user = _me()
    return render_template(
        "auth/two-factor.html",
        person=user,
        passwords=password_allowed(user.email),
        provider=current_app.config["OIDC_PROVIDER_NAME"],
        required=two_factor_required(user),
        codes_left=recovery_codes_left(user) if user.has_two_factor else 0,
    )


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def two_factor_set_up():
    user = _me()
    if user.has_two_factor or not password_allowed(user.email):
        return redirect(url_for("auth.two_factor"))  # nothing to set up without a password
    form = SetUpTwoFactorForm()
    if form.validate_on_submit():
        with unit_of_work():
            codes = confirm_set_up(user, form.code.data)
            if codes:
                audit.record("user.two_factor_turned_on", obj=user)
        if codes:
            return _show_recovery_codes(codes, first_time=True)
        form.code.errors.append("Enter the code your authenticator app shows now for this account")
        form.code.data = ""
    with unit_of_work():
        secret = pending_secret(user)
    return render_template(
        "auth/two-factor-set-up.html",
        form=form,
        qr_code=qr_code_svg(provisioning_uri(user, secret)),
        key=key_in_groups(secret),
        forced=must_set_up(user, user.current_session),
    )


def _show_recovery_codes(codes: list[str], first_time: bool):
    """Shown once, in the answer to the POST: never stored or sent anywhere else."""
    return render_template("auth/recovery-codes.html", codes=codes, first_time=first_time)


def _password_confirmed(form: CurrentPasswordForm, user: User) -> bool:
    """The person's current password, under the same limit as changing it."""
    if not form.validate_on_submit():
        return False
    if wrong_current_passwords(user) >= MAX_WRONG_CURRENT_PASSWORDS:
        form.current_password.errors.append(
            "Too many wrong passwords have been entered. Wait 15 minutes, then try again."
        )
        return False
    if not verify_password(user.password_hash, form.current_password.data):
        with unit_of_work():
            audit.record("password_change.failed", obj=user)
        form.current_password.errors.append("Your password is not right")
        return False
    return True


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def two_factor_turn_off():
    user = _me()
    if not user.has_two_factor:
        return redirect(url_for("auth.two_factor"))
    if two_factor_required(user):
        flash("Two-factor authentication is required for your account: it cannot be turned off.")
        return redirect(url_for("auth.two_factor"))
    form = CurrentPasswordForm()
    if _password_confirmed(form, user):
        with unit_of_work():
            turn_off(user)
            audit.record("user.two_factor_turned_off", obj=user)
        flash("Two-factor authentication is off. You sign in with your password only.", "success")
        return redirect(url_for("auth.two_factor"))
    return render_template(
        "auth/two-factor-password.html",
        form=form,
        title="Turn off two-factor authentication",
        explanation="Enter your password to turn off two-factor authentication.",
    )


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def new_recovery_codes_view():
    user = _me()
    if not user.has_two_factor:
        return redirect(url_for("auth.two_factor"))
    form = CurrentPasswordForm()
    if _password_confirmed(form, user):
        with unit_of_work():
            codes = new_recovery_codes(user)
            audit.record("user.recovery_codes_renewed", obj=user)
        return _show_recovery_codes(codes, first_time=False)
    return render_template(
        "auth/two-factor-password.html",
        form=form,
        title="Get new recovery codes",
        explanation=(
            "Enter your password to get 8 new recovery codes. Your current recovery codes will "
            "stop working."
        ),
    )
