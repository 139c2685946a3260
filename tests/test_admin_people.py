"""Admins add people (invite email over real SMTP), change roles, deactivate and reactivate,
and reassign a deactivated person's open work in bulk."""

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import _free_port, csrf_token, sign_in
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Recommendation, User
from tracker.reminders.sending import deliver_pending

ADMIN = "laura.pickering@example.org"
LEAVER = "gareth.pryce@example.org"
SUCCESSOR = "priya.desai@example.org"
NEW = "sam.okafor@example.org"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _person_form(**changes) -> dict:
    data = {
        "name": "Sam Okafor",
        "email": "Sam.Okafor@Example.org",
        "job_title": "Head of Service for Early Help",
        "role": "head_of_service",
    }
    data.update(changes)
    return data


def _fill_in_new_person(client, **changes):
    token = csrf_token(client, "/admin/people/new")
    return client.post("/admin/people/new", data={**_person_form(**changes), "csrf_token": token})


def test_an_admin_adds_a_person_who_gets_an_invite_and_sets_a_password(seeded, client, smtp_server):
    sign_in(client, ADMIN)
    response = _fill_in_new_person(client)
    assert response.headers["Location"] == "/admin/people/new/check"
    assert _user(NEW) is None  # nothing yet: check answers first
    check = client.get("/admin/people/new/check").get_data(as_text=True)
    assert "Check the details before adding this person" in check
    assert NEW in check and "Head of service" in check

    confirmed = client.post(
        "/admin/people/new/check", data={"csrf_token": csrf_token(client, "/admin/people")}
    )
    person = _user(NEW)
    assert confirmed.headers["Location"] == f"/admin/people/{person.id}/added"
    added = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Person added" in added and "We are sending an invite to " + NEW in added
    assert person.password_hash is None and person.role == "head_of_service"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.created"))

    assert smtp_server.to(NEW) == []  # the request sends nothing: the sender does
    deliver_pending()
    [invite] = smtp_server.to(NEW)
    assert "create your password" in invite["Subject"]
    body = invite.get_body(("plain",)).get_content()
    assert "Laura Pickering has given you an account" in body and "24 hours" in body
    path = re.search(r"http://tracker\.test(/set-password/\S+)", body).group(1)

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})
    assert "Create your password" in client.get(path).get_data(as_text=True)
    token = csrf_token(client, path)
    client.post(
        path,
        data={
            "password": "kettle meadow lantern",
            "confirm": "kettle meadow lantern",
            "csrf_token": token,
        },
    )
    assert sign_in(client, NEW, "kettle meadow lantern").status_code == 302
    assert client.get(path).status_code == 410  # the invite works once


def test_bad_person_details_are_refused_and_kept(seeded, client):
    sign_in(client, ADMIN)
    page = _fill_in_new_person(client, email="not an email", role="").get_data(as_text=True)
    assert "<title>Error: Add a person" in page
    assert "Enter an email address in the correct format" in page or "Select a role" in page
    assert 'value="Sam Okafor"' in page
    taken = _fill_in_new_person(client, email=SUCCESSOR.upper()).get_data(as_text=True)
    assert "Someone already has an account with this email address" in taken


def test_if_the_mail_server_is_down_the_invite_waits_and_is_sent_when_it_is_back(
    seeded, app, client, smtp_server
):
    """Adding a person never talks to the mail server; an outage delays the invite, and the
    sender's retry delivers it (issue 12 finding 7: account emails go through the outbox)."""
    working_port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=_free_port(), MAIL_TIMEOUT=2)
    sign_in(client, ADMIN)
    _fill_in_new_person(client)
    response = client.post(
        "/admin/people/new/check", data={"csrf_token": csrf_token(client, "/admin/people")}
    )
    person = _user(NEW)
    assert response.headers["Location"] == f"/admin/people/{person.id}/added"
    report = deliver_pending()
    assert report.sent == 0 and report.retrying == 1
    app.config.update(MAIL_PORT=working_port)
    assert deliver_pending(retry_now=True).sent == 1
    [invite] = smtp_server.to(NEW)
    assert "create your password" in invite["Subject"]


