"""The scheduler process: `flask --app wsgi scheduler`. It is never started inside web workers.

APScheduler's BlockingScheduler runs, in TIMEZONE:
- the daily run at REMINDER_TIME (queue the day's digests, then send them);
- every OUTBOX_SEND_SECONDS, the pending emails that are due: account emails (invites and
  password resets, queued by web requests, which never send email themselves) and retries of
  emails waiting out a backoff;
- on start-up, if today's REMINDER_TIME has passed within the grace period, today's run at once,
  so that a scheduler restarted mid-morning still sends that day's digests.
Every run claims its day in the database first, so restarts, two schedulers or a scheduler plus a
manual `reminders send` never send a day's digests twice.
"""

import logging
import signal
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from tracker.clock import today
from tracker.extensions import db
from tracker.reminders.runs import run_for_day
from tracker.reminders.sending import deliver_pending

log = logging.getLogger("tracker.reminders.scheduler")

MISFIRE_GRACE = timedelta(hours=12)


def council_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def reminder_time() -> time:
    value = str(current_app.config["REMINDER_TIME"]).strip()
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise RuntimeError(
            f"REMINDER_TIME must be a time of day like 07:00, not {value!r}"
        ) from None


def scheduler_now() -> datetime:
    """The local time now, or REMINDER_NOW when a test or demo fixes it."""
    zone = council_timezone()
    fixed = current_app.config.get("REMINDER_NOW")
    if not fixed:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(str(fixed))
    except ValueError:
        raise RuntimeError(
            f"REMINDER_NOW must be a date and time like 2016-03-14T07:01, not {fixed!r}"
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def run_day() -> date:
    """The day a run is for: today (honouring the demo date), or REMINDER_NOW's day."""
    return scheduler_now().date() if current_app.config.get("REMINDER_NOW") else today()


def catch_up_due(now: datetime, at: time, grace: timedelta = MISFIRE_GRACE) -> bool:
    """Started after today's reminder time, but not so long after that it is stale?"""
    slot = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return slot <= now < slot + grace


def daily_job(app: Flask) -> None:
    with app.app_context():
        try:
            report = run_for_day(run_day(), "scheduler")
            for line in report.lines():
                log.info(line)
            problem = report.failure_message()
            if problem:
                log.error(problem)
        except Exception:
            log.exception("The reminder run failed; the scheduler carries on")
        finally:
            db.session.remove()


def retry_job(app: Flask) -> None:
    with app.app_context():
        try:
            report = deliver_pending()
            if report.sent or report.failures:
                log.info("Pending emails: %s sent, %s failed", report.sent, report.failures)
        except Exception:
            log.exception("Retrying pending reminders failed; the scheduler carries on")
        finally:
            db.session.remove()


def build_scheduler(app: Flask) -> BlockingScheduler:
    zone = council_timezone()
    at = reminder_time()
    scheduler = BlockingScheduler(
        timezone=zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
        },
    )
    scheduler.add_job(
        daily_job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=zone),
        args=[app],
        id="daily-reminders",
        name=f"Daily reminders at {at:%H:%M}",
    )
    scheduler.add_job(
        retry_job,
        IntervalTrigger(seconds=int(app.config["OUTBOX_SEND_SECONDS"]), timezone=zone),
        args=[app],
        id="send-pending",
        name="Send pending emails (account emails, and retries)",
    )
    now = scheduler_now()
    if catch_up_due(now, at):
        log.info(
            "Started at %s, after today's reminder time (%s): running today's reminders now",
            f"{now:%Y-%m-%d %H:%M}",
            f"{at:%H:%M}",
        )
        scheduler.add_job(
            daily_job,
            DateTrigger(run_date=datetime.now(zone), timezone=zone),
            args=[app],
            id="catch-up",
            name="Today's reminders (started after REMINDER_TIME)",
        )
    return scheduler


def run_scheduler(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    scheduler = build_scheduler(app)

    def stop(signum, frame):
        log.info("Stopping the scheduler (signal %s)", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    log.info(
        "Scheduler started: daily reminders at %s %s; pending emails sent every %s seconds",
        f"{reminder_time():%H:%M}",
        current_app.config["TIMEZONE"],
        int(current_app.config["OUTBOX_SEND_SECONDS"]),
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
    log.info("Scheduler stopped")
