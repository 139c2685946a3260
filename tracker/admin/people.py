"""People: adding accounts, changing roles, deactivating and reactivating, reassigning work.

Rules here, as plain functions: there is always at least one active admin; nobody deactivates
themselves; deactivating signs the person out everywhere; a deactivated person's open work is
listed so that it can be handed to someone else.
"""

from dataclasses import asdict, dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.admin.structure import touch
from tracker.auth.sessions import DEACTIVATED, end_sessions
from tracker.extensions import db
from tracker.models import Action, Plan, PlanStatus, Recommendation, Role, User
from tracker.permissions import WORK_ROLES, may_own_work
from tracker.rules import RuleError


class WorkToReassign(RuleError):
    """The new role cannot own or lead work, and the person still has some: hand it over first."""

    def __init__(self, user: User, actions: list, recommendations: list):
        super().__init__(
            f"{user.name} owns {_count(len(actions), 'open action')} and leads "
            f"{_count(len(recommendations), 'recommendation')}. A committee member cannot own "
            "or lead work: reassign it before changing the role",
            "role",
        )
        self.actions = actions
        self.recommendations = recommendations


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class PersonDetails:
    name: str
    email: str
    job_title: str
    role: str

    def to_session(self) -> dict:
        return asdict(self)


def normalise_email(text: str) -> str:
    """The address as stored: checked for shape, lower case. Raises RuleError."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RuleError(
            "Enter an email address in the correct format, like name@example.org", "email"
        ) from None


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query) is not None


def check_new_person(details: PersonDetails) -> PersonDetails:
    email = normalise_email(details.email)
    if email_taken(email):
        raise RuleError("Someone already has an account with this email address", "email")
    if details.role not in {r.value for r in Role}:
        raise RuleError("Select a role", "role")
    return PersonDetails(
        name=" ".join(details.name.split()),
        email=email,
        job_title=" ".join(details.job_title.split()),
        role=details.role,
    )


def person_snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "job_title": user.job_title,
        "role": user.role,
        "active": user.active,
    }


def all_people() -> list[User]:
    return list(db.session.scalars(people_matching("")))


def people_matching(search: str) -> Select:
    """Active people first, then by name; those whose name or email contains `search`."""
    query = select(User).order_by(User.active.desc(), func.lower(User.name), User.id)
    if search:
        query = query.where(
            User.name.icontains(search, autoescape=True)
            | User.email.icontains(search, autoescape=True)
        )
    return query


def create_person(details: PersonDetails) -> User:
    """A new account with no password: the person sets one from their invite link."""
    details = check_new_person(details)
    user = User(
        name=details.name,
        email=details.email,
        job_title=details.job_title,
        role=details.role,
        password_hash=None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", obj=user, after=person_snapshot(user))
    return user


def _active_admins() -> int:
    query = select(func.count(User.id)).where(User.role == Role.ADMIN, User.active)
    return db.session.scalar(query) or 0


def update_person(user: User, name: str, job_title: str, role: str) -> bool:
    if role not in {r.value for r in Role}:
        raise RuleError("Select a role", "role")
    if user.role == Role.ADMIN and role != Role.ADMIN and user.active and _active_admins() <= 1:
        raise RuleError(
            f"{user.name} is the only active admin: make someone else an admin first", "role"
        )
    if role != user.role and Role(role) not in WORK_ROLES:
        actions, recommendations = open_actions_owned_by(user.id), recommendations_led_by(user.id)
        if actions or recommendations:
            raise WorkToReassign(user, actions, recommendations)
    before = person_snapshot(user)
    user.name = " ".join(name.split())
    user.job_title = " ".join(job_title.split())
    user.role = role
    after = person_snapshot(user)
    if after == before:
        return False
    event = "user.role_changed" if before["role"] != role else "user.updated"
    audit.record(event, obj=user, before=before, after=after)
    return True


def deactivate(user: User, actor: User) -> None:
    if user.id == actor.id:
        raise RuleError("You cannot deactivate your own account")
    if not user.active:
        raise RuleError(f"{user.name} is already deactivated")
    if user.role == Role.ADMIN and _active_admins() <= 1:
        raise RuleError(f"{user.name} is the only active admin")
    user.active = False
    # Every session they hold ends: signed out now, on every device.
    end_sessions(user, DEACTIVATED)
    audit.record("user.deactivated", obj=user, before={"active": True}, after={"active": False})


def reactivate(user: User) -> None:
    if user.active:
        raise RuleError(f"{user.name} is already active")
    user.active = True
    audit.record("user.reactivated", obj=user, before={"active": False}, after={"active": True})


# --- Work that needs a new owner ---------------------------------------------------------------


def open_actions_owned_by(user_id: int) -> list[Action]:
    """Actions still to do in live plans: not completed or verified, not withdrawn."""
    query = (
        select(Action)
        .join(Action.recommendation)
        .join(Recommendation.plan)
        .where(
            Action.owner_id == user_id,
            ~Action.is_closed,
            Action.withdrawn_reason.is_(None),
            Plan.status == PlanStatus.ACTIVE,
        )
        .options(joinedload(Action.recommendation).joinedload(Recommendation.plan))
        .order_by(Plan.title, Recommendation.position, Action.position)
    )
    return list(db.session.scalars(query))


def recommendations_led_by(user_id: int) -> list[Recommendation]:
    query = (
        select(Recommendation)
        .join(Recommendation.plan)
        .where(
            Recommendation.lead_id == user_id,
            Recommendation.withdrawn_reason.is_(None),
            Plan.status == PlanStatus.ACTIVE,
        )
        .options(joinedload(Recommendation.plan))
        .order_by(Plan.title, Recommendation.position)
    )
    return list(db.session.scalars(query))


def deactivated_people_with_open_work() -> list[tuple[User, int, int]]:
    """Deactivated people who still own open actions or lead recommendations, with counts."""
    result = []
    query = select(User).where(User.active.is_(False)).order_by(func.lower(User.name))
    for user in db.session.scalars(query):
        actions, recs = len(open_actions_owned_by(user.id)), len(recommendations_led_by(user.id))
        if actions or recs:
            result.append((user, actions, recs))
    return result


def check_new_owner(user_id: int | None) -> User:
    person = db.session.get(User, user_id) if user_id else None
    if not may_own_work(person):
        raise RuleError("Choose who will take over from the list", "new_owner_id")
    return person


def reassign(
    from_user: User,
    new_owner: User,
    action_ids: list[int],
    recommendation_ids: list[int],
    actor: User,
) -> tuple[int, int]:
    """Hand the chosen open actions and led recommendations to someone else, each audited."""
    if new_owner.id == from_user.id:
        raise RuleError("Choose someone else to take over", "new_owner_id")
    chosen_actions = [a for a in open_actions_owned_by(from_user.id) if a.id in set(action_ids)]
    chosen_recs = [
        r for r in recommendations_led_by(from_user.id) if r.id in set(recommendation_ids)
    ]
    if not chosen_actions and not chosen_recs:
        raise RuleError("Select at least one action or recommendation", "action_ids")
    for action in chosen_actions:
        action.owner_id = new_owner.id
        touch(action, actor)
        audit.record(
            "action.owner_changed",
            obj=action,
            before={"owner_id": from_user.id},
            after={"owner_id": new_owner.id},
        )
    for rec in chosen_recs:
        rec.lead_id = new_owner.id
        audit.record(
            "recommendation.lead_changed",
            obj=rec,
            before={"lead_id": from_user.id},
            after={"lead_id": new_owner.id},
        )
    return len(chosen_actions), len(chosen_recs)
