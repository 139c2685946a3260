"""Evidence uploads are checked by content, stored safely and served only as attachments."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories as make
from tests.conftest import csrf_token, sign_in
from tracker.extensions import db
from tracker.models import Evidence, Role

OWNER = "gareth.pryce@example.org"
COMMITTEE = "margaret.fenwick@example.org"


@pytest.fixture
def r3_10(app):
    """Action R3.10 and its owner, a committee member, and nothing else: all these tests need."""
    make.person(Role.COMMITTEE_MEMBER, email=COMMITTEE)
    lead = make.person(Role.HEAD_OF_SERVICE)
    rec = make.recommendation(make.plan(lead=lead), lead=lead, reference="R3")
    action = make.action(rec, make.person(Role.HEAD_OF_SERVICE, email=OWNER), reference="R3.10")
    db.session.commit()
    return action


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, action, content: bytes, filename: str, title: str = ""):
    url = f"/actions/{action.id}/evidence/file"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": title,
            "document": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def test_a_pdf_is_stored_under_a_generated_name_with_its_hash(app, r3_10, client):
    action = r3_10
    sign_in(client, OWNER)
    response = upload(client, action, PDF, "Visit audit.pdf", "Visit audit")
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence).where(Evidence.action_id == action.id))
    assert evidence.original_filename == "Visit audit.pdf"
    assert evidence.stored_name != "Visit audit.pdf" and len(evidence.stored_name) == 32
    import hashlib

    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = Path(app.config["UPLOAD_FOLDER"]) / evidence.stored_name
    assert stored.read_bytes() == PDF
    assert "static" not in str(stored.resolve())

    download = client.get(f"/evidence/{evidence.id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    assert "Evidence added: Visit audit" in client.get(f"/actions/{action.id}").get_data(
        as_text=True
    )


def test_html_or_executable_renamed_pdf_is_rejected(r3_10, client):
    action = r3_10
    sign_in(client, OWNER)
    for content in [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00\x03\x00\x00\x00PE"]:
        response = upload(client, action, content, "report.pdf", "Kept title")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The selected file must be a PDF, Word document" in html
        assert 'value="Kept title"' in html
    assert db.session.scalar(select(db.func.count(Evidence.id))) == 0


def test_a_pdf_with_another_files_name_is_rejected(r3_10, client):
    sign_in(client, OWNER)
    html = upload(client, r3_10, PDF, "photo.png").get_data(as_text=True)
    assert "is a PDF, but its name ends .png" in html


def test_office_and_csv_files_are_accepted_by_content(r3_10, client, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "figures"
    path = tmp_path / "figures.xlsx"
    workbook.save(path)
    sign_in(client, OWNER)
    action = r3_10
    assert upload(client, action, path.read_bytes(), "figures.xlsx").status_code == 302
    assert upload(client, action, b"month,value\n2016-01,93.8\n", "figures.csv").status_code == 302
    assert (
        upload(client, action, b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "chart.png").status_code == 302
    )
    html = upload(client, action, b"<b>month</b>,value\n", "trick.csv").get_data(as_text=True)
    assert "The selected file must be" in html


def test_folder_parts_of_a_file_name_are_harmless(app, r3_10, client):
    action = r3_10
    sign_in(client, OWNER)
    assert upload(client, action, PDF, "../../x.pdf").status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.original_filename == "x.pdf"
    assert (Path(app.config["UPLOAD_FOLDER"]) / evidence.stored_name).exists()
    assert not (Path(app.config["UPLOAD_FOLDER"]).parent.parent / "x.pdf").exists()
    download = client.get(f"/evidence/{evidence.id}/download")
    assert "filename=x.pdf" in download.headers["Content-Disposition"]


def test_an_oversized_file_gets_a_friendly_413_page(app, r3_10, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        sign_in(client, OWNER)
        response = upload(client, r3_10, PDF + b"0" * (2 * 1024 * 1024), "big.pdf")
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "The file is too large" in html and "Traceback" not in html
    finally:
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 65536


def test_committee_members_see_titles_but_cannot_download(r3_10, client):
    action = r3_10
    sign_in(client, OWNER)
    upload(client, action, PDF, "audit.pdf", "Visit audit")
    evidence = db.session.scalar(select(Evidence))
    committee = client.application.test_client()
    sign_in(committee, COMMITTEE)
    html = committee.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Visit audit" in html
    assert f"/evidence/{evidence.id}/download" not in html
    assert committee.get(f"/evidence/{evidence.id}/download").status_code == 403


def test_links_must_be_http_or_https(r3_10, client):
    action = r3_10
    sign_in(client, OWNER)
    url = f"/actions/{action.id}/evidence/link"
    bad = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "Policy",
            "url": "javascript:alert(1)",
        },
    )
    assert "Enter a web address that starts with http:// or https://" in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "Policy",
            "url": "https://www.peterborough.gov.uk/policy",
        },
    )
    assert good.status_code == 302


def _zip_listing_many_parts(count: int) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for number in range(count):
            archive.writestr(f"p/{number}", b"")
    return buffer.getvalue()


def test_a_document_listing_thousands_of_parts_is_refused(r3_10, client, settings):
    action = r3_10
    sign_in(client, OWNER)
    settings(IMPORT_MAX_PARTS=50)
    response = upload(client, action, _zip_listing_many_parts(60), "minutes.docx", "Minutes")
    assert "The selected file must be a PDF, Word document" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Evidence.id))) == 0
    assert upload(client, action, _zip_listing_many_parts(10), "minutes.docx").status_code == 302
