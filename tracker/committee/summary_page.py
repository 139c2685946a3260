"""The plan summary page's large parts as fragments (tracker/fragments.py): each is rendered
once per process and distinct content, keyed by exactly what it shows."""

from collections.abc import Hashable, Sequence

from flask import url_for
from markupsafe import Markup

from tracker.committee.summary import Change, RecommendationRow
from tracker.fragments import render_fragment
from tracker.indicators.queries import IndicatorSummary


def indicator_key(summary: IndicatorSummary) -> Hashable | None:
    """What a row of templates/indicators/_summary-table.html shows of an indicator: its own
    fields, figures and targets, and all worked out from them (series, rating, month's rating,
    sparkline, trend), are its revision key; the rating's reason also carries the published
    benchmarks (tracker.indicators.queries.with_benchmark). None when there is no revision key
    (then it is rendered every time)."""
    rating = summary.rating
    if summary.revision_key is None or rating is None:
        return None
    return (summary.revision_key, rating.rag, rating.trend)


def _section_key(row: RecommendationRow, rec_url: str) -> Hashable | None:
    indicators = tuple(indicator_key(s) for s in row.indicators)
    if None in indicators:
        return None
    rec, note, then = row.rec, row.latest_note, row.rag_then
    return (
        rec_url,
        rec.id,
        rec.reference,
        rec.title,
        row.rag,
        then.colour if then is not None and then.colour is not row.rag.colour else None,
        row.embedding,
        row.done,
        len(row.actions),
        row.next_due,
        (note.text, note.at) if note else None,
        row.impact.text if row.impact else None,
        indicators,
    )


def recommendation_sections(rows: Sequence[RecommendationRow]) -> list[Markup]:
    """Each recommendation's section (templates/committee/_summary-recommendation.html)."""
    # One url_for, not one per recommendation: the URL ends with the recommendation's id.
    rec_url = url_for("plans.recommendation", recommendation_id=0)[:-1]
    return [
        render_fragment(
            "committee/_summary-recommendation.html",
            _section_key(row, rec_url),
            row=row,
            rec_url=rec_url,
        )
        for row in rows
    ]


def _glance_row_key(row: RecommendationRow) -> tuple:
    directions = tuple((s.indicator.name, s.indicator.code, d) for s, d in row.indicator_directions)
    rec = row.rec
    return (
        rec.id,
        rec.reference,
        rec.title,
        row.rag,
        row.embedding,
        row.done,
        len(row.actions),
        row.overdue,
        directions,
    )


def at_a_glance(rows: Sequence[RecommendationRow]) -> Markup:
    """The at-a-glance table (templates/committee/_at-a-glance.html), one row per
    recommendation."""
    key = tuple(_glance_row_key(row) for row in rows)
    return render_fragment("committee/_at-a-glance.html", key, rows=rows)


def changes_list(changes: dict[str, list[Change]]) -> Markup:
    """What changed since the chosen day (templates/committee/_changes.html)."""
    key = tuple(
        (kind, tuple((c.reference, c.text) for c in items)) for kind, items in changes.items()
    )
    return render_fragment("committee/_changes.html", key, changes=changes)


def _items_key(items: list[dict]) -> tuple:
    return tuple(tuple(item.items()) for item in items)


def summary_controls(
    plan_id: int,
    since_items: list[dict],
    theme_items: list[dict],
    rag_items: list[dict],
    export_args: dict[str, str],
) -> Markup:
    """The filters form, the download links (with the filters) and the meetings link
    (templates/committee/_summary-controls.html). Each choice: a dict of plain values (value,
    text, selected), as the GOV.UK select takes it."""
    key = (
        plan_id,
        _items_key(since_items),
        _items_key(theme_items),
        _items_key(rag_items),
        tuple(export_args.items()),
    )
    return render_fragment(
        "committee/_summary-controls.html",
        key,
        plan_id=plan_id,
        since_items=since_items,
        theme_items=theme_items,
        rag_items=rag_items,
        export_args=export_args,
    )
