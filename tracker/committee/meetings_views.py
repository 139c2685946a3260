"""A plan's committee meetings, the papers published for them, and the plan as submitted.

Everyone who may read plans reads these pages and downloads what was published; the people who
may change the plan's structure (admins and the plan's lead) publish.
"""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.admin.forms import ConfirmForm
from tracker.admin.structure_access import archived_refusal
from tracker.clock import today
from tracker.committee import bp
from tracker.committee.filters import since_label
from tracker.committee.paper_store import PaperBusy
from tracker.committee.publishing import (
    PublishRuleError,
    check_may_publish,
    default_since,
    file_name,
    freeze_submitted_plan,
    latest_papers_of_plan,
    paper_for_meeting,
    papers_of_meeting,
    store_paper,
)
from tracker.extensions import db
from tracker.models import CommitteeMeeting, PaperKind, Plan, PublishedPaper
from tracker.permissions import Permission, can_change_plan_structure, permission_required
from tracker.uow import unit_of_work


def _meeting(meeting_id: int) -> CommitteeMeeting:
    query = (
        db.select(CommitteeMeeting)
        .where(CommitteeMeeting.id == meeting_id)
        .options(joinedload(CommitteeMeeting.plan))
    )
    return db.session.scalar(query) or abort(404)


@bp.route("/plans/<int:plan_id>/meetings")
@permission_required(Permission.VIEW_PLANS)
def meetings(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    return render_template(
        "committee/meetings.html",
        plan=plan,
        meetings=sorted(plan.meetings, key=lambda m: m.meeting_on, reverse=True),
        latest=latest_papers_of_plan(plan.id),
        day=today(),
    )


@bp.route("/meetings/<int:meeting_id>")
@permission_required(Permission.VIEW_PLANS)
def meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    may_publish = can_change_plan_structure(current_user, meeting.plan)
    try:
        check_may_publish(meeting, today())
        too_late = None
    except PublishRuleError as error:
        too_late = str(error)
    since = default_since(meeting.plan, meeting.meeting_on) if may_publish else None
    return render_template(
        "committee/meeting.html",
        meeting=meeting,
        plan=meeting.plan,
        papers=papers_of_meeting(meeting.id),
        may_publish=may_publish,
        too_late=too_late,
        publish_since=since_label(meeting.plan, since),
        form=ConfirmForm(),
    )


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def publish(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not can_change_plan_structure(current_user, meeting.plan):
        abort(403)
    if refusal := archived_refusal(meeting.plan):
        return refusal
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("committee.meeting", meeting_id=meeting.id))
    try:
        made = paper_for_meeting(meeting, url_for("main.home", _external=True), current_user.id)
    except PublishRuleError as error:
        flash(f"{error}.", "info")
        return back
    except PaperBusy:
        flash("The paper could not be printed just now: try publishing again in a minute.", "info")
        return back
    try:
        with unit_of_work():
            paper = store_paper(made, PaperKind.COMMITTEE_PAPER, meeting, current_user)
    except IntegrityError:
        flash("Someone else published a paper for this meeting at the same moment.", "info")
        return back
    flash(f"Version {paper.version} of the paper for this meeting has been published.", "success")
    return back


@bp.route("/plans/<int:plan_id>/submission/freeze", methods=["POST"])
@permission_required(Permission.VIEW_PLANS)
def freeze_submission(plan_id: int):
    """Freeze the submitted version when it could not be printed as the submission was saved."""
    plan = db.session.get(Plan, plan_id) or abort(404)
    if not can_change_plan_structure(current_user, plan):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flash_frozen(plan)
    return redirect(url_for("plans.plan", plan_id=plan.id, _anchor="deadlines"))


def flash_frozen(plan: Plan) -> None:
    """Freeze the plan as submitted (if it is submitted and not yet frozen) and say so."""
    try:
        paper = freeze_submitted_plan(plan, url_for("main.home", _external=True), current_user)
    except PaperBusy:
        flash(
            "The submitted version could not be printed just now: use “Freeze the submitted "
            "version” on the plan page in a minute.",
            "info",
        )
        return
    if paper is not None:
        flash("The plan as submitted has been kept as a published paper.", "success")


def _download(paper: PublishedPaper, data: bytes | None, extension: str, mimetype: str):
    if data is None:
        abort(404)
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(paper, extension)}"',
            "Cache-Control": "private, no-cache",
        },
    )


def _paper(paper_id: int) -> PublishedPaper:
    query = (
        db.select(PublishedPaper)
        .where(PublishedPaper.id == paper_id)
        .options(joinedload(PublishedPaper.meeting))
    )
    return db.session.scalar(query) or abort(404)


@bp.route("/papers/<int:paper_id>.pdf")
@permission_required(Permission.VIEW_PLANS)
def published_pdf(paper_id: int):
    paper = _paper(paper_id)
    return _download(paper, paper.pdf, "pdf", "application/pdf")


@bp.route("/papers/<int:paper_id>.docx")
@permission_required(Permission.VIEW_PLANS)
def published_docx(paper_id: int):
    paper = _paper(paper_id)
    return _download(
        paper,
        paper.docx,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
