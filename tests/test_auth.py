"""Signing in and out, and what a signed-in person can reach."""

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, sign_in
from tracker.extensions import db
from tracker.models import AuditEvent, User

ADMIN = "laura.pickering@example.org"
COMMITTEE = "margaret.fenwick@example.org"


def test_sign_in_page_lists_demo_accounts(seeded, client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "<title>Sign in – Improvement plan tracker</title>" in page
    assert ADMIN in page and "improvement-plan-demo" in page


def test_sign_in_with_the_right_password(seeded, client):
    response = sign_in(client, ADMIN)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    plans = client.get("/plans")
    assert plans.status_code == 200
    assert "Laura Pickering" in plans.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == ADMIN))
    assert user.last_signed_in_at is not None


def test_wrong_password_gives_one_generic_message_and_keeps_the_email(seeded, client):
    response = sign_in(client, ADMIN, "not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Sign in" in page
    assert "Enter a correct email address and password" in page
    assert f'value="{ADMIN}"' in page
    unknown = sign_in(client, "nobody@example.org", "not-the-password").get_data(as_text=True)
    assert "Enter a correct email address and password" in unknown


def test_empty_form_shows_an_error_summary(seeded, client):
    token = csrf_token(client, "/sign-in")
    page = client.post("/sign-in", data={"csrf_token": token}).get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#email"' in page and "Enter your email address" in page


def test_sign_in_without_csrf_token_is_refused(seeded, client):
    response = client.post("/sign-in", data={"email": ADMIN, "password": "improvement-plan-demo"})
    assert response.status_code == 400
    assert client.get("/plans").status_code == 302


def test_every_sign_in_attempt_is_audited(seeded, client):
    sign_in(client, ADMIN, "wrong-password-here")
    sign_in(client, ADMIN)
    events = list(
        db.session.scalars(
            select(AuditEvent.event).where(AuditEvent.subject == ADMIN).order_by(AuditEvent.id)
        )
    )
    assert events == ["sign_in.failed", "sign_in.succeeded"]


def test_deactivated_user_cannot_sign_in(seeded, client):
    user = db.session.scalar(select(User).where(User.email == COMMITTEE))
    user.active = False
    db.session.commit()
    page = sign_in(client, COMMITTEE).get_data(as_text=True)
    assert "Enter a correct email address and password" in page


def test_sign_out_ends_the_session(seeded, client):
    sign_in(client, ADMIN)
    token = csrf_token(client, "/plans")
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/plans").status_code == 302


@pytest.mark.parametrize(
    "next_url, expected",
    [("/indicators", "/indicators"), ("https://evil.example/", "/"), ("//evil.example", "/")],
)
def test_sign_in_returns_only_to_pages_on_this_site(seeded, client, next_url, expected):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": ADMIN,
            "password": "improvement-plan-demo",
            "csrf_token": token,
            "next": next_url,
        },
    )
    assert response.headers["Location"] == expected
