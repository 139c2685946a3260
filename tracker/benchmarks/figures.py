"""The statistical-neighbour average and the England figure per indicator and published year."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, or_, select

from tracker.extensions import db
from tracker.models import BenchmarkMeasure, Indicator, PublishedFigure, StatisticalNeighbour

NATIONAL = "National"
LOCAL_AUTHORITY = "Local authority"
REGIONAL = "Regional"


def period_label(time_period: str) -> str:
    """DfE's time_period as people read it: 2015 stays 2015, 201415 is 2014-15."""
    if len(time_period) == 6:
        return f"{time_period[:4]}-{time_period[4:]}"
    return time_period


def _format(value: float, unit: str, decimals: int) -> str:
    # Imported here: the indicators package reads benchmarks while it is being loaded.
    from tracker.indicators.rag import format_value

    return format_value(value, unit, decimals)


@dataclass(frozen=True)
class BenchmarkYear:
    """One published year of an indicator's publication column: council, neighbours, England."""

    time_period: str
    council: PublishedFigure | None
    neighbours: list[PublishedFigure]  # those published for the year (suppressed ones too)
    neighbours_listed: int  # how many neighbours the council has
    england: PublishedFigure | None

    @property
    def label(self) -> str:
        return period_label(self.time_period)

    @property
    def neighbours_published(self) -> list[float]:
        return [f.value for f in self.neighbours if f.value is not None]

    @property
    def neighbour_average(self) -> float | None:
        """The mean of the neighbours' published figures; suppressed ones are left out, never 0."""
        values = self.neighbours_published
        return sum(values) / len(values) if values else None

    @property
    def provisional(self) -> bool:
        figures = [self.council, self.england, *self.neighbours]
        return any(f.provisional for f in figures if f is not None)

    @property
    def sources(self) -> list[str]:
        figures = [self.council, self.england, *self.neighbours]
        return sorted({f.source for f in figures if f is not None})


@dataclass(frozen=True)
class Benchmarks:
    indicator: Indicator
    measure: BenchmarkMeasure
    years: list[BenchmarkYear]  # newest first

    @property
    def latest(self) -> BenchmarkYear | None:
        return self.years[0] if self.years else None

    def shown(self, figure: PublishedFigure | None) -> str:
        if figure is None:
            return "Not in the file"
        if figure.value is None:
            return f"Not published ({figure.suppressed})"
        return self.number(figure.value)

    def number(self, value: float | None) -> str:
        if value is None:
            return "Not published"
        return _format(value, self.indicator.unit, self.indicator.decimals)

    def neighbours_shown(self, year: BenchmarkYear) -> str:
        published = len(year.neighbours_published)
        text = self.number(year.neighbour_average)
        if year.neighbours_listed and 0 < published < year.neighbours_listed:
            text += f" ({published} of {year.neighbours_listed} published)"
        return text

    def reason_clause(self) -> str:
        """Appended to the indicator's RAG reason: "statistical neighbours 79; England 60
        (published for 2015)"."""
        year = self.latest
        if year is None:
            return ""
        parts = []
        if year.neighbours_listed:
            parts.append(f"statistical neighbours {self._bare(year.neighbour_average)}")
        if year.england is not None:
            parts.append(f"England {self._bare(year.england.value)}")
        if not parts:
            return ""
        provisional = ", provisional" if year.provisional else ""
        return "; ".join(parts) + f" (published for {year.label}{provisional})"

    def chart_lines(self) -> list[tuple[str, str, float]]:
        """The latest published year as flat lines on the indicator's chart: (kind, name, level)."""
        year = self.latest
        if year is None:
            return []
        lines = []
        if year.neighbour_average is not None:
            shown = self.number(year.neighbour_average)
            lines.append(
                (
                    "benchmark",
                    f"Statistical neighbours, {year.label}: {shown}",
                    year.neighbour_average,
                )
            )
        if year.england is not None and year.england.value is not None:
            shown = self.number(year.england.value)
            lines.append(("england", f"England, {year.label}: {shown}", year.england.value))
        return lines

    def _bare(self, value: float | None) -> str:
        if value is None:
            return "not published"
        return _format(value, "count", self.indicator.decimals)


