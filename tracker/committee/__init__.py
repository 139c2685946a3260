from flask import Blueprint

bp = Blueprint("committee", __name__)

from tracker.committee import meetings_views, views  # noqa: E402,F401
