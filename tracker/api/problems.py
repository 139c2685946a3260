"""Errors as RFC 9457 problem details (application/problem+json), naming the field at fault."""

from http import HTTPStatus

from flask import Flask, current_app, request
from pydantic import BaseModel, Field
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="The field at fault, for example `value` or `figures[3].period`")
    pointer: str = Field(description="A JSON Pointer (RFC 6901) to it in the request")
    detail: str = Field(description="What is wrong, in words to show a person")
    line: int | None = Field(
        None,
        description="In a batch: the figure's position in the list, counting from 1 (the web "
        "import's line numbers)",
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[FieldProblem] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_body(status: int, detail: str, errors: list[FieldProblem] | None = None) -> dict:
    return Problem(
        title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors or []
    ).model_dump()


def problem_response(status: int, detail: str, errors=None, headers=None):
    response = current_app.json.response(problem_body(status, detail, errors))
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_problem(location, message: str, line: int | None = None) -> FieldProblem:
    parts = [str(part) for part in location]
    field = ""
    for part in parts:
        field += f"[{part}]" if part.isdigit() else (f".{part}" if field else part)
    return FieldProblem(
        field=field or "body", pointer="/" + "/".join(parts), detail=message, line=line
    )


def validation_problems(error) -> list[FieldProblem]:
    """pydantic's errors, each naming its field."""
    problems = []
    for item in error.errors(include_url=False):
        location = [part for part in item["loc"] if part != "__root__"]
        message = item["msg"]
        name = ".".join(str(p) for p in location) or "The body"
        problems.append(field_problem(location, f"{name}: {message}"))
    return problems


HTTP_DETAILS = {
    404: "There is nothing at this address in the API. The reference is at /api/v1/reference",
    405: "This address does not accept that method",
    413: "The request body is too large",
    429: "Too many requests for this token: wait and try again (see the Retry-After header)",
}


def _flask_500(error: Exception) -> InternalServerError:
    """What Flask answers to an unexpected error when no page is registered for it."""
    return InternalServerError()


def register_problem_handlers(app: Flask, url_prefix: str) -> None:
    """Errors on API addresses answer in problem+json; every other address keeps its HTML page.

    Registered after the HTML handlers, which it calls for anything outside the API.
    """
    html_handler = app.error_handler_spec[None][None].get(HTTPException)
    unexpected_handler = app.error_handler_spec[None][None].get(Exception, _flask_500)

    def in_api() -> bool:
        return request.path.startswith(url_prefix + "/") or request.path == url_prefix

    @app.errorhandler(ApiProblem)
    def api_problem(error: ApiProblem):
        db.session.rollback()
        return problem_response(error.status, error.detail, error.errors, error.headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not in_api():
            return html_handler(error) if html_handler else error
        status = error.code or 500
        detail = HTTP_DETAILS.get(status) or error.description or HTTPStatus(status).phrase
        headers = {}
        if status == 405 and error.get_headers():
            headers = {k: v for k, v in error.get_headers() if k == "Allow"}
        if status == 429:
            limit = getattr(error, "limit", None)
            if limit is not None:
                detail += f" (limit: {limit.limit})"
        return problem_response(status, detail, headers=headers)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if not in_api():
            return unexpected_handler(error)
        app.logger.exception("Unhandled error in the API")
        db.session.rollback()
        return problem_response(500, "Something went wrong on the server: nothing was saved")


# --- SpecTree hooks: its validation errors become problem details -----------------------------


def _as_problem(response, status: int, detail: str, errors) -> None:
    response.set_data(current_app.json.dumps(problem_body(status, detail, errors)))
    response.status_code = status
    response.mimetype = PROBLEM_JSON


def problem_hooks_before(req, resp, req_validation_error, instance, model_adapter) -> None:
    if req_validation_error is not None and resp is not None:
        problems = validation_problems(req_validation_error)
        detail = "; ".join(p.detail for p in problems[:5]) or "The request is not valid"
        _as_problem(resp, resp.status_code, detail, problems)


def problem_hooks_after(req, resp, resp_validation_error, instance, model_adapter) -> None:
    if resp_validation_error is not None:
        # A bug on our side: the answer does not match what the API promises.
        current_app.logger.error(
            "API response does not match its schema: %s", resp_validation_error
        )
        db.session.rollback()
        _as_problem(resp, 500, "Something went wrong on the server", [])
