"""The API neither reads nor sets the session cookie: a browser that happens to be signed in
gets no further with it than any other caller without a token, and no answer sets a cookie."""

from flask import Flask, Request
from flask.sessions import SessionInterface


class NoSessionUnder(SessionInterface):
    def __init__(self, inner: SessionInterface, url_prefix: str):
        self.inner = inner
        self.url_prefix = url_prefix

    def _in_api(self, request: Request) -> bool:
        return request.path == self.url_prefix or request.path.startswith(self.url_prefix + "/")

    def open_session(self, app: Flask, request: Request):
        if self._in_api(request):
            return self.make_null_session(app)
        return self.inner.open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if self.is_null_session(session):
            return None
        return self.inner.save_session(app, session, response)


def register_sessionless(app: Flask, url_prefix: str) -> None:
    app.session_interface = NoSessionUnder(app.session_interface, url_prefix)
