"""Serving the app with gunicorn for the load test, signing in over HTTP, and reading memory."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn --workers 2 wsgi:app` on a free local port, against one database."""

    def __init__(
        self, database_url: str, day: str, workers: int = WORKERS, log_path: Path | None = None
    ):
        self.port = free_port()
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TRACKER_ENV": "development",  # production ignores TRACKER_AS_AT, which fixes "today"
            "TRACKER_AS_AT": day,
            "SECRET_KEY": "bench-only-not-secret",
        }
        self.process: subprocess.Popen | None = None
        self.stderr = None

    def __enter__(self) -> "Gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]
        # gunicorn's own log (worker crashes, faulthandler tracebacks) is kept to be read back.
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stderr=self.stderr
        )
        self._wait_until_serving()
        return self

    def log_text(self) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def crashes(self) -> list[str]:
        """gunicorn's reports of workers killed by a signal (SIGSEGV, SIGKILL...)."""
        return [line for line in self.log_text().splitlines() if " was sent SIG" in line]

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log_path.write_text(self.log_text())
        self.stderr.close()

    def _wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start serving in time")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_rss_mb(self) -> dict[int, float]:
        """Each worker's peak resident memory (VmHWM) so far, in MB."""
        peaks = {}
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))
            peaks[pid] = round(kb / 1024, 1)
        return peaks

    def sign_in(self, email: str, password: str) -> str:
        """Sign in as a browser would; the Cookie header that carries the session."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.base}/sign-in", timeout=30) as page:
            token = CSRF_RE.search(page.read().decode()).group(1)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        with opener.open(f"{self.base}/sign-in", data=form.encode(), timeout=30) as landed:
            if "/sign-in" in landed.url:
                raise RuntimeError(f"could not sign in as {email}")
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)

    def fetch(self, path: str, cookie: str | None) -> tuple[int, str]:
        url = f"{self.base}{path}"
        request = urllib.request.Request(url, headers={"Cookie": cookie or ""})  # noqa: S310
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
