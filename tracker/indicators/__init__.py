from flask import Blueprint

bp = Blueprint("indicators", __name__)

from tracker.indicators import views  # noqa: E402,F401
