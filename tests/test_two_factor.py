"""Issue 16 item 2: two-factor authentication (TOTP) for local accounts, with recovery codes.

Codes are made here with pyotp for chosen 30-second steps around now, as the person's phone
would; the tracker accepts the step before and after the current one, once each."""

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select, update

from tests.conftest import csrf_token, form_post, sign_in
from tracker.auth.two_factor import new_recovery_codes
from tracker.extensions import db
from tracker.models import AuditEvent, RecoveryCode, User, UserSession, utcnow

PERSON = "gareth.pryce@example.org"
ADMIN = "laura.pickering@example.org"
PASSWORD = "improvement-plan-demo"


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def steady_step() -> int:
    """The current 30-second step, waiting out a step about to end so a test's codes stay
    within the accepted window for the seconds it runs."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return int(time.time() // 30)


def code(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def give_two_factor(email: str) -> tuple[str, list[str]]:
    """Two-factor on for this person, as if set up: their secret and recovery codes."""
    user = person(email)
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(user)
    db.session.commit()
    return user.totp_secret, codes


def sessions_of(email: str) -> int:
    user_id = person(email).id
    return db.session.scalar(
        select(func.count(UserSession.id)).where(UserSession.user_id == user_id)
    )


def enter_code(client, value: str):
    return form_post(client, "/sign-in/code", {"code": value})


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_setting_up_shows_a_qr_code_and_key_and_gives_recovery_codes_once(seeded, client):
    sign_in(client, PERSON)
    page = page_text(client.get("/account/two-factor/set-up"))
    assert "<svg" in page and 'aria-label="QR code' in page  # drawn on the server, inline
    secret = person(PERSON).totp_secret
    assert secret and " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page
    assert person(PERSON).totp_enabled_at is None  # not in force until confirmed
    wrong = page_text(form_post(client, "/account/two-factor/set-up", {"code": "000000"}))
    assert "Enter the code your authenticator app shows now" in wrong
    assert person(PERSON).totp_enabled_at is None
    step = steady_step()
    done = page_text(form_post(client, "/account/two-factor/set-up", {"code": code(secret, step)}))
    assert "Two-factor authentication is on" in done
    codes = re.findall(r"<code[^>]*>([a-z0-9]{5}-[a-z0-9]{5})</code>", done)
    assert len(codes) == 8 and len(set(codes)) == 8
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 8
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in stored)
    assert person(PERSON).totp_enabled_at is not None
    assert client.get("/account/two-factor/set-up").headers["Location"] == "/account/two-factor"
    again = page_text(client.get("/account/two-factor"))
    assert not any(c in again for c in codes)  # shown once only
    assert "Recovery codes left" in again
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.event == "user.two_factor_turned_on")
    )


def test_signing_in_asks_for_a_code_after_the_password(seeded, client):
    secret, _ = give_two_factor(PERSON)
    step = steady_step()
    answer = sign_in(client, PERSON)
    assert answer.headers["Location"] == "/sign-in/code"
    assert sessions_of(PERSON) == 0
    page = page_text(client.get("/sign-in/code"))
    assert "Enter the code from your authenticator app" in page
    done = enter_code(client, code(secret, step))
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/plans").status_code == 200
    record = db.session.scalar(select(UserSession))
    assert record.method == "password+totp"
    events = db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)).all()
    assert events[-2:] == ["sign_in.password_accepted", "sign_in.succeeded"]


def test_half_signed_in_reaches_nothing(seeded, client):
    give_two_factor(ADMIN)
    sign_in(client, ADMIN)
    for url in ("/", "/plans", "/account", "/admin/", "/admin/people", "/audit"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in"), url
    token = csrf_token(client, "/sign-in/code")
    posted = client.post("/account/sessions/end-others", data={"csrf_token": token})
    assert posted.status_code == 302 and posted.headers["Location"].startswith("/sign-in")
    assert sessions_of(ADMIN) == 0
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie


def test_the_half_way_state_lapses_after_five_minutes(seeded, client):
    secret, _ = give_two_factor(PERSON)
    step = steady_step()
    sign_in(client, PERSON)
    with client.session_transaction() as cookie:
        waiting = cookie["awaiting_code"]
        waiting["since"] = "2000-01-01T00:00:00+00:00"
        cookie["awaiting_code"] = waiting
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert enter_code_refused(client, code(secret, step))
    assert sessions_of(PERSON) == 0


def enter_code_refused(client, value: str) -> bool:
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in/code", data={"code": value, "csrf_token": token})
    return response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_wrong_codes_are_throttled_like_passwords(seeded, client):
    secret, _ = give_two_factor(PERSON)
    step = steady_step()
    sign_in(client, PERSON)
    for _ in range(10):
        page = page_text(enter_code(client, "123456" if code(secret, step) != "123456" else "1"))
        assert "Enter a correct code" in page
    refused = page_text(enter_code(client, code(secret, step)))
    assert "too many attempts to sign in with this email address" in refused
    assert sessions_of(PERSON) == 0
    failures = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.event == "sign_in.code_failed")
    )
    assert failures == 10


def test_wrong_codes_count_against_the_client_too(seeded, client, settings):
    settings(SIGN_IN_MAX_FAILURES_PER_CLIENT=3)
    secret, _ = give_two_factor(PERSON)
    step = steady_step()
    sign_in(client, PERSON)
    for _ in range(3):
        enter_code(client, "99999" + ("8" if code(secret, step)[-1] != "8" else "7"))
    refused = page_text(enter_code(client, code(secret, step)))
    assert "too many failed attempts to sign in from your network" in refused
    assert sessions_of(PERSON) == 0


def test_a_code_used_once_is_refused_within_its_window(seeded, app):
    secret, _ = give_two_factor(PERSON)
    step = steady_step()
    first, second = app.test_client(), app.test_client()
    sign_in(first, PERSON)
    assert enter_code(first, code(secret, step)).status_code == 302
    sign_in(second, PERSON)
    refused = page_text(enter_code(second, code(secret, step)))
    assert "That code has already been used" in refused
    # An earlier step's code is refused as well: only steps after the last one used count.
    refused = page_text(enter_code(second, code(secret, step - 1)))
    assert "That code has already been used" in refused
    assert sessions_of(PERSON) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "sign_in.code_reused"))
    assert enter_code(second, code(secret, step + 1)).status_code == 302  # the next one works


def test_a_recovery_code_works_once(seeded, app):
    _, codes = give_two_factor(PERSON)
    first, second = app.test_client(), app.test_client()
    sign_in(first, PERSON)
    answer = enter_code(first, codes[3].upper().replace("-", " "))  # as someone might type it
    assert answer.status_code == 302
    notice = page_text(first.get("/account"))
    assert "You have 7 recovery codes left" in notice
    assert db.session.scalar(select(UserSession.method)) == "password+recovery"
    sign_in(second, PERSON)
    refused = page_text(enter_code(second, codes[3]))
    assert "That recovery code has already been used" in refused
    assert sessions_of(PERSON) == 1
    assert enter_code(second, codes[4]).status_code == 302  # another one still works


def test_an_admin_in_production_sets_up_two_factor_before_anything_else(seeded, client, settings):
    settings(REQUIRE_2FA_FOR_ADMINS=True)
    sign_in(client, ADMIN)
    for url in ("/", "/plans", "/admin/", "/account", "/audit"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/account/two-factor/set-up", url
    page = page_text(client.get("/account/two-factor/set-up"))
    assert "required for your account" in page
    secret = person(ADMIN).totp_secret
    step = steady_step()
    form_post(client, "/account/two-factor/set-up", {"code": code(secret, step)})
    assert client.get("/admin/").status_code == 200
    # It cannot be turned off while it is required.
    off = client.get("/account/two-factor/turn-off")
    assert off.status_code == 302 and off.headers["Location"] == "/account/two-factor"


def test_others_are_not_asked_unless_everyone_must(seeded, client, settings):
    settings(REQUIRE_2FA_FOR_ADMINS=True)
    sign_in(client, PERSON)
    assert client.get("/plans").status_code == 200
    settings(REQUIRE_2FA_FOR_ADMINS=True, REQUIRE_2FA_FOR_EVERYONE=True)
    response = client.get("/plans")
    assert response.headers["Location"] == "/account/two-factor/set-up"


def test_people_signed_in_through_the_council_provider_are_not_asked(seeded, client, settings):
    settings(REQUIRE_2FA_FOR_EVERYONE=True)
    sign_in(client, ADMIN)
    assert client.get("/plans").status_code == 302
    db.session.execute(update(UserSession).values(method="oidc"))
    db.session.commit()
    assert client.get("/plans").status_code == 200


def test_production_requires_two_factor_of_admins_by_default(monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("REQUIRE_2FA_FOR_ADMINS", raising=False)
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert production.config["REQUIRE_2FA_FOR_ADMINS"] is True
    development = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert development.config["REQUIRE_2FA_FOR_ADMINS"] is False


def test_turning_off_and_new_recovery_codes_need_the_password(seeded, client):
    _, old_codes = give_two_factor(PERSON)
    sign_in(client, PERSON)
    enter_code(client, old_codes[0])
    wrong = page_text(
        form_post(client, "/account/two-factor/recovery-codes", {"current_password": "nope"})
    )
    assert "Your password is not right" in wrong
    fresh = page_text(
        form_post(client, "/account/two-factor/recovery-codes", {"current_password": PASSWORD})
    )
    new_codes = re.findall(r"<code[^>]*>([a-z0-9]{5}-[a-z0-9]{5})</code>", fresh)
    assert len(new_codes) == 8 and not set(new_codes) & set(old_codes)
    wrong = page_text(form_post(client, "/account/two-factor/turn-off", {"current_password": "x"}))
    assert "Your password is not right" in wrong
    assert person(PERSON).totp_enabled_at is not None
    form_post(client, "/account/two-factor/turn-off", {"current_password": PASSWORD})
    user = person(PERSON)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    other = client.application.test_client()
    assert sign_in(other, PERSON).headers["Location"] == "/"  # the password alone again


def test_an_admin_resets_someones_two_factor(seeded, client):
    give_two_factor(PERSON)
    sign_in(client, ADMIN)
    target = person(PERSON)
    assert "Reset two-factor authentication" in page_text(client.get(f"/admin/people/{target.id}"))
    form_post(client, f"/admin/people/{target.id}/reset-two-factor", {})
    assert person(PERSON).totp_enabled_at is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.two_factor_reset"))


@pytest.mark.parametrize("value", ["", "12345", "1234567", "abcdef", "x" * 40])
def test_malformed_codes_are_refused_without_an_error(seeded, client, value):
    give_two_factor(PERSON)
    sign_in(client, PERSON)
    response = enter_code(client, value)
    assert response.status_code == 200
    assert sessions_of(PERSON) == 0
