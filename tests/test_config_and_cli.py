"""Configuration from the environment, and the command-line commands."""

import contextvars

import pytest
from sqlalchemy import select

from tests.conftest import sign_in
from tracker import create_app
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, User


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", ["x", "dev-only-not-secret", "a" * 31])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="fewer than 32") as refused:
        create_app("production")
    assert "secrets.token_hex(32)" in str(refused.value)


def test_production_starts_with_a_secret_key_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEMO_ACCOUNTS"] is False


def test_postgres_urls_name_the_psycopg_driver(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/tracker")
    assert config._database_url() == "postgresql+psycopg://u@db.example/tracker"
    importlib.reload(config)


def test_seed_refuses_in_production(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    prod = create_app(
        "production", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    runner = prod.test_cli_runner()
    result = contextvars.Context().run(runner.invoke, args=["seed"])  # outside the test's app
    assert result.exit_code != 0
    assert "never loaded in a production configuration" in result.output
    with prod.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_demo_accounts_cannot_sign_in_under_production_settings(seeded, client):
    seeded.config["DEMO_ACCOUNTS"] = False
    try:
        page = sign_in(client, "laura.pickering@example.org").get_data(as_text=True)
        assert "Enter a correct email address and password" in page
    finally:
        seeded.config["DEMO_ACCOUNTS"] = True


def test_seed_command_prints_how_to_sign_in(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "improvement-plan-demo" in result.output
    assert "laura.pickering@example.org" in result.output
    again = app.test_cli_runner().invoke(args=["seed"])
    assert "nothing changed" in again.output


def run(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=stdin)


def test_users_create_with_password_from_stdin(app, client):
    result = run(
        app,
        "create",
        "--email",
        "New.Person@Example.org",
        "--name",
        "New Person",
        "--role",
        "head_of_service",
        "--password-stdin",
        stdin="three random words here\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == "head_of_service"
    assert user.password_hash.startswith("scrypt:")
    assert verify_password(user.password_hash, "three random words here")
    assert sign_in(client, "new.person@example.org", "three random words here").status_code == 302


def test_users_create_refuses_weak_passwords_and_duplicates(app):
    weak = run(
        app,
        "create",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert weak.exit_code != 0 and "12 characters or more" in weak.output
    common = run(
        app,
        "create",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "admin",
        "--password-stdin",
        stdin="password1234\n",
    )
    assert common.exit_code != 0 and "too common" in common.output
    assert (
        run(app, "create", "--email", "a@example.org", "--name", "A", "--role", "admin").exit_code
        == 0
    )
    dup = run(app, "create", "--email", "A@example.org", "--name", "A", "--role", "admin")
    assert dup.exit_code != 0 and "already exists" in dup.output
    bad_role = run(app, "create", "--email", "b@example.org", "--name", "B", "--role", "king")
    assert bad_role.exit_code != 0


def test_set_role_deactivate_and_reactivate(seeded, client):
    email = "margaret.fenwick@example.org"
    assert run(seeded, "set-role", "--email", email, "--role", "admin").exit_code == 0
    assert db.session.scalar(select(User.role).where(User.email == email)) == "admin"
    assert run(seeded, "deactivate", "--email", email).exit_code == 0
    assert "Enter a correct" in sign_in(client, email).get_data(as_text=True)
    assert run(seeded, "reactivate", "--email", email).exit_code == 0
    assert sign_in(client, email).status_code == 302
    events = set(db.session.scalars(select(AuditEvent.event)))
    assert {"user.role_changed", "user.deactivated", "user.reactivated"} <= events
    missing = run(seeded, "deactivate", "--email", "nobody@example.org")
    assert missing.exit_code != 0 and "No user" in missing.output


def test_real_configurations_hash_with_werkzeugs_full_scrypt_cost(monkeypatch):
    from tracker.auth.passwords import hash_password

    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    for name in ("development", "production"):
        with create_app(name, {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
            assert hash_password("three random words here").startswith("scrypt:32768:8:1$")


def test_seed_prints_the_address_the_service_is_served_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5055")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert "Sign in at http://127.0.0.1:5055/sign-in" in result.output
