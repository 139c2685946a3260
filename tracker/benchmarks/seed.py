"""Load the demo's published statistics through the same importers a person uses: the
statistical-neighbour list, then the figures. Loading again changes nothing."""

from pathlib import Path

from sqlalchemy import select

from tracker.benchmarks import importing
from tracker.extensions import db
from tracker.models import BenchmarkMeasure, Indicator
from tracker.seeding.files import read_csv

FILES = (
    ("dfe-statistical-neighbours.csv", importing.NEIGHBOURS_KIND),
    ("dfe-children-looked-after-rates.csv", importing.FIGURES_KIND),
)


def load_benchmarks(report, indicators: dict[str, Indicator], seed_dir: Path) -> None:
    if not (seed_dir / "benchmark_measures.csv").exists():
        return
    for row in read_csv("benchmark_measures.csv", seed_dir):
        indicator = indicators[row["code"]]
        if db.session.scalar(select(BenchmarkMeasure).filter_by(indicator_id=indicator.id)):
            continue
        db.session.add(
            BenchmarkMeasure(
                indicator_id=indicator.id,
                measure=row["measure"],
                la_code=row["la_code"],
                publication=row["publication"],
            )
        )
        db.session.flush()
        report.add("benchmark_measures")
    for name, kind in FILES:
        plan = importing.plan_file(kind, (seed_dir / name).read_bytes(), name)
        if plan.errors:
            raise ValueError(f"seed/{name}: " + "; ".join(map(str, plan.errors)))
        if plan.changes_anything:
            importing.APPLIERS[kind](plan, None, record=False)
            db.session.flush()
            report.add(plan.kind, len(plan.to_add) + len(plan.to_change))
