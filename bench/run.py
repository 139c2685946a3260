"""`make bench`: generate each scale on each database, measure, print a table, write results.

    python -m bench.run [--scales council,national] [--backends sqlite,postgresql]
                        [--seconds 6] [--output bench/results.json] [--interleave] [--pages-only]

Every figure is a ratio against a baseline measured in the same run (pages against GET /healthz,
national against council, the reminder run against raw smtplib, the import against a raw bulk
insert), except peak worker memory, which is in MB. See bench/README.md.
"""

import argparse
import json
import os
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from bench import databases, load
from bench.generate import BENCH_READERS, SCALES, Manifest, generate
from bench.import_values import bench_import
from bench.machine import describe_machine, load_average
from bench.pages import BASELINE, PAGES, reader_emails
from bench.reminders import bench_reminders
from bench.report import evaluate_targets, render_text
from bench.server import WORKERS, Gunicorn
from bench.sql_counts import count_statements

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_LOGS = ROOT / "instance" / "bench"
WARM_UP_SECONDS = 1


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _drain(result: load.LoadResult) -> None:
    """Let the workers finish the requests still queued when the load generator stopped, so
    that they do not count against the next page."""
    time.sleep(min(10.0, 2 * result.p95_ms / 1000 + 0.2))


def _signed_in(server: Gunicorn, manifest: Manifest) -> dict[str | None, list[str | None]]:
    """Every reader's session cookie: each page is loaded by many people, each signed in."""
    cookies: dict[str | None, list[str | None]] = {None: [None]}
    for reader in {p.reader for p in PAGES}:
        cookies[reader] = [
            server.sign_in(email, manifest.password) for email in reader_emails(manifest, reader)
        ]
    for page in [BASELINE, *PAGES]:
        status, _ = server.fetch(page.url(manifest), cookies[page.reader][0])
        if status != 200:
            raise RuntimeError(f"{page.url(manifest)} answered {status} before the load test")
    return cookies


def _measure(
    server: Gunicorn, url: str, cookies: list[str | None], seconds: float
) -> load.LoadResult:
    _drain(load.measure(server.base, url, cookies, WARM_UP_SECONDS))
    result = load.measure(server.base, url, cookies, seconds)
    _drain(result)
    return result


def measure_pages(
    manifests: dict[str, Manifest], seconds: float, figures: dict, backend: str, interleave: bool
) -> None:
    """One server at a time, or (interleave) every scale served at once and measured in turn,
    page by page, so that a change in the machine's load hits both scales alike."""
    groups = [manifests] if interleave else [{scale: m} for scale, m in manifests.items()]
    for group in groups:
        _measure_group(group, seconds, figures, backend)


def _measure_group(manifests: dict[str, Manifest], seconds: float, figures: dict, backend: str):
    """The baseline is measured before and after the pages; the pages are judged on the mean."""
    order = [BASELINE, *PAGES, BASELINE]
    results: dict[str, dict[str, load.LoadResult]] = {scale: {} for scale in manifests}
    log(f"{backend} {', '.join(manifests)}: load test; load average {load_average()}")
    for scale in manifests:
        figures[f"{backend}.{scale}.load_average_before"] = load_average()[0]
    with ExitStack() as stack:
        servers, cookies = {}, {}
        for scale, manifest in manifests.items():
            log_path = GUNICORN_LOGS / f"gunicorn-{backend}-{scale}.log"
            server = Gunicorn(manifest.url, manifest.day, log_path=log_path)
            servers[scale] = stack.enter_context(server)
            cookies[scale] = _signed_in(servers[scale], manifest)
        for n, page in enumerate(order):
            key = page.key if n < len(order) - 1 else "healthz_after"
            for scale, manifest in manifests.items():
                result = _measure(
                    servers[scale], page.url(manifest), cookies[scale][page.reader], seconds
                )
                results[scale][key] = result
                log(
                    f"  {scale:<9} {key:<20} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms"
                    f"  p95 {result.p95_ms:7.1f} ms  failures {result.failures}"
                )
        for scale, server in servers.items():
            prefix = f"{backend}.{scale}"
            # A worker that died (and was replaced) lost its requests and its memory peak.
            crashes = server.crashes()
            for line in crashes:
                log(f"  {scale}: {line.strip()}")
            figures[f"{prefix}.worker_crashes"] = len(crashes)
            _record_pages(figures, prefix, results[scale], server.peak_rss_mb())


