"""Admins (and plan leads, for their own plan) build and maintain plans and people."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import (  # noqa: E402,F401
    import_views,
    people_views,
    plans_views,
    structure_views,
)
