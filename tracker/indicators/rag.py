"""RAG and trend for indicator values, explained in words. See docs/rag.md.

A value is judged against the target in force for its month (the latest target whose
effective_from is on or before the month), on the basis the indicator declares.
"""

from dataclasses import dataclass
from datetime import date

from tracker.models import Indicator, IndicatorTarget, IndicatorValue, Polarity, Unit
from tracker.rag import Colour, Rag


def format_value(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None:
        return "no figure"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
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


def _points(amount: float, unit: str) -> str:
    amount_text = f"{amount:g}"
    if Unit(unit) is Unit.PERCENTAGE:
        return f"{amount_text} point" if amount == 1 else f"{amount_text} points"
    return format_value(amount, unit, 2)


def target_in_force(targets: list[IndicatorTarget], period: date) -> IndicatorTarget | None:
    in_force = [t for t in targets if t.effective_from <= period]
    return max(in_force, key=lambda t: t.effective_from) if in_force else None


def value_rag(indicator: Indicator, value: float, target: IndicatorTarget | None) -> Rag:
    unit = indicator.unit
    shown = format_value(value, unit, indicator.decimals)
    if target is None:
        return Rag(Colour.GREY, f"{shown}: no target set")
    tolerance = target.amber_tolerance or 0
    polarity = Polarity(indicator.polarity)
    if polarity is Polarity.WITHIN_RANGE:
        low, high = target.lower_bound, target.upper_bound
        band = f"the expected range {format_value(low, unit)} to {format_value(high, unit)}"
        if low <= value <= high:
            return Rag(Colour.GREEN, f"{shown}: within {band}, green")
        gap = low - value if value < low else value - high
        if gap <= tolerance:
            return Rag(
                Colour.AMBER,
                f"{shown}: outside {band} by {_points(gap, unit)}, within tolerance, amber",
            )
        return Rag(Colour.RED, f"{shown}: outside {band} by {_points(gap, unit)}, red")
    goal = format_value(target.target, unit, indicator.decimals)
    higher = polarity is Polarity.HIGHER_BETTER
    gap = (target.target - value) if higher else (value - target.target)
    if gap <= 0:
        word = "meets" if gap == 0 else ("above" if higher else "below")
        if word == "meets":
            return Rag(Colour.GREEN, f"{shown} against a {goal} target: meets target, green")
        return Rag(Colour.GREEN, f"{shown} against a {goal} target: {word} target, green")
    side = "below" if higher else "above"
    if gap <= tolerance:
        return Rag(
            Colour.AMBER,
            f"{shown} against a {goal} target: {side} target, within "
            f"{_points(tolerance, unit)} tolerance, amber",
        )
    return Rag(
        Colour.RED,
        f"{shown} against a {goal} target: {_points(round(gap, 4), unit)} {side} target, red",
    )


def trend(indicator: Indicator, newest_first: list[IndicatorValue]) -> str:
    """Improving, steady or worsening over the last three periods, by the indicator's polarity."""
    values = [v.value for v in newest_first[:3]]
    if len(values) < 2:
        return "Not enough figures for a trend"
    change = values[0] - values[-1]
    spread = max(abs(v) for v in values) or 1
    if abs(change) <= 0.005 * spread:
        return f"Steady over the last {len(values)} periods"
    polarity = Polarity(indicator.polarity)
    if polarity is Polarity.WITHIN_RANGE:
        return f"{'Rising' if change > 0 else 'Falling'} over the last {len(values)} periods"
    better = change > 0 if polarity is Polarity.HIGHER_BETTER else change < 0
    return f"{'Improving' if better else 'Worsening'} over the last {len(values)} periods"


@dataclass(frozen=True)
class IndicatorRating:
    rag: Rag
    trend: str
    value: IndicatorValue | None
    target: IndicatorTarget | None


def rate_series(
    indicator: Indicator, newest_first: list[IndicatorValue], targets: list[IndicatorTarget]
) -> IndicatorRating:
    if not newest_first:
        return IndicatorRating(Rag(Colour.GREY, "No figures yet"), "No figures yet", None, None)
    latest = newest_first[0]
    target = target_in_force(targets, latest.period)
    rag = value_rag(indicator, latest.value, target)
    return IndicatorRating(rag, trend(indicator, newest_first), latest, target)
