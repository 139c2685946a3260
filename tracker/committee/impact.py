"""Action versus impact: do the numbers move when the actions are done?

Inspectors ask this, and it is what trackers rarely say. For a recommendation with linked
indicators, compare how far its actions have got with which way its indicators are going.
"""

from dataclasses import dataclass

from tracker.models import ActionStatus
from tracker.rag import Colour

DONE = {ActionStatus.COMPLETED.value, ActionStatus.VERIFIED.value}


@dataclass(frozen=True)
class ImpactStatement:
    # done_not_moved, done_worsened, worsening_actions_open, improving_actions_lag, on_course
    kind: str
    text: str


def _direction(trend: str) -> str:
    word = trend.split(" ", 1)[0].lower()
    return word if word in {"improving", "worsening", "steady"} else "unknown"


def impact_statement(actions, indicator_summaries, action_rags) -> ImpactStatement | None:
    """`actions` and `action_rags` line up; `indicator_summaries` are IndicatorSummary objects."""
    live = [(a, r) for a, r in zip(actions, action_rags, strict=True) if not a.withdrawn_reason]
    rated = [s for s in indicator_summaries if s.rating and s.rating.value is not None]
    if not live or not rated:
        return None
    done = sum(1 for a, _ in live if a.status in DONE)
    all_done = done == len(live)
    lagging = any(r.colour is Colour.RED for _, r in live) or done * 2 < len(live)
    directions = {s.indicator.code: _direction(s.rating.trend) for s in rated}
    off_target = [
        s.indicator.code for s in rated if s.rating.rag.colour in (Colour.RED, Colour.AMBER)
    ]
    worsening = sorted(code for code, d in directions.items() if d == "worsening")
    improving = sorted(code for code, d in directions.items() if d == "improving")
    names = ", ".join
    all_text = "The only action is done" if len(live) == 1 else f"All {len(live)} actions are done"
    if all_done and worsening:
        return ImpactStatement(
            "done_worsened",
            f"{all_text}, but {names(worsening)} "
            f"{'is' if len(worsening) == 1 else 'are'} getting worse.",
        )
    if all_done and not improving:
        still = f"; {names(off_target)} still off target" if off_target else ""
        return ImpactStatement(
            "done_not_moved",
            f"{all_text}, but the linked indicators have not moved{still}.",
        )
    if worsening:
        return ImpactStatement(
            "worsening_actions_open",
            f"{names(worsening)} {'is' if len(worsening) == 1 else 'are'} getting worse with "
            f"{done} of {len(live)} actions done.",
        )
    if improving and lagging:
        return ImpactStatement(
            "improving_actions_lag",
            f"{names(improving)} {'is' if len(improving) == 1 else 'are'} improving while the "
            f"actions lag: {done} of {len(live)} done.",
        )
    if improving:
        return ImpactStatement(
            "on_course",
            f"{done} of {len(live)} actions done and {names(improving)} improving.",
        )
    return None
