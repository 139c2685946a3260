"""No write waits on a row it does not change: a long indicator import holds up nobody else."""

import threading
import time

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import action_by_ref, form_post, sign_in
from tracker.extensions import db
from tracker.indicators.importing import apply_import, plan_import
from tracker.models import Indicator, IndicatorValue, User

OWNER = "gareth.pryce@example.org"  # owns R3.10
PERFORMANCE_OFFICER = "rachel.booth@example.org"
INDICATORS, MONTHS = 200, 100  # 20,000 figures: the import's largest file


def _make_indicators() -> list[str]:
    codes = [f"LOAD-{n:03d}" for n in range(INDICATORS)]
    rows = [
        {"code": code, "name": f"Load indicator {code}", "unit": "percentage"}
        | {"polarity": "higher_better", "basis": "month"}
        for code in codes
    ]
    db.session.execute(insert(Indicator), rows)
    db.session.commit()
    return codes


def _figures_csv(codes: list[str]) -> bytes:
    months = [f"{2008 + m // 12}-{m % 12 + 1:02d}" for m in range(MONTHS)]
    lines = ["Indicator code,Period,Basis,Value"]
    lines += [
        f"{code},{month},Month,{50 + n % 40}.5" for code in codes for n, month in enumerate(months)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_an_action_update_does_not_wait_for_an_open_indicator_import(app, seeded, client, backend):
    if backend != "postgresql":
        pytest.skip("SQLite allows one writer at a time by design; PostgreSQL is what is shared")
    data = _figures_csv(_make_indicators())
    sign_in(client, OWNER)
    action = action_by_ref("R3.10")
    imported, finish = threading.Event(), threading.Event()
    outcome: dict = {}

    def long_import():
        with app.app_context():
            officer = db.session.scalar(select(User).where(User.email == PERFORMANCE_OFFICER))
            plan = plan_import(data, "figures.csv")
            outcome["rows"] = len(plan.rows)
            apply_import(plan, officer)
            db.session.flush()  # every figure written, the transaction still open
            imported.set()
            finish.wait(60)
            db.session.commit()
            db.session.remove()

    importer = threading.Thread(target=long_import)
    importer.start()
    try:
        assert imported.wait(120), "the import did not get as far as writing its figures"
        started = time.monotonic()
        form = {"status": "in_progress", "note": "Checked during the import."}
        form["version"] = str(action.version)
        response = form_post(client, f"/actions/{action.id}/update", form)
        waited = time.monotonic() - started
        still_open = not finish.is_set() and importer.is_alive()
    finally:
        finish.set()
        importer.join(60)

    assert outcome["rows"] == INDICATORS * MONTHS
    assert response.status_code == 302
    assert still_open
    assert waited < 5, f"the action update waited {waited:.1f} s for the import"
    db.session.refresh(action)
    assert action.status == "in_progress"
    imported_count = select(func.count()).select_from(IndicatorValue).join(Indicator)
    assert db.session.scalar(imported_count.where(Indicator.code.like("LOAD-%"))) == 20_000
