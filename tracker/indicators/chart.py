"""Geometry for the server-rendered SVG charts: the indicator chart and the overview sparkline.

Only arithmetic lives here; templates/indicators/_chart.html (pages) and
templates/committee/_paper-chart.html (the PDF paper) turn it into SVG. Each RAG rating has its
own point shape (the same as the tag markers: square, triangle, circle, dash), so the chart never
relies on colour alone.

A chart is laid out for a frame: WIDE for pages on a laptop, NARROW for phones (larger text in a
smaller drawing, so that it stays at least 12 px when the chart is 290 px across), PRINT for the
paper (shorter). The latest figure's label is placed where it crosses no line and covers no point
(`_place_label`): nothing is drawn over a line to hide it, so the label prints as it shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from tracker.indicators.rag import (
    FigureLike,
    TargetLike,
    describe_target,
    format_value,
    rate_value,
    target_in_force,
)
from tracker.models import Basis, Indicator, Polarity, Unit
from tracker.rag import Colour


@dataclass(frozen=True)
class Frame:
    """The drawing's size, its margins around the plot and its text sizes (SVG units)."""

    name: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int = 14  # tick labels
    title_font: int = 15  # axis titles
    label_font: int = 15  # the latest figure's label
    two_line_months: bool = False  # "Mar" over "2015" under each x tick
    y_title_above: bool = False  # the y axis title as a line above the plot, not turned
    tick_gap: int = 12  # the least room between neighbouring month labels


WIDE = Frame("wide", 720, 380, left=72, right=40, top=28, bottom=76)
# 340 units drawn 290-450 px across: 15-unit text is 12.8 px at the narrowest (a 320 px phone).
NARROW = Frame(
    "narrow", 340, 330, left=50, right=24, top=52, bottom=76, font=15, title_font=15,
    label_font=16, two_line_months=True, y_title_above=True,
)  # fmt: skip
# The paper: 180 mm across (about 0.94 px a unit), 64 mm high, no "Month" under the month
# labels, which are half-yearly on 24 months (WeasyPrint lays out SVG text letter by letter: each
# label costs); the key is HTML beneath it.
PRINT = Frame("print", 720, 256, left=72, right=40, top=30, bottom=34, tick_gap=60)

# Average advance of a character as a share of the font size (Arial: digits 0.556, capitals
# up to 0.72, bold a little wider): generous, so that estimated boxes contain the real text.
CHAR_WIDTH = 0.6
BOLD_CHAR_WIDTH = 0.64

SHAPES = {
    Colour.RED: "square",
    Colour.AMBER: "triangle",
    Colour.GREEN: "circle",
    Colour.BLUE: "diamond",
    Colour.GREY: "dash",
}
# Darker than the usual RAG fills so each mark has at least 3:1 contrast on white (WCAG 1.4.11).
STROKES = {
    Colour.RED: "#ca3535",
    Colour.AMBER: "#b35200",
    Colour.GREEN: "#0f7a52",
    Colour.BLUE: "#1d70b8",
    Colour.GREY: "#505a5f",
}
AXIS_TITLES = {
    Unit.PERCENTAGE: "Percentage",
    Unit.RATE_PER_10000: "Rate per 10,000 children",
    Unit.COUNT: "Number",
    Unit.WEEKS: "Weeks",
    Unit.FTE: "Full-time equivalent posts",
}


def month_index(period: date) -> int:
    return period.year * 12 + period.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


@dataclass(frozen=True)
class Tick:
    position: float
    label: str

    @property
    def lines(self) -> list[str]:
        """The label's lines: "Mar 2015" is "Mar" over "2015" on a narrow chart."""
        return self.label.split("\n")


