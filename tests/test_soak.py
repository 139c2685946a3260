"""The soak check (`make soak`, bench/soak.py) fails when a web worker dies during the run."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import crashes_in
from tests.conftest import POSTGRES_URL, postgres_database

ROOT = Path(__file__).resolve().parent.parent
START = "\n".join(f"[INFO] Booting worker with pid: {pid}" for pid in (11, 12, 13, 14))


def test_a_quiet_log_has_no_crash():
    assert crashes_in(START + "\n[INFO] Worker exiting (pid: 11)", workers=4) == []


def test_a_worker_killed_by_a_signal_or_replaced_is_a_crash():
    log = (
        START + "\n[WARNING] Worker (pid:12) was sent SIGSEGV!\n[INFO] Booting worker with pid: 15"
    )
    assert crashes_in(log, workers=4) == ["Worker (pid:12) was sent SIGSEGV"]
    replaced = START + "\n[INFO] Booting worker with pid: 15"
    assert crashes_in(replaced, workers=4) == [
        "1 worker(s) booted after start-up (a worker was replaced)"
    ]
    assert crashes_in(START + "\nFatal Python error: Segmentation fault", workers=4)
    assert crashes_in(START + "\n[ERROR] Worker (pid:13) exited with code 139", workers=4)
    assert crashes_in(START + "\n[CRITICAL] WORKER TIMEOUT (pid:14)", workers=4)


@pytest.mark.postgres
def test_the_soak_fails_when_a_worker_is_killed_with_sigsegv_during_the_run():
    with postgres_database():  # skips (or fails in CI) if PostgreSQL does not answer
        pass
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.soak", "--seconds", "6", "--people", "4", "--workers", "2"]
        + ["--kill-worker-after", "2", "--postgres-url", POSTGRES_URL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "was sent SIGSEGV" in result.stdout
    assert re.search(r"^worker crashes: 1$", result.stdout, re.MULTILINE)
    assert "SOAK FAILED" in result.stdout
