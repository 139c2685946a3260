"""Who gets which reminder on a given day: plain functions over the plan data, no side effects.

Rules in words (docs/reminders.md):
- an owner hears about their open actions that are overdue, due within REMINDER_DUE_SOON_DAYS,
  or have had no progress update for REMINDER_NO_UPDATE_DAYS; the last two can be turned off;
- actions overdue by ESCALATION_DAYS or more also go to the recommendation lead, on
  ESCALATION_WEEKDAY; a lead who owns the action themselves is passed over for the plan lead;
- completed, verified and withdrawn actions, and archived plans, never appear;
- someone deactivated or without a usable email address is skipped, with the reason;
- a deputy covering for someone on the day (tracker/deputies/rules.py) gets that person's
  reminders and escalations too, in their own single digest of each kind;
- the same digest carries the previous day's notices about work that concerns the person
  (tracker/notices.py), so that it is still one email per person per day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select, union

from tracker.clock import local
from tracker.deputies.rules import deputies_on
from tracker.extensions import db
from tracker.models import (
    Action,
    Plan,
    PlanStatus,
    ProgressUpdate,
    Recommendation,
    User,
)
from tracker.notices import notices_between, wants
from tracker.permissions import may_own_work

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
EVERY_DAY = "daily"


class Kind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"


class Reason(StrEnum):
    """Why an action is in a digest; each action appears once, under the first that applies."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NO_UPDATE = "no_update"


@dataclass(frozen=True)
class Settings:
    due_soon_days: int = 7
    no_update_days: int = 30
    escalation_days: int = 14
    escalation_weekday: str = "monday"
    statutory_deadlines: bool = False

    @classmethod
    def from_config(cls) -> "Settings":
        config = current_app.config
        weekday = str(config["ESCALATION_WEEKDAY"]).strip().lower()
        if weekday not in (*WEEKDAYS, EVERY_DAY):
            raise RuntimeError(
                f"ESCALATION_WEEKDAY must be a day of the week (for example monday) or "
                f"{EVERY_DAY}, not {config['ESCALATION_WEEKDAY']!r}"
            )
        return cls(
            due_soon_days=int(config["REMINDER_DUE_SOON_DAYS"]),
            no_update_days=int(config["REMINDER_NO_UPDATE_DAYS"]),
            escalation_days=int(config["ESCALATION_DAYS"]),
            escalation_weekday=weekday,
            statutory_deadlines=bool(config.get("REMINDER_STATUTORY_DEADLINES", False)),
        )

    def escalates_on(self, day: date) -> bool:
        return self.escalation_weekday in (EVERY_DAY, WEEKDAYS[day.weekday()])


@dataclass(frozen=True)
class PlanName:
    id: int
    title: str


@dataclass(frozen=True)
class OpenAction:
    """An open action with what reminders need to know about it. Read as plain columns rather
    than ORM objects: a national run reads tens of thousands of them."""

    id: int
    reference: str
    description: str
    current_due_date: date | None
    owner_id: int | None
    owner: User | None
    plan: PlanName
    recommendation_lead: User | None
    plan_lead: User | None
    last_changed: datetime  # the last progress update, or the action's own last change


@dataclass(frozen=True)
class Item:
    """One action in one digest, with everything the email says about it."""

    action: OpenAction
    reason: Reason
    days_overdue: int
    days_until_due: int | None
    last_update: date
    days_since_update: int

    @property
    def plan(self) -> PlanName:
        return self.action.plan

    @property
    def reference(self) -> str:
        return self.action.reference


@dataclass
class Digest:
    recipient: User
    kind: Kind
    items: list[Item] = field(default_factory=list)
    # Statutory deadlines overdue or due soon (tracker/inspections/reminders.py): plan leads
    # and admins only, in their reminder digest.
    deadlines: list = field(default_factory=list)
    # What happened the day before to work that concerns them (tracker/notices.py, issue 13.15).
    notices: list = field(default_factory=list)

    def with_reason(self, reason: Reason) -> list[Item]:
        return [item for item in self.items if item.reason is reason]

    @property
    def action_ids(self) -> list[int]:
        return [item.action.id for item in self.items]

    @property
    def references(self) -> list[str]:
        return [item.reference for item in self.items]


@dataclass(frozen=True)
class Skip:
    user: User
    kind: Kind
    reason: str
    action_ids: tuple[int, ...]


