"""The plan summary committee members read: explained ratings, latest notes, indicators, impact,
and what changed since a chosen meeting. A fixed number of queries whatever the plan's size."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)

from tracker.clock import local
from tracker.committee.history import ActionState, end_of, state_at
from tracker.committee.impact import ImpactStatement, impact_statement, indicator_label
from tracker.committee.plan_rows import (
    SummaryAction,
    SummaryPlan,
    SummaryRecommendation,
    SummaryTheme,
)
from tracker.embedding import Embedding, embedding
from tracker.extensions import db
from tracker.indicators.queries import VALUE_COLUMNS, Figure, IndicatorSummary, latest_values_for
from tracker.indicators.rag import IndicatorRating, rate_series
from tracker.lru import LRU, HashedKey
from tracker.models import (
    Action,
    ActionStatus,
    Evidence,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Theme,
    User,
)
from tracker.models.types import UTCDateTime
from tracker.plans.progress import done_count, next_due
from tracker.rag import (
    ActionRating,
    Colour,
    Rag,
    RatedAction,
    action_rag,
    plan_rag,
    recommendation_rag,
)


@dataclass
class Note:
    text: str
    at: datetime
    author: str | None


@dataclass
class RecommendationRow:
    rec: Recommendation | SummaryRecommendation
    rag: Rag
    actions: Sequence[Action | SummaryAction]
    action_rags: list[Rag]
    done: int
    next_due: date | None
    latest_note: Note | None
    indicators: list[IndicatorSummary]
    impact: ImpactStatement | None
    rag_then: Rag | None = None
    # Complete recommendations only: embedded, not yet, fallen back (tracker/embedding.py).
    embedding: Embedding | None = None

    @property
    def overdue(self) -> int:
        return sum(
            1
            for action, rag in zip(self.actions, self.action_rags, strict=True)
            if not action.withdrawn_reason and rag.kind is ActionRating.OVERDUE
        )

    @property
    def indicator_directions(self) -> list[tuple[IndicatorSummary, str]]:
        """Each linked indicator with which way it is going, in a word or two."""
        return [(s, _direction_words(s)) for s in self.indicators]


def _direction_words(summary: IndicatorSummary) -> str:
    rating = summary.rating
    if rating is None or rating.value is None:
        return "no figures"
    if rating.trend_direction != "unknown":
        return rating.trend_direction
    return "not comparable" if rating.trend_stopped_short else "no trend yet"


@dataclass
class Change:
    kind: str
    when: object
    reference: str
    text: str
    link_type: str = "action"
    link_id: int | None = None


@dataclass
class PlanSummary:
    plan: Plan | SummaryPlan
    day: date
    rows: list[RecommendationRow]
    headline: dict[str, int]
    rec_counts: dict[str, int]
    rating: Rag
    themes: Sequence[Theme | SummaryTheme]
    since: date | None = None
    changes: dict[str, list[Change]] = field(default_factory=dict)
    # Every indicator, linked to a recommendation or not, by code: the exports list them all.
    indicators: list[IndicatorSummary] = field(default_factory=list)

    def recommendations_using(self, code: str) -> str:
        return ", ".join(
            row.rec.reference
            for row in self.rows
            if any(s.indicator.code == code for s in row.indicators)
        )


class Update(NamedTuple):
    """A progress update as the summary reads it (the columns of `_updates_statement`, in its
    order): a named tuple, whose fields are read in C (a plan has hundreds of updates, each read
    several times)."""

    id: int
    action_id: int
    created_at: datetime
    status_from: str | None
    status_to: str | None
    due_from: date | None
    due_to: date | None
    due_change_reason: str | None
    note: str
    event: str | None
    recommendation_id: int
    reference: str  # the action's
    author: str | None


class EvidenceAdded(NamedTuple):
    """Evidence added to an action since the chosen meeting, as the changes list reads it."""

    id: int
    title: str
    added_at: datetime
    action_id: int
    review_state: str
    reviewed_at: datetime | None
    review_reason: str | None


@cache
def _history_statement() -> CompoundSelect:
    """Every progress update of a plan's actions, and the evidence added to them since `cutoff`
    (none when it is NULL) and not withdrawn, in one statement: plain rows (Core columns, no ORM
    objects), each saying which it is by its first column, the other's columns empty. An
    update's columns are `Update`'s fields, in order, then the evidence's own; updates oldest
    first. Built once per process."""
    u, a, r = ProgressUpdate.__table__.c, Action.__table__.c, Recommendation.__table__.c
    e, users = Evidence.__table__.c, User.__table__.c
    updates = (
        select(
            literal("update").label("source"),
            u.id.label("id"),  # labelled: the statement is ordered by them
            u.action_id,
            u.created_at.label("created_at"),
            u.status_from,
            u.status_to,
            u.due_from,
            u.due_to,
            u.due_change_reason,
            u.note,
            u.event,
            a.recommendation_id,
            a.reference,
            users.name.label("author"),
            cast(null(), String).label("review_state"),
            cast(null(), UTCDateTime()).label("reviewed_at"),
            cast(null(), Text).label("review_reason"),
        )
        .join(Action.__table__, a.id == u.action_id)
        .join(Recommendation.__table__, r.id == a.recommendation_id)
        .outerjoin(User.__table__, users.id == u.author_id)
        .where(r.plan_id == bindparam("plan_id"))
    )
    nothing = null()
    evidence = (
        select(
            literal("evidence"),
            e.id,
            e.action_id,
            e.added_at,
            nothing,
            nothing,
            nothing,
            nothing,
            nothing,
            e.title,
            nothing,
            a.recommendation_id,
            a.reference,
            nothing,
            e.review_state,
            e.reviewed_at,
            e.review_reason,
        )
        .join(Action.__table__, a.id == e.action_id)
        .join(Recommendation.__table__, r.id == a.recommendation_id)
        .where(
            r.plan_id == bindparam("plan_id"),
            e.added_at >= bindparam("cutoff", type_=UTCDateTime()),
            e.withdrawn_at.is_(None),  # withdrawn as a mistake: not news for councillors
        )
    )
    return union_all(updates, evidence).order_by(text("created_at"), text("id"))


@dataclass
class History:
    """A plan's progress updates by action (oldest first, by time then id, as state_at orders
    them), each recommendation's most recent progress note, and evidence added since the chosen
    meeting."""

    updates: dict[int, list[Update]]
    notes: dict[int, Note]
    evidence: list[EvidenceAdded]


def _history(plan_id: int, cutoff: datetime | None) -> History:
    """A plan's history (`History`) in one statement (not ORM objects with their authors)."""
    history = History({}, {}, [])
    by_action = history.updates
    latest: dict[int, Update] = {}
    rows = db.session.execute(_history_statement(), {"plan_id": plan_id, "cutoff": cutoff})
    for row in rows:
        if row[0] == "evidence":
            history.evidence.append(_evidence_added(row))
            continue
        update = Update._make(row[1:14])  # a slice of a row is a tuple: no list per row
        if (updates := by_action.get(update.action_id)) is None:
            by_action[update.action_id] = [update]
        else:
            updates.append(update)
        # A person's note, never "Evidence added: ..."; the newest (oldest first) wins.
        if update.note and update.event is None:
            latest[update.recommendation_id] = update
    history.notes = {
        rec_id: Note(f"{u.reference}: {u.note}", u.created_at, u.author)
        for rec_id, u in latest.items()
    }
    return history


