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

    def query_args(self) -> dict[str, str]:
        args = {}
        if self.theme_id:
            args["theme"] = str(self.theme_id)
        if self.colour:
            args["rag"] = self.colour
        if self.since:
            args["since"] = self.since.isoformat()
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


# Changes since a day before any plan, or after today, mean nothing (and date.max overflows).
EARLIEST_SINCE = date(1900, 1, 1)


def _since(text: str) -> date | None:
    try:
        since = date.fromisoformat(text)
    except ValueError:
        return None
    return since if EARLIEST_SINCE <= since <= today() else None


def read_filters(plan: Plan) -> SummaryFilters:
    colour = request.args.get("rag", "")
    since = _since(request.args.get("since", ""))
    label = None
    if since:
        meeting = next((m for m in plan.meetings if m.meeting_on == since), None)
        label = (
            f"the meeting of {since.day} {since:%B %Y}" if meeting else f"{since.day} {since:%B %Y}"
        )
    return SummaryFilters(
        theme_id=number_arg("theme"),
        colour=colour if colour in {c.value for c in Colour} else None,
        since=since,
        since_label=label,
    )