@dataclass
class Selection:
    day: date
    settings: Settings
    digests: list[Digest] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    # Actions that need a reminder but have no owner to send it to: shown, never emailed.
    unowned: list[OpenAction] = field(default_factory=list)


def _of_live_plans(*columns) -> Select:
    """A query over the open actions of live plans (joined to their recommendation and plan)."""
    return (
        select(*columns)
        .select_from(Action)
        .join(Action.recommendation)
        .join(Recommendation.plan)
        .where(
            ~Action.is_closed,
            Action.withdrawn_reason.is_(None),
            Recommendation.withdrawn_reason.is_(None),
            Plan.status != PlanStatus.ARCHIVED.value,
        )
    )


def people_involved() -> dict[int, User]:
    """Everyone who owns or leads open work: the possible recipients, in one statement."""
    ids = union(
        _of_live_plans(Action.owner_id),
        _of_live_plans(Recommendation.lead_id),
        _of_live_plans(Plan.lead_id),
    ).subquery()
    people = db.session.scalars(select(User).where(User.id.in_(select(ids.c[0]))))
    return {person.id: person for person in people}


def open_actions() -> list[OpenAction]:
    """Every open action of every live plan, with its owner, leads and plan, and the time of its
    last update: two statements whatever the plans' size."""
    last_update = (
        select(ProgressUpdate.action_id, func.max(ProgressUpdate.created_at).label("at"))
        .group_by(ProgressUpdate.action_id)
        .subquery()
    )
    query = (
        _of_live_plans(
            Action.id,
            Action.reference,
            Action.description,
            Action.current_due_date,
            Action.owner_id,
            Action.updated_at,
            Recommendation.lead_id.label("recommendation_lead_id"),
            Plan.id.label("plan_id"),
            Plan.title.label("plan_title"),
            Plan.lead_id.label("plan_lead_id"),
            last_update.c.at.label("last_update_at"),
        )
        .outerjoin(last_update, last_update.c.action_id == Action.id)
        .order_by(Plan.id, Recommendation.position, Action.position)
    )
    people = people_involved()
    plans: dict[int, PlanName] = {}
    actions = []
    for row in db.session.execute(query):
        if row.plan_id not in plans:
            plans[row.plan_id] = PlanName(row.plan_id, row.plan_title)
        actions.append(
            OpenAction(
                id=row.id,
                reference=row.reference,
                description=row.description,
                current_due_date=row.current_due_date,
                owner_id=row.owner_id,
                owner=people.get(row.owner_id),
                plan=plans[row.plan_id],
                recommendation_lead=people.get(row.recommendation_lead_id),
                plan_lead=people.get(row.plan_lead_id),
                last_changed=_as_utc(row.last_update_at) if row.last_update_at else row.updated_at,
            )
        )
    return actions


def _as_utc(moment: datetime) -> datetime:
    # Defensive: an aggregate can lose the column's timezone handling on some drivers.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select_reminders(day: date, settings: Settings | None = None) -> Selection:
    """What the run for `day` should send. Reads only; writes nothing."""
    settings = settings or Settings.from_config()
    selection = Selection(day=day, settings=settings)
    reminders: dict[int, Digest] = {}
    escalations: dict[int, Digest] = {}
    deputies = deputies_on(day)
    for action in open_actions():
        item = item_for(action, day, settings)
        if item is None:
            continue
        if action.owner is None:
            selection.unowned.append(action)
        elif wanted_by_owner(action.owner, item.reason):
            _add_reminder(reminders, item, action.owner, deputies)
        if escalates(item, day, settings):
            _add_escalation(escalations, item, action, deputies)
    if settings.statutory_deadlines:
        _add_deadlines(reminders, day)
    _add_notices(reminders, day)
    _send_or_skip(selection, [*reminders.values(), *escalations.values()])
    return selection


def _add_reminder(
    reminders: dict[int, Digest], item: Item, owner: User, deputies: dict[int, list[User]]
) -> None:
    """The owner's reminder, copied to whoever deputises for them."""
    _digest(reminders, owner, Kind.REMINDER).items.append(item)
    for deputy in deputies.get(owner.id, ()):
        if deputy.id != owner.id:
            _digest(reminders, deputy, Kind.REMINDER).items.append(item)


def _add_escalation(
    escalations: dict[int, Digest],
    item: Item,
    action: OpenAction,
    deputies: dict[int, list[User]],
) -> None:
    """The escalation to the action's lead, copied to their deputies."""
    lead = escalation_recipient(action)
    if lead is None:
        return
    _digest(escalations, lead, Kind.ESCALATION).items.append(item)
    for deputy in deputies.get(lead.id, ()):
        if deputy.id != action.owner_id:  # never escalated to its own owner
            _digest(escalations, deputy, Kind.ESCALATION).items.append(item)


