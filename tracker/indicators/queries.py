"""Read queries for indicators: the latest figures of many indicators in constant queries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field, fields, replace
from datetime import date, datetime
from functools import cache
from operator import attrgetter, itemgetter

from markupsafe import Markup
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload

from tracker.benchmarks.figures import Benchmarks, benchmarks_for
from tracker.extensions import db
from tracker.indicators.chart import Sparkline, build_sparkline
from tracker.indicators.rag import (
    FigureLike,
    IndicatorRating,
    TargetLike,
    rate_series,
    rate_value,
    window_words,
)
from tracker.lru import LRU
from tracker.models import (
    Basis,
    BenchmarkMeasure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Plan,
    Recommendation,
    recommendation_indicators,
)
from tracker.pagination import counted_pages
from tracker.rag import Rag


@dataclass
class IndicatorSummary:
    indicator: Indicator
    # Most recent first, per basis ("month", "rolling_12", "ytd").
    series: dict[str, Sequence[FigureLike]] = field(default_factory=dict)
    targets: Sequence[TargetLike] = field(default_factory=list)
    rating: IndicatorRating | None = None
    sparkline: Sparkline | None = None
    sparkline_svg: Markup = Markup("")
    benchmarks: Benchmarks | None = None  # published statistical-neighbour and England figures
    # Everything the figures, targets and rating were worked out from (the indicator's own
    # fields, its targets and the revision of its figures): a key for results derived from them.
    revision_key: tuple | None = None

    # What tables read of it, several times per row: set once (the summary is never changed).
    judged: Sequence[FigureLike] = field(init=False)
    latest: FigureLike | None = field(init=False)
    latest_month: FigureLike | None = field(init=False)
    judged_on_month: bool = field(init=False)
    # The month's own figure rated against the same target, shown beside a rolling or
    # year-to-date rating (the report: "January is on target ... the indicator remains red").
    # Worked out here unless given (`month_rag_of` gives it).
    month_rag: Rag | None = field(default=None, kw_only=True)
    month_rag_given: InitVar[bool] = field(default=False, kw_only=True)
    # How many times each figure in `series` was corrected or moved (those never are left out).
    revised: dict[int, int] = field(default_factory=dict, kw_only=True)

    def __post_init__(self, month_rag_given: bool) -> None:
        self.judged = self.series.get(self.indicator.basis, [])
        self.latest = self.judged[0] if self.judged else None
        values = self.series.get("month", [])
        self.latest_month = values[0] if values else None
        self.judged_on_month = self.indicator.basis == Basis.MONTH
        if not month_rag_given:
            self.month_rag = month_rag_of(self.indicator, self.series, self.targets)

    @property
    def caveats(self) -> list[FigureLike]:
        """The latest figures shown for this indicator that carry a data-quality note."""
        shown = [self.latest] if self.judged_on_month else [self.latest, self.latest_month]
        return [v for v in shown if v is not None and v.data_quality_note]


def month_rag_of(
    indicator: Indicator,
    series: Mapping[str, Sequence[FigureLike]],
    targets: Sequence[TargetLike],
) -> Rag | None:
    """The latest month's own figure rated, for an indicator judged on another basis."""
    values = series.get("month", [])
    if indicator.basis == Basis.MONTH or not values:
        return None
    return rate_value(indicator, values[0], targets)


@dataclass(frozen=True, slots=True)
class Figure:
    """A stored indicator value, read-only: what pages, ratings and charts read of one."""

    id: int
    indicator_id: int
    period: date
    basis: str
    value: float
    provisional: bool
    data_quality_note: str | None
    quoted: bool
    source: str
    updated_at: datetime
    updated_by_id: int | None


@dataclass(frozen=True, slots=True)
class Target:
    """A target in force from a month, read-only."""

    id: int
    indicator_id: int
    effective_from: date
    target: float | None
    amber_tolerance: float
    lower_bound: float | None
    upper_bound: float | None
    assumed: bool
    source: str


VALUE_COLUMNS = [IndicatorValue.__table__.c[f.name] for f in fields(Figure)]
TARGET_COLUMNS = [IndicatorTarget.__table__.c[f.name] for f in fields(Target)]


