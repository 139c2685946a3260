"""Account emails are sent outside the request, through the outbox, so "forgot password" takes as
long whether or not the account exists, even with a slow mail server (issue 12 finding 7)."""

import asyncio
import re
import statistics
import time

import pytest
from sqlalchemy import select

from tests.conftest import SmtpInbox, csrf_token
from tracker.extensions import db
from tracker.models import AccountToken, ReminderOutbox

PERSON = "priya.desai@example.org"
NOBODY = "nobody.here@example.org"
SMTP_DELAY = 0.5  # seconds the mail server takes to accept each message


class SlowInbox(SmtpInbox):
    """A real SMTP server that takes its time over every message, as a busy relay does."""

    delay = SMTP_DELAY

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(app):
    inbox = SlowInbox()
    inbox.start()
    previous = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_BACKEND")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    app.config.pop("MAIL_BACKEND", None)
    try:
        yield inbox
    finally:
        inbox.stop()
        app.config.update({k: v for k, v in previous.items() if v is not None})


def _ask_for_reset(client, email: str) -> float:
    token = csrf_token(client, "/forgot-password")
    started = time.perf_counter()
    response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.headers["Location"] == "/forgot-password/check-your-email"
    return elapsed


def test_forgot_password_answers_as_fast_for_real_accounts_with_a_slow_mail_server(
    seeded, client, slow_smtp
):
    _ask_for_reset(client, NOBODY)  # warm up
    known, unknown = [], []
    for _ in range(3):  # three resets an hour are allowed; all three must be queued
        known.append(_ask_for_reset(client, PERSON))
        unknown.append(_ask_for_reset(client, NOBODY))
    print(f"forgot-password: known {known}, unknown {unknown}")
    assert max(known) < SMTP_DELAY / 2, known  # no SMTP conversation inside the request
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.1, (known, unknown)
    assert slow_smtp.messages == []
    # Nothing usable is stored while the email waits: the link is issued when it is sent.
    assert db.session.scalars(select(AccountToken)).all() == []
    queued = db.session.scalars(select(ReminderOutbox).where(ReminderOutbox.kind == "reset"))
    assert [row.recipient_email for row in queued] == [PERSON] * 3

    # A send run (as the scheduler does every OUTBOX_SEND_SECONDS) delivers them.
    slow_smtp.delay = 0
    result = client.application.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    messages = slow_smtp.to(PERSON)
    resets = [m for m in messages if m["Subject"].startswith("Reset your password")]
    assert len(resets) == 3
    text = resets[-1].get_body(("plain",)).get_content()
    path = re.search(r"http://tracker\.test(/set-password/[A-Za-z0-9_-]+)", text).group(1)
    assert "link-issued-when" not in text
    assert client.get(path).status_code == 200  # the newest link works
    assert slow_smtp.to(NOBODY) == []
