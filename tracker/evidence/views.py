from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from tracker.actions.locks import closed_refusal, evidence_refusal
from tracker.actions.queries import load_action
from tracker.clock import today
from tracker.evidence import bp
from tracker.evidence.forms import (
    TITLE_HINT,
    FileEvidenceForm,
    LinkEvidenceForm,
    NoteEvidenceForm,
    PurgeEvidenceForm,
    ReviewForm,
    WithdrawEvidenceForm,
)
from tracker.evidence.queries import review_queue
from tracker.evidence.service import (
    add_file,
    add_link,
    add_note,
    link_problem,
    purge,
    review,
    withdraw,
)
from tracker.evidence.storage import (
    ALLOWED_DESCRIPTION,
    RejectedFile,
    delete_stored,
    path_of,
    store,
)
from tracker.extensions import db
from tracker.models import Action, Evidence, EvidenceKind
from tracker.permissions import (
    Permission,
    can_purge_evidence,
    can_review_evidence,
    can_update_action,
    can_withdraw_evidence,
    permission_required,
    reviews_anything,
)
from tracker.quotas import QuotaExceeded, check_evidence_quota
from tracker.uow import unit_of_work


def _editable_action(action_id: int) -> Action:
    """The action, if this person may change it and it is open to changes; else abort with the
    answer (403, or 409 with the reason)."""
    action = load_action(action_id) or abort(404)
    if not can_update_action(current_user._get_current_object(), action):
        abort(403)
    refusal = closed_refusal(action)
    if refusal:
        abort(make_response(refusal))
    return action


def _back_to(action: Action, message: str):
    flash(message, "success")
    return redirect(url_for("actions.action", action_id=action.id))


def _after_review(action: Action, message: str):
    """Back to the review list when the review started there, else to the action."""
    if request.args.get("from") == "review-list":
        flash(message, "success")
        return redirect(url_for("evidence.awaiting_review"))
    return _back_to(action, message)


@bp.route("/actions/<int:action_id>/evidence")
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def add(action_id: int):
    action = _editable_action(action_id)
    return render_template("evidence/add.html", action=action)


@bp.route("/actions/<int:action_id>/evidence/file", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def add_file_page(action_id: int):
    action = _editable_action(action_id)
    form = FileEvidenceForm()
    if form.validate_on_submit():
        upload = form.document.data
        if not upload or not upload.filename:
            form.document.errors.append("Select a file")
        else:
            try:
                check_evidence_quota(current_user._get_current_object())
                stored = store(upload.read(), upload.filename)
            except (RejectedFile, QuotaExceeded) as problem:
                form.document.errors.append(str(problem))
            else:
                user = current_user._get_current_object()
                with unit_of_work():
                    add_file(action, form.title.data or "", stored, user)
                return _back_to(action, f"Evidence uploaded: {stored.original_filename}")
    return render_template(
        "evidence/file.html",
        action=action,
        form=form,
        title_hint=TITLE_HINT,
        allowed=ALLOWED_DESCRIPTION,
    )


@bp.route("/actions/<int:action_id>/evidence/link", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def add_link_page(action_id: int):
    action = _editable_action(action_id)
    form = LinkEvidenceForm()
    if form.validate_on_submit():
        problem = link_problem(form.url.data) or quota_problem()
        if problem:
            form.url.errors.append(problem)
        else:
            with unit_of_work():
                add_link(action, form.title.data, form.url.data, current_user._get_current_object())
            return _back_to(action, "Link added as evidence.")
    return render_template("evidence/link.html", action=action, form=form, title_hint=TITLE_HINT)


@bp.route("/actions/<int:action_id>/evidence/note", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def add_note_page(action_id: int):
    action = _editable_action(action_id)
    form = NoteEvidenceForm()
    if form.validate_on_submit():
        problem = quota_problem()
        if problem:
            form.note.errors.append(problem)
        else:
            with unit_of_work():
                add_note(
                    action, form.title.data, form.note.data, current_user._get_current_object()
                )
            return _back_to(action, "Note added as evidence.")
    return render_template("evidence/note.html", action=action, form=form, title_hint=TITLE_HINT)


def quota_problem() -> str | None:
    try:
        check_evidence_quota(current_user._get_current_object())
    except QuotaExceeded as problem:
        return str(problem)
    return None


def _evidence(evidence_id: int) -> Evidence:
    return db.session.get(Evidence, evidence_id) or abort(404)


@bp.route("/evidence/<int:evidence_id>/download")
@permission_required(Permission.VIEW_EVIDENCE_FILES)
def download(evidence_id: int):
    evidence = _evidence(evidence_id)
    if evidence.kind != EvidenceKind.FILE or not evidence.stored_name:
        abort(404)
    try:
        path = path_of(evidence.stored_name)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=evidence.original_filename or "evidence",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/evidence/<int:evidence_id>/review", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_EVIDENCE)
def review_page(evidence_id: int):
    evidence = _evidence(evidence_id)
    reviewer = current_user._get_current_object()
    if not can_review_evidence(reviewer, evidence):
        abort(403)
    refusal = closed_refusal(evidence.action)
    if refusal:
        return refusal
    form = ReviewForm()
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        if not accept and not (form.reason.data or "").strip():
            form.reason.errors.append("Enter the reason for rejecting the evidence")
        else:
            with unit_of_work():
                review(evidence, accept, form.reason.data or "", reviewer, today())
            verdict = "accepted" if accept else "rejected"
            return _after_review(evidence.action, f"Evidence {verdict}: {evidence.title}")
    return render_template(
        "evidence/review.html", evidence=evidence, action=evidence.action, form=form
    )


@bp.route("/evidence/<int:evidence_id>/withdraw", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def withdraw_page(evidence_id: int):
    evidence = _evidence(evidence_id)
    user = current_user._get_current_object()
    if not evidence.withdrawn and not can_withdraw_evidence(user, evidence):
        abort(403)
    refusal = evidence_refusal(evidence)
    if refusal:
        return refusal
    form = WithdrawEvidenceForm()
    if form.validate_on_submit():
        with unit_of_work():
            stored_name = withdraw(evidence, form.reason.data, user)
        # Only once the withdrawal is recorded: a failed save must not lose the file silently.
        delete_stored(stored_name)
        return _back_to(evidence.action, f"Evidence withdrawn: {evidence.title}")
    return render_template(
        "evidence/withdraw.html", evidence=evidence, action=evidence.action, form=form
    )


@bp.route("/evidence/<int:evidence_id>/purge", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def purge_page(evidence_id: int):
    evidence = _evidence(evidence_id)
    user = current_user._get_current_object()
    if not can_purge_evidence(user):
        abort(403)
    form = PurgeEvidenceForm()
    action = evidence.action
    if form.validate_on_submit():
        title = evidence.title
        with unit_of_work():
            stored_name = purge(evidence, form.reason.data, user)
        delete_stored(stored_name)
        return _back_to(action, f"Evidence purged: {title}")
    return render_template("evidence/purge.html", evidence=evidence, action=action, form=form)


@bp.route("/awaiting-my-review")
@permission_required(Permission.REVIEW_EVIDENCE)
def awaiting_review():
    reviewer = current_user._get_current_object()
    if not reviews_anything(reviewer):
        abort(403)
    return render_template("evidence/awaiting-review.html", queue=review_queue(reviewer))