@cache
def _recent_values_statement() -> Select:
    """Built once per process: building the ranked subquery costs more than running it for a
    page's indicators. `ids` and `per_series` are bound on each execution."""
    # The rows come straight out of the ranked subquery: joining it back to indicator_values
    # by id made PostgreSQL read the whole table (every indicator's history) on each request.
    ranked = (
        select(
            *VALUE_COLUMNS,
            func.row_number()
            .over(
                partition_by=(IndicatorValue.indicator_id, IndicatorValue.basis),
                order_by=IndicatorValue.period.desc(),
            )
            .label("rank"),
        )
        .where(IndicatorValue.indicator_id.in_(bindparam("ids", expanding=True)))
        .subquery()
    )
    columns = [ranked.c[f.name] for f in fields(Figure)]
    corrections = (
        select(func.count())
        .select_from(IndicatorValueRevision)
        .where(IndicatorValueRevision.indicator_value_id == ranked.c.id)
        .scalar_subquery()
    )
    return (
        select(*columns, corrections.label("revisions"))
        .where(ranked.c.rank <= bindparam("per_series"))
        .order_by(ranked.c.indicator_id, ranked.c.basis, ranked.c.period.desc())
    )


def recent_values(indicator_ids: list[int], per_series: int) -> list[Figure]:
    """The latest `per_series` values of each (indicator, basis), newest first, in one query
    (none for no indicators: a page whose indicators are all worked out already skips it)."""
    return [figure for figure, _ in _recent_values_revised(indicator_ids, per_series)]


def _recent_values_revised(indicator_ids: list[int], per_series: int) -> list[tuple[Figure, int]]:
    """As recent_values, each with the number of revisions kept of it (its corrections)."""
    if not indicator_ids:
        return []
    rows = db.session.execute(
        _recent_values_statement(), {"ids": indicator_ids, "per_series": per_series}
    )
    return [(Figure(*row[:-1]), row[-1]) for row in rows]


@cache
def _targets_and_revisions_statement() -> Select:
    """Built once per process; `ids` is bound on each execution.

    Each figure aggregate is a subquery per indicator, answered from one entry of the indexes on
    indicator_values (indicator_id, updated_at) and (indicator_id, id), without reading the
    figures themselves; the newest revision is one for all indicators (the end of the primary
    key's index). Not the number of figures: counting them read every figure's index entry,
    the most costly part of the summary on PostgreSQL, and a figure is only removed with a
    revision kept (tracker.indicators.service.delete_value), which the newest revision shows."""
    own = IndicatorValue.indicator_id == Indicator.id

    def of_figures(aggregate):
        return select(aggregate).select_from(IndicatorValue).where(own).scalar_subquery()

    # One row an indicator, then its targets: OFFSET 0 keeps both databases from merging this
    # into the join below, which worked the aggregates out again for each target.
    revised = (
        select(
            Indicator.id,
            of_figures(func.max(IndicatorValue.updated_at)).label("last_change"),
            of_figures(func.max(IndicatorValue.id)).label("last_id"),
            select(func.max(IndicatorValueRevision.id)).scalar_subquery().label("last_revision"),
        )
        .where(Indicator.id.in_(bindparam("ids", expanding=True)))
        .offset(0)
        .subquery()
    )
    target_columns = [column.label(f"target_{column.name}") for column in TARGET_COLUMNS]
    return (
        select(
            *revised.c,
            BenchmarkMeasure,  # one an indicator at most, for benchmarks_for
        )
        .add_columns(*target_columns)
        .select_from(revised)
        .outerjoin(BenchmarkMeasure, BenchmarkMeasure.indicator_id == revised.c.id)
        .outerjoin(IndicatorTarget, IndicatorTarget.indicator_id == revised.c.id)
        .order_by(revised.c.id, IndicatorTarget.effective_from)
    )


def targets_and_revisions(indicator_ids: list[int]) -> tuple[dict[int, list[Target]], dict]:
    """Each indicator's targets, and the revision of its figures (what changes whenever one
    of them is added, corrected, moved or removed), in one query.

    Not a timestamp alone: clocks can step back (a demo day past midnight, a server's clock
    corrected), so the revision also holds the newest id of the figures (a figure added) and
    the newest id of all revisions (kept whenever any figure is corrected, moved or deleted),
    which only ever grow. The newest revision is of all figures, not the indicator's own:
    reading that costs nothing, where finding an indicator's own revisions costs a look-up per
    figure; a correction anywhere then means each indicator is worked out afresh once, never
    that a change goes unseen. A figure deleted in the database directly, bypassing
    delete_value (and its audit), is not seen until the next change or restart
    (docs/operations.md)."""
    read = _targets_and_revision_rows(indicator_ids)
    return {i: [Target(*row) for row in rows] for i, rows in read.targets.items()}, read.revisions


