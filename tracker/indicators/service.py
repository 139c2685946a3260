"""Changing indicators, their targets, values and links: every change audited.

Callers wrap these in `with unit_of_work():`. Stale edits are refused: a form carries a
fingerprint of what the editor saw, and a save is refused if the record has changed since.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select

from tracker import audit
from tracker.extensions import db
from tracker.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueRevision,
    Recommendation,
    User,
    recommendation_indicators,
    utcnow,
)

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


class StaleEdit(Exception):
    """Someone else saved this record after the editor opened it."""


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

    def differs_from(self, existing: IndicatorValue) -> bool:
        return (
            abs(existing.value - self.value) > 1e-9
            or bool(existing.provisional) != self.provisional
            or (existing.data_quality_note or None) != self.data_quality_note
        )


def value_stamp(value: IndicatorValue) -> str:
    return fingerprint(value, (*VALUE_FIELDS, "updated_at"))


def existing_value(indicator_id: int, period: date, basis: str) -> IndicatorValue | None:
    query = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id,
        IndicatorValue.period == period,
        IndicatorValue.basis == basis,
    )
    return db.session.scalar(query)


def add_value(
    indicator: Indicator,
    period: date,
    basis: str,
    figure: Figure,
    user: User | None,
    source: str,
    audited: bool = True,
) -> IndicatorValue:
    """audited=False: the caller records one event for many values (an import)."""
    if existing_value(indicator.id, period, basis):
        raise Conflict(f"There is already a figure for {period:%B %Y}: change it instead")
    value = IndicatorValue(
        indicator_id=indicator.id,
        period=period,
        basis=basis,
        value=figure.value,
        provisional=figure.provisional,
        data_quality_note=figure.data_quality_note,
        quoted=False,
        source=source,
        updated_at=utcnow(),
        updated_by_id=user.id if user else None,
    )
    db.session.add(value)
    if not audited:
        return value
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
    audited: bool = True,
) -> bool:
    """Correct a figure, keeping the previous one as a revision. False if nothing differs."""
    if seen and seen != value_stamp(value):
        raise StaleEdit
    if not figure.differs_from(value):
        return False
    before = snapshot(value, VALUE_FIELDS)
    db.session.add(
        IndicatorValueRevision(
            indicator_value_id=value.id,
            previous_value=value.value,
            previous_provisional=value.provisional,
            previous_data_quality_note=value.data_quality_note,
            changed_at=utcnow(),
            changed_by_id=user.id if user else None,
        )
    )
    if abs(value.value - figure.value) > 1e-9:
        # A corrected figure is no longer the one the source document quoted.
        value.quoted = False
        value.source = source
    value.value = figure.value
    value.provisional = figure.provisional
    value.data_quality_note = figure.data_quality_note
    value.updated_at = utcnow()
    value.updated_by_id = user.id if user else None
    if not audited:
        return True
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
    if not result.rowcount:
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
