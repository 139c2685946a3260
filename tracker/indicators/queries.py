"""Read queries for indicators: the latest figures of many indicators in constant queries."""

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload

from tracker.extensions import db
from tracker.indicators.chart import Sparkline, build_sparkline
from tracker.indicators.rag import IndicatorRating, rate_series, rate_value
from tracker.models import (
    Basis,
    ImportRecord,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Plan,
    Recommendation,
    recommendation_indicators,
)
from tracker.rag import Rag


@dataclass
class IndicatorSummary:
    indicator: Indicator
    # Most recent first, per basis ("month", "rolling_12", "ytd").
    series: dict[str, list[IndicatorValue]] = field(default_factory=dict)
    targets: list[IndicatorTarget] = field(default_factory=list)
    rating: IndicatorRating | None = None

    @property
    def judged(self) -> list[IndicatorValue]:
        return self.series.get(self.indicator.basis, [])

    @property
    def latest(self) -> IndicatorValue | None:
        return self.judged[0] if self.judged else None

    @property
    def latest_month(self) -> IndicatorValue | None:
        values = self.series.get("month", [])
        return values[0] if values else None

    @property
    def judged_on_month(self) -> bool:
        return self.indicator.basis == Basis.MONTH

    @cached_property
    def month_rag(self) -> Rag | None:
        """The month's own figure rated against the same target, shown beside a rolling or
        year-to-date rating (the report: "January is on target ... the indicator remains red")."""
        if self.judged_on_month or self.latest_month is None:
            return None
        return rate_value(self.indicator, self.latest_month, self.targets)

    @property
    def caveats(self) -> list[IndicatorValue]:
        """The latest figures shown for this indicator that carry a data-quality note."""
        shown = [self.latest] if self.judged_on_month else [self.latest, self.latest_month]
        return [v for v in shown if v is not None and v.data_quality_note]

    @cached_property
    def sparkline(self) -> Sparkline | None:
        return build_sparkline(self.indicator, self.judged[:12])


def recent_values(indicator_ids: list[int], per_series: int) -> list[IndicatorValue]:
    """The latest `per_series` values of each (indicator, basis), newest first, in one query."""
    if not indicator_ids:
        return []
    # The rows come straight out of the ranked subquery: joining it back to indicator_values
    # by id made PostgreSQL read the whole table (every indicator's history) on each request.
    ranked = (
        select(
            IndicatorValue,
            func.row_number()
            .over(
                partition_by=(IndicatorValue.indicator_id, IndicatorValue.basis),
                order_by=IndicatorValue.period.desc(),
            )
            .label("rank"),
        )
        .where(IndicatorValue.indicator_id.in_(indicator_ids))
        .subquery()
    )
    value = aliased(IndicatorValue, ranked)
    query = (
        select(value)
        .where(ranked.c.rank <= per_series)
        .order_by(value.indicator_id, value.basis, value.period.desc())
    )
    return list(db.session.scalars(query))


def targets_for(indicator_ids: list[int]) -> list[IndicatorTarget]:
    if not indicator_ids:
        return []
    query = (
        select(IndicatorTarget)
        .where(IndicatorTarget.indicator_id.in_(indicator_ids))
        .order_by(IndicatorTarget.indicator_id, IndicatorTarget.effective_from)
    )
    return list(db.session.scalars(query))


def latest_values_for(indicators: list[Indicator], per_series: int = 12) -> list[IndicatorSummary]:
    """Summaries of the given indicators in two statements, however many there are."""
    ids = [i.id for i in indicators]
    summaries = {i.id: IndicatorSummary(i) for i in indicators}
    for value in recent_values(ids, per_series):
        summaries[value.indicator_id].series.setdefault(value.basis, []).append(value)
    for target in targets_for(ids):
        summaries[target.indicator_id].targets.append(target)
    for summary in summaries.values():
        summary.rating = rate_series(summary.indicator, summary.judged, summary.targets)
    return [summaries[i] for i in ids]


def all_indicators() -> list[Indicator]:
    return list(db.session.scalars(indicators_matching("")))


def indicators_matching(search: str) -> Select:
    """Indicators in code order; those whose code or name contains `search`, if given."""
    query = select(Indicator).order_by(Indicator.code)
    if search:
        query = query.where(
            Indicator.code.icontains(search, autoescape=True)
            | Indicator.name.icontains(search, autoescape=True)
        )
    return query


def indicator_by_code(code: str) -> Indicator | None:
    query = select(Indicator).where(Indicator.code == code).options(joinedload(Indicator.owner))
    return db.session.scalar(query)


@dataclass(frozen=True)
class LinkedRecommendation:
    recommendation: Recommendation
    rationale: str | None


def linked_recommendations(indicator: Indicator) -> list[LinkedRecommendation]:
    query = (
        select(Recommendation, recommendation_indicators.c.rationale)
        .join(
            recommendation_indicators,
            recommendation_indicators.c.recommendation_id == Recommendation.id,
        )
        .where(recommendation_indicators.c.indicator_id == indicator.id)
        .options(joinedload(Recommendation.plan))
        .order_by(Recommendation.plan_id, Recommendation.position)
    )
    return [LinkedRecommendation(rec, rationale) for rec, rationale in db.session.execute(query)]


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
    return dict(db.session.execute(query).all())


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


def recent_imports(limit: int = 10) -> list[ImportRecord]:
    query = (
        select(ImportRecord)
        .where(ImportRecord.kind == "indicator_values")
        .options(joinedload(ImportRecord.imported_by))
        .order_by(ImportRecord.imported_at.desc(), ImportRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
