"""Writing figures: one month's figure (PUT, an idempotent upsert) or a batch of up to 5,000
(all or nothing). Both check each figure with the web import's own row rules
(tracker.indicators.importing), so a figure is accepted or refused in the same words either way,
and write through the indicators service, which keeps a corrected figure's revision."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import current_app, request
from spectree import Response
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tracker.api import bp, spec, validated
from tracker.api.auth import current_token, require_scope
from tracker.api.problems import ApiProblem, FieldProblem, Problem, field_problem
from tracker.api.schemas import (
    MAX_BATCH,
    BatchIn,
    BatchResult,
    FigureIn,
    FigureQuery,
    FigureWritten,
)
from tracker.extensions import db
from tracker.imports.columns import RowProblem
from tracker.indicators import service
from tracker.indicators.importing import (
    HEADINGS,
    ImportPlan,
    PlannedRow,
    Table,
    apply_import,
    plan_table,
)
from tracker.indicators.queries import revision_counts
from tracker.models import ApiIdempotencyKey, IndicatorValue, utcnow
from tracker.text import clean_text
from tracker.uow import unit_of_work

COLUMNS = {"code": 0, "period": 1, "basis": 2, "value": 3, "provisional": 4, "note": 5}
FIELD_OF_COLUMN = {
    "code": "indicator_code",
    "period": "period",
    "basis": "basis",
    "value": "value",
    "provisional": "provisional",
    "note": "data_quality_note",
}
# In a PUT, the code and month are the address's.
PUT_FIELD_OF_COLUMN = FIELD_OF_COLUMN | {"code": "code"}
IDEMPOTENCY_KEY_MAX = 200
IDEMPOTENCY_DAYS = 7  # a retry comes within minutes; a week covers a load re-run after a holiday
WRITE_ERRORS = {f"HTTP_{code}": Problem for code in (400, 401, 403, 409, 413, 429)}


def _row(code, period, basis, figure) -> list:
    note = clean_text(figure.data_quality_note)
    return [code, period, basis, figure.value, figure.provisional, note]


def _plan(rows: list[list], description: str) -> ImportPlan:
    body = request.get_data(cache=True)
    table = Table("api", dict(COLUMNS), [], [(line, cells) for line, cells in enumerate(rows, 1)])
    return plan_table(table, description, hashlib.sha256(body).hexdigest())


KEY_OF_HEADING = {heading: key for key, heading in HEADINGS.items()}


def _column_of_problem(problem: RowProblem) -> str:
    """Which column a row problem is about: the import names it, or its wording says."""
    return KEY_OF_HEADING.get(problem.column or "") or _column_of(problem.message)


def _column_of(message: str) -> str:
    """Which column a row problem is about, from the import's own wording."""
    text = message.lower()
    if "indicator" in text and ("code" in text or "no indicator" in text):
        return "code"
    if text.startswith("basis"):
        return "basis"
    if text.startswith("provisional"):
        return "provisional"
    if text.startswith("data quality note"):
        return "note"
    if text.startswith(("figure", "enter the figure")):
        return "value"
    return "period"  # "Month ... is not a month", "... is in the future", "... also on line"


def _token_source() -> str:
    return f"Sent through the data API with the token '{current_token().name}'"


# --- One figure ----------------------------------------------------------------------------


@bp.put("/indicators/<code>/figures/<period>")
@require_scope("figures:write")
@spec.validate(
    query=FigureQuery,
    json=FigureIn,
    resp=Response(HTTP_200=FigureWritten, HTTP_201=FigureWritten, HTTP_404=Problem, **WRITE_ERRORS),
    tags=["Figures"],
    operation_id="put_figure",
    path_parameter_descriptions={
        "code": "The indicator's code, for example CSC-01",
        "period": "The month, for example 2016-02",
    },
)
def put_figure(code: str, period: str):
    """Save one month's figure: added if new, corrected if different (the previous figure is
    kept in its history, as the web form does), nothing if the same. Sending it again changes
    nothing, so a retry is always safe.

    The figure is checked as the web import checks a row: the indicator must exist, the month
    must not be in the future and the figure must be possible for the unit (a percentage is at
    most 100).
    """
    figure = validated().json
    basis = validated().query.basis
    plan = _plan([_row(code[:100], period[:100], basis, figure)], "")
    if plan.errors:
        messages = [e.message if e.row else str(e) for e in plan.errors]
        columns = [_column_of_problem(e) for e in plan.errors]
        problems = [
            field_problem([PUT_FIELD_OF_COLUMN[c]], m)
            for c, m in zip(columns, messages, strict=True)
        ]
        status = 404 if columns[0] == "code" else 422  # no such indicator: nothing to put to
        raise ApiProblem(status, "; ".join(messages), problems)
    row = plan.rows[0]
    outcome = _save_one(row)
    stored = service.existing_value(row.indicator.id, row.period, row.basis)
    assert stored is not None  # _save_one has just added or changed it
    body = FigureWritten.model_validate({"outcome": outcome, "figure": _figure_out(stored)})
    return body, 201 if outcome == "added" else 200


