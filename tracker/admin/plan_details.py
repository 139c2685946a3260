"""Creating, editing, archiving and restoring plans: the rules, as plain functions.

Views call these inside a unit of work; each change writes an audit event with before and after.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from tracker import audit
from tracker.extensions import db
from tracker.models import (
    CommitteeMeeting,
    Plan,
    PlanStatus,
    PlanSubmission,
    PublishedPaper,
    User,
)
from tracker.permissions import may_own_work, may_own_work_clause
from tracker.rules import RuleError

MEETING_TITLE = "Scrutiny committee meeting"
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d %m %Y")


@dataclass
class PlanDetails:
    title: str
    inspectorate: str
    inspection_type: str
    published_on: date | None
    lead_id: int | None
    meeting_dates: list[date] = field(default_factory=list)

    def to_session(self) -> dict:
        data = asdict(self)
        data["published_on"] = self.published_on.isoformat() if self.published_on else None
        data["meeting_dates"] = [d.isoformat() for d in self.meeting_dates]
        return data

    @classmethod
    def from_session(cls, data: dict) -> "PlanDetails":
        published = data.get("published_on")
        return cls(
            title=data["title"],
            inspectorate=data["inspectorate"],
            inspection_type=data.get("inspection_type", ""),
            published_on=date.fromisoformat(published) if published else None,
            lead_id=data.get("lead_id"),
            meeting_dates=[date.fromisoformat(d) for d in data.get("meeting_dates", [])],
        )


def parse_day(text: str) -> date | None:
    """A date typed the ways people in a council type them: 14/3/2016, 2016-03-14, 14 March 2016."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
        return day if day.year >= 1900 else None  # "14/3/16" is not year 16
    return None


def parse_meeting_dates(text: str) -> tuple[list[date], list[str]]:
    """One date per line (or separated by semicolons). Returns the dates and each problem."""
    dates: set[date] = set()
    problems = []
    lines = [line.strip() for line in re.split(r"[\n;]", text or "")]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        day = parse_day(line)
        if day is None:
            problems.append(
                f"Committee meeting date on line {number} ('{line[:40]}') must be a real date, "
                "for example 14/3/2016"
            )
        else:
            dates.add(day)
    return sorted(dates), problems


def format_meeting_dates(dates: list[date]) -> str:
    return "\n".join(f"{d.day}/{d.month}/{d.year}" for d in dates)


def possible_leads() -> list[User]:
    """People who can lead a plan, a recommendation or own an action: active, not committee."""
    query = select(User).where(may_own_work_clause()).order_by(func.lower(User.name))
    return list(db.session.scalars(query))


def title_taken(title: str, except_plan_id: int | None = None) -> bool:
    query = select(Plan.id).where(func.lower(Plan.title) == title.strip().lower())
    if except_plan_id is not None:
        query = query.where(Plan.id != except_plan_id)
    return db.session.scalar(query) is not None


def check_details(details: PlanDetails, except_plan_id: int | None = None) -> None:
    if title_taken(details.title, except_plan_id):
        raise RuleError("A plan with this title already exists: choose another", "title")
    if details.lead_id is not None:
        lead = db.session.get(User, details.lead_id)
        if not may_own_work(lead):
            raise RuleError("Choose a plan lead from the list", "lead_id")


def plan_snapshot(plan: Plan) -> dict:
    return {
        "title": plan.title,
        "inspectorate": plan.inspectorate,
        "inspection_type": plan.inspection_type,
        "published_on": plan.published_on.isoformat() if plan.published_on else None,
        "lead_id": plan.lead_id,
        "status": plan.status,
        "meeting_dates": sorted(m.meeting_on.isoformat() for m in plan.meetings),
    }


def create_plan(details: PlanDetails) -> Plan:
    check_details(details)
    plan = Plan(
        title=details.title.strip(),
        inspectorate=details.inspectorate.strip(),
        inspection_type=details.inspection_type.strip(),
        published_on=details.published_on,
        lead_id=details.lead_id,
        status=PlanStatus.ACTIVE,
    )
    db.session.add(plan)
    db.session.flush()
    _set_meetings(plan, details.meeting_dates)
    db.session.flush()
    audit.record("plan.created", obj=plan, after=plan_snapshot(plan))
    return plan


def update_plan(plan: Plan, details: PlanDetails) -> bool:
    """Save changed details; returns whether anything changed."""
    check_details(details, except_plan_id=plan.id)
    before = plan_snapshot(plan)
    plan.title = details.title.strip()
    plan.inspectorate = details.inspectorate.strip()
    plan.inspection_type = details.inspection_type.strip()
    plan.published_on = details.published_on
    plan.lead_id = details.lead_id
    _set_meetings(plan, details.meeting_dates)
    db.session.flush()
    db.session.refresh(plan, ["meetings"])
    after = plan_snapshot(plan)
    if before == after:
        return False
    audit.record("plan.updated", obj=plan, before=before, after=after)
    return True


def _set_meetings(plan: Plan, dates: list[date]) -> None:
    """Add the meetings newly listed and remove those no longer listed (others keep their title)."""
    wanted = set(dates)
    existing = list(
        db.session.scalars(select(CommitteeMeeting).where(CommitteeMeeting.plan_id == plan.id))
    )
    removed = [m for m in existing if m.meeting_on not in wanted]
    _check_no_published_paper(removed)
    for meeting in removed:
        db.session.delete(meeting)
    have = {m.meeting_on for m in existing}
    for day in sorted(wanted - have):
        db.session.add(CommitteeMeeting(plan_id=plan.id, meeting_on=day, title=MEETING_TITLE))


def _check_no_published_paper(meetings: list[CommitteeMeeting]) -> None:
    """What a committee was sent stays with its meeting: such a meeting cannot be removed."""
    if not meetings:
        return
    published = db.session.scalars(
        select(CommitteeMeeting.meeting_on)
        .join(PublishedPaper, PublishedPaper.meeting_id == CommitteeMeeting.id)
        .where(CommitteeMeeting.id.in_([m.id for m in meetings]))
        .order_by(CommitteeMeeting.meeting_on)
    ).first()
    if published is not None:
        raise RuleError(
            f"A paper has been published for the meeting on {published.day} {published:%B %Y}: "
            "keep that date in the list",
            "meeting_dates",
        )
    approved = db.session.scalars(
        select(CommitteeMeeting.meeting_on)
        .join(PlanSubmission, PlanSubmission.approved_meeting_id == CommitteeMeeting.id)
        .where(CommitteeMeeting.id.in_([m.id for m in meetings]))
    ).first()
    if approved is not None:
        raise RuleError(
            f"The plan's approval is recorded at the meeting on {approved.day} {approved:%B %Y}: "
            "keep that date in the list, or change the approval first",
            "meeting_dates",
        )


def archive_plan(plan: Plan) -> None:
    if plan.status == PlanStatus.ARCHIVED:
        raise RuleError("This plan is already archived")
    plan.status = PlanStatus.ARCHIVED
    audit.record(
        "plan.archived",
        obj=plan,
        before={"status": PlanStatus.ACTIVE.value},
        after={"status": PlanStatus.ARCHIVED.value},
    )


def restore_plan(plan: Plan) -> None:
    if plan.status == PlanStatus.ACTIVE:
        raise RuleError("This plan is not archived")
    plan.status = PlanStatus.ACTIVE
    audit.record(
        "plan.restored",
        obj=plan,
        before={"status": PlanStatus.ARCHIVED.value},
        after={"status": PlanStatus.ACTIVE.value},
    )
