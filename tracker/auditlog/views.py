"""Read-only views of the audit record for admins. There is no route that edits or deletes it."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from tracker.auditlog import bp
from tracker.auditlog.describe import KINDS, describe_all
from tracker.auditlog.forms import AuditFilterForm
from tracker.clock import local, today
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, Plan, ProgressUpdate, Recommendation, User
from tracker.pagination import Page, paginate, same_query_url
from tracker.permissions import Permission, permission_required
from tracker.text import spreadsheet_cell

PAGE_SIZE = 50


def _paged(query) -> Page:
    ordered = query.options(joinedload(AuditEvent.actor)).order_by(
        AuditEvent.occurred_at.desc(), AuditEvent.id.desc()
    )
    return paginate(ordered, PAGE_SIZE)


@bp.route("/audit/actions/<int:action_id>")
@permission_required(Permission.ADMINISTER)
def for_action(action_id: int):
    action = db.session.get(Action, action_id) or abort(404)
    evidence_ids = select(Evidence.id).where(Evidence.action_id == action_id)
    query = select(AuditEvent).where(
        or_(
            (AuditEvent.object_type == "Action") & (AuditEvent.object_id == action_id),
            (AuditEvent.object_type == "Evidence") & AuditEvent.object_id.in_(evidence_ids),
        )
    )
    history = db.session.scalar(
        select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action_id)
    )
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for action {action.reference}",
        subject_action=action,
        page=(page := _paged(query)),
        described=describe_all(page.items),
        history_count=history,
    )


@bp.route("/audit/users/<int:user_id>")
@permission_required(Permission.ADMINISTER)
def for_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    query = select(AuditEvent).where(
        or_(
            AuditEvent.actor_id == user_id,
            (AuditEvent.object_type == "User") & (AuditEvent.object_id == user_id),
            AuditEvent.subject == user.email,
        )
    )
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for {user.name}",
        subject_user=user,
        page=(page := _paged(query)),
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
    events = list(
        db.session.scalars(
            query.options(joinedload(AuditEvent.actor)).order_by(
                AuditEvent.occurred_at.desc(), AuditEvent.id.desc()
            )
        )
    )
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
    people = db.session.execute(select(User.id, User.name).order_by(User.name)).all()
    plans = db.session.execute(select(Plan.id, Plan.title).order_by(Plan.title)).all()
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
    query = select(AuditEvent)
    if (form.person.data or "").isdigit():
        query = query.where(AuditEvent.actor_id == int(form.person.data))
    if (form.plan.data or "").isdigit():
        query = query.where(_in_plan(int(form.plan.data)))
    if form.kind.data in KINDS:
        _, prefixes = KINDS[form.kind.data]
        query = query.where(or_(*(AuditEvent.event.startswith(p) for p in prefixes)))
    if form.date_from.data and not form.date_from.errors:
        query = query.where(AuditEvent.occurred_at >= _start_of(form.date_from.data))
    if form.date_to.data and not form.date_to.errors:
        query = query.where(AuditEvent.occurred_at < _start_of(form.date_to.data + timedelta(1)))
    return form, query


def _start_of(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(), tzinfo=zone)


def _in_plan(plan_id: int):
    recommendations = select(Recommendation.id).where(Recommendation.plan_id == plan_id)
    actions = select(Action.id).where(Action.recommendation_id.in_(recommendations))
    evidence = select(Evidence.id).where(Evidence.action_id.in_(actions))
    return or_(
        (AuditEvent.object_type == "Plan") & (AuditEvent.object_id == plan_id),
        (AuditEvent.object_type == "Recommendation") & AuditEvent.object_id.in_(recommendations),
        (AuditEvent.object_type == "Action") & AuditEvent.object_id.in_(actions),
        (AuditEvent.object_type == "Evidence") & AuditEvent.object_id.in_(evidence),
    )
