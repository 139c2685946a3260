"""Read queries for the admins' reminders page: a fixed number of statements per page."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Action, JobRun, ReminderOutbox, ReminderSkip
from tracker.models.reminders import DIGEST_KINDS
from tracker.pagination import Page, paginate
from tracker.reminders.outbox import JOB

STATES = ("sent", "pending", "failed")


EMAILS_PER_PAGE = 50


@dataclass
class DayReport:
    day: date
    run: JobRun | None
    emails: Page  # of ReminderOutbox, 50 at a time
    counts: dict[str, int]
    skips: list[ReminderSkip]
    references: dict[int, str] = field(default_factory=dict)

    def count(self, state: str) -> int:
        return self.counts.get(state, 0)

    def references_for(self, action_ids: list[int]) -> str:
        return ", ".join(self.references.get(i, "?") for i in action_ids or [])


def day_report(day: date) -> DayReport:
    """The day's run, its emails (one page of them), their counts by state, and who was skipped."""
    emails = paginate(
        select(ReminderOutbox)
        .where(ReminderOutbox.day == day, ReminderOutbox.kind.in_(DIGEST_KINDS))
        .options(joinedload(ReminderOutbox.recipient))
        .order_by(ReminderOutbox.kind.desc(), ReminderOutbox.recipient_email, ReminderOutbox.id),
        EMAILS_PER_PAGE,
    )
    counts = dict(
        db.session.execute(
            select(ReminderOutbox.state, func.count())
            .where(ReminderOutbox.day == day, ReminderOutbox.kind.in_(DIGEST_KINDS))
            .group_by(ReminderOutbox.state)
        ).all()
    )
    skips = list(
        db.session.scalars(
            select(ReminderSkip)
            .where(ReminderSkip.day == day)
            .options(joinedload(ReminderSkip.user))
            .order_by(ReminderSkip.kind.desc(), ReminderSkip.id)
        )
    )
    run = db.session.scalar(select(JobRun).where(JobRun.job == JOB, JobRun.slot == day))
    report = DayReport(day=day, run=run, emails=emails, counts=counts, skips=skips)
    report.references = action_references(
        [i for row in [*emails.items, *skips] for i in (row.action_ids or [])]
    )
    return report


def action_references(action_ids: list[int]) -> dict[int, str]:
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(Action.id, Action.reference).where(Action.id.in_(set(action_ids)))
    )
    return {action_id: reference for action_id, reference in rows}


def failed_emails(limit: int = 50) -> list[ReminderOutbox]:
    """Emails that reached the attempt limit, newest day first, whatever day is being shown."""
    return list(
        db.session.scalars(
            select(ReminderOutbox)
            .where(ReminderOutbox.state == "failed")
            .order_by(ReminderOutbox.day.desc(), ReminderOutbox.recipient_email)
            .limit(limit)
        )
    )