@dataclass(frozen=True)
class _Read:
    targets: dict[int, list[tuple]]  # each target as its plain row (a key hashes those cheaply)
    revisions: dict[int, tuple]
    measures: dict[int, BenchmarkMeasure]  # the published column of those compared with one


def _targets_and_revision_rows(indicator_ids: list[int]) -> _Read:
    """As targets_and_revisions, with each indicator's benchmark measure."""
    rows = db.session.execute(_targets_and_revisions_statement(), {"ids": indicator_ids})
    read = _Read({i: [] for i in indicator_ids}, {}, {})
    for row in rows:
        indicator_id = row[0]
        read.revisions[indicator_id] = tuple(row[1:4])  # last change, newest id, revision
        if row[4] is not None:
            read.measures[indicator_id] = row[4]
        if row[5] is not None:
            read.targets[indicator_id].append(tuple(row[5:]))
    return read


@dataclass(frozen=True)
class _Worked:
    """What an indicator's figures and targets give, worked out once per revision."""

    series: dict[str, list[Figure]]
    targets: list[Target]
    rating: IndicatorRating
    month_rag: Rag | None
    revised: dict[int, int]
    sparkline: Sparkline | None
    sparkline_svg: Markup


# Per process. Pure: each entry is keyed by everything it was worked out from (the
# indicator's own fields, its targets and the revision of its figures), so an entry is never
# stale and nothing is ever invalidated; a change gives a new key and the old entry ages out.
_worked = LRU(maxsize=2000)


@cache
def _indicator_columns() -> tuple[str, ...]:
    return tuple(attr.key for attr in sa_inspect(Indicator).column_attrs)


@cache
def _state_readers() -> tuple[Callable[[dict], tuple], Callable[[Indicator], tuple]]:
    return itemgetter(*_indicator_columns()), attrgetter(*_indicator_columns())


def _indicator_state(indicator: Indicator) -> tuple:
    """An indicator's own fields, every column, as a tuple: read from what is loaded (as
    getattr would), else through the attributes (one expired is loaded again)."""
    loaded, attributes = _state_readers()
    try:
        return loaded(indicator.__dict__)
    except KeyError:
        return attributes(indicator)


def latest_values_for(indicators: list[Indicator], per_series: int = 12) -> list[IndicatorSummary]:
    """Summaries of the given indicators in two statements, however many there are (two more
    when any is compared with published statistics).

    What an indicator's figures and targets give (its series, rating and sparkline) is worked
    out once per process and revision of those figures, and reused until they change."""
    if not indicators:
        return []
    ids = [i.id for i in indicators]
    read = _targets_and_revision_rows(ids)
    targets, revisions = read.targets, read.revisions
    keys = {
        i.id: (per_series, _indicator_state(i), tuple(targets[i.id]), revisions.get(i.id))
        for i in indicators
    }
    worked = {i: _worked.get(keys[i]) for i in ids}
    missing = [i for i in indicators if worked[i.id] is None]
    series: dict[int, dict[str, list[Figure]]] = {i.id: {} for i in missing}
    revised: dict[int, dict[int, int]] = {i.id: {} for i in missing}
    for value, corrected in _recent_values_revised([i.id for i in missing], per_series):
        series[value.indicator_id].setdefault(value.basis, []).append(value)
        if corrected:
            revised[value.indicator_id][value.id] = corrected
    for indicator in missing:
        own = [Target(*row) for row in targets[indicator.id]]
        worked[indicator.id] = _worked.put(
            keys[indicator.id],
            _work_out(indicator, series[indicator.id], own, revised[indicator.id]),
        )
    benchmarks = benchmarks_for(indicators, read.measures)
    summaries = []
    for i in indicators:
        done, published = worked[i.id], benchmarks.get(i.id)
        summaries.append(
            IndicatorSummary(
                i,
                done.series,
                done.targets,
                with_benchmark(done.rating, published),
                done.sparkline,
                done.sparkline_svg,
                published,
                keys[i.id],
                month_rag=done.month_rag,
                month_rag_given=True,
                revised=done.revised,
            )
        )
    return summaries


def with_benchmark(rating: IndicatorRating, benchmarks: Benchmarks | None) -> IndicatorRating:
    """The rating with the published benchmarks appended to its reason ("...; statistical
    neighbours 79; England 60 (published for 2015)"), when the indicator has any figures."""
    clause = benchmarks.reason_clause() if benchmarks else ""
    if not clause or rating.value is None:
        return rating
    rag = replace(rating.rag, reason=f"{rating.rag.reason}; {clause}")
    return replace(rating, rag=rag)


