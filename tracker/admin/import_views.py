"""Importing an existing action plan: upload -> preview -> confirm (all or nothing).

Between preview and confirm the parsed rows are kept on the server (tracker/imports/pending.py,
the same store the indicator import uses), named in the confirm form by a random id and belonging
to the person who uploaded them; the file is parsed once. On confirm the rows are checked again
against the plan as it is then.
"""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from tracker.admin import bp
from tracker.admin.forms import ImportConfirmForm, ImportUploadForm
from tracker.admin.plan_import import (
    PENDING_FOLDER,
    Preview,
    SheetRow,
    apply_import,
    earlier_imports,
    preview,
    read_rows,
    template_csv,
    template_xlsx,
)
from tracker.admin.structure_access import changes_structure, plan_for_structure
from tracker.extensions import db
from tracker.imports import FileProblem, pending
from tracker.imports.limits import configured, megabytes
from tracker.imports.reading import read_upload
from tracker.models import ImportRecord, Plan
from tracker.permissions import Permission, permission_required
from tracker.quotas import QuotaExceeded
from tracker.uow import unit_of_work

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(plan_for_structure)
def import_plan(plan: Plan):
    form = ImportUploadForm()
    form.file.description = (
        "An Excel workbook (.xlsx) or a CSV file, "
        f"{megabytes(configured().max_file_bytes)} or smaller"
    )
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors.append("Select an Excel or CSV file")
        else:
            try:
                data = read_upload(upload, configured())
            except FileProblem as problem:
                form.file.errors.append(str(problem))
            else:
                try:
                    return _preview_page(plan, data, pending.clean_filename(upload.filename))
                except QuotaExceeded as refused:
                    form.file.errors.append(str(refused))
    return render_template("admin/import-upload.html", form=form, plan=plan)


def _preview_page(plan: Plan, data: bytes, filename: str):
    rows, problems = read_rows(data, filename)
    digest = pending.sha256_of(data)
    result = preview(plan, rows) if not problems else Preview(problems=problems)
    upload_id = None
    if result.ok and not result.nothing_new:
        content = {"plan": plan.id, "rows": [[row.number, row.values] for row in rows]}
        upload_id = pending.store(PENDING_FOLDER, data, filename, current_user.id, content)
    return _render_preview(plan, result, filename, digest, upload_id)


def _render_preview(plan, result, filename, digest, upload_id, changed_since=False):
    return render_template(
        "admin/import-preview.html",
        plan=plan,
        result=result,
        filename=filename,
        earlier=earlier_imports(plan.id, digest),
        form=None,
        confirm_form=ImportConfirmForm(upload_id=upload_id) if upload_id else None,
        changed_since=changed_since,
    )


@bp.route("/plans/<int:plan_id>/import/confirm", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
@changes_structure(plan_for_structure)
def confirm_import(plan: Plan):
    form = ImportConfirmForm()
    if not form.validate_on_submit() or not pending.UPLOAD_ID.match(form.upload_id.data or ""):
        abort(400)
    upload_id = form.upload_id.data
    found = pending.load(PENDING_FOLDER, upload_id, current_user.id)
    if found is None:
        flash(
            "That file has already been imported, or it was checked more than a day ago. "
            "Upload it again.",
            "info",
        )
        return redirect(url_for("admin.import_plan", plan_id=plan.id))
    if found.content.get("plan") != plan.id:
        abort(400)
    rows = [SheetRow(number, values) for number, values in found.content["rows"]]
    result = preview(plan, rows)
    if not result.ok or result.nothing_new:
        # Someone changed the plan (or imported this file) since the preview: show it as it is now.
        return _render_preview(plan, result, found.filename, found.sha256, None, True)
    if pending.claim(PENDING_FOLDER, upload_id, current_user.id) is None:
        flash("That file has already been imported.", "info")
        return redirect(url_for("admin.import_plan", plan_id=plan.id))
    try:
        with unit_of_work():
            record = apply_import(plan, result, current_user, found.filename, found.sha256)
    except Exception:
        pending.release(PENDING_FOLDER, upload_id)
        raise
    pending.discard(PENDING_FOLDER, upload_id)
    return redirect(url_for("admin.import_done", plan_id=plan.id, record_id=record.id))


@bp.route("/plans/<int:plan_id>/import/<int:record_id>")
@permission_required(Permission.VIEW_PLANS)
def import_done(plan_id: int, record_id: int):
    plan = plan_for_structure(plan_id)
    record = db.session.get(ImportRecord, record_id)
    if record is None or record.plan_id != plan.id:
        abort(404)
    return render_template("admin/import-done.html", plan=plan, record=record)


@bp.route("/import/action-plan-template.xlsx")
@permission_required(Permission.VIEW_PLANS)
def import_template_xlsx():
    return _download(template_xlsx(), XLSX, "action-plan-template.xlsx")


@bp.route("/import/action-plan-template.csv")
@permission_required(Permission.VIEW_PLANS)
def import_template_csv():
    return _download(template_csv(), "text/csv; charset=utf-8", "action-plan-template.csv")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
