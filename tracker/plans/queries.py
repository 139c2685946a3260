"""Read queries for plan pages: a fixed number of statements whatever the plan's size."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import BindParameter, Row, Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.lru import LRU
from tracker.models import Action, Plan, Recommendation, recommendation_indicators
from tracker.plans.progress import PlanProgress, plan_progress


@dataclass(frozen=True)
class ListedPlan:
    """A plan as the plans list shows it, with its rating and counts."""

    id: int
    title: str
    status: str
    inspectorate: str
    published_on: date | None
    progress: PlanProgress


@cache
def _listed_plans_statement() -> Select:
    """Built once per process. Each plan's fields and the revision of its actions: their
    number, the sum of their versions (SQLAlchemy raises an action's version on every change it
    writes), the highest id and the latest change. Any action added, removed, moved or changed
    changes the revision."""
    revision = (
        select(
            Recommendation.plan_id,
            func.count(Action.id).label("actions"),
            func.sum(Action.version).label("versions"),
            func.max(Action.id).label("last_id"),
            func.max(Action.updated_at).label("last_change"),
        )
        .join(Action, Action.recommendation_id == Recommendation.id)
        .group_by(Recommendation.plan_id)
        .subquery()
    )
    return (
        select(
            Plan.id,
            Plan.title,
            Plan.status,
            Plan.inspectorate,
            Plan.published_on,
            revision.c.actions,
            revision.c.versions,
            revision.c.last_id,
            revision.c.last_change,
        )
        .outerjoin(revision, revision.c.plan_id == Plan.id)
        .order_by(Plan.status, Plan.published_on.desc(), Plan.id)
    )


# Per process: each plan's rating and counts, keyed by everything they are worked out from
# (the plan, the revision of its actions and the day), so never stale; a change gives a new key.
_progress = LRU(maxsize=4000)


def listed_plans(today: date) -> list[ListedPlan]:
    """Every plan with its rating and counts, in two statements however many plans there are.

    Rating every action of a national deployment (tens of thousands) costs far more than the
    page; a plan's ratings are worked out once per process and revision of its actions. The
    second statement is sent every time (for the plans not worked out yet, perhaps none), so
    the page's statement count never depends on this cache."""
    rows = db.session.execute(_listed_plans_statement()).all()
    keys = {row.id: (row.id, today, *row[5:]) for row in rows}
    worked: dict[int, PlanProgress | None] = {i: _progress.get(key) for i, key in keys.items()}
    missing = [plan_id for plan_id, progress in worked.items() if progress is None]
    by_recommendation: dict[int, dict[int, list[Row]]] = {plan_id: {} for plan_id in missing}
    for action in db.session.execute(_rated_actions_statement(), {"plan_ids": missing}):
        by_recommendation[action.plan_id].setdefault(action.recommendation_id, []).append(action)
    for plan_id in missing:
        groups = list(by_recommendation[plan_id].values())
        worked[plan_id] = _progress.put(keys[plan_id], plan_progress(groups, today))
    return [
        ListedPlan(row.id, row.title, row.status, row.inspectorate, row.published_on, progress)
        for row in rows
        if (progress := worked[row.id]) is not None
    ]


@cache
def _rated_actions_statement() -> Select:
    """Built once per process; `plan_ids` is bound on each execution."""
    plan_ids: BindParameter[list[int]] = bindparam("plan_ids", expanding=True)
    return (
        select(
            Recommendation.plan_id,
            Action.recommendation_id,
            Action.status,
            Action.current_due_date,
            Action.original_due_date,
            Action.withdrawn_reason,
        )
        .join(Action.recommendation)
        .where(Recommendation.plan_id.in_(plan_ids))
    )


def actions_by_plan(plan_ids: list[int]) -> dict[int, list[Row]]:
    """What rating every action of the given plans needs, grouped by plan id, in one statement.

    Plain rows with the columns `tracker.rag` reads, not whole actions: a national deployment's
    plans list rates tens of thousands of actions.
    """
    if not plan_ids:
        return {}
    rows = db.session.execute(_rated_actions_statement(), {"plan_ids": plan_ids})
    grouped: dict[int, list[Row]] = {plan_id: [] for plan_id in plan_ids}
    for row in rows:
        grouped[row.plan_id].append(row)
    return grouped


def load_plan(plan_id: int, people: bool = True, indicators: bool = True) -> Plan | None:
    """The plan with its meetings, recommendations, their themes and actions: the one loader of
    the plan pages, the committee summary and the admin plan pages. `people=False` when the page
    shows no action owners or leads (the summary page: a third fewer rows to load);
    `indicators=False` when it shows no linked indicators."""
    actions = selectinload(Recommendation.actions)
    recommendation_options = [joinedload(Recommendation.theme)]
    if indicators:
        recommendation_options.append(selectinload(Recommendation.indicators))
    plan_options = [selectinload(Plan.meetings)]
    if people:
        actions = actions.joinedload(Action.owner)
        recommendation_options.append(joinedload(Recommendation.lead))
        plan_options.append(joinedload(Plan.lead))
    recommendations = selectinload(Plan.recommendations).options(actions, *recommendation_options)
    query = select(Plan).where(Plan.id == plan_id).options(*plan_options, recommendations)
    return db.session.scalar(query)


def recommendation_page(recommendation_id: int) -> Recommendation | None:
    query = (
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(
            joinedload(Recommendation.plan),
            joinedload(Recommendation.theme),
            joinedload(Recommendation.lead),
            selectinload(Recommendation.actions).options(
                joinedload(Action.owner),
                selectinload(Action.updates),
            ),
            selectinload(Recommendation.indicators),
        )
    )
    return db.session.scalar(query)


def link_rationales(recommendation_id: int) -> dict[int, str]:
    """Why each indicator is linked to the recommendation, by indicator id."""
    rows = db.session.execute(
        select(
            recommendation_indicators.c.indicator_id, recommendation_indicators.c.rationale
        ).where(recommendation_indicators.c.recommendation_id == recommendation_id)
    )
    return {indicator_id: rationale for indicator_id, rationale in rows if rationale}