def _work_out(
    indicator: Indicator,
    series: dict[str, list[Figure]],
    targets: list[Target],
    revised: dict[int, int],
):
    judged = series.get(indicator.basis, [])
    sparkline = build_sparkline(indicator, judged[:12])
    if sparkline is not None:
        # The window's words say when it starts on an illustrative figure (issue 14: "from
        # 29.5 FTE" where the report's own figure is 29).
        window = list(reversed(judged[:12]))
        sparkline = replace(sparkline, label=window_words(indicator, window))
    return _Worked(
        series=series,
        targets=targets,
        rating=rate_series(indicator, judged, targets),
        month_rag=month_rag_of(indicator, series, targets),
        revised=revised,
        sparkline=sparkline,
        sparkline_svg=sparkline.svg() if sparkline else Markup(""),
    )


def all_indicators() -> list[Indicator]:
    return list(db.session.scalars(indicators_matching("")))


def overview_pages(search: str) -> Select:
    """indicators_matching as pagination.paginate_in_one reads it; built once per process
    without a search."""
    return counted_pages(indicators_matching(search)) if search else _all_overview_pages()


@cache
def _all_overview_pages() -> Select:
    return counted_pages(indicators_matching(""))


def indicators_matching(search: str) -> Select:
    """Indicators in code order; those whose code or name contains `search`, if given."""
    query = select(Indicator).order_by(Indicator.code)
    if search:
        query = query.where(
            Indicator.code.icontains(search, autoescape=True)
            | Indicator.name.icontains(search, autoescape=True)
        )
    return query


@cache
def _indicator_by_code_statement() -> Select:
    """Built once per process; `code` is bound on each execution."""
    return (
        select(Indicator)
        .where(Indicator.code == bindparam("code"))
        .options(joinedload(Indicator.owner))
    )


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalar(_indicator_by_code_statement(), {"code": code})


@dataclass(frozen=True)
class LinkedRecommendation:
    recommendation: Recommendation
    rationale: str | None


@cache
def _linked_recommendations_statement() -> Select:
    """Built once per process; `indicator_id` is bound on each execution."""
    return (
        select(Recommendation, recommendation_indicators.c.rationale)
        .join(
            recommendation_indicators,
            recommendation_indicators.c.recommendation_id == Recommendation.id,
        )
        .where(recommendation_indicators.c.indicator_id == bindparam("indicator_id"))
        .options(joinedload(Recommendation.plan))
        .order_by(Recommendation.plan_id, Recommendation.position)
    )


def linked_recommendations(indicator: Indicator) -> list[LinkedRecommendation]:
    rows = db.session.execute(_linked_recommendations_statement(), {"indicator_id": indicator.id})
    return [LinkedRecommendation(rec, rationale) for rec, rationale in rows]


def unlinked_recommendations(indicator: Indicator) -> list[Recommendation]:
    linked = select(recommendation_indicators.c.recommendation_id).where(
        recommendation_indicators.c.indicator_id == indicator.id
    )
    query = (
        select(Recommendation)
        .join(Recommendation.plan)
        .where(Recommendation.id.not_in(linked))
        .options(joinedload(Recommendation.plan))
        .order_by(Plan.title, Recommendation.position)
    )
    return list(db.session.scalars(query))


def revision_counts(value_ids: list[int]) -> dict[int, int]:
    if not value_ids:
        return {}
    query = (
        select(IndicatorValueRevision.indicator_value_id, func.count())
        .where(IndicatorValueRevision.indicator_value_id.in_(value_ids))
        .group_by(IndicatorValueRevision.indicator_value_id)
    )
    rows = db.session.execute(query)
    return {value_id: count for value_id, count in rows if value_id is not None}


def value_with_history(indicator: Indicator, value_id: int) -> IndicatorValue | None:
    query = select(IndicatorValue).where(
        IndicatorValue.id == value_id, IndicatorValue.indicator_id == indicator.id
    )
    return db.session.scalar(query)


def revisions_of(value: IndicatorValue) -> list[IndicatorValueRevision]:
    query = (
        select(IndicatorValueRevision)
        .where(IndicatorValueRevision.indicator_value_id == value.id)
        .order_by(IndicatorValueRevision.changed_at, IndicatorValueRevision.id)
    )
    return list(db.session.scalars(query))
