"""Recording inspections, judgements, findings and the plan's submission: the rules and the
writes. Callers commit through tracker.uow.unit_of_work; every refusal is an RuleError
naming the field it concerns, with a message a person can act on."""

from dataclasses import dataclass, field
from datetime import date

from tracker.audit import record
from tracker.extensions import db
from tracker.inspections.frameworks import KINDS, framework_for
from tracker.models import (
    CommitteeMeeting,
    InspectionEvent,
    InspectionFinding,
    InspectionJudgement,
    Plan,
    PlanSubmission,
    Recommendation,
    User,
)
from tracker.rules import RuleError
from tracker.text import clean_line, clean_text


@dataclass
class EventDetails:
    kind: str
    inspectorate: str = ""
    started_on: date | None = None
    ended_on: date | None = None
    received_on: date | None = None
    published_on: date | None = None
    report_url: str = ""
    priority_actions: bool = False
    summary: str = ""


@dataclass
class SubmissionDetails:
    draft_sent_on: date | None = None
    approved_on: date | None = None
    approved_by: str = ""
    approved_meeting_id: int | None = None
    submitted_on: date | None = None
    assumptions: str = field(default="")


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_event(details: EventDetails) -> None:
    event_kind = KINDS.get(details.kind)
    if event_kind is None:
        raise RuleError("Select what kind of inspection, visit or review it was", "kind")
    _check_days_on_site(details)
    _check_after_visit(details)
    if details.report_url and not details.report_url.startswith(("https://", "http://")):
        raise RuleError(
            "Enter the link to the published report as a full web address starting with https://",
            "report_url",
        )
    if details.priority_actions and not event_kind.may_set_priority_actions:
        raise RuleError(
            f"Priority actions are not set at this kind of event ({event_kind.label}): untick "
            "priority actions, or choose the kind of visit that set them",
            "priority_actions",
        )


def _check_days_on_site(details: EventDetails) -> None:
    """At least one date, and the days on site in order."""
    dates = (details.started_on, details.ended_on, details.received_on, details.published_on)
    if not any(dates):
        raise RuleError(
            "Enter at least one date: the first day on site, or when the report or letter was "
            "received or published",
            "started_on",
        )
    if details.ended_on and not details.started_on:
        raise RuleError("Enter the first day on site as well as the last", "started_on")
    if details.started_on and details.ended_on and details.ended_on < details.started_on:
        raise RuleError(
            f"The last day on site must be on or after the first day on site "
            f"({_on(details.started_on)})",
            "ended_on",
        )


def _check_after_visit(details: EventDetails) -> None:
    """The letter and the report come after the visit, never before it."""
    visit_ended = details.ended_on or details.started_on
    if not visit_ended:
        return
    if details.received_on and details.received_on < visit_ended:
        raise RuleError(
            f"The report or letter cannot have been received before the visit ended: the "
            f"visit ended on {_on(visit_ended)}, the letter is dated {_on(details.received_on)}",
            "received_on",
        )
    if details.published_on and details.published_on < visit_ended:
        raise RuleError(
            f"The report cannot have been published before the visit ended on {_on(visit_ended)}",
            "published_on",
        )


def _apply(event: InspectionEvent, details: EventDetails) -> None:
    event.kind = details.kind
    event.inspectorate = clean_line(details.inspectorate or "") or KINDS[details.kind].inspectorate
    event.started_on = details.started_on
    event.ended_on = details.ended_on
    event.received_on = details.received_on
    event.published_on = details.published_on
    event.report_url = clean_line(details.report_url or "")
    event.priority_actions = details.priority_actions
    event.summary = clean_text(details.summary or "")


def _snapshot(event: InspectionEvent) -> dict:
    return {
        "kind": event.kind,
        "inspectorate": event.inspectorate,
        "started_on": str(event.started_on or ""),
        "ended_on": str(event.ended_on or ""),
        "received_on": str(event.received_on or ""),
        "published_on": str(event.published_on or ""),
        "priority_actions": event.priority_actions,
    }


def record_event(plan: Plan, details: EventDetails, actor: User | None) -> InspectionEvent:
    details.report_url = clean_line(details.report_url or "")
    check_event(details)
    event = InspectionEvent(plan=plan, created_by=actor)
    _apply(event, details)
    db.session.add(event)
    record("inspection.recorded", obj=event, actor=actor, after=_snapshot(event))
    return event


def update_event(event: InspectionEvent, details: EventDetails, actor: User | None) -> None:
    details.report_url = clean_line(details.report_url or "")
    check_event(details)
    framework = framework_for(details.kind)
    if event.judgements and (framework is None or framework != framework_for(event.kind)):
        raise RuleError(
            "This event has judgements under another framework: remove them before changing "
            "the kind of inspection",
            "kind",
        )
    before = _snapshot(event)
    _apply(event, details)
    record("inspection.changed", obj=event, actor=actor, before=before, after=_snapshot(event))