# A point's mark as a path, centred on (x, y): drawn many to one path in the paper.
MARK_PATHS = {
    "square": "M{l},{t}h10v10h-10z",
    "triangle": "M{x},{t2}l6.5,12h-13z",
    "circle": "M{l2},{y}a5.5,5.5 0 1,0 11,0a5.5,5.5 0 1,0 -11,0z",
    "diamond": "M{x},{t3}l6.5,6.5l-6.5,6.5l-6.5,-6.5z",
    "dash": "M{l3},{t4}h12v4h-12z",
    "hollow": "M{l4},{y}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0z",
}
# How far each mark reaches from its centre, for keeping labels off it.
MARK_REACH = 7.5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    period: date
    label: str  # "January 2016: 60.3%, red"
    colour: Colour | None = None

    @property
    def shape(self) -> str:
        return SHAPES[self.colour] if self.colour else "hollow"

    @property
    def stroke(self) -> str:
        return STROKES[self.colour] if self.colour else STROKES[Colour.GREY]

    @property
    def mark_path(self) -> str:
        x, y = self.x, self.y
        return MARK_PATHS[self.shape].format(
            x=f"{x:.1f}",
            y=f"{y:.1f}",
            l=f"{x - 5:.1f}",
            t=f"{y - 5:.1f}",
            t2=f"{y - 7:.1f}",
            l2=f"{x - 5.5:.1f}",
            t3=f"{y - 6.5:.1f}",
            l3=f"{x - 6:.1f}",
            t4=f"{y - 2:.1f}",
            l4=f"{x - 3.5:.1f}",
        )


@dataclass(frozen=True)
class Marks:
    """Every point of one shape and colour in a series, as one path."""

    shape: str
    stroke: str
    path: str

    @property
    def hollow(self) -> bool:
        return self.shape == "hollow"


Segment = tuple[float, float, float, float]  # x1, y1, x2, y2


@dataclass
class Series:
    name: str
    points: list[Point]
    judged: bool

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )

    @property
    def segments(self) -> list[Segment]:
        return [(a.x, a.y, b.x, b.y) for a, b in zip(self.points, self.points[1:], strict=False)]

    @property
    def marks(self) -> list[Marks]:
        """The points grouped by shape and colour, each group one path (for the paper)."""
        groups: dict[tuple[str, str], list[str]] = {}
        for p in self.points:
            groups.setdefault((p.shape, p.stroke), []).append(p.mark_path)
        return [Marks(shape, stroke, "".join(paths)) for (shape, stroke), paths in groups.items()]


@dataclass
class ReferenceLine:
    name: str
    kind: str  # "target", "range", "benchmark" or "england"
    path: str
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Label:
    """The latest figure's label: its text's anchor (right-aligned) and the box it covers."""

    x: float
    y: float
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class LineChart:
    title: str
    description: str
    y_title: str
    x_title: str = "Month"
    frame: Frame = WIDE
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    lines: list[ReferenceLine] = field(default_factory=list)
    latest: Point | None = None
    latest_text: str = ""
    label: Label | None = None

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def left(self) -> int:
        return self.frame.left

    @property
    def top(self) -> int:
        return self.frame.top

    @property
    def right(self) -> int:
        return self.frame.width - self.frame.right

    @property
    def bottom(self) -> int:
        return self.frame.height - self.frame.bottom

    @property
    def latest_label_y(self) -> float:
        return self.label.y if self.label else 0

    @property
    def judged(self) -> Series | None:
        return next((s for s in self.series if s.judged), None)

    @property
    def other(self) -> list[Series]:
        return [s for s in self.series if not s.judged]

    @property
    def line_kinds(self) -> list[tuple[str, str]]:
        """One key entry per kind of reference line."""
        seen: dict[str, str] = {}
        for line in self.lines:
            seen.setdefault(line.kind, line.name)
        return list(seen.items())

    @property
    def grid_path(self) -> str:
        """The horizontal grid lines, one path."""
        return "".join(f"M{self.left},{t.position:.1f}H{self.right}" for t in self.y_ticks)

    @property
    def tick_path(self) -> str:
        """The axes and the month ticks below the x axis, one path."""
        ticks = "".join(f"M{t.position:.1f},{self.bottom}v6" for t in self.x_ticks)
        return f"M{self.left},{self.top}V{self.bottom}H{self.right}{ticks}"

    @property
    def line_segments(self) -> list[Segment]:
        """Every line drawn in the plot: reference lines and the figures' lines."""
        return [s for line in self.lines for s in line.segments] + [
            s for series in self.series for s in series.segments
        ]