def _evidence_added(row: Row) -> EvidenceAdded:
    """An evidence row of `_history_statement` (its own columns after the update's)."""
    evidence_id, action_id, added_at, title = row[1], row[2], row[3], row[9]
    return EvidenceAdded(evidence_id, title, added_at, action_id, *row[14:])


def _headline(rows: list[RecommendationRow]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in rows:
        for action, rag in zip(row.actions, row.action_rags, strict=True):
            if action.withdrawn_reason:
                continue
            counts["total"] += 1
            if action.status == ActionStatus.VERIFIED:
                counts["verified"] += 1
            elif action.status == ActionStatus.COMPLETED:
                counts["completed"] += 1
            elif rag.colour is Colour.RED:
                counts["overdue" if rag.kind is ActionRating.OVERDUE else "blocked"] += 1
            elif rag.colour is Colour.AMBER:
                counts["at_risk"] += 1
            else:
                counts["on_track"] += 1
    keys = ["total", "verified", "completed", "on_track", "at_risk", "overdue", "blocked"]
    return {key: counts[key] for key in keys}


def build_summary(
    plan: Plan | SummaryPlan,
    day: date,
    theme_id: int | None = None,
    colour: str | None = None,
    since: date | None = None,
    every_indicator: bool = True,
) -> PlanSummary:
    """`every_indicator=False` when the page shows only the indicators linked to the plan's
    recommendations (the summary page; the paper and the exports list them all)."""
    recs = [r for r in plan.recommendations if not r.withdrawn_reason]
    indicators = _all_indicators(recs, every_indicator)
    summaries = {s.indicator.id: s for s in latest_values_for(list(indicators.values()))}
    history = _history(plan.id, end_of(since) if since else None)
    rows = [_recommendation_row(rec, day, summaries, history.notes.get(rec.id)) for rec in recs]
    states = _rated_then(rows, history.updates, since) if since else {}
    rating = plan_rag([row.rag for row in rows])
    rows = _filtered(rows, theme_id, colour)
    themes = sorted({r.theme.id: r.theme for r in recs if r.theme}.values(), key=lambda t: t.name)
    summary = PlanSummary(
        plan=plan,
        day=day,
        rows=rows,
        headline=_headline(rows),
        rec_counts=dict(Counter(row.rag.colour.value for row in rows)),
        rating=rating,
        themes=themes,
        since=since,
        indicators=sorted(summaries.values(), key=lambda s: s.indicator.code),
    )
    if since:
        summary.changes = changes_since(summary, history, since, states)
    return summary


def _rated_then(
    rows: list[RecommendationRow], updates: dict[int, list[Update]], since: date
) -> dict[int, ActionState]:
    """Each action's state on `since`; each row's rating then (`rag_then`) set on the way."""
    cutoff = end_of(since)
    states: dict[int, ActionState] = {}
    for row in rows:
        then = [
            state_at(a, updates.get(a.id, ()), since, cutoff, ordered=True) for a in row.actions
        ]
        states.update((a.id, state) for a, state in zip(row.actions, then, strict=True))
        row.rag_then = recommendation_rag(then, since, [_rated(a, since) for a in then])
    return states


def _all_indicators(
    recs: Sequence[Recommendation | SummaryRecommendation], every: bool = True
) -> dict[int, Indicator]:
    """The plan's indicators (as loaded with it), then (`every`) every other one: one
    statement."""
    indicators = {i.id: i for r in recs for i in r.indicators}
    if not every:
        return indicators
    for indicator in db.session.scalars(select(Indicator)):
        indicators.setdefault(indicator.id, indicator)
    return indicators


# Per process: an action's rating on a day, keyed by everything tracker.rag.action_rag reads
# (the action's status and due dates, and the day), so never stale. A summary rates each action
# twice (now and on the "since" day), hundreds of actions per request.
_action_ratings = LRU(maxsize=20000)


def _rated(action: RatedAction, day: date) -> Rag:
    key = (action.status, action.current_due_date, action.original_due_date, day)
    rating = _action_ratings.get(key)
    return rating if rating is not None else _action_ratings.put(key, action_rag(action, day))


def _recommendation_row(
    rec: Recommendation | SummaryRecommendation,
    day: date,
    summaries: dict[int, IndicatorSummary],
    latest_note: Note | None,
) -> RecommendationRow:
    rags = [_rated(a, day) for a in rec.actions]
    rec_indicators = [summaries[i.id] for i in rec.indicators]
    rag = recommendation_rag(rec.actions, day, rags)
    return RecommendationRow(
        rec=rec,
        rag=rag,
        actions=list(rec.actions),
        action_rags=rags,
        done=done_count(rec.actions),
        next_due=next_due(rec.actions),
        latest_note=latest_note,
        indicators=rec_indicators,
        impact=impact_statement(rec.actions, rec_indicators, rags),
        embedding=embedding(rag, rec.actions, rec_indicators),
    )


def _filtered(
    rows: list[RecommendationRow], theme_id: int | None, colour: str | None
) -> list[RecommendationRow]:
    if theme_id:
        rows = [row for row in rows if row.rec.theme_id == theme_id]
    if colour:
        rows = [row for row in rows if row.rag.colour.value == colour]
    return rows


@cache
def _values_before_statement() -> Select:
    """Built once per process (building the ranked subquery costs more than running it for a
    few indicators); `ids` and `before` are bound on each execution."""
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
        .where(
            IndicatorValue.indicator_id.in_(bindparam("ids", expanding=True)),
            IndicatorValue.period < bindparam("before"),
        )
        .subquery()
    )
    return (
        select(*[ranked.c[f.name] for f in fields(Figure)])
        .where(ranked.c.rank <= 3)
        .order_by(ranked.c.period.desc())
    )


