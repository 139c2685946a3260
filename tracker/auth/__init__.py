from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import accounts, oidc_views, views  # noqa: E402,F401