class Scale:
    def __init__(self, low: float, high: float, top: float, bottom: float):
        self.low, self.high, self.top, self.bottom = low, high, top, bottom

    def __call__(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - share * (self.bottom - self.top)


def _y_domain(numbers: list[float], unit: str) -> tuple[float, float, float]:
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1)
    low, high = max(low - pad, 0), high + pad
    if Unit(unit) is Unit.PERCENTAGE and max(numbers) <= 100:
        high = min(high, 100)
    step = nice_step(high - low)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    if high <= low:
        high = low + step
    return low, high, step


def _tick_label(value: float, unit: str, step: float) -> str:
    decimals = 0 if step >= 1 else (1 if step * 10 >= 1 else 2)
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if Unit(unit) is Unit.PERCENTAGE else text


def _window(values: Sequence[FigureLike], months: int) -> tuple[int, int] | None:
    if not values:
        return None
    last = max(month_index(v.period) for v in values)
    first = max(min(month_index(v.period) for v in values), last - months + 1)
    return first, last


def _step_path(segments: list[tuple[float, float, float]]) -> str:
    """Horizontal runs (x_from, x_to, y) joined by vertical steps where a target changed."""
    parts = []
    for i, (x_from, x_to, y) in enumerate(segments):
        if i == 0:
            parts.append(f"M{x_from:.1f},{y:.1f}")
        else:
            parts.append(f"V{y:.1f}")
        parts.append(f"H{x_to:.1f}")
    return " ".join(parts)


def _step_segments(runs: list[tuple[float, float, float]]) -> list[Segment]:
    """The same step line as straight segments: each run, and the vertical step before it."""
    segments: list[Segment] = []
    for i, (x_from, x_to, y) in enumerate(runs):
        if i > 0:
            _, previous_to, previous_y = runs[i - 1]
            segments.append((previous_to, previous_y, previous_to, y))
            x_from = previous_to
        segments.append((x_from, y, x_to, y))
    return segments


def _target_runs(targets, first: int, last: int, x, y, bound: str) -> list[list]:
    """Runs of months with the same target (or bound), as (x_from, x_to, y) segments."""
    runs: list[list] = []
    previous = None
    for index in range(first, last + 1):
        target = target_in_force(targets, month_from_index(index))
        level = getattr(target, bound) if target is not None else None
        if level is None:
            previous = None
            continue
        if previous is None:
            runs.append([])
        if previous is not None and level != previous:
            runs[-1][-1][1] = x(index)  # the step falls on the month the new target took effect
        if previous is None or level != previous:
            runs[-1].append([x(index), x(index), y(level)])
        runs[-1][-1][1] = x(index)
        previous = level
    return runs


def build_chart(
    indicator: Indicator,
    series: dict[str, Sequence[FigureLike]],
    targets: Sequence[TargetLike],
    months: int = 24,
    published: list[tuple[str, str, float]] | None = None,
    frame: Frame = WIDE,
) -> LineChart | None:
    """The last `months` months of the judged figures (with their RAG) and of the month figures
    when the indicator is judged on another basis; target and benchmark lines; laid out for
    `frame`.

    `published` is (kind, name, level) per published benchmark ("benchmark" for the
    statistical-neighbour average, "england"); given, it replaces the indicator's own
    benchmark figure."""
    basis = Basis(indicator.basis)
    shown = _shown_series(basis, series)
    window = _window([v for values in shown.values() for v in values], months)
    if window is None:
        return None
    first, last = window
    in_window = _in_window(shown, first, last)
    unit = indicator.unit
    bound_names = _bound_names(indicator)
    numbers = [v.value for values in in_window.values() for v in values]
    numbers += _target_levels(targets, first, last, bound_names)
    numbers += _benchmark_levels(indicator, published)
    low, high, step = _y_domain(numbers, unit)
    chart = LineChart(
        title=f"{indicator.code}: {indicator.name}, {Basis(basis).label.lower()}",
        description="",
        y_title=AXIS_TITLES[Unit(unit)],
        frame=frame,
    )
    y = Scale(low, high, chart.top, chart.bottom)
    x = _x_scale(chart, first, last)
    chart.y_ticks = _y_ticks(y, low, high, step, unit)
    chart.x_ticks = _x_ticks(x, first, last, frame)
    chart.series = [
        _figure_series(indicator, b, values, b == basis, targets, x, y)
        for b, values in in_window.items()
    ]
    chart.lines = _target_lines(indicator, targets, first, last, x, y)
    chart.lines += _benchmark_lines(chart, indicator, published, y)
    _mark_latest(chart, indicator, in_window[basis])
    chart.description = describe_chart(indicator, in_window, targets, first, last, published)
    return chart