def _values_before(indicator_ids: list[int], before: date) -> dict[tuple[int, str], list[Figure]]:
    """For each indicator and basis, its latest three figures for months before `before`, newest
    first, in one statement; read as plain rows (straight out of the ranked subquery, as
    `recent_values` does), not as ORM objects. None for no indicators."""
    if not indicator_ids:
        return {}
    rows = db.session.execute(_values_before_statement(), {"ids": indicator_ids, "before": before})
    grouped: dict[tuple[int, str], list[Figure]] = {}
    for row in rows:
        value = Figure(*row)
        grouped.setdefault((value.indicator_id, value.basis), []).append(value)
    return grouped


# Per process: an indicator's rating on the figures known before a month, keyed by everything
# it is worked out from (the indicator's revision key and the month), so never stale.
_ratings_before = LRU(maxsize=4000)


def _ratings_then(
    summaries: list[IndicatorSummary], month_start: date
) -> dict[int, IndicatorRating]:
    """Each indicator's rating on its latest figures for months before `month_start`. Worked out
    once per process and revision: the figures are read only for the indicators not worked out
    yet (no statement when there are none)."""
    keys = {s.indicator.id: HashedKey((s.revision_key, month_start)) for s in summaries}
    then = {
        s.indicator.id: _ratings_before.get(keys[s.indicator.id]) if s.revision_key else None
        for s in summaries
    }
    missing = [s for s in summaries if then[s.indicator.id] is None]
    values = _values_before([s.indicator.id for s in missing], month_start)
    for s in missing:
        series = values.get((s.indicator.id, s.indicator.basis), [])
        rating = rate_series(s.indicator, series, s.targets)
        then[s.indicator.id] = _ratings_before.put(keys[s.indicator.id], rating)
    return {i: rating for i, rating in then.items() if rating is not None}


