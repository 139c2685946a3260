from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import accounts, views  # noqa: E402,F401
