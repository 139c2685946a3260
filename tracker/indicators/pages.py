"""What the indicator pages show, worked out from the stored figures (no rules in templates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from flask import get_template_attribute
from markupsafe import Markup
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.indicators.chart import NARROW, build_chart
from tracker.indicators.queries import IndicatorSummary, revisions_of
from tracker.indicators.rag import (
    FigureLike,
    describe_target,
    format_value,
    rate_value,
    target_in_force,
)
from tracker.lru import LRU
from tracker.models import Indicator, IndicatorValue, IndicatorValueRevision, RevisionChange, User
from tracker.rag import Rag


@dataclass(frozen=True)
class MonthRow:
    period: date
    judged: FigureLike | None
    judged_rag: Rag | None
    month: FigureLike | None  # the month's own figure, when judged on another basis
    month_rag: Rag | None
    target: str

    @property
    def values(self) -> list[FigureLike]:
        return [v for v in (self.judged, self.month) if v is not None]


def indicator_rows(summary: IndicatorSummary) -> list[MonthRow]:
    """One row per month, newest first: the judged figure with its rating and, for indicators
    judged on a rolling or year-to-date figure, the month's own figure with its rating."""
    indicator = summary.indicator
    judged = {v.period: v for v in summary.judged}
    own = [] if summary.judged_on_month else summary.series.get("month", [])
    months = {v.period: v for v in own}
    rows = []
    for period in sorted(set(judged) | set(months), reverse=True):
        judged_value, month_value = judged.get(period), months.get(period)
        target = target_in_force(summary.targets, period)
        rows.append(
            MonthRow(
                period=period,
                judged=judged_value,
                judged_rag=rate_value(indicator, judged_value, summary.targets)
                if judged_value
                else None,
                month=month_value,
                month_rag=rate_value(indicator, month_value, summary.targets)
                if month_value
                else None,
                target=describe_target(indicator, target),
            )
        )
    return rows


@dataclass(frozen=True)
class ChartAndRows:
    """The indicator page's chart (drawn wide and narrow, as markup; None with no figures to
    chart) and its rows of figures."""

    chart: Markup | None
    rows: list[MonthRow]


# Per process, as `_worked` in tracker/indicators/queries.py: keyed by the summary's revision
# key (the indicator's own fields, its targets and the revision of its figures) and the
# published benchmark lines drawn on the chart, everything the chart and rows are drawn from.
_charts = LRU(maxsize=500)


def chart_and_rows(summary: IndicatorSummary, months: int = 24) -> ChartAndRows:
    """The indicator page's chart of the last `months` months and its rows of figures, drawn
    once per revision of what they show."""
    published = summary.benchmarks.chart_lines() if summary.benchmarks else None
    key = (summary.revision_key, months, None if published is None else tuple(published))
    found = _charts.get(key) if summary.revision_key is not None else None
    if found is None:
        found = _draw(summary, months, published)
        if summary.revision_key is not None:
            _charts.put(key, found)
    return found


def _draw(
    summary: IndicatorSummary, months: int, published: list[tuple[str, str, float]] | None
) -> ChartAndRows:
    indicator, series, targets = summary.indicator, summary.series, summary.targets
    wide = build_chart(indicator, series, targets, months=months, published=published)
    chart = None
    if wide is not None:
        narrow = build_chart(
            indicator, series, targets, months=months, published=published, frame=NARROW
        )
        line_chart = get_template_attribute("indicators/_chart.html", "line_chart")
        chart = Markup(line_chart(wide, "indicator-chart", narrow))  # noqa: S704 (the macro escapes)
    return ChartAndRows(chart=chart, rows=indicator_rows(summary))


@dataclass(frozen=True)
class Change:
    changed_at: datetime
    changed_by: str
    before: str
    after: str
    details: list[str]


def _shown(indicator: Indicator, value: float) -> str:
    return format_value(value, indicator.unit, max(indicator.decimals, 2))


def value_history(indicator: Indicator, stored: IndicatorValue) -> list[Change]:
    """Every correction of a figure, newest first: who, when, from what to what."""
    revisions = revisions_of(stored)
    if not revisions:
        return []
    names = _names_of({r.changed_by_id for r in revisions if r.changed_by_id})
    states = [
        (r.previous_value, r.previous_provisional, r.previous_data_quality_note) for r in revisions
    ]
    states.append((stored.value, stored.provisional, stored.data_quality_note))
    changes = []
    for index, revision in enumerate(revisions):
        (old, old_prov, old_note), (new, new_prov, new_note) = states[index], states[index + 1]
        details = []
        if revision.change == RevisionChange.MOVED:
            moved_to = _moved_to(revisions[index + 1 :], stored)
            details.append(f"Moved from {revision.previous_period:%B %Y} to {moved_to:%B %Y}")
        if bool(old_prov) != bool(new_prov):
            details.append("Marked provisional" if new_prov else "No longer provisional")
        details += _note_change(old_note, new_note)
        if revision.reason:
            details.append(f"Reason: {revision.reason}")
        changes.append(
            Change(
                changed_at=revision.changed_at,
                changed_by=names.get(revision.changed_by_id, "Not recorded"),
                before=_shown(indicator, old),
                after=_shown(indicator, new),
                details=details,
            )
        )
    return list(reversed(changes))


def _names_of(ids: set[int]) -> dict[int | None, str]:
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _moved_to(later: list[IndicatorValueRevision], stored: IndicatorValue) -> date:
    """Where a moved figure went: the period the next move took it from, else where it is."""
    moves = (r.previous_period for r in later if r.change == "moved" and r.previous_period)
    return next(moves, stored.period)


def _note_change(old_note: str | None, new_note: str | None) -> list[str]:
    if (old_note or None) == (new_note or None):
        return []
    if not new_note:
        return ["Data-quality note removed"]
    if not old_note:
        return [f"Data-quality note added: {new_note}"]
    return [f"Data-quality note changed from: {old_note}"]


@dataclass(frozen=True)
class DeletedFigure:
    period: date | None  # as the revision recorded them: a deletion records both
    basis: str | None
    shown: str
    deleted_at: datetime
    deleted_by: str
    reason: str


@cache
def _deleted_figures_statement() -> Select:
    """Built once per process; `indicator_id` is bound on each execution."""
    return (
        select(IndicatorValueRevision)
        .where(
            IndicatorValueRevision.indicator_id == bindparam("indicator_id"),
            IndicatorValueRevision.change == RevisionChange.DELETED,
        )
        .options(joinedload(IndicatorValueRevision.changed_by))
        .order_by(IndicatorValueRevision.changed_at.desc(), IndicatorValueRevision.id.desc())
    )


def deleted_figures(indicator: Indicator) -> list[DeletedFigure]:
    """The figures taken out of an indicator, newest first, each with who, when and why."""
    query, params = _deleted_figures_statement(), {"indicator_id": indicator.id}
    return [
        DeletedFigure(
            period=r.previous_period,
            basis=r.basis,
            shown=_shown(indicator, r.previous_value),
            deleted_at=r.changed_at,
            deleted_by=r.changed_by.name if r.changed_by else "Not recorded",
            reason=r.reason or "",
        )
        for r in db.session.scalars(query, params)
    ]
