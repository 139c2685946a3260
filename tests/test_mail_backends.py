"""Where email goes in each configuration: development prints it (no SMTP server needed to try
the service), a file backend keeps it, tests and production send over SMTP."""

import pytest

from config import DevelopmentConfig, ProductionConfig, TestConfig
from tracker import create_app
from tracker.mail import build_message, open_connection


@pytest.mark.skipif("MAIL_BACKEND" in __import__("os").environ, reason="MAIL_BACKEND is set")
def test_development_prints_emails_and_production_and_tests_send_them_over_smtp():
    assert DevelopmentConfig.MAIL_BACKEND == "console"
    assert ProductionConfig.MAIL_BACKEND == "smtp"
    assert TestConfig.MAIL_BACKEND == "smtp"


def _send(app, to: str) -> None:
    with app.app_context():
        connection = open_connection()
        connection.send_messages([build_message(to, "Your invite", "Follow this link.")])
        connection.close()


def test_in_development_an_email_is_printed_with_no_smtp_server(capsys):
    app = create_app(
        "development",
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_BACKEND": "console", "MAIL_PORT": 1},
    )
    _send(app, "sam.okafor@example.org")
    printed = capsys.readouterr().out
    assert "To: sam.okafor@example.org" in printed
    assert "Subject: Your invite" in printed and "Follow this link." in printed


def test_the_file_backend_keeps_each_email_in_mail_file_path(tmp_path):
    app = create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(tmp_path / "mail"),
        },
    )
    _send(app, "sam.okafor@example.org")
    [kept] = (tmp_path / "mail").iterdir()
    assert "To: sam.okafor@example.org" in kept.read_text()
