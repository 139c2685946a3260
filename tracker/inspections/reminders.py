"""Statutory deadlines for the daily reminder digest: which are overdue or due soon, and who hears
about them (the plan's lead and every active admin). Reads only."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from tracker.extensions import db
from tracker.inspections.deadlines import Deadline, deadlines_for, event_label
from tracker.models import (
    InspectionEvent,
    Plan,
    PlanStatus,
    PlanSubmission,
    Role,
    User,
)
from tracker.permissions import may_own_work
from tracker.rag import Colour


@dataclass(frozen=True)
class DeadlineNotice:
    plan_id: int
    plan_title: str
    label: str  # "Final plan to Ofsted, after the monitoring visit"
    due: date
    overdue: bool
    reason: str  # the deadline's RAG reason, e.g. "Overdue by 3 working days: not yet sent"
    rule: str


def deadline_notices(day: date) -> list[tuple[DeadlineNotice, list[User]]]:
    """Each open statutory deadline of a live plan that is overdue or due soon (amber), with the
    people to tell. A fixed number of statements, whatever the number of plans."""
    events = list(
        db.session.scalars(
            select(InspectionEvent)
            .join(InspectionEvent.plan)
            .where(
                Plan.status != PlanStatus.ARCHIVED.value, InspectionEvent.received_on.is_not(None)
            )
            .options(selectinload(InspectionEvent.judgements), contains_eager(InspectionEvent.plan))
        )
    )
    if not events:
        return []
    by_plan: dict[int, list[InspectionEvent]] = {}
    for event in events:
        by_plan.setdefault(event.plan_id, []).append(event)
    submissions = {
        s.plan_id: s
        for s in db.session.scalars(
            select(PlanSubmission).where(PlanSubmission.plan_id.in_(by_plan))
        )
    }
    admins, leads = _admins_and_leads(events)
    found = []
    for plan_id, plan_events in by_plan.items():
        plan = plan_events[0].plan
        for deadline in deadlines_for(plan_events, submissions.get(plan_id), day):
            if deadline.sent or deadline.rag.colour not in (Colour.RED, Colour.AMBER):
                continue
            found.append((_notice(plan, deadline), _told(leads.get(plan.lead_id), admins)))
    return found


def _admins_and_leads(
    events: list[InspectionEvent],
) -> tuple[list[User], dict[int | None, User]]:
    """The active admins, and every active lead or admin by id: one statement."""
    lead_ids = {e.plan.lead_id for e in events if e.plan.lead_id}
    people = list(
        db.session.scalars(
            select(User).where(
                or_(User.role == Role.ADMIN.value, User.id.in_(lead_ids)), User.active.is_(True)
            )
        )
    )
    admins = [p for p in people if p.role == Role.ADMIN.value]
    leads: dict[int | None, User] = {p.id: p for p in people}
    return admins, leads


def _notice(plan: Plan, deadline: Deadline) -> DeadlineNotice:
    return DeadlineNotice(
        plan_id=plan.id,
        plan_title=plan.title,
        label=f"{deadline.label} ({event_label(deadline.event)})",
        due=deadline.due,
        overdue=deadline.rag.colour is Colour.RED,
        reason=deadline.rag.reason,
        rule=deadline.how_counted,
    )


def _told(lead: User | None, admins: list[User]) -> list[User]:
    """The plan's lead (if they may own work: not only a committee member) and every admin."""
    told = [lead] if may_own_work(lead) else []
    told += [a for a in admins if a not in told]
    return told
