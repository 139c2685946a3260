"""Inspections, visits and reviews around a plan; statutory deadlines; the plan's timeline."""

from flask import Blueprint

bp = Blueprint("inspections", __name__)

from tracker.inspections import views  # noqa: E402,F401


@bp.app_template_filter("inspection_kind")
def inspection_kind(key: str) -> str:
    from tracker.inspections.frameworks import KINDS

    return KINDS[key].label if key in KINDS else key
