"""Issue 16 review: what an attacker, a newcomer and a screen-reader user found after the
sign-in work landed, each checked here (docs/security.md)."""

import re
import threading

import requests
from sqlalchemy import select

from tests.conftest import CSRF_RE as CSRF
from tests.conftest import PROVIDER_NAME, csrf_token, form_post, sign_in
from tests.test_admin_people import _fill_in_new_person, _user
from tests.test_oidc import INVITED, provider_sign_in
from tests.test_oidc import person as invited
from tests.test_two_factor import code, give_two_factor, person, steady_step
from tracker.auth.account_tokens import RESET, issue_token
from tracker.extensions import db
from tracker.models import AccountToken, AuditEvent, User, UserSession, utcnow
from tracker.reminders.sending import deliver_pending

ADMIN = "laura.pickering@example.org"
PERSON = "gareth.pryce@example.org"
NEW = "sam.okafor@example.org"
COUNCIL = "Tenby Council"
NEW_PASSWORD = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}


def passwords_off(settings) -> None:
    settings(LOCAL_PASSWORDS=False, BREAK_GLASS_ADMIN=ADMIN, OIDC_PROVIDER_NAME=COUNCIL)


def text(response) -> str:
    return response.get_data(as_text=True)


def bodies(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


# --- LOCAL_PASSWORDS=off: no one is offered a password they cannot use ---------------------


def test_with_passwords_off_an_invitation_says_sign_in_with_the_council(
    seeded, client, smtp_server, settings
):
    passwords_off(settings)
    sign_in(client, ADMIN)
    assert f"telling them to sign in with {COUNCIL}" in text(client.get("/admin/people/new"))
    _fill_in_new_person(client)
    check = text(client.get("/admin/people/new/check"))
    assert f"to sign in with {COUNCIL}" in check and "link to create a password" not in check
    client.post("/admin/people/new/check", data={"csrf_token": csrf_token(client, "/admin/people")})
    deliver_pending()
    [invite] = smtp_server.to(NEW)
    assert "create your password" not in invite["Subject"]
    for body in bodies(invite):
        assert f"Sign in with {COUNCIL}" in body
        assert "set-password" not in body and "Create your password" not in body
        assert "http://tracker.test/sign-in" in body
    assert db.session.scalars(select(AccountToken)).all() == []  # no usable link exists
    page = text(client.get(f"/admin/people/{_user(NEW).id}"))
    assert f"Invited: has not signed in with {COUNCIL} yet" in page
    assert "Send a new link to set a password" not in page


def test_with_passwords_off_an_admins_new_link_is_not_a_password_reset(
    seeded, client, smtp_server, settings
):
    passwords_off(settings)
    sign_in(client, ADMIN)
    target = person(PERSON)  # has a password from before passwords were turned off
    answer = form_post(client, f"/admin/people/{target.id}/send-link", {})
    assert f"how to sign in with {COUNCIL}" in text(client.get(answer.headers["Location"]))
    deliver_pending()
    [message] = smtp_server.to(PERSON)
    assert "Reset your password" not in message["Subject"]
    for body in bodies(message):
        assert "set-password" not in body and f"Sign in with {COUNCIL}" in body
    assert db.session.scalars(select(AccountToken)).all() == []


def test_with_passwords_off_an_earlier_link_no_longer_sets_a_password(seeded, client, settings):
    token = issue_token(person(PERSON), RESET)
    db.session.commit()
    before = person(PERSON).password_hash
    passwords_off(settings)
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 410
    assert "You do not need a password for this service" in text(page)
    assert f"Sign in with {COUNCIL}" in text(page)
    client.post(f"/set-password/{token}", data=NEW_PASSWORD)
    assert person(PERSON).password_hash == before


def test_with_passwords_off_your_account_offers_no_password_change(seeded, client, settings):
    sign_in(client, PERSON)
    passwords_off(settings)
    page = text(client.get("/account"))
    assert f"With {COUNCIL}: this service does not use a password for you" in page
    assert 'href="/account/password"' not in page


# --- Sign-ins through the council's provider are counted on "Your account" ----------------


def test_your_account_shows_the_last_council_sign_in(seeded, client):
    earlier = utcnow().replace(year=2025, month=3, day=4, hour=10, minute=0)
    db.session.add(
        AuditEvent(
            event="sign_in.oidc_succeeded",
            actor_id=person(PERSON).id,
            subject=PERSON,
            occurred_at=earlier,
        )
    )
    db.session.commit()
    sign_in(client, PERSON)
    page = text(client.get("/account"))
    assert "This is your first sign-in" not in page
    assert "4 March 2025" in page


# --- The half-way state of two-factor sign-in ----------------------------------------------


def test_a_password_reset_ends_a_sign_in_waiting_for_its_code(seeded, app):
    secret, _ = give_two_factor(PERSON)
    intruder = app.test_client()
    assert sign_in(intruder, PERSON).headers["Location"] == "/sign-in/code"  # the old password
    form_token = csrf_token(intruder, "/sign-in/code")
    token = issue_token(person(PERSON), RESET)
    db.session.commit()
    form_post(app.test_client(), f"/set-password/{token}", NEW_PASSWORD)
    data = {"code": code(secret, steady_step()), "csrf_token": form_token}
    answer = intruder.post("/sign-in/code", data=data)
    assert answer.headers["Location"] == "/sign-in"
    assert db.session.scalars(select(UserSession)).all() == []


# --- An admin ending their own sessions -----------------------------------------------------


def test_an_admin_ending_their_own_sessions_stays_signed_in_on_this_device(seeded, app):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, ADMIN)
    sign_in(phone, ADMIN)
    me = person(ADMIN)
    page = text(laptop.get(f"/admin/people/{me.id}"))
    assert "Sign out of all your other devices" in page
    answer = form_post(laptop, f"/admin/people/{me.id}/end-sessions", {})
    after = laptop.get(answer.headers["Location"])
    assert after.status_code == 200
    assert "signed out of 1 session on other devices" in text(after)
    assert phone.get("/plans").status_code == 302
    assert laptop.get("/plans").status_code == 200


