"""Issue 16 item 1: signing in with the council's identity provider, against the real, certified
oidc-provider (tests/oidc_provider): who gets in, who is refused (with a page that says why,
an audit event and no session), key rotation, and local passwords turned off."""

import pytest
from sqlalchemy import select

from tests.conftest import PROVIDER_NAME, sign_in
from tests.oidc_support import local_path, through_provider
from tracker.auth.sessions import key_hash
from tracker.extensions import db
from tracker.models import AuditEvent, User, UserSession

INVITED = "invited@council.example"


def person(email: str, **fields) -> User:
    user = User(email=email, name="Sam Invited", role="head_of_service", **fields)
    db.session.add(user)
    db.session.commit()
    return user


def provider_sign_in(client, login: str, start: str = "/sign-in/council"):
    """Start at the tracker, sign in at the provider as `login`, come back; the response."""
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)
    return client.get(local_path(through_provider(started.headers["Location"], login)))


def signed_in_as(client) -> str | None:
    """Whose session this browser holds (its cookie carries a session key, not a user id)."""
    with client.session_transaction() as stored:
        key = stored.get("_user_id")
    if not key:
        return None
    record = db.session.scalar(select(UserSession).where(UserSession.token_hash == key_hash(key)))
    return str(record.user_id) if record is not None and record.ended_at is None else None


