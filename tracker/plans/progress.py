"""How far a recommendation's (or a plan's) actions have got: the counts the plan pages and the
committee summary both show, computed here once."""

from collections.abc import Iterable
from datetime import date

from tracker.models import ActionStatus
from tracker.rag import RatedAction


def done_count(actions: Iterable[RatedAction]) -> int:
    """How many are completed or verified."""
    return sum(1 for a in actions if a.status in ActionStatus.CLOSED)


def next_due(actions: Iterable[RatedAction]) -> date | None:
    """The earliest due date among those still open."""
    dues = [
        a.current_due_date
        for a in actions
        if a.status not in ActionStatus.CLOSED and a.current_due_date is not None
    ]
    return min(dues) if dues else None
