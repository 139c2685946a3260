"""Read queries for the admin pages."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Action, Plan, PlanStatus, Recommendation, User


def active_counts() -> dict[str, int]:
    """How many plans are active and how many people can sign in (the admin home page)."""
    plans = select(func.count(Plan.id)).where(Plan.status == PlanStatus.ACTIVE)
    people = select(func.count(User.id)).where(User.active)
    return {
        "plans": db.session.scalar(plans) or 0,
        "people": db.session.scalar(people) or 0,
    }


def plans_led_by(lead_id: int | None) -> list[Plan]:
    """Every plan (lead_id None), or the plans this person leads, archived ones last."""
    query = select(Plan).options(joinedload(Plan.lead)).order_by(Plan.status, Plan.title)
    if lead_id is not None:
        query = query.where(Plan.lead_id == lead_id)
    return list(db.session.scalars(query))


def recommendation_with_plan(rec_id: int) -> Recommendation | None:
    query = (
        select(Recommendation)
        .where(Recommendation.id == rec_id)
        .options(joinedload(Recommendation.plan), joinedload(Recommendation.theme))
    )
    return db.session.scalar(query)


def action_with_plan(action_id: int) -> Action | None:
    query = (
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.recommendation).joinedload(Recommendation.plan),
            joinedload(Action.updated_by),
        )
    )
    return db.session.scalar(query)
