"""Cursor pagination and conditional GETs (ETag / If-None-Match) for the read endpoints."""

import base64
import hashlib
import json
from urllib.parse import urlencode

from flask import request, url_for
from sqlalchemy import Select

from tracker.api.problems import ApiProblem, field_problem
from tracker.extensions import db


def encode_cursor(last_key) -> str:
    text = json.dumps({"after": last_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None):
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if isinstance(after, bool) or not isinstance(after, int | str):
            raise ValueError
        return after
    except Exception:
        raise ApiProblem(
            400,
            "The cursor is not one this API gave: pass next_cursor from the previous page as it is",
            [field_problem(["cursor"], "cursor is not valid")],
        ) from None


def page_of(query: Select, key_column, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Rows after the cursor in key order, and the cursor for the next page (None at the end)."""
    after = decode_cursor(cursor)
    if after is not None:
        try:
            after = key_column.type.python_type(after)
        except (TypeError, ValueError):
            raise ApiProblem(
                400, "The cursor is not valid here", [field_problem(["cursor"], "cursor")]
            ) from None
        query = query.where(key_column > after)
    rows = list(db.session.scalars(query.order_by(key_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(_key_of(rows[-1], key_column)) if more else None
    return rows, next_cursor


def _key_of(row, key_column):
    return getattr(row, key_column.key)


def page_body(items: list, next_cursor: str | None) -> dict:
    following = None
    if next_cursor:
        # The query string is built here: a query argument never reaches url_for as a keyword.
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        args.append(("cursor", next_cursor))
        assert request.endpoint is not None, "a cursor only comes from a matched route"
        path = url_for(request.endpoint, **(request.view_args or {}), _external=True)
        following = f"{path}?{urlencode(args)}"
    return {"items": items, "next_cursor": next_cursor, "next": following}


# --- Conditional requests -----------------------------------------------------------------


def body_etag(body) -> str:
    """A strong validator from the answer itself: any change to what it shows (a figure, a
    rating that moved with the date, the token's scopes deciding what is included) changes it.
    The query still runs; what a 304 saves is sending and re-reading an unchanged answer."""
    if hasattr(body, "model_dump_json"):
        data = body.model_dump_json()
    else:
        data = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:40]


def not_modified(etag: str) -> bool:
    return etag in request.if_none_match


def cache_headers(etag: str) -> dict:
    return {"Cache-Control": "private, no-cache", "ETag": f'"{etag}"'}
