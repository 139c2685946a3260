"""Importing an existing action plan from a real XLSX or CSV file: preview, then all or nothing."""

import csv
import io
import re
from datetime import datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.conftest import csrf_token, sign_in
from tracker.extensions import db
from tracker.models import (
    Action,
    AuditEvent,
    ImportRecord,
    Plan,
    ProgressUpdate,
    Recommendation,
    User,
)

ADMIN = "laura.pickering@example.org"
HEADER = [
    "Recommendation reference",
    "Recommendation text",
    "Lead email",
    "Action reference",
    "Action text",
    "Owner email",
    "Due date",
    "Status",
    "Latest note",
]
GOOD_ROWS = [
    [
        "R1",
        "Improve the stability of the workforce.",
        "catherine.holloway@example.org",
        "R1.1",
        "Launch a recruitment website",
        "mark.ellison@example.org",
        datetime(2026, 4, 30),
        "In progress",
        "Site is in testing",
    ],
    [
        "R1",
        "",
        "",
        "R1.2",
        "Introduce retention payments",
        "new.starter@example.org",
        "31/07/2026",
        "Not started",
        "",
    ],
    [
        "R2",
        "Ensure management oversight is recorded on every case.",
        "mark.ellison@example.org",
        "R2.1",
        "Audit supervision records",
        "priya.desai@example.org",
        "2026-09-30",
        "Blocked",
        "Waiting for the case audit tool",
    ],
]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, datetime) else v for v in row])
    return buffer.getvalue().encode("utf-8")


def _plan() -> Plan:
    plan = Plan(title="Focused visit 2026: improvement plan", inspectorate="Ofsted")
    db.session.add(plan)
    db.session.commit()
    return plan


def _upload(client, plan_id: int, data: bytes, filename: str):
    url = f"/admin/plans/{plan_id}/import"
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"file": (io.BytesIO(data), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )


def _confirm(client, plan_id: int, preview_html: str):
    upload_id = re.search(r'name="upload_id" type="hidden" value="([^"]+)"', preview_html)
    assert upload_id, "no confirm form on the preview"
    token = csrf_token(client, f"/admin/plans/{plan_id}/import")
    return client.post(
        f"/admin/plans/{plan_id}/import/confirm",
        data={"upload_id": upload_id.group(1), "csrf_token": token},
    )


def _counts(plan_id: int) -> tuple[int, int]:
    recs = db.session.scalar(
        select(func.count(Recommendation.id)).where(Recommendation.plan_id == plan_id)
    )
    actions = db.session.scalar(
        select(func.count(Action.id))
        .join(Action.recommendation)
        .where(Recommendation.plan_id == plan_id)
    )
    return recs, actions


def _email_of(user_id: int | None) -> str | None:
    return db.session.get(User, user_id).email if user_id else None


