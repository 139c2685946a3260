"""Issue 13.15: people are told what concerns them, in the daily digest they already get (one
email per person per day) and at the top of My actions since their last visit; each kind can be
turned off except being given an action."""

from datetime import date

from sqlalchemy import select

from tests.conftest import action_by_ref, form_post, sign_in
from tracker.actions.updates import UpdateRequest, save_update
from tracker.admin.people import reassign
from tracker.evidence.service import add_note, review
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, User
from tracker.reminders.digest import render_digest
from tracker.reminders.selection import select_reminders

DAY = date(2016, 3, 14)
NEXT_DAY = date(2016, 3, 15)
ADMIN = "laura.pickering@example.org"


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def digests_for(user: User, day: date = NEXT_DAY):
    return [d for d in select_reminders(day).digests if d.recipient.id == user.id]


def email_text(user: User, day: date = NEXT_DAY) -> str:
    (digest,) = digests_for(user, day)
    return render_digest(digest, select_reminders(day).settings).text


def evidence_then_completion():
    """R3.10's owner adds a note and completes the action on DAY."""
    action = action_by_ref("R3.10")
    add_note(action, "Visit audit", "All visits checked", action.owner)
    db.session.commit()
    request = UpdateRequest("completed", "All visits done", None, "", action.version)
    save_update(action, request, action.owner, DAY)
    db.session.commit()
    return action


def test_the_lead_is_told_of_evidence_and_completion_the_next_morning_in_one_email(seeded, as_at):
    as_at(DAY)
    action = evidence_then_completion()
    lead = action.recommendation.lead
    assert lead is not None and lead.id != action.owner_id
    assert not any(d.notices for d in digests_for(lead, DAY))  # nothing before it happened
    assert len(digests_for(lead)) == 1  # one email, whatever else it says
    text = email_text(lead)
    assert "What happened yesterday" in text
    assert "R3.10: Evidence added: Visit audit (by Gareth Pryce)" in text
    assert "R3.10: Completed by Gareth Pryce: awaiting your verification" in text
    owner_text = "\n".join(
        render_digest(d, select_reminders(NEXT_DAY).settings).text
        for d in digests_for(action.owner)
    )
    assert "Evidence added" not in owner_text  # not told about what they did themselves


def test_the_owner_is_told_of_rejection_with_the_reason_and_of_verification(seeded, as_at):
    as_at(DAY)
    action = evidence_then_completion()
    lead, owner = action.recommendation.lead, action.owner
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    add_note(action, "Old audit", "Wrong year", owner)
    db.session.commit()
    wrong = db.session.scalar(select(Evidence).where(Evidence.title == "Old audit"))
    review(wrong, False, "This is the 2014 audit", lead, DAY)
    review(evidence, True, "", lead, DAY)
    db.session.commit()
    text = email_text(owner)
    assert "Evidence rejected: Old audit. This is the 2014 audit (by " in text
    assert "R3.10: Verified by " in text


def test_a_new_owner_sees_the_action_at_once_and_in_the_next_digest(seeded, client, as_at):
    as_at(DAY)
    action = action_by_ref("R3.10")
    new_owner = person("priya.desai@example.org")
    reassign(action.owner, new_owner, [action.id], [], person(ADMIN))
    db.session.commit()
    sign_in(client, new_owner.email)
    page = client.get("/my-actions").get_data(as_text=True)
    banner = page[page.index("Since your last visit") :]
    assert "R3.10" in banner and "Given to you by" in banner
    assert "R3.10: Given to you by" in email_text(new_owner)


def test_each_kind_but_assignments_can_be_turned_off(seeded, client, as_at):
    as_at(DAY)
    action = evidence_then_completion()
    lead = action.recommendation.lead
    sign_in(client, lead.email)
    form = client.get("/settings/notices").get_data(as_text=True)
    assert "Evidence added to actions under recommendations you lead" in form
    assert 'value="assigned"' not in form  # being given an action cannot be turned off
    assert "R3.10" in client.get("/my-actions").get_data(as_text=True).split("Since your")[1]
    saved = form_post(client, "/settings/notices", {"wanted": ["evidence_rejected", "verified"]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert "Since your last visit" not in client.get("/my-actions").get_data(as_text=True)
    assert not any(d.notices for d in digests_for(lead))
    other = action_by_ref("R8.2")
    assert other.owner_id == action.owner_id != lead.id
    reassign(other.owner, lead, [other.id], [], person(ADMIN))
    db.session.commit()
    assert "R8.2: Given to you by" in email_text(lead)


def test_my_actions_tells_only_what_happened_since_the_previous_sign_in(seeded, app, as_at):
    """The banner starts at the person's previous sign-in (two weeks back at most), whatever
    happened before it was told then."""
    from tracker.clock import now
    from tracker.notices import last_visit

    as_at(DAY)
    action = action_by_ref("R3.10")
    lead = action.recommendation.lead
    add_note(action, "Told last time", "First", action.owner)
    db.session.commit()
    first = app.test_client()
    sign_in(first, lead.email)
    assert "Told last time" in first.get("/my-actions").get_data(as_text=True)
    add_note(action, "New since then", "Second", action.owner)
    db.session.commit()
    second = app.test_client()
    sign_in(second, lead.email)
    banner = second.get("/my-actions").get_data(as_text=True).split("Since your last visit")[1]
    assert "New since then" in banner
    assert "Told last time" not in banner
    signed_in = db.session.scalars(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.event == "sign_in.succeeded", AuditEvent.actor_id == lead.id)
        .order_by(AuditEvent.occurred_at)
    ).all()
    assert len(signed_in) == 2
    assert last_visit(lead, now()) == signed_in[0]
