"""Reading the summary's filters from the query string, shared by the page and its exports."""

from dataclasses import dataclass
from datetime import date

from flask import request

from tracker.args import number_arg
from tracker.clock import today
from tracker.models import Plan
from tracker.rag import Colour


@dataclass(frozen=True)
class SummaryFilters:
    theme_id: int | None
    colour: str | None
    since: date | None
    since_label: str | None
    # True when nobody chose: "since" is the default (tracker.committee.publishing.default_since).
    since_default: bool = False

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


def since_label(plan: Plan, since: date | None) -> str | None:
    if since is None:
        return None
    meeting = next((m for m in plan.meetings if m.meeting_on == since), None)
    return f"the meeting of {since.day} {since:%B %Y}" if meeting else f"{since.day} {since:%B %Y}"


def read_filters(plan: Plan) -> SummaryFilters:
    """The filters asked for. With no (or no usable) "since", changes are shown since the last
    meeting the plan's paper was published for, else its latest past meeting; "since=none"
    asks for no changes section."""
    from tracker.committee.publishing import default_since

    colour = request.args.get("rag", "")
    asked = request.args.get("since", "")
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
    )
