"""The data API under /api/v1 for the data warehouse and Power BI. See docs/api.md.

Bearer tokens only (no session cookie, no CSRF); requests and responses validated by SpecTree
with pydantic models, which also give the OpenAPI 3.1 document at /api/v1/openapi.json.
"""

from typing import Any

from flask import Blueprint, Flask, request
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from tracker.api.problems import Problem, problem_hooks_after, problem_hooks_before

URL_PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=URL_PREFIX)

spec = SpecTree(
    "flask",
    mode="strict",  # only the API's own routes are in the document
    title="Improvement plan tracker data API",
    version="1.0.0",
    description=(
        "Push monthly indicator figures and read plan status. Every call needs "
        "`Authorization: Bearer <token>`; an admin issues tokens under Admin > API tokens. "
        "Errors are RFC 9457 problem details. See docs/api.md."
    ),
    path="api/v1/_spectree",  # the document is served by tracker.api.reference, not SpecTree
    validation_error_status=422,
    validation_error_model=Problem,
    before=problem_hooks_before,
    after=problem_hooks_after,
    annotations=False,
    # Components named as the models are (all distinct), not with SpecTree's hash suffix.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type=SecureType.HTTP, scheme="bearer", description="An API token (ipt_...)"
            ),
        )
    ],
    security={"bearer": []},
)


def validated() -> Any:
    """What SpecTree validated for this request: .query, .json (pydantic models)."""
    # SpecTree adds `context` to Flask's request at run time; Flask's types do not have it.
    return request.context  # type: ignore[attr-defined]


from tracker.api import auth, figures, reads, reference  # noqa: E402,F401


def register_api(app: Flask) -> None:
    """Called after the HTML error pages are registered: API addresses answer in JSON."""
    from tracker.api.admin import bp as admin_bp
    from tracker.api.limits import register_rate_limit
    from tracker.api.problems import register_problem_handlers
    from tracker.api.sessions import register_sessionless
    from tracker.extensions import csrf

    csrf.exempt(bp)
    register_sessionless(app, URL_PREFIX)
    register_rate_limit(app, bp)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    register_problem_handlers(app, URL_PREFIX)
