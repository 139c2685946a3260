"""Pages for signing in with the council's identity provider (tracker/auth/oidc.py)."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth import bp, oidc
from tracker.auth.sessions import start_session
from tracker.extensions import db
from tracker.permissions import Permission, permission_required
from tracker.redirects import safe_next_url
from tracker.uow import unit_of_work

# Refused sign-ins: the HTTP status and the page's title (the template says the rest).
REFUSAL_PAGES = {
    "state": (400, "Your sign-in could not be completed"),
    "token": (400, "Your sign-in could not be checked"),
    "provider_error": (403, "{provider} did not sign you in"),
    "unavailable": (502, "Signing in with {provider} is not working at the moment"),
    "no_email": (403, "{provider} did not share your email address"),
    "unverified": (403, "Your email address has not been verified"),
    "domain": (403, "You cannot sign in with this email address"),
    "not_invited": (403, "You do not have access to this service"),
    "deactivated": (403, "Your account has been deactivated"),
    "linked_elsewhere": (403, "Your account is linked to a different sign-in"),
}


def provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


@bp.route("/sign-in/council")
@permission_required(Permission.PUBLIC)
def oidc_start():
    if oidc.settings() is None:
        abort(404)
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    try:
        return redirect(oidc.begin(next_url))
    except oidc.Refused as refused:
        return refusal_page(refused)


@bp.route("/sign-in/council/callback")
@permission_required(Permission.PUBLIC)
def oidc_callback():
    if oidc.settings() is None:
        abort(404)
    try:
        with unit_of_work():
            user, next_url = oidc.finish(request.args)
            start_session(user, method="oidc")
    except oidc.Refused as refused:
        return refusal_page(refused)
    return redirect(next_url or url_for("main.home"))


def refusal_page(refused: oidc.Refused):
    """Say what happened and what to do; audit it. Nothing else is kept: no session starts."""
    db.session.rollback()
    with unit_of_work():
        oidc.record_refusal(refused)
    status, title = REFUSAL_PAGES[refused.reason]
    page = render_template(
        "auth/sign-in-refused.html",
        reason=refused.reason,
        title=title.format(provider=provider_name()),
        provider=provider_name(),
        email=refused.email,
        contact=current_app.config["SIGN_IN_HELP_CONTACT"],
    )
    return page, status