# --- Code fields: the right keyboard, and recovery codes on their own page ------------------


def input_tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def test_code_fields_ask_for_numbers_and_recovery_codes_get_a_text_field(seeded, client):
    sign_in(client, PERSON)
    field = input_tag(text(client.get("/account/two-factor/set-up")), "code")
    assert 'inputmode="numeric"' in field and 'autocomplete="one-time-code"' in field
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})

    _, recovery_codes = give_two_factor(PERSON)
    sign_in(client, PERSON)
    page = text(client.get("/sign-in/code"))
    field = input_tag(page, "code")
    assert 'inputmode="numeric"' in field and 'autocomplete="one-time-code"' in field
    assert 'href="/sign-in/code?use=recovery-code"' in page
    recovery = text(client.get("/sign-in/code?use=recovery-code"))
    assert '<h1 class="govuk-heading-l">Enter a recovery code</h1>' in recovery
    assert "inputmode" not in input_tag(recovery, "code")
    empty = text(form_post(client, "/sign-in/code?use=recovery-code", {"code": ""}))
    assert 'href="#code"' in empty and "Enter one of your recovery codes" in empty
    done = form_post(client, "/sign-in/code?use=recovery-code", {"code": recovery_codes[0]})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    latest = select(UserSession).order_by(UserSession.id.desc())
    assert db.session.scalars(latest).first().method == "password+recovery"


def test_with_passwords_off_there_is_no_two_factor_to_set_up(seeded, client, settings):
    sign_in(client, PERSON)
    passwords_off(settings)
    page = text(client.get("/account/two-factor"))
    assert f"You sign in with {COUNCIL}, not with a password" in page
    assert "Set up two-factor authentication</a>" not in page
    assert client.get("/account/two-factor/set-up").headers["Location"] == "/account/two-factor"


# --- An admin's own two-factor is changed from Your account, with their password -------------


def test_an_admin_cannot_reset_their_own_two_factor_from_the_admin_pages(seeded, client):
    sign_in(client, ADMIN)
    give_two_factor(ADMIN)
    me = person(ADMIN)
    page = text(client.get(f"/admin/people/{me.id}"))
    assert "Reset two-factor authentication" not in page
    answer = form_post(client, f"/admin/people/{me.id}/reset-two-factor", {})
    assert answer.headers["Location"] == "/account/two-factor"
    assert person(ADMIN).has_two_factor
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.two_factor_reset"))
        is None
    )


