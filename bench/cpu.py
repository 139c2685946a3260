"""CPU time per page render, in-process: steadier than wall-clock throughput on a busy machine.

    python -m bench.cpu --generate              # national SQLite data once (instance/bench/)
    python -m bench.cpu [--rounds 3] [--json]   # ms of CPU per request of each page
    python -m bench.cpu --backend postgresql --generate   # the same on PostgreSQL

Each page is requested through the Flask test client by the same people the load test uses
(15 committee members, 15 heads of service), each with their own session, every request
rendered afresh; `time.process_time()` around the requests counts only this process's CPU.
`/healthz` is measured before and after the pages, and each page is given as a share of it
(how a throughput ratio would come out if CPU were the only cost). Run the same command on two
checkouts (PYTHONPATH) to compare code before and after a change in the same minute.
"""

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import databases
from bench.generate import Manifest, generate
from bench.pages import BASELINE, PAGES, reader_emails
from bench.sql_counts import _signed_in_client


def manifest_path(backend: str) -> Path:
    return databases.SQLITE_DIR / f"national-{backend}-manifest.json"


MANIFEST = manifest_path("sqlite")


def _load_manifest(path: Path) -> Manifest:
    return Manifest(**json.loads(path.read_text()))


def _cpu_ms(client_url_pairs, repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        for client, url in client_url_pairs:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
    return (time.process_time() - started) * 1000 / (repeat * len(client_url_pairs))


def measure(
    manifest: Manifest, rounds: int, keys: list[str] | None = None, healthz_repeat: int = 300
) -> dict[str, float]:
    from tracker import create_app

    app = create_app(
        "development", {"SQLALCHEMY_DATABASE_URI": manifest.url, "AS_AT_DATE": manifest.day}
    )
    pages = [page for page in PAGES if not keys or page.key in keys]
    clients = {
        reader: [
            _signed_in_client(app, email, manifest.password)
            for email in reader_emails(manifest, reader)
        ]
        for reader in {p.reader for p in pages}
    }
    anonymous = app.test_client()
    pairs = {page.key: [(c, page.url(manifest)) for c in clients[page.reader]] for page in pages}
    healthz = [(anonymous, BASELINE.url(manifest))]
    for page in pages:  # warm up: templates compiled, fragments worked out
        _cpu_ms(pairs[page.key], 1)
    _cpu_ms(healthz, 50)
    samples: dict[str, list[float]] = {"healthz": []}
    for _ in range(rounds):
        samples["healthz"].append(_cpu_ms(healthz, healthz_repeat))
        for page in pages:
            samples.setdefault(page.key, []).append(_cpu_ms(pairs[page.key], 2))
        samples["healthz"].append(_cpu_ms(healthz, healthz_repeat))
    return {key: statistics.median(values) for key, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true", help="generate national SQLite data")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", help="comma-separated page keys (default: all five)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--backend", choices=databases.BACKENDS, default="sqlite")
    args = parser.parse_args(argv)
    path = manifest_path(args.backend)
    if args.generate:
        manifest = generate("national", args.backend)
        path.write_text(json.dumps(asdict(manifest)))
    keys = args.pages.split(",") if args.pages else None
    figures = measure(_load_manifest(path), args.rounds, keys)
    if args.json:
        print(json.dumps(figures))
        return 0
    base = figures["healthz"]
    print(f"{'page':<22}{'ms CPU':>10}{'vs /healthz':>14}")
    for key, ms in figures.items():
        share = "" if key == "healthz" else f"{100 * base / ms:.1f}%"
        print(f"{key:<22}{ms:>10.2f}{share:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
