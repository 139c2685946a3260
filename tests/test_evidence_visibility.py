"""Committee members see evidence titles only, as docs/permissions.md says: not file names,
link addresses or note text (issue 12 finding 9)."""

from tests import factories as make
from tests.conftest import sign_in
from tracker.evidence.service import add_link, add_note
from tracker.extensions import db
from tracker.models import Role


def test_committee_members_see_titles_but_not_note_text_or_link_addresses(app, client):
    lead = make.person(Role.HEAD_OF_SERVICE)
    committee = make.person(Role.COMMITTEE_MEMBER)
    rec = make.recommendation(make.plan(lead=lead), lead=lead)
    action = make.action(rec, make.person(Role.HEAD_OF_SERVICE))
    add_note(action, "Case audit summary", "Child B: visit missed on 3 February", action.owner)
    add_link(action, "Visits dashboard", "https://intranet.example.org/visits?team=4", action.owner)
    db.session.commit()

    sign_in(client, committee.email)
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Case audit summary" in html and "Visits dashboard" in html
    assert "Child B" not in html
    assert "intranet.example.org" not in html
    assert "committee members see titles only" in html

    staff = client.application.test_client()
    sign_in(staff, lead.email)
    html = staff.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Child B: visit missed on 3 February" in html
    assert "https://intranet.example.org/visits?team=4" in html
