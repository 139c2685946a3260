"""Changing indicators, their targets, values and links: every change audited.

Callers wrap these in `with unit_of_work():`. Stale edits are refused: a form carries a
fingerprint of what the editor saw, and a save is refused if the record has changed since.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.extensions import db, rows_matched
from tracker.indicators.parsing import check_month_has_happened
from tracker.models import (
    Basis,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Recommendation,
    RevisionChange,
    User,
    recommendation_indicators,
    utcnow,
)
from tracker.rules import StaleEdit

INDICATOR_FIELDS = (
    "code",
    "name",
    "description",
    "unit",
    "polarity",
    "basis",
    "decimals",
    "benchmark",
    "benchmark_label",
    "source",
    "owner_id",
)
TARGET_FIELDS = (
    "effective_from",
    "target",
    "amber_tolerance",
    "lower_bound",
    "upper_bound",
    "source",
)


class Conflict(Exception):
    """The change would duplicate something that exists (a code, a target date, a month)."""


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def snapshot(obj, fields) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def fingerprint(obj, fields) -> str:
    text = json.dumps(snapshot(obj, fields), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _check_fresh(obj, fields, seen: str | None) -> None:
    if seen and seen != fingerprint(obj, fields):
        raise StaleEdit


def _code_taken(code: str, except_id: int | None = None) -> bool:
    query = select(Indicator.id).where(Indicator.code == code)
    if except_id is not None:
        query = query.where(Indicator.id != except_id)
    return db.session.scalar(query) is not None


def create_indicator(data: dict) -> Indicator:
    if _code_taken(data["code"]):
        raise Conflict(f"An indicator with the code {data['code']} already exists")
    indicator = Indicator(**{name: data.get(name) for name in INDICATOR_FIELDS})
    db.session.add(indicator)
    audit.record("indicator.created", obj=indicator, after=snapshot(indicator, INDICATOR_FIELDS))
    return indicator


def update_indicator(indicator: Indicator, data: dict, seen: str | None) -> bool:
    _check_fresh(indicator, INDICATOR_FIELDS, seen)
    if _code_taken(data["code"], except_id=indicator.id):
        raise Conflict(f"An indicator with the code {data['code']} already exists")
    before = snapshot(indicator, INDICATOR_FIELDS)
    for name in INDICATOR_FIELDS:
        setattr(indicator, name, data.get(name))
    after = snapshot(indicator, INDICATOR_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record(
            "indicator.updated",
            obj=indicator,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return bool(changed)


def _target_on(indicator: Indicator, day: date, except_id: int | None = None):
    query = select(IndicatorTarget.id).where(
        IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.effective_from == day
    )
    if except_id is not None:
        query = query.where(IndicatorTarget.id != except_id)
    return db.session.scalar(query)


def add_target(indicator: Indicator, data: dict) -> IndicatorTarget:
    if _target_on(indicator, data["effective_from"]):
        raise Conflict(
            f"A target already takes effect from {data['effective_from']:%B %Y}: change that one"
        )
    target = IndicatorTarget(
        indicator_id=indicator.id, assumed=False, **{k: data.get(k) for k in TARGET_FIELDS}
    )
    db.session.add(target)
    audit.record(
        "indicator_target.added",
        obj=target,
        after={"indicator": indicator.code, **snapshot(target, TARGET_FIELDS)},
    )
    return target


def update_target(target: IndicatorTarget, data: dict, seen: str | None) -> bool:
    _check_fresh(target, TARGET_FIELDS, seen)
    if _target_on(target.indicator, data["effective_from"], except_id=target.id):
        raise Conflict(
            f"A target already takes effect from {data['effective_from']:%B %Y}: change that one"
        )
    before = snapshot(target, TARGET_FIELDS)
    for name in TARGET_FIELDS:
        setattr(target, name, data.get(name))
    after = snapshot(target, TARGET_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        target.assumed = False
        audit.record(
            "indicator_target.updated",
            obj=target,
            before={"indicator": target.indicator.code, **{k: before[k] for k in changed}},
            after={"indicator": target.indicator.code, **changed},
        )
    return bool(changed)


VALUE_FIELDS = ("value", "provisional", "data_quality_note")


@dataclass(frozen=True)
class Figure:
    """What someone says a month's figure is."""

    value: float
    provisional: bool
    data_quality_note: str | None

    def differs_from(self, existing: "IndicatorValue | StoredValue") -> bool:
        return (
            abs(existing.value - self.value) > 1e-9
            or bool(existing.provisional) != self.provisional
            or (existing.data_quality_note or None) != self.data_quality_note
        )


class StoredValue(NamedTuple):
    """A saved figure as read by an import, for comparing with the file and correcting in bulk."""

    id: int
    value: float
    provisional: bool
    data_quality_note: str | None
    quoted: bool
    source: str


