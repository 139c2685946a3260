"""Fail if any function in tracker/ has a cyclomatic complexity above the limit, as radon counts
it. Ruff's C901 (mccabe, max 10) ignores boolean operators and comprehension conditions; radon
counts them, so this catches functions whose branches hide inside conditions."""

import sys
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

LIMIT = 15


def _functions(blocks: list) -> list[Function]:
    """Functions and methods (radon lists methods alongside their class), with their closures."""
    found = []
    for block in blocks:
        if isinstance(block, Function):
            found += [block, *_functions(block.closures)]
    return found


def too_complex(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for item in _functions(cc_visit(path.read_text(encoding="utf-8"))):
            if item.complexity > LIMIT:
                found.append(f"{path}:{item.lineno} {item.name} ({item.complexity})")
    return found


def main() -> int:
    found = too_complex(Path(sys.argv[1] if len(sys.argv) > 1 else "tracker"))
    for line in found:
        print(f"{line} is too complex (more than {LIMIT})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