def set_judgements(event: InspectionEvent, grades: dict[str, str], actor: User | None) -> None:
    """Replace the event's judgements; an empty grade means the area was not judged."""
    framework = framework_for(event.kind)
    if framework is None:
        raise RuleError("This kind of visit or review does not give judgements")
    allowed = ", ".join(g.label for g in framework.grades[:-1])
    allowed += f" or {framework.grades[-1].label}"
    for area_key, grade_key in grades.items():
        area = framework.area(area_key)
        if area is None:
            raise RuleError(f"{area_key!r} is not a judgement area of the {framework.code}")
        if grade_key and framework.grade(grade_key) is None:
            raise RuleError(
                f"{clean_line(grade_key)!r} is not a judgement in the {framework.code}: for "
                f"{area.label.lower()} choose {allowed}",
                f"area_{area_key}",
            )
    before = {j.area: j.grade for j in event.judgements}
    event.judgements.clear()
    db.session.flush()
    for area in framework.areas:
        if grades.get(area.key):
            event.judgements.append(InspectionJudgement(area=area.key, grade=grades[area.key]))
    after = {j.area: j.grade for j in event.judgements}
    record("inspection.judged", obj=event, actor=actor, before=before, after=after)


def _recommendations_of(plan_id: int, ids: list[int]) -> list[Recommendation]:
    if not ids:
        return []
    recs = db.session.scalars(
        db.select(Recommendation).where(
            Recommendation.id.in_(ids), Recommendation.plan_id == plan_id
        )
    ).all()
    if len(recs) != len(set(ids)):
        raise RuleError("Choose recommendations from this plan only", "recommendation_ids")
    return sorted(recs, key=lambda r: r.position)


def add_finding(
    event: InspectionEvent, text: str, recommendation_ids: list[int], actor: User | None
) -> InspectionFinding:
    text = clean_text(text or "")
    if not text:
        raise RuleError("Enter the finding, in the inspectors' words", "text")
    recs = _recommendations_of(event.plan_id, recommendation_ids)
    position = max((f.position for f in event.findings), default=0) + 1
    finding = InspectionFinding(event=event, position=position, text=text, recommendations=recs)
    db.session.add(finding)
    record(
        "inspection.finding_added",
        obj=event,
        actor=actor,
        after={"finding": text, "recommendations": [r.reference for r in recs]},
    )
    return finding


def delete_finding(finding: InspectionFinding, actor: User | None) -> None:
    record(
        "inspection.finding_removed",
        obj=finding.event,
        actor=actor,
        before={"finding": finding.text},
    )
    db.session.delete(finding)


def save_submission(plan: Plan, details: SubmissionDetails, actor: User | None) -> PlanSubmission:
    _check_submission(plan, details)
    submission = plan_submission(plan.id) or PlanSubmission(plan=plan)
    before = _submission_snapshot(submission)
    submission.draft_sent_on = details.draft_sent_on
    submission.approved_on = details.approved_on
    submission.approved_by = clean_line(details.approved_by or "")
    submission.approved_meeting_id = details.approved_meeting_id
    submission.submitted_on = details.submitted_on
    submission.submitted = details.submitted_on is not None or submission.submitted
    db.session.add(submission)
    record(
        "plan.submission_recorded",
        obj=plan,
        actor=actor,
        before=before,
        after=_submission_snapshot(submission),
    )
    return submission


def _check_submission(plan: Plan, details: SubmissionDetails) -> None:
    """The approving meeting is the plan's own (its date is the approval date unless one is
    given); an approver needs a date; the final plan follows the draft and the approval."""
    if details.approved_meeting_id is not None:
        meeting = db.session.get(CommitteeMeeting, details.approved_meeting_id)
        if meeting is None or meeting.plan_id != plan.id:
            raise RuleError("Choose one of this plan's meetings", "approved_meeting_id")
        if details.approved_on is None:
            details.approved_on = meeting.meeting_on
    if details.approved_by and details.approved_on is None:
        raise RuleError("Enter the date the plan was approved", "approved_on")
    if (
        details.draft_sent_on
        and details.submitted_on
        and details.submitted_on < details.draft_sent_on
    ):
        raise RuleError(
            f"The final plan cannot have been sent before the draft ({_on(details.draft_sent_on)})",
            "submitted_on",
        )
    if details.approved_on and details.submitted_on and details.submitted_on < details.approved_on:
        raise RuleError(
            f"The plan was approved on {_on(details.approved_on)}: it cannot have been sent to "
            "Ofsted before it was approved",
            "submitted_on",
        )


def _submission_snapshot(submission: PlanSubmission) -> dict:
    return {
        "draft_sent_on": str(submission.draft_sent_on or ""),
        "approved_on": str(submission.approved_on or ""),
        "approved_by": submission.approved_by or "",
        "submitted_on": str(submission.submitted_on or ""),
    }


def plan_submission(plan_id: int) -> PlanSubmission | None:
    return db.session.scalar(db.select(PlanSubmission).where(PlanSubmission.plan_id == plan_id))
