"""A web worker loads the heavy libraries of rare pages (spreadsheets, Word papers, single
sign-on, PDF printing) only when someone asks for such a page: each costs 8-30 MB per process
(docs/performance.md, worker memory)."""

import subprocess
import sys

ON_DEMAND = ("openpyxl", "docx", "authlib", "joserfc", "weasyprint", "cairosvg", "lxml")


def test_starting_the_app_and_serving_a_page_loads_none_of_the_on_demand_libraries():
    script = (
        "import sys\n"
        "from tracker import create_app\n"
        "app = create_app('test', {'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "app.test_client().get('/sign-in')\n"
        f"print(','.join(m for m in {ON_DEMAND!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
