"""API tokens: issuing (the secret shown once, only its hash kept), finding, revoking.

Every lookup reads the database, so a token revoked on one process is refused by every process
on the very next request.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker import audit
from tracker.extensions import db
from tracker.models import ApiToken, User, utcnow
from tracker.rules import RuleError

# "improvement plan tracker": lets secret scanners recognise a leaked token.
SECRET_PREFIX = "ipt_"  # noqa: S105 (a prefix, not a secret)
SCOPES = {
    "figures:write": "Send monthly indicator figures (one at a time or in batches)",
    "plans:read": "Read plans, recommendations and actions, with their ratings",
    "indicators:read": "Read indicators with their figures, targets and ratings",
    "people:read": "Also read the names and email addresses of action owners",
}
DEFAULT_DAYS = 90
MAX_DAYS = 365
NAME_MAX = 100
# last_used_at is written at most this often per token, so reads do not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    """SHA-256 is enough here: the secret has 256 bits of randomness, nothing to guess."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to the admin, never stored


def check_new_token(name: str, owner: User | None, scopes: list[str], days: int) -> None:
    if not name:
        raise RuleError("Enter a name for the token", "name")
    if len(name) > NAME_MAX:
        raise RuleError(f"The name must be {NAME_MAX} characters or fewer", "name")
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise RuleError(f"A token called '{name}' already exists: choose another name", "name")
    if owner is None or not owner.active:
        raise RuleError("Select the person responsible for the token", "owner_id")
    if not scopes:
        raise RuleError("Select what the token may do", "scopes")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise RuleError(f"Unknown scope {unknown[0]}", "scopes")
    if not 1 <= days <= MAX_DAYS:
        raise RuleError(f"A token must expire within 1 to {MAX_DAYS} days", "days")


def issue_token(
    name: str, owner: User | None, scopes: list[str], days: int, by: User
) -> IssuedToken:
    """Create a token; the caller's unit of work commits it. Raises RuleError."""
    check_new_token(name, owner, scopes, days)
    assert owner is not None  # check_new_token refuses a token with no owner
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        name=name,
        owner_id=owner.id,
        scopes=" ".join(s for s in SCOPES if s in scopes),
        token_hash=hash_secret(secret),
        prefix=secret[: len(SECRET_PREFIX) + 6],
        created_at=now,
        created_by_id=by.id,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    audit.record(
        "api_token.created",
        obj=token,
        actor=by,
        after={
            "name": name,
            "owner": owner.email,
            "scopes": token.scopes,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return IssuedToken(token, secret)


def revoke(token: ApiToken, by: User) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    token.revoked_by_id = by.id
    audit.record("api_token.revoked", obj=token, actor=by, after={"name": token.name})
    return True


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def find_by_secret(secret: str) -> ApiToken | None:
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def note_use(token: ApiToken, address: str | None) -> None:
    now = utcnow()
    if (
        token.last_used_at is None
        or now - token.last_used_at >= LAST_USED_RESOLUTION
        or token.last_used_ip != address
    ):
        token.last_used_at = now
        token.last_used_ip = address


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))
