"""Issue 13.16: a person who may own work names a deputy for a period (leave). While it runs the
deputy updates the person's actions, sees them in My actions under "Covering for" and gets their
reminders too; what the deputy does is recorded as theirs, "on behalf of" the owner."""

from datetime import date

from sqlalchemy import select

from tests.conftest import action_by_ref, count_queries, form_post, sign_in
from tracker.auditlog.describe import describe_all
from tracker.extensions import db
from tracker.models import AuditEvent, Deputy, ProgressUpdate, User
from tracker.reminders.digest import render_digest
from tracker.reminders.selection import select_reminders

OWNER = "gareth.pryce@example.org"  # owns R8.2
DEPUTY = "priya.desai@example.org"
COMMITTEE = "margaret.fenwick@example.org"
TODAY = date(2016, 3, 14)


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def name_deputy(client, starts: date, ends: date, deputy: str = DEPUTY):
    return form_post(
        client,
        "/account/deputies",
        {
            "deputy": str(person(deputy).id),
            "starts_on": [str(starts.day), str(starts.month), str(starts.year)],
            "ends_on": [str(ends.day), str(ends.month), str(ends.year)],
        },
    )


def cover(starts: date, ends: date) -> None:
    db.session.add(
        Deputy(person=person(OWNER), deputy=person(DEPUTY), starts_on=starts, ends_on=ends)
    )
    db.session.commit()


def update(client, action, note: str):
    return form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": "in_progress", "note": note, "version": str(action.version)},
    )


def test_a_head_of_service_names_a_deputy_for_their_leave(seeded, client, as_at):
    as_at(TODAY)
    sign_in(client, OWNER)
    assert "Name a deputy" in client.get("/account").get_data(as_text=True)
    form = client.get("/account/deputies").get_data(as_text=True)
    assert "Priya Desai" in form
    assert "Margaret Fenwick" not in form  # a committee member cannot cover actions
    response = name_deputy(client, date(2016, 3, 21), date(2016, 4, 1))
    assert response.status_code == 302
    page = client.get("/account/deputies").get_data(as_text=True)
    assert "Priya Desai will cover for you." in page
    assert "21 March 2016" in page and "1 April 2016" in page
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "deputy.named"))
    assert [d.text for d in describe_all(list(events))] == [
        "Gareth Pryce named Priya Desai as deputy for Gareth Pryce from 21 March 2016 to "
        "1 April 2016"
    ]


def test_a_deputy_period_must_make_sense(seeded, client, as_at):
    as_at(TODAY)
    sign_in(client, OWNER)
    backwards = name_deputy(client, date(2016, 4, 1), date(2016, 3, 21)).get_data(as_text=True)
    assert "The last day must be the same as or after the first day" in backwards
    past = name_deputy(client, date(2016, 3, 1), date(2016, 3, 10)).get_data(as_text=True)
    assert "The last day must be today (14 March 2016) or later" in past
    committee = name_deputy(client, TODAY, TODAY, deputy=COMMITTEE).get_data(as_text=True)
    assert "Select the person who will cover for you" in committee
    assert db.session.scalar(select(Deputy.id)) is None


def test_a_deputy_updates_the_owners_action_only_while_covering(seeded, client, as_at):
    action = action_by_ref("R8.2")
    assert action.owner.email == OWNER
    cover(date(2016, 3, 21), date(2016, 4, 1))
    sign_in(client, DEPUTY)
    as_at(TODAY)  # before the leave
    assert client.get(f"/actions/{action.id}/update").status_code == 403
    as_at(date(2016, 3, 22))
    assert client.get(f"/actions/{action.id}/update").status_code == 200
    assert update(client, action, "Interviews booked for Friday").status_code == 302
    entry = db.session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.note == "Interviews booked for Friday")
    )
    assert entry.author.email == DEPUTY and entry.on_behalf_of.email == OWNER
    history = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Priya Desai on behalf of Gareth Pryce" in history
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "action.updated"))
    assert "Priya Desai on behalf of Gareth Pryce updated R8.2" in [
        d.text for d in describe_all(list(trail))
    ]
    as_at(date(2016, 4, 2))  # back from leave
    assert client.get(f"/actions/{action.id}/update").status_code == 403


def test_evidence_a_deputy_adds_is_recorded_on_behalf_of_the_owner(seeded, client, as_at):
    action = action_by_ref("R8.2")
    cover(TODAY, date(2016, 4, 1))
    as_at(TODAY)
    sign_in(client, DEPUTY)
    response = form_post(
        client,
        f"/actions/{action.id}/evidence/note",
        {"title": "Job advert", "note": "Advert published on 10 March"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.note == "Evidence added: Job advert")
    )
    assert entry.author.email == DEPUTY and entry.on_behalf_of.email == OWNER
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "evidence.added"))
    assert any(
        d.text.startswith("Priya Desai on behalf of Gareth Pryce added the evidence 'Job advert'")
        for d in describe_all(list(trail))
    )


