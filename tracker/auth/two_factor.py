"""Two-factor authentication for local accounts: TOTP (RFC 6238, pyotp) and recovery codes.

- Setting up: a secret is kept on the account (not yet in force) and shown as a QR code, drawn
  here as inline SVG (segno), with the key as text; a correct code turns two-factor on and makes
  eight single-use recovery codes, shown once and stored only as salted hashes (the password
  hasher).
- Signing in: after the right password, someone with two-factor on gives a code from their app,
  or a recovery code. A code is accepted for the current 30-second step or one either side, and
  never for a step at or before the last one accepted (a claim made with one conditional UPDATE,
  so two requests racing with one code cannot both succeed). A recovery code works once.
- Who must have it: admins when REQUIRE_2FA_FOR_ADMINS is on (production's default), everyone
  when REQUIRE_2FA_FOR_EVERYONE is on; not people signed in through the council's identity
  provider (method "oidc"), whose provider's policy applies.
"""

import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from tracker.auth.passwords import hash_password, verify_password
from tracker.extensions import db, rows_matched
from tracker.models import RecoveryCode, Role, User, UserSession, utcnow

ISSUER = "Improvement plan tracker"
RECOVERY_CODES = 8
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 10  # about 49 bits each
ACCEPTED_STEPS = (-1, 0, 1)  # a phone's clock may be 30 seconds out either way


# --- Who must have it ------------------------------------------------------------------------


def two_factor_required(user: User) -> bool:
    config = current_app.config
    if config.get("REQUIRE_2FA_FOR_EVERYONE"):
        return True
    return bool(config.get("REQUIRE_2FA_FOR_ADMINS")) and user.role == Role.ADMIN


def must_set_up(user: User, record: UserSession | None) -> bool:
    """Whether this signed-in person must set up two-factor before doing anything else."""
    if user.has_two_factor or (record is not None and record.method == "oidc"):
        return False
    return two_factor_required(user)


# --- Setting up ------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being set up (a new one if none is waiting). The caller commits."""
    if user.totp_secret is None or user.has_two_factor:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=5, light="#fff", dark="#0b0c0c")
    label = 'role="img" aria-label="QR code to scan with your authenticator app"'
    return Markup(svg.replace("<svg ", f"<svg {label} ", 1))  # noqa: S704 (segno's own SVG)


def key_in_groups(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_set_up(user: User, code: str) -> list[str] | None:
    """Turn two-factor on if the code is right for the waiting secret; the new recovery codes,
    or None. The caller commits."""
    if user.totp_secret is None or user.has_two_factor:
        return None
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def turn_off(user: User) -> None:
    """The caller commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- Codes -----------------------------------------------------------------------------------


def normalise_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_step(secret: str, code: str) -> int | None:
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(time.time())
    for offset in ACCEPTED_STEPS:
        step = now_step + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass
class CodeCheck:
    ok: bool
    method: str = ""
    reused: bool = False
    recovery_codes_left: int | None = None


def check_code(user: User, code: str) -> CodeCheck:
    """Check an authenticator code or a recovery code for signing in. The caller commits."""
    if not user.has_two_factor or user.totp_secret is None:
        return CodeCheck(ok=False)
    normalised = normalise_code(code)
    if len(normalised) == RECOVERY_LENGTH:
        return _check_recovery_code(user, normalised)
    step = _matching_step(user.totp_secret, normalised)
    if step is None:
        return CodeCheck(ok=False)
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        return CodeCheck(ok=False, reused=True)
    return CodeCheck(ok=True, method="password+totp")


def _check_recovery_code(user: User, code: str) -> CodeCheck:
    codes = list(db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)))
    unused = [c for c in codes if c.used_at is None]
    match = next((c for c in unused if verify_password(c.code_hash, code)), None)
    if match is None:
        used = [c for c in codes if c.used_at is not None]
        reused = any(verify_password(c.code_hash, code) for c in used)
        return CodeCheck(ok=False, reused=reused)
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        return CodeCheck(ok=False, reused=True)
    return CodeCheck(ok=True, method="password+recovery", recovery_codes_left=len(unused) - 1)


def new_recovery_codes(user: User) -> list[str]:
    """Eight new recovery codes (the old ones stop working), to show once. The caller commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    now = utcnow()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_password(code), created_at=now)
        for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    query = select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(query) or 0
