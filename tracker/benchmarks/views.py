"""Importing published statistics: upload, preview (kept on the server), confirm."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.benchmarks import bp, importing
from tracker.benchmarks.forms import BenchmarkUploadForm, ConfirmBenchmarkImportForm
from tracker.extensions import db
from tracker.imports import FileProblem, pending
from tracker.imports.limits import configured, megabytes
from tracker.imports.reading import read_upload
from tracker.models import BenchmarkMeasure, ImportRecord, StatisticalNeighbour
from tracker.permissions import Permission, permission_required
from tracker.quotas import QuotaExceeded
from tracker.uow import unit_of_work

KINDS = (importing.FIGURES_KIND, importing.NEIGHBOURS_KIND)


def _recent_imports(limit: int = 10) -> list[ImportRecord]:
    query = (
        select(ImportRecord)
        .where(ImportRecord.kind.in_(KINDS))
        .options(joinedload(ImportRecord.imported_by))
        .order_by(ImportRecord.imported_at.desc(), ImportRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@bp.route("/benchmarks/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def upload():
    form = BenchmarkUploadForm()
    size = megabytes(configured().max_file_bytes)
    form.file.description = f"A CSV or Excel (.xlsx) file, {size} or smaller."
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = read_upload(upload, configured())
            rows = importing.read_rows(data, upload.filename or "")
        except FileProblem as problem:
            form.file.errors.append(str(problem))
        else:
            content = {"kind": form.kind.data, "rows": rows}
            try:
                upload_id = pending.store(
                    importing.PENDING_FOLDER, data, upload.filename, current_user.id, content
                )
            except QuotaExceeded as refused:
                form.file.errors.append(str(refused))
            else:
                return redirect(url_for("benchmarks.preview", upload_id=upload_id))
    measures = db.session.scalars(
        select(BenchmarkMeasure).options(joinedload(BenchmarkMeasure.indicator))
    ).all()
    councils = db.session.execute(
        select(StatisticalNeighbour.la_name, StatisticalNeighbour.la_code).distinct()
    ).all()
    return render_template(
        "benchmarks/import-upload.html",
        form=form,
        imports=_recent_imports(),
        measures=measures,
        councils=sorted(councils),
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
    if plan is None:
        flash(
            "That file has already been imported, or it was uploaded more than a day ago. "
            "Upload it again."
        )
        return redirect(url_for("benchmarks.upload"))
    form = ConfirmBenchmarkImportForm()
    form.submit.label.text = "Import this file"
    if request.method == "GET":
        form.sha256.data, form.digest.data = plan.sha256, plan.digest
    elif form.validate_on_submit():
        if form.sha256.data != plan.sha256 or form.digest.data != plan.digest:
            flash(
                "What is stored changed after you checked this file. Check the new preview "
                "below, then import again."
            )
            form.sha256.data, form.digest.data = plan.sha256, plan.digest
        else:
            return _confirm(upload_id, plan)
    else:
        abort(400)
    return render_template(
        "benchmarks/import-preview.html", plan=plan, form=form, upload_id=upload_id
    )


def _confirm(upload_id: str, plan: importing.Plan):
    folder = importing.PENDING_FOLDER
    if not plan.ok:
        flash("Nothing was imported: correct the file and upload it again.")
        return redirect(url_for("benchmarks.preview", upload_id=upload_id))
    if pending.claim(folder, upload_id, current_user.id) is None:
        flash("That file has already been imported.")
        return redirect(url_for("benchmarks.upload"))
    try:
        with unit_of_work():
            record = importing.APPLIERS[plan.kind](plan, current_user._get_current_object())
    except IntegrityError:
        pending.release(folder, upload_id)
        flash(
            "Someone imported the same figures while this file was being imported, so nothing "
            "was imported. Check the new preview below, then import again."
        )
        return redirect(url_for("benchmarks.preview", upload_id=upload_id))
    except Exception:
        pending.release(folder, upload_id)
        raise
    pending.discard(folder, upload_id)
    flash(
        f"Imported {record.filename}: {record.rows_added} added, {record.rows_changed} changed, "
        f"{record.rows_unchanged} unchanged."
    )
    return redirect(url_for("benchmarks.upload"))
