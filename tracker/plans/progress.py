"""How far a recommendation's (or a plan's) actions have got: the counts the plan pages and the
committee summary both show, computed here once."""

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from tracker.models import ActionStatus


class ActionLike(Protocol):
    """An Action, or a row with the same columns (tracker.plans.queries.actions_by_plan)."""

    @property
    def status(self) -> str: ...

    @property
    def current_due_date(self) -> date | None: ...


def done_count(actions: Iterable[ActionLike]) -> int:
    """How many are completed or verified."""
    return sum(1 for a in actions if a.status in ActionStatus.CLOSED)


def next_due(actions: Iterable[ActionLike]) -> date | None:
    """The earliest due date among those still open."""
    dues = [
        a.current_due_date
        for a in actions
        if a.status not in ActionStatus.CLOSED and a.current_due_date is not None
    ]
    return min(dues) if dues else None
