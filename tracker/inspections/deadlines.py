"""Statutory deadlines for the plan, in working days, each with an explained RAG.

Rules in words (docs/inspections.md): an inspection or visit asks for a written statement of
action (the plan) when its framework always does (the SIF), when overall effectiveness is judged
inadequate, or when it sets priority actions. Then a draft is due 20 and the final plan 70 working
days after the report or letter was received. A deadline is met by the date the plan (or draft)
was sent to Ofsted, not by the plan existing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.inspections.frameworks import (
    DEADLINE_RULES,
    INADEQUATE,
    OVERALL,
    DeadlineRule,
    framework_for,
    kind,
)
from tracker.inspections.working_days import (
    CALENDAR_SOURCE,
    add_working_days,
    working_days_between,
)
from tracker.models import InspectionEvent
from tracker.rag import Colour, Rag

DUE_SOON_WORKING_DAYS = 10


class SentPlan(Protocol):
    """What the deadlines read of a plan's submission: a PlanSubmission, or the summary page's
    row of it (tracker/committee/plan_rows.py)."""

    @property
    def submitted(self) -> bool: ...

    @property
    def draft_sent_on(self) -> date | None: ...

    @property
    def submitted_on(self) -> date | None: ...


@dataclass(frozen=True)
class Deadline:
    event: InspectionEvent
    rule: DeadlineRule
    due: date
    why_required: str
    rag: Rag
    sent: bool  # the draft or plan has gone to Ofsted (whether or not on time)

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def how_counted(self) -> str:
        return f"{self.rule.rule}; working days exclude {CALENDAR_SOURCE}"


def why_plan_required(event: InspectionEvent) -> str | None:
    """Why this event asks for a written statement of action, or None if it does not."""
    reasons = []
    framework = framework_for(event.kind)
    if framework and framework.statement_always_required:
        reasons.append(f"every {framework.code} inspection asks for a written statement of action")
    overall = next((j for j in event.judgements if j.area == OVERALL), None)
    if overall is not None and overall.grade == INADEQUATE:
        reasons.append("overall effectiveness was judged inadequate")
    if event.priority_actions:
        reasons.append("the letter sets priority actions")
    return "; ".join(reasons) or None


def _sent_on(
    rule: DeadlineRule, submission: SentPlan | None, undated_counts: bool
) -> tuple[date | None, bool]:
    """The day the draft or final plan went to Ofsted, and whether it is known to have gone.
    A plan recorded as sent without a date answers only the first letter that asked for it."""
    if submission is None:
        return None, False
    undated = submission.submitted and undated_counts
    if rule.key == "draft":
        day = submission.draft_sent_on or submission.submitted_on
        return day, bool(day or undated)
    return submission.submitted_on, bool(submission.submitted_on or undated)


def _working_days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def deadline_rag(due: date, sent_on: date | None, sent: bool, today: date) -> Rag:
    if sent_on is not None:
        if sent_on <= due:
            early = working_days_between(sent_on, due)
            when = "on the deadline day" if early == 0 else f"{_working_days(early)} early"
            return Rag(Colour.BLUE, f"Met: sent on {sent_on:%-d %B %Y}, {when}")
        late = working_days_between(due, sent_on)
        return Rag(Colour.RED, f"Missed: sent on {sent_on:%-d %B %Y}, {_working_days(late)} late")
    if sent:
        return Rag(
            Colour.GREY, "Sent; the date is not recorded, so whether it was on time is not known"
        )
    left = working_days_between(today, due)
    if left < 0:
        return Rag(Colour.RED, f"Overdue by {_working_days(-left)}: not yet sent to Ofsted")
    if left == 0:
        return Rag(Colour.AMBER, "Due today: not yet sent to Ofsted")
    if left <= DUE_SOON_WORKING_DAYS:
        return Rag(Colour.AMBER, f"Due in {_working_days(left)}: not yet sent to Ofsted")
    return Rag(Colour.GREEN, f"Due in {_working_days(left)}")


def deadlines_for(
    events: list[InspectionEvent], submission: SentPlan | None, today: date
) -> list[Deadline]:
    """Every statutory deadline the plan's events set, earliest first."""
    found = []
    # (letter received, event, why it asks for a plan), for the events that ask for one
    requiring = sorted(
        (
            (e.received_on, e, why)
            for e in events
            if e.received_on is not None and (why := why_plan_required(e))
        ),
        key=lambda item: item[0],
    )
    for index, (received_on, event, why) in enumerate(requiring):
        relevant = submission
        if submission and submission.submitted_on and submission.submitted_on < received_on:
            relevant = None  # a plan sent before this letter arrived does not answer it
        for rule in DEADLINE_RULES:
            due = add_working_days(received_on, rule.working_days)
            sent_on, sent = _sent_on(rule, relevant, undated_counts=index == 0)
            if sent_on and any(later <= sent_on for later, _, _ in requiring[index + 1 :]):
                sent_on = None  # that plan answered a later letter, not this one
            rag = deadline_rag(due, sent_on, sent, today)
            found.append(Deadline(event, rule, due, why, rag, sent or sent_on is not None))
    return sorted(found, key=lambda d: (d.due, d.rule.working_days))


def event_label(event: InspectionEvent) -> str:
    event_kind = kind(event.kind)
    return event_kind.label if event_kind else event.kind
