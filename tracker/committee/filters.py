"""Reading the summary's filters from the query string, shared by the page and its exports."""

from dataclasses import dataclass
from datetime import date

from flask import request

from tracker.args import number_arg
from tracker.clock import today
from tracker.committee.plan_rows import SummaryMeeting, SummaryPlan
from tracker.models import CommitteeMeeting, Plan
from tracker.rag import Colour
from tracker.text import clean_line


@dataclass(frozen=True)
class SummaryFilters:
    theme_id: int | None
    colour: str | None
    since: date | None
    since_label: str | None
    # True when nobody chose: "since" is the default (tracker.committee.publishing.default_since).
    since_default: bool = False
    # What was asked for as "since" when it could not be used (not a date, or outside the
    # range): the page says so instead of quietly showing the default.
    since_refused: str | None = None
    # Who a published paper was made for ("Children and Young People Scrutiny Committee, 14
    # March 2016", "Ofsted: the plan as submitted"), on its title page; None for a download.
    prepared_for: str | None = None

    def query_args(self) -> dict[str, str]:
        args = {}
        if self.theme_id:
            args["theme"] = str(self.theme_id)
        if self.colour:
            args["rag"] = self.colour
        # Always explicit, so an export shows the same changes as the page it was linked from.
        args["since"] = self.since.isoformat() if self.since else NO_CHANGES
        return args

    def describe(self, themes) -> str | None:
        """The filters in plain words, for the paper and the exports: "Only recommendations
        rated red in the theme Health". None when nothing is filtered out."""
        if not (self.theme_id or self.colour):
            return None
        words = ["Only recommendations"]
        if self.colour:
            words.append(RATED[Colour(self.colour)])
        if self.theme_id:
            name = next((t.name for t in themes if t.id == self.theme_id), None)
            words.append(f"in the theme {name}" if name else "in the chosen theme")
        return " ".join(words)


RATED = {
    Colour.RED: "rated red",
    Colour.AMBER: "rated amber",
    Colour.GREEN: "rated green",
    Colour.BLUE: "that are complete",
    Colour.GREY: "with no rating",
}


# The query value that asks for no changes section ("Do not show changes").
NO_CHANGES = "none"

# Changes since a day before any plan, or after today, mean nothing (and date.max overflows).
EARLIEST_SINCE = date(1900, 1, 1)


def _since(text: str) -> date | None:
    try:
        since = date.fromisoformat(text)
    except ValueError:
        return None
    return since if EARLIEST_SINCE <= since <= today() else None


def since_choices(plan: Plan | SummaryPlan, filters: SummaryFilters) -> list[tuple[str, str]]:
    """The "Show changes since" options, latest meeting first: "Do not show changes", each
    meeting, and the day asked for when it is not a meeting's (so the list shows what the page
    shows, and applying other filters keeps it)."""
    meetings: list[CommitteeMeeting | SummaryMeeting] = sorted(
        plan.meetings, key=lambda m: m.meeting_on, reverse=True
    )
    choices = [(NO_CHANGES, "Do not show changes")]
    choices += [
        (m.meeting_on.isoformat(), f"{m.title}, {m.meeting_on:%-d %B %Y}") for m in meetings
    ]
    since = filters.since
    if since is not None and since not in {m.meeting_on for m in meetings}:
        choices.insert(1, (since.isoformat(), f"{since:%-d %B %Y}"))
    return choices


def refused_since_text(filters: SummaryFilters) -> str | None:
    """Why the "since" asked for is not the one shown, in words; None when it was used."""
    if filters.since_refused is None:
        return None
    asked = clean_line(filters.since_refused)[:40]
    shown = (
        f"changes are shown since {filters.since_label}"
        if filters.since_label
        else "no changes are shown"
    )
    return (
        f"“{asked}” is not a day changes can be shown since: give a real date, written like "
        f"2016-01-31, no later than today. Instead {shown}."
    )


def since_label(plan: Plan | SummaryPlan, since: date | None) -> str | None:
    if since is None:
        return None
    meeting = next((m for m in plan.meetings if m.meeting_on == since), None)
    return f"the meeting of {since.day} {since:%B %Y}" if meeting else f"{since.day} {since:%B %Y}"


def read_filters(plan: Plan | SummaryPlan) -> SummaryFilters:
    """The filters asked for. With no (or no usable) "since", changes are shown since the last
    meeting the plan's paper was published for, else its latest past meeting; "since=none"
    asks for no changes section."""
    from tracker.committee.publishing import default_since

    colour = request.args.get("rag", "")
    asked = request.args.get("since", "").strip()
    since = None if asked == NO_CHANGES else _since(asked)
    chosen = asked == NO_CHANGES or since is not None
    if not chosen:
        since = default_since(plan, today())
    return SummaryFilters(
        theme_id=number_arg("theme"),
        colour=colour if colour in {c.value for c in Colour} else None,
        since=since,
        since_label=since_label(plan, since),
        since_default=not chosen,
        since_refused=asked if asked and not chosen else None,
    )
