"""Read queries for the audit record pages: each returns a statement the view pages or exports."""

from datetime import datetime

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, Plan, ProgressUpdate, Recommendation, User


def newest_first(query: Select) -> Select:
    """Events newest first, each with who did it."""
    return query.options(joinedload(AuditEvent.actor)).order_by(
        AuditEvent.occurred_at.desc(), AuditEvent.id.desc()
    )


def about_action(action_id: int) -> Select:
    """Events about the action and about its evidence."""
    evidence_ids = select(Evidence.id).where(Evidence.action_id == action_id)
    return select(AuditEvent).where(
        or_(
            (AuditEvent.object_type == "Action") & (AuditEvent.object_id == action_id),
            (AuditEvent.object_type == "Evidence") & AuditEvent.object_id.in_(evidence_ids),
        )
    )


def progress_update_count(action_id: int) -> int:
    query = select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action_id)
    return db.session.scalar(query) or 0


def about_user(user: User) -> Select:
    """What the person did, what was done to their account, and sign-ins with their email."""
    return select(AuditEvent).where(
        or_(
            AuditEvent.actor_id == user.id,
            (AuditEvent.object_type == "User") & (AuditEvent.object_id == user.id),
            AuditEvent.subject == user.email,
        )
    )


def people_and_plans() -> tuple[list[Row], list[Row]]:
    """(id, name) of everyone and (id, title) of every plan, for the filter's choices."""
    people = db.session.execute(select(User.id, User.name).order_by(User.name)).all()
    plans = db.session.execute(select(Plan.id, Plan.title).order_by(Plan.title)).all()
    return list(people), list(plans)


def filtered(
    actor_id: int | None,
    plan_id: int | None,
    prefixes: tuple[str, ...] | None,
    start: datetime | None,
    end: datetime | None,
) -> Select:
    """Events by this person, about this plan (anything in it), of these kinds, in [start, end)."""
    query = select(AuditEvent)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if plan_id is not None:
        query = query.where(_in_plan(plan_id))
    if prefixes is not None:
        query = query.where(or_(*(AuditEvent.event.startswith(p) for p in prefixes)))
    if start is not None:
        query = query.where(AuditEvent.occurred_at >= start)
    if end is not None:
        query = query.where(AuditEvent.occurred_at < end)
    return query


def _in_plan(plan_id: int) -> ColumnElement[bool]:
    recommendations = select(Recommendation.id).where(Recommendation.plan_id == plan_id)
    actions = select(Action.id).where(Action.recommendation_id.in_(recommendations))
    evidence = select(Evidence.id).where(Evidence.action_id.in_(actions))
    return or_(
        (AuditEvent.object_type == "Plan") & (AuditEvent.object_id == plan_id),
        (AuditEvent.object_type == "Recommendation") & AuditEvent.object_id.in_(recommendations),
        (AuditEvent.object_type == "Action") & AuditEvent.object_id.in_(actions),
        (AuditEvent.object_type == "Evidence") & AuditEvent.object_id.in_(evidence),
    )
