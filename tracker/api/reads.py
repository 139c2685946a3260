"""GET endpoints: plans, recommendations, actions and indicators, with their explained ratings
(the same functions as the pages), cursor pages and ETags."""

from collections import defaultdict

from flask import current_app
from spectree import Response
from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.api import bp, spec, validated
from tracker.api.auth import current_token, require_scope
from tracker.api.paging import body_etag, cache_headers, not_modified, page_body, page_of
from tracker.api.problems import ApiProblem, Problem, field_problem
from tracker.api.schemas import (
    ActionPage,
    ActionsQuery,
    IndicatorOut,
    IndicatorPage,
    IndicatorsQuery,
    PlanPage,
    PlansQuery,
    RecommendationPage,
    RecommendationsQuery,
)
from tracker.clock import today
from tracker.extensions import db
from tracker.indicators.queries import indicator_by_code, targets_and_revisions
from tracker.indicators.rag import rate_series, rate_value
from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Plan,
    Recommendation,
    recommendation_indicators,
)
from tracker.plans.queries import actions_by_plan
from tracker.rag import Rag, action_rag, plan_rag, recommendation_rag

ERRORS = {f"HTTP_{code}": Problem for code in (400, 401, 403, 429)}


def _read(page_model, query_model, tag, operation_id):
    return spec.validate(
        query=query_model,
        resp=Response(HTTP_200=page_model, HTTP_304=None, **ERRORS),
        tags=[tag],
        operation_id=operation_id,
    )


def rating(rag: Rag) -> dict:
    return {"colour": rag.colour.value, "label": rag.label, "reason": rag.reason}


def _conditional(build):
    """The answer with its ETag, or a 304 if the client has this very answer already."""
    body = build()
    etag = body_etag(body)
    headers = cache_headers(etag)
    if not_modified(etag):
        # JSON like the 200 it stands for, so the headers for web pages are not applied.
        return current_app.response_class(status=304, mimetype="application/json"), 304, headers
    return body, 200, headers


# --- Plans ---------------------------------------------------------------------------------


@bp.get("/plans")
@require_scope("plans:read")
@_read(PlanPage, PlansQuery, "Plans", "list_plans")
def plans():
    """Plans, each with its rating and the reason for it.

    Filter by `status` (active or archived). Sends `ETag`; send it back as `If-None-Match` to
    get 304 Not Modified when nothing has changed.
    """
    query_args = _args(PlansQuery)

    def build():
        query = select(Plan)
        if query_args.status:
            query = query.where(Plan.status == query_args.status)
        found, next_cursor = page_of(query, Plan.id, query_args.cursor, query_args.limit)
        grouped = actions_by_plan([p.id for p in found])
        recs = _recommendation_ids([p.id for p in found])
        day = today()
        items = []
        for plan in found:
            by_rec: dict[int, list[Row]] = {rec_id: [] for rec_id in recs[plan.id]}
            for action in grouped[plan.id]:
                by_rec.setdefault(action.recommendation_id, []).append(action)
            rec_rags = [recommendation_rag(actions, day) for actions in by_rec.values()]
            items.append(
                {
                    "id": plan.id,
                    "title": plan.title,
                    "inspectorate": plan.inspectorate,
                    "inspection_type": plan.inspection_type,
                    "published_on": plan.published_on,
                    "status": plan.status,
                    "rating": rating(plan_rag(rec_rags)),
                    "recommendations": len(by_rec),
                }
            )
        return PlanPage.model_validate(page_body(items, next_cursor))

    return _conditional(build)


