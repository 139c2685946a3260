"""Load the demo plan from seed/ into the database. Running it again changes nothing.

Each row is looked up by its natural key (email, plan title, reference, indicator code, period)
and only inserted when missing, so a second run finds everything already there.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import insert, select

from tracker.auth.passwords import hash_password
from tracker.benchmarks.seed import load_benchmarks
from tracker.extensions import db
from tracker.inspections.seed import load_inspections
from tracker.models import (
    Action,
    CommitteeMeeting,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Plan,
    ProgressUpdate,
    Recommendation,
    Theme,
    User,
    recommendation_indicators,
    utcnow,
)
from tracker.seeding.files import (
    SEED_DIR,
    as_bool,
    as_date,
    as_float,
    as_month,
    read_csv,
    read_toml,
)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _get_or_create(model, lookup: dict, values: dict, report: SeedReport):
    found = db.session.scalar(select(model).filter_by(**lookup))
    if found is not None:
        return found
    obj = model(**lookup, **values)
    db.session.add(obj)
    db.session.flush()
    report.add(model.__tablename__)
    return obj


def load_people(report: SeedReport, demo_password: str | None, seed_dir: Path) -> dict[str, User]:
    """Demo accounts, keyed by job title (the seed files name owners by job title)."""
    by_title: dict[str, User] = {}
    password_hash = hash_password(demo_password) if demo_password else None
    for row in read_csv("people.csv", seed_dir):
        user = _get_or_create(
            User,
            {"email": row["email"].lower()},
            {
                "name": row["name"],
                "job_title": row["job_title"],
                "role": row["role"],
                "password_hash": password_hash,
                "is_demo": True,
            },
            report,
        )
        by_title[row["job_title"]] = user
    return by_title


def load_plan(report: SeedReport, people: dict[str, User], seed_dir: Path) -> Plan:
    data = read_toml("plan.toml", seed_dir)
    lead = people.get(data.get("lead_job_title", ""))
    plan = _get_or_create(
        Plan,
        {"title": data["title"]},
        {
            "inspectorate": data["inspectorate"],
            "inspection_type": data.get("inspection_type", ""),
            "published_on": data.get("published_on"),
            "status": data.get("status", "active"),
            "lead_id": lead.id if lead else None,
            "source": data.get("source", ""),
        },
        report,
    )
    for meeting in data.get("meetings", []):
        _get_or_create(
            CommitteeMeeting,
            {"plan_id": plan.id, "meeting_on": meeting["meeting_on"]},
            {"title": meeting["title"], "date_assumed": bool(meeting.get("assumed", False))},
            report,
        )
    return plan


def load_recommendations(
    report: SeedReport, plan: Plan, people: dict[str, User], seed_dir: Path
) -> dict[str, Recommendation]:
    recs: dict[str, Recommendation] = {}
    for position, row in enumerate(read_csv("recommendations.csv", seed_dir), start=1):
        theme = _get_or_create(Theme, {"name": row["theme"]}, {}, report) if row["theme"] else None
        lead = people.get(row["lead_job_title"])
        recs[row["reference"]] = _get_or_create(
            Recommendation,
            {"plan_id": plan.id, "reference": row["reference"]},
            {
                "position": position,
                "title": row["title"],
                "text": row["text"],
                "theme_id": theme.id if theme else None,
                "lead_id": lead.id if lead else None,
                "target_date": as_date(row["target_date"]),
                "target_date_assumed": as_bool(row["target_date_assumed"]),
                "source": row["source"],
            },
            report,
        )
    return recs


def _note_time(day) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def load_actions(
    report: SeedReport,
    recs: dict[str, Recommendation],
    people: dict[str, User],
    seed_dir: Path,
) -> None:
    positions: dict[str, int] = {}
    for row in read_csv("actions.csv", seed_dir):
        rec = recs[row["recommendation"]]
        positions[rec.reference] = positions.get(rec.reference, 0) + 1
        owner = people.get(row["owner_job_title"])
        note_date = as_date(row["note_date"])
        existing = db.session.scalar(
            select(Action).filter_by(recommendation_id=rec.id, reference=row["reference"])
        )
        if existing is not None:
            continue
        action = Action(
            recommendation_id=rec.id,
            reference=row["reference"],
            position=positions[rec.reference],
            description=row["description"],
            owner_id=owner.id if owner else None,
            original_due_date=as_date(row["original_due_date"]),
            current_due_date=as_date(row["current_due_date"]) or as_date(row["original_due_date"]),
            due_date_assumed=as_bool(row["due_date_assumed"]),
            status=row["status"],
            completed_on=as_date(row["completed_on"]),
            source=row["source"],
            updated_at=_note_time(note_date) if note_date else utcnow(),
            updated_by_id=owner.id if owner else None,
        )
        db.session.add(action)
        db.session.flush()
        report.add("actions")
        if row["progress_note"]:
            moved = action.current_due_date != action.original_due_date
            db.session.add(
                ProgressUpdate(
                    action_id=action.id,
                    author_id=owner.id if owner else None,
                    created_at=_note_time(note_date) if note_date else utcnow(),
                    status_from=None,
                    status_to=action.status,
                    note=row["progress_note"],
                    due_from=action.original_due_date if moved else None,
                    due_to=action.current_due_date if moved else None,
                    due_change_reason=row["progress_note"] if moved else None,
                )
            )
            report.add("progress_updates")


def load_indicators(
    report: SeedReport, people: dict[str, User], seed_dir: Path
) -> dict[str, Indicator]:
    indicators: dict[str, Indicator] = {}
    for row in read_csv("indicators.csv", seed_dir):
        owner = people.get(row["owner_job_title"])
        indicators[row["code"]] = _get_or_create(
            Indicator,
            {"code": row["code"]},
            {
                "name": row["name"],
                "description": row["description"],
                "unit": row["unit"],
                "polarity": row["polarity"],
                "basis": row["basis"],
                "decimals": int(row["decimals"] or 1),
                "benchmark": as_float(row["benchmark"]),
                "benchmark_label": row["benchmark_label"] or None,
                "source": row["source"],
                "chart_reference": f"Chart {row['chart']}" if row["chart"] else None,
                "owner_id": owner.id if owner else None,
            },
            report,
        )
    for row in read_csv("indicator_targets.csv", seed_dir):
        _get_or_create(
            IndicatorTarget,
            {
                "indicator_id": indicators[row["code"]].id,
                "effective_from": as_date(row["effective_from"]),
            },
            {
                "target": as_float(row["target"]),
                "amber_tolerance": as_float(row["amber_tolerance"]) or 0,
                "lower_bound": as_float(row["lower_bound"]),
                "upper_bound": as_float(row["upper_bound"]),
                "assumed": as_bool(row["assumed"]),
                "source": row["source"],
            },
            report,
        )
    existing = {
        (ind_id, period, basis)
        for ind_id, period, basis in db.session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.period, IndicatorValue.basis)
        )
    }
    for row in read_csv("indicator_values.csv", seed_dir):
        key = (indicators[row["code"]].id, as_month(row["period"]), row["basis"])
        if key in existing:
            continue
        existing.add(key)
        db.session.add(
            IndicatorValue(
                indicator_id=key[0],
                period=key[1],
                basis=key[2],
                value=float(row["value"]),
                provisional=as_bool(row["provisional"]),
                data_quality_note=row["data_quality_note"] or None,
                quoted=as_bool(row["quoted"]),
                source=row["source"],
            )
        )
        report.add("indicator_values")
    return indicators


def load_links(
    report: SeedReport,
    recs: dict[str, Recommendation],
    indicators: dict[str, Indicator],
    seed_dir: Path,
) -> None:
    linked = select(
        recommendation_indicators.c.recommendation_id, recommendation_indicators.c.indicator_id
    )
    existing = {(rec_id, indicator_id) for rec_id, indicator_id in db.session.execute(linked)}
    for row in read_csv("links.csv", seed_dir):
        key = (recs[row["recommendation"]].id, indicators[row["indicator_code"]].id)
        if key in existing:
            continue
        existing.add(key)
        db.session.execute(
            insert(recommendation_indicators).values(
                recommendation_id=key[0], indicator_id=key[1], rationale=row["rationale"] or None
            )
        )
        report.add("recommendation_indicators")


def load_seed(demo_password: str | None, seed_dir: Path = SEED_DIR) -> SeedReport:
    """Load everything in seed/. The caller commits (one unit of work)."""
    report = SeedReport()
    people = load_people(report, demo_password, seed_dir)
    plan = load_plan(report, people, seed_dir)
    recs = load_recommendations(report, plan, people, seed_dir)
    load_actions(report, recs, people, seed_dir)
    indicators = load_indicators(report, people, seed_dir)
    load_links(report, recs, indicators, seed_dir)
    load_inspections(report, plan, recs, seed_dir)
    load_benchmarks(report, indicators, seed_dir)
    return report
