from flask import Blueprint

bp = Blueprint("deputies", __name__)

from tracker.deputies import views  # noqa: E402,F401
