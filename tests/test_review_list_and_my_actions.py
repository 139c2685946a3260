"""Awaiting my review (issue 13.14), My actions groups and green success banners (13.17)."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.evidence.service import add_note
from tracker.extensions import db
from tracker.models import Action, Evidence, Plan, Recommendation, User, utcnow

OWNER = "gareth.pryce@example.org"  # owns R3.10
LEAD = "mark.ellison@example.org"  # leads R3
ADMIN = "laura.pickering@example.org"


def page(client, url):
    return client.get(url).get_data(as_text=True)


def note_on(reference: str, title: str, days_ago: int) -> Evidence:
    action = action_by_ref(reference)
    evidence = add_note(action, title, "What was checked", action.owner)
    evidence.added_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return evidence


def nav_count(html: str) -> int:
    found = re.search(r"Awaiting my review \((\d+)\)", html)
    assert found, "no Awaiting my review item in the navigation"
    return int(found.group(1))


def test_a_lead_sees_evidence_waiting_oldest_first_with_a_count_in_the_navigation(seeded, client):
    newer = note_on("R3.10", "Newer audit", days_ago=1)
    older = note_on("R3.10", "Older audit", days_ago=9)
    assert newer.action.recommendation.lead.email == LEAD
    sign_in(client, LEAD)
    html = page(client, "/awaiting-my-review")
    to_review = html.split("Evidence to review (")[1].split("Completed, with no evidence yet")[0]
    assert to_review.index("Older audit") < to_review.index("Newer audit")
    evidence_count = int(html.split("Evidence to review (")[1].split(")")[0])
    actions_count = int(html.split("Completed, with no evidence yet (")[1].split(")")[0])
    assert evidence_count == 2
    assert nav_count(html) == evidence_count + actions_count
    assert nav_count(page(client, "/plans")) == evidence_count + actions_count
    assert older.id and f"/evidence/{older.id}/review?from=review-list" in html


def test_accepting_from_the_list_verifies_and_returns_to_the_list_with_a_green_banner(
    seeded, client
):
    action = action_by_ref("R3.10")
    evidence = note_on("R3.10", "Visit audit", days_ago=2)
    action.status = "completed"
    db.session.commit()
    sign_in(client, LEAD)
    before = nav_count(page(client, "/awaiting-my-review"))
    url = f"/evidence/{evidence.id}/review?from=review-list"
    response = form_post(client, url, {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/awaiting-my-review"
    html = page(client, "/awaiting-my-review")
    assert "govuk-notification-banner--success" in html
    assert "Evidence accepted: Visit audit" in html
    assert "Visit audit" not in html.split("</main>")[0].split("Evidence to review")[1]
    assert nav_count(html) == before - 1
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "verified"


def test_rejecting_from_the_list_needs_a_reason_as_on_the_review_page(seeded, client):
    evidence = note_on("R3.10", "Visit audit", days_ago=2)
    sign_in(client, LEAD)
    url = f"/evidence/{evidence.id}/review?from=review-list"
    response = form_post(client, url, {"decision": "reject", "reason": " "})
    assert response.status_code == 200
    assert "Enter the reason for rejecting the evidence" in response.get_data(as_text=True)


def test_a_completed_action_with_no_evidence_is_listed_for_its_lead(seeded, client):
    action = action_by_ref("R3.10")
    action.status = "completed"
    action.completed_on = date(2016, 3, 1)
    db.session.commit()
    sign_in(client, LEAD)
    no_evidence = page(client, "/awaiting-my-review").split("Completed, with no evidence yet")[1]
    assert ">R3.10: " in no_evidence
    assert "1 March 2016" in no_evidence


def test_only_leads_and_admins_have_a_review_list(seeded, client):
    leading = select(Recommendation.lead_id).where(Recommendation.lead_id.is_not(None))
    owner = db.session.scalar(
        select(User)
        .join(Action, Action.owner_id == User.id)
        .where(User.role != "admin", User.id.not_in(leading))
        .limit(1)
    )
    sign_in(client, owner.email)  # owns actions, leads no recommendation
    assert "Awaiting my review" not in page(client, "/my-actions")
    assert client.get("/awaiting-my-review").status_code == 403
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})
    sign_in(client, ADMIN)
    assert client.get("/awaiting-my-review").status_code == 200


def section(html: str, heading: str) -> str:
    start = html.index(f'<h2 class="govuk-heading-m">{heading} (')
    end = html.find('<h2 class="govuk-heading-m">', start + 1)
    return html[start : end if end != -1 else len(html)]


def test_my_actions_has_a_completed_group_sorted_by_due_date_with_the_plan_named_once(
    seeded, client, as_at
):
    as_at(date(2016, 3, 14))
    sign_in(client, OWNER)
    html = page(client, "/my-actions")
    completed = section(html, "Completed, awaiting verification")
    assert ">R5.3: " in completed
    everything_else = section(html, "Everything else")
    assert ">R5.3: " not in everything_else

    owned = db.session.scalars(
        select(Action).join(Action.owner).where(User.email == OWNER, Action.status != "completed")
    ).all()
    for heading in ("Overdue", "Due in the next 14 days", "Everything else"):
        if f"{heading} (" not in html:
            continue
        shown = re.findall(r">(R\d+\.\d+): ", section(html, heading))
        by_ref = {a.reference: a for a in owned}
        dues = [by_ref[ref].current_due_date or date.max for ref in shown]
        assert dues == sorted(dues), (heading, shown)

    plan = db.session.scalar(select(Plan))
    tables = html[html.index("<h2") : html.index("app-rag-key") if "app-rag-key" in html else None]
    assert tables.count(plan.title) <= html.count('<h2 class="govuk-heading-m">') + 1
    rows = len(re.findall(r'<tr class="govuk-table__row">\s*<th scope="row"', tables))
    assert rows > 3 and tables.count(plan.title) < rows


def banners(html: str) -> list[tuple[bool, str]]:
    """Each notification banner on the page: (is it the green success one, its text)."""
    found = re.findall(
        r'<div class="govuk-notification-banner([^"]*)"(.*?)</div>\s*</div>', html, re.S
    )
    return [("--success" in classes, re.sub(r"<[^>]+>", " ", body)) for classes, body in found]


def test_a_saved_update_is_green_and_nothing_changed_is_blue(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": action.status, "note": "Checked", "version": str(action.version)},
    )
    assert response.status_code == 302
    shown = banners(page(client, response.headers["Location"]))
    assert [green for green, text in shown if "Your update has been saved." in text] == [True]

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})
    sign_in(client, ADMIN)
    owner = db.session.scalar(select(User).where(User.email == OWNER))
    response = form_post(
        client,
        f"/admin/people/{owner.id}/edit",
        {"name": owner.name, "job_title": owner.job_title, "role": owner.role},
    )
    assert response.status_code == 302
    shown = banners(page(client, response.headers["Location"]))
    assert [green for green, text in shown if "Nothing changed." in text] == [False]


def test_my_actions_filters_show_a_renamed_plan_on_the_next_request(seeded, client):
    """The filter's select is kept per process by its parameters: a new title is new HTML."""
    sign_in(client, OWNER)
    plan = db.session.scalar(select(Plan))
    assert "peterborough 2015: improvement plan</option>" in page(client, "/my-actions").lower()
    plan.title = "Renamed improvement plan"
    db.session.commit()
    html = page(client, "/my-actions")
    assert ">Renamed improvement plan</option>" in html
    assert f'<option value="{plan.id}" selected>' in page(client, f"/my-actions?plan={plan.id}")


def test_the_menu_offers_review_to_whoever_leads_a_recommendation_from_the_next_page(
    seeded, client
):
    """Whether someone leads a recommendation is read with their session on every request: made
    a lead, their next page offers Awaiting my review; no longer a lead, it does not."""
    leads = select(Recommendation.lead_id).where(Recommendation.lead_id.is_not(None))
    owner = db.session.scalar(
        select(User).where(User.role == "head_of_service", User.id.not_in(leads)).limit(1)
    )
    sign_in(client, owner.email)
    assert "Awaiting my review" not in page(client, "/plans")
    rec = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R3"))
    previous, rec.lead_id = rec.lead_id, owner.id
    db.session.commit()
    assert nav_count(page(client, "/plans")) >= 0
    rec.lead_id = previous
    db.session.commit()
    assert "Awaiting my review" not in page(client, "/my-actions")
