"""Reading the summary's filters from the query string, shared by the page and its exports."""

from dataclasses import dataclass
from datetime import date

from flask import request

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


def read_filters(plan: Plan) -> SummaryFilters:
    theme = request.args.get("theme", "")
    colour = request.args.get("rag", "")
    since_text = request.args.get("since", "")
    since = None
    label = None
    if since_text:
        try:
            since = date.fromisoformat(since_text)
        except ValueError:
            since = None
    if since:
        meeting = next((m for m in plan.meetings if m.meeting_on == since), None)
        label = (
            f"the meeting of {since.day} {since:%B %Y}" if meeting else f"{since.day} {since:%B %Y}"
        )
    return SummaryFilters(
        theme_id=int(theme) if theme.isdigit() else None,
        colour=colour if colour in {c.value for c in Colour} else None,
        since=since,
        since_label=label,
    )
