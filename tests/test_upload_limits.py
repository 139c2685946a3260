"""How much evidence and how many pending import uploads a person, and the tracker, may store,
refused with a clear message (issue 12 finding 9)."""

import io

from sqlalchemy import func, select

from tests.conftest import action_by_ref, csrf_token, form_post, sign_in
from tracker.extensions import db
from tracker.models import Evidence

OWNER = "gareth.pryce@example.org"  # owns R3.10
ADMIN = "laura.pickering@example.org"
PERFORMANCE = "rachel.booth@example.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _evidence_count() -> int:
    return db.session.scalar(select(func.count(Evidence.id)))


def _add_note(client, action, title: str):
    return form_post(client, f"/actions/{action.id}/evidence/note", {"title": title, "note": "x"})


def _upload_file(client, action):
    url = f"/actions/{action.id}/evidence/file"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "Audit",
            "document": (io.BytesIO(PDF), "audit.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_a_person_may_add_only_so_much_evidence_a_day(seeded, client, settings, tmp_path):
    settings(EVIDENCE_MAX_PER_PERSON_PER_DAY=3, UPLOAD_FOLDER=str(tmp_path))
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    for number in range(3):
        assert _add_note(client, action, f"Note {number}").status_code == 302
    message = "You have added 3 pieces of evidence in the last 24 hours, the most allowed"
    refused = _add_note(client, action, "One too many")
    assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    url = f"/actions/{action.id}/evidence/link"
    link = form_post(client, url, {"title": "Dashboard", "url": "https://example.org"})
    assert message in link.get_data(as_text=True)
    upload = _upload_file(client, action)
    assert message in upload.get_data(as_text=True)
    assert list(tmp_path.iterdir()) == []  # the refused file was never written
    assert _evidence_count() == 3

    admin = client.application.test_client()
    sign_in(admin, ADMIN)  # others are not affected
    assert _add_note(admin, action, "Admin's note").status_code == 302


def test_the_tracker_holds_only_so_much_evidence(seeded, client, settings):
    action = action_by_ref("R3.10")
    sign_in(client, OWNER)
    assert _add_note(client, action, "First").status_code == 302
    settings(EVIDENCE_MAX_TOTAL=1)
    refused = _add_note(client, action, "Second")
    assert "The tracker holds 1 pieces of evidence, the most it is set up for" in refused.get_data(
        as_text=True
    )
    assert _evidence_count() == 1


def _import_upload(client, name: str):
    token = csrf_token(client, "/indicators/import")
    data = b"Indicator code,Period,Value\r\nCSC-15,2016-02,95.2\r\n"
    return client.post(
        "/indicators/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_pending_import_uploads_are_limited_per_person_and_in_total(
    seeded, client, settings, tmp_path
):
    settings(
        UPLOAD_FOLDER=str(tmp_path), IMPORT_PENDING_MAX_PER_PERSON=2, IMPORT_PENDING_MAX_TOTAL=3
    )
    sign_in(client, PERFORMANCE)
    for number in range(2):
        assert _import_upload(client, f"feb{number}.csv").status_code == 302
    refused = _import_upload(client, "feb2.csv")
    assert refused.status_code == 200
    assert "You have 2 uploads waiting to be imported, the most allowed" in refused.get_data(
        as_text=True
    )
    folder = tmp_path / "indicator-imports"
    assert len(list(folder.glob("*.upload"))) == 2

    admin = client.application.test_client()
    sign_in(admin, ADMIN)
    assert _import_upload(admin, "mine.csv").status_code == 302
    full = _import_upload(admin, "mine-too.csv").get_data(as_text=True)
    assert "There are 3 uploads waiting to be imported across the tracker" in full
    assert len(list(folder.glob("*.upload"))) == 3
