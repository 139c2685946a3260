"""Reading results: the targets (issue 17) checked against the figures, and the printed table.

python -m bench.report [bench/results.json] [--markdown]
"""

import argparse
import json
import sys
from pathlib import Path

from bench.pages import BASELINE, PAGES

LABELS = {page.key: page.label for page in [BASELINE, *PAGES]}
LABELS["healthz_after"] = "GET /healthz (again, after)"
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PAGE_SHARE = 0.15
PAGE_SHARES = {"plan_summary": 0.10}  # the plan summary is the heaviest page
MAX_P95_OVER_P50 = 4.0
SCALE_SHARE = 2 / 3
MAX_STATEMENTS = 12
REMINDER_RATIO = 1.5
IMPORT_RATIO = 3.0
MAX_RSS_MB = 150


def _target(name: str, key: str, value, limit, met: bool) -> dict:
    return {"target": name, "figure": key, "value": value, "limit": limit, "met": met}


def _page_targets(figures: dict, backend: str) -> list[dict]:
    national = f"{backend}.national"
    checks = []
    for page in PAGES:
        key = f"{national}.pages.{page.key}.rps_vs_healthz"
        share = PAGE_SHARES.get(page.key, PAGE_SHARE)
        if (value := figures.get(key)) is not None:
            name = f"{page.label}: throughput >= {share:.0%} of /healthz, rendered afresh"
            checks.append(_target(name, key, value, share, value >= share))
        p50 = figures.get(f"{national}.pages.{page.key}.p50_ms")
        p95 = figures.get(f"{national}.pages.{page.key}.p95_ms")
        if p50 and p95:
            key = f"{national}.pages.{page.key}.p95_over_p50"
            value = round(p95 / p50, 2)
            name = f"{page.label}: p95 under 4x p50"
            checks.append(_target(name, key, value, MAX_P95_OVER_P50, value < MAX_P95_OVER_P50))
        key = f"{backend}.national_vs_council.pages.{page.key}.rps"
        if (value := figures.get(key)) is not None:
            name = f"{page.label}: national throughput >= 2/3 of council"
            checks.append(_target(name, key, value, round(SCALE_SHARE, 3), value >= SCALE_SHARE))
        key = f"{national}.sql_statements.{page.key}"
        equal = figures.get(f"{backend}.national_vs_council.sql_statements.{page.key}.equal")
        if (value := figures.get(key)) is not None:
            name = f"{page.label}: SQL statements equal at both scales and <= 12"
            met = value <= MAX_STATEMENTS and equal is not False
            checks.append(_target(name, key, value, MAX_STATEMENTS, met))
    return checks


AT_MOST = [
    ("Reminder run <= 1.5x raw smtplib", "reminders.run_vs_raw_smtplib", REMINDER_RATIO),
    ("Import <= 3x raw bulk insert", "import.import_vs_raw_insert", IMPORT_RATIO),
    ("Web worker peak memory < 150 MB", "worker_peak_rss_mb", MAX_RSS_MB),
]


def evaluate_targets(figures: dict) -> list[dict]:
    """The targets (issues 7 and 17), at national scale, for every backend measured there."""
    checks = []
    for backend in BACKEND_NAMES:
        national = f"{backend}.national"
        if f"{national}.generate_seconds" not in figures:
            continue
        checks += _page_targets(figures, backend)
        for name, key, limit in AT_MOST:
            value = figures.get(f"{national}.{key}")
            if value is not None:
                checks.append(_target(name, f"{national}.{key}", value, limit, value <= limit))
    return checks


def _scales(figures: dict, backend: str) -> list[str]:
    found = []
    for scale in ("council", "national"):
        if f"{backend}.{scale}.generate_seconds" in figures:
            found.append(scale)
    return found


def _page_rows(figures: dict, prefix: str) -> list[list[str]]:
    rows = []
    for key in ["healthz", *[p.key for p in PAGES], "healthz_after"]:
        base = f"{prefix}.pages.{key}"
        if f"{base}.rps" not in figures:
            continue
        share = figures.get(f"{base}.rps_vs_healthz")
        rows.append(
            [
                LABELS[key],
                f"{figures[f'{base}.rps']:.1f}",
                f"{figures[f'{base}.p50_ms']:.1f}",
                f"{figures[f'{base}.p95_ms']:.1f}",
                f"{share:.1%}" if share is not None else "",
                f"{figures[f'{base}.p50_vs_healthz']:.1f}x" if share is not None else "",
                f"{figures[f'{base}.p95_vs_healthz']:.1f}x" if share is not None else "",
                _statements(figures, prefix, key),
            ]
        )
    return rows


def _statements(figures: dict, prefix: str, key: str) -> str:
    """The page's statements, then (in brackets, when more) its first request's."""
    count = figures.get(f"{prefix}.sql_statements.{key}")
    first = figures.get(f"{prefix}.sql_statements_first_request.{key}")
    if count is None:
        return ""
    return f"{count} ({first} first)" if first is not None and first != count else str(count)


