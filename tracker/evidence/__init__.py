from flask import Blueprint

bp = Blueprint("evidence", __name__)

from tracker.evidence import views  # noqa: E402,F401
