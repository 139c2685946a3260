"""Read queries for the admin pages."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Action, Recommendation


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