def _send_or_skip(selection: Selection, digests: list[Digest]) -> None:
    """Each digest is sent, or skipped with the reason its recipient cannot receive it."""
    for digest in digests:
        problem = cannot_receive(digest.recipient)
        if problem:
            selection.skips.append(
                Skip(digest.recipient, digest.kind, problem, tuple(digest.action_ids))
            )
        else:
            digest.items.sort(key=_item_order)
            selection.digests.append(digest)
    selection.digests.sort(key=lambda d: (d.kind != Kind.REMINDER, d.recipient.email))
    selection.skips.sort(key=lambda s: (s.kind != Kind.REMINDER, s.user.email))


def _add_deadlines(reminders: dict[int, Digest], day: date) -> None:
    from tracker.inspections.reminders import deadline_notices

    for notice, people in deadline_notices(day):
        for person in people:
            if notice.overdue or person.wants_due_soon_reminders:
                _digest(reminders, person, Kind.REMINDER).deadlines.append(notice)


def _add_notices(reminders: dict[int, Digest], day: date) -> None:
    """The previous day's notices (local midnight to midnight), in the same single digest as the
    person's reminders: one statement for the notices, one for the people they go to."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    end = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    start = datetime.combine(day - timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    found = notices_between(start, end)
    ids = {n.recipient_id for n in found}
    people = {p.id: p for p in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for notice in found:
        person = people.get(notice.recipient_id)
        if person is not None and wants(person, notice.kind):
            _digest(reminders, person, Kind.REMINDER).notices.append(notice)


def item_for(action: OpenAction, day: date, settings: Settings) -> Item | None:
    """Why this action needs a reminder on `day`, or None if it does not."""
    due = action.current_due_date
    last_update = local(action.last_changed).date()
    days_since_update = (day - last_update).days
    days_until_due = (due - day).days if due else None
    if days_until_due is not None and days_until_due < 0:
        reason = Reason.OVERDUE
    elif days_until_due is not None and days_until_due <= settings.due_soon_days:
        reason = Reason.DUE_SOON
    elif days_since_update >= settings.no_update_days:
        reason = Reason.NO_UPDATE
    else:
        return None
    return Item(
        action=action,
        reason=reason,
        days_overdue=max(0, -days_until_due) if days_until_due is not None else 0,
        days_until_due=days_until_due,
        last_update=last_update,
        days_since_update=days_since_update,
    )


def wanted_by_owner(owner: User, reason: Reason) -> bool:
    """Overdue reminders cannot be turned off; the other two can."""
    if reason is Reason.DUE_SOON:
        return owner.wants_due_soon_reminders
    if reason is Reason.NO_UPDATE:
        return owner.wants_no_update_reminders
    return True


def escalates(item: Item, day: date, settings: Settings) -> bool:
    return (
        item.reason is Reason.OVERDUE
        and item.days_overdue >= settings.escalation_days
        and settings.escalates_on(day)
    )


def escalation_recipient(action: OpenAction) -> User | None:
    """The recommendation lead; if they own the action themselves, the plan lead instead."""
    for candidate in (action.recommendation_lead, action.plan_lead):
        if candidate is not None and candidate.id != action.owner_id:
            return candidate
    return None


def cannot_receive(user: User) -> str | None:
    if not user.active:
        return "Account deactivated"
    if not may_own_work(user):
        # The email's links lead to pages for updating and chasing work they cannot do.
        return "A committee member cannot own or lead work: reassign it"
    email = (user.email or "").strip()
    if not email or "@" not in email:
        return "No email address"
    return None


def _digest(digests: dict[int, Digest], user: User, kind: Kind) -> Digest:
    if user.id not in digests:
        digests[user.id] = Digest(recipient=user, kind=kind)
    return digests[user.id]


REASON_ORDER = {Reason.OVERDUE: 0, Reason.DUE_SOON: 1, Reason.NO_UPDATE: 2}


def _item_order(item: Item) -> tuple:
    due = item.action.current_due_date or date.max
    return (REASON_ORDER[item.reason], due, item.plan.id, _natural(item.reference))


def _natural(reference: str) -> tuple:
    """R3.10 sorts after R3.9."""
    parts = reference.lstrip("R").split(".")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)