def _indicator_changes(summary: PlanSummary, since: date) -> list[Change]:
    """Indicators whose rating now differs from their rating on the figures known at `since`.

    Figures for a month are published after it ends, so at a meeting the latest known figure is
    for a month before the meeting's month.
    """
    now = {s.indicator.id: s for row in summary.rows for s in row.indicators}
    ordered = sorted(now.values(), key=lambda s: s.indicator.code)
    ratings_then = _ratings_then(ordered, since.replace(day=1))
    changes = []
    for now_summary in ordered:
        indicator = now_summary.indicator
        then = ratings_then[indicator.id]
        current = now_summary.rating
        if then.value is None or current is None or current.value is None:
            continue
        if then.rag.colour is not current.rag.colour:
            changes.append(
                Change(
                    "indicator_rag",
                    current.value.period,
                    indicator_label(indicator),
                    f"{then.rag.label} ({then.value.period:%B %Y}) to "
                    f"{current.rag.label} ({current.value.period:%B %Y}). {current.rag.reason}.",
                    "indicator",
                    None,
                )
            )
    return changes


def evidence_change_text(evidence: "Evidence | Row | EvidenceAdded") -> str:
    """A piece of evidence as the committee reads it: its title, and its verdict if reviewed
    (rejected evidence must never read as if it counted)."""
    if evidence.review_state == ReviewState.REJECTED:
        when = f" on {local(evidence.reviewed_at):%-d %B %Y}" if evidence.reviewed_at else ""
        reason = f": {evidence.review_reason}" if evidence.review_reason else ""
        return f"{evidence.title} (rejected{when}{reason})"
    if evidence.review_state == ReviewState.ACCEPTED:
        return f"{evidence.title} (accepted)"
    return evidence.title


