"""Issue 16 item 3: a session per device, kept server-side. Signing in on a second device leaves
the first signed in; "Your account" lists the sessions and ends them one at a time or all but
this one; a password change or reset, deactivation and an admin's "End all sessions" end all."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import csrf_token, form_post, sign_in
from tracker.auth.account_tokens import RESET, issue_token
from tracker.auth.devices import device_from_user_agent
from tracker.auth.sessions import key_hash
from tracker.extensions import db
from tracker.models import AuditEvent, User, UserSession, utcnow

PERSON = "gareth.pryce@example.org"
ADMIN = "laura.pickering@example.org"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def device(app, user_agent: str | None = None):
    browser = app.test_client()
    if user_agent:
        browser.environ_base["HTTP_USER_AGENT"] = user_agent
    return browser


def signed_in(browser) -> bool:
    response = browser.get("/plans")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def open_records(email: str) -> list[UserSession]:
    query = select(UserSession).where(
        UserSession.user_id == person(email).id, UserSession.ended_at.is_(None)
    )
    return list(db.session.scalars(query.order_by(UserSession.id)))


def test_two_devices_stay_signed_in_and_your_account_lists_both(seeded, app):
    laptop, phone = device(app, CHROME_WINDOWS), device(app, SAFARI_IPHONE)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    assert signed_in(laptop) and signed_in(phone)
    records = open_records(PERSON)
    assert [r.device for r in records] == ["Chrome on Windows", "Safari on an iPhone"]
    assert {r.method for r in records} == {"password"}
    page = phone.get("/account").get_data(as_text=True)
    sessions = page[page.index('data-testid="sessions"') : page.index("</table>")]
    assert "Chrome on Windows" in sessions and "Safari on an iPhone" in sessions
    assert re.search(r"Safari on an iPhone\s*<strong[^>]*>This device</strong>", sessions)
    assert sessions.count("This device</strong>") == 1
    assert sessions.count("Sign out of this device") == 2
    assert "Sign out of all other devices" in page


def test_the_cookie_carries_a_random_id_and_only_its_hash_is_stored(seeded, client):
    sign_in(client, PERSON)
    with client.session_transaction() as cookie:
        key = cookie["_user_id"]
    stored = db.session.scalars(select(UserSession.token_hash)).all()
    assert stored == [key_hash(key)] and key not in stored
    assert str(person(PERSON).id) != key and len(key) >= 40


def test_signing_out_ends_only_this_device(seeded, app):
    laptop, phone = device(app), device(app)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    laptop.post("/sign-out", data={"csrf_token": csrf_token(laptop, "/plans")})
    assert not signed_in(laptop)
    assert signed_in(phone)
    reasons = db.session.scalars(select(UserSession.ended_reason).order_by(UserSession.id))
    assert list(reasons) == ["signed_out", None]


def test_sign_out_of_another_device_from_your_account(seeded, app):
    laptop, phone = device(app, CHROME_WINDOWS), device(app, SAFARI_IPHONE)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    phone_record = open_records(PERSON)[1]
    token = csrf_token(laptop, "/account")
    answer = laptop.post(f"/account/sessions/{phone_record.id}/end", data={"csrf_token": token})
    assert answer.status_code == 302
    assert "Safari on an iPhone has been signed out" in laptop.get("/account").get_data(
        as_text=True
    )
    assert not signed_in(phone)
    assert signed_in(laptop)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "session.ended"))
    assert event.after == {"device": "Safari on an iPhone"}


def test_one_cannot_end_someone_elses_session(seeded, app):
    theirs, mine = device(app), device(app)
    sign_in(theirs, ADMIN)
    sign_in(mine, PERSON)
    their_record = open_records(ADMIN)[0]
    token = csrf_token(mine, "/account")
    mine.post(f"/account/sessions/{their_record.id}/end", data={"csrf_token": token})
    assert signed_in(theirs)


def test_the_this_device_button_signs_this_browser_out(seeded, app):
    laptop, phone = device(app), device(app)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    this_one = open_records(PERSON)[0]
    token = csrf_token(laptop, "/account")
    answer = laptop.post(f"/account/sessions/{this_one.id}/end", data={"csrf_token": token})
    assert answer.headers["Location"] == "/signed-out"
    assert not signed_in(laptop) and signed_in(phone)


def test_sign_out_of_all_other_devices(seeded, app):
    laptop, phone, tablet = device(app), device(app), device(app)
    for browser in (laptop, phone, tablet):
        sign_in(browser, PERSON)
    token = csrf_token(tablet, "/account")
    tablet.post("/account/sessions/end-others", data={"csrf_token": token})
    assert "signed out of 2 other devices" in tablet.get("/account").get_data(as_text=True)
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(tablet)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "sessions.ended"))
    assert event.after == {"reason": "signed out of all other devices", "sessions": 2}


CHANGE = {
    "current_password": "improvement-plan-demo",
    "password": "a brand new passphrase",
    "confirm": "a brand new passphrase",
}


def test_changing_the_password_ends_every_other_session(seeded, app):
    laptop, phone, tablet = device(app), device(app), device(app)
    for browser in (laptop, phone, tablet):
        sign_in(browser, PERSON)
    assert form_post(laptop, "/account/password", CHANGE).status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone) and not signed_in(tablet)
    assert [r.ended_reason for r in open_records(PERSON)] == [None]


def test_resetting_the_password_ends_every_session(seeded, app):
    laptop, phone, stranger = device(app), device(app), device(app)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    token = issue_token(person(PERSON), RESET)
    db.session.commit()
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert form_post(stranger, f"/set-password/{token}", new).status_code == 302
    assert not signed_in(laptop) and not signed_in(phone)
    assert open_records(PERSON) == []
    reasons = db.session.scalars(select(UserSession.ended_reason)).all()
    assert reasons == ["password_reset", "password_reset"]


def test_deactivation_ends_every_session(seeded, app):
    laptop, phone, admin = device(app), device(app), device(app)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    sign_in(admin, ADMIN)
    target = person(PERSON)
    answer = form_post(admin, f"/admin/people/{target.id}/deactivate", {})
    assert answer.status_code == 302
    assert not signed_in(laptop) and not signed_in(phone)
    assert open_records(PERSON) == []
    # Reactivated, the old cookies still load no one: their sessions have ended.
    db.session.execute(update(User).where(User.id == target.id).values(active=True))
    db.session.commit()
    assert not signed_in(laptop)


def test_an_admin_ends_all_of_a_persons_sessions(seeded, app):
    laptop, phone, admin = device(app), device(app), device(app)
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    sign_in(admin, ADMIN)
    target = person(PERSON)
    page = admin.get(f"/admin/people/{target.id}").get_data(as_text=True)
    assert "On 2 devices" in page and "End all sessions" in page
    form_post(admin, f"/admin/people/{target.id}/end-sessions", {})
    page = admin.get(f"/admin/people/{target.id}").get_data(as_text=True)
    assert "signed out of 2 sessions" in page and "Not signed in" in page
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(admin)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "sessions.ended"))
    assert event.after == {"reason": "ended by an admin", "sessions": 2}
    assert event.actor_id == person(ADMIN).id


def test_only_admins_end_other_peoples_sessions(seeded, app):
    mine, target = device(app), device(app)
    sign_in(target, ADMIN)
    sign_in(mine, PERSON)
    admin = person(ADMIN)
    answer = mine.post(
        f"/admin/people/{admin.id}/end-sessions", data={"csrf_token": csrf_token(mine, "/plans")}
    )
    assert answer.status_code == 403
    assert signed_in(target)


def test_a_timeout_ends_the_session_record(seeded, client):
    sign_in(client, PERSON)
    with client.session_transaction() as cookie:
        cookie["last_seen_at"] = (utcnow() - timedelta(minutes=31)).isoformat()
    assert not signed_in(client)
    record = db.session.scalar(select(UserSession))
    assert record.ended_reason == "idle" and record.ended_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "session.timed_out"))
    assert event.after == {"reason": "inactive for too long"}


def test_the_server_side_record_times_out_too(seeded, client):
    """A copy of a cookie kept fresh does not outlive the 12 hours its record began."""
    sign_in(client, PERSON)
    db.session.execute(
        update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
    )
    db.session.commit()
    assert not signed_in(client)
    assert db.session.scalar(select(UserSession.ended_reason)) == "expired"


def test_last_seen_is_written_at_most_once_a_minute(seeded, client):
    sign_in(client, PERSON)
    earlier = utcnow() - timedelta(minutes=5)
    db.session.execute(update(UserSession).values(last_seen_at=earlier))
    db.session.commit()
    assert signed_in(client)
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen > earlier + timedelta(minutes=4)
    just_now = utcnow() - timedelta(seconds=20)
    db.session.execute(update(UserSession).values(last_seen_at=just_now))
    db.session.commit()
    assert signed_in(client)
    assert db.session.scalar(select(UserSession.last_seen_at)) == just_now


@pytest.mark.parametrize(
    "user_agent, expected",
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on an iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on a Mac",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown device"),
        (None, "Unknown device"),
    ],
)
def test_an_approximate_device_from_the_user_agent(user_agent, expected):
    assert device_from_user_agent(user_agent) == expected


def test_two_people_are_never_equal_outside_a_request(seeded):
    """Flask-Login compares people by their session key, which is empty outside a request: two
    admins compared equal, and a reminder meant for both reached one."""
    first, second = db.session.scalars(select(User).order_by(User.id).limit(2)).all()
    assert first != second
    assert (first == second) is False
    assert first == db.session.get(User, first.id)
    assert len({first, second}) == 2
