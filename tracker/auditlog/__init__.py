from flask import Blueprint

bp = Blueprint("auditlog", __name__)

from tracker.auditlog import views  # noqa: E402,F401
