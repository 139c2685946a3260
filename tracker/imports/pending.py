"""What a preview found, kept on the server until the person confirms (or a day passes).

The upload is stored under UPLOAD_FOLDER/<folder> (outside static/) with a generated name, and
beside it a JSON file with who uploaded it, its SHA-256 and the rows the preview parsed. The
preview and confirm steps read only the JSON: the file is parsed once, on upload. The confirm
form names the upload by its random id; an upload belongs to the person who made it. Claiming it
(an atomic rename) makes a second confirm, from a double click or another tab, find nothing.
"""

import contextlib
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app

from tracker.quotas import check_pending_upload_quota

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Pending:
    upload_id: str
    filename: str
    sha256: str
    user_id: int
    content: dict  # what the importer stored: its parsed rows and anything else it needs


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_filename(filename: str | None) -> str:
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


def _folder(folder: str) -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(folder: str, upload_id: str) -> tuple[Path, Path]:
    path = _folder(folder)
    return path / f"{upload_id}.upload", path / f"{upload_id}.json"


def _encode(value):
    """Cells as JSON: dates (an Excel date cell) are tagged so they come back as dates."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} cannot be kept between preview and confirm")


def _decode(obj: dict):
    if obj.keys() == {"datetime"}:
        return datetime.fromisoformat(obj["datetime"])
    if obj.keys() == {"date"}:
        return date.fromisoformat(obj["date"])
    return obj


def store(folder: str, data: bytes, filename: str, user_id: int, content: dict) -> str:
    """Keep the upload and its preview. Raises QuotaExceeded if too many are waiting."""
    _remove_old(folder)
    check_pending_upload_quota(user_id, _pending_owners(folder))
    upload_id = secrets.token_hex(16)
    data_path, meta_path = _paths(folder, upload_id)
    data_path.write_bytes(data)
    meta = {
        "filename": clean_filename(filename),
        "sha256": sha256_of(data),
        "user_id": user_id,
        "content": content,
    }
    meta_path.write_text(json.dumps(meta, default=_encode), encoding="utf-8")
    return upload_id


def load(folder: str, upload_id: str, user_id: int) -> Pending | None:
    """The stored preview, if it exists, is not claimed and belongs to this person."""
    if not UPLOAD_ID.match(upload_id or ""):
        return None
    data_path, meta_path = _paths(folder, upload_id)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or not data_path.exists():
        return None
    return Pending(upload_id, meta["filename"], meta["sha256"], user_id, meta["content"])


def claim(folder: str, upload_id: str, user_id: int) -> Pending | None:
    """Take the upload for importing; release() puts it back if the import fails."""
    pending = load(folder, upload_id, user_id)
    if pending is None:
        return None
    data_path, _ = _paths(folder, upload_id)
    try:
        data_path.rename(data_path.with_suffix(".claimed"))
    except OSError:
        return None
    return pending


def release(folder: str, upload_id: str) -> None:
    data_path, _ = _paths(folder, upload_id)
    with contextlib.suppress(OSError):
        data_path.with_suffix(".claimed").rename(data_path)


def discard(folder: str, upload_id: str) -> None:
    if not UPLOAD_ID.match(upload_id or ""):
        return
    data_path, meta_path = _paths(folder, upload_id)
    for path in (data_path, data_path.with_suffix(".claimed"), meta_path):
        path.unlink(missing_ok=True)


def _pending_owners(folder: str) -> list[int]:
    """Who uploaded each file waiting for confirmation (one entry per upload)."""
    owners = []
    for meta_path in _folder(folder).glob("*.json"):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            owners.append(json.loads(meta_path.read_text(encoding="utf-8")).get("user_id"))
    return owners


def _remove_old(folder: str) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder(folder).glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
