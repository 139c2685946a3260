"""Embedded, the last step of closure. See docs/rag.md ("Embedded").

A recommendation whose actions are all verified is *embedded* once every linked indicator that
can be judged has held its target for `EMBEDDED_MONTHS` consecutive months. Until then the words
say what is still needed; once embedded, an indicator falling back is flagged, never silently
dropped. Worked out from the figures and the actions' verification dates: nothing is stored.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context

from tracker.indicators.rag import is_caveated, stops_short, target_in_force, value_rag
from tracker.rag import Colour, Rag

DEFAULT_MONTHS = 3
# How many figures per indicator the pages read (latest_values_for): the memory of embedding.
FIGURES_READ = 12


class State:
    EMBEDDED = "embedded"
    NOT_YET = "not_yet"
    FELL_BACK = "fell_back"
    NOT_JUDGED = "not_judged"


TAGS = {
    State.EMBEDDED: ("Embedded", "turquoise"),
    State.NOT_YET: ("Not yet embedded", "light-blue"),
    State.FELL_BACK: ("Fallen back", "pink"),
    State.NOT_JUDGED: ("Embedding not judged", "grey"),
}


@dataclass(frozen=True)
class Embedding:
    state: str
    text: str
    since: date | None = None  # the month it became embedded (for embedded and fell back)

    @property
    def label(self) -> str:
        return TAGS[self.state][0]

    @property
    def colour(self) -> str:
        return TAGS[self.state][1]


def embedded_months() -> int:
    if has_app_context():
        return int(current_app.config.get("EMBEDDED_MONTHS", DEFAULT_MONTHS))
    return DEFAULT_MONTHS


def _index(period: date) -> int:
    return period.year * 12 + period.month - 1


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _on_target(indicator, value, targets) -> bool:
    if is_caveated(value):
        return False
    target = target_in_force(targets, value.period)
    if target is None:
        return False
    return value_rag(indicator, value.value, target, value.basis).colour is Colour.GREEN


class _Series:
    """One judged indicator's figures on its rated basis, by month, with whether each is on
    target."""

    def __init__(self, summary):
        self.summary = summary
        self.label = summary.indicator.label
        self.on = {
            _index(v.period): _on_target(summary.indicator, v, summary.targets)
            for v in summary.judged
        }

    def latest_at(self, month: int) -> int | None:
        known = [m for m in self.on if m <= month]
        return max(known) if known else None

    def streak_at(self, month: int) -> int:
        """Consecutive months on target ending at the latest figure for `month` or before."""
        latest = self.latest_at(month)
        count = 0
        while latest is not None and self.on.get(latest - count):
            count += 1
        return count

    def off_since(self, month: int) -> str | None:
        """Since when the figures have been off target, up to the latest one: "May 2016", or
        "February 2015 or earlier" when the run goes back past the figures read."""
        latest = self.latest_at(month)
        if latest is None or self.on[latest]:
            return None
        first = latest
        while self.on.get(first - 1) is False:
            first -= 1
        earlier = first == min(self.on) and len(self.on) >= FIGURES_READ
        return f"{_month(first):%B %Y}{' or earlier' if earlier else ''}"


def _judged(indicator_summaries) -> tuple[list[_Series], list[str]]:
    """The indicators embedding is judged on, and why each other one is not."""
    judged, left_out = [], []
    for s in indicator_summaries:
        latest = s.latest
        if latest is None:
            left_out.append(f"{s.indicator.label}: no figures yet")
        elif is_caveated(latest):
            left_out.append(f"{s.indicator.label}: {stops_short(latest)}")
        elif target_in_force(s.targets, latest.period) is None:
            left_out.append(f"{s.indicator.label}: no target set")
        else:
            judged.append(_Series(s))
    return judged, left_out


def _verified_month(actions) -> int | None:
    """The month the last live action was verified; None if any date is not recorded."""
    days = [a.verified_on for a in actions if not a.withdrawn_reason]
    if not days or any(d is None for d in days):
        return None
    return _index(max(days))


def _timeline(series: list[_Series], verified: int | None, n: int) -> list[tuple[int, bool]]:
    """Each month from the first figure to now, and whether the recommendation was embedded
    then: its actions verified by that month and every judged indicator on target for the last
    `n` months."""
    months = {m for s in series for m in s.on}
    if verified is not None:
        months.add(verified)
    first, last = min(months), max(months)
    return [
        (
            m,
            (verified is None or verified <= m) and all(s.streak_at(m) >= n for s in series),
        )
        for m in range(first, last + 1)
    ]


def _run_start(timeline: list[tuple[int, bool]]) -> int | None:
    """The first month of the latest run of embedded months, if there was one."""
    start = None
    for month, embedded in reversed(timeline):
        if embedded:
            start = month
        elif start is not None:
            break
    return start


def _and(labels: list[str]) -> str:
    """ "A", "A and B", "A, B and C": as a sentence names them."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _not_judged_text(left_out: list[str]) -> str:
    why = f" ({'; '.join(left_out)})" if left_out else " (no indicator linked)"
    return f"All actions verified; no indicator to judge embedding{why}"


def _needed(series: list[_Series], now: int, n: int, again: bool = False) -> str:
    """What each judged indicator short of `n` months on target still needs."""
    parts = []
    for s in series:
        streak = s.streak_at(now)
        if streak >= n:
            continue
        off = s.off_since(now)
        if off is not None:
            parts.append(f"{s.label} off target since {off}")
        else:
            back = "back " if again else ""
            parts.append(f"{s.label} {back}on target {streak} of {n} months")
    return "; ".join(parts)


def embedding(rag: Rag, actions, indicator_summaries, months: int | None = None):
    """The embedding state of a recommendation rated `rag`; None unless every live action is
    verified (Complete)."""
    if rag.colour is not Colour.BLUE:
        return None
    n = months or embedded_months()
    series, left_out = _judged(indicator_summaries)
    if not series:
        return Embedding(State.NOT_JUDGED, _not_judged_text(left_out))
    timeline = _timeline(series, _verified_month(actions), n)
    now, embedded_now = timeline[-1]
    since = _run_start(timeline)
    not_judged = f"; not judged: {'; '.join(left_out)}" if left_out else ""
    if embedded_now:
        assert since is not None  # a run of months that embeds has a first month
        names = _and([s.label for s in series])
        return Embedding(
            State.EMBEDDED,
            f"Since {_month(since):%B %Y}: all actions verified and {names} on target "
            f"for {n} consecutive months{not_judged}",
            _month(since),
        )
    if since is not None:
        return Embedding(
            State.FELL_BACK,
            f"Embedded in {_month(since):%B %Y}, but "
            f"{_needed(series, now, n, again=True)}{not_judged}",
            _month(since),
        )
    return Embedding(State.NOT_YET, f"All actions verified; {_needed(series, now, n)}{not_judged}")


def embeddings_for(recommendations_and_ratings) -> dict[int, Embedding]:
    """The embedding of each complete recommendation among (recommendation, rating) pairs, by
    recommendation id, with the figures of their linked indicators in two statements (none when
    no recommendation is complete)."""
    from tracker.indicators.queries import latest_values_for

    complete = [(rec, rag) for rec, rag in recommendations_and_ratings if rag.colour is Colour.BLUE]
    indicators = {i.id: i for rec, _ in complete for i in rec.indicators}
    summaries = {s.indicator.id: s for s in latest_values_for(list(indicators.values()))}
    return {
        rec.id: embedding(rag, rec.actions, [summaries[i.id] for i in rec.indicators])
        for rec, rag in complete
    }
