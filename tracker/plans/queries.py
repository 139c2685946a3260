"""Read queries for plan pages: a fixed number of statements whatever the plan's size."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import BindParameter, Row, Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.extensions import db
from tracker.lru import LRU
from tracker.models import (
    Action,
    ActionStatus,
    Indicator,
    Plan,
    ProgressUpdate,
    Recommendation,
    Theme,
    User,
    recommendation_indicators,
)
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
    second statement reads the actions of the plans not worked out yet, and is not sent when
    there are none."""
    rows = db.session.execute(_listed_plans_statement()).all()
    keys = {row.id: (row.id, today, *row[5:]) for row in rows}
    worked: dict[int, PlanProgress | None] = {i: _progress.get(key) for i, key in keys.items()}
    missing = [plan_id for plan_id, progress in worked.items() if progress is None]
    by_recommendation: dict[int, dict[int, list[Row]]] = {plan_id: {} for plan_id in missing}
    rated = db.session.execute(_rated_actions_statement(), {"plan_ids": missing}) if missing else ()
    for action in rated:
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


@dataclass(frozen=True, slots=True)
class ActionLine:
    """An action as the recommendation page lists and rates it (`tracker.rag.RatedAction`)."""

    id: int
    reference: str
    description: str
    owner_job_title: str | None  # None when no one owns it
    status: str
    current_due_date: date | None
    original_due_date: date | None
    withdrawn_reason: str | None
    verified_on: date | None
    latest_note: str | None  # the note of its latest progress entry; None when there is none

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label


@dataclass(frozen=True, slots=True)
class RecommendationPage:
    """A recommendation with what its page shows of its plan, theme, lead and actions."""

    actions: list[ActionLine]
    id: int
    reference: str
    title: str
    text: str
    target_date: date | None
    target_date_assumed: bool
    source: str
    plan_id: int
    plan_title: str
    theme_name: str | None  # None when it has no theme
    lead_name: str | None  # None when no one leads it
    lead_job_title: str | None


_RECOMMENDATION_COLUMNS = 12  # the statement's columns for RecommendationPage; then ActionLine's


@cache
def _recommendation_page_statement() -> Select:
    """Built once per process; `recommendation_id` is bound on each execution. One row per
    action (one row with no action when it has none), each with the recommendation's fields."""
    lead, owner = aliased(User), aliased(User)
    latest_note = (
        select(ProgressUpdate.note)
        .where(ProgressUpdate.action_id == Action.id)
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Recommendation.id,
            Recommendation.reference,
            Recommendation.title,
            Recommendation.text,
            Recommendation.target_date,
            Recommendation.target_date_assumed,
            Recommendation.source,
            Plan.id,
            Plan.title,
            Theme.name,
            lead.name,
            lead.job_title,
            Action.id,
            Action.reference,
            Action.description,
            owner.job_title,
            Action.status,
            Action.current_due_date,
            Action.original_due_date,
            Action.withdrawn_reason,
            Action.verified_on,
            latest_note,
        )
        .select_from(Recommendation)
        .join(Plan, Plan.id == Recommendation.plan_id)
        .outerjoin(Theme, Theme.id == Recommendation.theme_id)
        .outerjoin(lead, lead.id == Recommendation.lead_id)
        .outerjoin(Action, Action.recommendation_id == Recommendation.id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .where(Recommendation.id == bindparam("recommendation_id"))
        .order_by(Action.position)
    )


def recommendation_page(recommendation_id: int) -> RecommendationPage | None:
    """The recommendation and its actions (in order, each with its latest note) as plain rows,
    in one statement."""
    rows = db.session.execute(
        _recommendation_page_statement(), {"recommendation_id": recommendation_id}
    ).all()
    if not rows:
        return None
    actions = [
        ActionLine(*row[_RECOMMENDATION_COLUMNS:])
        for row in rows
        if row[_RECOMMENDATION_COLUMNS] is not None  # the row of a recommendation with no action
    ]
    return RecommendationPage(actions, *rows[0][:_RECOMMENDATION_COLUMNS])


@cache
def _linked_indicators_statement() -> Select:
    """Built once per process; `recommendation_id` is bound on each execution."""
    link = recommendation_indicators.c
    return (
        select(Indicator, link.rationale)
        .join(recommendation_indicators, link.indicator_id == Indicator.id)
        .where(link.recommendation_id == bindparam("recommendation_id"))
        .order_by(Indicator.code)
    )


def linked_indicators(recommendation_id: int) -> tuple[list[Indicator], dict[int, str]]:
    """The indicators linked to the recommendation (by code), and why each is linked, by
    indicator id (only those with a reason), in one statement."""
    rows = db.session.execute(
        _linked_indicators_statement(), {"recommendation_id": recommendation_id}
    ).all()
    indicators = [indicator for indicator, _ in rows]
    rationales = {indicator.id: rationale for indicator, rationale in rows if rationale}
    return indicators, rationales