PAGE_HEADER = ["page", "req/s", "p50 ms", "p95 ms", "req/s vs healthz", "p50 vs healthz",
               "p95 vs healthz", "SQL statements"]  # fmt: skip


def _other_rows(figures: dict, prefix: str) -> list[list[str]]:
    get = figures.get
    rows = [["Generation (bulk insert, migrate, seed)", f"{get(f'{prefix}.generate_seconds')} s"]]
    if f"{prefix}.reminders.run_seconds" in figures:
        rows.append(
            [
                f"Reminder run: {get(f'{prefix}.reminders.emails')} emails for "
                f"{get(f'{prefix}.reminders.overdue_actions')} overdue actions",
                f"{get(f'{prefix}.reminders.run_seconds')} s (queue "
                f"{get(f'{prefix}.reminders.queue_seconds')} s + send "
                f"{get(f'{prefix}.reminders.send_seconds')} s) vs raw smtplib "
                f"{get(f'{prefix}.reminders.raw_smtplib_seconds')} s = "
                f"{get(f'{prefix}.reminders.run_vs_raw_smtplib')}x",
            ]
        )
    if f"{prefix}.import.import_seconds" in figures:
        rows.append(
            [
                f"Import of {get(f'{prefix}.import.rows'):,} values "
                f"({get(f'{prefix}.import.files')} CSV files)",
                f"{get(f'{prefix}.import.import_seconds')} s vs raw bulk insert "
                f"{get(f'{prefix}.import.raw_insert_seconds')} s = "
                f"{get(f'{prefix}.import.import_vs_raw_insert')}x",
            ]
        )
    rows.append(["Web worker peak memory (VmHWM)", f"{get(f'{prefix}.worker_peak_rss_mb')} MB"])
    crashes = str(get(f"{prefix}.worker_crashes"))
    rows.append(["Web workers killed by a signal (gunicorn's log)", crashes])
    return rows


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _scale_rows(figures: dict, backend: str) -> list[list[str]]:
    rows = []
    for page in PAGES:
        ratio = figures.get(f"{backend}.national_vs_council.pages.{page.key}.rps")
        steady = figures.get(f"{backend}.national_vs_council.pages.{page.key}.rps_vs_healthz")
        council = figures.get(f"{backend}.council.sql_statements.{page.key}")
        national = figures.get(f"{backend}.national.sql_statements.{page.key}")
        if ratio is None and national is None:
            continue
        rows.append(
            [
                page.label,
                f"{ratio:.1%}" if ratio is not None else "",
                f"{steady:.1%}" if steady is not None else "",
                f"{council} / {national}",
            ]
        )
    return rows


def render(results: dict, markdown: bool = False) -> str:
    figures, meta = results["figures"], results["meta"]
    table = _markdown_table if markdown else _text_table
    heading = (lambda text: f"### {text}") if markdown else (lambda text: f"== {text}")
    parts = [
        f"Measured {meta['date']} on {meta['cpus']} x {meta['cpu']}, {meta['memory_gb']} GB, "
        f"{meta['os']}; Python {meta['python']}, SQLite {meta['sqlite']}, PostgreSQL "
        f"{meta['postgresql']}; gunicorn {meta['gunicorn_workers']} sync workers, "
        f"{meta['load_generator']} with {meta['connections']} connections, "
        f"{meta['seconds_per_page']:g} s per page. Load average at start "
        f"{meta['load_average_at_start']}, at end {meta.get('load_average_at_end')}."
    ]
    for backend, name in BACKEND_NAMES.items():
        for scale in _scales(figures, backend):
            prefix = f"{backend}.{scale}"
            load = figures.get(f"{prefix}.load_average_before")
            parts.append(heading(f"{name}, {scale} scale (load average before: {load})"))
            parts.append(table(PAGE_HEADER, _page_rows(figures, prefix)))
            parts.append(table(["measure", "result"], _other_rows(figures, prefix)))
        scale_rows = _scale_rows(figures, backend)
        if len(_scales(figures, backend)) == 2 and scale_rows:
            parts.append(heading(f"{name}: national against council"))
            parts.append(
                table(
                    [
                        "page",
                        "national req/s vs council",
                        "the same, each scale divided by its /healthz",
                        "SQL statements council / national",
                    ],
                    scale_rows,
                )
            )
    if results["targets"]:
        parts.append(heading("Targets (national scale)"))
        rows = [
            [
                "met" if t["met"] else "MISSED",
                t["target"],
                t["figure"].split(".", 1)[0],
                str(t["value"]),
                str(t["limit"]),
            ]
            for t in results["targets"]
        ]
        parts.append(table(["", "target", "backend", "value", "limit"], rows))
    return "\n\n".join(parts)


def render_text(results: dict) -> str:
    return render(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    print(render(json.loads(args.results.read_text()), markdown=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
