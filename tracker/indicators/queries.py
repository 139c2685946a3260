"""Read queries for indicators: the latest figures of many indicators in constant queries."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.indicators.rag import IndicatorRating, rate_series
from tracker.models import Indicator, IndicatorTarget, IndicatorValue


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


def recent_values(indicator_ids: list[int], per_series: int) -> list[IndicatorValue]:
    """The latest `per_series` values of each (indicator, basis), newest first, in one query."""
    if not indicator_ids:
        return []
    ranked = (
        select(
            IndicatorValue.id,
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
    query = (
        select(IndicatorValue)
        .join(ranked, ranked.c.id == IndicatorValue.id)
        .where(ranked.c.rank <= per_series)
        .order_by(IndicatorValue.indicator_id, IndicatorValue.basis, IndicatorValue.period.desc())
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


def latest_values_for(indicators: list[Indicator], per_series: int = 3) -> list[IndicatorSummary]:
    ids = [i.id for i in indicators]
    summaries = {i.id: IndicatorSummary(i) for i in indicators}
    for value in recent_values(ids, per_series):
        summaries[value.indicator_id].series.setdefault(value.basis, []).append(value)
    for target in targets_for(ids):
        summaries[target.indicator_id].targets.append(target)
    for summary in summaries.values():
        summary.rating = rate_series(summary.indicator, summary.judged, summary.targets)
    return [summaries[i] for i in ids]
