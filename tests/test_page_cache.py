"""The cache of the most-read pages: faster on a repeat visit, never stale, never shared."""

import re
from datetime import date

from sqlalchemy import select, update

from tests.conftest import action_by_ref, count_queries, form_post, sign_in
from tracker import audit
from tracker.extensions import db
from tracker.models import Action, DataVersion, Indicator, IndicatorValue, Plan, User

COMMITTEE = "margaret.fenwick@example.org"
OWNER = "gareth.pryce@example.org"
ADMIN = "laura.pickering@example.org"


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def without_per_request_parts(html: str) -> str:
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def statements(client, url: str) -> int:
    with count_queries() as seen:
        html_of(client, url)
    return len(seen)


def version() -> int:
    return db.session.scalar(select(DataVersion.version))


def summary_url() -> str:
    return f"/plans/{db.session.scalar(select(Plan.id))}/summary"


def test_a_repeat_visit_is_served_from_the_cache_and_looks_the_same(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, COMMITTEE)
    rec = action_by_ref("R3.10").recommendation
    pages = ["/plans", f"/plans/{rec.plan_id}", summary_url(), f"/recommendations/{rec.id}"]
    for url in [*pages, "/indicators", "/indicators/CSC-03"]:
        first = html_of(client, url)
        first_statements = statements(client, url)  # now cached
        assert first_statements == 2, url  # who is signed in, and the data version
        assert without_per_request_parts(html_of(client, url)) == without_per_request_parts(first)
        db.session.execute(update(DataVersion).values(version=DataVersion.version + 1))
        db.session.commit()
        assert statements(client, url) > first_statements, url  # rendered afresh
        assert "<title>" in first and "Margaret Fenwick" in first


def test_an_update_shows_at_once_on_every_cached_page(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.10")
    committee = client.application.test_client()
    sign_in(committee, COMMITTEE)
    rec_url = f"/recommendations/{action.recommendation_id}"
    assert "Completed" not in html_of(committee, rec_url).split("R3.10")[1][:600]
    html_of(committee, summary_url())
    owner = client
    sign_in(owner, OWNER)
    assert "R3.10" in html_of(owner, "/my-actions")
    response = form_post(
        owner,
        f"/actions/{action.id}/update",
        {
            "status": "blocked",
            "note": "Waiting for the new case system.",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    assert "Blocked" in html_of(committee, rec_url).split("R3.10")[1][:600]
    assert "Waiting for the new case system." in html_of(committee, summary_url())
    assert "Blocked" in html_of(owner, "/my-actions").split("R3.10")[1][:800]


def test_changes_made_elsewhere_show_at_once(seeded, client, as_at):
    """Another process (here: the test's own database session) changes figures and names."""
    as_at(date(2016, 3, 14))
    sign_in(client, COMMITTEE)
    assert "Corrected name for CSC-03" not in html_of(client, "/indicators")
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "CSC-03"))
    indicator.name = "Corrected name for CSC-03"
    db.session.commit()
    assert "Corrected name for CSC-03" in html_of(client, "/indicators")
    before = html_of(client, "/indicators/CSC-03")
    db.session.execute(  # a bulk statement, as the import uses
        update(IndicatorValue)
        .where(IndicatorValue.indicator_id == indicator.id)
        .values(data_quality_note="Recounted after an audit of the referral records")
    )
    db.session.commit()
    after = html_of(client, "/indicators/CSC-03")
    assert "Recounted after an audit" not in before and "Recounted after an audit" in after


def test_the_day_is_part_of_what_is_cached(seeded, client, as_at):
    sign_in(client, OWNER)
    as_at(date(2016, 1, 1))
    early = html_of(client, "/my-actions")
    as_at(date(2016, 12, 31))
    late = html_of(client, "/my-actions")
    overdue = re.compile(r"<strong>(\d+)</strong> overdue")
    assert overdue.search(early).group(1) != overdue.search(late).group(1)


def test_nobody_sees_a_page_cached_for_someone_else(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, OWNER)
    gareth = html_of(client, "/my-actions")
    other = client.application.test_client()
    sign_in(other, "mark.ellison@example.org")
    mark = html_of(other, "/my-actions")
    assert "R3.10" in gareth and "Gareth Pryce" in gareth
    assert "Mark Ellison" in mark and "Gareth Pryce" not in mark
    anonymous = client.application.test_client()
    assert anonymous.get("/my-actions").status_code == 302  # sign-in still checked every time
    committee = client.application.test_client()
    sign_in(committee, COMMITTEE)
    assert committee.get("/my-actions").status_code == 403
    admin = client.application.test_client()
    sign_in(admin, ADMIN)
    indicators_for_admin = html_of(admin, "/indicators")
    assert "Import figures" in indicators_for_admin
    assert "Import figures" not in html_of(committee, "/indicators")


def test_signing_in_and_the_audit_trail_leave_cached_pages_alone(seeded, client):
    start = version()
    sign_in(client, COMMITTEE)
    other = client.application.test_client()
    sign_in(other, OWNER)
    with client.application.test_request_context():
        audit.record("test.event", subject="someone@example.org")
        db.session.commit()
    assert version() == start
    gareth = db.session.scalar(select(User).where(User.email == OWNER))
    gareth.job_title = "Head of Early Help"
    db.session.commit()
    assert version() != start


def test_flash_messages_still_show_on_a_cached_page(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    html_of(client, "/my-actions")
    html_of(client, "/my-actions")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your update has been saved")]
    assert "Your update has been saved" in html_of(client, "/my-actions")
    assert "Your update has been saved" not in html_of(client, "/my-actions")
    assert action.reference in html_of(client, "/my-actions")


def test_the_cache_can_be_turned_off(seeded, client):
    sign_in(client, COMMITTEE)
    client.application.config["PAGE_CACHE"] = False
    try:
        first = statements(client, "/indicators")
        assert statements(client, "/indicators") == first
    finally:
        client.application.config["PAGE_CACHE"] = True


def test_a_renamed_action_shows_by_its_new_reference_on_cached_pages(seeded, client, as_at):
    as_at(date(2016, 3, 14))
    sign_in(client, COMMITTEE)
    action = action_by_ref("R3.10")
    rec_url = f"/recommendations/{action.recommendation_id}"
    assert "R3.10" in html_of(client, rec_url)
    db.session.execute(update(Action).where(Action.id == action.id).values(reference="R3.99"))
    db.session.commit()
    html = html_of(client, rec_url)
    assert "R3.99" in html and "R3.10" not in html


def test_a_cached_page_carries_this_request_s_nonce_and_a_working_csrf_token(seeded, client):
    sign_in(client, COMMITTEE)
    html_of(client, "/indicators")
    for _ in range(2):
        response = client.get("/indicators")  # from the cache
        header_nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        html = response.get_data(as_text=True)
        assert set(re.findall(r'nonce="([^"]*)"', html)) == {header_nonce.group(1)}
        assert "\x00" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    signed_out = client.post("/sign-out", data={"csrf_token": token})
    assert signed_out.status_code == 302
    assert client.get("/indicators").status_code == 302  # signed out: back to sign-in
    sign_in(client, COMMITTEE)  # a new session with a new CSRF secret, same cached page
    html = html_of(client, "/indicators")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
