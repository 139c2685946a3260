from typing import Any

from flask import abort, render_template

from tracker.clock import today
from tracker.embedding import embedding, embeddings_for
from tracker.indicators.queries import latest_values_for
from tracker.inspections.queries import findings_for_recommendation
from tracker.inspections.timeline import plan_inspections
from tracker.permissions import Permission, permission_required
from tracker.plans import bp
from tracker.plans.progress import done_count, next_due
from tracker.plans.queries import (
    linked_indicators,
    listed_plans,
    load_plan,
    recommendation_page,
)
from tracker.rag import action_rag, plan_rag, recommendation_rag
from tracker.urls import url_for_id


@bp.route("/plans")
@permission_required(Permission.VIEW_PLANS)
def index():
    return render_template(
        "plans/index.html",
        plans=listed_plans(today()),
        plan_url=url_for_id("plans.plan", "plan_id"),
    )


@bp.route("/plans/<int:plan_id>")
@permission_required(Permission.VIEW_PLANS)
def plan(plan_id: int):
    plan = load_plan(plan_id) or abort(404)  # with indicators, for the embedded state
    day = today()
    rows: list[dict[str, Any]] = []
    for rec in plan.recommendations:
        rows.append(
            {
                "rec": rec,
                "rag": recommendation_rag(rec.actions, day),
                "actions": len(rec.actions),
                "done": done_count(rec.actions),
                "next_due": next_due(rec.actions),
            }
        )
    rating = plan_rag([row["rag"] for row in rows])
    embedded = embeddings_for([(row["rec"], row["rag"]) for row in rows])
    for row in rows:
        row["embedding"] = embedded.get(row["rec"].id)
    return render_template(
        "plans/plan.html",
        plan=plan,
        rows=rows,
        rating=rating,
        inspections=plan_inspections(plan, day),
    )


@bp.route("/recommendations/<int:recommendation_id>")
@permission_required(Permission.VIEW_PLANS)
def recommendation(recommendation_id: int):
    rec = recommendation_page(recommendation_id) or abort(404)
    day = today()
    rags = [action_rag(a, day) for a in rec.actions]
    rating = recommendation_rag(rec.actions, day, rags)
    linked, rationales = linked_indicators(rec.id)
    indicators = latest_values_for(linked)
    return render_template(
        "plans/recommendation.html",
        rec=rec,
        actions=list(zip(rec.actions, rags, strict=True)),
        action_url=url_for_id("actions.action", "action_id"),
        rating=rating,
        embedding=embedding(rating, rec.actions, indicators),
        indicators=indicators,
        rationales=rationales,
        findings=findings_for_recommendation(rec.id),
    )
