"""Refuse a Python that the tracker must not run on; `make` runs this before building .venv.

    python tools/check_python.py     # checks the interpreter that runs it; exit status 1 if refused

Known to crash: gunicorn workers on pyenv's CPython 3.11.7 build on this project's machine image
die with SIGSEGV under a mixed multi-user load (docs/operations.md has the runs). Standard
library only: it runs before any package is installed.
"""

import sys
from pathlib import PurePath

REQUIRED = (3, 11)
# (version, where the build lives, why) for builds proven to crash here.
KNOWN_CRASHING = [
    (
        (3, 11, 7),
        ".pyenv",
        "gunicorn workers on pyenv's CPython 3.11.7 build died with a segmentation fault under "
        "load in 10 of 16 servers on this machine image; Debian's Python 3.11.2 never has",
    ),
]


def refusal(version: tuple[int, int, int], base_prefix: str, implementation: str) -> str | None:
    """Why this interpreter is refused, or None if it will do."""
    if version[:2] < REQUIRED:
        return f"the tracker needs Python {REQUIRED[0]}.{REQUIRED[1]} or later"
    for bad_version, location, why in KNOWN_CRASHING:
        if (
            implementation == "cpython"
            and version == bad_version
            and location in PurePath(base_prefix).parts
        ):
            return why
    return None


def main() -> int:
    version = tuple(sys.version_info[:3])
    reason = refusal(version, sys.base_prefix, sys.implementation.name)
    if reason is None:
        return 0
    found = ".".join(map(str, version))
    print(
        f"Refusing Python {found} at {sys.base_prefix}: {reason}.\n"
        "Use Debian's Python 3.11 instead (the default: `make PYTHON=/usr/bin/python3.11`), "
        "see docs/operations.md.\n"
        "If .venv was built on it, rebuild it: `rm -rf .venv && make install`.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
