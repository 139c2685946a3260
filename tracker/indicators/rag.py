"""RAG and trend for indicator values, explained in words. See docs/rag.md ("Indicators").

A value is judged against the target in force for its month (the latest target whose
effective_from is on or before the month), on the basis the indicator declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from tracker.models import Basis, Indicator, IndicatorTarget, IndicatorValue, Polarity, Unit
from tracker.rag import Colour, Rag

if TYPE_CHECKING:
    from tracker.indicators.queries import Figure, Target

# What ratings and charts read: a stored figure or target, or its read-only copy (queries.py).
FigureLike: TypeAlias = "IndicatorValue | Figure"
TargetLike: TypeAlias = "IndicatorTarget | Target"

# Gaps smaller than this are treated as none: stored floats are not exact (95 - 94.6 != 0.4).
EPSILON = 1e-9
# A change over the trend window smaller than this share of the figures is "steady".
STEADY_SHARE = 0.005


def _number(value: float, decimals: int | None) -> str:
    text = f"{value:,.2f}" if decimals is None else f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float | None, unit: str, decimals: int | None = 1) -> str:
    """A figure in its unit: "94.6%", "759 per 10,000", "20 FTE". decimals=None: as precise as
    needed, up to 2 places (used for targets and gaps, which must not be rounded away)."""
    if value is None:
        return "no figure"
    text = _number(value, decimals)
    match Unit(unit):
        case Unit.PERCENTAGE:
            return f"{text}%"
        case Unit.RATE_PER_10000:
            return f"{text} per 10,000"
        case Unit.WEEKS:
            return f"{text} weeks"
        case Unit.FTE:
            return f"{text} FTE"
        case _:
            return text


def amount(value: float, unit: str) -> str:
    """A difference or a tolerance: "0.4 points" for percentages, else the value in its unit."""
    if Unit(unit) is Unit.PERCENTAGE:
        text = _number(value, None)
        return f"{text} point" if text == "1" else f"{text} points"
    return format_value(value, unit, None)


def range_text(low: float | None, high: float | None, unit: str) -> str:
    """ "71.4 to 79.1 per 10,000", "70% to 80%": the unit once, unless it is a percent sign."""
    if low is None or high is None:
        return f"{format_value(low, unit, None)} to {format_value(high, unit, None)}"
    first = format_value(low, unit, None) if Unit(unit) is Unit.PERCENTAGE else _number(low, None)
    return f"{first} to {format_value(high, unit, None)}"


def target_in_force(targets: Sequence[TargetLike], period: date) -> TargetLike | None:
    in_force = [t for t in targets if t.effective_from <= period]
    return max(in_force, key=lambda t: t.effective_from) if in_force else None


def describe_target(indicator: Indicator, target: TargetLike | None) -> str:
    if target is None:
        return "No target set"
    unit = indicator.unit
    tolerance = amount(target.amber_tolerance or 0, unit)
    if Polarity(indicator.polarity) is Polarity.WITHIN_RANGE:
        band = range_text(target.lower_bound, target.upper_bound, unit)
        return f"{band} (amber within {tolerance} outside the range)"
    return f"{format_value(target.target, unit, None)} (amber within {tolerance})"


def _figure(indicator: Indicator, value: float, basis: str | None) -> str:
    shown = format_value(value, indicator.unit, indicator.decimals)
    if basis and basis != Basis.MONTH:
        return f"{shown} ({Basis(basis).label.lower()})"
    return shown


def _judge_gap(gap: float, tolerance: float) -> Colour:
    if gap <= EPSILON:
        return Colour.GREEN
    if gap <= tolerance + EPSILON:
        return Colour.AMBER
    return Colour.RED


def value_rag(
    indicator: Indicator, value: float, target: TargetLike | None, basis: str | None = None
) -> Rag:
    """The rating of one figure, with its reason, for example
    "94.6% against a 95% target: 0.4 points below, within 2 points tolerance, amber"."""
    unit = indicator.unit
    shown = _figure(indicator, value, basis)
    if target is None:
        return Rag(Colour.GREY, f"{shown}: no target set, so no rating")
    tolerance = target.amber_tolerance or 0
    if Polarity(indicator.polarity) is Polarity.WITHIN_RANGE:
        return _range_rag(indicator, value, target, shown, tolerance)
    if target.target is None:  # only bounds: a range target, and the polarity has changed since
        return Rag(Colour.GREY, f"{shown}: no target set, so no rating")
    goal = format_value(target.target, unit, None)
    higher = Polarity(indicator.polarity) is Polarity.HIGHER_BETTER
    gap = (target.target - value) if higher else (value - target.target)
    colour = _judge_gap(gap, tolerance)
    lead = f"{shown} against a {goal} target"
    if colour is Colour.GREEN:
        if abs(gap) <= EPSILON:
            return Rag(colour, f"{lead}: on target, green")
        better = "above" if higher else "below"
        return Rag(colour, f"{lead}: {better} target, green")
    side = "below" if higher else "above"
    how_far = f"{amount(gap, unit)} {side}"
    allowed = amount(tolerance, unit)
    if colour is Colour.AMBER:
        return Rag(colour, f"{lead}: {how_far}, within {allowed} tolerance, amber")
    return Rag(colour, f"{lead}: {how_far}, more than {allowed} tolerance, red")


def _range_rag(
    indicator: Indicator, value: float, target: TargetLike, shown: str, tolerance: float
) -> Rag:
    unit = indicator.unit
    low, high = target.lower_bound, target.upper_bound
    lead = f"{shown} against an expected range of {range_text(low, high, unit)}"
    below = (low - value) if low is not None else 0
    above = (value - high) if high is not None else 0
    gap = max(below, above, 0)
    colour = _judge_gap(gap, tolerance)
    if colour is Colour.GREEN:
        return Rag(colour, f"{lead}: within range, green")
    how_far = f"{amount(gap, unit)} {'below' if below > above else 'above'} the range"
    allowed = amount(tolerance, unit)
    if colour is Colour.AMBER:
        return Rag(colour, f"{lead}: {how_far}, within {allowed} tolerance, amber")
    return Rag(colour, f"{lead}: {how_far}, more than {allowed} tolerance, red")


def rate_value(indicator: Indicator, value: FigureLike, targets: Sequence[TargetLike]) -> Rag:
    """One stored figure judged against the target in force for its own month."""
    return value_rag(
        indicator, value.value, target_in_force(targets, value.period), basis=value.basis
    )


def _consecutive(newest_first: Sequence[FigureLike]) -> bool:
    months = [v.period.year * 12 + v.period.month for v in newest_first]
    return all(a - b == 1 for a, b in zip(months, months[1:], strict=False))


def _distance_from_range(value: float, target: TargetLike | None) -> float:
    if target is None:
        return 0.0
    low, high = target.lower_bound, target.upper_bound
    below = (low - value) if low is not None else 0
    above = (value - high) if high is not None else 0
    return max(below, above, 0)


def trend(
    indicator: Indicator,
    newest_first: Sequence[FigureLike],
    targets: Sequence[TargetLike] | None = None,
) -> str:
    """Improving, steady or worsening over the last three periods, by the indicator's polarity.

    For example "Improving over the last 3 months: 91.87% in November 2015 to 92.52% in
    January 2016". Compares the oldest of the three with the newest. A caveated figure (one
    with a data-quality note) ends the window, and the words say so.
    """
    recent, caveated = trend_window(newest_first)
    if len(recent) < 2:
        if caveated is not None:
            return f"No trend: {stops_short(caveated)}"
        return "Not enough figures for a trend"
    suffix = f" ({stops_short(caveated)})" if caveated is not None else ""
    return _trend_words(indicator, recent, targets) + suffix


def is_caveated(value: FigureLike) -> bool:
    """A figure with a data-quality note is not comparable with its neighbours: it never drives
    a trend or an action-versus-impact statement."""
    return bool((value.data_quality_note or "").strip())


def is_illustrative(value: FigureLike) -> bool:
    """A figure made up to show the shape of a series (the demo seed's source says
    "Illustrative (not in the report)"), not one anybody reported. A sentence that starts from
    one says so, rather than quote it as if it were the report's own figure."""
    return not value.quoted and (value.source or "").lower().startswith("illustrative")


