from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.admin.plan_details import possible_leads
from tracker.clock import today
from tracker.deputies import bp
from tracker.deputies.forms import DeputyForm, EndCoverForm
from tracker.deputies.rules import check_deputy, end_cover, name_deputy, named_by
from tracker.extensions import db
from tracker.models import Deputy, User
from tracker.permissions import Permission, permission_required
from tracker.uow import unit_of_work


def _possible_deputies(person: User) -> list[User]:
    return [p for p in possible_leads() if p.id != person.id]


@bp.route("/account/deputies", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def deputies():
    person = current_user._get_current_object()
    form = DeputyForm()
    people = {str(p.id): p for p in _possible_deputies(person)}
    form.deputy.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(key, f"{p.name} ({p.job_title or p.role_label})") for key, p in people.items()
    ]
    if form.validate_on_submit():
        deputy = people.get(form.deputy.data or "")
        problems = check_deputy(person, deputy, form.starts_on.data, form.ends_on.data, today())
        for name, message in problems.by_field.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if not problems:
            starts, ends = form.starts_on.data, form.ends_on.data
            # check_deputy refuses a missing deputy or date
            assert deputy is not None and starts is not None and ends is not None
            with unit_of_work():
                name_deputy(person, deputy, starts, ends)
            flash(f"{deputy.name} will cover for you.")
            return redirect(url_for("deputies.deputies"))
    return render_template(
        "deputies/deputies.html",
        form=form,
        covers=named_by(person.id, today()),
        end_form=EndCoverForm(),
        today=today(),
    )


@bp.route("/account/deputies/<int:cover_id>/end", methods=["POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def end(cover_id: int):
    person = current_user._get_current_object()
    cover = db.session.get(Deputy, cover_id) or abort(404)
    if cover.person_id != person.id:
        abort(403)
    if not EndCoverForm().validate_on_submit():
        abort(400)
    name = cover.deputy.name
    with unit_of_work():
        end_cover(cover, person, today())
    flash(f"{name} no longer covers for you.")
    return redirect(url_for("deputies.deputies"))
