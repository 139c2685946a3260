from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.indicators import bp
from tracker.indicators.queries import latest_values_for
from tracker.models import Indicator, Recommendation
from tracker.permissions import Permission, permission_required


@bp.route("/indicators")
@permission_required(Permission.VIEW_PLANS)
def index():
    indicators = list(db.session.scalars(select(Indicator).order_by(Indicator.code)))
    return render_template("indicators/index.html", summaries=latest_values_for(indicators))


@bp.route("/indicators/<code>")
@permission_required(Permission.VIEW_PLANS)
def indicator(code: str):
    query = (
        select(Indicator)
        .where(Indicator.code == code)
        .options(
            joinedload(Indicator.owner),
            selectinload(Indicator.recommendations).joinedload(Recommendation.plan),
        )
    )
    found = db.session.scalar(query) or abort(404)
    summary = latest_values_for([found], per_series=24)[0]
    return render_template("indicators/indicator.html", summary=summary, indicator=found)