def _recommendation_ids(plan_ids: list[int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        rows = db.session.execute(
            select(Recommendation.plan_id, Recommendation.id).where(
                Recommendation.plan_id.in_(plan_ids)
            )
        )
        for plan_id, rec_id in rows:
            grouped[plan_id].append(rec_id)
    return grouped


def _args(model):
    """The query string as validated by SpecTree."""
    return validated().query


# --- Recommendations -----------------------------------------------------------------------


@bp.get("/recommendations")
@require_scope("plans:read")
@_read(RecommendationPage, RecommendationsQuery, "Plans", "list_recommendations")
def recommendations():
    """Recommendations with their rating and its reason; filter by `plan` (a plan's id)."""
    query_args = _args(RecommendationsQuery)

    def build():
        query = select(Recommendation).options(
            joinedload(Recommendation.theme), selectinload(Recommendation.actions)
        )
        if query_args.plan is not None:
            query = query.where(Recommendation.plan_id == query_args.plan)
        found, next_cursor = page_of(query, Recommendation.id, query_args.cursor, query_args.limit)
        day = today()
        items = [
            {
                "id": rec.id,
                "plan_id": rec.plan_id,
                "reference": rec.reference,
                "title": rec.title,
                "text": rec.text,
                "theme": rec.theme.name if rec.theme else None,
                "target_date": rec.target_date,
                "withdrawn": bool(rec.withdrawn_reason),
                "rating": rating(recommendation_rag(rec.actions, day)),
                "actions": len(rec.actions),
            }
            for rec in found
        ]
        return RecommendationPage.model_validate(page_body(items, next_cursor))

    return _conditional(build)


# --- Actions -------------------------------------------------------------------------------


@bp.get("/actions")
@require_scope("plans:read")
@_read(ActionPage, ActionsQuery, "Plans", "list_actions")
def actions():
    """Actions with status, due dates, how far they have slipped and their owner's job title.

    Owners' names and email addresses are included only for tokens with the people:read scope.
    Filter by `plan`, `status` and `updated_since`.
    """
    query_args = _args(ActionsQuery)
    with_people = "people:read" in current_token().scope_set

    def build():
        query = select(Action).options(joinedload(Action.recommendation), joinedload(Action.owner))
        if query_args.plan is not None:
            query = query.join(Action.recommendation).where(
                Recommendation.plan_id == query_args.plan
            )
        if query_args.status:
            query = query.where(Action.status == query_args.status)
        if query_args.updated_since is not None:
            query = query.where(Action.updated_at >= query_args.updated_since)
        found, next_cursor = page_of(query, Action.id, query_args.cursor, query_args.limit)
        day = today()
        items = [_action(action, day, with_people) for action in found]
        return ActionPage.model_validate(page_body(items, next_cursor))

    return _conditional(build)


def _action(action: Action, day, with_people: bool) -> dict:
    original, current = action.original_due_date, action.current_due_date
    owner = None
    if action.owner is not None:
        owner = {"job_title": action.owner.job_title}
        if with_people:
            owner |= {"name": action.owner.name, "email": action.owner.email}
    return {
        "id": action.id,
        "plan_id": action.recommendation.plan_id,
        "recommendation_id": action.recommendation_id,
        "recommendation_reference": action.recommendation.reference,
        "reference": action.reference,
        "description": action.description,
        "status": action.status,
        "original_due_date": original,
        "current_due_date": current,
        "slipped_days": (current - original).days if original and current else None,
        "completed_on": action.completed_on,
        "verified_on": action.verified_on,
        "withdrawn": bool(action.withdrawn_reason),
        "owner": owner,
        "rating": rating(action_rag(action, day)),
        "updated_at": action.updated_at,
    }


# --- Indicators ----------------------------------------------------------------------------


@bp.get("/indicators")
@require_scope("indicators:read")
@_read(IndicatorPage, IndicatorsQuery, "Indicators", "list_indicators")
def indicators():
    """Indicators with every figure (each rated against the target in force for its month),
    their targets and their current rating and trend.

    Filter by `plan` (indicators linked to its recommendations) and `updated_since` (indicators
    with a figure saved since then).
    """
    query_args = _args(IndicatorsQuery)

    def build():
        query = select(Indicator)
        if query_args.plan is not None:
            linked = (
                select(recommendation_indicators.c.indicator_id)
                .join(
                    Recommendation,
                    Recommendation.id == recommendation_indicators.c.recommendation_id,
                )
                .where(Recommendation.plan_id == query_args.plan)
            )
            query = query.where(Indicator.id.in_(linked))
        if query_args.updated_since is not None:
            changed = select(IndicatorValue.indicator_id).where(
                IndicatorValue.updated_at >= query_args.updated_since
            )
            query = query.where(Indicator.id.in_(changed))
        found, next_cursor = page_of(query, Indicator.id, query_args.cursor, query_args.limit)
        items = _indicators(found)
        return IndicatorPage.model_validate(page_body(items, next_cursor))

    return _conditional(build)


@bp.get("/indicators/<code>")
@require_scope("indicators:read")
@spec.validate(
    resp=Response(HTTP_200=IndicatorOut, HTTP_304=None, HTTP_404=Problem, **ERRORS),
    tags=["Indicators"],
    operation_id="get_indicator",
)
def indicator(code: str):
    """One indicator by its code, with every figure, its targets, rating and trend."""
    found = indicator_by_code(code) if len(code) <= 30 else None
    if found is None:
        raise ApiProblem(
            404,
            f"There is no indicator with the code '{code[:30]}'",
            [field_problem(["code"], f"There is no indicator with the code '{code[:30]}'")],
        )
    return _conditional(lambda: IndicatorOut.model_validate(_indicators([found])[0]))


def _indicators(found: list[Indicator]) -> list[dict]:
    ids = [i.id for i in found]
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    if ids:
        query = (
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id.in_(ids))
            .order_by(IndicatorValue.period.desc(), IndicatorValue.basis)
        )
        for value in db.session.scalars(query):
            values[value.indicator_id].append(value)
    targets, _ = targets_and_revisions(ids)
    links = defaultdict(list)
    if ids:
        rows = db.session.execute(
            select(recommendation_indicators.c.indicator_id, Recommendation.reference)
            .join(
                Recommendation, Recommendation.id == recommendation_indicators.c.recommendation_id
            )
            .where(recommendation_indicators.c.indicator_id.in_(ids))
            .order_by(Recommendation.reference)
        )
        for indicator_id, reference in rows:
            links[indicator_id].append(reference)
    return [_indicator(i, values[i.id], targets[i.id], links[i.id]) for i in found]


def _indicator(indicator: Indicator, newest_first, targets, references) -> dict:
    judged = [v for v in newest_first if v.basis == indicator.basis]
    rated = rate_series(indicator, judged, targets)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "judged_on": indicator.basis,
        "decimals": indicator.decimals,
        "benchmark": indicator.benchmark,
        "rating": rating(rated.rag),
        "trend": rated.trend,
        "targets": [
            {
                "effective_from": t.effective_from,
                "target": t.target,
                "amber_tolerance": t.amber_tolerance or 0,
                "lower_bound": t.lower_bound,
                "upper_bound": t.upper_bound,
            }
            for t in targets
        ],
        "figures": [
            {
                "period": f"{v.period:%Y-%m}",
                "basis": v.basis,
                "value": v.value,
                "provisional": v.provisional,
                "data_quality_note": v.data_quality_note,
                "updated_at": v.updated_at,
                "rating": rating(rate_value(indicator, v, targets)),
            }
            for v in newest_first
        ],
        "recommendations": references,
    }
