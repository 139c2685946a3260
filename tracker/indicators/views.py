from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from tracker.admin.forms import people_choices
from tracker.admin.plan_details import possible_leads
from tracker.args import text_arg
from tracker.clock import today
from tracker.extensions import db
from tracker.imports import FileProblem, pending
from tracker.imports.flow import ImportFlow
from tracker.imports.queries import recent_imports
from tracker.indicators import bp, importing, queries, service
from tracker.indicators.forms import (
    ConfirmImportForm,
    DeleteValueForm,
    IndicatorForm,
    LinkForm,
    MoveValueForm,
    TargetForm,
    UnlinkForm,
    UploadForm,
    ValueForm,
)
from tracker.indicators.pages import chart_and_rows, deleted_figures, value_history
from tracker.indicators.parsing import UNIT_NAMES
from tracker.indicators.queries import IndicatorSummary
from tracker.indicators.rag import describe_target, format_value, target_in_force
from tracker.lru import LRU
from tracker.models import (
    Basis,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Polarity,
    Recommendation,
    Unit,
    User,
)
from tracker.pagination import paginate_in_one
from tracker.permissions import Permission, permission_required, user_has
from tracker.rules import StaleEdit
from tracker.templating import rag_tag
from tracker.uow import unit_of_work

OVERVIEW_PAGE_SIZE = 50
FLOW = ImportFlow(
    folder=importing.PENDING_FOLDER,
    upload_endpoint="indicators.import_upload",
    preview_endpoint="indicators.import_preview",
    category="info",
    success_category="success",
    changed="The stored figures changed after you checked this file. Check the new preview "
    "below, then import again.",
    raced="Someone saved figures from this file while it was being imported, so nothing was "
    "imported. Check the new preview below, then import again.",
    race_errors=(service.Conflict, IntegrityError),
)

STALE_MESSAGE = (
    "Someone else saved a change to this {what} after you opened it. Check what is saved now "
    "{where}, then save again to replace it with what you typed"
)


def _found(code: str) -> Indicator:
    return queries.indicator_by_code(code) or abort(404)


def _user() -> User:
    return current_user._get_current_object()


@bp.app_template_filter("basis_label")
def basis_label(basis: str) -> str:
    return Basis(basis).label


_SENTINEL = "\x00"


@bp.app_template_filter("indicator_url")
def indicator_url(code: str) -> str:
    """url_for('indicators.indicator', code=code), built with one url_for per request: tables
    link every row to its indicator. The code is quoted by the route's own converter."""
    built = g.get("_indicator_url")
    if built is None:
        url_map = current_app.url_map
        converter = url_map.converters["default"](url_map)
        head, tail = url_for("indicators.indicator", code=_SENTINEL).split(
            converter.to_url(_SENTINEL)
        )
        built = g._indicator_url = (head, tail, converter.to_url)
    head, tail, to_url = built
    return f"{head}{to_url(code)}{tail}"


# A filter as well as a global: a table calls it once or twice per row, and a filter is called
# directly where a global goes through the template context.
bp.add_app_template_filter(rag_tag, "rag_tag")

# Per process: each row of the indicators table (templates/indicators/_summary-table.html),
# keyed by everything it shows: what the summary was worked out from (its revision key), its
# rating (whose reason carries the published benchmarks), the link and why it is linked.
_rows = LRU(maxsize=4000)


@bp.app_template_filter("summary_row")
def summary_row(summary: IndicatorSummary, rationales: dict | None = None) -> Markup:
    """The summary's row of the indicators table, drawn once per revision of what it shows."""
    indicator = summary.indicator
    rationale = rationales.get(indicator.id) if rationales else None
    url = indicator_url(indicator.code)
    rating = summary.rating
    key = None
    if summary.revision_key is not None and rating is not None:
        key = (summary.revision_key, rating.rag, rating.trend, url, rationale)
    row = _rows.get(key) if key is not None else None
    if row is None:
        macro = get_template_attribute("indicators/_summary-row.html", "summary_row")
        row = Markup(  # noqa: S704 (the macro escapes what it is given)
            macro(
                summary,
                indicator,
                summary.latest,
                summary.latest_month,
                rating,
                rationale,
                url,
            )
        )
        if key is not None:
            _rows.put(key, row)
    return row


# --- Reading --------------------------------------------------------------------------------


@bp.route("/indicators")
@permission_required(Permission.VIEW_PLANS)
def index():
    search = text_arg("q")
    page = paginate_in_one(queries.overview_pages(search), OVERVIEW_PAGE_SIZE)
    summaries = queries.latest_values_for(page.items, per_series=12)
    return render_template("indicators/index.html", summaries=summaries, page=page, search=search)


