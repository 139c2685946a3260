"""Splitting a long list into numbered pages, the GOV.UK way (`templates/_pagination.html`)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import abort, request, url_for
from sqlalchemy import Select, bindparam, func, select

from tracker.args import number_arg
from tracker.extensions import db


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, where it sits, and the links to its neighbours."""

    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1 if self.items else 0

    def numbers(self) -> list[int | None]:
        """Numbers to link to: the first, the last and this one's neighbours; None for a gap."""
        wanted = {1, self.pages, self.number - 1, self.number, self.number + 1}
        shown: list[int | None] = []
        previous = None
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if previous is not None and number - previous > 1:
                shown.append(None)
            shown.append(number)
            previous = number
        return shown


def requested_page_number() -> int:
    """The `page` query argument; anything that is not a positive whole number means page 1."""
    return max(1, number_arg("page", maximum=999_999) or 1)


def paginate(query: Select, size: int, number: int | None = None) -> Page:
    """Run `query` for one page (two statements, whatever the length); 404 past the last page."""
    number = number or requested_page_number()
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    if number > 1 and (number - 1) * size >= total:
        abort(404)
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).unique().all()
    return Page(items=list(items), number=number, size=size, total=total)


def counted_pages(query: Select) -> Select:
    """`query` for paginate_in_one: each row carrying the total (counted once, by a
    subquery), the page's limit and offset bound on each execution. Build it once per process
    for a query that never changes."""
    counting = select(func.count()).select_from(query.order_by(None).subquery())
    return (
        query.add_columns(counting.scalar_subquery().label("total"))
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )


def paginate_in_one(counted: Select, size: int, number: int | None = None) -> Page:
    """As paginate, in one statement: `counted` is the query as counted_pages gives it, so a
    page past the last is one that comes back empty. For a query of one entity without joined
    collections."""
    number = number or requested_page_number()
    limits = {"page_limit": size, "page_offset": (number - 1) * size}
    rows = db.session.execute(counted, limits).all()
    if number > 1 and not rows:
        abort(404)
    total = rows[0][1] if rows else 0
    return Page(items=[row[0] for row in rows], number=number, size=size, total=total)


def same_query_url(endpoint: str, **values) -> str:
    """Another page's address with this request's query arguments, built without passing them
    to url_for as keywords (for the same reason as page_url)."""
    path = url_for(endpoint, **values)
    args = list(request.args.items(multi=True))
    return f"{path}?{urlencode(args)}" if args else path


def page_url(number: int) -> str:
    """This page's address with `page` set, keeping every other query argument (filters, and
    repeated ones such as a date's day, month and year).

    The query string is built here, not by url_for: a query argument must never reach url_for
    as a keyword (`?_anchor=x`, `?_external=1` would change what it builds, or fail).
    """
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if number != 1:
        args.append(("page", str(number)))
    assert request.endpoint is not None, "pages are only linked from a matched route"
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{urlencode(args)}" if args else path
