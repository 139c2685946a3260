"""The committee paper's print time against WeasyPrint on plain 20-page documents (issue 14.6).

    .venv/bin/python -m bench.paper [--runs 5]

In one process: the seed plan's paper (as at 14 March 2016, with the changes since the meeting of
16 November 2015: the longest the seed makes) is rendered to its HTML once, then the paper and a
fixed plain document are each printed to a tagged PDF (pdf_tags=True, as the app does) --runs
times, in turn, after one warm-up print of each. The plain document is generated the same way
every time (a seeded random choice of the paper's own words): 20 A4 pages of headings,
paragraphs, bullet lists and four-column tables in the paper's font and size, with no charts,
colours or other styling. A prose-only 20 pages (headings and paragraphs) is timed too, for
comparison. Reported: median wall-clock and CPU seconds of each, pages, and the ratios of the
paper to each plain document (the target: the paper at most 2 times the plain document). Prints
JSON. `make bench` runs it; not part of `make test`. Results: docs/performance.md.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_AT = date(2016, 3, 14)
SINCE = date(2015, 11, 16)
WORDS = [
    "the",
    "council",
    "plan",
    "action",
    "review",
    "committee",
    "children",
    "social",
    "care",
    "assessment",
    "timescales",
    "managers",
    "performance",
    "data",
    "quality",
    "report",
    "improvement",
    "services",
    "families",
    "visits",
    "chronology",
    "supervision",
    "audit",
    "neglect",
    "strategy",
    "care",
    "leavers",
    "health",
    "recorded",
    "progress",
    "completed",
    "overdue",
    "verified",
    "evidence",
    "target",
    "month",
    "rolling",
    "figure",
    "caseload",
    "workforce",
    "recruitment",
    "agency",
]
HEAD = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
    "<style>@page {{ size: A4; margin: 18mm 15mm 20mm 15mm }} "
    "body {{ font-family: Arial, 'Liberation Sans', sans-serif; font-size: 10pt; "
    "line-height: 1.35 }} table {{ width: 100%; border-collapse: collapse }} "
    "th, td {{ text-align: left; vertical-align: top; padding: 1mm }}</style></head><body>"
)


def _words(rng: random.Random, count: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(count))
    return text[0].upper() + text[1:] + "."


def plain_document(sections: int = 20) -> str:
    """Headings, paragraphs, lists and tables of similar text: 20 pages (one a section)."""
    rng = random.Random(14)
    parts = [HEAD.format(title="Plain document")]
    for number in range(1, sections + 1):
        parts.append(f"<h2>Section {number}: {_words(rng, 5)}</h2>")
        parts += [f"<p>{_words(rng, 66)}</p>" for _ in range(3)]
        parts.append("<ul>" + "".join(f"<li>{_words(rng, 18)}</li>" for _ in range(4)) + "</ul>")
        header = "".join(f'<th scope="col">{_words(rng, 2)}</th>' for _ in range(4))
        rows = "".join(
            "<tr>" + "".join(f"<td>{_words(rng, n)}</td>" for n in (2, 14, 6, 8)) + "</tr>"
            for _ in range(4)
        )
        parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts + ["</body></html>"])


def prose_document(sections: int = 20) -> str:
    """Headings and paragraphs only: 20 pages."""
    rng = random.Random(20)
    parts = [HEAD.format(title="Prose document")]
    for number in range(1, sections + 1):
        parts.append(f"<h2>Section {number}: {_words(rng, 5)}</h2>")
        parts += [f"<p>{_words(rng, 77)}</p>" for _ in range(7)]
    return "\n".join(parts + ["</body></html>"])


def seed_paper_html() -> str:
    """The seed plan's paper as the app renders it, on a throwaway SQLite database."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.committee.filters import SummaryFilters
    from tracker.committee.paper import paper_html
    from tracker.committee.summary import build_summary
    from tracker.extensions import db
    from tracker.models import Plan
    from tracker.plans.queries import load_plan
    from tracker.seeding.loader import load_seed

    folder = tempfile.mkdtemp(prefix="bench-paper-")
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/paper.sqlite3",
            "UPLOAD_FOLDER": folder,
            "PAPER_FOLDER": folder,
            "SERVER_NAME": "localhost",
        },
    )
    with app.app_context():
        upgrade()
        load_seed(app.config["DEMO_PASSWORD"])
        db.session.commit()
        with app.test_request_context("/"):
            plan = load_plan(db.session.scalar(db.select(Plan.id)))
            summary = build_summary(plan, AS_AT, since=SINCE)
            filters = SummaryFilters(None, None, SINCE, "the meeting of 16 November 2015")
            return paper_html(summary, filters)


def _print(html: str) -> tuple[float, float, int]:
    from weasyprint import HTML

    wall, cpu = time.perf_counter(), time.process_time()
    document = HTML(string=html, base_url="http://localhost/").render()
    document.write_pdf(pdf_tags=True)
    return time.perf_counter() - wall, time.process_time() - cpu, len(document.pages)


def measure(documents: dict[str, str], runs: int) -> dict[str, dict]:
    for html in documents.values():
        _print(html)  # warm-up: fonts, caches
    timings: dict[str, list] = {name: [] for name in documents}
    for _ in range(runs):
        for name, html in documents.items():  # in turn, so drift hits each alike
            timings[name].append(_print(html))
    return {
        name: {
            "wall_seconds": round(statistics.median(t[0] for t in found), 3),
            "cpu_seconds": round(statistics.median(t[1] for t in found), 3),
            "pages": found[0][2],
        }
        for name, found in timings.items()
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    documents = {"paper": seed_paper_html(), "plain": plain_document(), "prose": prose_document()}
    results = measure(documents, args.runs)
    paper = results["paper"]
    for name in ("plain", "prose"):
        for measure_name in ("wall_seconds", "cpu_seconds"):
            ratio = paper[measure_name] / results[name][measure_name]
            results[f"ratio_to_{name}_{measure_name.split('_')[0]}"] = round(ratio, 2)
    results["runs"] = args.runs
    results["target"] = "paper at most 2x plain (wall clock and CPU)"
    json.dump(results, sys.stdout, indent=2)
    print()
    return results


if __name__ == "__main__":
    main()
