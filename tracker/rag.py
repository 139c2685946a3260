"""Explained RAG for actions, recommendations and plans. See docs/rag.md for the rules in words.

Every rating carries its reason, so that a page, an email or an export can say why something is
red or amber, not only that it is.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from tracker.models import ActionStatus


class RatedAction(Protocol):
    """What a rating reads of an action: an Action, a row of those columns
    (tracker.plans.queries.actions_by_plan) or an action as it was (tracker.committee.history)."""

    @property
    def status(self) -> str: ...

    @property
    def current_due_date(self) -> date | None: ...

    @property
    def original_due_date(self) -> date | None: ...

    @property
    def withdrawn_reason(self) -> str | None: ...


class Colour(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    GREY = "grey"

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self]


COLOUR_LABELS = {
    Colour.RED: "Red",
    Colour.AMBER: "Amber",
    Colour.GREEN: "Green",
    Colour.BLUE: "Complete",
    Colour.GREY: "No rating",
}
SEVERITY = [Colour.RED, Colour.AMBER, Colour.GREEN, Colour.BLUE, Colour.GREY]

RAG_KEY = [
    (Colour.RED, "Overdue or blocked; for a recommendation, at least one action is red."),
    (
        Colour.AMBER,
        "At risk: not started and due soon, completed but not yet verified, or moved past its "
        "original due date.",
    ),
    (Colour.GREEN, "On track."),
    (Colour.BLUE, "Complete: completed and its evidence accepted (verified)."),
    (Colour.GREY, "No rating: nothing to judge yet."),
]


class ActionRating(StrEnum):
    """Which rule rated an action: pages and counts ask this, never the reason's words. The
    values are the words a recommendation's reason counts them in ("2 actions overdue")."""

    VERIFIED = "verified"
    BLOCKED = "blocked"
    AWAITING_VERIFICATION = "awaiting verification"
    OVERDUE = "overdue"
    DUE_DATE_MOVED = "past their original due date"
    NOT_STARTED_DUE_SOON = "not started and due soon"
    NO_DUE_DATE = "no due date"
    ON_TRACK = "on track"


# The kinds a recommendation's reason counts, most pressing first.
COUNTED_IN_REASONS = (
    ActionRating.OVERDUE,
    ActionRating.BLOCKED,
    ActionRating.NOT_STARTED_DUE_SOON,
    ActionRating.DUE_DATE_MOVED,
    ActionRating.AWAITING_VERIFICATION,
)


@dataclass(frozen=True)
class Rag:
    colour: Colour
    reason: str
    reasons: tuple[str, ...] = field(default=())
    kind: ActionRating | None = None  # set on an action's rating (action_rag)

    @property
    def label(self) -> str:
        return self.colour.label


DUE_SOON_DAYS = 14


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _days(n: int) -> str:
    return _plural(n, "day")


# ActionStatus(value), without the Enum call's cost (a summary rates hundreds of actions).
_STATUSES: dict[str, ActionStatus] = {status.value: status for status in ActionStatus}


def action_rag(action: RatedAction, today: date, due_soon_days: int = DUE_SOON_DAYS) -> Rag:
    status = _STATUSES.get(action.status) or ActionStatus(action.status)
    due = action.current_due_date
    original = action.original_due_date
    if status is ActionStatus.VERIFIED:
        return Rag(Colour.BLUE, "Completed and evidence accepted", kind=ActionRating.VERIFIED)
    if status is ActionStatus.BLOCKED:
        return Rag(Colour.RED, "Blocked", kind=ActionRating.BLOCKED)
    if status is ActionStatus.COMPLETED:
        reason = "Completed, awaiting verification of evidence"
        return Rag(Colour.AMBER, reason, kind=ActionRating.AWAITING_VERIFICATION)
    if due is not None and due < today:
        reason = f"Overdue by {_days((today - due).days)} (due {due:%-d %B %Y})"
        return Rag(Colour.RED, reason, kind=ActionRating.OVERDUE)
    if original is not None and due is not None and due > original:
        reason = f"Due date moved by {_days((due - original).days)} from {original:%-d %B %Y}"
        return Rag(Colour.AMBER, reason, kind=ActionRating.DUE_DATE_MOVED)
    if (
        status is ActionStatus.NOT_STARTED
        and due is not None
        and (due - today).days <= due_soon_days
    ):
        reason = f"Not started and due in {_days((due - today).days)}"
        return Rag(Colour.AMBER, reason, kind=ActionRating.NOT_STARTED_DUE_SOON)
    if due is None:
        return Rag(Colour.GREEN, "In progress, no due date set", kind=ActionRating.NO_DUE_DATE)
    return Rag(Colour.GREEN, f"On track, due {due:%-d %B %Y}", kind=ActionRating.ON_TRACK)


def _summarise(ratings: list[Rag], noun: str) -> list[str]:
    """Count action ratings by kind in words: '2 actions overdue', '1 action blocked'."""
    counts = Counter(rag.kind for rag in ratings)
    return [
        f"{_plural(counts[kind], noun)} {kind}".replace("1 action past their", "1 action past its")
        for kind in COUNTED_IN_REASONS
        if counts[kind]
    ]


def recommendation_rag(
    actions: Sequence[RatedAction], today: date, action_rags: list[Rag] | None = None
) -> Rag:
    """`action_rags`, if the caller has rated the actions already, lines up with `actions`."""
    if action_rags is None:
        action_rags = [action_rag(a, today) for a in actions]
    live = [a for a in actions if not a.withdrawn_reason]
    if not live:
        return Rag(Colour.GREY, "No actions yet")
    ratings = [r for a, r in zip(actions, action_rags, strict=True) if not a.withdrawn_reason]
    colours = {r.colour for r in ratings}
    if colours == {Colour.BLUE}:
        return Rag(Colour.BLUE, f"All {_plural(len(live), 'action')} complete and verified")
    reasons = tuple(_summarise(ratings, "action"))
    if Colour.RED in colours:
        return Rag(Colour.RED, "; ".join(r for r in reasons), reasons)
    if Colour.AMBER in colours:
        return Rag(Colour.AMBER, "; ".join(reasons), reasons)
    return _on_track(ratings, len(live))


def _on_track(ratings: list[Rag], live: int) -> Rag:
    """Green, saying how many of the live actions are complete, if any."""
    done = sum(1 for r in ratings if r.colour is Colour.BLUE)
    text = "All open actions on track"
    if done:
        text += f"; {done} of {live} complete"
    return Rag(Colour.GREEN, text)


def plan_rag(recommendation_ratings: list[Rag]) -> Rag:
    if not recommendation_ratings:
        return Rag(Colour.GREY, "No recommendations yet")
    counts = Counter(r.colour for r in recommendation_ratings)
    parts = [
        f"{counts[c]} {c.label.lower()}" for c in SEVERITY if counts[c] and c is not Colour.GREY
    ]
    reason = "Recommendations: " + ", ".join(parts)
    for colour in (Colour.RED, Colour.AMBER):
        if counts[colour]:
            return Rag(colour, reason)
    if counts[Colour.GREEN]:
        return Rag(Colour.GREEN, reason)
    if counts[Colour.BLUE]:
        return Rag(Colour.BLUE, reason)
    return Rag(Colour.GREY, "No actions yet")
