from flask import Response, redirect, url_for
from flask_login import current_user
from sqlalchemy import select, text

from tracker.extensions import db
from tracker.main import bp
from tracker.models import Plan, PlanStatus, Role
from tracker.permissions import Permission, permission_required


@bp.route("/")
@permission_required(Permission.VIEW_PLANS)
def home():
    """Each role starts where its daily work is."""
    if current_user.role == Role.HEAD_OF_SERVICE:
        return redirect(url_for("actions.my_actions_page"))
    if current_user.role == Role.PERFORMANCE_OFFICER:
        return redirect(url_for("indicators.index"))
    if current_user.role == Role.COMMITTEE_MEMBER:
        active = db.session.scalars(select(Plan.id).where(Plan.status == PlanStatus.ACTIVE)).all()
        if len(active) == 1:
            return redirect(url_for("committee.summary", plan_id=active[0]))
    return redirect(url_for("plans.index"))


@bp.route("/healthz")
@permission_required(Permission.PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the point is to say so, not to raise
        db.session.rollback()
        return Response("database unavailable", status=503, mimetype="text/plain")
    return Response("ok", mimetype="text/plain")
