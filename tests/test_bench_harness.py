"""`make bench` itself: its generator fills both databases and every page it measures answers.
Not a timing test (speed is measured by `make bench`, docs/performance.md): it keeps the
harness from breaking silently when the schema changes, as it once did on PostgreSQL only."""

import pytest

from bench import databases
from bench.generate import generate
from bench.pages import PAGES
from bench.sql_counts import count_statements
from tests.conftest import BACKENDS, database_url

# The statements a page may send (issue 17: the same at both scales, and no more than this).
MOST_STATEMENTS = 12


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_benchmark_fills_its_database_and_every_measured_page_answers(
    backend, monkeypatch, tmp_path_factory
):
    with database_url(backend, tmp_path_factory) as url:
        monkeypatch.setattr(databases, "recreate", lambda _backend, _scale: url)
        manifest = generate("council", backend)
        pages = count_statements(manifest)  # requests each page as its reader; raises unless 200

    assert manifest.counts["actions"] > 0
    assert set(pages) == {"healthz", *(page.key for page in PAGES)}
    assert pages["healthz"].count == 1
    too_many = {
        key: (page.first_count, page.count)
        for key, page in pages.items()
        if max(page.first_count, page.count) > MOST_STATEMENTS
    }
    assert too_many == {}
    assert all(page.count <= page.first_count for page in pages.values())


def test_the_paper_benchmark_renders_the_seed_plans_paper():
    from bench.paper import seed_paper_html

    html = seed_paper_html()
    assert "Peterborough 2015: improvement plan" in html
    assert html.rstrip().endswith("</html>")
