from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.actions import bp
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Action, Evidence, ProgressUpdate, Recommendation
from tracker.permissions import Permission, permission_required
from tracker.rag import action_rag


def load_action(action_id: int) -> Action | None:
    query = (
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.owner),
            joinedload(Action.recommendation).joinedload(Recommendation.plan),
            selectinload(Action.updates).joinedload(ProgressUpdate.author),
            selectinload(Action.evidence).joinedload(Evidence.added_by),
        )
    )
    return db.session.scalar(query)


@bp.route("/actions/<int:action_id>")
@permission_required(Permission.VIEW_PLANS)
def action(action_id: int):
    action = load_action(action_id) or abort(404)
    return render_template("actions/action.html", action=action, rag=action_rag(action, today()))
