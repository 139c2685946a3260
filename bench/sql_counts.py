"""SQL statements per page, counted in-process with the Flask test client.

Each page is requested twice while a before_cursor_execute listener counts every statement sent
to the database (session checks included, as a real request has). The second request's count
is the page's: the first also reads what the process has not worked out yet (an indicator's
recent figures, say), which a process does once per revision of them (docs/performance.md).
Every request renders the page afresh: there is no page cache.
"""

import re
from dataclasses import dataclass

from sqlalchemy import event

from bench.generate import Manifest
from bench.pages import BASELINE, PAGES, reader_email

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class PageStatements:
    count: int
    statements: list[str]
    first_count: int  # the first request's, when the process had worked out nothing for it


def _signed_in_client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
        raise RuntimeError(f"could not sign in as {email} ({response.status_code})")
    return client


def count_statements(manifest: Manifest) -> dict[str, PageStatements]:
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(
        "development",
        {"SQLALCHEMY_DATABASE_URI": manifest.url, "AS_AT_DATE": manifest.day},
    )
    with app.app_context():
        engine = db.engine
    clients = {
        reader: _signed_in_client(app, reader_email(manifest, reader), manifest.password)
        for reader in {p.reader for p in PAGES}
    }
    clients[None] = app.test_client()
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    results = {}
    for page in [BASELINE, *PAGES]:
        client, url = clients[page.reader], page.url(manifest)
        event.listen(engine, "before_cursor_execute", count)
        try:
            first = client.get(url)
            first_count = len(seen)
            seen.clear()
            response = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        for answer in (first, response):
            if answer.status_code != 200:
                raise RuntimeError(f"{url} answered {answer.status_code}")
        results[page.key] = PageStatements(len(seen), list(seen), first_count)
        seen.clear()
    engine.dispose()
    return results
