"""Updating an action: the rules, in plain functions that views and commands share.

Nothing is overwritten: every update appends a ProgressUpdate, and the original due date is
kept on the action so that every slip stays visible.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker import audit
from tracker.evidence.service import supports_completion
from tracker.extensions import db
from tracker.models import Action, ActionStatus, ProgressUpdate, Role, User, utcnow
from tracker.permissions import acting_for
from tracker.rules import StaleEdit

# Statuses an owner may choose. "Verified" is set only by accepting evidence.
OWNER_STATUSES = [
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.BLOCKED,
    ActionStatus.COMPLETED,
]


@dataclass
class UpdateRequest:
    status: str
    note: str
    new_due_date: date | None
    due_change_reason: str
    expected_version: int


@dataclass
class UpdateProblems:
    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


@dataclass(frozen=True)
class OtherSave:
    """The save that got in first, as the person whose save was refused needs to see it."""

    who: str
    at: datetime
    status_label: str
    due_date: date | None
    note: str | None

    @property
    def saved_by(self) -> str:
        if self.who.startswith("You "):
            return "Saved by you in another window"
        return f"Saved by {self.who}"


def describe_other_save(action: Action, viewer: User) -> OtherSave:
    """What the action holds now and who saved it: "You (in another window)" when it was the
    person looking (two tabs), else the name. The note is that person's latest progress note."""
    if action.updated_by_id == viewer.id:
        who = "You (in another window)"
    else:
        who = action.updated_by.name if action.updated_by else "Someone else"
    note = db.session.scalar(
        select(ProgressUpdate.note)
        .where(
            ProgressUpdate.action_id == action.id,
            ProgressUpdate.author_id == action.updated_by_id,
            ProgressUpdate.note != "",
        )
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )
    return OtherSave(who, action.updated_at, action.status_label, action.current_due_date, note)


def may_correct_history(user: User) -> bool:
    """Admins may move a due date into the past, to put a wrong record right (audited)."""
    return user.role == Role.ADMIN


def check_update(
    action: Action, request: UpdateRequest, today: date, author: User
) -> UpdateProblems:
    problems = UpdateProblems()
    status = request.status
    note = request.note.strip()
    if status not in {s.value for s in OWNER_STATUSES}:
        problems.add("status", "Select a status")
        return problems
    date_changes = request.new_due_date is not None and request.new_due_date != (
        action.current_due_date
    )
    if date_changes:
        _check_new_due_date(problems, request, today, author)
    if not note:
        _check_note_needed(problems, action, status, date_changes)
    _check_completion(problems, action, status)
    return problems


def _check_new_due_date(
    problems: UpdateProblems, request: UpdateRequest, today: date, author: User
) -> None:
    if not request.due_change_reason.strip():
        problems.add("due_change_reason", "Enter the reason the due date is changing")
    new_due = request.new_due_date
    if new_due is not None and new_due < today and not may_correct_history(author):
        problems.add("new_due_date", f"New due date must be today ({today:%-d %B %Y}) or later")


def _check_note_needed(
    problems: UpdateProblems, action: Action, status: str, date_changes: bool
) -> None:
    """Without a note: blocking, completing or moving the due date each need one, and an
    update that changes nothing is no update."""
    if status == ActionStatus.BLOCKED and action.status != ActionStatus.BLOCKED:
        problems.add("note", "Enter a progress note saying what is blocking the action")
    elif status == ActionStatus.COMPLETED and action.status != ActionStatus.COMPLETED:
        problems.add("note", "Enter a progress note saying how the action was completed")
    elif date_changes:
        problems.add("note", "Enter a progress note explaining the new due date")
    if status == action.status and not date_changes:
        problems.add("note", "Enter a progress note, or change the status or due date")


def _check_completion(problems: UpdateProblems, action: Action, status: str) -> None:
    completing = status == ActionStatus.COMPLETED and action.status != ActionStatus.COMPLETED
    if completing and not any(supports_completion(e) for e in action.evidence):
        problems.add(
            "status", "Add at least one piece of evidence before marking the action as completed"
        )


def apply_update(
    action: Action, request: UpdateRequest, author: User, today: date
) -> ProgressUpdate:
    """Append the update and change the action. Raises StaleEdit if it changed meanwhile.

    The caller commits (see tracker.uow). Verified actions cannot be reopened here.
    """
    if action.version != request.expected_version:
        raise StaleEdit(action)
    before = snapshot(action)
    behalf = acting_for(author, action)
    due_from = action.current_due_date
    date_changes = request.new_due_date is not None and request.new_due_date != due_from
    update = ProgressUpdate(
        action=action,
        author=author,
        status_from=action.status,
        status_to=request.status,
        note=request.note.strip(),
        due_from=due_from if date_changes else None,
        due_to=request.new_due_date if date_changes else None,
        due_change_reason=request.due_change_reason.strip() if date_changes else None,
        on_behalf_of=behalf,
    )
    db.session.add(update)
    new_due = request.new_due_date if date_changes else None
    if new_due is not None:
        action.current_due_date = new_due
        if new_due < today:
            audit.record(
                "action.due_date_corrected",
                obj=action,
                actor=author,
                before={"current_due_date": due_from.isoformat() if due_from else None},
                after={
                    "current_due_date": new_due.isoformat(),
                    "reason": update.due_change_reason,
                },
            )
    if request.status != action.status:
        action.status = request.status
        action.completed_on = today if request.status == ActionStatus.COMPLETED else None
    action.updated_at = utcnow()
    action.updated_by = author
    after = snapshot(action)
    if date_changes:
        after["due_change_reason"] = update.due_change_reason  # so the trail can say why
    if behalf is not None:
        after["on_behalf_of_id"] = behalf.id
    audit.record("action.updated", obj=action, actor=author, before=before, after=after)
    return update


def save_update(action: Action, request: UpdateRequest, author: User, today: date) -> None:
    """Apply and flush, turning a lost race on the version column into StaleEdit."""
    apply_update(action, request, author, today)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        fresh = db.session.get(Action, action.id)
        raise StaleEdit(fresh) from None


def snapshot(action: Action) -> dict:
    return {
        "status": action.status,
        "current_due_date": action.current_due_date.isoformat()
        if action.current_due_date
        else None,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
        "owner_id": action.owner_id,
    }
