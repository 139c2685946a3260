"""Admin pages for API tokens: list, issue (the secret shown once), revoke."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from tracker.api.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    SCOPES,
    all_tokens,
    issue_token,
    revoke,
    token_state,
)
from tracker.extensions import db
from tracker.forms import TrackerForm
from tracker.models import ApiToken, User
from tracker.permissions import Permission, permission_required
from tracker.rules import RuleError
from tracker.text import clean_line
from tracker.uow import unit_of_work

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")


class TokenForm(TrackerForm):
    name = StringField(
        "Name",
        description="What uses the token, for example 'Data warehouse nightly load'.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name for the token")],
    )
    owner_id = SelectField(
        "Person responsible",
        description="Changes made with the token are recorded under its name and this person.",
        widget=GovSelect(),
        validators=[InputRequired("Select the person responsible for the token")],
    )
    scopes = SelectMultipleField(
        "What the token may do",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(scope, f"{scope}: {text}") for scope, text in SCOPES.items()],
        validators=[InputRequired("Select what the token may do")],
    )
    days = IntegerField(
        "Days until it expires",
        description=f"{DEFAULT_DAYS} unless you need otherwise; at most {MAX_DAYS}.",
        widget=GovTextInput(),
        default=DEFAULT_DAYS,
        validators=[
            InputRequired("Enter the number of days until the token expires"),
            NumberRange(1, MAX_DAYS, f"A token must expire within 1 to {MAX_DAYS} days"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeForm(TrackerForm):
    submit = SubmitField("Revoke token", widget=GovSubmitInput())


def _people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


@bp.route("")
@permission_required(Permission.ADMINISTER)
def index():
    return render_template(
        "admin/api-tokens.html", tokens=all_tokens(), token_state=token_state, scopes=SCOPES
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def new():
    form = TokenForm()
    form.owner_id.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(str(p.id), f"{p.name}, {p.job_title}" if p.job_title else p.name)
        for p in _people()
    ]
    if form.validate_on_submit():
        owner = db.session.get(User, int(form.owner_id.data)) if form.owner_id.data else None
        try:
            with unit_of_work():
                issued = issue_token(
                    clean_line(form.name.data) or "",
                    owner,
                    form.scopes.data,
                    form.days.data,
                    current_user._get_current_object(),
                )
        except RuleError as problem:
            form.show_rule_error(problem)
        else:
            # The secret is in this response only: it is never stored, nor put in the session.
            return render_template(
                "admin/api-token-created.html", token=issued.token, secret=issued.secret
            )
    return render_template("admin/api-token-form.html", form=form)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        with unit_of_work():
            revoke(token, current_user._get_current_object())
        flash(f"The token '{token.name}' is revoked: it is refused from now on.")
        return redirect(url_for("api_tokens.index"))
    return render_template("admin/api-token-revoke.html", form=form, token=token)
