"""Importing indicator values from CSV against a raw bulk insert of the same rows.

The file holds a rolling 12-month figure for every generated indicator and month (500 x 120 =
60,000 rows at national scale), cut into files of the import's largest size (IMPORT_MAX_ROWS). The
import is the app's own (tracker.indicators.importing.plan_import then apply_import in one unit
of work per file, as `flask indicators import FILE` does). The baseline reads the same files
with the csv module and inserts the rows with one SQLAlchemy Core executemany per file.
Both run against the same database: the baseline's rows are deleted (and, on PostgreSQL, the
table vacuumed) before the import runs.
"""

import csv
import io
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bench.generate import Manifest

BASIS_WRITTEN = "Rolling 12 months"
BASIS_STORED = "rolling_12"


@dataclass
class ImportResult:
    rows: int
    files: int
    import_seconds: float
    raw_seconds: float

    @property
    def ratio(self) -> float:
        return self.import_seconds / self.raw_seconds


def write_files(manifest: Manifest, codes: list[str], folder: Path, max_rows: int) -> list[Path]:
    rng = random.Random(7)
    rows = [
        [code, month[:7], BASIS_WRITTEN, f"{rng.uniform(10, 95):.1f}", "no", ""]
        for code in codes
        for month in manifest.months
    ]
    header = ["Indicator code", "Period", "Basis", "Value", "Provisional", "Data quality note"]
    paths = []
    for n, start in enumerate(range(0, len(rows), max_rows), start=1):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows[start : start + max_rows])
        path = folder / f"rolling-12-figures-{n}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        paths.append(path)
    return paths


def raw_insert(engine, table, paths: list[Path], ids_by_code: dict[str, int], user_id) -> float:
    started = time.perf_counter()
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            now = datetime.now(UTC)
            rows = [
                {
                    "indicator_id": ids_by_code[row["Indicator code"]],
                    "period": date.fromisoformat(row["Period"] + "-01"),
                    "basis": BASIS_STORED,
                    "value": float(row["Value"]),
                    "provisional": row["Provisional"] == "yes",
                    "data_quality_note": row["Data quality note"] or None,
                    "quoted": False,
                    "source": f"Imported from {path.name}",
                    "updated_at": now,
                    "updated_by_id": user_id,
                }
                for row in reader
            ]
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
    return time.perf_counter() - started


def _forget_rows(engine, table, indicator_ids: list[int]) -> None:
    with engine.begin() as connection:
        connection.execute(
            table.delete().where(
                table.c.basis == BASIS_STORED, table.c.indicator_id.in_(indicator_ids)
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE indicator_values")


def app_import(paths: list[Path], user) -> tuple[float, int]:
    from tracker.indicators.importing import apply_import, plan_import
    from tracker.uow import unit_of_work

    started = time.perf_counter()
    added = 0
    for path in paths:
        plan = plan_import(path.read_bytes(), path.name)
        if plan.errors:
            raise RuntimeError(f"{path.name}: {plan.errors[:3]}")
        with unit_of_work():
            record = apply_import(plan, user)
        added += record.rows_added
    return time.perf_counter() - started, added


def bench_import(manifest: Manifest) -> ImportResult:
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.imports.limits import configured
    from tracker.models import Indicator, IndicatorValue, User

    app = create_app(
        "development", {"SQLALCHEMY_DATABASE_URI": manifest.url, "AS_AT_DATE": manifest.day}
    )
    table = IndicatorValue.__table__
    with app.app_context(), tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        generated = manifest.generated_indicator_ids
        ids_by_code = dict(
            db.session.execute(
                select(Indicator.code, Indicator.id).where(Indicator.id.in_(generated))
            ).all()
        )
        user = db.session.scalar(select(User).where(User.email == manifest.performance_email))
        max_rows = configured().max_rows
        paths = write_files(manifest, sorted(ids_by_code), Path(folder), max_rows)
        db.session.commit()
        raw_seconds = raw_insert(db.engine, table, paths, ids_by_code, user.id)
        _forget_rows(db.engine, table, generated)
        import_seconds, added = app_import(paths, user)
        stored = db.session.scalar(
            select(func.count(IndicatorValue.id)).where(
                IndicatorValue.basis == BASIS_STORED, IndicatorValue.indicator_id.in_(generated)
            )
        )
        expected = len(ids_by_code) * len(manifest.months)
        if not added == stored == expected:
            raise RuntimeError(f"import added {added}, stored {stored}, expected {expected}")
        db.session.remove()
        db.engine.dispose()
    return ImportResult(expected, len(paths), import_seconds, raw_seconds)
