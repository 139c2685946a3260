"""Admin pages for people: add (with check answers and an invite email), change details and
role, deactivate and reactivate, send a new set-password link, reassign a person's open work."""

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.admin import bp
from tracker.admin.forms import (
    ROLE_HINTS,
    ConfirmForm,
    EditPersonForm,
    PersonForm,
    ReassignForm,
    chosen_id,
    people_choices,
)
from tracker.admin.people import (
    PersonDetails,
    WorkToReassign,
    check_new_owner,
    check_new_person,
    create_person,
    deactivate,
    deactivated_people_with_open_work,
    open_actions_owned_by,
    people_matching,
    reactivate,
    reassign,
    recommendations_led_by,
    update_person,
)
from tracker.admin.plan_details import possible_leads
from tracker.args import text_arg
from tracker.auth.account_tokens import INVITE, RESET, queue_account_email, valid_for_words
from tracker.auth.service import password_allowed
from tracker.auth.sessions import ENDED_BY_ADMIN, end_sessions, open_sessions
from tracker.auth.two_factor import turn_off
from tracker.extensions import db
from tracker.models import Role, User
from tracker.pagination import paginate
from tracker.permissions import Permission, permission_required
from tracker.rules import RuleError
from tracker.uow import unit_of_work

NEW_PERSON = "admin_new_person"

PEOPLE_PAGE_SIZE = 50


