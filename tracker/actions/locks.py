"""When an action is closed to changes, and why: one rule for the update and evidence routes.

Hiding a button is not a refusal: every route that changes an action, its evidence or its review
asks this first, as the structure routes do for archived plans.
"""

from flask import render_template

from tracker.models import Action, ActionStatus, Evidence, PlanStatus


def why_closed(action: Action) -> str | None:
    """The reason, in words for the person trying, that this action cannot change; None if open."""
    plan = action.recommendation.plan
    if plan.status == PlanStatus.ARCHIVED:
        return f"{plan.title} is archived, so its actions cannot be updated and take no evidence."
    if action.withdrawn_reason:
        return (
            f"Action {action.reference} has been withdrawn, so it cannot be updated and takes "
            "no evidence."
        )
    if action.status == ActionStatus.VERIFIED:
        return (
            f"Action {action.reference} has been verified, so it can no longer be updated and "
            "takes no more evidence."
        )
    return None


def closed_refusal(action: Action):
    """A 409 page saying why, if the action is closed to changes; None if it is open."""
    reason = why_closed(action)
    if reason is None:
        return None
    return render_template("actions/closed.html", action=action, reason=reason), 409


def why_evidence_stays(evidence: Evidence) -> str | None:
    """Why this evidence cannot be withdrawn now (None if it can). Withdrawal undoes a mistake,
    so a verified or withdrawn action does not stop it; only an archived plan, which is a closed
    record, does (an admin can still purge on request)."""
    plan = evidence.action.recommendation.plan
    if evidence.withdrawn:
        return f"The evidence '{evidence.title}' has already been withdrawn."
    if plan.status == PlanStatus.ARCHIVED:
        return (
            f"{plan.title} is archived, so its evidence cannot be withdrawn. An admin can purge it "
            "on request."
        )
    return None


def evidence_refusal(evidence: Evidence):
    """A 409 page saying why the evidence cannot be withdrawn; None if it can."""
    reason = why_evidence_stays(evidence)
    if reason is None:
        return None
    return render_template("actions/closed.html", action=evidence.action, reason=reason), 409
