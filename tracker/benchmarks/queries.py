"""Read queries for the benchmark import pages."""

from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import BenchmarkMeasure, StatisticalNeighbour


def measures() -> list[BenchmarkMeasure]:
    query = select(BenchmarkMeasure).options(joinedload(BenchmarkMeasure.indicator))
    return list(db.session.scalars(query))


def councils() -> list[Row[str, str]]:
    """Every council named in the statistical neighbours, as (name, code), sorted."""
    query = select(StatisticalNeighbour.la_name, StatisticalNeighbour.la_code).distinct()
    return sorted(db.session.execute(query).all())
