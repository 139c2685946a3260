"""Committee members see evidence titles only, as docs/permissions.md says: not file names,
link addresses or note text (issue 12 finding 9)."""

from tests.conftest import action_by_ref, sign_in
from tracker.evidence.service import add_link, add_note
from tracker.extensions import db

COMMITTEE = "margaret.fenwick@example.org"
LEAD = "mark.ellison@example.org"


def test_committee_members_see_titles_but_not_note_text_or_link_addresses(seeded, client):
    action = action_by_ref("R3.10")
    add_note(action, "Case audit summary", "Child B: visit missed on 3 February", action.owner)
    add_link(action, "Visits dashboard", "https://intranet.example.org/visits?team=4", action.owner)
    db.session.commit()

    sign_in(client, COMMITTEE)
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Case audit summary" in html and "Visits dashboard" in html
    assert "Child B" not in html
    assert "intranet.example.org" not in html
    assert "committee members see titles only" in html

    staff = client.application.test_client()
    sign_in(staff, LEAD)
    html = staff.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Child B: visit missed on 3 February" in html
    assert "https://intranet.example.org/visits?team=4" in html
