"""A person's reminder settings, and the admins' view of a day's reminders. Nothing here sends
email: the web never waits on SMTP."""

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit
from tracker.clock import today
from tracker.notices import OPTIONAL_KINDS, PREFERENCE_COLUMNS, wants
from tracker.permissions import Permission, permission_required
from tracker.reminders import bp
from tracker.reminders.digest import subject_for
from tracker.reminders.forms import (
    DUE_SOON,
    NO_UPDATE,
    DayForm,
    NoticeSettingsForm,
    ReminderSettingsForm,
)
from tracker.reminders.queries import day_report, failed_emails
from tracker.reminders.selection import Settings, select_reminders
from tracker.uow import unit_of_work


@bp.route("/settings/reminders", methods=["GET", "POST"])
@permission_required(Permission.VIEW_PLANS)
def settings():
    user = current_user._get_current_object()
    config = current_app.config
    form = ReminderSettingsForm()
    form.set_choices(config["REMINDER_DUE_SOON_DAYS"], config["REMINDER_NO_UPDATE_DAYS"])
    if request.method == "GET":
        form.wanted.data = [
            choice
            for choice, wanted in (
                (DUE_SOON, user.wants_due_soon_reminders),
                (NO_UPDATE, user.wants_no_update_reminders),
            )
            if wanted
        ]
    if form.validate_on_submit():
        chosen = set(form.wanted.data or [])
        before = _preferences(user)
        with unit_of_work():
            user.wants_due_soon_reminders = DUE_SOON in chosen
            user.wants_no_update_reminders = NO_UPDATE in chosen
            audit.record(
                "user.reminder_settings_changed", obj=user, before=before, after=_preferences(user)
            )
        flash("Your reminder settings have been saved", "success")
        return redirect(url_for("reminders.settings"))
    return render_template("reminders/settings.html", form=form)


def _preferences(user) -> dict:
    return {
        "due_soon": user.wants_due_soon_reminders,
        "no_update": user.wants_no_update_reminders,
    }


@bp.route("/admin/reminders")
@permission_required(Permission.ADMINISTER)
def admin():
    form = DayForm(formdata=request.args if "day" in request.args else None)
    day = today()
    if "day" in request.args and form.validate():
        day = form.day.data or day  # validated: never empty
    elif "day" not in request.args:
        form.day.data = day
    return render_template(
        "reminders/admin.html", form=form, report=day_report(day), failed=failed_emails()
    )


@bp.route("/admin/reminders/preview")
@permission_required(Permission.ADMINISTER)
def preview():
    """What tomorrow's run would send: worked out in full, so on a page of its own."""
    settings = Settings.from_config()
    preview = select_reminders(today() + timedelta(days=1), settings)
    return render_template(
        "reminders/preview.html",
        preview=preview,
        preview_emails=[(digest, subject_for(digest, settings)) for digest in preview.digests],
    )


@bp.route("/settings/notices", methods=["GET", "POST"])
@permission_required(Permission.UPDATE_OWN_ACTIONS)
def notice_settings():
    """Which notices (issue 13.15) a person gets; being given an action cannot be turned off."""
    user = current_user._get_current_object()
    form = NoticeSettingsForm()
    form.set_choices()
    if request.method == "GET":
        form.wanted.data = [kind.value for kind in OPTIONAL_KINDS if wants(user, kind)]
    if form.validate_on_submit():
        chosen = set(form.wanted.data or [])
        before = _notice_preferences(user)
        with unit_of_work():
            for kind, column in PREFERENCE_COLUMNS.items():
                setattr(user, column, kind.value in chosen)
            audit.record(
                "user.notice_settings_changed",
                obj=user,
                before=before,
                after=_notice_preferences(user),
            )
        flash("Your notice settings have been saved")
        return redirect(url_for("reminders.notice_settings"))
    return render_template("reminders/notice-settings.html", form=form)


def _notice_preferences(user) -> dict:
    return {kind.value: wants(user, kind) for kind in OPTIONAL_KINDS}
