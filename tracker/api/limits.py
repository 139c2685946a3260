"""A rate limit per token, counted in storage every process shares when configured (Redis).

API_RATE_LIMIT is a Flask-Limiter rate such as "300 per minute". API_RATE_LIMIT_STORAGE is a
limits storage URI: "memory://" (the default: counts per process, fine for one process and
tests) or "redis://127.0.0.1:6379" (shared by every process and host: use it in production).
"""

import hashlib

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter


def _rate_key() -> str:
    """The token (hashed, so the secret is never a storage key), or the address without one."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return "address:" + (request.remote_addr or "unknown")


def register_rate_limit(app: Flask, bp: Blueprint) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["API_RATE_LIMIT_STORAGE"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "tracker-api")
    limiter = Limiter(key_func=_rate_key, app=app)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)

    @limiter.request_filter
    def _outside_the_api() -> bool:
        """Only the API is limited here (sign-in has its own throttling), so other requests
        skip the limiter's work."""
        return bp.name not in request.blueprints

    app.extensions["api_limiter"] = limiter
