"""The OpenAPI 3.1 document (/api/v1/openapi.json) and a readable reference page built from it
in the house style (no third-party script: the Content-Security-Policy allows none)."""

import copy

from flask import current_app, render_template

from tracker.api import bp, spec
from tracker.api.problems import PROBLEM_JSON
from tracker.api.schemas import MAX_BATCH
from tracker.permissions import Permission, permission_required

GET_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of an earlier answer: 304 Not Modified if nothing changed",
        "schema": {"type": "string"},
    }
]
BATCH_HEADERS = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any unique text, for example a UUID: a retry with the same key and "
        "the same batch replays the first answer and saves nothing",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    }
]
STATUS_MEANINGS = {
    "400": "The body is not JSON, or a cursor or header is not valid",
    "401": "No token, or a token that is unknown, expired or revoked",
    "403": "The token does not have the scope this needs",
    "404": "No such indicator",
    "409": "Someone else saved the same figure at the same moment: send it again",
    "413": f"The body is too large (a batch has at most {MAX_BATCH:,} figures)",
    "422": "A field is not valid: the problem names it",
    "429": "Too many requests for this token: wait for Retry-After seconds",
}


# How one answer leads to the next call (OpenAPI links): for readers, and for Schemathesis's
# stateful tests, which follow them.
LINKS = {
    ("list_plans", "200"): {
        "PlanRecommendations": ("list_recommendations", {"plan": "$response.body#/items/0/id"}),
        "PlanActions": ("list_actions", {"plan": "$response.body#/items/0/id"}),
        "PlanIndicators": ("list_indicators", {"plan": "$response.body#/items/0/id"}),
    },
    ("list_indicators", "200"): {
        "Indicator": ("get_indicator", {"code": "$response.body#/items/0/code"}),
    },
    ("get_indicator", "200"): {
        "CorrectLatestFigure": (
            "put_figure",
            {"code": "$response.body#/code", "period": "$response.body#/figures/0/period"},
        ),
    },
    ("put_figure", "200"): {
        "IndicatorAfter": ("get_indicator", {"code": "$response.body#/figure/indicator_code"}),
    },
    ("put_figure", "201"): {
        "IndicatorAfter": ("get_indicator", {"code": "$response.body#/figure/indicator_code"}),
    },
}


def _links(operation_id: str, status: str) -> dict:
    return {
        name: {"operationId": target, "parameters": parameters}
        for name, (target, parameters) in LINKS.get((operation_id, status), {}).items()
    }


def openapi_document() -> dict:
    """SpecTree's document with what it cannot say itself: problem+json error bodies, the
    conditional-request and idempotency headers, and what each status means here."""
    document = copy.deepcopy(spec.spec)
    for operations in document["paths"].values():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status in STATUS_MEANINGS:
                    response["description"] = STATUS_MEANINGS[status]
                if links := _links(operation["operationId"], status):
                    response["links"] = links
                content = response.get("content", {})
                if status >= "400" and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
            if method == "get":
                operation["parameters"] += copy.deepcopy(GET_HEADERS)
                operation["responses"]["200"]["headers"] = {
                    "ETag": {
                        "description": "Send back as If-None-Match",
                        "schema": {"type": "string"},
                    }
                }
                operation["responses"]["304"]["description"] = "Nothing has changed"
            if operation["operationId"] == "post_figures_batch":
                operation["parameters"] += copy.deepcopy(BATCH_HEADERS)
    return document


@bp.get("/openapi.json")
@permission_required(Permission.PUBLIC)
def openapi():
    return current_app.json.response(openapi_document())


def type_text(schema: dict) -> str:
    """A parameter's type in words, for the reference page."""
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        kinds = [type_text(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(kinds)
    kind = schema.get("type", "text")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


@bp.get("/reference")
@permission_required(Permission.PUBLIC)
def reference():
    document = openapi_document()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    for operation in operations:
        for parameter in operation["parameters"]:
            parameter["type_text"] = type_text(parameter["schema"])
    return render_template(
        "api/reference.html",
        document=document,
        operations=operations,
        schemas=document["components"]["schemas"],
    )
