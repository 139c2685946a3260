"""Text is cleaned once, as it comes in, and shown with its paragraphs (issue 12 finding 4,
issue 13 items 6 and 7)."""

import io

import pytest
from sqlalchemy import select
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired

from tests.conftest import action_by_ref, form_post, sign_in
from tracker import create_app
from tracker.extensions import db
from tracker.forms import TrackerForm
from tracker.models import Evidence, ProgressUpdate
from tracker.templating import line_breaks, paragraphs

OWNER = "gareth.pryce@example.org"  # owns R3.10
ADMIN = "laura.pickering@example.org"
WORD_PASTE = "First line\x0bsecond line\r\n\r\nNew paragraph\x00\x07"


class SampleForm(TrackerForm):
    class Meta:
        csrf = False

    title = StringField(validators=[InputRequired("Enter a title")])
    note = TextAreaField()
    password = PasswordField()


@pytest.fixture(scope="module")
def bare_app():
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def submitted(bare_app, data) -> SampleForm:
    with bare_app.test_request_context("/", method="POST", data=data):
        return SampleForm()


def test_every_form_cleans_what_was_typed_before_any_field_reads_it(bare_app):
    form = submitted(
        bare_app,
        {"title": "  Safe\u202etxt.exe\t title\x0b", "note": WORD_PASTE, "password": " p\x00w "},
    )
    assert form.title.data == "Safetxt.exe title"
    assert form.note.data == "First line\nsecond line\n\nNew paragraph"
    assert form.password.data == " p\x00w "  # only ever hashed; cleaning would change it


def test_a_title_of_invisible_characters_is_empty_and_required(bare_app):
    form = submitted(bare_app, {"title": "\u202e\x00 \x0b", "note": ""})
    assert not form.validate()
    assert form.title.errors == ["Enter a title"]


def test_uploaded_file_names_are_cleaned(bare_app):
    data = {"title": "x", "upload": (io.BytesIO(b"%PDF"), "minutes\u202efdp.exe\x00")}
    with bare_app.test_request_context("/", method="POST", data=data):
        SampleForm()
        from flask import request

        assert request.files["upload"].filename == "minutesfdp.exe"


def test_a_progress_note_pasted_from_word_is_stored_with_new_lines(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/update",
        {"status": action.status, "note": WORD_PASTE, "version": str(action.version)},
    )
    assert response.status_code == 302
    notes = db.session.scalars(
        select(ProgressUpdate.note).where(ProgressUpdate.action_id == action.id)
    ).all()
    assert "First line\nsecond line\n\nNew paragraph" in notes
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert (
        '<p class="govuk-body">First line<br>second line</p><p class="govuk-body">New paragraph</p>'
    ) in html
    client = client.application.test_client()
    sign_in(client, ADMIN)
    plan_id = action.recommendation.plan_id
    assert client.get(f"/plans/{plan_id}/summary.xlsx").status_code == 200


def test_direction_overrides_never_reach_a_title(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/evidence/note",
        {"title": "Audit\u202e fdp.exe", "note": "Checked\u2066 all files"},
    )
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    assert (evidence.title, evidence.note) == ("Audit fdp.exe", "Checked all files")


def test_a_form_with_an_error_keeps_what_was_typed(seeded, client):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    response = form_post(
        client,
        f"/actions/{action.id}/evidence/note",
        {"title": "Panel minutes\x0b", "note": "  "},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter the note" in html
    assert 'value="Panel minutes"' in html


def test_line_breaks_are_shown_safely():
    assert paragraphs("a\nb\n\n\n<script>") == (
        '<p class="govuk-body">a<br>b</p><p class="govuk-body">&lt;script&gt;</p>'
    )
    assert paragraphs("") == ""
    assert paragraphs("one", "") == "<p>one</p>"
    assert line_breaks("x & y\nz") == "x &amp; y<br>z"
