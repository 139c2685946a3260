"""Read-only views of the audit record for admins. There is no route that edits or deletes it."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, render_template, request
from sqlalchemy import Select
from wtforms import SelectChoice

from tracker.auditlog import bp, queries
from tracker.auditlog.describe import KINDS, describe_all
from tracker.auditlog.forms import AuditFilterForm
from tracker.clock import local, today
from tracker.extensions import db
from tracker.models import Action, User
from tracker.pagination import Page, paginate, same_query_url
from tracker.permissions import Permission, permission_required
from tracker.text import spreadsheet_cell

PAGE_SIZE = 50


def _paged(query: Select) -> Page:
    return paginate(queries.newest_first(query), PAGE_SIZE)


@bp.route("/audit/actions/<int:action_id>")
@permission_required(Permission.ADMINISTER)
def for_action(action_id: int):
    action = db.session.get(Action, action_id) or abort(404)
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for action {action.reference}",
        subject_action=action,
        page=(page := _paged(queries.about_action(action_id))),
        described=describe_all(page.items),
        history_count=queries.progress_update_count(action_id),
    )


@bp.route("/audit/users/<int:user_id>")
@permission_required(Permission.ADMINISTER)
def for_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for {user.name}",
        subject_user=user,
        page=(page := _paged(queries.about_user(user))),
        described=describe_all(page.items),
    )


@bp.route("/audit")
@permission_required(Permission.ADMINISTER)
def recent():
    form, query = _filtered()
    page = _paged(query)
    return render_template(
        "auditlog/events.html",
        heading="Audit trail",
        page=page,
        described=describe_all(page.items),
        filters=form,
        filtered=bool(request.args),
        csv_url=same_query_url("auditlog.recent_csv"),
    )


@bp.route("/audit.csv")
@permission_required(Permission.ADMINISTER)
def recent_csv():
    _, query = _filtered()
    events = list(db.session.scalars(queries.newest_first(query)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["When", "Who", "What happened", "Details", "IP address"])
    for item in describe_all(events):
        writer.writerow(
            [
                spreadsheet_cell(f"{local(item.when):%Y-%m-%d %H:%M}"),
                spreadsheet_cell(item.who),
                spreadsheet_cell(item.text),
                spreadsheet_cell("\n".join(item.details)),
                spreadsheet_cell(item.event.ip_address or ""),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=audit-trail-{today():%Y-%m-%d}.csv",
            "Cache-Control": "no-store",
        },
    )


def _filtered():
    """The filter form (from the query string) and the events it selects."""
    form = AuditFilterForm(request.args)
    people, plans = queries.people_and_plans()
    form.person.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(i), name) for i, name in people
    ]
    form.plan.choices = [SelectChoice("", "All plans")] + [
        SelectChoice(str(i), title) for i, title in plans
    ]
    form.kind.choices = [SelectChoice("", "Every kind")] + [
        SelectChoice(key, label) for key, (label, _) in KINDS.items()
    ]
    form.validate()
    starts, ends = form.date_from, form.date_to
    query = queries.filtered(
        actor_id=_whole(form.person.data),
        plan_id=_whole(form.plan.data),
        prefixes=tuple(KINDS[form.kind.data][1]) if form.kind.data in KINDS else None,
        start=_start_of(starts.data) if starts.data and not starts.errors else None,
        end=_start_of(ends.data + timedelta(1)) if ends.data and not ends.errors else None,
    )
    return form, query


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _start_of(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(), tzinfo=zone)
