"""Error pages in the house style; never a traceback."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: (
        "You do not have permission to see or do this",
        "If you think you should, ask an administrator to check your role.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That cannot be done here", "Go back and try again."),
    413: (
        "The file is too large",
        "Choose a smaller file and try again.",
    ),
    429: ("Too many requests", "Wait a few minutes and try again."),
}


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return (
            render_template(
                "errors/error.html",
                status=400,
                title="Your session has expired or the form was not sent correctly",
                detail="Go back, reload the page and try again. Nothing has been saved.",
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            title, detail = MESSAGES[413][0], f"The file must be smaller than {limit} MB."
        else:
            title, detail = MESSAGES.get(status, (error.name, error.description or ""))
        return render_template(
            "errors/error.html", status=status, title=title, detail=detail
        ), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return (
            render_template(
                "errors/error.html",
                status=500,
                title="Sorry, there is a problem with the service",
                detail="Try again later. Nothing you were changing has been saved.",
            ),
            500,
        )
