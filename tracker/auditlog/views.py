"""Read-only views of the audit record for admins. There is no route that edits or deletes it."""

from flask import abort, render_template
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from tracker.auditlog import bp
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, ProgressUpdate, User
from tracker.pagination import Page, paginate
from tracker.permissions import Permission, permission_required

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
        page=_paged(query),
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
        page=_paged(query),
    )


@bp.route("/audit")
@permission_required(Permission.ADMINISTER)
def recent():
    query = select(AuditEvent)
    return render_template(
        "auditlog/events.html",
        heading="Audit trail",
        page=_paged(query),
    )
