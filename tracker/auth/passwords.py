"""Password rules after NCSC guidance: length, no composition rules, no common passwords."""

from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
BLOCKLIST_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _blocklist() -> frozenset[str]:
    lines = BLOCKLIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, in words for the user, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.lower() in _blocklist():
        return (
            "Password is too common: choose one that is harder to guess, such as three random words"
        )
    return None


def _method() -> str:
    # Werkzeug's scrypt defaults (n=2**15) unless configured; tests use a cheaper cost.
    return (
        current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method())


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (no account, or an invited one that has not set a
    password yet) a placeholder is checked instead, so the answer takes as long either way."""
    if not password_hash:
        check_password_hash(dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("no-such-account-placeholder", method=method)


def dummy_hash() -> str:
    """A hash to check when no account matches, so the answer takes as long either way."""
    return _dummy_hash(_method())
