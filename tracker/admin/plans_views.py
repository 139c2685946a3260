"""Admin pages for plans: create (with check answers), edit, archive and restore, and the page
from which a plan's structure is managed (admins, or the plan's own lead)."""

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user

from tracker.admin import bp, queries
from tracker.admin.forms import ConfirmForm, PlanForm, chosen_id, people_choices
from tracker.admin.people import deactivated_people_with_open_work
from tracker.admin.plan_details import (
    PlanDetails,
    archive_plan,
    check_details,
    create_plan,
    format_meeting_dates,
    parse_meeting_dates,
    possible_leads,
    restore_plan,
    update_plan,
)
from tracker.admin.structure_access import plan_for_structure
from tracker.extensions import db
from tracker.models import Plan, PlanStatus, Role, User
from tracker.permissions import Permission, can_change_plan_structure, permission_required
from tracker.plans import queries as plans_queries
from tracker.rules import RuleError
from tracker.uow import unit_of_work

NEW_PLAN = "admin_new_plan"


def load_plan(plan_id: int) -> Plan:
    return plans_queries.load_plan(plan_id, indicators=False) or abort(404)


@bp.route("/")
@permission_required(Permission.ADMINISTER)
def index():
    return render_template(
        "admin/index.html",
        counts=queries.active_counts(),
        orphaned=deactivated_people_with_open_work(),
    )


@bp.route("/plans")
@permission_required(Permission.VIEW_PLANS)
def plans():
    led_by = None if current_user.role == Role.ADMIN else current_user.id
    shown = [p for p in queries.plans_led_by(led_by) if can_change_plan_structure(current_user, p)]
    if not shown and current_user.role != Role.ADMIN:
        abort(403)
    return render_template("admin/plans.html", plans=shown)


# --- Creating a plan: form -> check answers -> confirmation -----------------------------------


def _plan_form(data: dict | None = None) -> PlanForm:
    form = PlanForm(data=data)
    form.lead_id.choices = people_choices(possible_leads(), "No plan lead yet")
    return form


def _form_data(details: PlanDetails) -> dict:
    return {
        "title": details.title,
        "inspectorate": details.inspectorate,
        "inspection_type": details.inspection_type,
        "published_on": details.published_on,
        "lead_id": str(details.lead_id) if details.lead_id else "",
        "meeting_dates": format_meeting_dates(details.meeting_dates),
    }


def _details_from(form: PlanForm) -> PlanDetails | None:
    dates, problems = parse_meeting_dates(form.meeting_dates.data)
    if problems:
        form.meeting_dates.errors.append(problems[0])
        return None
    return PlanDetails(
        title=form.title.data.strip(),
        inspectorate=form.inspectorate.data.strip(),
        inspection_type=form.inspection_type.data.strip(),
        published_on=form.published_on.data,
        lead_id=chosen_id(form.lead_id.data),
        meeting_dates=dates,
    )


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def new_plan():
    draft = session.get(NEW_PLAN)
    form = _plan_form(_form_data(PlanDetails.from_session(draft)) if draft else None)
    if form.validate_on_submit():
        details = _details_from(form)
        if details is not None:
            try:
                check_details(details)
            except RuleError as error:
                form.show_rule_error(error, "title")
            else:
                session[NEW_PLAN] = details.to_session()
                return redirect(url_for("admin.check_new_plan"))
    return render_template("admin/plan-form.html", form=form, plan=None)


@bp.route("/plans/new/check", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def check_new_plan():
    draft = session.get(NEW_PLAN)
    if not draft:
        return redirect(url_for("admin.new_plan"))
    details = PlanDetails.from_session(draft)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            with unit_of_work():
                plan = create_plan(details)
        except RuleError as error:
            problem = str(error)
        else:
            session.pop(NEW_PLAN, None)
            return redirect(url_for("admin.plan_created", plan_id=plan.id))
    lead = db.session.get(User, details.lead_id) if details.lead_id else None
    return render_template(
        "admin/plan-check.html", details=details, lead=lead, form=form, problem=problem
    )


@bp.route("/plans/<int:plan_id>/created")
@permission_required(Permission.ADMINISTER)
def plan_created(plan_id: int):
    return render_template("admin/plan-created.html", plan=load_plan(plan_id))


# --- Managing a plan ------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>")
@permission_required(Permission.VIEW_PLANS)
def plan(plan_id: int):
    plan = plan_for_structure(plan_id)
    return render_template(
        "admin/plan.html",
        plan=plan,
        recommendations=sorted(plan.recommendations, key=lambda r: r.position),
        form=None,
        button_form=ConfirmForm(),
        is_admin=current_user.role == Role.ADMIN,
        archived=plan.status == PlanStatus.ARCHIVED,
    )


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def edit_plan(plan_id: int):
    plan = load_plan(plan_id)
    current = PlanDetails(
        title=plan.title,
        inspectorate=plan.inspectorate,
        inspection_type=plan.inspection_type,
        published_on=plan.published_on,
        lead_id=plan.lead_id,
        meeting_dates=[m.meeting_on for m in plan.meetings],
    )
    form = _plan_form(_form_data(current))
    form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        details = _details_from(form)
        if details is not None:
            try:
                with unit_of_work():
                    changed = update_plan(plan, details)
            except RuleError as error:
                form.show_rule_error(error, "title")
            else:
                flash(
                    "The plan's details have been saved." if changed else "Nothing changed.",
                    "success" if changed else "info",
                )
                return redirect(url_for("admin.plan", plan_id=plan.id))
    return render_template("admin/plan-form.html", form=form, plan=plan)


@bp.route("/plans/<int:plan_id>/archive", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def archive(plan_id: int):
    plan = load_plan(plan_id)
    form = ConfirmForm()
    if plan.status == PlanStatus.ARCHIVED:
        return redirect(url_for("admin.plan", plan_id=plan.id))
    if form.validate_on_submit():
        with unit_of_work():
            archive_plan(plan)
        flash(
            f"{plan.title} has been archived. It can still be read, and it no longer appears in "
            "My actions or reminders.",
            "success",
        )
        return redirect(url_for("admin.plan", plan_id=plan.id))
    return render_template("admin/plan-archive.html", plan=plan, form=form)


@bp.route("/plans/<int:plan_id>/restore", methods=["POST"])
@permission_required(Permission.ADMINISTER)
def restore(plan_id: int):
    plan = load_plan(plan_id)
    form = ConfirmForm()
    if form.validate_on_submit() and plan.status == PlanStatus.ARCHIVED:
        with unit_of_work():
            restore_plan(plan)
        flash(f"{plan.title} is active again.", "success")
    return redirect(url_for("admin.plan", plan_id=plan.id))