def window_words(indicator: Indicator, oldest_first: Sequence[FigureLike]) -> str:
    """A window of figures in words: "Month figures, March 2015 to February 2016: from 29.5 FTE
    (an illustrative figure, not a reported one) to 20 FTE"."""
    unit, decimals = indicator.unit, indicator.decimals
    first, last = oldest_first[0], oldest_first[-1]
    start = format_value(first.value, unit, decimals)
    if is_illustrative(first):
        start += " (an illustrative figure, not a reported one)"
    return (
        f"{Basis(indicator.basis).label} figures, {first.period:%B %Y} to {last.period:%B %Y}: "
        f"from {start} to {format_value(last.value, unit, decimals)}"
    )


def stops_short(value: FigureLike) -> str:
    return f"{value.period:%B %Y} figure not comparable: see note"


def trend_window(
    newest_first: Sequence[FigureLike],
) -> tuple[list[FigureLike], FigureLike | None]:
    """The last three figures, cut at the first caveated one (counting back from the newest),
    and that caveated figure (None when the window is clean)."""
    recent: list[FigureLike] = []
    for value in newest_first[:3]:
        if is_caveated(value):
            return recent, value
        recent.append(value)
    return recent, None


def _trend_words(
    indicator: Indicator, recent: Sequence[FigureLike], targets: Sequence[TargetLike] | None
) -> str:
    newest, oldest = recent[0], recent[-1]
    unit, decimals = indicator.unit, indicator.decimals
    window = f"the last {len(recent)} {'months' if _consecutive(recent) else 'figures'}"
    movement = (
        f"{format_value(oldest.value, unit, decimals)} in {oldest.period:%B %Y} to "
        f"{format_value(newest.value, unit, decimals)} in {newest.period:%B %Y}"
    )
    change = newest.value - oldest.value
    spread = max(abs(v.value) for v in recent) or 1
    polarity = Polarity(indicator.polarity)
    if polarity is Polarity.WITHIN_RANGE:
        before = _distance_from_range(oldest.value, target_in_force(targets or [], oldest.period))
        after = _distance_from_range(newest.value, target_in_force(targets or [], newest.period))
        if abs(after - before) > EPSILON:
            word = "Improving" if after < before else "Worsening"
            return f"{word} over {window}: {movement}"
        if abs(change) <= STEADY_SHARE * spread:
            return f"Steady over {window}: {movement}"
        direction = "Rising" if change > 0 else "Falling"
        return f"{direction} within the expected range over {window}: {movement}"
    if abs(change) <= STEADY_SHARE * spread:
        return f"Steady over {window}: {movement}"
    better = change > 0 if polarity is Polarity.HIGHER_BETTER else change < 0
    return f"{'Improving' if better else 'Worsening'} over {window}: {movement}"


@dataclass(frozen=True)
class IndicatorRating:
    rag: Rag
    trend: str
    value: FigureLike | None
    target: TargetLike | None
    # True when the trend stopped short of a caveated figure: it cannot say whether things moved.
    trend_stopped_short: bool = False
    trend_direction: str = "unknown"  # improving, worsening, steady or unknown


def rate_series(
    indicator: Indicator, newest_first: Sequence[FigureLike], targets: Sequence[TargetLike]
) -> IndicatorRating:
    if not newest_first:
        return IndicatorRating(Rag(Colour.GREY, "No figures yet"), "No figures yet", None, None)
    latest = newest_first[0]
    target = target_in_force(targets, latest.period)
    rag = value_rag(indicator, latest.value, target, basis=latest.basis)
    words = trend(indicator, newest_first, targets)
    _, caveated = trend_window(newest_first)
    return IndicatorRating(
        rag,
        words,
        latest,
        target,
        trend_stopped_short=caveated is not None,
        trend_direction=_direction(words),
    )


def _direction(words: str) -> str:
    word = words.split(" ", 1)[0].lower()
    return word if word in {"improving", "worsening", "steady"} else "unknown"
