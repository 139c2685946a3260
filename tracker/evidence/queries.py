"""What is waiting for a recommendation lead's (or an admin's) review, oldest first."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.evidence.service import has_substance, supports_completion
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionStatus,
    Evidence,
    Plan,
    PlanStatus,
    Recommendation,
    ReviewState,
    User,
)
from tracker.permissions import review_queue_clause


@dataclass
class ReviewQueue:
    evidence: list[Evidence]
    awaiting_evidence: list[Action]

    @property
    def total(self) -> int:
        return len(self.evidence) + len(self.awaiting_evidence)


def _open_actions():
    """Actions in live plans that can still be verified."""
    return (
        select(Action)
        .join(Action.recommendation)
        .join(Recommendation.plan)
        .where(
            Plan.status == PlanStatus.ACTIVE,
            Action.withdrawn_reason.is_(None),
            Action.status != ActionStatus.VERIFIED,
        )
    )


def evidence_to_review(reviewer: User) -> list[Evidence]:
    query = (
        select(Evidence)
        .join(Evidence.action)
        .join(Action.recommendation)
        .join(Recommendation.plan)
        .where(
            Evidence.review_state == ReviewState.SUBMITTED,
            Evidence.withdrawn_at.is_(None),
            Plan.status == PlanStatus.ACTIVE,
            Action.withdrawn_reason.is_(None),
            Action.status != ActionStatus.VERIFIED,
            review_queue_clause(reviewer),
        )
        .options(
            joinedload(Evidence.added_by),
            joinedload(Evidence.action).joinedload(Action.owner),
            joinedload(Evidence.action)
            .joinedload(Action.recommendation)
            .joinedload(Recommendation.plan),
        )
        .order_by(Evidence.added_at, Evidence.id)
    )
    return [e for e in db.session.scalars(query) if has_substance(e)]


def completed_without_evidence(reviewer: User) -> list[Action]:
    """Completed actions with nothing that could verify them (none added, or all rejected or
    withdrawn): the lead chases the owner for evidence."""
    query = (
        _open_actions()
        .where(Action.status == ActionStatus.COMPLETED, review_queue_clause(reviewer))
        .options(
            joinedload(Action.owner),
            joinedload(Action.recommendation).joinedload(Recommendation.plan),
            selectinload(Action.evidence),
        )
    )
    actions = [
        a for a in db.session.scalars(query) if not any(supports_completion(e) for e in a.evidence)
    ]
    actions.sort(key=lambda a: (a.completed_on or date.max, a.id))
    return actions


def review_queue(reviewer: User) -> ReviewQueue:
    return ReviewQueue(evidence_to_review(reviewer), completed_without_evidence(reviewer))
