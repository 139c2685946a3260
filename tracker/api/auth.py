"""Who is calling: a bearer token, checked against the database on every request."""

from collections.abc import Callable
from functools import wraps

from flask import g, request

from tracker.api import bp
from tracker.api.problems import ApiProblem, field_problem
from tracker.api.tokens import find_by_secret, note_use, token_state
from tracker.models import ApiToken
from tracker.permissions import Permission, mark_view
from tracker.uow import unit_of_work

PUBLIC_ENDPOINTS = {"api.openapi", "api.reference"}
CHALLENGE = 'Bearer realm="improvement-plan-tracker"'


def _refuse(detail: str, error: str = "invalid_token") -> ApiProblem:
    challenge = CHALLENGE if error == "missing" else f'{CHALLENGE}, error="{error}"'
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


def current_token() -> ApiToken:
    return g.api_token


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _refuse(
            "Send an API token in the header 'Authorization: Bearer <token>'", error="missing"
        )
    token = find_by_secret(secret)
    if token is None:
        raise _refuse("The API token is not recognised: check it was copied whole")
    state = token_state(token)
    if state == "revoked":
        raise _refuse(f"The API token '{token.name}' has been revoked: ask an admin for a new one")
    if state == "expired":
        raise _refuse(
            f"The API token '{token.name}' expired on {token.expires_at:%-d %B %Y}: "
            "ask an admin for a new one"
        )
    if not token.owner.active:
        raise _refuse(
            f"The API token '{token.name}' belongs to a deactivated account: ask an admin to "
            "issue a new one"
        )
    with unit_of_work():
        note_use(token, request.remote_addr)
    g.api_token = token
    _check_body()


def _check_body() -> None:
    """Before any validation: the body's size, and that it is JSON at all."""
    from flask import current_app

    limit = current_app.config["API_MAX_BODY_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem(
            413, f"The request body must be {limit:,} bytes or smaller: send fewer figures"
        )
    if request.method not in ("PUT", "POST", "PATCH"):
        return
    if request.mimetype != "application/json":
        raise ApiProblem(
            400,
            "Send the body as JSON with the header 'Content-Type: application/json'",
            [field_problem([], "Content-Type must be application/json")],
        )
    data = request.get_data(cache=True)
    try:
        request.get_json(force=True, silent=False)
    except Exception:  # Werkzeug raises BadRequest; the message names the position
        raise ApiProblem(
            400,
            f"The body is not valid JSON ({len(data):,} bytes received)",
            [field_problem([], "The body is not valid JSON")],
        ) from None


def require_scope(scope: str) -> Callable:
    """A view for tokens with this scope; checked before the request body is validated."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in current_token().scope_set:
                raise ApiProblem(
                    403,
                    f"The API token '{current_token().name}' does not have the scope {scope}: "
                    "ask an admin for a token that does",
                )
            return view(*args, **kwargs)

        mark_view(wrapped, permission=Permission.API_TOKEN, scope=scope)
        return wrapped

    return decorator
