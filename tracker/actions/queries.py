"""Read queries for action pages, each a fixed number of statements."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    Evidence,
    Plan,
    PlanStatus,
    ProgressUpdate,
    Recommendation,
    User,
)
from tracker.rag import DUE_SOON_DAYS, Colour, Rag, action_rag


@dataclass
class MyActionRow:
    action: Action
    rag: Rag
    last_update_at: datetime | None
    group: str  # a key of GROUPS


def load_action(action_id: int) -> Action | None:
    query = (
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.owner),
            joinedload(Action.updated_by),
            joinedload(Action.recommendation).joinedload(Recommendation.plan),
            joinedload(Action.recommendation).joinedload(Recommendation.lead),
            selectinload(Action.updates).options(
                joinedload(ProgressUpdate.author), joinedload(ProgressUpdate.on_behalf_of)
            ),
            selectinload(Action.evidence).options(
                joinedload(Evidence.added_by),
                joinedload(Evidence.reviewed_by),
                joinedload(Evidence.withdrawn_by),
            ),
        )
    )
    return db.session.scalar(query)


def _group(action: Action, today: date) -> str:
    if action.status == ActionStatus.COMPLETED:
        return "awaiting_verification"
    if action.is_closed or action.current_due_date is None:
        return "other"
    if action.current_due_date < today:
        return "overdue"
    if (action.current_due_date - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "other"


GROUPS = {
    "overdue": "Overdue",
    "due_soon": "Due in the next 14 days",
    "awaiting_verification": "Completed, awaiting verification",
    "other": "Everything else",
}
GROUP_ORDER = {key: n for n, key in enumerate(GROUPS)}


@dataclass
class MyActionGroup:
    key: str
    heading: str
    rows: list[MyActionRow]
    by_plan: list[tuple[Plan, list[MyActionRow]]]


def grouped(rows: list[MyActionRow]) -> list[MyActionGroup]:
    """The non-empty groups in order, each also split by plan (plans by title, rows keeping
    their due-date order), so a plan's name is shown once, not on every row."""
    groups = []
    for key, heading in GROUPS.items():
        group_rows = [r for r in rows if r.group == key]
        if not group_rows:
            continue
        plans: dict[int, tuple[Plan, list[MyActionRow]]] = {}
        for row in group_rows:
            plan = row.action.recommendation.plan
            plans.setdefault(plan.id, (plan, []))[1].append(row)
        by_plan = sorted(plans.values(), key=lambda pair: pair[0].title)
        groups.append(MyActionGroup(key, heading, group_rows, by_plan))
    return groups


def my_actions(
    owner_id: int, today: date, plan_id: int | None = None, status: str | None = None
) -> list[MyActionRow]:
    """An owner's actions in live plans, in GROUPS order (overdue first), by due date within each
    group."""
    # Correlated, so that only this owner's updates are read (by the index on action_id), not
    # every update of every plan grouped on each request.
    last_update = (
        select(func.max(ProgressUpdate.created_at))
        .where(ProgressUpdate.action_id == Action.id)
        .correlate(Action)
        .scalar_subquery()
    )
    query = (
        select(Action, last_update)
        .join(Action.recommendation)
        .join(Recommendation.plan)
        .where(
            Action.owner_id == owner_id,
            Plan.status == PlanStatus.ACTIVE,
            Action.withdrawn_reason.is_(None),
        )
        .options(joinedload(Action.recommendation).joinedload(Recommendation.plan))
    )
    if plan_id:
        query = query.where(Recommendation.plan_id == plan_id)
    if status:
        query = query.where(Action.status == status)
    rows = [
        MyActionRow(action, action_rag(action, today), at, _group(action, today))
        for action, at in db.session.execute(query).unique()
    ]
    far_future = date.max
    rows.sort(
        key=lambda r: (
            GROUP_ORDER[r.group],
            r.action.current_due_date or far_future,
            r.action.reference,
        )
    )
    return rows


def owner_plans(owner_id: int) -> list[Plan]:
    query = (
        select(Plan)
        .join(Plan.recommendations)
        .join(Recommendation.actions)
        .where(Action.owner_id == owner_id, Plan.status == PlanStatus.ACTIVE)
        .distinct()
        .order_by(Plan.title)
    )
    return list(db.session.scalars(query))


def counts(rows: list[MyActionRow]) -> dict[str, int]:
    return {
        "total": len(rows),
        "overdue": sum(1 for r in rows if r.group == "overdue"),
        "due_soon": sum(1 for r in rows if r.group == "due_soon"),
        "blocked": sum(1 for r in rows if r.action.status == ActionStatus.BLOCKED),
        "awaiting_verification": sum(1 for r in rows if r.action.status == ActionStatus.COMPLETED),
        "red": sum(1 for r in rows if r.rag.colour is Colour.RED),
    }


@dataclass
class CoveringFor:
    """A person this deputy is covering for today, with their open actions (issue 13.16)."""

    person: User
    rows: list[MyActionRow]


def covering_for_rows(deputy_id: int, today: date) -> list[CoveringFor]:
    """What a deputy sees under "Covering for": each covered person's actions, as they see them.
    One query per person covered (a deputy covers one or two people at a time)."""
    from tracker.deputies.rules import covering_for

    return [CoveringFor(p, my_actions(p.id, today)) for p in covering_for(deputy_id, today)]