# --- Through the council's provider (the real test provider) --------------------------------


def test_a_next_page_off_this_site_is_dropped_through_the_council_sign_in(app, oidc_provider):
    invited(INVITED)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        browser = app.test_client()
        answer = provider_sign_in(browser, "invited", f"/sign-in/council?next={target}")
        assert answer.headers["Location"] == "/", target


def test_your_account_after_council_sign_ins(seeded, app, oidc_provider):
    invited(INVITED)
    provider_sign_in(app.test_client(), "invited")
    browser = app.test_client()
    provider_sign_in(browser, "invited")
    page = text(browser.get("/account"))
    assert "This is your first sign-in" not in page  # the first council sign-in counts
    assert f"With {PROVIDER_NAME}" in page and 'href="/account/password"' not in page
    assert "Council sign-in" in page  # how this device signed in
    admin = app.test_client()
    sign_in(admin, ADMIN)
    linked = db.session.scalar(select(User).where(User.email == INVITED))
    person_page = admin.get(f"/admin/people/{linked.id}")
    assert person_page.status_code == 200 and "Invited:" not in text(person_page)
    row = re.search(
        rf"<tr[^>]*>(?:(?!</tr>).)*{INVITED}.*?</tr>", text(admin.get("/admin/people")), re.S
    )
    assert row and "Active" in row.group(0) and "Invited</strong>" not in row.group(0)


def test_a_lone_admin_who_lost_their_phone_is_reset_on_the_server(seeded, app):
    give_two_factor(ADMIN)
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", "--email", ADMIN])
    assert result.exit_code == 0, result.output
    assert not person(ADMIN).has_two_factor
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.two_factor_reset"))
    again = app.test_cli_runner().invoke(args=["users", "reset-two-factor", "--email", ADMIN])
    assert again.exit_code != 0 and "does not have two-factor" in again.output


# --- Two sign-ins racing with one code ------------------------------------------------------


def _half_signed_in(base: str) -> tuple[requests.Session, str]:
    """A browser that has given the right password: its session and the code page's token."""
    browser = requests.Session()
    page = browser.get(f"{base}/sign-in").text
    token = CSRF.search(page).group(1)
    data = {"email": PERSON, "password": "improvement-plan-demo", "csrf_token": token}
    browser.post(f"{base}/sign-in", data=data, allow_redirects=False)
    return browser, CSRF.search(browser.get(f"{base}/sign-in/code").text).group(1)


def test_two_sign_ins_racing_with_one_code_let_one_in(seeded, live_server):
    secret, recovery_codes = give_two_factor(PERSON)
    for value in (code(secret, steady_step()), recovery_codes[0]):
        browsers = [_half_signed_in(live_server.url) for _ in range(4)]
        start = threading.Barrier(len(browsers))
        answers = []

        def enter(browser, token, value=value, start=start, answers=answers):
            start.wait()
            answer = browser.post(
                f"{live_server.url}/sign-in/code",
                data={"code": value, "csrf_token": token},
                allow_redirects=False,
            )
            answers.append(answer.status_code)

        threads = [threading.Thread(target=enter, args=b) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [200, 200, 200, 302], value
    assert len(db.session.scalars(select(UserSession)).all()) == 2


# --- A device signed out from elsewhere is told why, once -----------------------------------


def test_a_device_signed_out_elsewhere_is_told_why_once(seeded, app):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, PERSON)
    sign_in(phone, PERSON)
    form_post(
        phone,
        "/account/password",
        {
            "current_password": "improvement-plan-demo",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    answer = laptop.get("/plans")
    assert answer.headers["Location"].startswith("/sign-in")
    page = text(laptop.get(answer.headers["Location"]))
    assert "signed out because your password was changed on another device" in page
    assert "password was changed" not in text(laptop.get("/sign-in"))  # said once

    sign_in(laptop, PERSON, "a brand new passphrase")
    admin = app.test_client()
    sign_in(admin, ADMIN)
    form_post(admin, f"/admin/people/{person(PERSON).id}/end-sessions", {})
    page = text(laptop.get(laptop.get("/plans").headers["Location"]))
    assert "You have been signed out by an administrator" in page
