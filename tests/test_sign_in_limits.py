"""Sign-in limits per account and per client, and sign-in timing that does not tell which
accounts exist (issue 12 findings 7 and 9)."""

import statistics
import time

from sqlalchemy import func, select

from tests.conftest import sign_in
from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import AuditEvent, User

ADMIN = "laura.pickering@example.org"
ATTACKER = "203.0.113.66"
OWNER_LAPTOP = "198.51.100.7"


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_ten_wrong_passwords_from_one_client_do_not_lock_the_owner_out_elsewhere(seeded):
    attacker = client_from(seeded, ATTACKER)
    for _ in range(10):
        sign_in(attacker, ADMIN, "wrong password here")
    refused = sign_in(attacker, ADMIN).get_data(as_text=True)  # even the right password
    assert "too many attempts to sign in with this email address" in refused

    owner = client_from(seeded, OWNER_LAPTOP)
    assert sign_in(owner, ADMIN).status_code == 302
    assert owner.get("/plans").status_code == 200

    # A new client gets one try while the account is under attack: a wrong guess locks it too.
    second = client_from(seeded, "192.0.2.10")
    sign_in(second, ADMIN, "another wrong one")
    assert "too many attempts" in sign_in(second, ADMIN).get_data(as_text=True)


def test_one_client_failing_on_many_accounts_is_refused_for_all_of_them(seeded):
    limit = seeded.config["SIGN_IN_MAX_FAILURES_PER_CLIENT"]
    attacker = client_from(seeded, ATTACKER)
    for number in range(limit):
        sign_in(attacker, f"guess{number}@example.org", "wrong password here")
    page = sign_in(attacker, "mark.ellison@example.org").get_data(as_text=True)
    assert "too many failed attempts to sign in from your network" in page
    assert attacker.get("/plans").status_code == 302  # not signed in
    # Others, and the accounts tried, are unaffected.
    assert sign_in(client_from(seeded, OWNER_LAPTOP), "mark.ellison@example.org").status_code == 302
    throttled = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.event == "sign_in.throttled")
    )
    assert throttled == 1


def _median_sign_in_seconds(app, emails: list[str], runs: int = 7) -> list[float]:
    """Median time of a failed sign-in for each address, the addresses taking turns within each
    run, so that a busy machine slows them all alike."""
    timings: list[list[float]] = [[] for _ in emails]
    for run in range(runs):
        for n, email in enumerate(emails):
            client = client_from(app, f"192.0.2.{run * len(emails) + n + 20}")
            started = time.perf_counter()
            sign_in(client, email, "not the right password")
            timings[n].append(time.perf_counter() - started)
    return [statistics.median(t) for t in timings]


def test_sign_in_computes_a_hash_for_invited_accounts_without_a_password(seeded):
    # Production's scrypt cost, so the hash is what a request's time is made of.
    previous = seeded.config["PASSWORD_HASH_METHOD"]
    seeded.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        db.session.add(
            User(
                name="Invited Person",
                email="invited@example.org",
                job_title="Head of Service",
                role="head_of_service",
                password_hash=None,
                active=True,
            )
        )
        existing = db.session.scalar(select(User).where(User.email == ADMIN))
        existing.password_hash = hash_password("a real password for timing")
        db.session.commit()
        _median_sign_in_seconds(seeded, [ADMIN], runs=1)  # warm up (builds the placeholder hash)
        with_password, invited, unknown = _median_sign_in_seconds(
            seeded, [ADMIN, "invited@example.org", "nobody@example.org"]
        )
    finally:
        seeded.config["PASSWORD_HASH_METHOD"] = previous
    assert invited > 0.6 * with_password, (invited, with_password)
    assert unknown > 0.6 * with_password, (unknown, with_password)
