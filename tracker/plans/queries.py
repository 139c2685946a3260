"""Read queries for plan pages: a fixed number of statements whatever the plan's size."""

from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Action, Plan, Recommendation, recommendation_indicators


def all_plans() -> list[Plan]:
    query = (
        select(Plan).options(joinedload(Plan.lead)).order_by(Plan.status, Plan.published_on.desc())
    )
    return list(db.session.scalars(query))


def actions_by_plan(plan_ids: list[int]) -> dict[int, list[Row]]:
    """What rating every action of the given plans needs, grouped by plan id, in one statement.

    Plain rows with the columns `tracker.rag` reads, not whole actions: a national deployment's
    plans list rates tens of thousands of actions.
    """
    if not plan_ids:
        return {}
    rows = db.session.execute(
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
