"""Who may do what: the one permission decorator, and the rules behind it as plain functions.

Every view declares a Permission with @permission_required. A before-request check refuses any
endpoint that forgot to, so a new route is closed until someone decides who may use it.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TypeGuard

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, or_, select

from tracker.extensions import db
from tracker.models import Action, Evidence, Plan, Recommendation, ReviewState, Role, User


class Permission(StrEnum):
    PUBLIC = "public"
    VIEW_PLANS = "view_plans"
    VIEW_EVIDENCE_FILES = "view_evidence_files"
    UPDATE_OWN_ACTIONS = "update_own_actions"
    REVIEW_EVIDENCE = "review_evidence"
    MANAGE_INDICATORS = "manage_indicators"
    ADMINISTER = "administer"
    # The data API: a bearer token's scopes decide, not a signed-in person's role.
    API_TOKEN = "api_token"  # noqa: S105 (a permission name, not a password)


ALL_SIGNED_IN = frozenset(Role)
# Owning an action or leading a recommendation is a relation, not a role: any staff member may
# hold it. Committee members read the plan and change nothing, so they can hold neither.
WORK_ROLES = frozenset({Role.HEAD_OF_SERVICE, Role.PERFORMANCE_OFFICER, Role.ADMIN})
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_PLANS: ALL_SIGNED_IN,
    Permission.VIEW_EVIDENCE_FILES: WORK_ROLES,
    Permission.UPDATE_OWN_ACTIONS: WORK_ROLES,
    Permission.REVIEW_EVIDENCE: WORK_ROLES,
    Permission.MANAGE_INDICATORS: frozenset({Role.PERFORMANCE_OFFICER, Role.ADMIN}),
    Permission.ADMINISTER: frozenset({Role.ADMIN}),
}


def role_has(role: str | Role, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    if permission is Permission.API_TOKEN:
        return False
    return Role(role) in GRANTS[permission]


def user_has(user: User, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    return bool(user.is_authenticated and user.is_active and role_has(user.role, permission))


def may_own_work(user: User | None) -> TypeGuard[User]:
    """Whether this person can own actions and lead plans or recommendations: active staff."""
    return bool(user is not None and user.active and Role(user.role) in WORK_ROLES)


def may_own_work_clause() -> ColumnElement[bool]:
    """may_own_work as a query condition on User, for the lists of possible owners and leads."""
    return and_(User.active.is_(True), User.role.in_([r.value for r in WORK_ROLES]))


def can_update_action(user: User, action: Action) -> bool:
    """Owners update their own actions; admins update any; a deputy updates the actions of the
    person they are covering for, while the cover runs (tracker/deputies/rules.py)."""
    if not user_has(user, Permission.UPDATE_OWN_ACTIONS):
        return False
    if user.role == Role.ADMIN or action.owner_id == user.id:
        return True
    return acting_for(user, action) is not None


def acting_for(user: User, action: Action) -> User | None:
    """The owner, when this person works on the action as their deputy today; else None. What a
    deputy does is recorded as theirs "on behalf of" this owner."""
    from tracker.clock import today
    from tracker.deputies.rules import covers

    if action.owner_id is None or action.owner_id == user.id or not may_own_work(user):
        return None
    return action.owner if covers(user.id, action.owner_id, today()) else None


def can_change_plan_structure(user: User, plan: Plan) -> bool:
    """Admins change any plan's recommendations and actions; a plan's lead changes their own."""
    if not user_has(user, Permission.VIEW_PLANS):
        return False
    if user.role == Role.ADMIN:
        return True
    return plan.lead_id is not None and plan.lead_id == user.id and may_own_work(user)


def can_review_evidence(user: User, evidence: Evidence) -> bool:
    """The recommendation lead or an admin, never the person who owns the action.

    The lead must also hold a role that may review: a lead who became a committee member keeps
    the relation on paper until the work is reassigned, but can no longer verify anything."""
    action = evidence.action
    if evidence.withdrawn:
        return False
    if not user_has(user, Permission.REVIEW_EVIDENCE) or action.owner_id == user.id:
        return False
    return user.role == Role.ADMIN or action.recommendation.lead_id == user.id


def can_withdraw_evidence(user: User, evidence: Evidence) -> bool:
    """Its uploader while nobody has reviewed it; the recommendation lead or an admin at any
    time."""
    if evidence.withdrawn or not user_has(user, Permission.UPDATE_OWN_ACTIONS):
        return False
    if user.role == Role.ADMIN:
        return True
    if evidence.action.recommendation.lead_id == user.id and may_own_work(user):
        return True
    return evidence.added_by_id == user.id and evidence.review_state == ReviewState.SUBMITTED


def can_purge_evidence(user: User) -> bool:
    """Removing evidence altogether, on request (for example under UK GDPR), is for admins."""
    return user_has(user, Permission.ADMINISTER)


def review_queue_clause(user: User) -> ColumnElement[bool]:
    """can_review_evidence as a query condition on Action joined to its Recommendation: the
    actions whose evidence this person reviews (for "Awaiting my review")."""
    not_theirs = or_(Action.owner_id.is_(None), Action.owner_id != user.id)
    if not user_has(user, Permission.REVIEW_EVIDENCE):
        return false()
    if user.role == Role.ADMIN:
        return not_theirs
    return and_(Recommendation.lead_id == user.id, not_theirs)


def reviews_anything(user: User) -> bool:
    """Whether "Awaiting my review" is for this person: admins, and leads of a recommendation."""
    if not user_has(user, Permission.REVIEW_EVIDENCE):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.leads_recommendations is not None:  # read with the session (tracker/auth/sessions.py)
        return user.leads_recommendations
    query = select(Recommendation.id).where(Recommendation.lead_id == user.id).limit(1)
    return db.session.scalar(query) is not None


def mark_view(view: Callable, **marks: object) -> None:
    """Label a route's function with what it requires (the permission map and the convention
    tests read `permission` and `scope`)."""
    view.__dict__.update(marks)


def permission_required(permission: Permission) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if permission is not Permission.PUBLIC:
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
                if not user_has(current_user, permission):
                    abort(403)
            return view(*args, **kwargs)

        mark_view(wrapped, permission=permission)
        return wrapped

    return decorator


def declared_permission(app: Flask, endpoint: str | None) -> Permission | None:
    if endpoint == "static":
        return Permission.PUBLIC
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "permission", None)


def register_permission_check(app: Flask) -> None:
    @app.before_request
    def refuse_undeclared_endpoints():
        if request.endpoint is None:
            return None  # 404 / 405: the error handlers answer
        if declared_permission(app, request.endpoint) is None:
            app.logger.error("Endpoint %s declares no permission; refused", request.endpoint)
            abort(403)
        return None