def value_stamp(value: IndicatorValue) -> str:
    return fingerprint(value, (*VALUE_FIELDS, "updated_at"))


def existing_value(indicator_id: int, period: date, basis: str) -> IndicatorValue | None:
    query = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id,
        IndicatorValue.period == period,
        IndicatorValue.basis == basis,
    )
    return db.session.scalar(query)


def _new_value_columns(
    indicator_id: int,
    period: date,
    basis: str,
    figure: Figure,
    user: User | None,
    source: str,
    now: datetime,
) -> dict:
    return {
        "indicator_id": indicator_id,
        "period": period,
        "basis": basis,
        "value": figure.value,
        "provisional": figure.provisional,
        "data_quality_note": figure.data_quality_note,
        "quoted": False,
        "source": source,
        "updated_at": now,
        "updated_by_id": user.id if user else None,
    }


def _corrected_columns(
    stored: IndicatorValue | StoredValue,
    figure: Figure,
    user: User | None,
    source: str,
    now: datetime,
) -> dict:
    figure_changed = abs(stored.value - figure.value) > 1e-9
    return {
        "value": figure.value,
        "provisional": figure.provisional,
        "data_quality_note": figure.data_quality_note,
        # A corrected figure is no longer the one the source document quoted.
        "quoted": stored.quoted and not figure_changed,
        "source": source if figure_changed else stored.source,
        "updated_at": now,
        "updated_by_id": user.id if user else None,
    }


def _revision_columns(
    stored: IndicatorValue | StoredValue, user: User | None, now: datetime
) -> dict:
    return {
        "indicator_value_id": stored.id,
        "previous_value": stored.value,
        "previous_provisional": stored.provisional,
        "previous_data_quality_note": stored.data_quality_note,
        "changed_at": now,
        "changed_by_id": user.id if user else None,
    }


def add_value(
    indicator: Indicator,
    period: date,
    basis: str,
    figure: Figure,
    user: User | None,
    source: str,
) -> IndicatorValue:
    check_month_has_happened(period)
    if existing_value(indicator.id, period, basis):
        raise Conflict(f"There is already a figure for {period:%B %Y}: change it instead")
    columns = _new_value_columns(indicator.id, period, basis, figure, user, source, utcnow())
    value = IndicatorValue(**columns)
    db.session.add(value)
    audit.record(
        "indicator_value.added",
        obj=value,
        actor=user,
        after={"indicator": indicator.code, "period": f"{period:%Y-%m}", "basis": basis}
        | snapshot(value, VALUE_FIELDS),
    )
    return value


def change_value(
    value: IndicatorValue,
    figure: Figure,
    user: User | None,
    source: str,
    seen: str | None = None,
) -> bool:
    """Correct a figure, keeping the previous one as a revision. False if nothing differs."""
    if seen and seen != value_stamp(value):
        raise StaleEdit
    if not figure.differs_from(value):
        return False
    before = snapshot(value, VALUE_FIELDS)
    now = utcnow()
    db.session.add(IndicatorValueRevision(**_revision_columns(value, user, now)))
    for name, new in _corrected_columns(value, figure, user, source, now).items():
        setattr(value, name, new)
    key = {
        "indicator": value.indicator.code,
        "period": f"{value.period:%Y-%m}",
        "basis": value.basis,
    }
    audit.record(
        "indicator_value.changed",
        obj=value,
        actor=user,
        before=key | before,
        after=key | snapshot(value, VALUE_FIELDS),
    )
    return True


def _kept_as_revision(value: IndicatorValue, user: User | None, change: str, reason: str):
    return IndicatorValueRevision(
        **_revision_columns(value, user, utcnow()),
        change=change,
        reason=reason,
        previous_period=value.period,
        indicator_id=value.indicator_id,
        basis=value.basis,
    )


def _value_key(value: IndicatorValue) -> dict:
    return {
        "indicator": value.indicator.code,
        "period": f"{value.period:%Y-%m}",
        "basis": value.basis,
    }


def move_value(
    value: IndicatorValue, period: date, user: User | None, reason: str, seen: str | None = None
) -> None:
    """Say the figure is for another month (it was recorded against the wrong one). The move is
    kept as a revision with its reason; ratings and trends follow, as they read the figures."""
    if seen and seen != value_stamp(value):
        raise StaleEdit
    check_month_has_happened(period)
    if period == value.period:
        raise Conflict(f"The figure is already for {period:%B %Y}")
    taken = existing_value(value.indicator_id, period, value.basis)
    if taken is not None:
        raise Conflict(
            f"There is already a {Basis(value.basis).label.lower()} figure for {period:%B %Y}: "
            "correct or delete that one first"
        )
    before = _value_key(value)
    db.session.add(_kept_as_revision(value, user, RevisionChange.MOVED, reason))
    value.period = period
    value.updated_at = utcnow()
    value.updated_by_id = user.id if user else None
    audit.record(
        "indicator_value.moved",
        obj=value,
        actor=user,
        before=before,
        after=_value_key(value) | {"reason": reason},
    )


