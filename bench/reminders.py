"""The reminder run against raw smtplib, both into the same real SMTP server (aiosmtpd).

The run is the app's own: tracker.reminders.outbox.queue_day (select the day's reminders,
render the digests, write the outbox) then tracker.reminders.sending.deliver_pending (claim,
send and record each email), as `flask reminders send --date DAY` does. The baseline sends the
very same messages (subjects, text and HTML bodies read back from the outbox) with smtplib over
one connection, building each MIME message as it goes.
"""

import smtplib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from bench.generate import Manifest
from bench.server import ROOT, free_port


@dataclass
class ReminderResult:
    emails: int
    overdue_actions: int
    queue_seconds: float
    send_seconds: float
    raw_seconds: float

    @property
    def run_seconds(self) -> float:
        return self.queue_seconds + self.send_seconds

    @property
    def ratio(self) -> float:
        return self.run_seconds / self.raw_seconds


class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.count_file = Path(tempfile.mkstemp(prefix="bench-smtp-")[1])

    def __enter__(self) -> "SmtpSink":
        command = [sys.executable, "-m", "bench.smtp_sink", "--port", str(self.port)]
        command += ["--count-file", str(self.count_file)]
        self.process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=2) as probe:
                    probe.noop()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.count_file.unlink(missing_ok=True)

    @property
    def received(self) -> int:
        text = self.count_file.read_text().strip()
        return int(text) if text else 0


def _raw_messages(rows) -> list[tuple[str, str, str, str]]:
    return [(row.recipient_email, row.subject, row.body_text, row.body_html) for row in rows]


def send_raw(port: int, sender: str, messages) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for to, subject, text, html in messages:
            message = EmailMessage()
            message["From"] = sender
            message["To"] = to
            message["Subject"] = subject
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            smtp.send_message(message)
    return time.perf_counter() - started


def bench_reminders(manifest: Manifest) -> ReminderResult:
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Action, ReminderOutbox
    from tracker.reminders.outbox import process_name, queue_day
    from tracker.reminders.sending import deliver_pending

    day = date.fromisoformat(manifest.day)
    with SmtpSink() as sink:
        app = create_app(
            "development",
            {
                "SQLALCHEMY_DATABASE_URI": manifest.url,
                "AS_AT_DATE": day,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": sink.port,
                "MAIL_BACKEND": "smtp",
            },
        )
        with app.app_context():
            started = time.perf_counter()
            queued = queue_day(day, process_name("bench"))
            queued_at = time.perf_counter()
            report = deliver_pending()
            sent_at = time.perf_counter()
            if queued is None or report.sent != queued.digests or report.failures:
                raise RuntimeError(f"reminder run went wrong: {queued}, {report}")
            rows = list(db.session.scalars(select(ReminderOutbox).where(ReminderOutbox.day == day)))
            action_ids = {i for row in rows for i in row.action_ids}
            overdue = db.session.scalar(
                select(db.func.count(Action.id)).where(
                    Action.id.in_(action_ids), Action.current_due_date < day
                )
            )
            messages = _raw_messages(rows)
            sender = app.config["MAIL_DEFAULT_SENDER"]
            db.session.remove()
            db.engine.dispose()
        raw_seconds = send_raw(sink.port, sender, messages)
        if sink.received != 2 * len(rows):
            raise RuntimeError(f"the SMTP server received {sink.received}, not {2 * len(rows)}")
    return ReminderResult(
        emails=report.sent,
        overdue_actions=overdue,
        queue_seconds=queued_at - started,
        send_seconds=sent_at - queued_at,
        raw_seconds=raw_seconds,
    )
