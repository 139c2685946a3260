"""Action versus impact: do the numbers move when the actions are done?

Inspectors ask this, and it is what trackers rarely say. For a recommendation with linked
indicators, compare how far its actions have got with which way its indicators are going.
"""

from dataclasses import dataclass

from tracker.rag import Colour


@dataclass(frozen=True)
class ImpactStatement:
    # done_not_moved, done_worsened, worsening_actions_open, improving_actions_lag, on_course,
    # not_comparable (every linked indicator's recent figures are caveated)
    kind: str
    text: str


def indicator_label(indicator) -> str:
    """How a sentence names an indicator: "Single assessments within 42 days (CSC-05)"."""
    return indicator.label


def _judged_on_comparable_figures(summary) -> bool:
    rating = summary.rating
    return not (rating.trend_stopped_short and rating.trend_direction == "unknown")


def _left_out(summaries) -> str:
    """Why indicators whose figures are caveated take no part in the statement."""
    if not summaries:
        return ""
    reasons = "; ".join(
        f"{indicator_label(s.indicator)}: {s.rating.trend.removeprefix('No trend: ')}"
        for s in summaries
    )
    return f" Not judged: {reasons}."


def _verb(labels: list[str], singular: str, plural: str) -> str:
    return singular if len(labels) == 1 else plural


def _names(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def impact_statement(actions, indicator_summaries, action_rags) -> ImpactStatement | None:
    """`actions` and `action_rags` line up; `indicator_summaries` are IndicatorSummary objects.

    An indicator whose trend stops short of a caveated figure (a data-quality note) does not
    drive the statement; the statement says it was left out and why."""
    live = [(a, r) for a, r in zip(actions, action_rags, strict=True) if not a.withdrawn_reason]
    with_figures, rated, left_out = _split_by_comparability(indicator_summaries)
    if not live or not with_figures:
        return None
    if not rated:
        return ImpactStatement("not_comparable", left_out.strip())
    done = sum(1 for a, _ in live if a.is_closed)
    all_done = done == len(live)
    lagging = _lagging(live, done)
    ordered = sorted(rated, key=lambda s: s.indicator.code)
    worsening = _trending(ordered, "worsening")
    improving = _trending(ordered, "improving")
    off_target = _off_target(ordered)
    all_text = "The only action is done" if len(live) == 1 else f"All {len(live)} actions are done"
    statement = _statement(
        live, done, all_done, lagging, worsening, improving, off_target, all_text
    )
    if statement is None:
        return ImpactStatement("not_comparable", left_out.strip()) if left_out else None
    return ImpactStatement(statement.kind, statement.text + left_out)


def _split_by_comparability(indicator_summaries):
    """The indicators with a rated figure; those judged on comparable figures; and the
    sentence saying which were left out and why."""
    with_figures = [s for s in indicator_summaries if s.rating and s.rating.value is not None]
    rated = [s for s in with_figures if _judged_on_comparable_figures(s)]
    left_out = _left_out([s for s in with_figures if not _judged_on_comparable_figures(s)])
    return with_figures, rated, left_out


def _lagging(live, done: int) -> bool:
    """Actions lag when any is red or fewer than half are done."""
    return any(r.colour is Colour.RED for _, r in live) or done * 2 < len(live)


def _trending(summaries, direction: str) -> list[str]:
    return [
        indicator_label(s.indicator) for s in summaries if s.rating.trend_direction == direction
    ]


def _off_target(summaries) -> list[str]:
    return [
        indicator_label(s.indicator)
        for s in summaries
        if s.rating.rag.colour in (Colour.RED, Colour.AMBER)
    ]


def _statement(live, done, all_done, lagging, worsening, improving, off_target, all_text):
    if all_done and worsening:
        return ImpactStatement(
            "done_worsened",
            f"{all_text}, but {_names(worsening)} {_verb(worsening, 'is', 'are')} getting worse.",
        )
    if all_done and not improving:
        still = (
            f"; {_names(off_target)} {_verb(off_target, 'is', 'are')} still off target"
            if off_target
            else ""
        )
        return ImpactStatement(
            "done_not_moved",
            f"{all_text}, but the linked indicators have not moved{still}.",
        )
    if worsening:
        return ImpactStatement(
            "worsening_actions_open",
            f"{_names(worsening)} {_verb(worsening, 'is', 'are')} getting worse with "
            f"{done} of {len(live)} actions done.",
        )
    if improving and lagging:
        return ImpactStatement(
            "improving_actions_lag",
            f"{_names(improving)} {_verb(improving, 'is', 'are')} improving while the "
            f"actions lag: {done} of {len(live)} done.",
        )
    if improving:
        return ImpactStatement(
            "on_course",
            f"{done} of {len(live)} actions done and {_names(improving)} "
            f"{_verb(improving, 'is', 'are')} improving.",
        )
    return None
