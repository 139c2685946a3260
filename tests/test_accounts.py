"""A person's own account: password reset by email (real SMTP), set-password links that work
once and expire, changing a password, and seeing when they last signed in."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_token, sign_in
from tracker.auth import account_tokens
from tracker.extensions import db
from tracker.models import AccountToken, AuditEvent, User, utcnow
from tracker.reminders.sending import deliver_pending

PERSON = "priya.desai@example.org"
NEW_PASSWORD = "orchard lantern pebble"
LINK = re.compile(r"http://tracker\.test/set-password/[A-Za-z0-9_-]+")


def _ask_for_reset(client, email: str):
    """Ask, then run the sender as the scheduler would: the request itself sends nothing."""
    token = csrf_token(client, "/forgot-password")
    response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
    deliver_pending()
    return response


def _link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    html = message.get_body(("html",)).get_content()
    assert match.group(0) in html
    return match.group(0).removeprefix("http://tracker.test")


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_a_reset_link_arrives_by_email_and_works_once(seeded, client, smtp_server):
    response = _ask_for_reset(client, PERSON.upper())
    assert response.status_code == 302
    assert response.headers["Location"] == "/forgot-password/check-your-email"
    sent_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in sent_page and "expires after 1 hour" in sent_page

    [message] = smtp_server.to(PERSON)
    assert message["Subject"] == "Reset your password for the improvement plan tracker"
    assert "improvement-plan-demo" not in message.as_string()  # never a password in email
    path = _link_in(message)

    form = client.get(path)
    assert form.status_code == 200
    assert "Set a new password" in form.get_data(as_text=True)
    done = _set_password(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been set" in client.get("/sign-in").get_data(as_text=True)

    assert sign_in(client, PERSON, "improvement-plan-demo").status_code == 200  # old one fails
    assert sign_in(client, PERSON, NEW_PASSWORD).status_code == 302

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})
    again = client.get(path)
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    reused = client.post(
        path, data={"password": "another long password", "confirm": "another long password"}
    )
    assert reused.status_code in (400, 410)
    assert sign_in(client, PERSON, NEW_PASSWORD).status_code == 302  # unchanged by the reuse


def test_an_unknown_email_gets_the_same_answer_and_no_email(seeded, client, smtp_server):
    known = _ask_for_reset(client, PERSON)
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = _ask_for_reset(client, "nobody.here@example.org")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    nonce = re.compile(r'nonce="[^"]+"')
    assert nonce.sub("", unknown_page.replace("nobody.here@example.org", PERSON)) == nonce.sub(
        "", known_page
    )
    assert [m["To"] for m in smtp_server.messages] == [f"Priya Desai <{PERSON}>"]
    requested = db.session.scalars(
        select(AuditEvent.subject).where(AuditEvent.event == "password_reset.requested")
    )
    assert list(requested) == [PERSON, "nobody.here@example.org"]


def test_a_deactivated_account_gets_no_email(seeded, client, smtp_server):
    person = db.session.scalar(select(User).where(User.email == PERSON))
    person.active = False
    db.session.commit()
    response = _ask_for_reset(client, PERSON)
    assert response.headers["Location"] == "/forgot-password/check-your-email"
    assert smtp_server.messages == []


def test_a_link_expires_after_an_hour(seeded, client, smtp_server, monkeypatch):
    _ask_for_reset(client, PERSON)
    path = _link_in(smtp_server.messages[0])
    stored = db.session.scalar(select(AccountToken))
    assert stored.expires_at - stored.created_at == timedelta(hours=1)
    assert client.get(path).status_code == 200

    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(account_tokens, "utcnow", lambda: later)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    token = csrf_token(client, "/forgot-password")
    refused = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 410
    monkeypatch.undo()
    assert sign_in(client, PERSON, NEW_PASSWORD).status_code == 200  # not changed


def test_only_a_hash_of_the_token_is_stored_and_a_newer_link_replaces_the_older(
    seeded, client, smtp_server
):
    _ask_for_reset(client, PERSON)
    _ask_for_reset(client, PERSON)
    first, second = (_link_in(m) for m in smtp_server.messages)
    raw = first.rsplit("/", 1)[1]
    hashes = list(db.session.scalars(select(AccountToken.token_hash)))
    assert raw not in hashes and account_tokens.token_hash(raw) in hashes
    assert client.get(first).status_code == 410  # replaced by the newer link
    assert client.get(second).status_code == 200
    assert client.get("/set-password/not-a-real-token").status_code == 404


def test_reset_requests_are_limited_per_hour_without_saying_so(seeded, client, smtp_server):
    for _ in range(5):
        response = _ask_for_reset(client, PERSON)
        assert response.headers["Location"] == "/forgot-password/check-your-email"
    assert len(smtp_server.messages) == account_tokens.RESETS_PER_HOUR


def test_the_new_password_must_follow_the_rules(seeded, client, smtp_server):
    _ask_for_reset(client, PERSON)
    path = _link_in(smtp_server.messages[0])
    page = _set_password(client, path, "short").get_data(as_text=True)
    assert "Password must be 12 characters or more" in page
    assert "<title>Error: Set a new password" in page
    token = csrf_token(client, path)
    mismatch = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": "something else!", "csrf_token": token}
    )
    assert "The passwords do not match" in mismatch.get_data(as_text=True)
    assert client.get(path).status_code == 200  # refused attempts do not use the link up


def test_changing_your_password_needs_the_current_one_and_signs_out_other_devices(
    seeded, app, client
):
    other_device = app.test_client()
    sign_in(other_device, PERSON)
    sign_in(client, PERSON)
    url = "/account/password"
    token = csrf_token(client, url)
    wrong = client.post(
        url,
        data={
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "Your current password is not right" in wrong
    changed = client.post(
        url,
        data={
            "current_password": "improvement-plan-demo",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200  # this browser carries on
    assert other_device.get("/plans").status_code == 302  # the other one is signed out
    assert sign_in(other_device, PERSON, NEW_PASSWORD).status_code == 302
    events = db.session.scalars(
        select(AuditEvent.event).where(AuditEvent.event.like("password_change%"))
    )
    assert list(events) == ["password_change.failed"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.password_changed"))


def test_your_account_shows_when_you_last_signed_in(seeded, client):
    sign_in(client, PERSON)
    first = client.get("/account").get_data(as_text=True)
    assert "Your account" in first and "This is your first sign-in" in first
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, PERSON, "wrong password here")
    sign_in(client, PERSON)
    page = client.get("/account").get_data(as_text=True)
    previous = db.session.scalar(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.event == "sign_in.succeeded")
        .order_by(AuditEvent.id)
    )
    from tracker.templating import govuk_datetime

    assert "Your last sign-in before this one" in page
    assert govuk_datetime(previous) in page
    assert re.search(r"Failed attempts since then\s*</dt>\s*<dd[^>]*>\s*1\s*</dd>", page)
    assert 'href="/account"' in page  # the header links to the account page
