"""Import files waiting for confirmation, kept on the server between preview and confirm.

The preview page never round-trips the figures through the browser: the confirm form names the
stored file by a random id and carries its SHA-256, and the import reads the stored file again.
Files live under UPLOAD_FOLDER/indicator-imports (outside static/) with generated names, belong
to the person who uploaded them, and are removed once imported or after a day.
"""

import contextlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from tracker.indicators.importing import sha256_of
from tracker.quotas import check_pending_upload_quota

FOLDER = "indicator-imports"
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PendingUpload:
    upload_id: str
    filename: str
    sha256: str
    user_id: int
    data: bytes


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(upload_id: str) -> tuple[Path, Path]:
    folder = _folder()
    return folder / f"{upload_id}.upload", folder / f"{upload_id}.json"


def clean_filename(filename: str | None) -> str:
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


def store(data: bytes, filename: str, user_id: int) -> str:
    """Keep the upload until it is confirmed. Raises QuotaExceeded if too many are waiting."""
    _remove_old()
    check_pending_upload_quota(user_id, _pending_owners())
    upload_id = secrets.token_hex(16)
    data_path, meta_path = _paths(upload_id)
    data_path.write_bytes(data)
    meta = {"filename": clean_filename(filename), "sha256": sha256_of(data), "user_id": user_id}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return upload_id


def load(upload_id: str, user_id: int) -> PendingUpload | None:
    """The stored upload, if it exists, belongs to this person and is intact."""
    if not UPLOAD_ID.match(upload_id or ""):
        return None
    data_path, meta_path = _paths(upload_id)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or sha256_of(data) != meta.get("sha256"):
        return None
    return PendingUpload(upload_id, meta["filename"], meta["sha256"], user_id, data)


def claim(upload_id: str, user_id: int) -> PendingUpload | None:
    """Take the upload for importing, so that a second confirm (a double click, another tab)
    finds nothing to import. The rename is atomic; release() puts it back if the import fails."""
    pending = load(upload_id, user_id)
    if pending is None:
        return None
    data_path, _ = _paths(upload_id)
    try:
        data_path.rename(data_path.with_suffix(".claimed"))
    except OSError:
        return None
    return pending


def release(upload_id: str) -> None:
    data_path, _ = _paths(upload_id)
    with contextlib.suppress(OSError):
        data_path.with_suffix(".claimed").rename(data_path)


def discard(upload_id: str) -> None:
    if not UPLOAD_ID.match(upload_id or ""):
        return
    data_path, meta_path = _paths(upload_id)
    for path in (data_path, data_path.with_suffix(".claimed"), meta_path):
        path.unlink(missing_ok=True)


def _pending_owners() -> list[int]:
    """Who uploaded each file waiting for confirmation (one entry per upload)."""
    owners = []
    for meta_path in _folder().glob("*.json"):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            owners.append(json.loads(meta_path.read_text(encoding="utf-8")).get("user_id"))
    return owners


def _remove_old() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
