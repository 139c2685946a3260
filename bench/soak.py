"""Soak check: the production shape under a mixed multi-user load, for a few minutes.

    python -m bench.soak [--seconds 150] [--people 30] [--workers 4]

gunicorn (sync workers, `TRACKER_ENV=production`, a `SECRET_KEY`) serves a scratch PostgreSQL
database holding the demo plan plus generated people of all four roles. Each person signs in with
their own session and keeps reading pages and, by role, saving real changes through the forms
(CSRF tokens included): heads of service update their actions and add evidence notes,
performance officers add indicator figures, admins add actions, committee members read.

Fails (exit status 1) on any worker crash or restart (gunicorn's log: "was sent SIG...",
"exited with code", a worker booted after start-up, "WORKER TIMEOUT"), any 5xx, any dropped
connection or unexpected answer, and any lost update: every change the app accepted (a redirect
after the POST) must be in the database exactly once afterwards; and if no update was accepted
at all (a run too short or too slow proves nothing). Prints requests, errors, crashes and p95
per page. docs/operations.md says why it exists.

`--kill-worker-after SECONDS` sends SIGSEGV to one worker during the run: the check must fail
(tests/test_soak.py proves it does).
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SOAK_PASSWORD = "soak-password-not-secret"  # noqa: S105 (generated accounts on a scratch database)
DEFAULT_POSTGRES = os.environ.get(
    "SOAK_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
INPUT_RE = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTR_RE = re.compile(r'(\w[\w-]*)="([^"]*)"')
ERROR_SUMMARY_RE = re.compile(r'class="govuk-error-summary__list".*?</ul>', re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")
DEATH_PATTERNS = (
    re.compile(r"Worker \(pid:\d+\) was sent SIG\w+"),
    re.compile(r"Worker \(pid:\d+\) exited with code \d+"),
    re.compile(r"WORKER TIMEOUT \(pid:\d+\)"),
)
FATAL_RE = re.compile(r"Fatal Python error: .*")
BOOT_RE = re.compile(r"Booting worker with pid: \d+")
MONTHS_EACH = 120  # indicator figures one performance officer may add in a run
ROLE_SHARES = {  # of every 10 people
    "head_of_service": 4,
    "committee_member": 3,
    "performance_officer": 2,
    "admin": 1,
}


# ---------------------------------------------------------------- the scratch database


def _psycopg_dsn(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def scratch_database(base_url: str, keep: bool = False):
    """A new, empty PostgreSQL database next to base_url's; dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tracker_soak_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_dsn = _psycopg_dsn(base_url, make_url(base_url).database or "postgres")
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base_url).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        if not keep:
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_database(database_url: str, people: int) -> dict:
    """Migrations, the demo plan, then the soak's own people; what the load needs to know."""
    env = {**os.environ, "DATABASE_URL": database_url, "TRACKER_ENV": "development"}
    # One process does it all (the app's configuration is read from the environment at import).
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.soak", "--prepare", str(people)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparing the soak's database failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare_database(people: int) -> dict:
    """Runs with DATABASE_URL set: migrations, the demo plan, generated people with work to do."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from tracker.auth.passwords import hash_password
    from tracker.extensions import db
    from tracker.models import Action, ActionStatus, Indicator, Plan, Recommendation, User
    from wsgi import app

    roles = [role for role, share in ROLE_SHARES.items() for _ in range(share)]
    with app.app_context():
        upgrade()
        seeded = app.test_cli_runner().invoke(args=["seed"])
        if seeded.exit_code != 0:
            raise RuntimeError(f"flask seed failed: {seeded.output}")
        password_hash = hash_password(SOAK_PASSWORD)
        created = []
        for n in range(people):
            role = roles[n % len(roles)]
            user = User(
                email=f"soak.{role.replace('_', '.')}.{n}@soak.example.org",
                name=f"Soak {role.replace('_', ' ').title()} {n}",
                job_title="Soak test",
                role=role,
                password_hash=password_hash,
                active=True,
                is_demo=False,
            )
            db.session.add(user)
            created.append(user)
        db.session.flush()
        heads = [u for u in created if u.role == "head_of_service"]
        open_actions = db.session.scalars(
            select(Action)
            .where(Action.withdrawn_reason.is_(None))
            .where(Action.status != ActionStatus.VERIFIED)
            .order_by(Action.id)
        ).all()
        owned = defaultdict(list)
        for i, action in enumerate(open_actions):
            owner = heads[i % len(heads)]
            action.owner_id = owner.id
            # Updates keep the status; a completed action would need evidence to stay completed.
            action.status = ActionStatus.IN_PROGRESS
            action.completed_on = None
            owned[owner.email].append(action.id)
        plan = db.session.scalars(select(Plan).order_by(Plan.id)).first()
        recommendations = db.session.scalars(
            select(Recommendation.id)
            .where(Recommendation.plan_id == plan.id)
            .where(Recommendation.withdrawn_reason.is_(None))
            .order_by(Recommendation.id)
        ).all()
        codes = db.session.scalars(select(Indicator.code).order_by(Indicator.id)).all()
        db.session.commit()
        return {
            "plan_id": plan.id,
            "recommendations": list(recommendations),
            "indicators": list(codes),
            "actions": sorted({a.id for a in open_actions}),
            "people": [
                {
                    "email": u.email,
                    "role": u.role,
                    "id": u.id,
                    "actions": owned.get(u.email, []),
                    "slot": [c.id for c in created if c.role == u.role].index(u.id),
                }
                for u in created
            ],
            "heads": [u.id for u in heads],
        }


# ---------------------------------------------------------------- gunicorn


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in the production shape, its log in a file to be read back."""

    def __init__(self, database_url: str, workers: int):
        self.port = _free_port()
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log", delete=False)  # noqa: SIM115
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TRACKER_ENV": "production",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "PYTHONFAULTHANDLER": "1",  # a crashing worker prints where it was
        }
        self.env.pop("TRACKER_AS_AT", None)
        self.process = None

    def __enter__(self) -> "Server":
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "info"]
        # No control socket: its default path is shared by every gunicorn on the machine.
        command += ["--no-control-socket", "--graceful-timeout", "5", "wsgi:app"]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log_text()}")
            if len(self.worker_pids()) == workers_booted(self.log_text()) == self.workers:
                try:
                    if _get_status(self.port, "/healthz") == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start serving in time:\n{self.log_text()}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def workers_booted(log: str) -> int:
    return len(BOOT_RE.findall(log))


