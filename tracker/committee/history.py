"""An action's state on any past day, rebuilt from its append-only history.

The progress history records every status change and every due-date change with its time, so
the state at the end of a given day is: the status and due date set by the last update made by
then, or, with no update yet, not started and the original due date.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from typing import NamedTuple, Protocol

from sqlalchemy import Row

from tracker.models import ActionStatus, ProgressUpdate
from tracker.rag import RatedAction


class ActionState(NamedTuple):
    """Quacks like an Action for tracker.rag.action_rag. A named tuple (made in C): a summary
    works out every action's state on the chosen day."""

    status: str
    current_due_date: date | None
    original_due_date: date | None
    withdrawn_reason: str | None = None


class UpdateLike(Protocol):
    """What a past state reads of a progress update (tracker.committee.summary.Update)."""

    @property
    def id(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def status_to(self) -> str | None: ...

    @property
    def due_to(self) -> date | None: ...


_in_order = attrgetter("created_at", "id")
_NOT_STARTED = ActionStatus.NOT_STARTED.value


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def state_at(
    action: RatedAction,
    updates: Sequence[ProgressUpdate | Row | UpdateLike],
    day: date,
    cutoff: datetime | None = None,
    ordered: bool = False,
) -> ActionState:
    """`updates` are the action's updates in any order (`ordered`: already by time, then id):
    ORM objects, or plain rows or named tuples with their id, created_at, status_to and
    due_to. `cutoff`: `end_of(day)`, if the caller has it (a summary asks for every action's
    state on the same day)."""
    cutoff = cutoff or end_of(day)
    status = _NOT_STARTED
    due = action.original_due_date
    for update in updates if ordered or len(updates) < 2 else sorted(updates, key=_in_order):
        if update.created_at >= cutoff:
            break
        if update.status_to:
            status = update.status_to
        if update.due_to:
            due = update.due_to
    return ActionState(status, due, action.original_due_date, action.withdrawn_reason)
