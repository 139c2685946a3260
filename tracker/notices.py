"""What people are told about work that concerns them (issue 13.15), derived from the records
that already exist: progress history (evidence added, rejected, completions, verifications) and
the audit trail (actions assigned or reassigned). Nothing is stored twice.

The daily digest carries the previous day's notices (one email per person per day, with their
reminders); My actions shows those since the person's previous sign-in. Each kind can be turned
off in the notice preferences except assignments.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from sqlalchemy import (
    JSON,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    AuditEvent,
    Plan,
    ProgressUpdate,
    Recommendation,
    User,
)
from tracker.models.types import UTCDateTime


class NoticeKind(StrEnum):
    ASSIGNED = "assigned"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_REJECTED = "evidence_rejected"
    COMPLETED = "completed"
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        return NOTICE_LABELS[self]


NOTICE_LABELS = {
    NoticeKind.ASSIGNED: "Actions given to you (always shown)",
    NoticeKind.EVIDENCE_ADDED: "Evidence added to actions under recommendations you lead",
    NoticeKind.EVIDENCE_REJECTED: "Evidence rejected on actions you own, with the reason",
    NoticeKind.COMPLETED: "Actions completed and waiting for you to verify them",
    NoticeKind.VERIFIED: "Actions of yours that have been verified",
}
# The user column behind each kind a person may turn off.
PREFERENCE_COLUMNS = {
    NoticeKind.EVIDENCE_ADDED: "wants_evidence_added_notices",
    NoticeKind.EVIDENCE_REJECTED: "wants_evidence_rejected_notices",
    NoticeKind.COMPLETED: "wants_completed_notices",
    NoticeKind.VERIFIED: "wants_verified_notices",
}
OPTIONAL_KINDS = list(PREFERENCE_COLUMNS)
ASSIGNING_EVENTS = ("action.created", "action.updated", "action.owner_changed")


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    recipient_id: int
    at: datetime
    action_id: int
    reference: str
    description: str
    plan_title: str
    text: str


def wants(user: User, kind: NoticeKind) -> bool:
    column = PREFERENCE_COLUMNS.get(kind)
    return column is None or bool(getattr(user, column))


def notices_between(start: datetime, end: datetime, about: int | None = None) -> list[Notice]:
    """Every notice for anyone (or only history touching person `about`'s work), from start
    (included) to end: one statement."""
    params = {"start": start, "end": end, "about": about}
    return _notices(params, about is not None, since_last_visit=False)


def notices_since_last_visit(user: User, now: datetime) -> list[Notice]:
    """This person's notices since their last visit (last_visit) until now, newest first,
    leaving out kinds they turned off; the last visit found by the same one statement."""
    params = {"earliest": now - LOOK_BACK, "end": now, "about": user.id, "me": user.id}
    return _theirs(user, _notices(params, True, since_last_visit=True))


def _theirs(user: User, notices: list[Notice]) -> list[Notice]:
    found = [n for n in notices if n.recipient_id == user.id]
    return [n for n in reversed(found) if wants(user, n.kind)]


def _notices(params: dict, about: bool, since_last_visit: bool) -> list[Notice]:
    notices = []
    for row in db.session.connection().execute(_statement(about, since_last_visit), params):
        notice = _from_history(row) if row.source == "history" else _from_assignment(row)
        if notice is not None:
            notices.append(notice)
    return sorted(notices, key=lambda n: (n.at, n.reference))


@cache
def _statement(about: bool, since_last_visit: bool) -> CompoundSelect:
    """Progress history and assignments in one statement, each row saying which it is: the
    columns of both, the other's empty. Built once per process for each variant; parameters as
    _in_window, and `about`."""
    return union_all(_history(about, since_last_visit), _assignments(since_last_visit))


def _in_window(column, since_last_visit: bool) -> ColumnElement[bool]:
    """`column` from parameter `start` (included) to `end`; or, since_last_visit, from person
    `me`'s last visit (last_visit, with `earliest` as its now - LOOK_BACK) to `end`."""
    before_end = column < bindparam("end", type_=UTCDateTime)
    if not since_last_visit:
        return and_(column >= bindparam("start", type_=UTCDateTime), before_end)
    since = _last_visit(bindparam("me", type_=Integer), bindparam("earliest", type_=UTCDateTime))
    return and_(column >= since, before_end)


def _history(about: bool, since_last_visit: bool) -> Select:
    author = aliased(User)
    changed_status = or_(
        ProgressUpdate.status_from.is_(None), ProgressUpdate.status_from != ProgressUpdate.status_to
    )
    query = (
        select(
            literal_column("'history'", String).label("source"),
            ProgressUpdate.created_at.label("at"),
            ProgressUpdate.event,
            ProgressUpdate.status_to,
            ProgressUpdate.note,
            ProgressUpdate.author_id.label("by_id"),
            author.name.label("by_name"),
            Action.id.label("action_id"),
            Action.reference,
            Action.description,
            Action.owner_id,
            Recommendation.lead_id,
            Plan.title.label("plan_title"),
            cast(null(), JSON).label("before"),
            cast(null(), JSON).label("after"),
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Plan, Plan.id == Recommendation.plan_id)
        .outerjoin(author, author.id == ProgressUpdate.author_id)
        .where(
            _in_window(ProgressUpdate.created_at, since_last_visit),
            or_(
                ProgressUpdate.event.in_(["evidence.added", "evidence.rejected"]),
                and_(ProgressUpdate.status_to.in_(sorted(ActionStatus.CLOSED)), changed_status),
            ),
        )
    )
    if about:
        person = bindparam("about", type_=Integer)
        query = query.where(or_(Action.owner_id == person, Recommendation.lead_id == person))
    return query


def _from_history(row) -> Notice | None:
    kind, recipient, text = _history_notice(row)
    if kind is None or recipient is None or recipient == row.by_id:
        return None
    return Notice(
        kind,
        recipient,
        row.at,
        row.action_id,
        row.reference,
        row.description,
        row.plan_title,
        text,
    )


def _history_notice(row) -> tuple[NoticeKind | None, int | None, str]:
    by = row.by_name or "Someone"
    if row.event == "evidence.added":
        return NoticeKind.EVIDENCE_ADDED, row.lead_id, f"{row.note} (by {by})"
    if row.event == "evidence.rejected":
        return NoticeKind.EVIDENCE_REJECTED, row.owner_id, f"{row.note} (by {by})"
    if row.status_to == "verified":
        return NoticeKind.VERIFIED, row.owner_id, f"Verified by {by}"
    if row.status_to == "completed" and row.event is None:
        return NoticeKind.COMPLETED, row.lead_id, f"Completed by {by}: awaiting your verification"
    return None, None, ""


def _assignments(since_last_visit: bool) -> Select:
    actor = aliased(User)
    return (
        select(
            literal_column("'assignment'", String).label("source"),
            AuditEvent.occurred_at.label("at"),
            cast(null(), String).label("event"),
            cast(null(), String).label("status_to"),
            cast(null(), Text).label("note"),
            AuditEvent.actor_id.label("by_id"),
            actor.name.label("by_name"),
            Action.id.label("action_id"),
            Action.reference,
            Action.description,
            cast(null(), Integer).label("owner_id"),
            cast(null(), Integer).label("lead_id"),
            Plan.title.label("plan_title"),
            AuditEvent.before,
            AuditEvent.after,
        )
        .join(Action, and_(AuditEvent.object_type == "Action", AuditEvent.object_id == Action.id))
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Plan, Plan.id == Recommendation.plan_id)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(
            AuditEvent.event.in_(ASSIGNING_EVENTS),
            _in_window(AuditEvent.occurred_at, since_last_visit),
            # Only changes that name an owner: most action updates are progress, and reading
            # each one's JSON here cost more than the rest of My actions.
            AuditEvent.after["owner_id"].as_string().is_not(None),
        )
    )