def test_a_valid_xlsx_previews_then_creates_the_plan_and_a_second_import_creates_nothing(
    seeded, client
):
    plan = _plan()
    sign_in(client, ADMIN)
    data = xlsx_bytes(GOOD_ROWS)
    preview = _upload(client, plan.id, data, "action-plan.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "What will be created" in html
    assert "2 recommendations and 3 actions" in html
    assert "new.starter@example.org (row 3)" in html  # unknown owner listed with its row
    assert _counts(plan.id) == (0, 0)  # a preview creates nothing

    done = _confirm(client, plan.id, html)
    assert done.status_code == 302
    assert "Import complete" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert _counts(plan.id) == (2, 3)
    r1 = db.session.scalar(
        select(Recommendation).where(
            Recommendation.plan_id == plan.id, Recommendation.reference == "R1"
        )
    )
    assert r1.text == "Improve the stability of the workforce."
    assert _email_of(r1.lead_id) == "catherine.holloway@example.org"
    actions = {a.reference: a for a in r1.actions}
    assert actions["R1.1"].current_due_date.isoformat() == "2026-04-30"
    assert actions["R1.1"].original_due_date.isoformat() == "2026-04-30"
    assert actions["R1.1"].status == "in_progress"
    assert _email_of(actions["R1.1"].owner_id) == "mark.ellison@example.org"
    assert actions["R1.2"].owner_id is None  # unknown owner: imported unassigned
    assert actions["R1.2"].current_due_date.isoformat() == "2026-07-31"
    note = db.session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.action_id == actions["R1.1"].id)
    )
    assert note.note == "Site is in testing" and note.status_to == "in_progress"
    record = db.session.scalar(select(ImportRecord).where(ImportRecord.plan_id == plan.id))
    assert record.kind == "action_plan" and record.rows_added == 3
    assert record.filename == "action-plan.xlsx"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "action_plan.imported"))
    assert event.after["actions_added"] == ["R1.1", "R1.2", "R2.1"]

    again = _upload(client, plan.id, data, "action-plan.xlsx").get_data(as_text=True)
    assert "Nothing new to import" in again
    assert "This file was imported into this plan on" in again
    assert 'name="upload_id"' not in again
    # Even replaying the first confirmation creates nothing new: the checked rows are gone.
    replay = _confirm(client, plan.id, html)
    assert replay.status_code == 302
    landing = client.get(replay.headers["Location"]).get_data(as_text=True)
    assert "That file has already been imported" in landing
    assert _counts(plan.id) == (2, 3)
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 1


