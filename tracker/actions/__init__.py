from flask import Blueprint

bp = Blueprint("actions", __name__)

from tracker.actions import views  # noqa: E402,F401