def _shown_series(
    basis: Basis, series: dict[str, Sequence[FigureLike]]
) -> dict[str, Sequence[FigureLike]]:
    """The judged figures, and the month figures too when judged on another basis."""
    shown: dict[str, Sequence[FigureLike]] = {basis: series.get(basis, [])}
    if basis is not Basis.MONTH and series.get(Basis.MONTH):
        shown[Basis.MONTH] = series[Basis.MONTH]
    return shown


def _in_window(
    shown: dict[str, Sequence[FigureLike]], first: int, last: int
) -> dict[str, Sequence[FigureLike]]:
    return {
        b: sorted(
            (v for v in values if first <= month_index(v.period) <= last),
            key=lambda v: v.period,
        )
        for b, values in shown.items()
    }


def _bound_names(indicator: Indicator) -> tuple[str, ...]:
    """The target's columns drawn as lines: both bounds of a range, else the target."""
    if Polarity(indicator.polarity) is Polarity.WITHIN_RANGE:
        return ("lower_bound", "upper_bound")
    return ("target",)


def _target_levels(
    targets: Sequence[TargetLike], first: int, last: int, bound_names: tuple[str, ...]
) -> list[float]:
    """Every target level in force during the window, so the y axis reaches each of them."""
    return [
        getattr(t, name)
        for index in range(first, last + 1)
        if (t := target_in_force(targets, month_from_index(index))) is not None
        for name in bound_names
        if getattr(t, name) is not None
    ]


def _benchmark_levels(
    indicator: Indicator, published: list[tuple[str, str, float]] | None
) -> list[float]:
    if published:
        return [level for _, _, level in published]
    if indicator.benchmark is not None:
        return [indicator.benchmark]
    return []


def _x_scale(chart: LineChart, first: int, last: int) -> Callable[[int], float]:
    """Month index to x position; a single month sits in the middle."""
    span = last - first

    def x(index: int) -> float:
        if span == 0:
            return (chart.left + chart.right) / 2
        return chart.left + (index - first) / span * (chart.right - chart.left)

    return x


def _y_ticks(y: Scale, low: float, high: float, step: float, unit: str) -> list[Tick]:
    tick_count = round((high - low) / step)
    return [
        Tick(y(low + i * step), _tick_label(low + i * step, unit, step))
        for i in range(tick_count + 1)
    ]


def _x_ticks(x: Callable[[int], float], first: int, last: int, frame: Frame) -> list[Tick]:
    """Counted back from the latest month, thinned (to every 2nd, 3rd, 6th or 12th month) so
    that neighbouring labels keep clear of each other."""
    label = "2015" if frame.two_line_months else "Sep 2015"
    room = len(label) * CHAR_WIDTH * frame.font + frame.tick_gap
    month = x(first + 1) - x(first) if last > first else room
    every = next((n for n in (1, 2, 3, 6) if n * month >= room), 12)
    style = "%b\n%Y" if frame.two_line_months else "%b %Y"
    return [
        Tick(x(index), f"{month_from_index(index):{style}}")
        for index in range(last, first - 1, -every)
    ]


def _figure_series(
    indicator: Indicator,
    basis: str,
    values: Sequence[FigureLike],
    is_judged: bool,
    targets: Sequence[TargetLike],
    x: Callable[[int], float],
    y: Scale,
) -> Series:
    """One basis's figures as points; the judged ones carry their RAG rating."""
    unit = indicator.unit
    points = []
    for value in values:
        text = f"{value.period:%B %Y}: {format_value(value.value, unit, indicator.decimals)}"
        colour = None
        if is_judged:
            rag = rate_value(indicator, value, targets)
            colour = rag.colour
            text += f", {rag.label.lower()}"
        points.append(
            Point(x(month_index(value.period)), y(value.value), value.period, text, colour)
        )
    return Series(f"{Basis(basis).label} figure", points, is_judged)