@bp.route("/indicators/<code>")
@permission_required(Permission.VIEW_PLANS)
def indicator(code: str):
    found = _found(code)
    summary = queries.latest_values_for([found], per_series=24)[0]
    drawn = chart_and_rows(summary, months=24)
    rows = drawn.rows
    return render_template(
        "indicators/indicator.html",
        summary=summary,
        indicator=found,
        chart=drawn.chart,
        rows=rows,
        revised=summary.revised,
        targets=[(t, describe_target(found, t)) for t in reversed(summary.targets)],
        current_target=describe_target(found, target_in_force(summary.targets, today())),
        benchmark_text=format_value(found.benchmark, found.unit, None),
        links=queries.linked_recommendations(found),
        deleted=deleted_figures(found),
        manage=user_has(current_user, Permission.MANAGE_INDICATORS),
    )


@bp.route("/indicators/<code>/values/<int:value_id>")
@permission_required(Permission.VIEW_PLANS)
def value(code: str, value_id: int):
    found = _found(code)
    stored = queries.value_with_history(found, value_id) or abort(404)
    return render_template(
        "indicators/value.html",
        indicator=found,
        stored=stored,
        shown=format_value(stored.value, found.unit, max(found.decimals, 2)),
        history=value_history(found, stored),
        manage=user_has(current_user, Permission.MANAGE_INDICATORS),
    )


# --- Definitions ----------------------------------------------------------------------------


def _owner_choices() -> list[SelectChoice]:
    return people_choices(possible_leads(), "No owner")


