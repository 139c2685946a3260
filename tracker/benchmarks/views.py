"""Importing published statistics: upload, preview (kept on the server), confirm."""

from flask import render_template
from flask_login import current_user

from tracker.benchmarks import bp, importing, queries
from tracker.benchmarks.forms import BenchmarkUploadForm, ConfirmBenchmarkImportForm
from tracker.imports import pending
from tracker.imports.flow import ImportFlow
from tracker.imports.queries import recent_imports
from tracker.models import ImportRecord
from tracker.permissions import Permission, permission_required

KINDS = (importing.FIGURES_KIND, importing.NEIGHBOURS_KIND)
FLOW = ImportFlow(
    folder=importing.PENDING_FOLDER,
    upload_endpoint="benchmarks.upload",
    preview_endpoint="benchmarks.preview",
    category="message",
    success_category="message",
    changed="What is stored changed after you checked this file. Check the new preview below, "
    "then import again.",
    raced="Someone imported the same figures while this file was being imported, so nothing "
    "was imported. Check the new preview below, then import again.",
)


@bp.route("/benchmarks/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def upload():
    form = BenchmarkUploadForm()
    kept = FLOW.upload(
        form, lambda data, name: {"kind": form.kind.data, "rows": importing.read_rows(data, name)}
    )
    if kept is not None:
        return kept
    return render_template(
        "benchmarks/import-upload.html",
        form=form,
        imports=recent_imports(*KINDS),
        measures=queries.measures(),
        councils=queries.councils(),
    )


def _pending_plan(upload_id: str) -> importing.Plan | None:
    """The preview's rows checked against what is stored now (the file is not read again)."""
    found = pending.load(importing.PENDING_FOLDER, upload_id, current_user.id)
    if found is None or found.content.get("kind") not in KINDS:
        return None
    planner = importing.PLANNERS[found.content["kind"]]
    return planner(found.content["rows"], found.filename, found.sha256)


@bp.route("/benchmarks/import/<upload_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def preview(upload_id: str):
    plan = _pending_plan(upload_id)
    form = ConfirmBenchmarkImportForm()
    form.submit.label.text = "Import this file"
    return FLOW.preview(
        upload_id,
        plan,
        form,
        "benchmarks/import-preview.html",
        _apply,
    )


def _apply(plan: importing.Plan) -> ImportRecord:
    record = importing.APPLIERS[plan.kind](plan, current_user._get_current_object())
    if record is None:  # only the demo seed imports without a record
        raise RuntimeError("The import made no import record")
    return record