def crashes_in(log: str, workers: int) -> list[str]:
    """One line per worker that died while serving, from gunicorn's log.

    gunicorn's own report of each death counts; failing that (a log cut short), a fatal error
    from Python or a worker booted after start-up still counts, so that nothing slips through.
    """
    deaths = [m.group(0) for p in DEATH_PATTERNS for m in p.finditer(log)]
    if deaths:
        return deaths
    found = [m.group(0) for m in FATAL_RE.finditer(log)]
    extra_boots = workers_booted(log) - workers
    if extra_boots > 0:
        found.append(f"{extra_boots} worker(s) booted after start-up (a worker was replaced)")
    return found


def _get_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


# ---------------------------------------------------------------- the people


@dataclass
class Tally:
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    accepted: dict = field(default_factory=lambda: defaultdict(list))  # table -> markers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timing(self, page: str, seconds: float) -> None:
        with self.lock:
            self.latencies[page].append(seconds)

    def error(self, page: str, what: str) -> None:
        with self.lock:
            self.errors.append((page, what))

    def accept(self, table: str, marker: str) -> None:
        with self.lock:
            self.accepted[table].append(marker)


class Refused(Exception):
    """The app answered, but not as a person doing this would expect."""


def form_fields(page: str) -> dict:
    """The hidden inputs of the page's form (CSRF token, version, stamp...)."""
    fields = {}
    for tag in INPUT_RE.findall(page):
        attrs = dict(ATTR_RE.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return fields


def error_summary(page: str) -> str:
    found = ERROR_SUMMARY_RE.search(page)
    text = TAG_RE.sub(" ", found.group(0)) if found else page[:200]
    return " ".join(html.unescape(text).split())


class Person:
    def __init__(self, base: str, person: dict, manifest: dict, tally: Tally, run_id: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.email = person["email"]
        self.role = person["role"]
        self.id = person["id"]
        self.actions = person["actions"]
        self.slot = person["slot"]  # this person's place among people of the same role
        self.manifest = manifest
        self.tally = tally
        self.run_id = run_id
        self.cookies: dict[str, str] = {}
        self.count = 0
        self.rng = random.Random(person["id"])

    # -- HTTP, with cookies kept by hand: production cookies are Secure, this is plain HTTP.
    def request(self, page: str, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            self.tally.error(page, f"dropped connection: {type(error).__name__}: {error}")
            raise Refused from None
        finally:
            connection.close()
        self.tally.timing(page, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.status >= 500:
            self.tally.error(page, f"{response.status} from {method} {path}")
            raise Refused
        return response.status, response.getheader("Location") or "", text

    def get(self, page: str, path: str) -> str:
        status, location, text = self.request(page, "GET", path)
        if status != 200:
            self.tally.error(page, f"{status} from GET {path} (to {location or 'nowhere'})")
            raise Refused
        return text

    def submit(self, page: str, path: str, values: dict, table: str, marker: str) -> None:
        form_page = self.get(f"GET {page}", path)
        status, location, text = self.request(
            f"POST {page}", "POST", path, {**form_fields(form_page), **values}
        )
        if status in (302, 303):
            self.tally.accept(table, marker)
        else:
            self.tally.error(f"POST {page}", f"{status}, not saved: {error_summary(text)}")

    def marker(self) -> str:
        self.count += 1
        return f"soak-{self.run_id}-{self.id}-{self.count}"

    def sign_in(self) -> None:
        page = self.get("GET /sign-in", "/sign-in")
        form = {**form_fields(page), "email": self.email, "password": SOAK_PASSWORD}
        status, location, _ = self.request("POST /sign-in", "POST", "/sign-in", form)
        if status not in (302, 303) or "sign-in" in location:
            self.tally.error("POST /sign-in", f"could not sign in as {self.email} ({status})")
            raise Refused

    # -- What each role does, one step at a time.
    def step(self) -> None:
        m = self.manifest
        plan, rng = m["plan_id"], self.rng
        rec = rng.choice(m["recommendations"])
        code = rng.choice(m["indicators"])
        reads = [
            ("GET /plans/<id>/summary", f"/plans/{plan}/summary"),
            ("GET /recommendations/<id>", f"/recommendations/{rec}"),
            ("GET /indicators", "/indicators"),
            ("GET /indicators/<code>", f"/indicators/{code}"),
            ("GET /plans/<id>", f"/plans/{plan}"),
        ]
        if self.role == "head_of_service":
            action = rng.choice(self.actions) if self.actions else None
            reads += [("GET /my-actions", "/my-actions")] * 3
            if action is not None:
                reads.append(("GET /actions/<id>", f"/actions/{action}"))
                if rng.random() < 0.3:
                    marker = self.marker()
                    values = {"status": "in_progress", "note": marker, "submit": "Save update"}
                    self.submit(
                        "/actions/<id>/update",
                        f"/actions/{action}/update",
                        values,
                        "progress_updates.note",
                        marker,
                    )
                    return
                if rng.random() < 0.1:
                    marker = self.marker()
                    values = {"title": marker, "note": "Written by the soak check."}
                    self.submit(
                        "/actions/<id>/evidence/note",
                        f"/actions/{action}/evidence/note",
                        values,
                        "evidence.title",
                        marker,
                    )
                    return
        elif self.role == "performance_officer":
            own = m["indicators"][self.slot % len(m["indicators"])]
            reads += [("GET /indicators/<code>", f"/indicators/{own}")] * 2
            if rng.random() < 0.2 and self.count < MONTHS_EACH:
                marker = self.marker()
                # Months long before any real figure, a block of them for each officer, so that
                # no figure is a duplicate: 1900 onwards, MONTHS_EACH months per officer.
                month = self.slot * MONTHS_EACH + self.count - 1
                values = {
                    "period": f"{1900 + month // 12}-{month % 12 + 1:02d}",
                    "basis": "month",
                    "value": str(rng.randint(1, 90)),
                    "data_quality_note": marker,
                }
                self.submit(
                    "/indicators/<code>/values/new",
                    f"/indicators/{own}/values/new",
                    values,
                    "indicator_values.data_quality_note",
                    marker,
                )
                return
        elif self.role == "admin":
            reads += [("GET /audit", "/audit"), ("GET /admin/people", "/admin/people")]
            if rng.random() < 0.1:
                marker = self.marker()
                values = {
                    "description": marker,
                    "owner_id": str(rng.choice(m["heads"])),
                    "due_date-day": "31",
                    "due_date-month": "3",
                    "due_date-year": "2030",
                }
                self.submit(
                    "/recommendations/<id>/actions/new",
                    f"/admin/recommendations/{rec}/actions/new",
                    values,
                    "actions.description",
                    marker,
                )
                return
        page, path = rng.choice(reads)
        self.get(page, path)

    def run(self, until: float) -> None:
        try:
            self.sign_in()
        except Refused:
            return
        while time.monotonic() < until:
            with suppress(Refused):  # counted already; the person carries on
                self.step()
            time.sleep(self.rng.uniform(0.0, 0.3))  # a person reads before the next click


# ---------------------------------------------------------------- checks and report


def check_updates(database_url: str, accepted: dict) -> list[str]:
    """Every accepted change present exactly once; a list of what is missing or doubled."""
    import psycopg

    problems = []
    dsn = _psycopg_dsn(database_url, database_url.rsplit("/", 1)[1])
    with psycopg.connect(dsn) as connection:
        for column_path, markers in accepted.items():
            table, column = column_path.split(".")
            rows = connection.execute(
                f"SELECT {column}, count(*) FROM {table} "  # noqa: S608 (our own names)
                f"WHERE {column} = ANY(%s) GROUP BY {column}",
                (markers,),
            ).fetchall()
            found = dict(rows)
            for marker in markers:
                n = found.get(marker, 0)
                if n != 1:
                    problems.append(f"{column_path} {marker}: accepted, found {n} times")
    return problems


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def report(tally: Tally, crashes: list[str], lost: list[str], seconds: float) -> str:
    lines = [f"{'page':<48} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}"]
    errors_by_page = defaultdict(int)
    for page, _ in tally.errors:
        errors_by_page[page] += 1
    for page in sorted(set(tally.latencies) | set(errors_by_page)):
        times = tally.latencies.get(page, [])
        p50 = f"{sorted(times)[len(times) // 2] * 1000:.0f}" if times else "-"
        p95_ms = f"{p95(times) * 1000:.0f}" if times else "-"
        lines.append(f"{page:<48} {len(times):>8} {errors_by_page[page]:>6} {p50:>7} {p95_ms:>7}")
    requests = sum(len(v) for v in tally.latencies.values())
    accepted = sum(len(v) for v in tally.accepted.values())
    lines += [
        "",
        f"requests: {requests} in {seconds:.0f} s ({requests / max(seconds, 1):.1f}/s)",
        f"updates accepted: {accepted} "
        + ", ".join(f"{k} {len(v)}" for k, v in sorted(tally.accepted.items())),
        f"errors: {len(tally.errors)}",
        f"worker crashes: {len(crashes)}",
        f"lost or doubled updates: {len(lost)}",
    ]
    for page, what in tally.errors[:20]:
        lines.append(f"  error  {page}: {what}")
    lines += [f"  crash  {line}" for line in crashes]
    lines += [f"  lost   {line}" for line in lost[:20]]
    return "\n".join(lines)


def soak(args) -> int:
    started = time.monotonic()
    with scratch_database(args.postgres_url, keep=args.keep) as database_url:
        manifest = build_database(database_url, args.people)
        print(
            f"Python {sys.version.split()[0]} ({sys.executable}); {args.people} people, "
            f"{args.workers} workers, {args.seconds:.0f} s; database ready in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        tally = Tally()
        run_id = uuid.uuid4().hex[:8]
        with Server(database_url, args.workers) as server:
            print(f"Serving after {time.monotonic() - started:.0f} s", flush=True)
            until = time.monotonic() + args.seconds
            base = f"http://127.0.0.1:{server.port}"
            people = [Person(base, p, manifest, tally, run_id) for p in manifest["people"]]
            threads = [threading.Thread(target=p.run, args=(until,)) for p in people]
            for thread in threads:
                thread.start()
            if args.kill_worker_after is not None:
                time.sleep(args.kill_worker_after)
                victim = server.worker_pids()[0]
                print(f"Sending SIGSEGV to worker {victim} (--kill-worker-after)", flush=True)
                os.kill(victim, signal.SIGSEGV)
            for thread in threads:
                thread.join()
            log = server.log_text()  # read before shutting down: only what happened under load
            print(f"Load finished after {time.monotonic() - started:.0f} s", flush=True)
        crashes = crashes_in(log, args.workers)
        lost = check_updates(database_url, tally.accepted)
        print(report(tally, crashes, lost, args.seconds))
        if crashes:
            tail = "\n".join(log.splitlines()[-40:])
            print(f"\ngunicorn's log (last 40 lines):\n{tail}")
    idle = not tally.accepted
    if idle:
        print("\nNo update was accepted: the run was too short or too slow to prove anything.")
    failed = bool(tally.errors or crashes or lost or idle)
    print("\nSOAK FAILED" if failed else "\nSOAK PASSED: 0 crashes, 0 errors, no update lost")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=150, help="length of the load (150)")
    parser.add_argument("--people", type=int, default=30, help="signed-in people (30)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--kill-worker-after", type=float, help="SIGSEGV a worker after N s")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare is not None:
        print(json.dumps(prepare_database(args.prepare)))
        return 0
    return soak(args)


if __name__ == "__main__":
    sys.exit(main())