def benchmarks_for(
    indicators: list[Indicator], measures: dict[int, BenchmarkMeasure] | None = None
) -> dict[int, Benchmarks]:
    """Each mapped indicator's published years, in two statements however many there are.

    Given `measures` (each indicator's, read by the caller with something else: none for an
    indicator not mapped), none at all when no indicator is mapped."""
    if measures is None:
        measures, neighbours = _measures_and_neighbours([i.id for i in indicators])
    elif measures:
        neighbours = _neighbours_of(measures)
    if not measures:
        return {}
    by_key, england = _published_figures(measures, neighbours)
    by_indicator = {i.id: i for i in indicators}
    return {
        indicator_id: Benchmarks(
            by_indicator[indicator_id],
            measure,
            _years(measure, neighbours[indicator_id], by_key, england),
        )
        for indicator_id, measure in measures.items()
    }


@cache
def _measures_and_neighbours_statement() -> Select:
    """Built once per process; `ids` is bound on each execution."""
    return (
        select(BenchmarkMeasure, StatisticalNeighbour.neighbour_code)
        .outerjoin(StatisticalNeighbour, StatisticalNeighbour.la_code == BenchmarkMeasure.la_code)
        .where(BenchmarkMeasure.indicator_id.in_(bindparam("ids", expanding=True)))
        .order_by(BenchmarkMeasure.id, StatisticalNeighbour.rank)
    )


def _measures_and_neighbours(
    ids: list[int],
) -> tuple[dict[int, BenchmarkMeasure], dict[int, list[str]]]:
    """Each indicator's measure, and its council's statistical neighbours in rank order."""
    rows = db.session.execute(_measures_and_neighbours_statement(), {"ids": ids}).all()
    measures: dict[int, BenchmarkMeasure] = {}
    neighbours: dict[int, list[str]] = defaultdict(list)
    for measure, neighbour_code in rows:
        measures[measure.indicator_id] = measure
        if neighbour_code:
            neighbours[measure.indicator_id].append(neighbour_code)
    return measures, neighbours


@cache
def _neighbours_statement() -> Select:
    """Built once per process; `codes` is bound on each execution."""
    return (
        select(StatisticalNeighbour.la_code, StatisticalNeighbour.neighbour_code)
        .where(StatisticalNeighbour.la_code.in_(bindparam("codes", expanding=True)))
        .order_by(StatisticalNeighbour.la_code, StatisticalNeighbour.rank)
    )


def _neighbours_of(measures: dict[int, BenchmarkMeasure]) -> dict[int, list[str]]:
    """Each mapped indicator's council's statistical neighbours in rank order."""
    codes = sorted({m.la_code for m in measures.values()})
    by_council: dict[str, list[str]] = defaultdict(list)
    for la_code, neighbour_code in db.session.execute(_neighbours_statement(), {"codes": codes}):
        if neighbour_code:
            by_council[la_code].append(neighbour_code)
    return {i: by_council[m.la_code] for i, m in measures.items()}


def _published_figures(
    measures: dict[int, BenchmarkMeasure], neighbours: dict[int, list[str]]
) -> tuple[dict[tuple, PublishedFigure], dict[tuple, PublishedFigure]]:
    """The figures of the councils concerned by (measure, period, area), and England's by
    (measure, period)."""
    codes = {m.la_code for m in measures.values()} | {c for n in neighbours.values() for c in n}
    published = db.session.scalars(
        select(PublishedFigure).where(
            PublishedFigure.measure.in_({m.measure for m in measures.values()}),
            or_(
                PublishedFigure.area_code.in_(codes),
                PublishedFigure.geographic_level == NATIONAL,
            ),
        )
    )
    by_key: dict[tuple, PublishedFigure] = {}
    england: dict[tuple, PublishedFigure] = {}
    for figure in published:
        if figure.geographic_level == NATIONAL:
            england[(figure.measure, figure.time_period)] = figure
        else:
            by_key[(figure.measure, figure.time_period, figure.area_code)] = figure
    return by_key, england


def _years(
    measure: BenchmarkMeasure,
    mine: list[str],
    by_key: dict[tuple, PublishedFigure],
    england: dict[tuple, PublishedFigure],
) -> list[BenchmarkYear]:
    """Every period anyone published the measure for, newest first."""
    periods = {p for (m, p, code) in by_key if m == measure.measure and code == measure.la_code}
    periods |= {p for (m, p) in england if m == measure.measure}
    periods |= {p for (m, p, code) in by_key if m == measure.measure and code in mine}
    return [
        BenchmarkYear(
            time_period=period,
            council=by_key.get((measure.measure, period, measure.la_code)),
            neighbours=[f for code in mine if (f := by_key.get((measure.measure, period, code)))],
            neighbours_listed=len(mine),
            england=england.get((measure.measure, period)),
        )
        for period in sorted(periods, reverse=True)
    ]