def _target_lines(
    indicator: Indicator,
    targets: Sequence[TargetLike],
    first: int,
    last: int,
    x: Callable[[int], float],
    y: Scale,
) -> list[ReferenceLine]:
    within = Polarity(indicator.polarity) is Polarity.WITHIN_RANGE
    name, kind = ("Expected range (between the lines)", "range") if within else ("Target", "target")
    return [
        ReferenceLine(name, kind, _step_path(run), _step_segments(run))
        for bound in _bound_names(indicator)
        for run in _target_runs(targets, first, last, x, y, bound)
    ]


def _benchmark_lines(
    chart: LineChart,
    indicator: Indicator,
    published: list[tuple[str, str, float]] | None,
    y: Scale,
) -> list[ReferenceLine]:
    """The published benchmarks if given, else the indicator's own benchmark figure."""
    if published:
        levels = [(kind, label, level) for kind, label, level in published]
    elif indicator.benchmark is not None:
        label = indicator.benchmark_label or "Statistical neighbours"
        shown = format_value(indicator.benchmark, indicator.unit, None)
        levels = [("benchmark", f"{label}: {shown}", indicator.benchmark)]
    else:
        return []
    return [_flat_line(chart, kind, label, y(level)) for kind, label, level in levels]


def _flat_line(chart: LineChart, kind: str, name: str, level: float) -> ReferenceLine:
    path = f"M{chart.left:.1f},{level:.1f} H{chart.right:.1f}"
    return ReferenceLine(name, kind, path, [(chart.left, level, chart.right, level)])


def _mark_latest(chart: LineChart, indicator: Indicator, judged: Sequence[FigureLike]) -> None:
    """The latest judged figure is labelled on the chart, near it and clear of every line."""
    judged_series = chart.judged
    if not (judged_series and judged_series.points):
        return
    chart.latest = judged_series.points[-1]
    chart.latest_text = (
        f"{format_value(judged[-1].value, indicator.unit, indicator.decimals)} "
        f"{chart.latest.colour.label if chart.latest.colour else ''}"
    ).strip()
    chart.label = _place_label(chart, chart.latest_text)


def _place_label(chart: LineChart, text: str) -> Label:
    """The nearest place to the latest point, above or below it, where the label's box crosses
    no line (target, range, benchmark or a figures' line) and covers no point; failing that,
    the margin above the plot, where nothing is drawn."""
    latest = chart.latest
    assert latest is not None  # only a chart with a latest point gets a label
    size = chart.frame.label_font
    width = len(text) * BOLD_CHAR_WIDTH * size
    x = min(latest.x + 4, chart.width - 2)
    axes = [(chart.left, chart.top, chart.left, chart.bottom)]
    axes.append((chart.left, chart.bottom, chart.right, chart.bottom))
    lines = chart.line_segments + axes
    marks = [p for s in chart.series for p in s.points]
    lowest, highest = chart.top + size, chart.bottom - 4
    for offset in range(14, int(chart.bottom - chart.top) + 28, 3):
        for y in (latest.y - offset, latest.y + offset + size * 0.7):
            if not lowest <= y <= highest:
                continue
            box = _text_box(x, y, width, size)
            if _clear(box, lines, marks):
                return Label(x, y, text, box)
    y = chart.top - 8
    return Label(x, y, text, _text_box(x, y, width, size))


def _text_box(right: float, baseline: float, width: float, size: float) -> tuple:
    """Right-aligned text's box, with a little room around it: capitals reach 0.75 of the
    size above the baseline, descenders 0.25 below."""
    return (right - width - 2, baseline - 0.8 * size - 2, right + 2, baseline + 0.3 * size + 2)


def _clear(box: tuple, lines: list[Segment], marks: list[Point]) -> bool:
    left, top, right, bottom = box
    for p in marks:
        if (
            left - MARK_REACH < p.x < right + MARK_REACH
            and top - MARK_REACH < p.y < bottom + MARK_REACH
        ):
            return False
    return not any(segment_crosses_box(s, box) for s in lines)


