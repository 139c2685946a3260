"""Only ever redirect to a path on this site."""

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
