"""Evidence can be withdrawn or purged with a reason; its content really goes (issue 13.11)."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.evidence.service import add_note, review
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Evidence, ProgressUpdate, User

OWNER = "gareth.pryce@example.org"  # owns R3.10
ADMIN = "laura.pickering@example.org"
PDF = b"%PDF-1.4\n1 0 obj<<(Child: J. Smith, DOB 1/2/2009)>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, action, content=PDF, filename="case notes.pdf", title="Visit audit"):
    return form_post(
        client,
        f"/actions/{action.id}/evidence/file",
        {"title": title, "document": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def only_evidence(action) -> Evidence:
    return db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))


def withdraw(client, evidence, reason="Wrong file: it names a child"):
    return form_post(client, f"/evidence/{evidence.id}/withdraw", {"reason": reason})


def switch_to(client, email):
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})
    sign_in(client, email)


def person(email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_uploader_withdraws_a_wrong_file_and_its_bytes_are_gone(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    assert upload(client, action).status_code == 302
    evidence = only_evidence(action)
    stored = Path(seeded.config["UPLOAD_FOLDER"]) / evidence.stored_name
    assert stored.exists()

    response = withdraw(client, evidence)
    assert response.status_code == 302
    assert not stored.exists()
    # No copy anywhere in storage (other tests' uploads may share the folder).
    copies = [
        path
        for path in Path(seeded.config["UPLOAD_FOLDER"]).rglob("*")
        if path.is_file() and path.read_bytes() == PDF
    ]
    assert copies == []
    db.session.expire_all()
    evidence = db.session.get(Evidence, evidence.id)
    assert evidence.withdrawn and evidence.stored_name is None
    assert client.get(f"/evidence/{evidence.id}/download").status_code == 404

    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Evidence withdrawn: Visit audit" in page
    assert "Wrong file: it names a child" in page
    assert "Download case notes.pdf" not in page

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "evidence.withdrawn"))
    assert event.actor_id == person(OWNER).id
    assert event.after["title"] == "Visit audit"
    assert event.after["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert event.after["reason"] == "Wrong file: it names a child"
    assert "J. Smith" not in str(event.after) and "J. Smith" not in str(event.before)

    switch_to(client, ADMIN)
    trail = client.get("/audit?kind=evidence").get_data(as_text=True)
    assert "withdrew the evidence &#39;Visit audit&#39; on R3.10 and deleted its content" in trail
    assert hashlib.sha256(PDF).hexdigest() in trail


def test_a_reason_is_required_and_the_file_stays_without_one(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    upload(client, action)
    evidence = only_evidence(action)
    response = withdraw(client, evidence, reason="   ")
    assert response.status_code == 200
    assert "Enter the reason for withdrawing the evidence" in response.get_data(as_text=True)
    assert (Path(seeded.config["UPLOAD_FOLDER"]) / evidence.stored_name).exists()


def test_a_note_withdrawn_loses_its_text(seeded, client):
    action = action_by_ref("R3.10")
    add_note(action, "Panel minutes", "Discussed child J. Smith", action.owner)
    db.session.commit()
    evidence = only_evidence(action)
    sign_in(client, OWNER)
    assert withdraw(client, evidence).status_code == 302
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).note is None
    assert "J. Smith" not in client.get(f"/actions/{action.id}").get_data(as_text=True)


def test_the_uploader_cannot_withdraw_reviewed_evidence_but_the_lead_and_an_admin_can(
    seeded, client
):
    action = action_by_ref("R3.10")
    lead = action.recommendation.lead
    add_note(action, "Visit audit", "All visits checked", action.owner)
    db.session.commit()
    evidence = only_evidence(action)
    review(evidence, False, "Not dated", lead, action.current_due_date)
    db.session.commit()

    sign_in(client, OWNER)
    assert client.get(f"/evidence/{evidence.id}/withdraw").status_code == 403
    assert "Withdraw<span" not in client.get(f"/actions/{action.id}").get_data(as_text=True)
    switch_to(client, lead.email)
    assert withdraw(client, evidence, "Duplicate").status_code == 302
    assert withdraw(client, evidence, "Again").status_code == 409  # already withdrawn


def test_someone_else_cannot_withdraw_unreviewed_evidence(seeded, client):
    action = action_by_ref("R3.10")
    add_note(action, "Visit audit", "All visits checked", action.owner)
    db.session.commit()
    lead_id = action.recommendation.lead_id
    other = db.session.scalar(
        select(Action)
        .where(Action.owner_id.is_not(None), Action.owner_id.not_in([action.owner_id, lead_id]))
        .order_by(Action.id)
    ).owner
    assert other.id != action.recommendation.lead_id and other.role != "admin"
    sign_in(client, other.email)
    assert withdraw(client, only_evidence(action)).status_code == 403


def test_withdrawing_the_evidence_a_verified_action_stood_on_reopens_it_for_the_lead(
    seeded, client
):
    action = action_by_ref("R3.10")
    lead = action.recommendation.lead
    add_note(action, "Visit audit", "All visits checked", action.owner)
    action.status = "completed"
    db.session.commit()
    evidence = only_evidence(action)
    review(evidence, True, "", lead, action.current_due_date)
    db.session.commit()
    assert action.status == "verified"

    sign_in(client, ADMIN)
    assert withdraw(client, evidence, "It names a child").status_code == 302
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.status == "completed" and action.verified_on is None
    latest = db.session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
    )
    assert latest.status_from == "verified" and latest.status_to == "completed"
    assert "back to completed, awaiting evidence" in latest.note

    switch_to(client, lead.email)
    waiting = client.get("/awaiting-my-review").get_data(as_text=True)
    no_evidence = waiting.split("Completed, with no evidence yet")[1]
    assert f">{action.reference}: " in no_evidence


def test_an_admin_purges_evidence_on_request_and_nobody_else_can(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    upload(client, action)
    evidence = only_evidence(action)
    evidence_id = evidence.id
    stored = Path(seeded.config["UPLOAD_FOLDER"]) / evidence.stored_name
    assert client.get(f"/evidence/{evidence_id}/purge").status_code == 403

    switch_to(client, ADMIN)
    response = form_post(
        client, f"/evidence/{evidence_id}/purge", {"reason": "Erasure request IG-2016-014"}
    )
    assert response.status_code == 302
    assert not stored.exists()
    db.session.expunge_all()
    assert db.session.get(Evidence, evidence_id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "evidence.purged"))
    assert event.after["title"] == "Visit audit"
    assert event.after["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert event.after["reason"] == "Erasure request IG-2016-014"
    trail = client.get("/audit?kind=evidence").get_data(as_text=True)
    assert "purged the evidence &#39;Visit audit&#39;" in trail


def test_withdrawn_evidence_is_not_reported_to_the_committee_as_a_change(seeded, client):
    from tracker.committee.summary import build_summary
    from tracker.plans.queries import load_plan

    action = action_by_ref("R3.10")
    added = add_note(action, "Panel minutes", "Discussed child J. Smith", action.owner)
    db.session.commit()
    plan_id = action.recommendation.plan_id
    day = added.added_at.date()

    def evidence_changes():
        summary = build_summary(load_plan(plan_id), day, since=day - timedelta(days=7))
        return [c.text for c in summary.changes["evidence"]]

    assert any("Panel minutes" in text for text in evidence_changes())
    sign_in(client, OWNER)
    assert withdraw(client, only_evidence(action)).status_code == 302
    db.session.expire_all()
    assert not any("Panel minutes" in text for text in evidence_changes())
