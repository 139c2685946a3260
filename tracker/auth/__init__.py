from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import account_security, accounts, views  # noqa: E402,F401
