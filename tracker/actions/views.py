from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.actions import bp
from tracker.actions.forms import STATUS_HINTS, MyActionsFilterForm, UpdateActionForm
from tracker.actions.fragments import my_actions_group
from tracker.actions.locks import closed_refusal, why_closed, why_evidence_stays
from tracker.actions.queries import counts, grouped, load_action, load_my_actions
from tracker.actions.updates import (
    UpdateRequest,
    check_update,
    describe_other_save,
    save_update,
)
from tracker.args import whole_number
from tracker.clock import now, today
from tracker.models import ActionStatus
from tracker.notices import notices_since_last_visit
from tracker.permissions import (
    Permission,
    can_purge_evidence,
    can_review_evidence,
    can_update_action,
    can_withdraw_evidence,
    permission_required,
    user_has,
)
from tracker.rag import action_rag
from tracker.rules import StaleEdit
from tracker.uow import unit_of_work


@bp.route("/my-actions")
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def my_actions_page():
    form = MyActionsFilterForm(request.args)
    statuses = {s.value for s in ActionStatus}
    plan_id = whole_number(form.plan.data)
    status = form.status.data if form.status.data in statuses else None
    found = load_my_actions(current_user.id, today(), plan_id=plan_id, status=status)
    form.plan.choices = [SelectChoice("", "All plans")] + [
        SelectChoice(str(p.id), p.title) for p in found.plans
    ]
    form.status.choices = _STATUS_CHOICES
    rows = found.rows
    return render_template(
        "actions/my-actions.html",
        rows=rows,
        groups=grouped(rows),
        plans_shown={row.action.plan_id for row in rows},
        counts=counts(rows),
        filters=form,
        filtered=bool(plan_id or status),
        covering=found.covering,
        notices=_notices_since_last_visit(),
        # Each row links to its action: the address worked out once, the id added per row.
        action_href=url_for("actions.action", action_id=0).removesuffix("0"),
        my_actions_group=my_actions_group,
    )


_STATUS_CHOICES = [SelectChoice("", "All statuses")] + [
    SelectChoice(s.value, s.label) for s in ActionStatus
]


def _notices_since_last_visit() -> list:
    user = current_user._get_current_object()
    moment = now()
    return notices_since_last_visit(user, moment)


@bp.route("/actions/<int:action_id>")
@permission_required(Permission.VIEW_PLANS)
def action(action_id: int):
    action = load_action(action_id) or abort(404)
    user = current_user._get_current_object()
    return render_template(
        "actions/action.html",
        action=action,
        rag=action_rag(action, today()),
        can_update=can_update_action(user, action),
        closed_reason=why_closed(action),
        can_download=user_has(user, Permission.VIEW_EVIDENCE_FILES),
        reviewable={e.id for e in action.evidence if can_review_evidence(user, e)},
        withdrawable={
            e.id
            for e in action.evidence
            if can_withdraw_evidence(user, e) and not why_evidence_stays(e)
        },
        can_purge=can_purge_evidence(user),
    )


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def update(action_id: int):
    action = load_action(action_id) or abort(404)
    user = current_user._get_current_object()
    if not can_update_action(user, action):
        abort(403)
    refusal = closed_refusal(action)
    if refusal:
        return refusal
    form = UpdateActionForm()
    if request.method == "GET":
        form.status.data = action.status
        form.version.data = str(action.version)
    stale = None
    if form.validate_on_submit():
        update_request = UpdateRequest(
            status=form.status.data,
            note=form.note.data or "",
            new_due_date=form.new_due_date.data,
            due_change_reason=form.due_change_reason.data or "",
            expected_version=whole_number(form.version.data) or 0,
        )
        problems = check_update(action, update_request, today(), user)
        for name, message in problems.by_field.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if not problems:
            try:
                with unit_of_work():
                    save_update(action, update_request, user, today())
            except StaleEdit as error:
                stale = error.record
            else:
                flash("Your update has been saved.", "success")
                return redirect(url_for("actions.action", action_id=action.id))
    if stale is not None:
        # Keep everything they typed; the next save is a deliberate one against what is there now.
        action = load_action(action_id) or abort(404)
        form.version.raw_data = [str(action.version)]
        form.version.data = str(action.version)
        stale = describe_other_save(action, user)
    return render_template(
        "actions/update.html",
        action=action,
        form=form,
        stale=stale,
        status_hints=STATUS_HINTS,
        rag=action_rag(action, today()),
    )
