"""Changing a plan's structure: recommendations and actions. Admins, or the plan's own lead.

Each route declares VIEW_PLANS and then `changes_structure` (tracker/admin/structure_access.py)
checks can_change_plan_structure for the plan concerned: anyone else gets 403 and nothing changes;
an archived plan gets 409.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from tracker.admin import bp
from tracker.admin.forms import (
    ActionForm,
    ConfirmForm,
    DeleteForm,
    RecommendationForm,
    WithdrawForm,
    chosen_id,
    people_choices,
)
from tracker.admin.plan_details import possible_leads
from tracker.admin.structure import (
    ActionDetails,
    RecommendationDetails,
    action_removal_blockers,
    add_action,
    add_recommendation,
    delete_action,
    delete_recommendation,
    has_progress_history,
    move_action,
    move_recommendation,
    recommendation_removal_blockers,
    reinstate_action,
    reinstate_recommendation,
    update_action,
    update_recommendation,
    withdraw_action,
    withdraw_recommendation,
)
from tracker.admin.structure_access import (
    action_for_change,
    changes_structure,
    plan_for_structure,
    recommendation_for_change,
)
from tracker.args import whole_number
from tracker.extensions import db
from tracker.models import Action, Plan, Recommendation
from tracker.permissions import Permission, permission_required
from tracker.rules import RuleError, StaleEdit
from tracker.templating import govuk_datetime
from tracker.uow import unit_of_work


def _back_to(plan_id: int, anchor: str | None = None):
    return redirect(url_for("admin.plan", plan_id=plan_id, _anchor=anchor))


def _step() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return -1 if direction == "up" else 1


# --- Recommendations ---------------------------------------------------------------------------


def _recommendation_form(rec: Recommendation | None = None) -> RecommendationForm:
    data = None
    if rec is not None:
        data = {
            "title": rec.title,
            "text": rec.text,
            "theme": rec.theme.name if rec.theme else "",
            "lead_id": str(rec.lead_id) if rec.lead_id else "",
            "target_date": rec.target_date,
        }
    form = RecommendationForm(data=data)
    form.lead_id.choices = people_choices(possible_leads(), "No lead yet")
    return form


def _recommendation_details(form: RecommendationForm) -> RecommendationDetails:
    return RecommendationDetails(
        title=form.title.data,
        text=form.text.data,
        theme=form.theme.data or "",
        lead_id=chosen_id(form.lead_id.data),
        target_date=form.target_date.data,
    )


@bp.route("/plans/<int:plan_id>/recommendations/new", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(plan_for_structure)
def new_recommendation(plan: Plan):
    form = _recommendation_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                rec = add_recommendation(plan, _recommendation_details(form))
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        else:
            flash(f"Recommendation {rec.reference} has been added.", "success")
            return _back_to(plan.id, f"rec-{rec.id}")
    return render_template("admin/recommendation-form.html", form=form, plan=plan, rec=None)


@bp.route("/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(recommendation_for_change)
def edit_recommendation(rec: Recommendation):
    form = _recommendation_form(rec)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = update_recommendation(rec, _recommendation_details(form))
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        else:
            flash(
                f"Recommendation {rec.reference} has been saved."
                if changed
                else "Nothing changed.",
                "success" if changed else "info",
            )
            return _back_to(rec.plan_id, f"rec-{rec.id}")
    return render_template("admin/recommendation-form.html", form=form, plan=rec.plan, rec=rec)


@bp.route("/recommendations/<int:rec_id>/move", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(recommendation_for_change)
def move_recommendation_view(rec: Recommendation):
    step = _step()
    with unit_of_work():
        before = rec.reference
        moved = move_recommendation(rec, step)
    if moved:
        flash(
            f"Recommendation {before} is now {rec.reference}; references have been renumbered.",
            "success",
        )
    return _back_to(rec.plan_id, f"rec-{rec.id}")


@bp.route("/recommendations/<int:rec_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(recommendation_for_change)
def remove_recommendation(rec: Recommendation):
    blockers = recommendation_removal_blockers(rec)
    form = WithdrawForm() if blockers else DeleteForm()
    if form.validate_on_submit():
        reference, plan_id = rec.reference, rec.plan_id
        try:
            with unit_of_work():
                if blockers:
                    withdraw_recommendation(rec, form.reason.data, current_user)
                else:
                    delete_recommendation(rec)
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        else:
            if blockers:
                flash(f"Recommendation {reference} and its actions have been withdrawn.", "success")
            else:
                flash(
                    f"Recommendation {reference} has been deleted; references were renumbered.",
                    "success",
                )
            return _back_to(plan_id)
    return render_template(
        "admin/remove.html",
        form=form,
        plan=rec.plan,
        item=rec,
        kind="recommendation",
        blockers=blockers,
        actions=rec.actions,
    )


@bp.route("/recommendations/<int:rec_id>/reinstate", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(recommendation_for_change)
def reinstate_recommendation_view(rec: Recommendation):
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                reinstate_recommendation(rec)
        except RuleError as error:
            flash(str(error), "info")
        else:
            flash(
                f"Recommendation {rec.reference} has been reinstated. Reinstate any of its "
                "actions that should carry on.",
                "success",
            )
    return _back_to(rec.plan_id, f"rec-{rec.id}")


# --- Actions -----------------------------------------------------------------------------------


def _action_form(action: Action | None = None) -> ActionForm:
    data = None
    if action is not None:
        data = {
            "description": action.description,
            "owner_id": str(action.owner_id) if action.owner_id else "",
            "due_date": action.current_due_date,
            "version": str(action.version),
        }
    form = ActionForm(data=data)
    form.owner_id.choices = people_choices(possible_leads(), "Not assigned yet")
    return form


def _action_details(form: ActionForm) -> ActionDetails:
    return ActionDetails(
        description=form.description.data,
        owner_id=chosen_id(form.owner_id.data),
        due_date=form.due_date.data,
    )


@bp.route("/recommendations/<int:rec_id>/actions/new", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(recommendation_for_change)
def new_action(rec: Recommendation):
    form = _action_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                action = add_action(rec, _action_details(form), current_user)
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        else:
            flash(f"Action {action.reference} has been added.", "success")
            return _back_to(rec.plan_id, f"rec-{rec.id}")
    return render_template(
        "admin/action-form.html", form=form, rec=rec, plan=rec.plan, action=None, due_locked=False
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(action_for_change)
def edit_action(action: Action):
    rec = action.recommendation
    form = _action_form(action)
    due_locked = has_progress_history(action)
    stale = None
    if form.validate_on_submit():
        expected = whole_number(form.version.data)
        expected = -1 if expected is None else expected
        try:
            with unit_of_work():
                changed = update_action(action, _action_details(form), current_user, expected)
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        except (StaleEdit, StaleDataError):
            db.session.rollback()
            stale = action_for_change(action.id)
            form.version.data = str(stale.version)
            form.description.errors.append(_stale_message(stale))
        else:
            flash(
                f"Action {action.reference} has been saved." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return _back_to(rec.plan_id, f"rec-{rec.id}")
    return render_template(
        "admin/action-form.html",
        form=form,
        rec=rec,
        plan=rec.plan,
        action=stale or action,
        due_locked=due_locked,
        stale=stale,
    )


def _stale_message(action: Action) -> str:
    who = action.updated_by.name if action.updated_by else "Someone else"
    return (
        f"{who} changed this action on {govuk_datetime(action.updated_at)}, after you opened "
        "this page. Your changes have not been saved: check what is saved now, then save again."
    )


@bp.route("/actions/<int:action_id>/move", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(action_for_change)
def move_action_view(action: Action):
    rec = action.recommendation
    step = _step()
    with unit_of_work():
        before = action.reference
        moved = move_action(action, step)
    if moved:
        flash(f"Action {before} is now {action.reference}.", "success")
    return _back_to(rec.plan_id, f"rec-{rec.id}")


@bp.route("/actions/<int:action_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(action_for_change)
def remove_action(action: Action):
    rec = action.recommendation
    blockers = action_removal_blockers(action)
    form = WithdrawForm() if blockers else DeleteForm()
    if form.validate_on_submit():
        reference, plan_id, rec_id = action.reference, rec.plan_id, rec.id
        try:
            with unit_of_work():
                if blockers:
                    withdraw_action(action, form.reason.data, current_user)
                else:
                    delete_action(action)
        except RuleError as error:
            if not form.show_rule_error(error):
                flash(str(error), "info")
        else:
            flash(
                f"Action {reference} has been withdrawn."
                if blockers
                else f"Action {reference} has been deleted; references were renumbered.",
                "success",
            )
            return _back_to(plan_id, f"rec-{rec_id}")
    return render_template(
        "admin/remove.html",
        form=form,
        plan=rec.plan,
        item=action,
        kind="action",
        blockers=blockers,
        actions=[],
    )


@bp.route("/actions/<int:action_id>/reinstate", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(action_for_change)
def reinstate_action_view(action: Action):
    rec = action.recommendation
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                reinstate_action(action, current_user)
        except RuleError as error:
            flash(str(error), "info")
        else:
            flash(f"Action {action.reference} has been reinstated.", "success")
    return _back_to(rec.plan_id, f"rec-{rec.id}")