def test_the_deputy_sees_the_owners_actions_under_covering_for(seeded, client, as_at):
    cover(TODAY, date(2016, 4, 1))
    as_at(TODAY)
    sign_in(client, DEPUTY)
    page = client.get("/my-actions").get_data(as_text=True)
    assert "Covering for Gareth Pryce" in page
    covering = page[page.index("Covering for Gareth Pryce") :]
    assert "R8.2" in covering
    as_at(date(2016, 4, 2))
    assert "Covering for" not in client.get("/my-actions").get_data(as_text=True)


def test_ending_a_cover_takes_the_deputys_access_away(seeded, client, as_at):
    action = action_by_ref("R8.2")
    cover(date(2016, 3, 1), date(2016, 4, 1))
    as_at(TODAY)
    sign_in(client, OWNER)
    running = db.session.scalar(select(Deputy))
    assert form_post(client, f"/account/deputies/{running.id}/end", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Deputy, running.id).ends_on == date(2016, 3, 13)
    client.post("/sign-out", data={})
    other = client.application.test_client()
    sign_in(other, DEPUTY)
    assert other.get(f"/actions/{action.id}/update").status_code == 403


def test_only_the_person_can_end_their_cover(seeded, client, as_at):
    cover(TODAY, date(2016, 4, 1))
    as_at(TODAY)
    sign_in(client, DEPUTY)
    running = db.session.scalar(select(Deputy))
    assert form_post(client, f"/account/deputies/{running.id}/end", {}).status_code == 403


def test_the_deputy_gets_the_owners_reminders_in_their_own_single_digest(seeded):
    day = date(2016, 3, 28)
    owner_refs = {
        d.recipient.email: set(d.references)
        for d in select_reminders(day).digests
        if d.kind == "reminder"
    }
    assert owner_refs.get(OWNER), "the owner has reminders that day"
    cover(date(2016, 3, 21), date(2016, 4, 1))
    digests = [d for d in select_reminders(day).digests if d.kind == "reminder"]
    deputy_digests = [d for d in digests if d.recipient.email == DEPUTY]
    assert len(deputy_digests) == 1
    assert owner_refs[OWNER] <= set(deputy_digests[0].references)
    assert owner_refs.get(DEPUTY, set()) <= set(deputy_digests[0].references)
    email = render_digest(deputy_digests[0], select_reminders(day).settings).text
    assert "Covering for Gareth Pryce" in email
    covering = email[email.index("Covering for Gareth Pryce") :]
    assert all(f"{ref}: " in covering for ref in owner_refs[OWNER])
    later = [d for d in select_reminders(date(2016, 4, 4)).digests if d.recipient.email == DEPUTY]
    assert not any(set(d.references) & owner_refs[OWNER] for d in later)


def test_a_leads_deputy_gets_the_escalations_too_but_never_about_their_own_actions(seeded):
    monday = date(2016, 3, 28)
    lead = "catherine.holloway@example.org"
    escalations = {
        d.recipient.email: set(d.references)
        for d in select_reminders(monday).digests
        if d.kind == "escalation"
    }
    assert escalations.get(lead), "the plan lead gets escalations that Monday"
    mark = person("mark.ellison@example.org")
    db.session.add(
        Deputy(person=person(lead), deputy=mark, starts_on=monday, ends_on=date(2016, 4, 8))
    )
    db.session.commit()
    after = [d for d in select_reminders(monday).digests if d.kind == "escalation"]
    (deputy_digest,) = [d for d in after if d.recipient.id == mark.id]
    expected = {
        item.reference
        for d in after
        if d.recipient.email == lead
        for item in d.items
        if item.action.owner_id != mark.id
    }
    assert expected and set(deputy_digest.references) >= expected
    assert all(item.action.owner_id != mark.id for item in deputy_digest.items)


def test_my_actions_reads_the_same_statements_whoever_is_covered(seeded, client, as_at):
    """Covering for nobody, one person or two: the deputy's My actions sends the same number of
    statements (the covered people and their actions come with the deputy's own)."""
    as_at(TODAY)
    sign_in(client, DEPUTY)
    with count_queries() as alone:
        assert "Covering for" not in client.get("/my-actions").get_data(as_text=True)
    cover(TODAY, date(2016, 4, 1))
    db.session.add(
        Deputy(
            person=person("mark.ellison@example.org"),
            deputy=person(DEPUTY),
            starts_on=TODAY,
            ends_on=TODAY,
        )
    )
    db.session.commit()
    with count_queries() as covering:
        page = client.get("/my-actions").get_data(as_text=True)
    assert "Covering for Gareth Pryce" in page and "Covering for Mark Ellison" in page
    assert page.index("Covering for Gareth Pryce") < page.index("Covering for Mark Ellison")
    assert len(alone) == len(covering)
