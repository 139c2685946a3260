"""Inspection pages. Everyone who may read the plan reads them; admins and the plan's own lead
(the permission rules for plan structure) record and change them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

# A module import: tracker.admin and tracker.plans import each other's queries through here.
from tracker.admin import structure_access
from tracker.admin.forms import ConfirmForm
from tracker.clock import today
from tracker.extensions import db
from tracker.inspections import bp
from tracker.inspections.deadlines import deadlines_for, event_label
from tracker.inspections.forms import EventForm, FindingForm, SubmissionForm, judgements_form
from tracker.inspections.frameworks import framework_for, kind
from tracker.inspections.queries import event_page, events_of, submission_of
from tracker.inspections.service import (
    EventDetails,
    SubmissionDetails,
    add_finding,
    delete_finding,
    record_event,
    save_submission,
    set_judgements,
    update_event,
)
from tracker.models import InspectionFinding, Plan
from tracker.permissions import Permission, can_change_plan_structure, permission_required
from tracker.rules import RuleError
from tracker.uow import unit_of_work


def _plan_for_change(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id) or abort(404)
    if not can_change_plan_structure(current_user, plan):
        abort(403)
    return plan


def _event_for_change(event_id: int):
    event = event_page(event_id) or abort(404)
    if not can_change_plan_structure(current_user, event.plan):
        abort(403)
    return event


def _details(form: EventForm) -> EventDetails:
    return EventDetails(
        kind=form.kind.data,
        inspectorate=form.inspectorate.data or "",
        started_on=form.started_on.data,
        ended_on=form.ended_on.data,
        received_on=form.received_on.data,
        published_on=form.published_on.data,
        report_url=(form.report_url.data or "").strip(),
        priority_actions=bool(form.priority_actions.data),
        summary=form.summary.data or "",
    )


@bp.route("/inspections/<int:event_id>")
@permission_required(Permission.VIEW_PLANS)
def event(event_id: int):
    event = event_page(event_id) or abort(404)
    submission = submission_of(event.plan_id)
    return render_template(
        "inspections/event.html",
        event=event,
        label=event_label(event),
        kind=kind(event.kind),
        framework=framework_for(event.kind),
        deadlines=[
            d
            for d in deadlines_for(events_of(event.plan_id), submission, today())
            if d.event.id == event.id
        ],
        can_change=can_change_plan_structure(current_user, event.plan),
    )


@bp.route("/plans/<int:plan_id>/inspections/new", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def new_event(plan_id: int):
    plan = _plan_for_change(plan_id)
    if refusal := structure_access.archived_refusal(plan):
        return refusal
    form = EventForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                event = record_event(plan, _details(form), current_user)
        except RuleError as error:
            form.show_rule_error(error)
        else:
            flash(f"{event_label(event)} has been recorded.", "success")
            return redirect(url_for("inspections.event", event_id=event.id))
    return render_template("inspections/event-form.html", form=form, plan=plan, event=None)


@bp.route("/inspections/<int:event_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def edit_event(event_id: int):
    event = _event_for_change(event_id)
    if refusal := structure_access.archived_refusal(event.plan):
        return refusal
    form = EventForm(obj=event) if request.method == "GET" else EventForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                update_event(event, _details(form), current_user)
        except RuleError as error:
            form.show_rule_error(error)
        else:
            flash("Your changes have been saved.", "success")
            return redirect(url_for("inspections.event", event_id=event.id))
    return render_template("inspections/event-form.html", form=form, plan=event.plan, event=event)


@bp.route("/inspections/<int:event_id>/judgements", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def judgements(event_id: int):
    event = _event_for_change(event_id)
    if refusal := structure_access.archived_refusal(event.plan):
        return refusal
    framework = framework_for(event.kind) or abort(404)
    current = {j.area: j.grade for j in event.judgements}
    form = judgements_form(framework, current, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        grades = {
            area.key: getattr(form, f"area_{area.key}").data or "" for area in framework.areas
        }
        try:
            with unit_of_work():
                set_judgements(event, grades, current_user)
        except RuleError as error:
            form.show_rule_error(error)
        else:
            flash("The judgements have been saved.", "success")
            return redirect(url_for("inspections.event", event_id=event.id))
    return render_template(
        "inspections/judgements-form.html",
        form=form,
        event=event,
        label=event_label(event),
        framework=framework,
        area_fields=[getattr(form, f"area_{a.key}") for a in framework.areas],
    )


@bp.route("/inspections/<int:event_id>/findings/new", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def new_finding(event_id: int):
    event = _event_for_change(event_id)
    if refusal := structure_access.archived_refusal(event.plan):
        return refusal
    form = FindingForm()
    form.recommendation_ids.choices = [
        SelectChoice(r.id, f"{r.reference}: {r.title}")
        for r in event.plan.recommendations
        if not r.withdrawn_reason
    ]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                add_finding(event, form.text.data, form.recommendation_ids.data or [], current_user)
        except RuleError as error:
            form.show_rule_error(error)
        else:
            flash("The finding has been added.", "success")
            return redirect(url_for("inspections.event", event_id=event.id, _anchor="findings"))
    return render_template(
        "inspections/finding-form.html", form=form, event=event, label=event_label(event)
    )


@bp.route("/findings/<int:finding_id>/remove", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def remove_finding(finding_id: int):
    finding = db.session.get(InspectionFinding, finding_id) or abort(404)
    event = _event_for_change(finding.event_id)
    if refusal := structure_access.archived_refusal(event.plan):
        return refusal
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            delete_finding(finding, current_user)
    except StaleDataError:
        flash("Someone else removed that finding first.", "info")
    else:
        flash("The finding has been removed.", "success")
    return redirect(url_for("inspections.event", event_id=event.id, _anchor="findings"))


@bp.route("/plans/<int:plan_id>/submission", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def submission(plan_id: int):
    plan = _plan_for_change(plan_id)
    if refusal := structure_access.archived_refusal(plan):
        return refusal
    existing = submission_of(plan.id)
    form = SubmissionForm(obj=existing) if request.method == "GET" else SubmissionForm()
    form.approved_meeting_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(m.id), f"{m.title}, {m.meeting_on.day} {m.meeting_on:%B %Y}")
        for m in plan.meetings
    ]
    if request.method == "GET" and existing and existing.approved_meeting_id:
        form.approved_meeting_id.data = str(existing.approved_meeting_id)
    if form.validate_on_submit():
        was_sent = (existing.submitted, existing.submitted_on) if existing else (False, None)
        meeting = form.approved_meeting_id.data or ""
        details = SubmissionDetails(
            draft_sent_on=form.draft_sent_on.data,
            approved_on=form.approved_on.data,
            approved_by=form.approved_by.data or "",
            approved_meeting_id=int(meeting) if meeting.isdigit() else None,
            submitted_on=form.submitted_on.data,
        )
        try:
            with unit_of_work():
                save_submission(plan, details, current_user)
        except RuleError as error:
            form.show_rule_error(error)
        else:
            flash("The plan's approval and submission have been saved.", "success")
            if _newly_sent(was_sent, details):
                from tracker.committee.meetings_views import flash_frozen  # (import cycle)

                flash_frozen(plan)  # the version sent to Ofsted, kept like a published paper
            return redirect(url_for("plans.plan", plan_id=plan.id, _anchor="deadlines"))
    return render_template("inspections/submission-form.html", form=form, plan=plan)


def _newly_sent(was_sent: tuple[bool, object], details: SubmissionDetails) -> bool:
    """Whether this save records the plan as sent to Ofsted (or dates a sending for the first
    time): the moment its submitted version is frozen."""
    submitted, submitted_on = was_sent
    return details.submitted_on is not None and (not submitted or submitted_on is None)
