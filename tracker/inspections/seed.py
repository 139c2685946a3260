"""Load seed/inspections.toml: the inspection around the demo plan, its findings and the plan's
submission. Running it again changes nothing (events are found by plan, kind and dates)."""

from pathlib import Path

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import InspectionEvent, InspectionFinding, Plan, PlanSubmission, Recommendation
from tracker.seeding.files import read_toml


def load_inspections(report, plan: Plan, recs: dict[str, Recommendation], seed_dir: Path) -> None:
    if not (seed_dir / "inspections.toml").exists():
        return
    data = read_toml("inspections.toml", seed_dir)
    for item in data.get("events", []):
        found = db.session.scalar(
            select(InspectionEvent).filter_by(
                plan_id=plan.id,
                kind=item["kind"],
                published_on=item.get("published_on"),
                started_on=item.get("started_on"),
            )
        )
        if found is not None:
            continue
        event = InspectionEvent(
            plan_id=plan.id,
            kind=item["kind"],
            inspectorate=item.get("inspectorate", ""),
            started_on=item.get("started_on"),
            ended_on=item.get("ended_on"),
            received_on=item.get("received_on"),
            published_on=item.get("published_on"),
            report_url=item.get("report_url", ""),
            priority_actions=bool(item.get("priority_actions", False)),
            summary=item.get("summary", ""),
            assumptions=item.get("assumptions", ""),
        )
        for position, finding in enumerate(item.get("findings", []), start=1):
            event.findings.append(
                InspectionFinding(
                    position=position,
                    text=finding["text"],
                    source=finding.get("source", ""),
                    recommendations=[recs[ref] for ref in finding.get("recommendations", [])],
                )
            )
            report.add("inspection_findings")
        db.session.add(event)
        report.add("inspection_events")
    submission = data.get("submission")
    if submission and db.session.scalar(select(PlanSubmission).filter_by(plan_id=plan.id)) is None:
        db.session.add(
            PlanSubmission(
                plan_id=plan.id,
                draft_sent_on=submission.get("draft_sent_on"),
                approved_on=submission.get("approved_on"),
                approved_by=submission.get("approved_by", ""),
                submitted=bool(submission.get("submitted", False)),
                submitted_on=submission.get("submitted_on"),
                assumptions=submission.get("assumptions", ""),
            )
        )
        report.add("plan_submissions")
    db.session.flush()
