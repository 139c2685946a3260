"""Writing the append-only audit record. There is no function to change or delete an event."""

from flask import g, has_request_context, request
from flask_login import current_user

from tracker.extensions import db
from tracker.models import AuditEvent, User


def record(
    event: str,
    *,
    obj=None,
    actor: User | None = None,
    subject: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with it)."""
    # A change through the data API is its token's (and answered for by the token's owner).
    api_token = g.get("api_token") if has_request_context() else None
    if actor is None and api_token is not None:
        actor = api_token.owner
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None and obj.id is None:
        db.session.flush()
    entry = AuditEvent(
        event=event,
        actor_id=actor.id if actor else None,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        subject=subject,
        before=before,
        after=after,
        ip_address=request.remote_addr if has_request_context() else None,
        api_token_id=api_token.id if api_token is not None else None,
    )
    db.session.add(entry)
    return entry
