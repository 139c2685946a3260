"""Commands: `reminders send [--date] [--dry-run] [--retry-now]`, `reminders preview`, `scheduler`.

`reminders send` suits cron; `scheduler` is the long-running alternative. Both claim the day in
the database, so running both, or either twice, never sends a day's digests twice.
"""

from datetime import date, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker.clock import today
from tracker.reminders.digest import subject_for
from tracker.reminders.outbox import JOB, run_already_claimed
from tracker.reminders.runs import run_for_day
from tracker.reminders.selection import Selection, select_reminders
from tracker.templating import govuk_date

DAY = click.DateTime(formats=["%Y-%m-%d"])

reminders = AppGroup("reminders", help="Reminder emails: queue a day's digests and send them.")


def register_reminder_commands(app: Flask) -> None:
    app.cli.add_command(reminders)
    app.cli.add_command(scheduler_command)


def _day(value: datetime | None, default: date) -> date:
    return value.date() if value else default


@reminders.command("send")
@click.option("--date", "day", type=DAY, help="The day to send for (default: today).")
@click.option("--dry-run", is_flag=True, help="Print who would get what; write and send nothing.")
@click.option(
    "--retry-now",
    is_flag=True,
    help="Retry emails waiting out a backoff now (after an SMTP outage has been fixed).",
)
def send(day: datetime | None, dry_run: bool, retry_now: bool) -> None:
    """Queue the day's digests (once per day, however often it runs) and send pending emails."""
    run_day = _day(day, today())
    if dry_run:
        echo_selection(select_reminders(run_day), "Dry run")
        return
    report = run_for_day(run_day, "reminders send", retry_now=retry_now)
    for line in report.lines():
        click.echo(line)
    problem = report.failure_message()
    if problem:
        raise click.ClickException(problem)


@reminders.command("preview")
@click.option("--date", "day", type=DAY, help="The day to preview (default: tomorrow).")
def preview(day: datetime | None) -> None:
    """Print what a day's run would send (default: tomorrow's). Writes and sends nothing."""
    echo_selection(select_reminders(_day(day, today() + timedelta(days=1))), "Preview")


def echo_selection(selection: Selection, title: str) -> None:
    click.echo(
        f"{title} for {selection.day:%A} {govuk_date(selection.day)}: nothing is written or sent."
    )
    if run_already_claimed(JOB, selection.day):
        click.echo(
            "This day's run has already happened: a real run would queue nothing new and only "
            "send emails still pending."
        )
    if not selection.digests:
        click.echo("Nobody would get a reminder.")
    for digest in selection.digests:
        click.echo(
            f"{digest.kind.value:<10} {digest.recipient.email}: "
            f"{subject_for(digest, selection.settings)} ({', '.join(digest.references)})"
        )
    for skip in selection.skips:
        click.echo(
            f"skipped    {skip.user.email} ({skip.kind.value}): {skip.reason}, "
            f"{len(skip.action_ids)} actions"
        )
    if selection.unowned:
        references = ", ".join(action.reference for action in selection.unowned)
        click.echo(f"Actions needing a reminder but with no owner to send it to: {references}")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the reminder scheduler in the foreground (one process; never inside web workers)."""
    from tracker.reminders.scheduler import run_scheduler

    # current_app is a werkzeug LocalProxy that Flask's types declare as the Flask app itself.
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
