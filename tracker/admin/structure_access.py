"""Who may change a plan's structure, and when: the one check every structure page makes.

Admins, or the plan's own lead, may change it (403 for anyone else); nothing changes while the
plan is archived (409, with a page saying to restore it first). Views use `changes_structure`
under their `@permission_required`; pages that only show the structure use the loaders.
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tracker.admin.queries import action_with_plan, recommendation_with_plan
from tracker.models import Action, Plan, PlanStatus, Recommendation
from tracker.permissions import can_change_plan_structure
from tracker.plans.queries import load_plan

Item = TypeVar("Item", Plan, Recommendation, Action)


def _check(plan: Plan) -> None:
    if not can_change_plan_structure(current_user, plan):
        abort(403)


def plan_for_structure(plan_id: int) -> Plan:
    """The plan with its recommendations and actions, if this person may change its structure."""
    plan = load_plan(plan_id, indicators=False) or abort(404)
    _check(plan)
    return plan


def recommendation_for_change(rec_id: int) -> Recommendation:
    rec = recommendation_with_plan(rec_id) or abort(404)
    _check(rec.plan)
    return rec


def action_for_change(action_id: int) -> Action:
    action = action_with_plan(action_id) or abort(404)
    _check(action.recommendation.plan)
    return action


def archived_refusal(plan: Plan) -> ResponseReturnValue | None:
    """Structure changes wait until an archived plan is restored; None if the plan is active."""
    if plan.status != PlanStatus.ARCHIVED:
        return None
    return render_template("admin/plan-archived.html", plan=plan), 409


def plan_of(item: Plan | Recommendation | Action) -> Plan:
    if isinstance(item, Action):
        return item.recommendation.plan
    if isinstance(item, Recommendation):
        return item.plan
    return item


def changes_structure(
    load: Callable[[int], Item],
) -> Callable[[Callable[[Item], ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """For a route whose one argument is the id of a plan, recommendation or action: load it with
    `load` (one of the loaders above: 404, 403), refuse while its plan is archived (409), then
    call the view with the loaded object instead of the id."""

    def decorate(view: Callable[[Item], ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        @wraps(view)
        def wrapper(**kwargs: int) -> ResponseReturnValue:
            (item_id,) = kwargs.values()
            item = load(item_id)
            refusal = archived_refusal(plan_of(item))
            if refusal is not None:
                return refusal
            return view(item)

        return wrapper

    return decorate
