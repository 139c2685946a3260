"""Figures published by the Department for Education, to compare the council's indicators with
its statistical neighbours and England (issue 19 item 5; docs/indicators.md "Benchmarks")."""

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model

from .indicators import Indicator


class PublishedFigure(Model):
    """One cell of a published local-authority-level file: a measure, a period, an area.

    A suppressed cell (c, x, z, low...) is kept with its code and no value: "not published",
    never 0."""

    __tablename__ = "published_figures"
    __table_args__ = (UniqueConstraint("measure", "time_period", "area_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(200))  # the column's heading, as published
    time_period: Mapped[str] = mapped_column(String(10))  # as published: 2015, 201415
    geographic_level: Mapped[str] = mapped_column(String(40))  # National, Local authority
    area_code: Mapped[str] = mapped_column(String(20))  # new_la_code, or the country's code
    area_name: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[str | None] = mapped_column(String(10))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300))  # the file it came from


class StatisticalNeighbour(Model):
    """A council's statistical neighbours, ranked 1 (nearest) to 10, as the DfE publishes them."""

    __tablename__ = "statistical_neighbours"
    __table_args__ = (UniqueConstraint("la_code", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    la_code: Mapped[str] = mapped_column(String(20), index=True)
    la_name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)
    neighbour_code: Mapped[str] = mapped_column(String(20))
    neighbour_name: Mapped[str] = mapped_column(String(200))


class BenchmarkMeasure(Model):
    """Which column of a publication an indicator is compared with, for which council."""

    __tablename__ = "benchmark_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), unique=True)
    measure: Mapped[str] = mapped_column(String(200))
    la_code: Mapped[str] = mapped_column(String(20))  # the council whose figures these are
    publication: Mapped[str] = mapped_column(String(300), default="")  # its title, for people

    indicator: Mapped[Indicator] = relationship()