def test_a_valid_csv_creates_the_recommendations_and_actions(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    html = _upload(client, plan.id, csv_bytes(GOOD_ROWS), "plan.csv").get_data(as_text=True)
    assert "2 recommendations and 3 actions" in html
    _confirm(client, plan.id, html)
    assert _counts(plan.id) == (2, 3)
    blocked = db.session.scalar(
        select(Action).where(Action.description == "Audit supervision records")
    )
    assert blocked.reference == "R2.1" and blocked.status == "blocked"
    assert blocked.current_due_date.isoformat() == "2026-09-30"
    again = _upload(client, plan.id, csv_bytes(GOOD_ROWS), "plan.csv").get_data(as_text=True)
    assert "Nothing new to import" in again


BAD_ROWS = [
    GOOD_ROWS[0],
    ["R1", "", "", "R1.2", "", "mark.ellison@example.org", "soon", "Nearly there", ""],
    ["R1", "", "", "R2.3", "Belongs elsewhere", "", "", "", ""],
    ["R1", "", "", "R1.1", "Same reference again", "", "", "", ""],
    ["R3", "A recommendation after a gap", "not-an-email", "R3.1", "Something", "", "", "", ""],
    ["R4", "Fourth", "", "R4.1", "Verified already", "", "", "Verified", ""],
]


def _bad_file_reports_each_row_and_creates_nothing(client, plan, data, filename):
    response = _upload(client, plan.id, data, filename)
    html = response.get_data(as_text=True)
    assert "<title>Error: Check the import" in html
    assert "There is a problem with the file" in html
    for expected in [
        "Row 3: enter the action text",
        "Row 3: due date &#39;soon&#39; must be a real date",
        "Row 3: status &#39;Nearly there&#39; must be Not started, In progress, Blocked or "
        "Completed",
        "Row 4: action R2.3 does not belong to recommendation R1",
        "Row 5: action R1.1 is also on row 2",
        "Row 6: lead email &#39;not-an-email&#39; is not an email address",
        "Row 6: there is no recommendation R2 in the file or the plan",
        "Row 7: status &#39;Verified&#39; is given only when evidence is accepted",
    ]:
        assert expected in html, expected
    assert 'name="upload_id"' not in html
    assert _counts(plan.id) == (0, 0)
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 0


def test_an_xlsx_with_errors_creates_nothing_and_reports_every_error_with_its_row(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    _bad_file_reports_each_row_and_creates_nothing(client, plan, xlsx_bytes(BAD_ROWS), "bad.xlsx")


def test_a_csv_with_errors_creates_nothing_and_reports_every_error_with_its_row(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    _bad_file_reports_each_row_and_creates_nothing(client, plan, csv_bytes(BAD_ROWS), "bad.csv")


def test_missing_columns_and_files_that_are_not_spreadsheets_are_refused(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    header = [h for h in HEADER if h != "Owner email"]
    missing = _upload(client, plan.id, csv_bytes([], header=header), "plan.csv")
    assert "Row 1: the file has no &#39;Owner email&#39; column" in missing.get_data(as_text=True)
    pdf = _upload(client, plan.id, b"%PDF-1.4\x00\x01binary", "plan.xlsx").get_data(as_text=True)
    assert "The file is not an Excel workbook in .xlsx format" in pdf
    pdf = _upload(client, plan.id, b"%PDF-1.4\x00\x01binary", "plan.csv").get_data(as_text=True)
    assert "The file is not a CSV file: it contains binary data" in pdf
    fake_zip = _upload(client, plan.id, b"PK\x03\x04not really", "plan.xlsx").get_data(as_text=True)
    assert "The file is damaged: it cannot be opened as an Excel workbook" in fake_zip
    assert _counts(plan.id) == (0, 0)


def test_import_continues_the_references_of_a_plan_that_already_has_some(seeded, client):
    seeded_plan = db.session.scalar(select(Plan).where(Plan.title.like("Ofsted%")))
    sign_in(client, ADMIN)
    rows = [
        [
            "R12",
            "A new recommendation after the monitoring visit.",
            "",
            "R12.1",
            "Do it",
            "",
            "",
            "",
            "",
        ],
        ["R1", "", "", "R1.5", "One more action for R1", "", "", "", ""],
    ]
    html = _upload(client, seeded_plan.id, csv_bytes(rows), "extra.csv").get_data(as_text=True)
    assert "1 recommendation and 2 actions" in html
    _confirm(client, seeded_plan.id, html)
    rec = db.session.scalar(
        select(Recommendation).where(
            Recommendation.plan_id == seeded_plan.id, Recommendation.reference == "R12"
        )
    )
    assert rec.position == 12 and rec.title == "A new recommendation after the monitoring visit"
    assert db.session.scalar(select(Action).where(Action.reference == "R1.5")).position == 5


def test_a_tampered_confirmation_is_refused(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    token = csrf_token(client, f"/admin/plans/{plan.id}/import")
    response = client.post(
        f"/admin/plans/{plan.id}/import/confirm",
        data={"upload_id": "../../forged", "csrf_token": token},
    )
    assert response.status_code == 400
    unknown = client.post(
        f"/admin/plans/{plan.id}/import/confirm",
        data={"upload_id": "0" * 32, "csrf_token": token},
    )
    assert unknown.status_code == 302
    assert "Upload it again" in client.get(unknown.headers["Location"]).get_data(as_text=True)
    # A preview checked for one plan cannot be confirmed into another.
    other = Plan(title="Another plan", inspectorate="Ofsted")
    db.session.add(other)
    db.session.commit()
    html = _upload(client, other.id, xlsx_bytes(GOOD_ROWS), "plan.xlsx").get_data(as_text=True)
    upload_id = re.search(r'name="upload_id" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/admin/plans/{plan.id}/import/confirm",
        data={"upload_id": upload_id, "csrf_token": token},
    )
    assert response.status_code == 400
    assert _counts(plan.id) == (0, 0) and _counts(other.id) == (0, 0)


def test_the_downloadable_templates_have_the_columns_and_import_once_filled_in(seeded, client):
    plan = _plan()
    sign_in(client, ADMIN)
    response = client.get("/admin/import/action-plan-template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Action plan"]
    header = [cell.value for cell in sheet[1]]
    assert set(HEADER) <= set(header)
    sheet.append(
        {
            header.index("Recommendation reference") + 1: "R1",
            header.index("Recommendation text") + 1: "From the template.",
            header.index("Action reference") + 1: "R1.1",
            header.index("Action text") + 1: "Filled in",
        }
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = _upload(client, plan.id, buffer.getvalue(), "filled.xlsx").get_data(as_text=True)
    assert "1 recommendation and 1 action" in html

    text = client.get("/admin/import/action-plan-template.csv").data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[0] == "Recommendation reference"