def _save_one(row: PlannedRow) -> str:
    owner = current_token().owner
    try:
        with unit_of_work():
            if row.action == "add":
                service.add_value(
                    row.indicator, row.period, row.basis, row.figure, owner, _token_source()
                )
                return "added"
            if row.action == "change":
                stored = service.existing_value(row.indicator.id, row.period, row.basis)
                assert stored is not None  # the check found it: that is what makes a change
                service.change_value(stored, row.figure, owner, _token_source())
                return "changed"
            return "unchanged"
    except (service.Conflict, IntegrityError):
        raise ApiProblem(
            409,
            "Someone else saved this figure at the same moment: send it again",
        ) from None


def _figure_out(value: IndicatorValue) -> dict:
    return {
        "indicator_code": value.indicator.code,
        "period": f"{value.period:%Y-%m}",
        "basis": value.basis,
        "value": value.value,
        "provisional": value.provisional,
        "data_quality_note": value.data_quality_note,
        "updated_at": value.updated_at,
        "revisions": revision_counts([value.id]).get(value.id, 0),
    }


# --- A batch -------------------------------------------------------------------------------


def _batch_size_checked(view: Callable) -> Callable:
    """More than 5,000 figures is too large (413) before it is invalid (422)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        data = request.get_json(silent=True)
        figures = data.get("figures") if isinstance(data, dict) else None
        if isinstance(figures, list) and len(figures) > MAX_BATCH:
            raise ApiProblem(
                413,
                f"A batch can have at most {MAX_BATCH:,} figures; this one has "
                f"{len(figures):,}: split it up",
                [field_problem(["figures"], f"At most {MAX_BATCH:,} figures")],
            )
        return view(*args, **kwargs)

    return wrapped


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ApiProblem(
            400,
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters, "
            "for example a UUID",
            [field_problem(["Idempotency-Key"], "Idempotency-Key is not valid")],
        )
    return key


def _replay(key: str, request_sha256: str):
    stored = db.session.scalar(
        select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == current_token().id, ApiIdempotencyKey.key == key
        )
    )
    if stored is None:
        return None
    if stored.request_sha256 != request_sha256:
        raise ApiProblem(
            422,
            "This Idempotency-Key was already used for a different batch: use a new key for "
            "a new batch",
            [field_problem(["Idempotency-Key"], "Idempotency-Key was used for another batch")],
        )
    return BatchResult.model_validate(stored.body), stored.status, {"Idempotent-Replayed": "true"}


@bp.post("/indicators/figures:batch")
@require_scope("figures:write")
@_batch_size_checked
@spec.validate(
    json=BatchIn,
    resp=Response(HTTP_200=BatchResult, **WRITE_ERRORS),
    tags=["Figures"],
    operation_id="post_figures_batch",
)
def post_batch():
    """Save up to 5,000 figures at once, all or nothing.

    Each figure is checked as a row of the web import is, in the same words: any problem
    refuses the whole batch (422) with every problem listed, each with its position in the list
    (`line`, counting from 1) and its field. Send an `Idempotency-Key` header (for example a
    UUID) so that retrying after a lost answer replays the first answer instead of saving again.
    The batch is recorded as an import, listed on the indicators page.
    """
    key = _idempotency_key()
    request_sha256 = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    if key is not None and (replayed := _replay(key, request_sha256)) is not None:
        return replayed
    figures = validated().json.figures
    rows = [_row(f.indicator_code, f.period, f.basis, f) for f in figures]
    plan = _plan(rows, f"data API batch (token '{current_token().name}')")
    if plan.errors:
        raise ApiProblem(
            422,
            f"{len(plan.errors):,} problem{'s' if len(plan.errors) != 1 else ''} in the batch: "
            "nothing was saved",
            [_row_problem(error) for error in plan.errors],
        )
    try:
        with unit_of_work():
            record = apply_import(plan, current_token().owner)
            db.session.flush()
            body = {
                "added": record.rows_added,
                "changed": record.rows_changed,
                "unchanged": record.rows_unchanged,
                "import_id": record.id,
            }
            if key is not None:
                _forget_old_keys()
                db.session.add(
                    ApiIdempotencyKey(
                        token_id=current_token().id,
                        key=key,
                        request_sha256=request_sha256,
                        status=200,
                        body=body,
                    )
                )
    except service.Conflict as conflict:
        raise ApiProblem(409, f"{conflict}: nothing was saved, send the batch again") from None
    except IntegrityError:
        raise ApiProblem(
            409,
            "A batch with this Idempotency-Key was being saved at the same moment: "
            "send it again to get its answer",
        ) from None
    current_app.logger.info("API batch saved: %s", body)
    return BatchResult.model_validate(body), 200


def _forget_old_keys() -> None:
    cutoff = utcnow() - timedelta(days=IDEMPOTENCY_DAYS)
    db.session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < cutoff))


def _row_problem(error: RowProblem) -> FieldProblem:
    if not error.row:
        return field_problem(["figures"], str(error))
    column = _column_of_problem(error)
    return field_problem(
        ["figures", error.line - 1, FIELD_OF_COLUMN[column]], str(error), line=error.line
    )
