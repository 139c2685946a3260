from flask import Response, redirect, url_for
from sqlalchemy import text

from tracker.extensions import db
from tracker.main import bp
from tracker.permissions import Permission, permission_required


@bp.route("/")
@permission_required(Permission.VIEW_PLANS)
def home():
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
