"""One reminder run, as the CLI and the scheduler both do it: queue the day, then send."""

from dataclasses import dataclass
from datetime import date, datetime

from tracker.reminders.outbox import QueueResult, process_name, queue_day
from tracker.reminders.sending import SendReport, deliver_pending
from tracker.templating import govuk_date, govuk_datetime


@dataclass(frozen=True)
class RunReport:
    day: date
    queued: QueueResult | None  # None: an earlier or parallel run had already queued the day
    sending: SendReport

    def lines(self) -> list[str]:
        day = govuk_date(self.day)
        if self.queued is None:
            first = (
                f"Reminders for {day} were already queued by an earlier or parallel run;"
                " nothing new queued."
            )
        else:
            first = (
                f"Queued {self.queued.digests} reminder emails for {day}"
                f" ({self.queued.skips} people skipped)."
            )
        lines = [first, f"Sent {self.sending.sent} emails."]
        if self.sending.left_for_later:
            lines.append(
                f"{self.sending.left_for_later} emails ran out of time in this run; they will be"
                " sent by the next run once their claim has expired."
            )
        if self.sending.waiting:
            lines.append(
                f"{self.sending.waiting} emails are waiting to be retried after an earlier"
                " failure (use --retry-now to try them at once)."
            )
        return lines

    def failure_message(self) -> str | None:
        """What an operator needs to know when emails could not be sent, else None."""
        sending = self.sending
        if not sending.failures:
            return None
        parts = [
            f"Could not send {sending.failures} reminder emails: " + "; ".join(sending.errors) + "."
        ]
        if sending.retrying:
            when = govuk_datetime(sending.next_attempt_at)
            parts.append(
                f"{sending.retrying} are still pending and will be tried again from {when}"
                " (or run again with --retry-now once the problem is fixed)."
            )
        if sending.gave_up:
            parts.append(
                f"{sending.gave_up} reached the attempt limit and are marked failed;"
                " admins see them on the reminders page."
            )
        return " ".join(parts)


def run_for_day(
    day: date, source: str, now: datetime | None = None, retry_now: bool = False
) -> RunReport:
    queued = queue_day(day, process_name(source))
    sending = deliver_pending(now=now, retry_now=retry_now)
    return RunReport(day=day, queued=queued, sending=sending)