def test_changing_a_role_is_audited_and_the_last_admin_is_kept(seeded, client):
    sign_in(client, ADMIN)
    person = _user(SUCCESSOR)
    url = f"/admin/people/{person.id}/edit"
    token = csrf_token(client, url)
    data = {"name": person.name, "job_title": person.job_title, "role": "performance_officer"}
    client.post(url, data={**data, "csrf_token": token})
    db.session.refresh(person)
    assert person.role == "performance_officer"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "user.role_changed"))
    assert event.before["role"] == "head_of_service"
    assert event.after["role"] == "performance_officer"

    admin = _user(ADMIN)
    url = f"/admin/people/{admin.id}/edit"
    page = client.post(
        url,
        data={
            "name": admin.name,
            "job_title": admin.job_title,
            "role": "committee_member",
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "the only active admin" in page
    db.session.refresh(admin)
    assert admin.role == "admin"


def _open_work(user_id: int) -> tuple[int, int]:
    actions = db.session.scalar(
        select(func.count(Action.id)).where(
            Action.owner_id == user_id, Action.status.not_in(["completed", "verified"])
        )
    )
    recs = db.session.scalar(
        select(func.count(Recommendation.id)).where(Recommendation.lead_id == user_id)
    )
    return actions, recs


def test_deactivating_signs_the_person_out_and_their_work_is_reassigned_in_bulk(
    seeded, app, client
):
    leaver, successor = _user(LEAVER), _user(SUCCESSOR)
    leaver_browser = app.test_client()
    sign_in(leaver_browser, LEAVER)
    assert leaver_browser.get("/plans").status_code == 200
    open_actions, led = _open_work(leaver.id)
    assert open_actions >= 2 and led >= 1

    sign_in(client, ADMIN)
    url = f"/admin/people/{leaver.id}/deactivate"
    page = client.get(url).get_data(as_text=True)
    assert f"They own {open_actions} open actions" in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.headers["Location"] == f"/admin/people/{leaver.id}/reassign"
    db.session.refresh(leaver)
    assert leaver.active is False
    assert leaver_browser.get("/plans").status_code == 302  # signed out at once
    assert sign_in(leaver_browser, LEAVER).status_code == 200  # and cannot sign in

    people = client.get("/admin/people").get_data(as_text=True)
    assert "Reassign Gareth Pryce's work" in people

    reassign_url = f"/admin/people/{leaver.id}/reassign"
    form = client.get(reassign_url).get_data(as_text=True)
    action_ids = re.findall(r'name="action_ids" type="checkbox" value="(\d+)"', form)
    rec_ids = re.findall(r'name="recommendation_ids" type="checkbox" value="(\d+)"', form)
    assert len(action_ids) == open_actions and len(rec_ids) == led
    assert form.count("checked") >= open_actions + led  # all chosen by default

    nobody = client.post(
        reassign_url,
        data={"action_ids": action_ids, "new_owner_id": "", "csrf_token": csrf_token(client, url)},
    ).get_data(as_text=True)
    assert "Choose who will take over from the list" in nobody

    done = client.post(
        reassign_url,
        data={
            "action_ids": action_ids,
            "recommendation_ids": rec_ids,
            "new_owner_id": str(successor.id),
            "csrf_token": csrf_token(client, url),
        },
    )
    assert done.status_code == 302
    assert _open_work(leaver.id) == (0, 0)
    changes = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.event == "action.owner_changed"))
    )
    assert len(changes) == open_actions
    assert all(e.before == {"owner_id": leaver.id} for e in changes)
    assert all(e.after == {"owner_id": successor.id} for e in changes)
    assert "Reassign Gareth Pryce" not in client.get("/admin/people").get_data(as_text=True)

    token = csrf_token(client, "/admin/people")
    client.post(f"/admin/people/{leaver.id}/reactivate", data={"csrf_token": token})
    db.session.refresh(leaver)
    assert leaver.active is True
    assert sign_in(leaver_browser, LEAVER).status_code == 302


def test_an_admin_cannot_deactivate_themselves(seeded, client):
    sign_in(client, ADMIN)
    admin = _user(ADMIN)
    url = f"/admin/people/{admin.id}/deactivate"
    page = client.post(url, data={"csrf_token": csrf_token(client, url)}).get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    db.session.refresh(admin)
    assert admin.active


@pytest.mark.parametrize(
    "email",
    ["catherine.holloway@example.org", "margaret.fenwick@example.org", "rachel.booth@example.org"],
)
def test_only_admins_manage_people(seeded, client, email):
    leaver = _user(LEAVER)
    sign_in(client, email)
    token = csrf_token(client, "/plans")
    for url in ["/admin/people", "/admin/people/new", f"/admin/people/{leaver.id}"]:
        assert client.get(url).status_code == 403
    assert (
        client.post(f"/admin/people/{leaver.id}/deactivate", data={"csrf_token": token}).status_code
        == 403
    )
    assert (
        client.post("/admin/people/new", data={**_person_form(), "csrf_token": token}).status_code
        == 403
    )
    db.session.refresh(leaver)
    assert leaver.active and _user(NEW) is None


def test_the_people_list_pages_and_finds_people_by_name_or_email(seeded, client):
    for n in range(120):
        db.session.add(
            User(
                email=f"officer{n:03d}@region.example",
                name=f"Officer {n:03d}",
                role="head_of_service",
            )
        )
    db.session.commit()
    total = db.session.scalar(select(func.count(User.id)))
    sign_in(client, ADMIN)
    first = client.get("/admin/people").get_data(as_text=True)
    assert f"Showing 1 to 50 of {total} people" in first
    assert 'aria-label="Pages of people"' in first and 'href="/admin/people?page=2"' in first
    names = []
    for number in range(1, -(-total // 50) + 1):
        page = client.get(f"/admin/people?page={number}").get_data(as_text=True)
        names += re.findall(r'href="/admin/people/\d+">([^<]+)</a>', page)
    assert len(names) == len(set(names)) == total
    found = client.get("/admin/people?q=OFFICER+01").get_data(as_text=True)
    assert re.findall(r'href="/admin/people/\d+">([^<]+)</a>', found) == [
        f"Officer {n:03d}" for n in range(10, 20)
    ]
    by_email = client.get("/admin/people?q=laura.pickering").get_data(as_text=True)
    assert re.findall(r'href="/admin/people/\d+">([^<]+)</a>', by_email) == ["Laura Pickering"]
    nobody = client.get("/admin/people?q=zz_nobody").get_data(as_text=True)
    assert "Nobody's name or email contains “zz_nobody”" in nobody
