"""make refuses to build .venv on a Python known to crash web workers (tools/check_python.py)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_python.py"
_spec = importlib.util.spec_from_file_location("check_python", SCRIPT)
check_python = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_python)


def test_pyenvs_cpython_3_11_7_build_is_refused_with_the_reason():
    reason = check_python.refusal((3, 11, 7), "/root/.pyenv/versions/3.11.7", "cpython")
    assert reason and "segmentation fault" in reason


def test_debians_python_and_other_versions_are_accepted():
    assert check_python.refusal((3, 11, 2), "/usr", "cpython") is None
    assert check_python.refusal((3, 12, 1), "/root/.pyenv/versions/3.12.1", "cpython") is None


def test_a_python_older_than_3_11_is_refused():
    assert "3.11 or later" in check_python.refusal((3, 10, 13), "/usr", "cpython")


def test_the_interpreter_running_the_suite_passes_and_a_refusal_says_what_to_do():
    assert subprocess.run([sys.executable, SCRIPT], check=False).returncode == 0  # noqa: S603
    pyenv_3_11_7 = Path("/root/.pyenv/versions/3.11.7/bin/python3")
    if pyenv_3_11_7.exists():
        refused = subprocess.run(  # noqa: S603
            [pyenv_3_11_7, SCRIPT], capture_output=True, text=True, check=False
        )
        assert refused.returncode == 1
        assert "Refusing Python 3.11.7" in refused.stderr
        assert "rm -rf .venv && make install" in refused.stderr