@bp.route("/indicators/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def new_indicator():
    form = IndicatorForm()
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.decimals.data = "1"
    if form.validate_on_submit():
        try:
            with unit_of_work():
                created = service.create_indicator(form.data_for_model())
        except service.Conflict as conflict:
            form.code.errors.append(str(conflict))
        else:
            flash(f"{created.code} added. Now add its target.", "success")
            return redirect(url_for("indicators.new_target", code=created.code))
    return render_template("indicators/indicator-form.html", form=form, indicator=None)


@bp.route("/indicators/<code>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def edit_indicator(code: str):
    found = _found(code)
    form = IndicatorForm(obj=found if request.method == "GET" else None)
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.decimals.data = str(found.decimals)
        form.benchmark.data = "" if found.benchmark is None else f"{found.benchmark:g}"
        form.owner_id.data = str(found.owner_id or "")
        form.fingerprint.data = service.fingerprint(found, service.INDICATOR_FIELDS)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = service.update_indicator(
                    found, form.data_for_model(), form.fingerprint.data
                )
        except StaleEdit:
            form.name.errors.append(STALE_MESSAGE.format(what="indicator", where="on its page"))
            form.fingerprint.data = service.fingerprint(found, service.INDICATOR_FIELDS)
        except service.Conflict as conflict:
            form.code.errors.append(str(conflict))
        else:
            flash(
                f"{found.code} saved." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("indicators.indicator", code=found.code))
    return render_template("indicators/indicator-form.html", form=form, indicator=found)


def _target_form(found: Indicator, target: IndicatorTarget | None) -> TargetForm:
    within = Polarity(found.polarity) is Polarity.WITHIN_RANGE
    form = TargetForm(within_range=within)
    if request.method == "GET" and target is not None:
        form.effective_from.data = f"{target.effective_from:%Y-%m}"
        for name in ("target", "lower_bound", "upper_bound", "amber_tolerance"):
            number = getattr(target, name)
            getattr(form, name).data = "" if number is None else f"{number:g}"
        form.source.data = target.source
        form.fingerprint.data = service.fingerprint(target, service.TARGET_FIELDS)
    elif request.method == "GET":
        form.amber_tolerance.data = "0"
    return form


@bp.route("/indicators/<code>/targets/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def new_target(code: str):
    found = _found(code)
    form = _target_form(found, None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                service.add_target(found, form.data_for_model())
        except service.Conflict as conflict:
            form.effective_from.errors.append(str(conflict))
        else:
            flash(f"Target for {found.code} added.", "success")
            return redirect(url_for("indicators.indicator", code=found.code) + "#targets")
    return render_template(
        "indicators/target-form.html", form=form, indicator=found, target=None, unit=_unit(found)
    )


@bp.route("/indicators/<code>/targets/<int:target_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def edit_target(code: str, target_id: int):
    found = _found(code)
    target = db.session.get(IndicatorTarget, target_id)
    if target is None or target.indicator_id != found.id:
        abort(404)
    form = _target_form(found, target)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = service.update_target(
                    target, form.data_for_model(), form.fingerprint.data
                )
        except StaleEdit:
            form.effective_from.errors.append(STALE_MESSAGE.format(what="target", where="above"))
            form.fingerprint.data = service.fingerprint(target, service.TARGET_FIELDS)
        except service.Conflict as conflict:
            form.effective_from.errors.append(str(conflict))
        else:
            flash(
                f"Target for {found.code} saved." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("indicators.indicator", code=found.code) + "#targets")
    return render_template(
        "indicators/target-form.html",
        form=form,
        indicator=found,
        target=target,
        current=describe_target(found, target),
        unit=_unit(found),
    )


def _unit(found: Indicator) -> str:
    return UNIT_NAMES[Unit(found.unit)]


UNIT_HINTS = {
    Unit.PERCENTAGE: "A percentage from 0 to 100, for example 98.36 or 98.36%.",
    Unit.RATE_PER_10000: "A rate per 10,000 children, for example 73.4.",
    Unit.COUNT: "A number, for example 12.",
    Unit.WEEKS: "A number of weeks, for example 18.",
    Unit.FTE: "Full-time equivalent posts, for example 20.5.",
}


# --- Values ---------------------------------------------------------------------------------


def _figure(form: ValueForm) -> service.Figure:
    note = (form.data_quality_note.data or "").strip() or None
    return service.Figure(form.valid_figure, bool(form.provisional.data), note)


@bp.route("/indicators/<code>/values/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def new_value(code: str):
    found = _found(code)
    form = ValueForm(unit=found.unit)
    existing = None
    if form.validate_on_submit():
        month = form.period.valid_month
        existing = service.existing_value(found.id, month, form.basis.data)
        if existing is None:
            with unit_of_work():
                service.add_value(
                    found,
                    month,
                    form.basis.data,
                    _figure(form),
                    _user(),
                    source=f"Entered by {current_user.name}",
                )
            label = Basis(form.basis.data).label.lower()
            flash(f"{found.code} {month:%B %Y} ({label}) figure added.", "success")
            return redirect(url_for("indicators.indicator", code=found.code) + "#figures")
        form.period.errors.append(
            f"There is already a {Basis(existing.basis).label.lower()} figure for "
            f"{existing.period:%B %Y}: change that figure instead"
        )
    return render_template(
        "indicators/value-form.html",
        form=form,
        indicator=found,
        stored=None,
        existing=existing,
        unit_hint=UNIT_HINTS[Unit(found.unit)],
    )


@bp.route("/indicators/<code>/values/<int:value_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def edit_value(code: str, value_id: int):
    found = _found(code)
    stored = queries.value_with_history(found, value_id) or abort(404)
    form = ValueForm(unit=found.unit, editing=True)
    if request.method == "GET":
        form.value.data = f"{stored.value:g}"
        form.provisional.data = stored.provisional
        form.data_quality_note.data = stored.data_quality_note or ""
        form.stamp.data = service.value_stamp(stored)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = service.change_value(
                    stored,
                    _figure(form),
                    _user(),
                    source=f"Corrected by {current_user.name}",
                    seen=form.stamp.data,
                )
        except StaleEdit:
            form.value.errors.append(STALE_MESSAGE.format(what="figure", where="above"))
            form.stamp.data = service.value_stamp(stored)
        else:
            what = f"{found.code} {stored.period:%B %Y} ({Basis(stored.basis).label.lower()})"
            flash(
                f"{what} figure changed; the previous figure is kept in its history."
                if changed
                else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("indicators.value", code=found.code, value_id=stored.id))
    return render_template(
        "indicators/value-form.html",
        form=form,
        indicator=found,
        stored=stored,
        shown=format_value(stored.value, found.unit, max(found.decimals, 2)),
        history=value_history(found, stored),
        unit_hint=UNIT_HINTS[Unit(found.unit)],
    )


def _figure_name(found: Indicator, stored: IndicatorValue) -> str:
    return f"{found.code} {stored.period:%B %Y} ({Basis(stored.basis).label.lower()})"


@bp.route("/indicators/<code>/values/<int:value_id>/move", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def move_value(code: str, value_id: int):
    found = _found(code)
    stored = queries.value_with_history(found, value_id) or abort(404)
    form = MoveValueForm()
    if request.method == "GET":
        form.stamp.data = service.value_stamp(stored)
    if form.validate_on_submit():
        was, month = _figure_name(found, stored), form.period.valid_month
        try:
            with unit_of_work():
                service.move_value(
                    stored,
                    month,
                    _user(),
                    form.reason.data.strip(),
                    form.stamp.data,
                )
        except StaleEdit:
            form.period.errors.append(STALE_MESSAGE.format(what="figure", where="above"))
            form.stamp.data = service.value_stamp(stored)
        except service.Conflict as conflict:
            form.period.errors.append(str(conflict))
        else:
            flash(
                f"{was} figure moved to {month:%B %Y}; the move is in its history.",
                "success",
            )
            return redirect(url_for("indicators.value", code=found.code, value_id=stored.id))
    return render_template(
        "indicators/value-move.html",
        form=form,
        indicator=found,
        stored=stored,
        shown=format_value(stored.value, found.unit, max(found.decimals, 2)),
    )


@bp.route("/indicators/<code>/values/<int:value_id>/delete", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def delete_value(code: str, value_id: int):
    found = _found(code)
    stored = queries.value_with_history(found, value_id) or abort(404)
    form = DeleteValueForm()
    if request.method == "GET":
        form.stamp.data = service.value_stamp(stored)
    if form.validate_on_submit():
        was = _figure_name(found, stored)
        try:
            with unit_of_work():
                service.delete_value(stored, _user(), form.reason.data.strip(), form.stamp.data)
        except StaleEdit:
            form.reason.errors.append(STALE_MESSAGE.format(what="figure", where="above"))
            form.stamp.data = service.value_stamp(stored)
        else:
            flash(
                f"{was} figure deleted; it is kept under Deleted figures with your reason.",
                "success",
            )
            return redirect(url_for("indicators.indicator", code=found.code) + "#deleted")
    return render_template(
        "indicators/value-delete.html",
        form=form,
        indicator=found,
        stored=stored,
        shown=format_value(stored.value, found.unit, max(found.decimals, 2)),
    )


# --- Links ----------------------------------------------------------------------------------


def _recommendation_choices(found: Indicator) -> list[SelectChoice]:
    choices = [SelectChoice("", "Choose a recommendation")]
    for rec in queries.unlinked_recommendations(found):
        choices.append(
            SelectChoice(str(rec.id), f"{rec.reference}: {rec.title}", optgroup=rec.plan.title)
        )
    return choices


@bp.route("/indicators/<code>/links", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def links(code: str):
    found = _found(code)
    form = LinkForm()
    form.recommendation_id.choices = _recommendation_choices(found)
    if form.validate_on_submit():
        rec = db.session.get(Recommendation, int(form.recommendation_id.data)) or abort(404)
        try:
            with unit_of_work():
                service.link(found, rec, form.rationale.data.strip())
        except service.Conflict as conflict:
            form.recommendation_id.errors.append(str(conflict))
        else:
            flash(f"{found.code} linked to {rec.reference}: {rec.title}.", "success")
            return redirect(url_for("indicators.links", code=found.code))
    return render_template(
        "indicators/links.html",
        form=form,
        indicator=found,
        links=queries.linked_recommendations(found),
    )


@bp.route("/indicators/<code>/links/<int:recommendation_id>/remove", methods=["POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def unlink(code: str, recommendation_id: int):
    found = _found(code)
    rec = db.session.get(Recommendation, recommendation_id) or abort(404)
    form = UnlinkForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        removed = service.unlink(found, rec)
    if removed:
        flash(f"{found.code} is no longer linked to {rec.reference}: {rec.title}.", "success")
    return redirect(url_for("indicators.links", code=found.code))


# --- Import ---------------------------------------------------------------------------------


@bp.route("/indicators/import", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def import_upload():
    form = UploadForm()
    kept = FLOW.upload(form, lambda data, name: _readable(data, name).content())
    if kept is not None:
        return kept
    return render_template(
        "indicators/import-upload.html", form=form, imports=recent_imports(importing.KIND)
    )


def _readable(data: bytes, filename: str) -> importing.Table:
    """The file's table, read once here; its rows are checked on the preview page."""
    if not data:
        raise FileProblem("The selected file is empty")
    return importing.read_table(data, filename)


def _pending_plan(upload_id: str) -> importing.ImportPlan | None:
    """The preview's rows checked against the figures stored now (the file is not read again)."""
    found = pending.load(importing.PENDING_FOLDER, upload_id, current_user.id)
    if found is None:
        return None
    table = importing.Table.from_content(found.content)
    return importing.plan_table(table, found.filename, found.sha256)


@bp.route("/indicators/import/<upload_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_INDICATORS)
def import_preview(upload_id: str):
    plan = _pending_plan(upload_id)
    return FLOW.preview(
        upload_id,
        plan,
        ConfirmImportForm(),
        "indicators/import-preview.html",
        lambda checked: importing.apply_import(checked, _user()),
    )


@bp.route("/indicators/import/template.csv", defaults={"kind": "csv"})
@bp.route("/indicators/import/template.xlsx", defaults={"kind": "xlsx"})
@permission_required(Permission.MANAGE_INDICATORS)
def import_template(kind: str):
    if kind == "csv":
        body, mimetype = importing.template_csv(), "text/csv"
    else:
        body = importing.template_xlsx(queries.all_indicators())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="indicator-figures-template.{kind}"'
        },
    )
