"""The protections a council IT review asks for. Each test fails if its protection is removed."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.auth.passwords import password_problem
from tracker.extensions import db
from tracker.models import AuditEvent, User

ADMIN = "laura.pickering@example.org"


def session_cookie(client):
    return client.get_cookie("session")


def test_session_cookie_is_httponly_and_samesite_lax(seeded, client):
    response = sign_in(client, ADMIN)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_in_production(monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_new_session_on_sign_in(seeded, client):
    client.get("/sign-in")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    sign_in(client, ADMIN)
    with client.session_transaction() as after:
        assert "planted" not in after


def test_sign_out_refuses_a_replayed_cookie(seeded, client):
    sign_in(client, ADMIN)
    stolen = session_cookie(client).value
    token = csrf_token(client, "/plans")
    client.post("/sign-out", data={"csrf_token": token})
    thief = client.application.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/plans")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def _age_session(client, **ages):
    from tracker.models import utcnow

    with client.session_transaction() as session:
        for key, delta in ages.items():
            session[key] = (utcnow() - delta).isoformat()


def test_idle_timeout_after_30_minutes(seeded, client):
    sign_in(client, ADMIN)
    _age_session(client, last_seen_at=timedelta(minutes=29))
    assert client.get("/plans").status_code == 200
    _age_session(client, last_seen_at=timedelta(minutes=31))
    response = client.get("/plans")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "inactive for 30 minutes" in page


def test_activity_moves_the_idle_clock_on_without_resending_the_cookie_each_time(seeded, client):
    from tracker.models import utcnow

    sign_in(client, ADMIN)
    _age_session(client, last_seen_at=timedelta(minutes=29))
    first = client.get("/plans")
    assert first.status_code == 200 and "session=" in first.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert utcnow() - datetime.fromisoformat(session["last_seen_at"]) < timedelta(seconds=10)
    again = client.get("/plans")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    _age_session(client, last_seen_at=timedelta(minutes=31))
    assert client.get("/plans").status_code == 302  # idle: the 30 minutes still hold


def test_absolute_timeout_after_12_hours(seeded, client):
    sign_in(client, ADMIN)
    _age_session(client, signed_in_at=timedelta(hours=12, minutes=1))
    response = client.get("/plans")
    assert response.status_code == 302
    assert "more than 12 hours ago" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short", "12 characters or more"),
        ("x" * 129, "128 characters or fewer"),
        ("password1234", "too common"),
        ("Peterborough2016", "too common"),
        ("correct horse battery", None),
        ("alllowercasebutlong", None),  # no composition rules
    ],
)
def test_password_rules_after_ncsc(password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in found)


def test_sign_in_throttled_after_ten_failures_without_revealing_accounts(seeded, client):
    for email in [ADMIN, "nobody-here@example.org"]:
        for _ in range(10):
            sign_in(client, email, "wrong password here")
        page = sign_in(client, email).get_data(as_text=True)  # even the right password
        assert "too many attempts to sign in with this email address" in page
    assert client.get("/plans").status_code == 302
    assert (
        db.session.scalar(
            select(db.func.count(AuditEvent.id)).where(AuditEvent.event == "sign_in.throttled")
        )
        == 2
    )


def test_throttling_window_is_15_minutes(seeded, client):
    for _ in range(10):
        sign_in(client, ADMIN, "wrong password here")
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.event == "sign_in.failed")):
        event.occurred_at = event.occurred_at - timedelta(minutes=16)
    db.session.commit()
    assert sign_in(client, ADMIN).status_code == 302


def test_security_headers_on_every_page(seeded, client):
    for response in [client.get("/sign-in"), client.get("/healthz")]:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    sign_in(client, ADMIN)
    assert client.get("/plans").headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in client.get("/plans").headers


def test_hsts_in_production(seeded, client):
    seeded.config["HSTS"] = True
    try:
        assert "max-age=" in client.get("/sign-in").headers["Strict-Transport-Security"]
    finally:
        seeded.config["HSTS"] = False


def test_inline_scripts_carry_the_nonce(seeded, client):
    response = client.get("/sign-in")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    assert f'<script nonce="{nonce}">' in html


def test_errors_show_no_traceback(seeded, client):
    def explode():
        raise RuntimeError("secret internals")

    app = client.application
    view = app.view_functions["plans.index"]
    try:
        app.view_functions["plans.index"] = _wrap(view, explode)
        sign_in(client, ADMIN)
        response = client.get("/plans")
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Sorry, there is a problem with the service" in html
        assert "secret internals" not in html and "Traceback" not in html
    finally:
        app.view_functions["plans.index"] = view


def _wrap(original, replacement):
    def wrapped(*args, **kwargs):
        return replacement()

    wrapped.permission = original.permission
    return wrapped


def test_posting_without_csrf_changes_nothing(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, "gareth.pryce@example.org")
    response = client.post(
        f"/actions/{action.id}/update",
        data={"status": "blocked", "note": "forged", "version": action.version},
    )
    assert response.status_code == 400
    db.session.refresh(action)
    assert action.status == "in_progress"


def test_audit_trail_is_readable_by_admins_only(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, "gareth.pryce@example.org")
    form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": "in_progress", "note": "Checked.", "version": action.version},
    )
    assert client.get(f"/audit/actions/{action.id}").status_code == 403
    admin = client.application.test_client()
    sign_in(admin, ADMIN)
    html = admin.get(f"/audit/actions/{action.id}").get_data(as_text=True)
    assert "Gareth Pryce updated R3.10" in html
    owner = db.session.scalar(select(User).where(User.email == "gareth.pryce@example.org"))
    person_page = admin.get(f"/admin/people/{owner.id}").get_data(as_text=True)
    assert f'href="/audit/users/{owner.id}"' in person_page
    user_html = admin.get(f"/audit/users/{owner.id}").get_data(as_text=True)
    assert "Gareth Pryce signed in" in user_html and "Gareth Pryce updated R3.10" in user_html
    for method in ("put", "delete", "patch"):
        assert getattr(admin, method)(f"/audit/actions/{action.id}").status_code == 405


def test_audit_trail_pages_through_every_event_newest_first(seeded, client):
    for n in range(120):
        db.session.add(AuditEvent(event="sign_in.failed", subject=f"paging-{n:03d}@example.org"))
    db.session.commit()
    sign_in(client, ADMIN)
    total = db.session.query(AuditEvent).count()
    pages = -(-total // 50)
    seen = []
    for number in range(1, pages + 1):
        html = client.get(f"/audit?page={number}").get_data(as_text=True)
        assert f"(page {number} of {pages})" in html
        seen += [event[:3] for event in html.split("paging-")[1:]]
    assert seen == [f"{n:03d}" for n in reversed(range(120))]
    first = client.get("/audit").get_data(as_text=True)
    assert f"{total} entries, showing 1 to 50." in first
    assert 'aria-label="Pages of the audit trail"' in first
    assert client.get(f"/audit?page={pages + 1}").status_code == 404
