"""Read-only views of the audit record for admins. There is no route that edits or deletes it."""

from flask import abort, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from tracker.auditlog import bp
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, ProgressUpdate, User
from tracker.permissions import Permission, permission_required

PAGE_SIZE = 50


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


def _paged(query, page: int):
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    events = db.session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return events, total, pages


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
    page = _page_number()
    events, total, pages = _paged(query, page)
    history = db.session.scalar(
        select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action_id)
    )
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for action {action.reference}",
        subject_action=action,
        events=events,
        total=total,
        page=page,
        pages=pages,
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
    page = _page_number()
    events, total, pages = _paged(query, page)
    return render_template(
        "auditlog/events.html",
        heading=f"Audit trail for {user.name}",
        subject_user=user,
        events=events,
        total=total,
        page=page,
        pages=pages,
    )


@bp.route("/audit")
@permission_required(Permission.ADMINISTER)
def recent():
    page = _page_number()
    events, total, pages = _paged(select(AuditEvent), page)
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "auditlog/events.html",
        heading="Audit trail",
        events=events,
        total=total,
        page=page,
        pages=pages,
        users=users,
    )