def _record_pages(figures: dict, prefix: str, results: dict, peaks: dict) -> None:
    base_rps = (results["healthz"].rps + results["healthz_after"].rps) / 2 or float("nan")
    base_p50 = (results["healthz"].p50_ms + results["healthz_after"].p50_ms) / 2 or float("nan")
    base_p95 = (results["healthz"].p95_ms + results["healthz_after"].p95_ms) / 2 or float("nan")
    for key, result in results.items():
        figures[f"{prefix}.pages.{key}.rps"] = round(result.rps, 1)
        figures[f"{prefix}.pages.{key}.p50_ms"] = round(result.p50_ms, 2)
        figures[f"{prefix}.pages.{key}.p95_ms"] = round(result.p95_ms, 2)
        figures[f"{prefix}.pages.{key}.failures"] = result.failures
        if key.startswith("healthz"):
            continue
        figures[f"{prefix}.pages.{key}.rps_vs_healthz"] = round(result.rps / base_rps, 3)
        figures[f"{prefix}.pages.{key}.p50_vs_healthz"] = round(result.p50_ms / base_p50, 1)
        figures[f"{prefix}.pages.{key}.p95_vs_healthz"] = round(result.p95_ms / base_p95, 1)
    figures[f"{prefix}.pages.healthz_after_vs_before"] = round(
        results["healthz_after"].rps / (results["healthz"].rps or float("nan")), 3
    )
    figures[f"{prefix}.worker_peak_rss_mb"] = max(peaks.values())


def measure_statements(manifest: Manifest, figures: dict, prefix: str) -> dict[str, list[str]]:
    counted = count_statements(manifest)
    for key, page in counted.items():
        figures[f"{prefix}.sql_statements.{key}"] = page.count
        figures[f"{prefix}.sql_statements_first_request.{key}"] = page.first_count
    return {key: page.statements for key, page in counted.items()}


def measure_reminders(manifest: Manifest, figures: dict, prefix: str) -> None:
    result = bench_reminders(manifest)
    figures[f"{prefix}.reminders.emails"] = result.emails
    figures[f"{prefix}.reminders.overdue_actions"] = result.overdue_actions
    figures[f"{prefix}.reminders.queue_seconds"] = round(result.queue_seconds, 2)
    figures[f"{prefix}.reminders.send_seconds"] = round(result.send_seconds, 2)
    figures[f"{prefix}.reminders.run_seconds"] = round(result.run_seconds, 2)
    figures[f"{prefix}.reminders.raw_smtplib_seconds"] = round(result.raw_seconds, 2)
    figures[f"{prefix}.reminders.run_vs_raw_smtplib"] = round(result.ratio, 2)
    log(f"  reminders: {result.emails} emails, {result.ratio:.2f}x raw smtplib")


def measure_import(manifest: Manifest, figures: dict, prefix: str) -> None:
    result = bench_import(manifest)
    figures[f"{prefix}.import.rows"] = result.rows
    figures[f"{prefix}.import.files"] = result.files
    figures[f"{prefix}.import.import_seconds"] = round(result.import_seconds, 2)
    figures[f"{prefix}.import.raw_insert_seconds"] = round(result.raw_seconds, 2)
    figures[f"{prefix}.import.import_vs_raw_insert"] = round(result.ratio, 2)
    log(f"  import: {result.rows} rows, {result.ratio:.2f}x the raw bulk insert")


