"""An action's rating carries which rule gave it (ActionRating), so that counts and pages ask the
kind, never the reason's words (issue 17 item 2); a recommendation's reason counts by kind."""

from dataclasses import dataclass
from datetime import date

import pytest

from tracker.rag import ActionRating, Colour, action_rag, recommendation_rag

DAY = date(2016, 3, 14)


@dataclass
class Action:
    status: str
    current_due_date: date | None
    original_due_date: date | None = None
    withdrawn_reason: str | None = None


@pytest.mark.parametrize(
    ("action", "colour", "kind", "reason"),
    [
        (
            Action("verified", None),
            Colour.BLUE,
            ActionRating.VERIFIED,
            "Completed and evidence accepted",
        ),
        (Action("blocked", date(2016, 6, 1)), Colour.RED, ActionRating.BLOCKED, "Blocked"),
        (
            Action("completed", date(2016, 1, 1)),
            Colour.AMBER,
            ActionRating.AWAITING_VERIFICATION,
            "Completed, awaiting verification of evidence",
        ),
        (
            Action("in_progress", date(2016, 3, 4)),
            Colour.RED,
            ActionRating.OVERDUE,
            "Overdue by 10 days (due 4 March 2016)",
        ),
        (
            Action("in_progress", date(2016, 5, 1), date(2016, 4, 1)),
            Colour.AMBER,
            ActionRating.DUE_DATE_MOVED,
            "Due date moved by 30 days from 1 April 2016",
        ),
        (
            Action("not_started", date(2016, 3, 20)),
            Colour.AMBER,
            ActionRating.NOT_STARTED_DUE_SOON,
            "Not started and due in 6 days",
        ),
        (
            Action("in_progress", None),
            Colour.GREEN,
            ActionRating.NO_DUE_DATE,
            "In progress, no due date set",
        ),
        (
            Action("in_progress", date(2016, 6, 1)),
            Colour.GREEN,
            ActionRating.ON_TRACK,
            "On track, due 1 June 2016",
        ),
    ],
)
def test_each_rule_gives_its_colour_reason_and_kind(action, colour, kind, reason):
    rating = action_rag(action, DAY)
    assert (rating.colour, rating.kind, rating.reason) == (colour, kind, reason)


def test_a_recommendations_reason_counts_its_live_actions_by_kind_most_pressing_first():
    actions = [
        Action("in_progress", date(2016, 3, 1)),
        Action("in_progress", date(2016, 3, 2)),
        Action("blocked", None),
        Action("in_progress", date(2016, 5, 1), date(2016, 4, 1)),
        Action("completed", None),
        Action("in_progress", date(2016, 1, 1), withdrawn_reason="Replaced by 1.4"),
    ]
    rating = recommendation_rag(actions, DAY)
    assert rating.colour is Colour.RED
    assert rating.reasons == (
        "2 actions overdue",
        "1 action blocked",
        "1 action past its original due date",
        "1 action awaiting verification",
    )
