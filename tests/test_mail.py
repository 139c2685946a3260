"""Email goes over real SMTP, and no name or subject can add a header."""

from tracker.mail import build_message, open_connection


def test_a_message_arrives_at_a_real_smtp_server(app, smtp_server):
    connection = open_connection()
    try:
        message = build_message(
            "owner@example.org", "2 actions overdue", "Plain text", "<p>HTML</p>", "An Owner"
        )
        connection.send_messages([message])
    finally:
        connection.close()
    [received] = smtp_server.to("owner@example.org")
    assert received["Subject"] == "2 actions overdue"
    assert received.get_body(("plain",)).get_content().strip() == "Plain text"
    assert "<p>HTML</p>" in received.get_body(("html",)).get_content()


def test_header_injection_in_name_and_subject_adds_no_header(app, smtp_server):
    connection = open_connection()
    try:
        message = build_message(
            "owner@example.org",
            "Hello\r\nBcc: victim@example.org",
            "body",
            to_name="Evil\r\nBcc: victim@example.org",
        )
        connection.send_messages([message])
    finally:
        connection.close()
    [received] = smtp_server.messages
    assert received["Bcc"] is None
    assert smtp_server.envelopes[0][1] == ["owner@example.org"]
    assert "\n" not in received["Subject"]
