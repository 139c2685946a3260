"""In a real browser (issue 13 acceptance a and b): evidence goes from the owner to the lead's
"Awaiting my review" list and back as verified; a wrong file is withdrawn and really deleted.
axe-core checks each new page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import action_by_ref, assert_accessible, browser_sign_in
from tracker.extensions import db
from tracker.models import Evidence

pytestmark = pytest.mark.browser

OWNER = "gareth.pryce@example.org"  # owns R3.10
LEAD = "mark.ellison@example.org"  # leads R3
ADMIN = "laura.pickering@example.org"
PDF = b"%PDF-1.4\n1 0 obj<<(Child: J. Smith)>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_owner_completes_with_evidence_lead_accepts_from_the_list_owner_sees_verified(
    seeded, live_server, page
):
    action = action_by_ref("R3.10")
    action_url = f"{live_server.url}/actions/{action.id}"
    browser_sign_in(page, live_server, OWNER)
    page.goto(action_url)
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name="Write a note").click()
    page.get_by_label("Title").fill("Audit of visits, February 2016")
    page.get_by_label("Note").fill("All 42 children in care visited within timescales")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Note added as evidence."
    )
    page.get_by_role("link", name="Update this action").click()
    page.get_by_label("Completed").check()
    page.get_by_label("Progress note").fill("Weekly checks are in place")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your update has been saved."
    )
    sign_out(page)

    browser_sign_in(page, live_server, LEAD)
    page.get_by_role("link", name=re.compile(r"^Awaiting my review \(\d+\)")).click()
    expect(page).to_have_title(re.compile("^Awaiting my review"))
    assert_accessible(page)
    page.get_by_role("link", name="Accept or reject Audit of visits, February 2016").click()
    assert_accessible(page)
    page.get_by_label("Accept it").check()
    page.get_by_role("button", name="Save review").click()
    expect(page).to_have_title(re.compile("^Awaiting my review"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Evidence accepted: Audit of visits, February 2016"
    )
    expect(page.get_by_text("Accept or reject Audit of visits")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    browser_sign_in(page, live_server, OWNER)
    page.get_by_role("link", name="My actions").first.click()
    page.get_by_role("link", name=re.compile(r"R3\.10")).first.click()
    expect(page.locator("main")).to_contain_text("Verified")
    expect(page.locator("main")).to_contain_text("The action is verified.")


def test_owner_withdraws_a_wrong_file_which_is_deleted_and_the_trail_says_so(
    seeded, live_server, page, tmp_path
):
    action = action_by_ref("R3.10")
    wrong = tmp_path / "case notes J Smith.pdf"
    wrong.write_bytes(PDF)
    browser_sign_in(page, live_server, OWNER)
    page.goto(f"{live_server.url}/actions/{action.id}")
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name="Upload a document").click()
    page.get_by_label("Title").fill("Visit audit")
    page.get_by_label("Upload a file").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload evidence").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Evidence uploaded")
    db.session.expire_all()
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    stored = Path(seeded.config["UPLOAD_FOLDER"]) / evidence.stored_name
    assert stored.read_bytes() == PDF

    page.get_by_role("link", name="Withdraw Visit audit").click()
    expect(page.get_by_role("heading", name="Withdraw evidence")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw evidence").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for withdrawing the evidence"
    )
    assert_accessible(page)
    page.get_by_label("Why are you withdrawing this evidence?").fill(
        "Wrong file: it is a child's case notes"
    )
    page.get_by_role("button", name="Withdraw evidence").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Evidence withdrawn: Visit audit"
    )
    expect(page.locator("main")).to_contain_text("Its content has been deleted.")
    expect(page.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    assert_accessible(page)
    assert not stored.exists()
    sign_out(page)

    browser_sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server.url}/audit?kind=evidence")
    trail = page.locator("table")
    expect(trail).to_contain_text(
        "withdrew the evidence 'Visit audit' on R3.10 and deleted its content"
    )
    expect(trail).to_contain_text("Wrong file: it is a child's case notes")
    expect(trail).not_to_contain_text("J. Smith")
