"""Load generators: wrk when it is installed, else threads with http.client keep-alive.

Both keep CONNECTIONS requests in flight for a fixed time and report requests per second and
the 50th and 95th percentile latency of successful requests. Each request carries the next of
the given session cookies in turn, so a page is loaded by many people, as in real use.
"""

import http.client
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = 4  # two per gunicorn worker: one being served, one waiting
LUA = Path(__file__).with_name("wrk_report.lua")


def _wrk() -> str | None:
    """wrk's path, unless BENCH_LOAD_GENERATOR=python asks for the Python client."""
    if os.environ.get("BENCH_LOAD_GENERATOR", "").lower() == "python":
        return None
    return shutil.which("wrk")


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    failures: int  # socket errors and non-2xx answers

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator_name() -> str:
    wrk = _wrk()
    if not wrk:
        return "python (threads + http.client)"
    completed = subprocess.run([wrk, "--version"], capture_output=True, text=True)  # noqa: S603
    return (completed.stdout or completed.stderr).split("Copyright")[0].strip()


def measure(base: str, path: str, cookies: list[str | None], seconds: float) -> LoadResult:
    if _wrk():
        return _run_wrk(base + path, cookies, seconds)
    return _python(base, path, cookies, seconds)


def _rotating_cookies_lua(cookies: list[str | None]) -> str:
    """wrk script: the report at the end (wrk_report.lua), and each request with the next cookie."""
    quoted = ", ".join(json.dumps(cookie or "") for cookie in cookies)
    return LUA.read_text() + (
        f"\ncookies = {{{quoted}}}\n"
        "sent = 0\n"
        "request = function()\n"
        "  sent = sent + 1\n"
        "  wrk.headers['Cookie'] = cookies[(sent % #cookies) + 1]\n"
        "  return wrk.format(nil)\n"
        "end\n"
    )


def _run_wrk(url: str, cookies: list[str | None], seconds: float) -> LoadResult:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "30s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_rotating_cookies_lua(cookies))
        script.flush()
        completed = subprocess.run(  # noqa: S603
            [*command, "-s", script.name, url], capture_output=True, text=True, check=True
        )
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    return LoadResult(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p95_ms=summary["p95_us"] / 1000,
        failures=summary["socket_errors"] + summary["non_2xx"],
    )


def _python(base: str, path: str, cookies: list[str | None], seconds: float) -> LoadResult:
    host, port = base.removeprefix("http://").split(":")
    turns = itertools.count()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            cookie = cookies[next(turns) % len(cookies)]
            headers = {"Cookie": cookie} if cookie else {}
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except OSError:
                connection.close()
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=_percentile(latencies, 50) * 1000,
        p95_ms=_percentile(latencies, 95) * 1000,
        failures=failures[0],
    )


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]
