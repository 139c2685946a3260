"""Importing an existing action plan: upload -> preview -> confirm (all or nothing).

Between preview and confirm the rows travel in the confirm form, signed with the app's secret
key and valid for an hour, so no server keeps a half-finished import and any web process can
finish it. On confirm the rows are checked again against the plan as it is then.
"""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.admin import bp
from tracker.admin.forms import ImportConfirmForm, ImportUploadForm
from tracker.admin.plan_import import (
    MAX_BYTES,
    Preview,
    SheetRow,
    apply_import,
    earlier_imports,
    preview,
    read_rows,
    sha256,
    template_csv,
    template_xlsx,
)
from tracker.admin.plans_views import plan_for_structure
from tracker.admin.structure_views import archived_refusal
from tracker.extensions import db
from tracker.models import ImportRecord, Plan
from tracker.permissions import Permission, permission_required
from tracker.uow import unit_of_work

PAYLOAD_SALT = "action-plan-import"
PAYLOAD_MAX_AGE = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=PAYLOAD_SALT)


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def import_plan(plan_id: int):
    plan = plan_for_structure(plan_id)
    refusal = archived_refusal(plan)
    if refusal:
        return refusal
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors.append("Select an Excel or CSV file")
        else:
            data = upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                form.file.errors.append("The file must be 5 MB or smaller")
            else:
                return _preview_page(plan, data, _safe_name(upload.filename))
    return render_template("admin/import-upload.html", form=form, plan=plan)


def _safe_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:200] or "upload"


def _preview_page(plan: Plan, data: bytes, filename: str, status: int = 200):
    rows, problems = read_rows(data)
    digest = sha256(data)
    result = preview(plan, rows) if not problems else Preview(problems=problems)
    payload = None
    if result.ok and not result.nothing_new:
        payload = _serializer().dumps(
            {
                "plan": plan.id,
                "filename": filename,
                "sha256": digest,
                "rows": [[row.number, row.values] for row in rows],
            }
        )
    return _render_preview(plan, result, filename, digest, payload), status


def _render_preview(plan, result, filename, digest, payload, changed_since=False):
    return render_template(
        "admin/import-preview.html",
        plan=plan,
        result=result,
        filename=filename,
        earlier=earlier_imports(plan.id, digest),
        form=None,
        confirm_form=ImportConfirmForm(payload=payload) if payload else None,
        changed_since=changed_since,
    )


@bp.route("/plans/<int:plan_id>/import/confirm", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def confirm_import(plan_id: int):
    plan = plan_for_structure(plan_id)
    refusal = archived_refusal(plan)
    if refusal:
        return refusal
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = _serializer().loads(form.payload.data or "", max_age=PAYLOAD_MAX_AGE)
    except SignatureExpired:
        flash("The check of your file was more than an hour ago. Upload the file again.")
        return redirect(url_for("admin.import_plan", plan_id=plan.id))
    except BadSignature:
        abort(400)
    if data.get("plan") != plan.id:
        abort(400)
    rows = [SheetRow(number, values) for number, values in data["rows"]]
    result = preview(plan, rows)
    if not result.ok or result.nothing_new:
        # Someone changed the plan (or imported this file) since the preview: show it as it is now.
        return _render_preview(plan, result, data["filename"], data["sha256"], None, True)
    with unit_of_work():
        record = apply_import(plan, result, current_user, data["filename"], data["sha256"])
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
