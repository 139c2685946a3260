"""The Python example in docs/api.md works: run as written against a live tracker."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.test_api import new_token, value_of
from tracker.extensions import db
from tracker.models import ImportRecord

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_the_documented_script_pushes_a_month_from_a_csv(seeded, as_at, live_server, tmp_path):
    as_at(date(2016, 3, 14))
    script = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    (tmp_path / "push_figures.py").write_text(script)
    (tmp_path / "figures.csv").write_text(
        "indicator_code,period,value,provisional,data_quality_note\n"
        "CSC-01,2016-02,34.2,yes,February recount due\n"
        "CSC-01,2016-01,30.0,no,\n"
    )
    environment = {
        **os.environ,
        "TRACKER_URL": live_server.url,
        "TRACKER_TOKEN": new_token(scopes=["figures:write"]),
    }

    def run():
        return subprocess.run(
            [sys.executable, "push_figures.py", "figures.csv"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "1 added, 1 corrected, 0 unchanged"
    db.session.expire_all()
    february = value_of("CSC-01", date(2016, 2, 1))
    assert february.value == 34.2 and february.provisional
    assert february.data_quality_note == "February recount due"

    again = run()  # same file, same Idempotency-Key: the first answer, nothing saved twice
    assert again.stdout == first.stdout
    assert db.session.scalar(select(func.count(ImportRecord.id))) == 1

    (tmp_path / "figures.csv").write_text("indicator_code,period,value\nCSC-01,2016-02,140\n")
    refused = run()
    assert refused.returncode == 1
    assert "figures[0].value: Line 1: Figure 140 is impossible" in refused.stderr
