"""Sending email over SMTP (Flask-Mailman). Called only from CLI commands and jobs, never a request.

Header values are cleaned here so that no name or subject can add headers to a message.
"""

from email.utils import format_datetime, formataddr

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from tracker.clock import now
from tracker.extensions import mail


def clean_header(value: str) -> str:
    """One line of text: CR, LF and other control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def address(name: str | None, email: str) -> str:
    return formataddr((clean_header(name or ""), clean_header(email)))


def build_message(
    to: str, subject: str, text: str, html: str | None = None, to_name: str | None = None
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=clean_header(subject),
        body=text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[address(to_name, to)],
        # Dated by the app's clock, like everything else in a demo run "as at" a past day.
        headers={"Date": format_datetime(now())},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def open_connection():
    """An SMTP connection with the configured timeout; raises on failure (the caller decides)."""
    config = current_app.config
    backend = config.get("MAIL_BACKEND") or "smtp"
    # Only the file backend takes a folder: where development emails are kept to be read.
    extra = {"file_path": config["MAIL_FILE_PATH"]} if backend == "file" else {}
    # Settings are read now, not when the app started, so that tests and operators can change them.
    connection = mail.get_connection(
        backend=backend,
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=config.get("MAIL_USE_TLS", False),
        use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config["MAIL_TIMEOUT"],
        **extra,
    )
    connection.open()
    return connection