def segment_crosses_box(segment: Segment, box: tuple) -> bool:
    """Whether a straight line segment passes through a rectangle (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = segment
    left, top, right, bottom = box
    dx, dy = x2 - x1, y2 - y1
    start, end = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            start = max(start, t)
        else:
            end = min(end, t)
        if start > end:
            return False
    return True


def describe_chart(
    indicator: Indicator,
    in_window: dict[str, Sequence[FigureLike]],
    targets: Sequence[TargetLike],
    first: int,
    last: int,
    published: list[tuple[str, str, float]] | None = None,
) -> str:
    """What the chart shows, in words, for screen readers (the table beneath has every figure)."""
    unit, decimals = indicator.unit, indicator.decimals
    basis = Basis(indicator.basis)
    start, end = month_from_index(first), month_from_index(last)
    parts = [f"Line chart of {basis.label.lower()} figures from {start:%B %Y} to {end:%B %Y}."]
    judged = in_window.get(basis, [])
    if judged:
        latest = judged[-1]
        rag = rate_value(indicator, latest, targets)
        parts.append(f"Latest, {latest.period:%B %Y}: {rag.reason}.")
        low = min(judged, key=lambda v: v.value)
        high = max(judged, key=lambda v: v.value)
        parts.append(
            f"Lowest {format_value(low.value, unit, decimals)} in {low.period:%B %Y}; "
            f"highest {format_value(high.value, unit, decimals)} in {high.period:%B %Y}."
        )
    if basis is not Basis.MONTH and in_window.get(Basis.MONTH):
        month = in_window[Basis.MONTH][-1]
        parts.append(
            f"The month figures are a second, dashed line; {month.period:%B %Y}: "
            f"{format_value(month.value, unit, decimals)}."
        )
    changes = _target_changes(targets, first, last, indicator)
    if changes:
        parts.append(changes)
    if published:
        parts += [f"{label}." for _, label, _ in published]
    elif indicator.benchmark is not None:
        label = indicator.benchmark_label or "Statistical neighbours"
        parts.append(f"{label}: {format_value(indicator.benchmark, unit, None)}.")
    parts.append("Every figure is in the table below the chart.")
    return " ".join(parts)


def _target_changes(targets, first: int, last: int, indicator: Indicator) -> str:
    seen: list[str] = []
    for index in range(first, last + 1):
        target = target_in_force(targets, month_from_index(index))
        text = describe_target(indicator, target)
        if target is not None and (not seen or seen[-1] != text):
            seen.append(text)
    if not seen:
        return "No target set."
    if len(seen) == 1:
        return f"Target: {seen[0]}."
    return "Target changed: " + ", then ".join(seen) + "."


@dataclass(frozen=True)
class Sparkline:
    points: str
    last_x: float
    last_y: float
    label: str
    width: int = 100
    height: int = 24

    def svg(self) -> Markup:
        """The sparkline as inline SVG (built here, not by a template macro per table row)."""
        return Markup(
            '<svg class="app-sparkline" viewBox="0 0 {} {}" role="img" aria-label="{}" '
            'focusable="false"><title>{}</title><polyline points="{}"/>'
            '<circle cx="{:.1f}" cy="{:.1f}" r="2.5"/></svg>'
        ).format(
            self.width, self.height, self.label, self.label, self.points, self.last_x, self.last_y
        )


def build_sparkline(indicator: Indicator, newest_first: Sequence[FigureLike]) -> Sparkline | None:
    values = list(reversed(newest_first))
    if len(values) < 2:
        return None
    width, height, pad = 100, 24, 3
    numbers = [v.value for v in values]
    low, high = min(numbers), max(numbers)
    span = high - low
    count = len(values) - 1

    def y(value: float) -> float:
        if span == 0:
            return height / 2
        return pad + (high - value) / span * (height - 2 * pad)

    coords = [(pad + i / count * (width - 2 * pad), y(v.value)) for i, v in enumerate(values)]
    unit, decimals = indicator.unit, indicator.decimals
    first, last = values[0], values[-1]
    label = (
        f"{Basis(indicator.basis).label} figures, {first.period:%B %Y} to {last.period:%B %Y}: "
        f"from {format_value(first.value, unit, decimals)} to "
        f"{format_value(last.value, unit, decimals)}"
    )
    return Sparkline(
        points=" ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
        label=label,
    )