def changes_since(
    summary: PlanSummary,
    history: "History",
    since: date,
    states: dict[int, ActionState] | None = None,
) -> dict[str, list[Change]]:
    """`history`: the plan's updates and the evidence added since `since` (`_history`).
    `states`: the actions' states on `since` (tracker.committee.history.state_at), if the
    caller has worked them out already."""
    cutoff = end_of(since)
    updates = history.updates
    actions = {a.id: a for row in summary.rows for a in row.actions}
    completed, moved = _update_changes(actions, updates, cutoff)
    found: dict[str, list[Change]] = {
        "completed": completed,
        "overdue": _newly_overdue(summary, updates, since, states or {}),
        "moved": moved,
        "rag": _rag_changes(summary),
        "evidence": _evidence_changes(history.evidence, actions),
        "indicators": _indicator_changes(summary, since),
    }
    for items in found.values():
        items.sort(key=lambda c: (str(c.when), c.reference))
    return found


def _update_changes(
    actions: dict[int, Action | SummaryAction], updates: dict[int, list[Update]], cutoff: datetime
) -> tuple[list[Change], list[Change]]:
    """Actions completed, and due dates moved, by progress updates since the cutoff."""
    completed: list[Change] = []
    moved: list[Change] = []
    for action_id, action_updates in updates.items():
        action = actions.get(action_id)
        if action is None:
            continue
        for u in action_updates:
            if u.created_at < cutoff:
                continue
            if u.status_to in ("completed", "verified") and u.status_from != u.status_to:
                completed.append(_completed_change(action, u))
            if u.due_to and u.due_from != u.due_to:
                moved.append(_moved_change(action, u))
    return completed, moved


def _completed_change(action: Action | SummaryAction, u: Update) -> Change:
    return Change(
        "completed",
        u.created_at,
        action.reference,
        f"{(u.status_to or '').capitalize()}: {action.description}",
        "action",
        action.id,
    )


def _moved_change(action: Action | SummaryAction, u: Update) -> Change:
    reason = f" Reason given: {u.due_change_reason}" if u.due_change_reason else ""
    return Change(
        "moved",
        u.created_at,
        action.reference,
        f"Due date moved from {u.due_from:%-d %B %Y} to {u.due_to:%-d %B %Y}.{reason}",
        "action",
        action.id,
    )


def _newly_overdue(
    summary: PlanSummary,
    updates: dict[int, list[Update]],
    since: date,
    states: dict[int, ActionState],
) -> list[Change]:
    """Actions overdue now that were not overdue on `since`."""
    found: list[Change] = []
    for row in summary.rows:
        for action, rag in zip(row.actions, row.action_rags, strict=True):
            if rag.kind is not ActionRating.OVERDUE:
                continue
            then = states.get(action.id) or state_at(
                action, updates.get(action.id, ()), since, ordered=True
            )
            if _was_overdue(then, since):
                continue
            found.append(
                Change(
                    "overdue",
                    action.current_due_date,
                    action.reference,
                    f"{rag.reason}: {action.description}",
                    "action",
                    action.id,
                )
            )
    return found


def _was_overdue(then: ActionState, since: date) -> bool:
    return (
        then.current_due_date is not None
        and then.current_due_date < since
        and then.status not in ("completed", "verified")
    )


def _rag_changes(summary: PlanSummary) -> list[Change]:
    """Recommendations whose RAG colour differs from the one they had on the earlier day."""
    return [
        Change(
            "rag",
            summary.day,
            row.rec.reference,
            f"{row.rec.title}: {row.rag_then.label} to {row.rag.label}. {row.rag.reason}",
            "recommendation",
            row.rec.id,
        )
        for row in summary.rows
        if row.rag_then is not None and row.rag_then.colour is not row.rag.colour
    ]


def _evidence_changes(
    evidence: list[EvidenceAdded], actions: dict[int, Action | SummaryAction]
) -> list[Change]:
    """Evidence added since the chosen meeting and not withdrawn (read with the history)."""
    return [
        Change(
            "evidence",
            item.added_at,
            actions[item.action_id].reference,
            evidence_change_text(item),
            "action",
            item.action_id,
        )
        for item in evidence
        if item.action_id in actions
    ]