def _from_assignment(row) -> Notice | None:
    owner = (row.after or {}).get("owner_id")
    if not isinstance(owner, int) or owner == (row.before or {}).get("owner_id"):
        return None
    if owner == row.by_id:
        return None
    by = row.by_name or "The system"
    return Notice(
        NoticeKind.ASSIGNED,
        owner,
        row.at,
        row.action_id,
        row.reference,
        row.description,
        row.plan_title,
        f"Given to you by {by}",
    )


LOOK_BACK = timedelta(days=14)


def last_visit(user: User, now: datetime) -> datetime:
    """When this person last came before this sign-in: their previous sign-in, or two weeks ago
    for someone signing in for the first time (or long after)."""
    earliest = now - LOOK_BACK
    found = db.session.scalar(select(_last_visit(literal(user.id), literal(earliest, UTCDateTime))))
    return earliest if found is None else found


def _last_visit(person: ColumnElement[int], earliest: ColumnElement[datetime]):
    """last_visit as one expression, of the person's id and now - LOOK_BACK (bound parameters
    in a statement built once): one value, so that a window starting there is read by the index
    on its time."""
    # The previous sign-in if it is not before `earliest`: then the latest one is not either.
    previous = (
        select(AuditEvent.occurred_at)
        .where(
            AuditEvent.event == "sign_in.succeeded",
            AuditEvent.actor_id == person,
            AuditEvent.occurred_at >= earliest,
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
        .offset(1)
        .scalar_subquery()
    )
    return func.coalesce(previous, earliest)