def delete_value(
    value: IndicatorValue, user: User | None, reason: str, seen: str | None = None
) -> None:
    """Take a figure out (it should never have been recorded). It is kept, with its earlier
    revisions, in indicator_value_revisions with the reason; the indicator page lists it."""
    if seen and seen != value_stamp(value):
        raise StaleEdit
    before = _value_key(value) | snapshot(value, VALUE_FIELDS)
    db.session.add(_kept_as_revision(value, user, RevisionChange.DELETED, reason))
    db.session.flush()
    for revision in db.session.scalars(
        select(IndicatorValueRevision).where(IndicatorValueRevision.indicator_value_id == value.id)
    ):
        revision.indicator_id = value.indicator_id
        revision.basis = revision.basis or value.basis
        revision.previous_period = revision.previous_period or value.period
        revision.indicator_value_id = None
    audit.record(
        "indicator_value.deleted", obj=value, actor=user, before=before, after={"reason": reason}
    )
    db.session.delete(value)


class NewFigure(NamedTuple):
    indicator_id: int
    period: date
    basis: str
    figure: Figure


def add_values(new: list[NewFigure], user: User | None, source: str) -> None:
    """Save many new figures with one bulk INSERT (an import, whose caller audits them all).

    Conflict if any of them was saved by someone else since the caller looked.
    """
    if not new:
        return
    now = utcnow()
    rows = [
        _new_value_columns(n.indicator_id, n.period, n.basis, n.figure, user, source, now)
        for n in new
    ]
    try:
        db.session.execute(insert(IndicatorValue.__table__), rows)
    except IntegrityError as error:
        raise Conflict(
            "Someone else saved a figure for one of these months after they were checked"
        ) from error


def correct_values(
    corrections: list[tuple[StoredValue, Figure]], user: User | None, source: str
) -> None:
    """Correct many figures with one bulk UPDATE, each previous figure kept as a revision (an
    import, whose caller audits them all). Each stored figure must be as the caller read it:
    Conflict if someone else changed one meanwhile.
    """
    if not corrections:
        return
    now = utcnow()
    db.session.execute(
        insert(IndicatorValueRevision.__table__),
        [_revision_columns(stored, user, now) for stored, _ in corrections],
    )
    table = IndicatorValue.__table__
    # Only where the row still holds the figure that was read: one changed meanwhile (whose
    # revision above would then be wrong) leaves the row count short.
    statement = update(table).where(
        table.c.id == bindparam("read_id"),
        table.c.value == bindparam("read_value"),
        table.c.provisional == bindparam("read_provisional"),
        table.c.data_quality_note.is_not_distinct_from(bindparam("read_note")),
    )
    rows = [
        _corrected_columns(stored, figure, user, source, now)
        | {
            "read_id": stored.id,
            "read_value": stored.value,
            "read_provisional": stored.provisional,
            "read_note": stored.data_quality_note,
        }
        for stored, figure in corrections
    ]
    if rows_matched(db.session.execute(statement, rows)) != len(rows):
        raise Conflict("Someone else changed one of these figures after they were checked")


def is_linked(indicator: Indicator, recommendation: Recommendation) -> bool:
    query = select(recommendation_indicators.c.indicator_id).where(
        recommendation_indicators.c.indicator_id == indicator.id,
        recommendation_indicators.c.recommendation_id == recommendation.id,
    )
    return db.session.scalar(query) is not None


def link(indicator: Indicator, recommendation: Recommendation, rationale: str | None) -> None:
    if is_linked(indicator, recommendation):
        raise Conflict(f"{indicator.code} is already linked to {recommendation.reference}")
    db.session.execute(
        insert(recommendation_indicators).values(
            recommendation_id=recommendation.id, indicator_id=indicator.id, rationale=rationale
        )
    )
    audit.record(
        "indicator.linked",
        obj=indicator,
        after={
            "recommendation_id": recommendation.id,
            "recommendation": recommendation.reference,
            "rationale": rationale,
        },
    )


def unlink(indicator: Indicator, recommendation: Recommendation) -> bool:
    rationale = db.session.scalar(
        select(recommendation_indicators.c.rationale).where(
            recommendation_indicators.c.indicator_id == indicator.id,
            recommendation_indicators.c.recommendation_id == recommendation.id,
        )
    )
    result = db.session.execute(
        delete(recommendation_indicators).where(
            recommendation_indicators.c.indicator_id == indicator.id,
            recommendation_indicators.c.recommendation_id == recommendation.id,
        )
    )
    if not rows_matched(result):
        return False
    audit.record(
        "indicator.unlinked",
        obj=indicator,
        before={
            "recommendation_id": recommendation.id,
            "recommendation": recommendation.reference,
            "rationale": rationale,
        },
    )
    return True
