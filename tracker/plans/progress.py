"""How far a recommendation's (or a plan's) actions have got: the counts the plan pages and the
committee summary both show, computed here once."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.models import ActionStatus
from tracker.rag import Rag, RatedAction, plan_rag, recommendation_rag


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


@dataclass(frozen=True)
class PlanProgress:
    """A plan as the plans list shows it: its rating and how far its actions have got."""

    rag: Rag
    recommendations: int  # those with actions
    actions: int
    done: int


def plan_progress(by_recommendation: Sequence[Sequence[RatedAction]], today: date) -> PlanProgress:
    """From the plan's actions grouped by recommendation (only recommendations with actions)."""
    rec_rags = [recommendation_rag(actions, today) for actions in by_recommendation]
    return PlanProgress(
        rag=plan_rag(rec_rags),
        recommendations=len(by_recommendation),
        actions=sum(len(actions) for actions in by_recommendation),
        done=sum(done_count(actions) for actions in by_recommendation),
    )