def load_person(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _role_params() -> dict:
    return {"items": [{"hint": {"text": hint}} for hint in ROLE_HINTS.values()]}


@bp.route("/people")
@permission_required(Permission.ADMINISTER)
def people():
    search = text_arg("q")
    return render_template(
        "admin/people.html",
        page=paginate(people_matching(search), PEOPLE_PAGE_SIZE),
        search=search,
        orphaned=deactivated_people_with_open_work(),
    )


# --- Adding a person: form -> check answers -> invite email -> confirmation -----------------


@bp.route("/people/new", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def new_person():
    form = PersonForm(data=session.get(NEW_PERSON))
    if form.validate_on_submit():
        details = PersonDetails(
            name=form.name.data,
            email=form.email.data,
            job_title=form.job_title.data,
            role=form.role.data,
        )
        try:
            details = check_new_person(details)
        except RuleError as error:
            form.show_rule_error(error, "email")
        else:
            session[NEW_PERSON] = details.to_session()
            return redirect(url_for("admin.check_new_person_view"))
    return render_template(
        "admin/person-form.html", form=form, person=None, role_params=_role_params()
    )


@bp.route("/people/new/check", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def check_new_person_view():
    draft = session.get(NEW_PERSON)
    if not draft:
        return redirect(url_for("admin.new_person"))
    details = PersonDetails(**draft)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            check_new_person(details)
        except RuleError as error:
            problem = str(error)
        else:
            return _create_and_invite(details)
    return render_template(
        "admin/person-check.html",
        details=details,
        role_label=Role(details.role).label,
        form=form,
        problem=problem,
    )


def _create_and_invite(details: PersonDetails):
    """The account and its invite email, queued for the sender, in one unit of work: a mail
    server that is down delays the invite (it is retried), it never loses it."""
    inviter = current_user._get_current_object()
    with unit_of_work():
        person = create_person(details)
        queue_account_email(person, INVITE, inviter)
    session.pop(NEW_PERSON, None)
    return redirect(url_for("admin.person_added", user_id=person.id))


@bp.route("/people/<int:user_id>/added")
@permission_required(Permission.ADMINISTER)
def person_added(user_id: int):
    return render_template(
        "admin/person-added.html", person=load_person(user_id), valid_for=valid_for_words(INVITE)
    )


# --- One person ------------------------------------------------------------------------------


@bp.route("/people/<int:user_id>")
@permission_required(Permission.ADMINISTER)
def person(user_id: int):
    person = load_person(user_id)
    return render_template(
        "admin/person.html",
        person=person,
        actions=open_actions_owned_by(person.id),
        recommendations=recommendations_led_by(person.id),
        button_form=ConfirmForm(),
        is_self=person.id == current_user.id,
        session_count=len(open_sessions(person)),
        passwords=password_allowed(person.email),
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    )


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def edit_person(user_id: int):
    person = load_person(user_id)
    form = EditPersonForm(
        data={"name": person.name, "job_title": person.job_title, "role": person.role}
    )
    work = None
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = update_person(person, form.name.data, form.job_title.data, form.role.data)
        except RuleError as error:
            form.show_rule_error(error, "role")
            if isinstance(error, WorkToReassign):
                work = error
        else:
            flash(
                f"{person.name}'s details have been saved." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("admin.person", user_id=person.id))
    return render_template(
        "admin/person-form.html",
        form=form,
        person=person,
        role_params=_role_params(),
        work=work,
    )


@bp.route("/people/<int:user_id>/deactivate", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def deactivate_person(user_id: int):
    person = load_person(user_id)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            with unit_of_work():
                deactivate(person, current_user._get_current_object())
        except RuleError as error:
            problem = str(error)
        else:
            flash(
                f"{person.name} has been deactivated and signed out. They cannot sign in.",
                "success",
            )
            if open_actions_owned_by(person.id) or recommendations_led_by(person.id):
                return redirect(url_for("admin.reassign_work", user_id=person.id))
            return redirect(url_for("admin.person", user_id=person.id))
    return render_template(
        "admin/person-deactivate.html",
        person=person,
        form=form,
        problem=problem,
        actions=open_actions_owned_by(person.id),
        recommendations=recommendations_led_by(person.id),
    )


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def reactivate_person(user_id: int):
    person = load_person(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                reactivate(person)
        except RuleError as error:
            flash(str(error), "info")
        else:
            flash(f"{person.name} has been reactivated and can sign in again.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.route("/people/<int:user_id>/send-link", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def send_link(user_id: int):
    """A new invite (no password yet) or reset link; earlier links for it stop working."""
    person = load_person(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.person", user_id=person.id))
    if not person.active:
        flash(f"{person.name} is deactivated: reactivate them first.", "info")
        return redirect(url_for("admin.person", user_id=person.id))
    purpose = INVITE if person.password_hash is None else RESET
    with unit_of_work():
        queue_account_email(person, purpose, current_user._get_current_object())
    if not password_allowed(person.email):
        provider = current_app.config["OIDC_PROVIDER_NAME"]
        flash(
            f"We are sending {person.email} an email saying how to sign in with {provider}, "
            "within a minute. It has no link to set a password: passwords are turned off.",
            "info",
        )
        return redirect(url_for("admin.person", user_id=person.id))
    flash(
        f"We are sending {person.email} a link to set a password, within a minute. It works "
        f"once, within {valid_for_words(purpose)}; earlier links stop working when it is sent.",
        "info",
    )
    return redirect(url_for("admin.person", user_id=person.id))


@bp.route("/people/<int:user_id>/end-sessions", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def end_person_sessions(user_id: int):
    """Sign the person out on every device (a lost laptop, a suspected compromise). An admin
    ending their own sessions stays signed in on this device, as with "Sign out of all other
    devices", rather than being sent to the sign-in page with no word of why."""
    person = load_person(user_id)
    if ConfirmForm().validate_on_submit():
        me = current_user._get_current_object()
        keep = me.current_session if person.id == me.id else None
        with unit_of_work():
            ended = end_sessions(person, ENDED_BY_ADMIN, keep=keep)
        sessions = f"{ended} session{'' if ended == 1 else 's'}"
        flash(
            f"You have been signed out of {sessions} on other devices. This device stays signed in."
            if keep
            else f"{person.name} has been signed out of {sessions}.",
            "success",
        )
    return redirect(url_for("admin.person", user_id=person.id))


@bp.route("/people/<int:user_id>/reset-two-factor", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def reset_person_two_factor(user_id: int):
    """For someone who has lost their phone and their recovery codes: two-factor is turned off
    (and, where it is required, set up again at their next sign-in)."""
    person = load_person(user_id)
    if person.id == current_user.id:
        # Not a way round the password that turning your own off needs (Your account).
        flash("Change your own two-factor authentication from Your account.", "info")
        return redirect(url_for("auth.two_factor"))
    if ConfirmForm().validate_on_submit() and person.has_two_factor:
        with unit_of_work():
            turn_off(person)
            audit.record("user.two_factor_reset", obj=person)
        flash(f"{person.name}'s two-factor authentication has been reset.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


# --- Reassigning a person's open work -------------------------------------------------------


@bp.route("/people/<int:user_id>/reassign", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def reassign_work(user_id: int):
    person = load_person(user_id)
    actions = open_actions_owned_by(person.id)
    recs = recommendations_led_by(person.id)
    form = ReassignForm()
    form.action_ids.choices = [
        SelectChoice(a.id, f"{a.reference}: {a.description}") for a in actions
    ]
    form.recommendation_ids.choices = [
        SelectChoice(r.id, f"{r.reference}: {r.title}") for r in recs
    ]
    candidates = [p for p in possible_leads() if p.id != person.id]
    form.new_owner_id.choices = people_choices(candidates, "Choose a person")
    if not form.is_submitted():
        form.action_ids.data = [a.id for a in actions]
        form.recommendation_ids.data = [r.id for r in recs]
    if form.validate_on_submit():
        try:
            new_owner = check_new_owner(chosen_id(form.new_owner_id.data))
            with unit_of_work():
                moved_actions, moved_recs = reassign(
                    person,
                    new_owner,
                    form.action_ids.data or [],
                    form.recommendation_ids.data or [],
                    current_user._get_current_object(),
                )
        except RuleError as error:
            form.show_rule_error(error, "new_owner_id")
        else:
            flash(
                f"{_count(moved_actions, 'action')} and {_count(moved_recs, 'recommendation')} "
                f"moved from {person.name} to {new_owner.name}.",
                "success",
            )
            return redirect(url_for("admin.person", user_id=person.id))
    return render_template(
        "admin/person-reassign.html", person=person, form=form, actions=actions, recs=recs
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