def refusals() -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.event == "sign_in.oidc_refused")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def assert_refused(client, response, status: int, title: str, reason: str) -> None:
    """A GOV.UK page saying what happened and who to contact; audited; nobody signed in."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert f"<title>{title}" in page
    assert "Get help" in page
    events = refusals()
    assert events and reason in events[-1].after["reason"], [e.after for e in events]
    assert signed_in_as(client) is None


def test_the_sign_in_page_offers_the_council_sign_in_only_when_configured(app, client, settings):
    assert "Sign in with" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/council").status_code == 404
    settings(OIDC_ISSUER="https://login.example/tenant/v2.0", OIDC_CLIENT_ID="tracker")
    settings(OIDC_PROVIDER_NAME=PROVIDER_NAME)
    assert f"Sign in with {PROVIDER_NAME}" in client.get("/sign-in").get_data(as_text=True)


def test_an_invited_person_signs_in_lands_home_and_is_linked(app, client, oidc_provider):
    user = person(INVITED)
    response = provider_sign_in(client, "invited")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == str(user.id)
    home = client.get("/my-actions")
    assert home.status_code == 200 and "My actions" in home.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.oidc_issuer, user.oidc_subject) == (oidc_provider.issuer, "invited")
    assert user.role == "head_of_service"  # roles stay the tracker's
    events = [e.event for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events == ["user.oidc_linked", "sign_in.oidc_succeeded"]


def test_once_linked_the_subject_decides_not_the_email(app, client, oidc_provider):
    user = person(INVITED)
    provider_sign_in(client, "invited")
    client.post("/sign-out", data={"csrf_token": ""})
    with client.session_transaction() as stored:
        stored.clear()
    user.email = "renamed@council.example"  # the tracker's address changes; the link holds
    db.session.commit()
    response = provider_sign_in(client, "invited")
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.id)


def test_an_account_linked_to_another_subject_is_not_taken_over_by_email(
    app, client, oidc_provider
):
    """Until an admin unlinks it (flask users unlink-sso), after which it links afresh."""
    user = person(INVITED)
    provider_sign_in(client, "invited")  # subject "invited"
    with client.session_transaction() as stored:
        stored.clear()
    response = provider_sign_in(client, INVITED)  # same verified address, another subject
    title = "Your account is linked to a different sign-in"
    assert_refused(client, response, 403, title, "already linked")

    result = app.test_cli_runner().invoke(args=["users", "unlink-sso", "--email", INVITED])
    assert result.exit_code == 0, result.output
    assert provider_sign_in(client, INVITED).status_code == 302
    db.session.refresh(user)
    assert user.oidc_subject == INVITED


def test_the_next_page_survives_the_round_trip(app, client, oidc_provider):
    person(INVITED)
    response = provider_sign_in(client, "invited", "/sign-in/council?next=/audit")
    assert response.headers["Location"] == "/audit"


def test_an_unverified_email_is_refused(app, client, oidc_provider):
    user = person("unverified@council.example")
    response = provider_sign_in(client, "unverified:unverified@council.example")
    title = "Your email address has not been verified"
    assert_refused(client, response, 403, title, "not verified")
    db.session.refresh(user)
    assert user.oidc_subject is None and user.last_signed_in_at is None


def test_an_email_outside_the_allowed_domains_is_refused(app, client, oidc_provider):
    person("someone@elsewhere.example")
    response = provider_sign_in(client, "someone@elsewhere.example")
    assert_refused(client, response, 403, "You cannot sign in with this email address", "outside")


def test_a_person_nobody_invited_is_refused(app, client, oidc_provider):
    response = provider_sign_in(client, "stranger@council.example")
    assert_refused(client, response, 403, "You do not have access to this service", "no account")
    page = response.get_data(as_text=True)
    assert "Having a council account is not enough" in page
    assert db.session.scalar(select(User)) is None  # nobody was made


def test_an_account_deactivated_in_the_tracker_is_refused(app, client, oidc_provider):
    user = person(INVITED)
    provider_sign_in(client, "invited")  # linked while active
    with client.session_transaction() as stored:
        stored.clear()
    user.active = False
    db.session.commit()
    response = provider_sign_in(client, "invited")
    assert_refused(client, response, 403, "Your account has been deactivated", "deactivated")


def test_a_deactivated_account_is_not_linked_at_first_sign_in(app, client, oidc_provider):
    user = person(INVITED, active=False)
    response = provider_sign_in(client, "invited")
    assert_refused(client, response, 403, "Your account has been deactivated", "deactivated")
    db.session.refresh(user)
    assert user.oidc_subject is None


def test_a_replayed_callback_is_refused(app, client, oidc_provider):
    person(INVITED)
    started = client.get("/sign-in/council")
    back = local_path(through_provider(started.headers["Location"], "invited"))
    assert client.get(back).status_code == 302
    with client.session_transaction() as stored:
        stored.clear()  # signed out; the callback address is used again
    response = client.get(back)
    assert_refused(client, response, 400, "Your sign-in could not be completed", "reused")


def test_a_refused_callback_cannot_be_tried_again(app, client, oidc_provider):
    """The state is spent by the first answer, even one that was refused."""
    started = client.get("/sign-in/council")
    back = local_path(through_provider(started.headers["Location"], "stranger@council.example"))
    assert client.get(back).status_code == 403  # nobody invited that address
    person("stranger@council.example")  # invited since: the old answer still cannot be reused
    response = client.get(back)
    assert_refused(client, response, 400, "Your sign-in could not be completed", "did not match")


def test_a_replayed_callback_with_the_old_cookie_is_refused(app, client, oidc_provider):
    """Even with the session cookie from before the sign-in, the code works once only."""
    person(INVITED)
    started = client.get("/sign-in/council")
    cookie = client.get_cookie("session").value
    back = local_path(through_provider(started.headers["Location"], "invited"))
    assert client.get(back).status_code == 302
    client.set_cookie("session", cookie)
    response = client.get(back)
    title = "Your sign-in could not be checked"
    assert_refused(client, response, 400, title, "refused the authorization code")


def test_a_tampered_state_is_refused(app, client, oidc_provider):
    person(INVITED)
    started = client.get("/sign-in/council")
    back = local_path(through_provider(started.headers["Location"], "invited"))
    path, _, query = back.partition("?")
    tampered = query.replace("state=", "state=x", 1)
    response = client.get(f"{path}?{tampered}")
    assert_refused(client, response, 400, "Your sign-in could not be completed", "did not match")


def test_signing_in_again_after_the_provider_rotates_its_keys(app, client, oidc_provider):
    person(INVITED)
    assert provider_sign_in(client, "invited").status_code == 302
    with client.session_transaction() as stored:
        stored.clear()
    new_kid = oidc_provider.rotate_keys()
    assert oidc_provider.published_kids() == [new_kid]  # the old key is gone
    response = provider_sign_in(client, "invited")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert signed_in_as(client) is not None


def test_a_cancelled_sign_in_at_the_provider_is_refused(app, client, oidc_provider):
    started = client.get("/sign-in/council")
    state = started.headers["Location"].split("state=")[1].split("&")[0]
    response = client.get(f"/sign-in/council/callback?error=access_denied&state={state}")
    assert_refused(client, response, 403, f"{PROVIDER_NAME} did not sign you in", "access_denied")


def test_an_unreachable_provider_gives_a_clear_page(app, client, settings):
    settings(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="tracker")
    response = client.get("/sign-in/council")
    assert response.status_code == 502
    assert "is not working at the moment" in response.get_data(as_text=True)


# --- Local passwords turned off ------------------------------------------------------------


def test_local_passwords_off_leaves_only_the_break_glass_admin(
    seeded, client, oidc_provider, settings
):
    admin, other = "laura.pickering@example.org", "gareth.pryce@example.org"
    settings(LOCAL_PASSWORDS=False, BREAK_GLASS_ADMIN=admin)
    page = client.get("/sign-in").get_data(as_text=True)
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert "Emergency administrator sign-in" in page
    refused = sign_in(client, other)
    assert refused.status_code == 200
    assert f"sign in with {PROVIDER_NAME} instead" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.event, event.subject) == ("sign_in.password_refused", other)
    assert sign_in(client, admin).status_code == 302
    assert signed_in_as(client) is not None


def test_local_passwords_off_sends_no_reset_links_but_the_break_glass_admins(seeded, settings):
    from tracker.auth.account_tokens import reset_wanted_for

    admin, other = "laura.pickering@example.org", "gareth.pryce@example.org"
    assert reset_wanted_for(other) is not None
    settings(LOCAL_PASSWORDS=False, BREAK_GLASS_ADMIN=admin)
    assert reset_wanted_for(other) is None
    assert reset_wanted_for(admin).email == admin


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"LOCAL_PASSWORDS": False, "BREAK_GLASS_ADMIN": "a@council.example"}, "needs single"),
        (
            {"LOCAL_PASSWORDS": False, "OIDC_ISSUER": "https://id.example", "OIDC_CLIENT_ID": "t"},
            "needs BREAK_GLASS_ADMIN",
        ),
        (
            {"SESSION_COOKIE_SECURE": True, "OIDC_ISSUER": "http://id.example"}
            | {"OIDC_CLIENT_ID": "t"},
            "https://",
        ),
    ],
)
def test_sign_in_settings_that_would_lock_people_out_refuse_to_start(overrides, problem):
    from tracker import create_app

    with pytest.raises(RuntimeError, match=problem):
        create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides})


def test_without_the_provider_installed_its_tests_skip_saying_how(monkeypatch, tmp_path):
    from tests import oidc_support

    monkeypatch.setattr(oidc_support, "PROVIDER_DIR", tmp_path)
    monkeypatch.setattr(oidc_support, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="npm ci --prefix tests/oidc_provider"):
        oidc_support.TestProvider()
    monkeypatch.setattr(oidc_support, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        oidc_support.TestProvider()
