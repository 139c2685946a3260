"""Every spreadsheet and CSV the app writes holds stored text safely (issue 12, findings 4 and 5).

The walk finds every export from the URL map (any GET route ending .xlsx or .csv), plants
hostile text in every human-written column of the demo plan, and reads back every cell of every
sheet: no formula, no character a spreadsheet would run or hide, and never a 500.
"""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import sign_in
from tracker import create_app
from tracker.extensions import db
from tracker.models import (
    Action,
    CommitteeMeeting,
    Evidence,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Plan,
    ProgressUpdate,
    Recommendation,
    Theme,
    User,
)
from tracker.text import FORMULA_STARTS

ADMIN = "laura.pickering@example.org"
# A formula, Word's line break, a direction override; NUL too where the database can hold it.
HOSTILE = '=HYPERLINK("http://evil.example/","Open")\x0bsecond line\u202eesrever'
HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069]")
HUMAN_TEXT = {
    Plan: ["title", "inspectorate", "inspection_type"],
    CommitteeMeeting: ["title"],
    Theme: ["name"],
    Recommendation: ["title", "text", "withdrawn_reason"],
    Action: ["description", "withdrawn_reason"],
    ProgressUpdate: ["note", "due_change_reason"],
    Evidence: ["title", "note"],
    Indicator: ["name", "description", "benchmark_label", "source"],
    IndicatorTarget: ["source"],
    IndicatorValue: ["data_quality_note", "source"],
    User: ["name", "job_title"],
}


def _export_rules() -> list[str]:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.rule.endswith((".xlsx", ".csv"))
    )


EXPORTS = _export_rules()


@pytest.fixture
def hostile(seeded, backend):
    text = HOSTILE + ("\x00" if backend == "sqlite" else "")  # PostgreSQL refuses NUL in text
    for model, columns in HUMAN_TEXT.items():
        for index, row in enumerate(db.session.scalars(select(model)), start=1):
            for column in columns:
                if column == "withdrawn_reason" and row.withdrawn_reason is None:
                    continue  # a reason would withdraw it, and withdrawn work is not exported
                setattr(row, column, f"{text} {index}")
    db.session.commit()
    return seeded


def test_the_walk_finds_the_exports():
    assert {"/plans/<int:plan_id>/summary.xlsx", "/plans/<int:plan_id>/actions.csv"} <= set(EXPORTS)


def _cells(response) -> list:
    body = response.get_data()
    if body[:2] == b"PK":
        workbook = load_workbook(io.BytesIO(body))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
        return [
            cell
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        ]
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("rule", EXPORTS)
def test_every_export_neutralises_hostile_stored_text(hostile, client, rule):
    plan = db.session.scalar(select(Plan))
    sign_in(client, ADMIN)
    for query in ("", f"?since={plan.published_on.isoformat()}"):
        response = client.get(rule.replace("<int:plan_id>", str(plan.id)) + query)
        assert response.status_code == 200, f"{rule}{query}"
        texts = [cell for cell in _cells(response) if isinstance(cell, str)]
        for text in texts:
            assert not text.startswith(FORMULA_STARTS), f"{rule}: {text!r}"
            assert not HIDDEN.search(text), f"{rule}: {text!r}"
        if "<int:plan_id>" in rule or rule == "/indicators/import/template.xlsx":
            assert any(t.startswith("'=HYPERLINK") for t in texts), "stored text not exported"


def test_the_about_sheet_holds_the_plan_title_as_text(hostile, client):
    plan = db.session.scalar(select(Plan))
    sign_in(client, ADMIN)
    workbook = load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/summary.xlsx").get_data()))
    title = workbook["About"]["B1"]
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")
    assert "second line" in title.value and "\u202e" not in title.value
