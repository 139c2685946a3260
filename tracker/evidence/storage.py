"""Evidence files: checked by their content, stored under generated names outside static/."""

import hashlib
import io
import ntpath
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from tracker.imports.reading import declared_zip_parts


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: frozenset[str]


PDF = FileKind("PDF", "application/pdf", frozenset({".pdf"}))
PNG = FileKind("PNG image", "image/png", frozenset({".png"}))
JPEG = FileKind("JPEG image", "image/jpeg", frozenset({".jpg", ".jpeg"}))
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
)
XLSX = FileKind(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    frozenset({".xlsx"}),
)
LEGACY_OFFICE = FileKind(
    "Word or Excel (97-2003) document", "application/octet-stream", frozenset({".doc", ".xls"})
)
CSV = FileKind("CSV file", "text/csv", frozenset({".csv"}))

ALLOWED_DESCRIPTION = "a PDF, Word document, Excel workbook, CSV file, PNG or JPEG"


class RejectedFile(ValueError):
    """A file the service will not keep, with the reason in words for the person uploading it."""


def clean_filename(name: str | None) -> str:
    """The name as the person knows it, without any folder part or control characters."""
    base = ntpath.basename((name or "").replace("/", "\\"))
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:200] or "evidence"


def _extension(name: str) -> str:
    return Path(name).suffix.lower()


def _office_zip_kind(data: bytes) -> FileKind | None:
    # An evidence file that lists thousands of parts is no ordinary document; counting them
    # from the end record first stops zipfile building an object for each one.
    parts = declared_zip_parts(data)
    if parts is None or parts > current_app.config["IMPORT_MAX_PARTS"]:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_csv(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    head = text.lstrip()[:200].lower()
    # Browsers may render HTML even from a download; refuse anything that looks like markup.
    return not head.startswith("<") and "<script" not in text.lower() and "<html" not in head


def detect_kind(data: bytes, filename: str) -> FileKind:
    """What the file really is, judged by its bytes; its name must agree."""
    if not data:
        raise RejectedFile("The selected file is empty")
    extension = _extension(filename)
    kind: FileKind | None = None
    if data.startswith(b"%PDF-"):
        kind = PDF
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data.startswith(b"PK\x03\x04"):
        kind = _office_zip_kind(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = LEGACY_OFFICE
    elif extension == ".csv" and _looks_like_csv(data):
        kind = CSV
    if kind is None:
        raise RejectedFile(f"The selected file must be {ALLOWED_DESCRIPTION}")
    if extension not in kind.extensions:
        raise RejectedFile(
            f"The selected file is a {kind.label}, but its name ends {extension or 'with no type'}"
            ": rename it or choose the right file"
        )
    return kind


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_filename: str
    content_type: str
    size_bytes: int
    sha256: str


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(data: bytes, filename: str) -> StoredFile:
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    if len(data) > limit:
        raise RejectedFile(
            f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"
        )
    original = clean_filename(filename)
    kind = detect_kind(data, original)
    stored_name = secrets.token_hex(16)
    path = upload_folder() / stored_name
    with path.open("xb") as handle:
        handle.write(data)
    return StoredFile(
        stored_name=stored_name,
        original_filename=original,
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def path_of(stored_name: str) -> Path:
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise FileNotFoundError(stored_name)
    return upload_folder() / stored_name


def delete_stored(stored_name: str | None) -> bool:
    """Remove a stored file's bytes for good; True if there was a file to remove."""
    if not stored_name:
        return False
    try:
        path_of(stored_name).unlink()
    except FileNotFoundError:
        return False
    return True