def compare_scales(figures: dict, backend: str) -> None:
    for page in PAGES:
        council = figures.get(f"{backend}.council.pages.{page.key}.rps")
        national = figures.get(f"{backend}.national.pages.{page.key}.rps")
        if council and national:
            ratio = round(national / council, 3)
            figures[f"{backend}.national_vs_council.pages.{page.key}.rps"] = ratio
            # The same, with each scale first divided by its own /healthz: what is left if the
            # machine itself got faster or slower between the two scales' measurements.
            shares = [
                figures[f"{backend}.{scale}.pages.{page.key}.rps_vs_healthz"]
                for scale in ("national", "council")
            ]
            key = f"{backend}.national_vs_council.pages.{page.key}.rps_vs_healthz"
            figures[key] = round(shares[0] / shares[1], 3)
        statements = [
            figures.get(f"{backend}.{scale}.sql_statements.{page.key}") for scale in SCALES
        ]
        if None not in statements:
            same = len(set(statements)) == 1
            figures[f"{backend}.national_vs_council.sql_statements.{page.key}.equal"] = same


def run_backend(backend: str, scales: list[str], args, figures: dict, notes: dict):
    manifests = {}
    for scale in scales:
        prefix = f"{backend}.{scale}"
        log(f"{prefix}: generating")
        manifest = manifests[scale] = generate(scale, backend)
        figures[f"{prefix}.generate_seconds"] = manifest.seconds["total"]
        notes.setdefault("generated_rows", {})[prefix] = manifest.counts
        log(f"{prefix}: generated in {manifest.seconds['total']} s")
    measure_pages(manifests, args.seconds, figures, backend, args.interleave)
    for scale, manifest in manifests.items():
        prefix = f"{backend}.{scale}"
        jobs = "SQL statements" + ("" if args.pages_only else ", reminders, import")
        log(f"{prefix}: {jobs}; load average {load_average()}")
        notes.setdefault("statements", {})[prefix] = measure_statements(manifest, figures, prefix)
        if not args.pages_only:
            measure_reminders(manifest, figures, prefix)
            measure_import(manifest, figures, prefix)
    compare_scales(figures, backend)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=os.environ.get("SCALES", "council,national"))
    parser.add_argument("--backends", default=os.environ.get("BACKENDS", "sqlite,postgresql"))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "6"))
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="serve both scales at once and measure them in turn, page by page",
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="skip the reminder run and the import"
    )
    args = parser.parse_args(argv)
    args.scales = [s.strip() for s in args.scales.replace(" ", ",").split(",") if s.strip()]
    args.backends = [b.strip() for b in args.backends.replace(" ", ",").split(",") if b.strip()]
    for scale in args.scales:
        if scale not in SCALES:
            parser.error(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    for backend in args.backends:
        if backend not in databases.BACKENDS:
            parser.error(f"unknown backend {backend!r}; choose from sqlite, postgresql")
    return args


def _stop_on_sigterm() -> None:
    """A terminated run still stops its gunicorn and SMTP processes (the with-blocks do)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _stop_on_sigterm()
    started = time.time()
    meta = describe_machine()
    meta.update(
        scales=args.scales,
        backends=args.backends,
        seconds_per_page=args.seconds,
        interleaved=args.interleave,
        gunicorn_workers=WORKERS,
        connections=load.CONNECTIONS,
        load_generator=load.generator_name(),
        readers_per_page=BENCH_READERS,  # distinct people, each with their own session
        load_average_at_start=load_average(),
    )
    figures: dict = {}
    notes: dict = {}
    for backend in args.backends:
        if backend == "postgresql" and (problem := databases.postgres_answers()):
            log(f"PostgreSQL skipped: it does not answer ({problem})")
            meta.setdefault("skipped", []).append(f"postgresql: {problem}")
            continue
        run_backend(backend, args.scales, args, figures, notes)
    meta["load_average_at_end"] = load_average()
    meta["duration_seconds"] = round(time.time() - started)
    results = {"meta": meta, "figures": figures, "targets": evaluate_targets(figures)}
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    details = args.output.with_name("results-statements.json")
    details.write_text(json.dumps(notes, indent=2) + "\n")
    print(render_text(results))
    log(f"wrote {args.output} (and the SQL of every page to {details.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
