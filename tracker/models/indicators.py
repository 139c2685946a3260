"""Performance indicators, their targets over time and their monthly values."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model, db

from .plans import Recommendation
from .types import UTCDateTime, utcnow
from .users import User


class Unit(StrEnum):
    PERCENTAGE = "percentage"
    RATE_PER_10000 = "rate_per_10000"
    COUNT = "count"
    WEEKS = "weeks"
    FTE = "fte"


class Polarity(StrEnum):
    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    WITHIN_RANGE = "within_range"


class Basis(StrEnum):
    MONTH = "month"
    ROLLING_12 = "rolling_12"
    YTD = "ytd"

    @property
    def label(self) -> str:
        return BASIS_LABELS[self]


BASIS_LABELS = {
    Basis.MONTH: "Month",
    Basis.ROLLING_12: "Rolling 12 months",
    Basis.YTD: "Year to date",
}


recommendation_indicators = Table(
    "recommendation_indicators",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id"), primary_key=True, index=True),
    Column("rationale", Text, nullable=True),
)


class Indicator(Model):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(
            "unit IN ('percentage', 'rate_per_10000', 'count', 'weeks', 'fte')", name="unit_known"
        ),
        CheckConstraint(
            "polarity IN ('higher_better', 'lower_better', 'within_range')",
            name="polarity_known",
        ),
        CheckConstraint("basis IN ('month', 'rolling_12', 'ytd')", name="basis_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    polarity: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20), default=Basis.MONTH)
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    benchmark: Mapped[float | None] = mapped_column(Float)
    benchmark_label: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300), default="")
    chart_reference: Mapped[str | None] = mapped_column(String(50))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner: Mapped[User | None] = relationship()
    targets: Mapped[list["IndicatorTarget"]] = relationship(
        back_populates="indicator", order_by="IndicatorTarget.effective_from"
    )
    values: Mapped[list["IndicatorValue"]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.period"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=recommendation_indicators,
        back_populates="indicators",
        order_by="Recommendation.reference",
    )

    @property
    def label(self) -> str:
        """How a sentence names an indicator: "Single assessments within 42 days (CSC-05)"."""
        return f"{self.name} ({self.code})"


class IndicatorTarget(Model):
    """A target, with the date it took effect; the one in force for a month is the latest."""

    __tablename__ = "indicator_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    target: Mapped[float | None] = mapped_column(Float)
    amber_tolerance: Mapped[float] = mapped_column(Float, default=0)
    lower_bound: Mapped[float | None] = mapped_column(Float)
    upper_bound: Mapped[float | None] = mapped_column(Float)
    assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300), default="")

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorValue(Model):
    """One figure for one month on one basis (the month itself, rolling 12 months, year to date)."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", "basis"),
        CheckConstraint("basis IN ('month', 'rolling_12', 'ytd')", name="basis_known"),
        # The revision of an indicator's figures (tracker/indicators/queries.py) reads its
        # newest change and its newest figure from these indexes alone, one entry each, on every
        # page showing the indicator.
        Index("ix_indicator_values_indicator_id_updated_at", "indicator_id", "updated_at"),
        Index("ix_indicator_values_indicator_id_id", "indicator_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    period: Mapped[date] = mapped_column(Date)  # first day of the month
    basis: Mapped[str] = mapped_column(String(20), default=Basis.MONTH)
    value: Mapped[float] = mapped_column(Float)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    data_quality_note: Mapped[str | None] = mapped_column(Text)
    quoted: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    revisions: Mapped[list["IndicatorValueRevision"]] = relationship(
        back_populates="indicator_value", order_by="IndicatorValueRevision.changed_at"
    )


class RevisionChange(StrEnum):
    CORRECTED = "corrected"  # the figure, provisional flag or note changed
    MOVED = "moved"  # the figure was for another month (previous_period)
    DELETED = "deleted"  # the figure should not have been recorded at all


class IndicatorValueRevision(Model):
    """The figure as it was before it was corrected, moved to another month or deleted.

    A deleted figure's revisions outlive it (indicator_value_id is then None): indicator_id,
    basis and previous_period say which figure it was."""

    __tablename__ = "indicator_value_revisions"
    __table_args__ = (
        CheckConstraint("change IN ('corrected', 'moved', 'deleted')", name="change_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_value_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_values.id"), index=True
    )
    previous_value: Mapped[float] = mapped_column(Float)
    previous_provisional: Mapped[bool] = mapped_column(Boolean)
    previous_data_quality_note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change: Mapped[str] = mapped_column(
        String(10), default=RevisionChange.CORRECTED, server_default=RevisionChange.CORRECTED.value
    )
    reason: Mapped[str | None] = mapped_column(Text)
    previous_period: Mapped[date | None] = mapped_column(Date)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    basis: Mapped[str | None] = mapped_column(String(20))

    indicator_value: Mapped[IndicatorValue | None] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()
